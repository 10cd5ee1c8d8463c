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
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

from pricing.errors import CatalogError
from pricing.model import Accelerator, Coverage, CuReading, Era, FreeTierEstimate, Plan, TaxRate
from pricing.names import closest, normalise
from pricing.schema import Entry, parse_document

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

SHIPPED_FILES = ("plans.toml", "accelerators.toml", "cu_rates.toml", "tax.toml", "free_tier.toml")

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
    free_tier_estimate: FreeTierEstimate | None
    coverage: Coverage
    files: tuple[str, ...]


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
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CatalogError(f"{origin}: cannot read the catalog file ({error})") from None


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
    return by_key


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
        for key, _ in plan.accelerator_ram_gb:
            if problem := _known(key, accelerators, "accelerator"):
                raise CatalogError(f"{where} field 'accelerator_ram_gb': {problem}")
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
        dates.extend(getattr(record, name) for name in ("as_of", "valid_from") if hasattr(record, name))
    coverage = Coverage(first=eras[0].valid_from, last=max(dates))
    if eras[-1].valid_to is not None and eras[-1].valid_to < coverage.last:
        raise CatalogError(f"era '{eras[-1].name}' ends {eras[-1].valid_to}, before the newest entry ({coverage.last})")
    return coverage


def build(entries: list[Entry], files: tuple[str, ...]) -> CatalogData:
    def section(name: str) -> list[Entry]:
        return [entry for entry in entries if entry.section == name]

    eras = _check_eras(section("era"))
    era_by_name = {era.name: era for era in eras}
    accelerators = _check_accelerators(section("accelerator"))
    plans = _check_plans(section("plan"), era_by_name, accelerators)
    _check_readings(section("cu_rate"), era_by_name, accelerators)
    estimates = section("free_tier_estimate")
    estimate: FreeTierEstimate | None = estimates[-1].record if estimates else None
    if estimate is not None and (problem := _known(estimate.accelerator, accelerators, "accelerator")):
        raise CatalogError(f"{estimates[-1].origin}: free_tier_estimate field 'accelerator': {problem}")
    readings = sorted((entry.record for entry in section("cu_rate")), key=lambda r: (r.accelerator, r.as_of))
    return CatalogData(
        eras=tuple(eras),
        plans=tuple(plans),
        accelerators=tuple(accelerators.values()),
        cu_readings=tuple(readings),
        taxes=tuple(sorted((entry.record for entry in section("tax")), key=lambda tax: tax.country)),
        free_tier_estimate=estimate,
        coverage=_coverage(entries, eras),
        files=files,
    )


@lru_cache(maxsize=1)
def shipped_data() -> CatalogData:
    """The catalog as shipped; parsed once per process because it never changes while running."""
    entries = _shipped_entries()
    return build(_merge(entries, []), tuple(f"pricing/data/{name}" for name in SHIPPED_FILES))


def data_with_override(path: str | os.PathLike[str], today: date | None = None) -> CatalogData:
    """The shipped catalog with a user's file merged over it; `today` (default: the clock's) bounds its dates."""
    merged = _merge(_shipped_entries(), _override_entries(path, today or date.today()))
    return build(merged, (*(f"pricing/data/{name}" for name in SHIPPED_FILES), os.fspath(path)))
