"""What `compare` shows: measurements side by side, and the comparison's JSON."""

from __future__ import annotations

from typing import Any

from ..results.compare import ComparedRow, Comparison, Speedup
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
        notes=list(comparison.notes),
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
        "excluded": [{"id": e.measurement.id, "reason": e.reason} for e in comparison.excluded],
        "notes": list(comparison.notes),
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


