"""Measurements side by side: step time, throughput, speedup against the first, fingerprints.

Only like is compared with like. Step times of different presets, dtypes or batch sizes measure
different work, and loss fingerprints agree only at the same batch, so `compare` keeps the
measurements that share the first one's (preset, dtype, batch size) and says why each other one
was left out. A speedup is printed only where it is significant, as pyperf does: the band from
`benchmarks.stats.ratio_interval` must leave out 1.0, otherwise the row says "not significant".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from benchmarks.result import Measurement
from benchmarks.stats import UNSTABLE_RELATIVE_STD, ratio_interval

from ..errors import AdvisorError
from .origin import REFERENCE, origin
from .store import Store


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
    measurement: Measurement
    reason: str


@dataclass(frozen=True)
class Comparison:
    preset: str
    dtype: str
    batch_size: int
    rows: tuple[ComparedRow, ...]  # the first is the baseline
    excluded: tuple[Excluded, ...] = ()
    epoch_samples: int | None = None
    notes: tuple[str, ...] = field(default=())

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
    if epoch_samples is not None and (isinstance(epoch_samples, bool) or epoch_samples <= 0):
        raise AdvisorError(f"samples per epoch must be a positive integer, got {epoch_samples}")
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
        notes=tuple(_notes(rows, excluded)),
    )


# ---- why a result is left out -----------------------------------------------------------------
def _describe(m: Measurement) -> str:
    return f"{m.config.preset}, {m.config.dtype}, batch {m.batch_size}"


def _exclusion_reason(m: Measurement, baseline: Measurement) -> str:
    if (m.config.preset, m.config.dtype) != (baseline.config.preset, baseline.config.dtype):
        rule = "compare only the same preset and dtype"
    else:
        rule = "compare only the same batch size (fingerprints and step times depend on it)"
    return f"{m.id} ({_describe(m)}) left out: {rule} as the first, {baseline.id} ({_describe(baseline)})"


def _notes(rows: Sequence[ComparedRow], excluded: Sequence[Excluded]) -> list[str]:
    notes = [e.reason for e in excluded]
    if len(rows) > 1:
        notes.append(
            "speedup: the first's step time over each one's (python loop medians); the band is ±2 MAD-based "
            "spreads on both sides, and a band that includes 1.0x is not significant"
        )
    if any(row.fingerprint_agrees is False for row in rows):
        notes.append(
            "a differing fingerprint means the runs did not train the same way (another seed or model, "
            "or a numerics problem): their speeds may not be comparable"
        )
    baseline = rows[0].measurement.fingerprint
    others = [row for row in rows[1:] if not row.measurement.fingerprint.comparable_with(baseline)]
    if others:
        notes.append(
            f"fingerprint of {', '.join(row.measurement.id for row in others)} not compared: it was made by another "
            "fingerprint scheme or length than the first's (an older colab-advisor draws the starting point "
            "differently); the speeds stand"
        )
    for row in rows:
        spread = row.measurement.python_loop.relative_std
        if spread >= UNSTABLE_RELATIVE_STD:
            # A shipped reference cannot be measured again here; saying so would send people in circles.
            advice = "as shipped" if row.origin == REFERENCE else "measure again with a larger --budget"
            notes.append(
                f"{row.measurement.id} is unstable (std {spread:.0%} of the mean): its band is wide; {advice}"
            )
    return notes


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
