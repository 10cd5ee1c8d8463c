"""Two pieces of wording the decision layer still imports from here; the renderer has its own
(advisor/render/catalog.py: `TAX_CAVEAT`, `figure_text`). Remove this module once
advisor/decide/assumptions.py returns typed facts and imports neither.
"""

from __future__ import annotations

from pricing.model import UNKNOWN

TAX_CAVEAT = (
    "Standard national VAT/GST rates approximate what Google charges; the amount charged can differ "
    "(state, provincial or local taxes, card currency)."
)


def figure_text(value: float | int | None, unit: str = "", digits: int = 2) -> str:
    if value is None:
        return UNKNOWN
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
    return f"{text} {unit}".rstrip()
