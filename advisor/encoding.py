"""The one JSON encoder: dataclasses as dicts, dates as ISO text, paths as text, enums as their values.

Every JSON the tool writes goes through here: `--json` envelopes, share tokens, cached profiles.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from enum import Enum
from pathlib import PurePath
from typing import Any


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, date):  # datetime too
        return value.isoformat()
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def dumps(value: Any, *, compact: bool = False) -> str:
    """JSON text of `value`; NaN and infinities are refused rather than written as invalid JSON."""
    if compact:
        return json.dumps(value, default=_plain, separators=(",", ":"), allow_nan=False)
    return json.dumps(value, default=_plain, indent=2, allow_nan=False)
