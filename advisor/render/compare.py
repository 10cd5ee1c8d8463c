"""What `compare` shows: measurements side by side, and the comparison's JSON."""

from __future__ import annotations

from typing import Any

from benchmarks.stats import UNSTABLE_RELATIVE_STD

from ..results.compare import SAME_PRESET_AND_DTYPE, ComparedRow, Comparison, Excluded, Speedup
from ..results.origin import REFERENCE
from .table import Table
from .words import duration, figure, seconds

BASELINE = "baseline"
NOT_SIGNIFICANT = "not significant"


def speedup_text(speedup: Speedup) -> str:
    if not speedup.significant:
        return NOT_SIGNIFICANT
    if speedup.ratio >= 1.0:
        return f"{figure(speedup.ratio)}x faster"
    return f"{figure(1.0 / speedup.ratio)}x slower"


def band_text(speedup: Speedup) -> str:
    """The speedup's band in the words of the speedup: a slower result's as 'slower' factors."""
    if speedup.significant and speedup.ratio < 1.0:
        return f"{figure(1.0 / speedup.high)}x – {figure(1.0 / speedup.low)}x slower"
    return f"{figure(speedup.low)}x – {figure(speedup.high)}x"


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
            row.origin,
            seconds(m.step_seconds),
            f"{m.samples_per_second:,.0f} samples/s",
            BASELINE if row.speedup is None else speedup_text(row.speedup),
            "" if row.speedup is None else band_text(row.speedup),
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
        notes=comparison_notes(comparison),
        align=align,
        optional=("compile", "where", "throughput", "band"),
        wrap=("device", "fingerprint"),
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
            "where": row.origin,
            "platform": m.environment.platform,
            "step_seconds": m.step_seconds,
            "samples_per_second": m.samples_per_second,
            "speedup": None if speedup is None else {
                "ratio": speedup.ratio,
                "low": speedup.low,
                "high": speedup.high,
                "significant": speedup.significant,
                "text": speedup_text(speedup),
            },
            "compile_seconds": dict(m.compile_seconds),
            "fingerprint": {
                "steps": m.fingerprint.steps,
                "loss": m.fingerprint.loss,
                "scheme": m.fingerprint.scheme,
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
        "excluded": [{"id": e.measurement.id, "reason": excluded_text(e, comparison)} for e in comparison.excluded],
        "notes": comparison_notes(comparison),
    }


def epoch_text(epoch_seconds: float) -> str:
    return seconds(epoch_seconds) if epoch_seconds < 120 else duration(epoch_seconds / 3600)


def _fingerprint_text(row: ComparedRow) -> str:
    loss = f"{row.measurement.fingerprint.loss:.4g}"
    if row.speedup is None:
        return f"loss {loss} (baseline)"
    if row.fingerprint_agrees is None:
        return f"not compared ({loss})"
    return f"agrees ({loss})" if row.fingerprint_agrees else f"DIFFERS ({loss})"




def _describe(m: Any) -> str:
    return f"{m.config.preset}, {m.config.dtype}, batch {m.batch_size}"


def excluded_text(excluded: Excluded, comparison: Comparison) -> str:
    m, baseline = excluded.measurement, comparison.baseline
    rule = ("compare only the same preset and dtype" if excluded.reason == SAME_PRESET_AND_DTYPE else
            "compare only the same batch size (fingerprints and step times depend on it)")
    return f"{m.id} ({_describe(m)}) left out: {rule} as the first, {baseline.id} ({_describe(baseline)})"


def comparison_notes(comparison: Comparison) -> list[str]:
    """What the table's figures mean and what to make of odd rows, in words."""
    rows = comparison.rows
    notes = [excluded_text(e, comparison) for e in comparison.excluded]
    if len(rows) > 1:
        notes.append(
            "speedup: the first's step time over each one's (python loop medians); the band is ±2 MAD-based "
            "spreads on both sides, and a band that includes 1.0x is not significant"
        )
    ids = [row.measurement.id for row in rows]
    repeated = list(dict.fromkeys(i for i in ids if ids.count(i) > 1))
    if repeated:
        notes.append(f"{', '.join(repeated)} is named more than once: the same result, compared with itself")
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
    for row in {row.measurement.id: row for row in rows}.values():  # each result once, in order
        spread = row.measurement.python_loop.relative_std
        if spread >= UNSTABLE_RELATIVE_STD:
            # A shipped reference cannot be measured again here; saying so would send people in circles.
            advice = ("a shipped reference, kept as it was measured" if row.origin == REFERENCE
                      else "measure again with a larger --budget")
            notes.append(f"{row.measurement.id} is unstable (std {spread:.0%} of the mean): its band is wide; {advice}")
    return notes
