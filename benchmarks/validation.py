"""Checks for a measurement record that arrives from elsewhere (a stored file, a token, an import).

Pure Python: no jax, no numpy. Everything here treats its input as hostile: JSON is parsed only
after its nesting depth is known to be small, numbers are bounded before any arithmetic sees them,
and text that could steer a terminal is refused. Every refusal is a ResultError with one line.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from typing import Any

from untrusted import first_hidden
from untrusted import is_number as _untrusted_number

from .config import DEVICES, DTYPES, MAX_BUDGET_SECONDS, PRESETS, BenchmarkError, Config

# Beyond 2**53 a JSON number no longer round-trips through the doubles most readers use.
MAX_INTEGER = 2**53
# A record nests three levels deep and the `measure --json` envelope adds one.
MAX_DEPTH = 8
MAX_TEXT_CHARS = 200
MAX_RECORD_CHARS = 1024 * 1024
# A stored clock may run a little fast, a record from next year is a forgery or a broken clock.
FUTURE_TOLERANCE = dt.timedelta(days=1)



class ResultError(BenchmarkError):
    """A result file or token that cannot be accepted; the message is one line."""


def first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


# ---- JSON ---------------------------------------------------------------------------------------
def structure_problem(data: Any) -> str | None:
    """What makes parsed JSON unfit to be read further (too deep, a number out of range), or None."""
    if type(data) is not dict and type(data) is not list:
        return structure_problem([data])
    stack = [(data, 1)]
    while stack:
        container, depth = stack.pop()
        # json gives only dict, list, str, int, float, bool and None: exact type tests suffice.
        for value in container.values() if type(container) is dict else container:
            kind = type(value)
            if kind is dict or kind is list:
                if depth >= MAX_DEPTH:
                    return f"nested more than {MAX_DEPTH} levels deep"
                stack.append((value, depth + 1))
            elif kind is float:
                if value - value != 0.0:  # inf - inf is nan
                    return "a number is out of range"
            elif kind is int and not -MAX_INTEGER <= value <= MAX_INTEGER:
                return "an integer is out of range"
    return None


def _bounded_int(digits: str) -> int:
    # Refused from the text, before int() spends time on (or refuses) a thousand digits.
    if len(digits.lstrip("-")) > 16 or abs(int(digits)) > MAX_INTEGER:
        raise ValueError(f"integer {digits[:20]}{'...' if len(digits) > 20 else ''} is out of range")
    return int(digits)


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a finite number")


def loads(text: str) -> Any:
    """JSON from outside: size checked first, then depth and the range of every number in it."""
    if len(text) > MAX_RECORD_CHARS:
        raise ResultError(f"not a valid result: larger than {MAX_RECORD_CHARS // 1024} kB")
    try:
        # Integers go through a hook that refuses long ones from their text: some Pythons convert a
        # million digits in quadratic time. Floats cannot be slow; an infinite one is caught below.
        data = json.loads(text, parse_int=_bounded_int, parse_constant=_refuse_constant)
    except (ValueError, RecursionError, OverflowError) as exc:
        raise ResultError(f"not a valid result: the JSON does not parse ({first_line(exc)})") from None
    if problem := structure_problem(data):
        raise ResultError(f"not a valid result: {problem}")
    return data


# ---- text ---------------------------------------------------------------------------------------
def text_problem(text: str) -> str | None:
    """Why `text` may not be shown in a terminal or a table, or None when it may."""
    char = first_hidden(text)
    if char is None:
        return None
    category = unicodedata.category(char)
    return f"must not hold control or invisible characters (U+{ord(char):04X}, category {category})"


# ---- fields -------------------------------------------------------------------------------------
def _is_number(value: Any) -> bool:
    return _untrusted_number(value, MAX_INTEGER)


class Reader:
    """Reads typed fields out of a mapping, naming the full path of any field it refuses."""

    def __init__(self, data: Any, path: str) -> None:
        if not isinstance(data, dict):
            raise ResultError(f"not a valid result: '{path or 'record'}' must be an object")
        self.data, self.path = data, path

    def where(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def fail(self, key: str, expected: str) -> ResultError:
        return ResultError(f"not a valid result: field '{self.where(key)}' {expected}")

    def get(self, key: str) -> Any:
        if key not in self.data:
            raise ResultError(f"not a valid result: field '{self.where(key)}' is missing")
        return self.data[key]

    def number(
        self, key: str, *, low: float = 0.0, high: float, positive: bool = False, optional: bool = False
    ) -> float | None:
        """A finite number in [low, high] (in (0, high] when `positive`)."""
        value = self.data.get(key) if optional else self.get(key)
        if value is None and optional:
            return None
        if not _is_number(value):
            raise self.fail(key, "must be a finite number")
        if positive and value <= 0:
            raise self.fail(key, "must be positive")
        if not low <= value <= high:
            raise self.fail(key, f"must be between {low:g} and {high:g}")
        return float(value)

    def integer(self, key: str, *, minimum: int = 0, maximum: int = MAX_INTEGER, optional: bool = False) -> int | None:
        value = self.data.get(key) if optional else self.get(key)
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
            raise self.fail(key, f"must be an integer from {minimum} to {maximum}")
        return value

    def text(self, key: str, *, max_length: int = MAX_TEXT_CHARS) -> str:
        value = self.get(key)
        if not isinstance(value, str) or len(value) > max_length:
            raise self.fail(key, f"must be a string of at most {max_length} characters")
        if problem := text_problem(value):
            raise self.fail(key, problem)
        return value

    def choice(self, key: str, options: tuple[str, ...] | list[str]) -> str:
        value = self.get(key)
        if not isinstance(value, str) or value not in options:
            raise self.fail(key, f"must be one of: {', '.join(options)}")
        return value

    def flag(self, key: str) -> bool:
        value = self.get(key)
        if not isinstance(value, bool):
            raise self.fail(key, "must be true or false")
        return value

    def text_list(self, key: str, *, max_items: int, max_length: int) -> tuple[str, ...]:
        value = self.get(key)
        if not isinstance(value, list) or len(value) > max_items or not all(
            isinstance(item, str) and len(item) <= max_length and text_problem(item) is None for item in value
        ):
            raise self.fail(key, f"must be a list of at most {max_items} strings of printable text")
        return tuple(value)

    def instant(self, key: str, now: dt.datetime | None = None) -> str:
        """An ISO 8601 time with an offset, not in the future (beyond a day of clock error)."""
        value = self.text(key, max_length=40)
        moment = parse_instant(value)
        if moment is None:
            raise self.fail(key, "must be an ISO 8601 time with a UTC offset, like 2026-11-26T23:34:08+00:00")
        now = now or dt.datetime.now(dt.timezone.utc)
        if moment > now + FUTURE_TOLERANCE:
            raise self.fail(key, f"is in the future ({value})")
        return value

    def child(self, key: str) -> Reader:
        return Reader(self.get(key), self.where(key))


def parse_instant(text: str) -> dt.datetime | None:
    """`text` as an aware UTC datetime, or None if it is not an ISO 8601 time with an offset."""
    try:
        moment = dt.datetime.fromisoformat(text)
        return moment.astimezone(dt.timezone.utc) if moment.tzinfo is not None else None
    except (ValueError, OverflowError):  # OverflowError: year 9999 shifted past the end of the calendar
        return None


def check_schema(value: Any, kind: str, version: int) -> None:
    match = re.fullmatch(rf"{re.escape(kind)}/v(\d{{1,6}})", value) if isinstance(value, str) else None
    if match is None:
        shown = repr(value)[:60] if isinstance(value, str) else type(value).__name__
        raise ResultError(f"not a colab-advisor measurement (schema {shown}, expected '{kind}/v{version}')")
    found = int(match.group(1))
    if found > version:
        raise ResultError(
            f"this result was made by a newer colab-advisor (schema v{found}, this one reads "
            f"v{version}): upgrade colab-advisor"
        )


# ---- config -------------------------------------------------------------------------------------
MAX_BATCH_SIZE = 2**31
MAX_STEPS = 1_000_000
MAX_SAMPLES = 10_000


# Every field of Config, each checked below; a field added to Config must be added here and checked.
CONFIG_FIELDS = frozenset({
    "preset", "batch_size", "dtype", "device", "budget_seconds", "seed", "fingerprint_steps",
    "warmup_steps", "min_samples", "max_samples", "probe_ceiling",
})


def parse_config(data: Any) -> Config:
    """A Config from a record, field by field: only what `Config` itself admits, nothing else."""
    reader = Reader(data, "config")
    for key in data:
        if key not in CONFIG_FIELDS:
            shown = repr(key)[:40] if isinstance(key, str) else type(key).__name__
            raise ResultError(f"not a valid result: field 'config' holds an unknown field {shown}")
    defaults = Config()
    fields: dict[str, Any] = {}
    if "preset" in data:
        fields["preset"] = reader.choice("preset", list(PRESETS))
    if "dtype" in data:
        fields["dtype"] = reader.choice("dtype", DTYPES)
    if "device" in data:
        fields["device"] = reader.choice("device", DEVICES)
    if "batch_size" in data:
        fields["batch_size"] = reader.integer("batch_size", minimum=1, maximum=MAX_BATCH_SIZE, optional=True)
    if "budget_seconds" in data:
        fields["budget_seconds"] = reader.number("budget_seconds", high=MAX_BUDGET_SECONDS, positive=True)
    if "seed" in data:
        fields["seed"] = reader.integer("seed", minimum=-(2**31), maximum=2**32 - 1)
    for key, minimum, maximum in (
        ("fingerprint_steps", 1, MAX_STEPS),
        ("warmup_steps", 0, MAX_STEPS),
        ("min_samples", 1, MAX_SAMPLES),
        ("max_samples", 1, MAX_SAMPLES),
    ):
        if key in data:
            fields[key] = reader.integer(key, minimum=minimum, maximum=maximum)
    if "probe_ceiling" in data:
        fields["probe_ceiling"] = reader.flag("probe_ceiling")
    if fields.get("max_samples", defaults.max_samples) < fields.get("min_samples", defaults.min_samples):
        raise reader.fail("max_samples", "must not be below min_samples")
    try:
        return Config(**fields)
    except BenchmarkError as exc:
        raise ResultError(f"not a valid result: field 'config': {first_line(exc)}") from None
