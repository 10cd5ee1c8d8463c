"""What `predict` shows: a workload's step time per accelerator, and the prediction's JSON."""

from __future__ import annotations

from typing import Any

from ..predict.workload import AcceleratorPrediction, Prediction
from .table import UNKNOWN, Table, seconds


def _band(row: AcceleratorPrediction) -> str:
    if row.speed is None:
        return UNKNOWN
    return f"{seconds(row.speed.low)} – {seconds(row.speed.high)}"


def _max_batch(row: AcceleratorPrediction) -> str:
    if row.max_batch is None:
        return UNKNOWN
    return "does not fit" if row.max_batch == 0 else f"{row.max_batch:,}"


def _throughput(row: AcceleratorPrediction, batch: int) -> str:
    if row.speed is None:
        return UNKNOWN
    return f"{batch / row.speed.seconds:,.0f} samples/s"


def prediction_table(prediction: Prediction) -> Table:
    rows = []
    for row in prediction.rows:
        fits = "" if row.fits is None or row.fits else " (batch does not fit)"
        rows.append([
            row.accelerator.key,
            UNKNOWN if row.speed is None else seconds(row.speed.seconds) + fits,
            _band(row),
            _throughput(row, prediction.batch_size),
            _max_batch(row),
            UNKNOWN if row.speed is None else row.speed.basis,
        ])
    return Table(
        title=f"{prediction.description}: {prediction.dtype}, batch {prediction.batch_size}",
        headers=["accelerator", "step time", "band", "throughput", "largest batch", "basis"],
        rows=rows,
        notes=[*prediction.notes, f"Profile compiled on {prediction.profile_source or 'this machine'}."],
        align=["left", "right", "left", "right", "right", "left"],
        optional=["basis", "band"],
    )


def prediction_payload(prediction: Prediction) -> dict[str, Any]:
    """What `predict --json` prints inside its envelope."""
    accelerators = []
    for row in prediction.rows:
        speed = row.speed
        accelerators.append({
            "accelerator": row.accelerator.key,
            "name": row.accelerator.name,
            "seconds_per_step": None if speed is None else speed.seconds,
            "low": None if speed is None else speed.low,
            "high": None if speed is None else speed.high,
            "samples_per_second": None if speed is None else prediction.batch_size / speed.seconds,
            "max_batch": row.max_batch,
            "fits": row.fits,
            "basis": None if speed is None else speed.basis,
            "detail": None if speed is None else speed.detail,
        })
    return {
        "workload": prediction.workload,
        "description": prediction.description,
        "dtype": prediction.dtype,
        "batch_size": prediction.batch_size,
        "accelerators": accelerators,
        "profile_compiled_on": prediction.profile_source,
        "notes": list(prediction.notes),
    }


def profiling_notice(name: str, dtype: str) -> str:
    return f"profiling {name} ({dtype}) on this CPU, once: compiling its training step..."
