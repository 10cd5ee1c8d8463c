"""Name matching shared by every lookup: forgiving about case and punctuation, helpful on a miss."""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable


# Cached: lookups normalise every spelling of every accelerator on each call, thousands of times a run.
@functools.lru_cache(maxsize=4096)
def normalise(name: str) -> str:
    """'Pro+' and 'pro-plus', 'A100 40GB' and 'a100-40gb' compare equal."""
    return re.sub(r"[^a-z0-9]", "", name.lower().replace("+", "plus"))


def closest(query: str, names: Iterable[tuple[str, str]], limit: int = 3) -> list[str]:
    """Canonical names whose spellings (pairs of spelling, canonical) are near `query`, best first."""
    by_spelling: dict[str, str] = {}
    for spelling, canonical in names:
        by_spelling.setdefault(normalise(spelling), canonical)
    wanted = normalise(query)
    # A bare prefix ('a100', 'tpu') is the commonest near miss; difflib ranks those poorly.
    prefixed = [canonical for spelling, canonical in by_spelling.items() if wanted and spelling.startswith(wanted)]
    scored = []
    for spelling, canonical in by_spelling.items():
        ratio = difflib.SequenceMatcher(None, wanted, spelling).ratio()
        if ratio >= 0.5:
            scored.append((-ratio, len(spelling), canonical))
    found: list[str] = []
    for canonical in [*prefixed, *(canonical for _, _, canonical in sorted(scored))]:
        if canonical not in found:
            found.append(canonical)
    return found[:limit]


# An error line names at most this many of the valid names (the catalog has dozens of accelerators).
KNOWN_SHOWN = 12


def did_you_mean(what: str, query: str, names: Iterable[tuple[str, str]], valid: Iterable[str]) -> str:
    """One line: "unknown plan 'por'; did you mean 'pro'? Known: free, pro, pro-plus"."""
    names = list(names)
    message = f"unknown {what} '{query}'"
    suggestions = closest(query, names)
    if suggestions:
        message += "; did you mean " + " or ".join(f"'{name}'" for name in suggestions) + "?"
    else:
        message += "."
    known = list(dict.fromkeys(valid))  # each once, in order
    shown = known if len(known) <= KNOWN_SHOWN + 1 else known[:KNOWN_SHOWN]  # 'and 1 more' would hide one name
    more = f" and {len(known) - len(shown)} more" if len(known) > len(shown) else ""
    return message + " Known: " + ", ".join(shown) + more
