"""The one parser of the dates a user types: ISO days like 2024-04-23, nothing looser."""

from __future__ import annotations

import re
from datetime import date

from .errors import AdvisorError

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_day(text: str | None, flag: str = "--as-of") -> date | None:
    """`text` as a date (None stays None); anything but YYYY-MM-DD is a one-line error naming `flag`."""
    if text is None:
        return None
    # date.fromisoformat alone also takes '20240423' and week dates; the message promises one form.
    if _ISO_DAY.fullmatch(text.strip()):
        try:
            return date.fromisoformat(text.strip())
        except ValueError:
            pass
    raise AdvisorError(f"{flag}: expected a date like 2024-04-23, got '{text}'")
