"""Turns result objects into text: tables (plain or markdown), terminal bars, JSON envelopes.

Every command renders through here, so the look and the JSON envelope are the same everywhere.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tabulate import tabulate

FORMATS = ("table", "markdown")
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Table:
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    title: str | None = None
    notes: Sequence[str] = field(default=())
    align: Sequence[str] | None = None


def envelope(kind: str, payload: dict[str, Any]) -> str:
    """The versioned JSON every `--json` prints: a `schema` first, then the payload."""
    return json.dumps({"schema": f"colab-advisor/{kind}/v1", **payload}, indent=2, allow_nan=False)


def render_table(table: Table, fmt: str = "table") -> str:
    tablefmt = "github" if fmt == "markdown" else "simple"
    rows = [[UNKNOWN if cell is None else cell for cell in row] for row in table.rows]
    # tabulate 0.9 fails on column alignments for a table without rows.
    body = tabulate(rows, headers=list(table.headers), tablefmt=tablefmt, disable_numparse=True,
                    colalign=table.align if rows else None)
    parts = []
    if table.title:
        parts.append(f"### {table.title}" if fmt == "markdown" else table.title)
        if fmt == "markdown":
            parts.append("")
    parts.append(body)
    if table.notes:
        parts.append("")
        parts.extend(f"- {n}" if fmt == "markdown" else n for n in table.notes)
    return "\n".join(parts)


def render_tables(tables: Sequence[Table], fmt: str = "table") -> str:
    return "\n\n".join(render_table(t, fmt) for t in tables)


def bars(items: Sequence[tuple[str, float | None]], width: int = 40, unit: str = "") -> str:
    """A horizontal bar per item, scaled to the largest; unknown values say so instead of drawing."""
    known = [v for _, v in items if v is not None and math.isfinite(v)]
    top = max(known, default=0.0)
    label_width = max((len(label) for label, _ in items), default=0)
    lines = []
    for label, value in items:
        if value is None or not math.isfinite(value):
            lines.append(f"{label:<{label_width}}  {UNKNOWN}")
            continue
        length = 0 if top <= 0 else max(1, round(value / top * width))
        lines.append(f"{label:<{label_width}}  {'█' * length} {value:,.1f}{unit}")
    return "\n".join(lines)


# ---- number formatting -----------------------------------------------------------------------
def seconds(value: float | None) -> str:
    if value is None:
        return UNKNOWN
    if value >= 1:
        return f"{value:.2f} s"
    if value >= 1e-3:
        return f"{value * 1e3:.2f} ms"
    return f"{value * 1e6:.1f} µs"


def duration(hours: float | None) -> str:
    if hours is None:
        return UNKNOWN
    if hours < 1:
        return f"{hours * 60:.0f} min"
    return f"{hours:.1f} h"


def scaled(value: float | None, unit: str) -> str:
    """1.23e11, 'FLOP/s' -> '123 GFLOP/s'."""
    if value is None:
        return UNKNOWN
    for factor, prefix in ((1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= factor:
            return f"{value / factor:.3g} {prefix}{unit}"
    return f"{value:.3g} {unit}"


def percent(value: float | None, digits: int = 0) -> str:
    return UNKNOWN if value is None else f"{value:.{digits}f} %"


def money(value: float | None) -> str:
    if value is None:
        return UNKNOWN
    return f"-${-value:,.2f}" if value < 0 else f"${value:,.2f}"
