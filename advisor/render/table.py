"""Turns result objects into text: tables (plain or markdown), terminal bars, JSON envelopes.

Every command renders through here, so the look and the JSON envelope are the same everywhere.
"""

from __future__ import annotations

import math
import textwrap
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tabulate import tabulate

from untrusted import REFUSED_CATEGORIES

from ..encoding import dumps
from .words import UNKNOWN, duration, money, percent, scaled, seconds  # noqa: F401

FORMATS = ("table", "markdown")

_MARKDOWN_SPECIAL = {"\\": "\\\\", "|": "\\|", "`": "\\`", "*": "\\*", "_": "\\_", "<": "&lt;"}


def terminal_text(text: str, *, keep_newlines: bool = False) -> str:
    """`text` safe to print: every control or invisible character becomes a visible \\uXXXX escape.

    The one function all output goes through; it leaves printable text as it is, so applying it
    twice changes nothing.
    """
    if text.isprintable():
        return text
    out = []
    for char in text:
        if (keep_newlines and char == "\n") or unicodedata.category(char) not in REFUSED_CATEGORIES:
            out.append(char)
        else:
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
    return "".join(out)


def markdown_cell(text: str) -> str:
    """`text` as one markdown table cell: it cannot end the cell, open code, emphasis or HTML."""
    return "".join(_MARKDOWN_SPECIAL.get(char, char) for char in terminal_text(text))


DEFAULT_WIDTH = 100
# Narrowest a column is wrapped to in the fitted view (markdown and JSON are never wrapped).
MIN_CELL = 10
# Past this many rows a fitted table shortens long cells instead of wrapping them.
WRAP_ROWS = 50


@dataclass(frozen=True)
class Table:
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    title: str | None = None
    notes: Sequence[str] = field(default=())
    align: Sequence[str] | None = None
    # Headers of columns the terminal view may leave out to fit, the first to go first.
    optional: Sequence[str] = field(default=())
    # Headers of text columns the terminal view may wrap onto more lines to fit.
    wrap: Sequence[str] = field(default=())


def terminal_width(environ: Any) -> int:
    """`COLUMNS` where it is a sensible number, else DEFAULT_WIDTH."""
    try:
        width = int(environ.get("COLUMNS", ""))
    except (TypeError, ValueError):
        return DEFAULT_WIDTH
    return width if 40 <= width <= 1000 else DEFAULT_WIDTH


# Envelopes past their first version. hardware/v2: each accelerator is its catalog entry as it stands
# (every field under its catalog name, so it can be copied into a catalog file); whether Colab offers
# it on the catalog date moved out of the entry to the top-level list `offered_on_as_of`.
SCHEMA_VERSIONS = {"hardware": 2}


def envelope(kind: str, payload: dict[str, Any]) -> str:
    """The versioned JSON every `--json` prints: a `schema` first, then the payload."""
    return dumps({"schema": f"colab-advisor/{kind}/v{SCHEMA_VERSIONS.get(kind, 1)}", **payload})


def wrap(text: str, width: int | None, indent: str = "") -> str:
    """A paragraph wrapped to `width` (None: left as it is), later lines indented by `indent`."""
    if width is None:
        return text
    return textwrap.fill(text, width=width, subsequent_indent=indent, break_on_hyphens=False,
                         break_long_words=True)


def _body(headers: Sequence[str], rows: list[list[Any]], fmt: str, align: Sequence[str] | None) -> str:
    tablefmt = "github" if fmt == "markdown" else "simple"
    # tabulate 0.9 fails on column alignments for a table without rows.
    return tabulate(rows, headers=list(headers), tablefmt=tablefmt, disable_numparse=True,
                    colalign=align if rows else None)


def _without(columns: list[int], headers: Sequence[str], rows: list[list[Any]],
             align: Sequence[str] | None) -> tuple[list[str], list[list[Any]], list[str] | None]:
    keep = [i for i in range(len(headers)) if i not in columns]
    return ([headers[i] for i in keep], [[row[i] for i in keep] for row in rows],
            None if align is None else [align[i] for i in keep])


def _fold(text: str, width: int | None) -> str:
    """A cell folded to `width`: between words, never inside 'a100-40gb' at its hyphen."""
    if width is None:
        return text
    return "\n".join(textwrap.fill(line, width=width, break_on_hyphens=False) or line for line in text.split("\n"))


def _wrapped(headers: Sequence[str], rows: list[list[Any]], align: Sequence[str] | None,
             widths: list[int | None]) -> str:
    folded = [[_fold(str(cell), widths[i]) for i, cell in enumerate(row)] for row in rows]
    titles = [_fold(str(h), widths[i]) for i, h in enumerate(headers)]
    return tabulate(folded, headers=titles, tablefmt="simple", disable_numparse=True,
                    colalign=align if rows else None)


def _simple_width(headers: Sequence[str], rows: list[list[Any]]) -> list[int]:
    """Each column's width in tabulate's "simple" format: its widest cell, or its header plus the two
    characters of padding tabulate gives headers."""
    return [max([len(str(h)) + 2, *(max(map(len, str(row[i]).split("\n"))) for row in rows)])
            for i, h in enumerate(headers)]


def _total(widths: Sequence[int]) -> int:
    return sum(widths) + 2 * max(0, len(widths) - 1)  # two spaces between columns


def fitted_body(table: Table, rows: list[list[Any]], width: int) -> tuple[str, list[str]]:
    """The table's body within `width` columns: optional columns left out first, then the widest
    wrappable columns wrapped onto more lines. Widths are worked out before drawing, so the table is
    drawn once. Returns the body and the headers that were left out."""
    headers, align = list(table.headers), list(table.align) if table.align else None
    dropped: list[str] = []
    widths = _simple_width(headers, rows)
    optional = [h for h in table.optional if h in headers]
    while _total(widths) > width and optional:
        name = optional.pop(0)
        dropped.append(name)
        index = headers.index(name)
        headers, rows, align = _without([index], headers, rows, align)
        del widths[index]
    wrappable = [headers.index(h) for h in table.wrap if h in headers]
    if _total(widths) <= width or not rows or not wrappable:
        return _body(headers, rows, "table", align), dropped
    limits: list[int | None] = [None] * len(headers)
    # A column is never narrower than its longest word (plus padding): words are not cut.
    floor = {i: max(MIN_CELL, 2 + max((len(w) for row in rows for w in str(row[i]).split()), default=0))
             for i in wrappable}
    while _total(widths) > width:
        shrinkable = [i for i in wrappable if widths[i] > floor[i]]
        if not shrinkable:
            break
        widest = max(shrinkable, key=lambda i: widths[i])
        widths[widest] = max(floor[widest], widths[widest] - (_total(widths) - width))
        # A wrapped header keeps its padding: the text may take the column less those two.
        limits[widest] = widths[widest] - 2
    text_rows = [[str(cell) for cell in row] for row in rows]
    if len(text_rows) > WRAP_ROWS:
        # Wrapping is slow in tabulate and makes a long listing hard to scan: shorten the cells instead.
        cut = [[_shortened(cell, limits[i]) for i, cell in enumerate(row)] for row in text_rows]
        return _body(headers, cut, "table", align), dropped
    return _wrapped(headers, text_rows, align, limits), dropped


def _shortened(text: str, limit: int | None) -> str:
    return text if limit is None or len(text) <= limit else text[: max(1, limit - 1)] + "…"


def _widest(text: str) -> int:
    return max((len(line) for line in text.splitlines()), default=0)


def render_table(table: Table, fmt: str = "table", width: int | None = None) -> str:
    """A table as text (`width`: fit the terminal) or as a markdown table (everything kept)."""
    cell = markdown_cell if fmt == "markdown" else terminal_text
    rows = [[cell(UNKNOWN if value is None else str(value)) for value in row] for row in table.rows]
    dropped: list[str] = []
    if fmt == "markdown" or width is None:
        body = _body(table.headers, rows, fmt, table.align)
    else:
        body, dropped = fitted_body(table, rows, width)
    parts = []
    if table.title:
        title = terminal_text(table.title)
        parts.append(f"### {title}" if fmt == "markdown" else wrap(title, width))
        if fmt == "markdown":
            parts.append("")
    parts.append(body)
    notes = [terminal_text(note) for note in table.notes]
    if dropped:
        notes.append(f"Left out to fit {width} columns: {', '.join(dropped)} (--format markdown or --json have "
                     "every column).")
    if notes:
        parts.append("")
        parts.extend(f"- {n}" if fmt == "markdown" else wrap(n, width, "  ") for n in notes)
    return "\n".join(parts)


def render_tables(tables: Sequence[Table], fmt: str = "table", width: int | None = None) -> str:
    return "\n\n".join(render_table(t, fmt, width) for t in tables)


def bars(items: Sequence[tuple[str, float | None]], width: int = 40, unit: str = "",
         text: Callable[[float], str] | None = None) -> str:
    """A horizontal bar per item, scaled to the largest, with its value as `text` words it (else to one
    decimal with `unit`); unknown values say so instead of drawing."""
    known = [v for _, v in items if v is not None and math.isfinite(v)]
    top = max(known, default=0.0)
    label_width = max((len(label) for label, _ in items), default=0)
    lines = []
    for label, value in items:
        if value is None or not math.isfinite(value):
            lines.append(f"{label:<{label_width}}  {UNKNOWN}")
            continue
        length = 0 if top <= 0 else max(1, round(value / top * width))
        lines.append(f"{label:<{label_width}}  {'█' * length} {text(value) if text else f'{value:,.1f}{unit}'}")
    return "\n".join(lines)


# Number formatting lives in words.py; re-exported here for the views that import it from tables.
