"""Measurements side by side: step time, throughput, speedup against the first, fingerprints.

Only like is compared with like. Step times of different presets, dtypes or batch sizes measure
different work, and loss fingerprints agree only at the same batch, so `compare` keeps the
measurements that share the first one's (preset, dtype, batch size) and says why each other one
was left out. A speedup is printed only where it is significant, as pyperf does: the band from
`benchmarks.stats.ratio_interval` must leave out 1.0, otherwise the row says "not significant".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from benchmarks.result import Measurement
from benchmarks.stats import ratio_interval

from ..errors import AdvisorError
from .origin import origin
from .store import Store

# As recommend's --samples: ten billion samples an epoch is more than any dataset; beyond it, a typo.
MAX_EPOCH_SAMPLES = 10**10


@dataclass(frozen=True)
class Speedup:
    """Baseline step time over this step time (>1: faster), with a conservative band."""

    ratio: float
    low: float
    high: float

    @property
    def significant(self) -> bool:
        return not self.low <= 1.0 <= self.high



@dataclass(frozen=True)
class ComparedRow:
    measurement: Measurement
    speedup: Speedup | None  # None for the baseline
    fingerprint_agrees: bool | None  # None for the baseline, and where the schemes differ
    origin: str = ""  # one of results.origin.ORIGINS


@dataclass(frozen=True)
class Excluded:
    """A result left out of the comparison, and the rule it breaks against the first (the baseline)."""

    measurement: Measurement
    reason: str  # SAME_PRESET_AND_DTYPE or SAME_BATCH


@dataclass(frozen=True)
class Comparison:
    preset: str
    dtype: str
    batch_size: int
    rows: tuple[ComparedRow, ...]  # the first is the baseline
    excluded: tuple[Excluded, ...] = ()
    epoch_samples: int | None = None

    @property
    def baseline(self) -> Measurement:
        return self.rows[0].measurement


def group_key(m: Measurement) -> tuple[str, str, int]:
    return (m.config.preset, m.config.dtype, m.batch_size)


def compare(
    measurements: Sequence[Measurement],
    *,
    epoch_samples: int | None = None,
    origins: Sequence[str] | None = None,
) -> Comparison:
    """Compare each measurement against the first, within the first one's (preset, dtype, batch size).

    `epoch_samples` (e.g. 60000 for MNIST) adds the time one epoch would take on each. `origins` says
    where each came from (`results.origin.origin_in`); without it, each counts as from outside.
    """
    if origins is None:
        origins = [origin(m, imported=True) for m in measurements]
    if len(origins) != len(measurements):
        raise ValueError("one origin per measurement")
    if not measurements:
        raise AdvisorError("nothing to compare: give two or more measurements (ids, files or tokens)")
    if epoch_samples is not None and (isinstance(epoch_samples, bool) or not 0 < epoch_samples <= MAX_EPOCH_SAMPLES):
        raise AdvisorError(f"--epoch-samples: expected a whole number from 1 to {MAX_EPOCH_SAMPLES:,}, "
                           f"got {epoch_samples}")
    baseline = measurements[0]
    key = group_key(baseline)
    rows = [ComparedRow(baseline, None, None, origins[0])]
    excluded = []
    for m, where in zip(measurements[1:], origins[1:], strict=True):
        if group_key(m) != key:
            excluded.append(Excluded(m, _exclusion_reason(m, baseline)))
            continue
        ratio, low, high = ratio_interval(baseline.python_loop.samples, m.python_loop.samples)
        agrees = m.fingerprint.agrees_with(baseline.fingerprint) if m.fingerprint.comparable_with(
            baseline.fingerprint) else None
        rows.append(ComparedRow(m, Speedup(ratio, low, high), agrees, where))
    return Comparison(
        preset=key[0],
        dtype=key[1],
        batch_size=key[2],
        rows=tuple(rows),
        excluded=tuple(excluded),
        epoch_samples=epoch_samples,
    )


# ---- why a result is left out -----------------------------------------------------------------
SAME_PRESET_AND_DTYPE = "same preset and dtype"
SAME_BATCH = "same batch size"


def _exclusion_reason(m: Measurement, baseline: Measurement) -> str:
    if (m.config.preset, m.config.dtype) != (baseline.config.preset, baseline.config.dtype):
        return SAME_PRESET_AND_DTYPE
    return SAME_BATCH


def compare_refs(refs: list[str], store: Store, stdin_text: str | None, *,
                 epoch_samples: int | None = None) -> Comparison:
    """Resolve each reference (history id, file, token, `-`) and compare them against the first."""
    from .origin import origin_in
    from .share import resolve

    if epoch_samples is not None and (isinstance(epoch_samples, bool) or epoch_samples <= 0):
        raise AdvisorError(f"--epoch-samples: expected a positive number, got {epoch_samples}")
    if len(refs) < 2:
        raise AdvisorError("compare needs at least two results (history ids, files or tokens)")
    measurements = [resolve(ref, store, stdin_text) for ref in refs]
    return compare(measurements, epoch_samples=epoch_samples, origins=[origin_in(store, m) for m in measurements])
