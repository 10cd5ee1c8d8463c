"""Workload profiles: compiled once on this CPU, then read from the data folder without JAX.

A profile (see benchmarks/workloads/profile.py) holds every kernel's FLOPs and bytes and XLA's
memory analysis at two batch sizes. It is cached as `<home>/profiles/<workload>-<dtype>.json`,
written atomically; a cache file that cannot be read is profiled again and replaced, costing only
itself.
"""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.workloads.specs import WORKLOADS, WorkloadSpec
from pricing.names import did_you_mean

from ..encoding import dumps
from ..errors import AdvisorError
from ..files import atomic_write
from .kernels import KINDS, Work, pair_kernels, work_at

PROFILES_DIR = "profiles"
PROFILE_SCHEMA = "colab-advisor/workload-profile/v3"  # v1 and v2 (no fresh reads) are profiled again
MAX_PROFILE_BYTES = 8 * 1024 * 1024
MEMORY_FIELDS = ("argument", "output", "alias", "temp")
# Caps on what a stored profile may claim, far above any real step (ResNet-50 plans about 700
# kernels; its largest moves under 1 GB at the profiled batches): a file edited past them is refused.
MAX_KERNELS = 20_000
MAX_KERNEL_FLOPS = 1e16
MAX_KERNEL_BYTES = 1e13
MAX_FRESH_READS = 64  # values one kernel reads (a concatenation of many is the most)
MAX_MEMORY_BYTES = 1e14
MAX_PROFILE_BATCH = 1 << 16
# Profiles compiled in this process that could not be cached: an unwritable cache costs one compile
# per workload and process (and one warning), not one per accelerator asked about.
_UNCACHED: dict[tuple[str, str, str], WorkloadProfile] = {}
# Profiles read from the cache in this process, with the file's (mtime, size) when read: a file written
# since is read again.
_READ: dict[tuple[str, str, str], tuple[tuple[int, int], WorkloadProfile]] = {}

Profiler = Callable[[str, str], dict[str, Any]]


@dataclass(frozen=True)
class WorkloadProfile:
    """What one training step of a workload does, at two profiled batch sizes."""

    name: str
    dtype: str
    batches: tuple[int, int]
    kernels: tuple[tuple[Work, ...], tuple[Work, ...]]
    memory: tuple[dict[str, int], dict[str, int]]
    compiled_on: str
    pairs: tuple[int, ...] = ()  # for each kernel at the larger batch, its index at the smaller, or -1

    def work(self, batch: int) -> list[Work]:
        (a, b), (ka, kb) = self.batches, self.kernels
        return work_at(ka, kb, self.pairs or pair_kernels(ka, kb), a, b, batch)

    def device_bytes(self, batch: int) -> float | None:
        """Device memory the step holds at `batch`: arguments + temporaries + outputs not aliased."""
        totals = []
        for stats in self.memory:
            if not all(name in stats for name in MEMORY_FIELDS):
                return None
            totals.append(stats["argument"] + stats["temp"] + stats["output"] - stats["alias"])
        (a, b), (ta, tb) = self.batches, totals
        return ta + (tb - ta) * (batch - a) / (b - a)


def spec_of(name: str) -> WorkloadSpec:
    if name not in WORKLOADS:
        raise AdvisorError(did_you_mean("workload", name, [(n, n) for n in WORKLOADS], list(WORKLOADS)))
    return WORKLOADS[name]


class _Bad(Exception):
    pass


def _number(value: Any, cap: float = math.inf) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise _Bad(f"expected a number >= 0, got {value!r}")
    if value > cap:
        raise _Bad(f"{value!r} is above the cap of {cap:g}")
    return float(value)


def _batch(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_PROFILE_BATCH


def parse_profile(data: Any, name: str, dtype: str) -> WorkloadProfile:
    """Check every field of a stored profile; raises _Bad on the first problem."""
    if not isinstance(data, dict) or data.get("schema") != PROFILE_SCHEMA:
        schema = data.get("schema") if isinstance(data, dict) else None
        family = PROFILE_SCHEMA.rsplit("/", 1)[0] + "/"
        if isinstance(schema, str) and schema.startswith(family) and len(schema) <= len(family) + 8:
            raise _Bad(f"profile format {schema[len(family):]}, this version reads {PROFILE_SCHEMA[len(family):]}")
        raise _Bad("not a workload profile")
    if data.get("workload") != name or data.get("dtype") != dtype:
        raise _Bad("profile of another workload")
    batches = data.get("batches")
    if (not isinstance(batches, list) or len(batches) != 2 or not all(_batch(b) for b in batches)
            or batches[0] >= batches[1]):
        raise _Bad("bad batches")
    kernels, memory = [], []
    for batch in batches:
        entry = data.get("at", {}).get(str(batch)) if isinstance(data.get("at"), dict) else None
        if not isinstance(entry, dict) or not isinstance(entry.get("kernels"), list):
            raise _Bad(f"no kernels at batch {batch}")
        if len(entry["kernels"]) > MAX_KERNELS:
            raise _Bad(f"{len(entry['kernels'])} kernels, more than the cap of {MAX_KERNELS}")
        found = []
        for item in entry["kernels"]:
            if (not isinstance(item, list) or len(item) != 6 or item[0] not in KINDS
                    or not isinstance(item[5], list) or len(item[5]) > MAX_FRESH_READS):
                raise _Bad("bad kernel entry")
            signature = item[3] if isinstance(item[3], str) else ""
            cpu = _number(item[4], MAX_KERNEL_BYTES) if item[4] is not None else None
            moved, fresh = _number(item[2], MAX_KERNEL_BYTES), tuple(_number(x, MAX_KERNEL_BYTES) for x in item[5])
            if sum(fresh) > moved * (1 + 1e-9) + 1:
                raise _Bad("a kernel reads more bytes than it moves")
            found.append(Work(item[0], _number(item[1], MAX_KERNEL_FLOPS), moved, signature[:80], cpu,
                              fresh_reads=fresh))
        kernels.append(tuple(found))
        stats = entry.get("memory", {})
        if not isinstance(stats, dict):
            raise _Bad("bad memory analysis")
        memory.append({k: int(_number(v, MAX_MEMORY_BYTES)) for k, v in stats.items() if k in MEMORY_FIELDS})
    compiled_on = data.get("compiled_on", "")
    pairs = data.get("pairs")
    if pairs is None:
        pairs = pair_kernels(kernels[0], kernels[1])
    elif (not isinstance(pairs, list) or len(pairs) != len(kernels[1])
          or not all(isinstance(i, int) and -1 <= i < len(kernels[0]) for i in pairs)):
        raise _Bad("bad kernel pairing")
    return WorkloadProfile(name, dtype, (batches[0], batches[1]), (kernels[0], kernels[1]),
                           (memory[0], memory[1]), compiled_on if isinstance(compiled_on, str) else "",
                           tuple(pairs))


def _compile_here(name: str, dtype: str) -> dict[str, Any]:
    from benchmarks.workloads.profile import profile

    return profile(name, dtype)


CACHE_UNREADABLE = "cache_unreadable"  # subject: the cached file's name; the workload is profiled again
CACHE_UNWRITABLE = "cache_unwritable"  # subject: the folder; the profile is kept for this process only


@dataclass(frozen=True)
class ProfileWarning:
    """Something about the profile cache the user should hear: a kind, what it is about, and why."""

    kind: str
    subject: str
    reason: str


# A GPU or TPU moves the same bytes for a float16 step as for a bfloat16 one (both 2 bytes wide, the same
# kernels); only the matrix unit can differ (physics.matrix_path). The CPU's compiler does not plan them
# alike: it widens float16 work to f32 in other places than bfloat16 work, so its float16 plan, counted
# as a GPU would move it, moved more bytes than the float32 plan in BERT-large (79 GB against 71; bfloat16
# 45). An accelerator's float16 step is therefore counted from the bfloat16 plan; this machine's own
# float16 step keeps its own plan, which is what the CPU runs.
ACCELERATOR_PLAN_DTYPE = {"float16": "bfloat16"}


def accelerator_plan_dtype(dtype: str) -> str:
    """The dtype whose compiled plan gives an accelerator's kernels for a step in `dtype`."""
    return ACCELERATOR_PLAN_DTYPE.get(dtype, dtype)


def profile_path(name: str, dtype: str, home: Path) -> Path:
    return Path(home) / PROFILES_DIR / f"{name}-{dtype}.json"


def needs_profiling(name: str, dtype: str, home: Path) -> bool:
    """Whether `load_profile` would compile: not for a preset (shipped), a cached workload or a dtype
    that will be refused."""
    from benchmarks.config import DTYPES

    return dtype in DTYPES and not spec_of(name).preset and not profile_path(name, dtype, home).is_file()


def load_profile(name: str, dtype: str, home: Path, *, profiler: Profiler = _compile_here,
                 warnings: list[ProfileWarning] | None = None) -> WorkloadProfile:
    """The cached profile of `name` in `dtype`, compiling it on this CPU (seconds) when absent or unreadable.

    An AutoEncoder preset's profile ships with the package and is never compiled. Each workload is
    read or compiled once per process: a cache that cannot be written is warned about once.
    """
    spec = spec_of(name)
    if spec.preset:
        from .presets import shipped_profile

        return shipped_profile(spec.preset, dtype)
    key = (name, dtype, str(home))
    if key in _UNCACHED:
        return _UNCACHED[key]
    path = profile_path(name, dtype, home)
    if path.is_file():
        try:
            stat = path.stat()
            if stat.st_size > MAX_PROFILE_BYTES:
                raise _Bad("too large")
            version = (stat.st_mtime_ns, stat.st_size)
            if (read := _READ.get(key)) is not None and read[0] == version:
                return read[1]  # parsed already in this process (recommend asks once per accelerator)
            raw = json.loads(path.read_text(encoding="utf-8"))
            found = parse_profile(raw, name, dtype)
            if isinstance(raw, dict) and "pairs" not in raw:  # written before pairings were cached
                with contextlib.suppress(OSError):
                    atomic_write(path, dumps({**raw, "pairs": list(found.pairs)}, compact=True))
            else:
                _READ[key] = (version, found)
            return found
        except (OSError, UnicodeDecodeError, ValueError, _Bad) as exc:
            if warnings is not None:
                warnings.append(ProfileWarning(CACHE_UNREADABLE, path.name, str(exc).splitlines()[0]))
    data = profiler(name, dtype)
    found = parse_profile({**data, "pairs": None}, name, dtype)
    try:
        atomic_write(path, dumps({**data, "pairs": list(found.pairs)}, compact=True))
    except OSError as exc:
        _UNCACHED[key] = found
        if warnings is not None:
            warnings.append(ProfileWarning(CACHE_UNWRITABLE, str(path.parent), str(exc.strerror or exc)))
    return found

