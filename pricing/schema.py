"""Turns one parsed TOML document into catalog records, or says exactly what is wrong with it.

Shipped data and a user's override file go through this same code, so a mistake in either is reported
the same way: file, entry, field, what was expected and what was found.
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pricing.errors import CatalogError
from pricing.model import Accelerator, CuPack, CuReading, Era, FreeTierEstimate, Plan, TaxRate

# TOML has no null: an absent key or the string "unknown" both mean "no source gives this figure".
UNKNOWN_MARKERS = ("unknown",)

ACCELERATOR_KINDS = ("gpu", "tpu", "cpu")

# No price, rate or spec comes near this; bounded figures keep every sum and product finite.
MAX_FIGURE = 1e9
MAX_TEXT_CHARS = 2000
# Control characters, surrogates, invisible format characters (bidi overrides, zero-width space),
# line/paragraph separators, private-use and unassigned code points: text is shown in terminals.
REFUSED_CATEGORIES = frozenset({"Cc", "Cs", "Cf", "Zl", "Zp", "Co", "Cn"})


class _Invalid(Exception):
    def __init__(self, expected: str) -> None:
        super().__init__(expected)
        self.expected = expected


def _is_number(value: Any) -> bool:
    # bool is an int subclass; `true` for a price is a mistake, not 1. A huge int is refused before
    # math.isfinite, which cannot convert it.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return abs(value) <= MAX_FIGURE if isinstance(value, int) else math.isfinite(value)


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT_CHARS:
        raise _Invalid(f"a non-empty string of at most {MAX_TEXT_CHARS} characters")
    for char in value:
        if unicodedata.category(char) in REFUSED_CATEGORIES:
            raise _Invalid(f"text without control or invisible characters (found U+{ord(char):04X})")
    return value.strip()


_KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def _key(value: Any) -> str:
    if not isinstance(value, str) or not _KEY_PATTERN.match(value):
        raise _Invalid("a lower-case name of letters, digits and '-' (like 'a100-40gb')")
    return value


def _positive(value: Any) -> float:
    if not _is_number(value) or not 0 < value <= MAX_FIGURE:
        raise _Invalid(f"a positive number up to {MAX_FIGURE:g}")
    return float(value)


def _non_negative(value: Any) -> float:
    if not _is_number(value) or not 0 <= value <= MAX_FIGURE:
        raise _Invalid(f"a number from 0 to {MAX_FIGURE:g}")
    return float(value)


def _positive_int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= MAX_FIGURE:
        raise _Invalid(f"a positive whole number up to {MAX_FIGURE:g}")
    return value


def _year(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1990 <= value <= 2100:
        raise _Invalid("a year like 2018")
    return value


def _percent(value: Any) -> float:
    if not _is_number(value) or not 0 <= value < 100:
        raise _Invalid("a percentage from 0 to below 100")
    return value / 100


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise _Invalid("a date like 2026-03-09")


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Invalid("true or false")
    return value


def _kind(value: Any) -> str:
    if value not in ACCELERATOR_KINDS:
        raise _Invalid("one of " + ", ".join(ACCELERATOR_KINDS))
    return str(value)


ARCHITECTURES = ("kepler", "maxwell", "pascal", "volta", "turing", "ampere", "ada", "hopper", "blackwell", "tpu",
                 "cpu", "apple")


def _architecture(value: Any) -> str:
    if value not in ARCHITECTURES:
        raise _Invalid("one of " + ", ".join(ARCHITECTURES))
    return str(value)


def _country(value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z]{2}", value):
        raise _Invalid("a two-letter country code like 'DE'")
    return value.upper()


def _list_of(item: Callable[[Any], Any], what: str) -> Callable[[Any], tuple[Any, ...]]:
    def convert(value: Any) -> tuple[Any, ...]:
        if not isinstance(value, list):
            raise _Invalid(f"a list of {what}")
        try:
            return tuple(item(element) for element in value)
        except _Invalid as error:
            raise _Invalid(f"a list of {what}") from error

    return convert


_texts = _list_of(_text, "non-empty strings")

# Bounds that keep a catalog figure physical: no plan sells a million CU or a terabyte runtime.
MAX_PACK_CU = 1_000_000
MAX_PACK_USD = 100_000
MAX_RAM_GB = 10_000
HOURS_PER_WEEK = 168


def _pack(value: Any) -> CuPack:
    if not isinstance(value, dict) or set(value) != {"cu", "usd"}:
        raise _Invalid("a table {cu = N, usd = PRICE}")
    cu, usd = value["cu"], value["usd"]
    if not _is_number(cu) or not 0 < cu <= MAX_PACK_CU or not _is_number(usd) or not 0 < usd <= MAX_PACK_USD:
        raise _Invalid(f"a table {{cu = N, usd = PRICE}} with 0 < cu <= {MAX_PACK_CU} and 0 < usd <= {MAX_PACK_USD}")
    return CuPack(float(cu), float(usd))


_packs = _list_of(_pack, "packs like {cu = 100, usd = 9.99}")


def _ram_by_accelerator(value: Any) -> tuple[tuple[str, float], ...]:
    if not isinstance(value, dict):
        raise _Invalid("a table of accelerator = GB")
    out = []
    for key, gb in value.items():
        _key(key)
        if not _is_number(gb) or not 0 < gb <= MAX_RAM_GB:
            raise _Invalid(f"a table of accelerator = GB, each from above 0 to {MAX_RAM_GB}")
        out.append((key, float(gb)))
    return tuple(out)


def _weekly_hours(value: Any) -> float:
    if not _is_number(value) or not 0 < value <= HOURS_PER_WEEK:
        raise _Invalid(f"hours from above 0 to {HOURS_PER_WEEK} (a week has no more)")
    return float(value)


PROVIDERS = ("colab", "kaggle")


def _provider(value: Any) -> str:
    if value not in PROVIDERS:
        raise _Invalid("one of " + ", ".join(PROVIDERS))
    return str(value)
_keys = _list_of(_key, "accelerator names")


@dataclass(frozen=True)
class _Field:
    name: str
    convert: Callable[[Any], Any]
    required: bool = False  # must be present and known
    default: Any = None  # used when absent or "unknown"
    attribute: str | None = None  # the record's attribute when it differs from the TOML key


@dataclass(frozen=True)
class _Section:
    record: type
    fields: tuple[_Field, ...]
    identity: tuple[str, ...]  # TOML keys that name an entry; the same identity in an override replaces it
    many: bool = True  # an array of tables, or a single table


_SOURCE = (_Field("source", _text, required=True), _Field("as_of", _date, required=True))

SECTIONS: dict[str, _Section] = {
    "era": _Section(
        Era,
        (
            _Field("name", _key, required=True),
            _Field("title", _text, required=True),
            _Field("valid_from", _date, required=True),
            _Field("valid_to", _date),
            _Field("cu_price_usd", _positive),
            _Field("cu_packs", _packs, default=()),
            _Field("notes", _texts, default=()),
            *_SOURCE,
        ),
        identity=("name",),
    ),
    "plan": _Section(
        Plan,
        (
            _Field("name", _key, required=True),
            _Field("display_name", _text, required=True),
            _Field("era", _key, required=True),
            _Field("valid_from", _date, required=True),
            _Field("valid_to", _date),
            _Field("monthly_price_usd", _non_negative),
            _Field("cu_included", _non_negative),
            _Field("cu_expiry_days", _positive_int),
            _Field("accelerators", _keys, required=True),
            _Field("ram_gb", _positive),
            _Field("high_ram_gb", _positive),
            _Field("vcpus", _positive_int),
            _Field("max_session_hours", _positive),
            _Field("background_execution", _bool),
            _Field("concurrent_sessions", _text),
            _Field("aliases", _texts, default=()),
            _Field("notes", _texts, default=()),
            *_SOURCE,
            _Field("accelerator_ram_gb", _ram_by_accelerator, default=()),
            _Field("gpu_hours_per_week", _weekly_hours),
            _Field("provider", _provider, default="colab"),
        ),
        identity=("name", "valid_from"),
    ),
    "accelerator": _Section(
        Accelerator,
        (
            _Field("key", _key, required=True),
            _Field("name", _text, required=True),
            _Field("kind", _kind, required=True),
            _Field("aliases", _texts, default=()),
            _Field("fp32_tflops", _positive),
            _Field("fp16_bf16_tflops", _positive),
            _Field("tf32_tflops", _positive),
            _Field("memory_bandwidth_gbs", _positive),
            _Field("memory_gb", _positive),
            _Field("year", _year),
            _Field("physical_cores", _positive_int),
            _Field("vcpus", _positive_int),
            _Field("colab_from", _date),
            _Field("colab_until", _date),
            _Field("assumption", _bool, default=False),
            _Field("notes", _texts, default=()),
            *_SOURCE,
            _Field("architecture", _architecture),
            _Field("power_limit_watts", _positive),
            _Field("base_clock_mhz", _positive),
            _Field("boost_clock_mhz", _positive),
            _Field("sustained_clock_mhz", _positive),
        ),
        identity=("key",),
    ),
    "cu_rate": _Section(
        CuReading,
        (
            _Field("accelerator", _key, required=True),
            _Field("as_of", _date, required=True),
            _Field("cu_per_hour", _positive),
            _Field("cu_per_hour_high_ram", _positive),
            _Field("removed", _bool, default=False),
            _Field("note", _text),
            _Field("source", _text, required=True),
        ),
        identity=("accelerator", "as_of"),
    ),
    "tax": _Section(
        TaxRate,
        (
            _Field("country", _country, required=True),
            _Field("name", _text, required=True),
            _Field("rate_percent", _percent, attribute="rate"),
            _Field("aliases", _texts, default=()),
            _Field("note", _text),
            *_SOURCE,
        ),
        identity=("country",),
    ),
    "free_tier_estimate": _Section(
        FreeTierEstimate,
        (
            _Field("accelerator", _key, required=True),
            _Field("session_minutes", _positive, required=True),
            _Field("session_cu", _positive),
            _Field("statement", _text, required=True),
            *_SOURCE,
        ),
        identity=(),
        many=False,
    ),
}

# Filled in after all files are merged, because it comes from the plan's era.
_DERIVED = {"plan": {"extra_cu_price_usd": None}}


@dataclass(frozen=True)
class Entry:
    """A validated record, where it came from, and the identity an override replaces it by."""

    section: str
    record: Any
    origin: str
    identity: tuple[Any, ...]
    label: str


def show(value: Any) -> str:
    """A found value the way a user would recognise it from their file."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**60:
        return "an integer of more than 60 digits"
    text = repr(value)  # repr escapes control characters: a found value never steers the terminal
    return text if len(text) <= 60 else text[:57] + "..."


def suggest(word: str, candidates: list[str]) -> str:
    """' (did you mean 'x'?)' for a near miss, else an empty string."""
    close = difflib.get_close_matches(word, candidates, n=3, cutoff=0.6)
    if not close:
        return ""
    return " (did you mean " + " or ".join(f"'{name}'" for name in close) + "?)"


def _label(section: str, raw: Mapping[str, Any], index: int) -> str:
    if section == "free_tier_estimate":
        return section
    spec = SECTIONS[section]
    values = [raw.get(name) for name in spec.identity]
    if not isinstance(values[0], str):
        return f"{section} #{index}"
    label = f"{section} '{values[0]}'"
    if len(values) > 1:
        when = values[1]
        when_text = when.isoformat() if isinstance(when, date) else str(when)
        label += f" (from {when_text})" if section == "plan" else f" ({when_text})"
    return label


def _entry(section: str, raw: Any, origin: str, index: int) -> Entry:
    spec = SECTIONS[section]
    if not isinstance(raw, dict):
        raise CatalogError(f"{origin}: {section} #{index}: expected a table of fields, got {show(raw)}")
    label = _label(section, raw, index)
    known = {field.name for field in spec.fields}
    for name in raw:
        if name not in known:
            hint = suggest(name, sorted(known))
            raise CatalogError(f"{origin}: {label} field '{name}': unknown field{hint}")
    values: dict[str, Any] = {}
    for field in spec.fields:
        attribute = field.attribute or field.name
        raw_value = raw.get(field.name)
        if raw_value is None or raw_value in UNKNOWN_MARKERS:
            if field.required:
                problem = "is missing" if raw_value is None else "must be known"
                raise CatalogError(f"{origin}: {label} field '{field.name}' {problem}")
            values[attribute] = field.default
            continue
        try:
            values[attribute] = field.convert(raw_value)
        except _Invalid as error:
            raise CatalogError(
                f"{origin}: {label} field '{field.name}': expected {error.expected}, got {show(raw_value)}"
            ) from None
    values.update(_DERIVED.get(section, {}))
    identity = tuple(values[name] for name in spec.identity)
    return Entry(section, spec.record(**values), origin, identity, label)


def parse_document(document: Mapping[str, Any], origin: str) -> list[Entry]:
    """Validate every entry of one TOML document; the first problem raises CatalogError."""
    entries: list[Entry] = []
    for section, content in document.items():
        if section not in SECTIONS:
            hint = suggest(section, sorted(SECTIONS))
            raise CatalogError(
                f"{origin}: unknown section '{section}'{hint}; sections are: {', '.join(sorted(SECTIONS))}"
            )
        spec = SECTIONS[section]
        if spec.many:
            if not isinstance(content, list):
                raise CatalogError(f"{origin}: '{section}' must be written as [[{section}]] tables")
            entries.extend(_entry(section, raw, origin, index) for index, raw in enumerate(content, start=1))
        else:
            entries.append(_entry(section, content, origin, 1))
    return entries
