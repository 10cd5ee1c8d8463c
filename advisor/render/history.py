"""What `history` shows: one row per stored measurement, and its JSON."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from ..results.origin import origin
from ..results.store import StoredMeasurement
from .table import Table, seconds

HISTORY_HEADERS = ("id", "when", "where", "device", "preset", "dtype", "batch", "step time", "throughput (samples/s)")


def history_table(entries: Sequence[StoredMeasurement]) -> Table:
    """One row per stored measurement, oldest first, as `Store.load_all` gives them."""
    if not entries:
        notes = ["no measurement stored yet: run `colab-advisor measure`, or `colab-advisor import` a token"]
    elif len(entries) > 1:
        notes = ["`colab-advisor compare ID ID ...` puts two or more side by side"]
    else:
        notes = []
    return Table(
        title=f"stored measurements ({len(entries)})",
        headers=HISTORY_HEADERS,
        rows=[_row(entry) for entry in entries],
        notes=notes,
        align=("left", "left", "left", "left", "left", "left", "right", "right", "right"),
        optional=("batch", "throughput (samples/s)"),
        wrap=("device",),
    )


def history_payload(entries: Sequence[StoredMeasurement], warnings: Sequence[str] = ()) -> dict[str, Any]:
    """What `history --json` prints inside its envelope; `warnings` name the entries that were skipped."""
    return {
        "measurements": [_entry_payload(entry) for entry in entries],
        "skipped": list(warnings),
    }


def when(timestamp: str) -> str:
    """'2026-11-20T10:00:00+00:00' -> '2026-11-20 10:00 UTC'; text it cannot read is shown as it is."""
    try:
        moment = dt.datetime.fromisoformat(timestamp)
        if moment.tzinfo is None:
            return moment.strftime("%Y-%m-%d %H:%M")
        return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    except (ValueError, OverflowError):
        return timestamp


def _row(entry: StoredMeasurement) -> tuple[str, ...]:
    m = entry.measurement
    return (
        m.id,
        when(m.environment.timestamp),
        origin(m, imported=entry.imported),
        m.environment.device_label,
        m.config.preset,
        m.config.dtype,
        str(m.batch_size),
        seconds(m.step_seconds),
        f"{m.samples_per_second:,.0f}",
    )


def _entry_payload(entry: StoredMeasurement) -> dict[str, Any]:
    m = entry.measurement
    env = m.environment
    return {
        "id": m.id,
        "timestamp": env.timestamp,
        "where": origin(m, imported=entry.imported),
        "device": env.device_label,
        "platform": env.platform,
        "device_kind": env.device_kind,
        "device_count": env.device_count,
        "preset": m.config.preset,
        "dtype": m.config.dtype,
        "batch_size": m.batch_size,
        "step_seconds": m.step_seconds,
        "samples_per_second": m.samples_per_second,
        "tool_version": env.tool_version,
        "file": str(entry.path),
    }
