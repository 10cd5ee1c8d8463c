"""Field converters for catalog entries: each takes a raw TOML value and returns a typed one, or
raises `Invalid` saying what was expected.

Every number has a lower and an upper bound that keep it physical: no accelerator runs at 1e-300
TFLOP/s, no session lasts 1e-300 minutes, so every sum, product and quotient built from the catalog
stays finite and every loop over hours or packs stays short.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from untrusted import first_hidden, is_number

MAX_FIGURE = 1e9
MAX_TEXT_CHARS = 2000
# Bounds that keep a catalog figure physical: no plan sells a million CU or a terabyte runtime.
MAX_PACK_CU = 1_000_000
MAX_PACK_USD = 100_000
MIN_RAM_GIB, MAX_RAM_GIB = 0.25, 10_000
HOURS_PER_WEEK = 168
# A session shorter than a minute, or longer than a year, is a typing mistake.
MIN_SESSION_HOURS, MAX_SESSION_HOURS = 1 / 60, 8766
MIN_SESSION_MINUTES, MAX_SESSION_MINUTES = 1.0, 8766 * 60
# The slowest CPU core and the fastest pod anyone rents (TFLOP/s); GB/s and GB of device memory.
MIN_TFLOPS, MAX_TFLOPS = 1e-3, 1e6
MIN_BANDWIDTH_GBS, MAX_BANDWIDTH_GBS = 0.1, 1e6
MIN_MEMORY_GB, MAX_MEMORY_GB = 0.01, 1e5
MIN_CU_PER_HOUR, MAX_CU_PER_HOUR = 1e-3, 1e4
MIN_PRICE_USD, MAX_PRICE_USD = 1e-4, 1e6  # a price or CU price that is not zero
MAX_DEVICES = 256
MAX_CORES = 100_000


class Invalid(Exception):
    """A value that does not fit its field; `expected` says what would."""

    def __init__(self, expected: str) -> None:
        super().__init__(expected)
        self.expected = expected


def number(value: Any) -> bool:
    """A finite int or float (bool refused), an int no larger than MAX_FIGURE."""
    return is_number(value, int(MAX_FIGURE))


def text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT_CHARS:
        raise Invalid(f"a non-empty string of at most {MAX_TEXT_CHARS} characters")
    hidden = first_hidden(value)
    if hidden is not None:
        raise Invalid(f"text without control or invisible characters (found U+{ord(hidden):04X})")
    return value.strip()


_KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


def key(value: Any) -> str:
    if not isinstance(value, str) or not _KEY_PATTERN.match(value):
        raise Invalid("a lower-case name of letters, digits and '-' (like 'a100-40gb'), at most 64 characters")
    return value


def between(low: float, high: float, *, zero: bool = False, what: str = "a number") -> Callable[[Any], float]:
    """A converter for a number in [low, high]; with `zero`, 0 is also accepted (a free plan's price)."""
    expected = f"{what} from {low:g} to {high:g}" + (" (or 0)" if zero else "")

    def convert(value: Any) -> float:
        if not number(value) or not (low <= value <= high or (zero and value == 0)):
            raise Invalid(expected)
        return float(value)

    return convert


def whole(low: int, high: int, what: str = "a whole number") -> Callable[[Any], int]:
    def convert(value: Any) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise Invalid(f"{what} from {low} to {high}")
        return value

    return convert


positive = between(1e-6, MAX_FIGURE, what="a positive number")
non_negative = between(1e-6, MAX_FIGURE, zero=True, what="a number")
price = between(MIN_PRICE_USD, MAX_PRICE_USD, zero=True, what="USD")
cu_amount = between(1e-3, MAX_PACK_CU, zero=True, what="CU")
tflops = between(MIN_TFLOPS, MAX_TFLOPS, what="TFLOP/s")
bandwidth = between(MIN_BANDWIDTH_GBS, MAX_BANDWIDTH_GBS, what="GB/s")
memory_gb = between(MIN_MEMORY_GB, MAX_MEMORY_GB, what="GB")
ram_gib = between(MIN_RAM_GIB, MAX_RAM_GIB, what="GiB")
session_hours = between(MIN_SESSION_HOURS, MAX_SESSION_HOURS, what="hours")
session_minutes = between(MIN_SESSION_MINUTES, MAX_SESSION_MINUTES, what="minutes")
cu_per_hour = between(MIN_CU_PER_HOUR, MAX_CU_PER_HOUR, what="CU per hour")
weekly_hours = between(1 / 60, HOURS_PER_WEEK, what="hours a week (a week has 168)")
positive_int = whole(1, int(MAX_FIGURE))
cores = whole(1, MAX_CORES, "a count")
devices = whole(1, MAX_DEVICES, "a number of devices")
expiry_days = whole(1, 3660, "days")


def year(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1990 <= value <= 2100:
        raise Invalid("a year like 2018")
    return value


def percent(value: Any) -> float:
    if not number(value) or not 0 <= value < 100:
        raise Invalid("a percentage from 0 to below 100")
    return value / 100


def day(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise Invalid("a date like 2026-03-09")


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Invalid("true or false")
    return value


def one_of(choices: tuple[str, ...]) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        if value not in choices:
            raise Invalid("one of " + ", ".join(choices))
        return str(value)

    return convert


def country(value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z]{2}", value):
        raise Invalid("a two-letter country code like 'DE'")
    return value.upper()


def list_of(item: Callable[[Any], Any], what: str, most: int = 256) -> Callable[[Any], tuple[Any, ...]]:
    def convert(value: Any) -> tuple[Any, ...]:
        if not isinstance(value, list) or len(value) > most:
            raise Invalid(f"a list of at most {most} {what}")
        try:
            return tuple(item(element) for element in value)
        except Invalid as error:
            raise Invalid(f"a list of {what}: {error.expected}") from error

    return convert


def table(fields: dict[str, Callable[[Any], Any]], required: tuple[str, ...], what: str) -> Callable[[Any], dict]:
    """A converter for an inline table with these fields (the required ones must be there)."""

    def convert(value: Any) -> dict[str, Any]:
        if not isinstance(value, dict) or not set(required) <= set(value) or not set(value) <= set(fields):
            raise Invalid(f"{what} with {', '.join(required)}" + (
                f" (and optionally {', '.join(sorted(set(fields) - set(required)))})" if set(fields) - set(required)
                else ""))
        return {name: fields[name](raw) for name, raw in value.items()}

    return convert


texts = list_of(text, "non-empty strings")
keys = list_of(key, "accelerator names", most=64)
