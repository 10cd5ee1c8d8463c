"""Views: tables fitted to the terminal, JSON envelopes, markdown and the plot, one module per view.

Views take the library's frozen results and build every sentence the user reads.
"""

from .table import (
    FORMATS,
    UNKNOWN,
    Table,
    bars,
    duration,
    envelope,
    money,
    percent,
    render_table,
    render_tables,
    scaled,
    seconds,
)

__all__ = [
    "FORMATS", "UNKNOWN", "Table", "bars", "duration", "envelope", "money", "percent", "render_table",
    "render_tables", "scaled", "seconds",
]
