"""Turns one parsed TOML document into catalog records, or says exactly what is wrong with it.

Shipped data and a user's override file go through this same code, so a mistake in either is reported
the same way: file, entry, field, what was expected and what was found. The field converters and
their bounds are in `pricing.fields`.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from pricing import fields as f
from pricing.errors import CatalogError
from pricing.fields import Invalid
from pricing.model import (
    Accelerator,
    CuPack,
    CuReading,
    Era,
    Fallback,
    FreeTierReading,
    Offer,
    Plan,
    SessionReading,
    TaxRate,
)

# TOML has no null: an absent key or the string "unknown" both mean "no source gives this figure".
UNKNOWN_MARKERS = ("unknown",)

ACCELERATOR_KINDS = ("gpu", "tpu", "cpu")
# Which generation a chip is: it decides which dtypes have tensor cores and which fitted efficiencies apply.
ARCHITECTURES = ("kepler", "maxwell", "pascal", "volta", "turing", "ampere", "ada", "hopper", "blackwell", "tpu",
                 "cpu", "apple")
PROVIDERS = ("colab", "kaggle")
MAX_FIGURE = f.MAX_FIGURE


def _pack(value: Any) -> CuPack:
    if not isinstance(value, dict) or set(value) != {"cu", "usd"}:
        raise Invalid("a table {cu = N, usd = PRICE}")
    cu, usd = value["cu"], value["usd"]
    whole = isinstance(cu, int) and not isinstance(cu, bool)
    if not whole or not 1 <= cu <= MAX_PACK_CU or not f.number(usd) or not 0.01 <= usd <= f.MAX_PACK_USD:
        raise Invalid(
            f"a table {{cu = N, usd = PRICE}} with whole 1 <= cu <= {MAX_PACK_CU} and 0.01 <= usd <= {f.MAX_PACK_USD}"
        )
    return CuPack(float(cu), float(usd))


# Colab sells two pack sizes; the cheapest purchase is found in closed form for up to two.
MAX_PACK_KINDS = 2
MAX_PACK_CU = 10_000
_packs = f.list_of(_pack, "packs like {cu = 100, usd = 9.99}", most=MAX_PACK_KINDS)

_session_reading_table = f.table(
    {"hours": f.session_hours, "kinds": f.list_of(f.one_of(ACCELERATOR_KINDS), "kinds"), "assumed": f.boolean,
     "source": f.text, "as_of": f.day},
    ("hours", "source", "as_of"),
    "a table {hours = H, source = '...', as_of = DATE}",
)


def _session_reading(value: Any) -> SessionReading:
    table = _session_reading_table(value)
    return SessionReading(table["hours"], table.get("kinds", ()), table.get("assumed", False), table["source"],
                          table["as_of"])


_session_readings = f.list_of(_session_reading, "session readings", most=16)


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


_SOURCE = (_Field("source", f.text, required=True), _Field("as_of", f.day, required=True))

SECTIONS: dict[str, _Section] = {
    "era": _Section(
        Era,
        (
            _Field("name", f.key, required=True),
            _Field("title", f.text, required=True),
            _Field("valid_from", f.day, required=True),
            _Field("valid_to", f.day),
            _Field("cu_price_usd", f.between(f.MIN_PRICE_USD, f.MAX_PRICE_USD, what="USD")),
            _Field("cu_packs", _packs, default=()),
            _Field("notes", f.texts, default=()),
            *_SOURCE,
        ),
        identity=("name",),
    ),
    "plan": _Section(
        Plan,
        (
            _Field("name", f.key, required=True),
            _Field("display_name", f.text, required=True),
            _Field("era", f.key, required=True),
            _Field("valid_from", f.day, required=True),
            _Field("valid_to", f.day),
            _Field("monthly_price_usd", f.price),
            _Field("cu_included", f.cu_amount),
            _Field("cu_expiry_days", f.expiry_days),
            _Field("accelerators", f.keys, required=True),
            _Field("ram_gib", f.ram_gib),
            _Field("high_ram_gib", f.ram_gib),
            _Field("vcpus", f.cores),
            _Field("max_session_hours", f.session_hours),
            _Field("session_readings", _session_readings, default=()),
            _Field("background_execution", f.boolean),
            _Field("concurrent_sessions", f.text),
            _Field("aliases", f.texts, default=()),
            _Field("notes", f.texts, default=()),
            *_SOURCE,
            _Field("gpu_hours_per_week", f.weekly_hours),
            _Field("tpu_hours_per_week", f.weekly_hours),
            _Field("provider", f.one_of(PROVIDERS), default="colab"),
        ),
        identity=("name", "valid_from"),
    ),
    "accelerator": _Section(
        Accelerator,
        (
            _Field("key", f.key, required=True),
            _Field("name", f.text, required=True),
            _Field("kind", f.one_of(ACCELERATOR_KINDS), required=True),
            _Field("aliases", f.texts, default=()),
            _Field("fp32_tflops", f.tflops),
            _Field("fp16_bf16_tflops", f.tflops),
            _Field("tf32_tflops", f.tflops),
            _Field("memory_bandwidth_gbs", f.bandwidth),
            _Field("memory_gb", f.memory_gb),
            _Field("year", f.year),
            _Field("physical_cores", f.cores),
            _Field("vcpus", f.cores),
            _Field("colab_from", f.day),
            _Field("colab_until", f.day),
            _Field("assumption", f.boolean, default=False),
            _Field("notes", f.texts, default=()),
            *_SOURCE,
            _Field("architecture", f.one_of(ARCHITECTURES)),
            _Field("power_limit_watts", f.between(1, 5000, what="watts")),
            _Field("base_clock_mhz", f.between(10, 10_000, what="MHz")),
            _Field("boost_clock_mhz", f.between(10, 10_000, what="MHz")),
            _Field("sustained_clock_mhz", f.between(10, 10_000, what="MHz")),
            _Field("matmul_clock_mhz", f.between(10, 10_000, what="MHz")),
            _Field("matmul_clock_from", f.key),
            _Field("l2_cache_mb", f.between(0.1, 4096, what="MB")),
        ),
        identity=("key",),
    ),
    "offer": _Section(
        Offer,
        (
            _Field("plan", f.key, required=True),
            _Field("accelerator", f.key, required=True),
            _Field("first_reported", f.day),
            _Field("last_reported", f.day),
            _Field("devices", f.devices, default=1),
            _Field("high_ram_only", f.boolean, default=False),
            _Field("ram_gib", f.ram_gib),
            _Field("vcpus", f.cores),
            _Field("fallback", f.key),
            _Field("fallback_source", f.text, attribute="_fallback_source"),
            _Field("fallback_as_of", f.day, attribute="_fallback_as_of"),
            _Field("note", f.text),
            *_SOURCE,
        ),
        identity=("plan", "accelerator"),
    ),
    "cu_rate": _Section(
        CuReading,
        (
            _Field("accelerator", f.key, required=True),
            _Field("as_of", f.day, required=True),
            _Field("cu_per_hour", f.cu_per_hour),
            _Field("cu_per_hour_high_ram", f.cu_per_hour),
            _Field("removed", f.boolean, default=False),
            _Field("note", f.text),
            _Field("source", f.text, required=True),
            _Field("unconfirmed", f.boolean, default=False),
        ),
        identity=("accelerator", "as_of"),
    ),
    "tax": _Section(
        TaxRate,
        (
            _Field("country", f.country, required=True),
            _Field("name", f.text, required=True),
            _Field("rate_percent", f.percent, attribute="rate"),
            _Field("aliases", f.texts, default=()),
            _Field("note", f.text),
            *_SOURCE,
            _Field("valid_from", f.day),
            _Field("valid_to", f.day),
        ),
        identity=("country", "valid_from"),
    ),
    "free_tier_reading": _Section(
        FreeTierReading,
        (
            _Field("accelerator", f.key, required=True),
            _Field("session_minutes", f.session_minutes, required=True),
            _Field("session_cu", f.cu_per_hour),
            _Field("note", f.text),
            *_SOURCE,
        ),
        identity=("accelerator", "as_of"),
    ),
}


def _offer(values: dict[str, Any]) -> dict[str, Any]:
    """An offer's fallback fields become one typed Fallback; a fallback needs its source and date."""
    source, as_of = values.pop("_fallback_source"), values.pop("_fallback_as_of")
    if values["fallback"] is None:
        if source is not None or as_of is not None:
            raise Invalid("no fallback_source or fallback_as_of without a fallback")
        return values
    if source is None or as_of is None:
        raise Invalid("a fallback with its fallback_source and fallback_as_of")
    values["fallback"] = Fallback(values["fallback"], source, as_of)
    return values


_GPU_ARCHITECTURES = frozenset(ARCHITECTURES) - {"tpu", "cpu"}
_CLOCKS = ("base_clock_mhz", "sustained_clock_mhz", "matmul_clock_mhz", "matmul_clock_from")


def _accelerator(values: dict[str, Any]) -> dict[str, Any]:
    """An architecture fits its kind, and clocks are read against the boost clock the peaks assume."""
    architecture, kind = values["architecture"], values["kind"]
    if architecture is not None and kind != ("gpu" if architecture in _GPU_ARCHITECTURES else architecture):
        raise Invalid(f"an architecture of its kind ({kind}), not {architecture}")
    given = [name for name in _CLOCKS if values[name] is not None]
    if given and kind != "gpu":
        raise Invalid(f"no {given[0]} on a {kind}: clocks under load are modelled for GPUs only")
    if given and values["boost_clock_mhz"] is None:
        raise Invalid(f"boost_clock_mhz beside {given[0]}: the peaks assume the boost clock")
    if values["base_clock_mhz"] is not None and values["base_clock_mhz"] > values["boost_clock_mhz"]:
        raise Invalid("base_clock_mhz at most boost_clock_mhz")
    return values


_FINISH: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {"offer": _offer, "accelerator": _accelerator}

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
    spec = SECTIONS[section]
    values = [raw.get(name) for name in spec.identity]
    if not isinstance(values[0], str):
        return f"{section} #{index}"
    label = f"{section} '{values[0]}'"
    if len(values) > 1:
        when = values[1]
        when_text = when.isoformat() if isinstance(when, date) else str(when)
        if when is None:
            return label
        label += f" (from {when_text})" if section in ("plan", "tax") else f" ({when_text})"
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
        except Invalid as error:
            raise CatalogError(
                f"{origin}: {label} field '{field.name}': expected {error.expected}, got {show(raw_value)}"
            ) from None
    values.update(_DERIVED.get(section, {}))
    if section in _FINISH:
        try:
            values = _FINISH[section](values)
        except Invalid as error:
            raise CatalogError(f"{origin}: {label}: expected {error.expected}") from None
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
