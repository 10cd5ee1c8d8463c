"""The rules for text and numbers that arrive from outside (catalog files, stored results, tokens).

One place for them, shared by pricing, benchmarks and the renderer, which must not import each
other. Pure Python, standard library only.
"""

from __future__ import annotations

import math
import unicodedata
from typing import Any

# Control characters, surrogates, invisible format characters (bidi overrides, zero-width space),
# line/paragraph separators, private-use and unassigned code points: they could move the cursor,
# recolour or retitle a terminal, reorder the text around them or hide in it.
REFUSED_CATEGORIES = frozenset({"Cc", "Cs", "Cf", "Zl", "Zp", "Co", "Cn"})


def is_hidden(char: str) -> bool:
    """Whether one character belongs to a refused category."""
    return unicodedata.category(char) in REFUSED_CATEGORIES


def first_hidden(text: str) -> str | None:
    """The first character of `text` in a refused category, or None when it has none."""
    if text.isprintable():  # no character of a refused category (and no odd spaces): the common case
        return None
    return next((char for char in text if is_hidden(char)), None)


def is_number(value: Any, max_int: int) -> bool:
    """A finite int or float; bool is refused (`true` for a price is a mistake, not 1).

    A huge int is refused by size before anything converts it to a float.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return abs(value) <= max_int if isinstance(value, int) else math.isfinite(value)
