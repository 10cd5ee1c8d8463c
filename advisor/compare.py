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
from typing import Any

from benchmarks.result import Measurement
from benchmarks.stats import UNSTABLE_RELATIVE_STD, ratio_interval

from .errors import AdvisorError
from .render import Table, duration, seconds

BASELINE = "baseline"
NOT_SIGNIFICANT = "not significant"


@dataclass(frozen=True)
class Speedup:
    """Baseline step time over this step time (>1: faster), with a conservative band."""

    ratio: float
    low: float
    high: float

    @property
    def significant(self) -> bool:
        return not self.low <= 1.0 <= self.high

    @property
    def text(self) -> str:
        if not self.significant:
            return NOT_SIGNIFICANT
        if self.ratio >= 1.0:
            return f"{times(self.ratio)}x faster"
        return f"{times(1.0 / self.ratio)}x slower"

    @property
    def band_text(self) -> str:
        return f"{times(self.low)}x – {times(self.high)}x"


@dataclass(frozen=True)
class ComparedRow:
    measurement: Measurement
    speedup: Speedup | None  # None for the baseline
    fingerprint_agrees: bool | None  # None for the baseline


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


def compare(measurements: Sequence[Measurement], *, epoch_samples: int | None = None) -> Comparison:
    """Compare each measurement against the first, within the first one's (preset, dtype, batch size).

    `epoch_samples` (e.g. 60000 for MNIST) adds the time one epoch would take on each.
    """
    if not measurements:
        raise AdvisorError("nothing to compare: give two or more measurements (ids, files or tokens)")
    if epoch_samples is not None and (isinstance(epoch_samples, bool) or epoch_samples <= 0):
        raise AdvisorError(f"samples per epoch must be a positive integer, got {epoch_samples}")
    baseline = measurements[0]
    key = group_key(baseline)
    rows = [ComparedRow(baseline, None, None)]
    excluded = []
    for m in measurements[1:]:
        if group_key(m) != key:
            excluded.append(Excluded(m, _exclusion_reason(m, baseline)))
            continue
        ratio, low, high = ratio_interval(baseline.python_loop.samples, m.python_loop.samples)
        rows.append(ComparedRow(m, Speedup(ratio, low, high), m.fingerprint.agrees_with(baseline.fingerprint)))
    return Comparison(
        preset=key[0],
        dtype=key[1],
        batch_size=key[2],
        rows=tuple(rows),
        excluded=tuple(excluded),
        epoch_samples=epoch_samples,
        notes=tuple(_notes(rows, excluded)),
    )


def comparison_table(comparison: Comparison) -> Table:
    headers = ["id", "device", "where", "step time", "throughput", "speedup", "band", "compile", "fingerprint"]
    align = ["left", "left", "left", "right", "right", "left", "left", "right", "left"]
    if comparison.epoch_samples is not None:
        headers.append(f"epoch ({comparison.epoch_samples:,} samples)")
        align.append("right")
    rows = []
    for row in comparison.rows:
        m = row.measurement
        cells = [
            m.id,
            m.environment.device_label,
            m.environment.where,
            seconds(m.step_seconds),
            f"{m.samples_per_second:,.0f} samples/s",
            BASELINE if row.speedup is None else row.speedup.text,
            "" if row.speedup is None else row.speedup.band_text,
            seconds(m.compile_seconds.get("python")),
            _fingerprint_text(row),
        ]
        if comparison.epoch_samples is not None:
            cells.append(epoch_text(comparison.epoch_samples / m.samples_per_second))
        rows.append(cells)
    return Table(
        title=f"{comparison.preset} AutoEncoder, {comparison.dtype}, batch {comparison.batch_size}",
        headers=headers,
        rows=rows,
        notes=list(comparison.notes),
        align=align,
    )


def comparison_payload(comparison: Comparison) -> dict[str, Any]:
    """What `compare --json` prints inside its envelope."""
    rows = []
    for row in comparison.rows:
        m = row.measurement
        speedup = row.speedup
        rows.append({
            "id": m.id,
            "device": m.environment.device_label,
            "where": m.environment.where,
            "platform": m.environment.platform,
            "step_seconds": m.step_seconds,
            "samples_per_second": m.samples_per_second,
            "speedup": None if speedup is None else {
                "ratio": speedup.ratio,
                "low": speedup.low,
                "high": speedup.high,
                "significant": speedup.significant,
                "text": speedup.text,
            },
            "compile_seconds": dict(m.compile_seconds),
            "fingerprint": {
                "steps": m.fingerprint.steps,
                "loss": m.fingerprint.loss,
                "agrees_with_baseline": row.fingerprint_agrees,
            },
            "epoch_seconds": None if comparison.epoch_samples is None
            else comparison.epoch_samples / m.samples_per_second,
        })
    return {
        "group": {"preset": comparison.preset, "dtype": comparison.dtype, "batch_size": comparison.batch_size},
        "baseline": comparison.baseline.id,
        "epoch_samples": comparison.epoch_samples,
        "rows": rows,
        "excluded": [{"id": e.measurement.id, "reason": e.reason} for e in comparison.excluded],
        "notes": list(comparison.notes),
    }


# ---- wording ------------------------------------------------------------------------------------
def times(ratio: float) -> str:
    """A ratio to three significant digits or so: 1.11, 10.0, 123."""
    if ratio >= 10_000:
        return f"{ratio:.3g}"
    if ratio >= 100:
        return f"{ratio:.0f}"
    if ratio >= 10:
        return f"{ratio:.1f}"
    return f"{ratio:.2f}"


def epoch_text(epoch_seconds: float) -> str:
    return seconds(epoch_seconds) if epoch_seconds < 120 else duration(epoch_seconds / 3600)


def _fingerprint_text(row: ComparedRow) -> str:
    loss = f"{row.measurement.fingerprint.loss:.4g}"
    if row.fingerprint_agrees is None:
        return f"loss {loss} (reference)"
    return f"agrees ({loss})" if row.fingerprint_agrees else f"DIFFERS ({loss})"


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
            "a differing fingerprint means the runs did not train the same way (another seed, fingerprint "
            "length or library version, or a numerics problem): their speeds may not be comparable"
        )
    for row in rows:
        spread = row.measurement.python_loop.relative_std
        if spread >= UNSTABLE_RELATIVE_STD:
            notes.append(
                f"{row.measurement.id} is unstable (std {spread:.0%} of the mean): its band is wide; "
                "measure again with a larger --budget"
            )
    return notes
