"""Reads the shipped catalog and an optional user file, merges them and checks the whole.

The shipped TOML files live in pricing/data/ and are read through importlib.resources, so they are
found the same way from a source checkout and from an installed wheel.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import stat
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pricing.errors import CatalogError
from pricing.model import Accelerator, Coverage, CuReading, Era, FreeTierReading, Offer, Plan, TaxRate
from pricing.names import closest, normalise
from pricing.schema import Entry, parse_document

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

SHIPPED_FILES = ("plans.toml", "offers.toml", "accelerators.toml", "cu_rates.toml", "tax.toml", "free_tier.toml")
# The file in the data folder that overrides the shipped catalog, when there is one.
USER_CATALOG_NAME = "catalog.toml"
UTF8_BOM = "\ufeff"

# A user's catalog is read whole; these bound the work it can cause. The shipped one is ~30 kB.
MAX_CATALOG_BYTES = 1024 * 1024
MAX_CATALOG_ENTRIES = 2000
# Dates that say "from this day" or "as of this day": in the future, they would move the default
# "as of" date of every answer there.
_DATED_FIELDS = ("as_of", "valid_from")


@dataclass(frozen=True)
class CatalogData:
    """Every record of the merged catalog, whatever its date."""

    eras: tuple[Era, ...]
    plans: tuple[Plan, ...]
    accelerators: tuple[Accelerator, ...]
    cu_readings: tuple[CuReading, ...]
    taxes: tuple[TaxRate, ...]
    free_tier_readings: tuple[FreeTierReading, ...]
    coverage: Coverage
    files: tuple[str, ...]
    # Lookups built once, so that every question is answered in time independent of the catalog's size.
    accelerator_by_spelling: Mapping[str, Accelerator]
    readings_by_accelerator: Mapping[str, tuple[CuReading, ...]]


def _parse_toml(text: str, origin: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CatalogError(f"{origin}: not valid TOML: {error}") from None
    except (ValueError, RecursionError, OverflowError) as error:
        # Numbers of thousands of digits, arrays nested thousands deep: TOML allows them, we do not.
        raise CatalogError(f"{origin}: not a usable catalog ({type(error).__name__}: {str(error)[:80]})") from None


def _shipped_entries() -> list[Entry]:
    folder = resources.files("pricing") / "data"
    entries: list[Entry] = []
    for name in SHIPPED_FILES:
        origin = f"pricing/data/{name}"
        entries.extend(parse_document(_parse_toml((folder / name).read_text(encoding="utf-8"), origin), origin))
    return entries


def read_capped(path: str | os.PathLike[str], origin: str, limit: int = MAX_CATALOG_BYTES) -> str:
    """A regular file's text, at most `limit` bytes; a FIFO or device is refused without waiting on it."""
    try:
        # O_NONBLOCK: opening a FIFO with no writer would otherwise wait forever.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise CatalogError(f"{origin}: no such catalog file") from None
    except (OSError, ValueError) as error:
        raise CatalogError(f"{origin}: cannot read the catalog file ({error})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise CatalogError(f"{origin}: not a regular file (a folder, FIFO or device): refused")
        if info.st_size > limit:
            raise CatalogError(f"{origin}: {info.st_size:,} bytes is larger than a catalog may be ({limit:,})")
        with os.fdopen(os.dup(fd), "rb") as handle:
            raw = handle.read(limit + 1)
    except OSError as error:
        raise CatalogError(f"{origin}: cannot read the catalog file ({error})") from None
    finally:
        os.close(fd)
    if len(raw) > limit:
        raise CatalogError(f"{origin}: larger than a catalog may be ({limit:,} bytes)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CatalogError(f"{origin}: cannot read the catalog file ({error})") from None
    # Editors on Windows often save UTF-8 with a byte-order mark; it carries no meaning in TOML.
    return text.removeprefix(UTF8_BOM)


def user_catalog(folder: str | os.PathLike[str]) -> Path | None:
    """`catalog.toml` in the data folder when there is one; None when there is none.

    Something by that name that is not a regular file (a folder, a FIFO, a device) is refused with a
    CatalogError rather than skipped, so a user never wonders why their catalog was not read.
    """
    path = Path(folder) / USER_CATALOG_NAME
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise CatalogError(f"{path}: cannot read the catalog file ({error})") from None
    if not stat.S_ISREG(info.st_mode):
        raise CatalogError(f"{path}: not a regular file (a folder, FIFO or device): refused; move it away")
    return path


def _count_entries(document: dict[str, Any], origin: str) -> None:
    count = sum(len(content) if isinstance(content, list) else 1 for content in document.values())
    if count > MAX_CATALOG_ENTRIES:
        raise CatalogError(f"{origin}: {count:,} entries is more than a catalog may hold ({MAX_CATALOG_ENTRIES:,})")


def _refuse_future(entries: list[Entry], today: date) -> None:
    for entry in entries:
        for name in _DATED_FIELDS:
            when = getattr(entry.record, name, None)
            if isinstance(when, date) and when > today:
                raise CatalogError(f"{entry.origin}: {entry.label} field '{name}': {when} is after today ({today})")


def _override_entries(path: str | os.PathLike[str], today: date) -> list[Entry]:
    origin = os.fspath(path)
    document = _parse_toml(read_capped(path, origin), origin)
    _count_entries(document, origin)
    entries = parse_document(document, origin)
    _refuse_future(entries, today)
    return entries


def _merge(base: Iterable[Entry], override: Iterable[Entry]) -> list[Entry]:
    """Shipped entries keyed by identity; an override entry with the same identity replaces one."""
    merged: dict[tuple[str, tuple[Any, ...]], Entry] = {}
    for layer in (base, override):
        seen_in_layer: set[tuple[str, tuple[Any, ...]]] = set()
        for entry in layer:
            identity = (entry.section, entry.identity)
            if identity in seen_in_layer:
                raise CatalogError(f"{entry.origin}: {entry.label} appears twice")
            seen_in_layer.add(identity)
            merged[identity] = entry
    return list(merged.values())


def _check_accelerators(entries: list[Entry]) -> dict[str, Accelerator]:
    by_key: dict[str, Accelerator] = {}
    owner_of_name: dict[str, str] = {}
    for entry in entries:
        accelerator: Accelerator = entry.record
        if accelerator.colab_from and accelerator.colab_until and accelerator.colab_from > accelerator.colab_until:
            raise CatalogError(f"{entry.origin}: {entry.label} field 'colab_until': is before colab_from")
        for name in (accelerator.key, accelerator.name, *accelerator.aliases):
            owner = owner_of_name.setdefault(normalise(name), accelerator.key)
            if owner != accelerator.key:
                raise CatalogError(
                    f"{entry.origin}: {entry.label} field 'aliases': '{name}' already names accelerator '{owner}'"
                )
        by_key[accelerator.key] = accelerator
    origin = {entry.record.key: entry.origin for entry in entries}
    for entry in entries:
        if entry.record.matmul_clock_from is not None:
            by_key[entry.record.key] = _borrow_clock(entry, by_key, origin)
    return by_key


def _borrow_clock(entry: Entry, by_key: dict[str, Accelerator], origin: dict[str, str]) -> Accelerator:
    """A card's clock reading taken from another card of the same chip at the same power limit: the named
    card must have a reading of its own, and a figure given here must be that reading."""
    accelerator: Accelerator = entry.record
    borrowed = accelerator.matmul_clock_from or ""
    where = f"{entry.origin}: {entry.label} field 'matmul_clock_from'"
    if problem := _known(borrowed, by_key, "accelerator"):
        raise CatalogError(f"{where}: {problem}")
    if borrowed == accelerator.key:
        raise CatalogError(f"{where}: names the card itself (give its own reading as matmul_clock_mhz instead)")
    source = by_key[borrowed]
    named = f"'{borrowed}'" + (f" (as {origin[borrowed]} gives it)" if origin[borrowed] != entry.origin else "")
    for name in ("kind", "architecture", "power_limit_watts"):
        mine, theirs = getattr(accelerator, name), getattr(source, name)
        if mine is None or mine != theirs:
            raise CatalogError(f"{where}: {named} has {name} {_shown(theirs)}, this card {_shown(mine)}: a clock "
                               "reading is borrowed only from the same chip at the same power limit")
    if source.matmul_clock_mhz is None or source.matmul_clock_from is not None:
        raise CatalogError(f"{where}: {named} has no clock reading of its own to lend")
    if accelerator.matmul_clock_mhz is not None and accelerator.matmul_clock_mhz != source.matmul_clock_mhz:
        raise CatalogError(f"{entry.origin}: {entry.label} field 'matmul_clock_mhz': "
                           f"{_shown(accelerator.matmul_clock_mhz)} is not the {_shown(source.matmul_clock_mhz)} MHz "
                           f"reading of {named}, which matmul_clock_from names")
    return dataclasses.replace(accelerator, matmul_clock_mhz=source.matmul_clock_mhz)


def _shown(value: Any) -> str:
    return "unknown" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def _known(name: str, valid: dict[str, Any], what: str) -> str:
    if name in valid:
        return ""
    close = closest(name, [(key, key) for key in valid])
    hint = " (did you mean " + " or ".join(f"'{key}'" for key in close) + "?)" if close else ""
    return f"unknown {what} '{name}'{hint}"


def _check_plans(entries: list[Entry], eras: dict[str, Era], accelerators: dict[str, Accelerator]) -> list[Plan]:
    checked: list[tuple[Plan, Entry]] = []
    for entry in entries:
        plan: Plan = entry.record
        where = f"{entry.origin}: {entry.label}"
        if problem := _known(plan.era, eras, "era"):
            raise CatalogError(f"{where} field 'era': {problem}")
        for key in plan.accelerators:
            if problem := _known(key, accelerators, "accelerator"):
                raise CatalogError(f"{where} field 'accelerators': {problem}")
        if plan.valid_to is not None and plan.valid_to < plan.valid_from:
            raise CatalogError(f"{where} field 'valid_to': {plan.valid_to} is before valid_from {plan.valid_from}")
        era = eras[plan.era]
        ends_in_era = era.valid_to is None or (plan.valid_to is not None and plan.valid_to <= era.valid_to)
        if not era.in_force(plan.valid_from) or not ends_in_era:
            raise CatalogError(f"{where}: its dates fall outside era '{era.name}' ({era.valid_from} to {era.valid_to})")
        # The price of one more CU is the era's Pay As You Go price, only where the plan counts CU at all.
        extra = era.cu_price_usd if plan.cu_included is not None else None
        checked.append((dataclasses.replace(plan, extra_cu_price_usd=extra), entry))
    checked.sort(key=lambda pair: (pair[0].name, pair[0].valid_from))
    for (earlier, _), (later, entry) in itertools.pairwise(checked):
        if earlier.name == later.name and (earlier.valid_to is None or earlier.valid_to >= later.valid_from):
            raise CatalogError(f"{entry.origin}: {entry.label} overlaps the version from {earlier.valid_from}")
    return [plan for plan, _ in checked]


def _check_readings(entries: list[Entry], eras: dict[str, Era], accelerators: dict[str, Accelerator]) -> None:
    cu_era_start = min((era.valid_from for era in eras.values() if era.cu_price_usd is not None), default=None)
    for entry in entries:
        reading: CuReading = entry.record
        where = f"{entry.origin}: {entry.label}"
        if problem := _known(reading.accelerator, accelerators, "accelerator"):
            raise CatalogError(f"{where} field 'accelerator': {problem}")
        if cu_era_start is None or reading.as_of < cu_era_start:
            raise CatalogError(f"{where} field 'as_of': compute units did not exist yet on {reading.as_of}")
        if reading.removed and (reading.cu_per_hour or reading.cu_per_hour_high_ram):
            raise CatalogError(f"{where} field 'removed': a removed accelerator cannot also have a rate")


def _check_eras(entries: list[Entry]) -> list[Era]:
    """Eras must follow each other without gaps, so every covered date has exactly one."""
    ordered = sorted(entries, key=lambda entry: entry.record.valid_from)
    for entry in ordered:
        era: Era = entry.record
        if era.valid_to is not None and era.valid_to < era.valid_from:
            raise CatalogError(f"{entry.origin}: {entry.label} field 'valid_to': {era.valid_to} is before valid_from")
    for previous, entry in itertools.pairwise(ordered):
        ended = previous.record.valid_to
        if ended is None or (entry.record.valid_from - ended).days != 1:
            raise CatalogError(
                f"{entry.origin}: {entry.label} field 'valid_from': must be the day after "
                f"{previous.label} ends ({ended or 'it has no end'})"
            )
    return [entry.record for entry in ordered]


def _coverage(entries: list[Entry], eras: list[Era]) -> Coverage:
    if not eras:
        raise CatalogError("the catalog has no era: nothing to answer for")
    dates: list[date] = []
    for entry in entries:
        record = entry.record
        dates.extend(when for name in ("as_of", "valid_from") if isinstance(when := getattr(record, name, None), date))
    coverage = Coverage(first=eras[0].valid_from, last=max(dates))
    if eras[-1].valid_to is not None and eras[-1].valid_to < coverage.last:
        raise CatalogError(f"era '{eras[-1].name}' ends {eras[-1].valid_to}, before the newest entry ({coverage.last})")
    return coverage


def _check_offers(entries: list[Entry], plans: list[Plan], accelerators: dict[str, Accelerator]) -> list[Offer]:
    listed: dict[str, set[str]] = {}
    for plan in plans:
        listed.setdefault(plan.name, set()).update(plan.accelerators)
    offers = []
    for entry in entries:
        offer: Offer = entry.record
        where = f"{entry.origin}: {entry.label}"
        if problem := _known(offer.plan, listed, "plan"):
            raise CatalogError(f"{where} field 'plan': {problem}")
        if offer.accelerator not in listed[offer.plan]:
            raise CatalogError(f"{where} field 'accelerator': plan '{offer.plan}' never lists '{offer.accelerator}'")
        if offer.fallback is not None and (problem := _known(offer.fallback.accelerator, accelerators, "accelerator")):
            raise CatalogError(f"{where} field 'fallback': {problem}")
        if offer.first_reported and offer.last_reported and offer.first_reported > offer.last_reported:
            raise CatalogError(f"{where} field 'last_reported': is before first_reported")
        offers.append(offer)
    return offers


def _with_offers(plans: list[Plan], offers: list[Offer]) -> list[Plan]:
    by_plan: dict[str, list[Offer]] = {}
    for offer in offers:
        by_plan.setdefault(offer.plan, []).append(offer)
    return [dataclasses.replace(plan, offers=tuple(by_plan.get(plan.name, ()))) for plan in plans]


def _check_taxes(entries: list[Entry]) -> list[TaxRate]:
    """A country's rates follow each other without overlap; one of them may be open at each end."""
    ordered = sorted(entries, key=lambda entry: (entry.record.country, entry.record.valid_from or date.min))
    for entry in ordered:
        tax: TaxRate = entry.record
        if tax.valid_from and tax.valid_to and tax.valid_to < tax.valid_from:
            raise CatalogError(f"{entry.origin}: {entry.label} field 'valid_to': is before valid_from")
    for previous, entry in itertools.pairwise(ordered):
        earlier, later = previous.record, entry.record
        if earlier.country == later.country and (
            earlier.valid_to is None or later.valid_from is None or earlier.valid_to >= later.valid_from
        ):
            raise CatalogError(f"{entry.origin}: {entry.label} overlaps {previous.label}")
    return [entry.record for entry in ordered]


def _spellings(accelerators: Iterable[Accelerator]) -> Mapping[str, Accelerator]:
    index: dict[str, Accelerator] = {}
    for accelerator in accelerators:
        for spelling in (accelerator.key, accelerator.name, *accelerator.aliases):
            index.setdefault(normalise(spelling), accelerator)
    return MappingProxyType(index)


def build(entries: list[Entry], files: tuple[str, ...]) -> CatalogData:
    def section(name: str) -> list[Entry]:
        return [entry for entry in entries if entry.section == name]

    eras = _check_eras(section("era"))
    era_by_name = {era.name: era for era in eras}
    accelerators = _check_accelerators(section("accelerator"))
    plans = _check_plans(section("plan"), era_by_name, accelerators)
    plans = _with_offers(plans, _check_offers(section("offer"), plans, accelerators))
    _check_readings(section("cu_rate"), era_by_name, accelerators)
    free_tier = section("free_tier_reading")
    for entry in free_tier:
        if problem := _known(entry.record.accelerator, accelerators, "accelerator"):
            raise CatalogError(f"{entry.origin}: {entry.label} field 'accelerator': {problem}")
    readings = sorted((entry.record for entry in section("cu_rate")), key=lambda r: (r.accelerator, r.as_of))
    by_accelerator: dict[str, list[CuReading]] = {}
    for reading in readings:
        by_accelerator.setdefault(reading.accelerator, []).append(reading)
    return CatalogData(
        eras=tuple(eras),
        plans=tuple(plans),
        accelerators=tuple(accelerators.values()),
        cu_readings=tuple(readings),
        taxes=tuple(_check_taxes(section("tax"))),
        free_tier_readings=tuple(sorted((entry.record for entry in free_tier), key=lambda r: (r.as_of, r.accelerator))),
        coverage=_coverage(entries, eras),
        files=files,
        accelerator_by_spelling=_spellings(accelerators.values()),
        readings_by_accelerator=MappingProxyType({key: tuple(found) for key, found in by_accelerator.items()}),
    )


@lru_cache(maxsize=1)
def shipped_data() -> CatalogData:
    """The catalog as shipped; parsed once per process because it never changes while running."""
    entries = _shipped_entries()
    return build(_merge(entries, []), tuple(f"pricing/data/{name}" for name in SHIPPED_FILES))


def replaced_accelerators(path: str | os.PathLike[str], today: date | None = None) -> tuple[str, ...]:
    """The keys of the shipped accelerators a user's file replaces (an entry under a shipped key)."""
    shipped = {(entry.section, entry.identity) for entry in _shipped_entries()}
    return tuple(entry.record.key for entry in _override_entries(path, today or date.today())
                 if entry.section == "accelerator" and (entry.section, entry.identity) in shipped)


def data_with_override(path: str | os.PathLike[str], today: date | None = None) -> CatalogData:
    """The shipped catalog with a user's file merged over it; `today` (default: the clock's) bounds its dates."""
    merged = _merge(_shipped_entries(), _override_entries(path, today or date.today()))
    return build(merged, (*(f"pricing/data/{name}" for name in SHIPPED_FILES), os.fspath(path)))
