"""Typed facts the engine returns: what blocks an option, what a figure rests on, what was noticed.

No sentence is built here. Each fact carries a `kind` (a stable code) and the figures the words
need; advisor/render turns them into sentences, and `--json` carries them as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# Why an option cannot do the job.
BLOCK_RAM = "ram"  # have: GB the runtime gives, need: GB the job needs
BLOCK_MONTH = "month_hours"  # have: hours a month has, need: hours a month the job needs
BLOCK_FREE_QUOTA = "free_quota"  # have: free hours a month, need: hours a month the job needs
BLOCK_SPEED_UNKNOWN = "speed_unknown"  # the catalog lacks the device's figures
BLOCK_RATE_UNKNOWN = "cu_rate_unknown"  # the device's CU rate is unknown: cannot be priced
BLOCK_MEMORY = "device_memory"  # have: the largest batch that fits, need: the batch asked for
BLOCK_NO_RIVAL = "no_rival"  # buy or rent: no option here can do the job, so owning has nothing to weigh against

# What an option's standing rests on that no source gives.
UNKNOWN_RAM = "ram"  # a runtime's: it stands only where no option is known to fit (engine._eligible)
# This machine's, for a job that states its RAM: its owner can check it, so it is named, never ruled out.
UNKNOWN_LOCAL_RAM = "local_ram"
UNKNOWN_SESSION = "session_length"
UNKNOWN_FREE_LIMITS = "free_limits"
UNKNOWN_TAX = "tax"


@dataclass(frozen=True)
class Blocker:
    """Why an option cannot do the job: a kind, and the figures on each side where there are any."""

    kind: str
    have: float | None = None
    need: float | None = None
    subject: str | None = None  # what the figures are about (an accelerator key, a workload name)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "have": self.have, "need": self.need, "subject": self.subject}


@dataclass(frozen=True)
class Fact:
    """Something the engine noticed or assumed: a kind and its figures, with a source where one exists."""

    kind: str
    figures: Mapping[str, Any] = field(default_factory=dict)
    source: str | None = None
    as_of: str | None = None

    def get(self, name: str, default: Any = None) -> Any:
        return self.figures.get(name, default)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "figures": dict(self.figures), "source": self.source, "as_of": self.as_of}

    def __hash__(self) -> int:
        return hash((self.kind, tuple(sorted((k, repr(v)) for k, v in self.figures.items())), self.source))


def fact(kind: str, source: str | None = None, as_of: str | None = None, **figures: Any) -> Fact:
    return Fact(kind, dict(figures), source, as_of)
