"""The glyphs the tool prints, and their plain-ASCII stand-ins where a stream cannot encode them.

Output goes to whatever the user's terminal, pipe or file takes: a Windows console redirected to a
file (cp1252), `PYTHONIOENCODING=ascii`, a C locale. The entry point registers `ERRORS` as the
streams' error handler, so a character the stream cannot encode is written as its stand-in here
(or "?"), never raised as UnicodeEncodeError. Renderers that want to choose between two wordings
ask `can_encode` first. Imports nothing of ours: the entry point loads it before anything else.
"""

from __future__ import annotations

import codecs
import contextlib
from typing import Any

# Every non-ASCII character the tool itself writes, with what it becomes on a stream that lacks it.
GLYPHS: dict[str, str] = {
    "\u2192": "->",  # → the recommended option
    "\u2588": "#",  # █ bars
    "\u00b7": "-",  # · plan · accelerator
    "\u00b5": "u",  # µ micro sign (µs)
    "\u03bc": "u",  # μ Greek mu, as some sources write micro
    "\u2013": "-",  # – en dash, ranges
    "\u2014": "-",  # — em dash, asides
    "\u00d7": "x",  # × times
    "\u2264": "<=",  # ≤
    "\u2265": ">=",  # ≥
    "\u2026": "...",  # … shortened cells
    "\u00b1": "+/-",  # ± bands
    "\u2212": "-",  # − minus sign
    "\u00a0": " ",  # no-break space
}
# Anything else a stream cannot encode (a device name from a record, a catalog note).
UNKNOWN_GLYPH = "?"
ERRORS = "colab-advisor-plain"


def plain(text: str) -> str:
    """`text` in ASCII: the tool's glyphs as their stand-ins, any other non-ASCII character as '?'."""
    if text.isascii():
        return text
    return "".join(ch if ch.isascii() else GLYPHS.get(ch, UNKNOWN_GLYPH) for ch in text)


def _stand_in(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    return plain(error.object[error.start:error.end]), error.end


codecs.register_error(ERRORS, _stand_in)


def stream_encoding(stream: Any) -> str:
    return getattr(stream, "encoding", None) or "utf-8"


def can_encode(stream: Any, text: str) -> bool:
    """Whether `stream` can write `text` as it is (not as stand-ins)."""
    try:
        text.encode(stream_encoding(stream))
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def glyph(text: str, stream: Any) -> str:
    """`text` as it is when `stream` can encode it, else its plain stand-in."""
    return text if can_encode(stream, text) else plain(text)


def never_fail_on_encoding(stream: Any) -> None:
    """Make `stream` write stand-ins for characters its encoding lacks instead of raising."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is None:
        return
    with contextlib.suppress(AttributeError, ValueError, OSError, LookupError):
        reconfigure(errors=ERRORS)
