"""The catalog as seen on one date, and the lookups that answer questions about it."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from datetime import date, datetime

from pricing.errors import CatalogError
from pricing.loader import CatalogData, data_with_override, shipped_data
from pricing.model import (
    Accelerator,
    Coverage,
    CuReading,
    Era,
    FreeTierReading,
    Plan,
    Rate,
    SessionLimit,
    TaxRate,
)
from pricing.names import did_you_mean, normalise
from pricing.sessions import session_limit

# Driver names prefix the model inconsistently ("Tesla T4", "NVIDIA Tesla T4", "T4"), so matching
# measured devices ignores these words.
_VENDOR_PREFIXES = ("nvidia", "tesla")


def _strip_vendor(normalised: str) -> str:
    for prefix in _VENDOR_PREFIXES:
        if normalised.startswith(prefix) and len(normalised) > len(prefix):
            normalised = normalised[len(prefix) :]
    return normalised


def _as_day(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise CatalogError(f"expected a date like 2026-03-09, got {value!r}")


def _plan_spellings(plan: Plan) -> set[str]:
    return {normalise(spelling) for spelling in (plan.name, plan.display_name, *plan.aliases)}


def _plan_order(plan: Plan) -> tuple[float, float, str]:
    return (plan.monthly_price_usd or 0.0, plan.cu_included or 0.0, plan.name)


@dataclass(frozen=True)
class Catalog:
    """Colab plans, accelerators, CU burn rates and tax rates, answering as of `as_of`.

    `plans` and `era` are those in force on `as_of` (each plan's accelerators narrowed to what Colab
    handed out then: the plan's own offer dates where the catalog has them, else the dates Colab
    handed the accelerator out at all); `accelerators`, `cu_rates` (every dated reading), `taxes`
    (every dated rate) and `free_tier_readings` are whole.
    """

    as_of: date
    coverage: Coverage
    era: Era
    plans: tuple[Plan, ...]
    accelerators: tuple[Accelerator, ...]
    cu_rates: tuple[CuReading, ...]
    taxes: tuple[TaxRate, ...]
    free_tier_readings: tuple[FreeTierReading, ...]
    eras: tuple[Era, ...]
    files: tuple[str, ...]
    requested: date  # the date asked for; later than `as_of` when past the catalog's newest entry
    _data: CatalogData = dataclasses.field(repr=False, compare=False)

    # ---- dates -----------------------------------------------------------------------------------

    @property
    def beyond_coverage(self) -> bool:
        """The date asked for lies after the newest entry: the figures are the newest there are."""
        return self.requested > self.as_of

    def check_date(self, day: date | None) -> date:
        """`day` (default: the catalog's as-of date) if the catalog covers it, else CatalogError."""
        return self.as_of if day is None else _covered(_as_day(day), self.coverage)

    def era_on(self, day: date | None = None) -> Era:
        day = self.check_date(day)
        return next(era for era in self.eras if era.in_force(day))

    # ---- plans -----------------------------------------------------------------------------------

    @property
    def free_tier_estimate(self) -> FreeTierReading | None:
        """The newest free-tier reading of a T4 session (the former single estimate); see free_tier_readings."""
        t4 = [reading for reading in self.free_tier_readings if reading.accelerator == "t4"]
        return t4[-1] if t4 else None

    def reported_on_colab(self, key: str) -> tuple[date | None, date | None] | None:
        """The first and last day any Colab plan's offer of accelerator `key` was reported (either None
        where no offer gives it), across every era; None where no Colab plan offers it at all."""
        offers = [offer for plan in self._data.plans if plan.provider == "colab" for offer in plan.offers
                  if offer.accelerator == key]
        if not offers:
            return None
        firsts = [o.first_reported for o in offers if o.first_reported is not None]
        lasts = [o.last_reported for o in offers if o.last_reported is not None]
        return (min(firsts) if firsts else None), (max(lasts) if lasts else None)

    def plans_on(self, day: date | None = None) -> tuple[Plan, ...]:
        day = self.check_date(day)
        by_key = {accelerator.key: accelerator for accelerator in self.accelerators}

        def handed_out(plan: Plan, key: str) -> bool:
            # The plan's own offer dates first; an end it does not give is the accelerator's Colab
            # window's, which says nothing of what another provider hands out.
            offer = plan.offer(key)
            window = by_key[key] if plan.is_colab else None
            start = offer.first_reported if offer is not None and offer.first_reported else None
            end = offer.last_reported if offer is not None and offer.last_reported else None
            start = start or (window.colab_from if window is not None else None)
            end = end or (window.colab_until if window is not None else None)
            return (start is None or start <= day) and (end is None or day <= end)

        def offered(plan: Plan) -> Plan:
            return dataclasses.replace(plan, accelerators=tuple(k for k in plan.accelerators if handed_out(plan, k)))

        in_force = [offered(plan) for plan in self._data.plans if plan.in_force(day)]
        return tuple(sorted(in_force, key=_plan_order))

    def plan(self, name: str, as_of: date | None = None) -> Plan:
        """The version of plan `name` ('pro', 'Pro+', 'pay as you go') in force on `as_of`."""
        day = self.check_date(as_of)
        plans = self.plans_on(day)
        wanted = normalise(name)
        for plan in plans:
            if wanted in _plan_spellings(plan):
                return plan
        versions = [plan for plan in self._data.plans if wanted in _plan_spellings(plan)]
        if versions:
            ends = [version.valid_to for version in versions]
            span = f"from {min(version.valid_from for version in versions)}"
            if None not in ends:
                span += f" to {max(end for end in ends if end is not None)}"
            raise CatalogError(
                f"plan '{versions[0].name}' was not offered on {day} (offered {span}); "
                f"plans on {day}: {', '.join(plan.name for plan in plans)}"
            )
        spellings = [(spelling, plan.name) for plan in self._data.plans for spelling in _plan_spellings(plan)]
        raise CatalogError(did_you_mean("plan", name, spellings, [plan.name for plan in plans]))

    # ---- accelerators ----------------------------------------------------------------------------

    def accelerator(self, name: str | Accelerator) -> Accelerator:
        """An accelerator by key ('t4'), name or alias ('Tesla T4', 'A100 40GB')."""
        text = name.key if isinstance(name, Accelerator) else name
        # Failing an exact spelling, a name as a driver prints it, with or without its vendor words
        # ('GeForce GTX 1080 Ti' from an older nvidia-smi, 'NVIDIA Tesla T4').
        found = self._data.accelerator_by_spelling.get(normalise(text)) or self.match_device_kind(text)
        if found is not None:
            return found
        spellings = [(s, a.key) for a in self.accelerators for s in (a.key, a.name, *a.aliases)]
        keys = [accelerator.key for accelerator in self.accelerators]
        raise CatalogError(did_you_mean("accelerator", str(name), spellings, keys))

    def match_device_kind(self, device_kind: str) -> Accelerator | None:
        """The catalog entry for a measured device ('Tesla T4', 'NVIDIA H100 80GB HBM3', 'TPU v5 lite').

        None when nothing matches: a generic 'cpu' says nothing about which CPU it is.
        """
        wanted = _strip_vendor(normalise(device_kind))
        if not wanted:
            return None
        for accelerator in self.accelerators:
            spellings = (accelerator.key, accelerator.name, *accelerator.aliases)
            if wanted in {_strip_vendor(normalise(s)) for s in spellings}:
                return accelerator
        return None

    # ---- compute units ---------------------------------------------------------------------------

    def cu_rate_history(self, accelerator: str | Accelerator) -> tuple[CuReading, ...]:
        key = self.accelerator(accelerator).key
        return self._data.readings_by_accelerator.get(key, ())

    def cu_rate(self, accelerator: str | Accelerator, as_of: date | None = None, *, high_ram: bool = False) -> Rate:
        """CU per hour from the latest reading on or before `as_of`; value None (with a note) if unknown."""
        day = self.check_date(as_of)
        key = self.accelerator(accelerator).key
        era = self.era_on(day)
        if era.cu_price_usd is None:
            cu_start = min((e.valid_from for e in self.eras if e.cu_price_usd is not None), default=None)
            since = f" (they start {cu_start})" if cu_start else ""
            return Rate(key, day, None, None, None, None, f"compute units did not exist on {day}{since}")
        history = self.cu_rate_history(key)
        before = [reading for reading in history if reading.as_of <= day]
        # An unconfirmed reading answers only where no confirmed one has been reported.
        before = [reading for reading in before if not reading.unconfirmed] or before
        if not before:
            if history:
                note = f"no CU rate reading for '{key}' on or before {day}; the first is from {history[0].as_of}"
            else:
                note = f"no CU rate for '{key}' has been reported"
            return Rate(key, day, None, None, None, None, note)
        return _rate_from(before[-1], day, high_ram)

    def hours_included(
        self, plan: str | Plan, accelerator: str | Accelerator, as_of: date | None = None, *, high_ram: bool = False
    ) -> float | None:
        """Hours of `accelerator` the plan's monthly CU buy: CU included / CU per hour (None when unknown)."""
        day = self.check_date(as_of)
        chosen = plan if isinstance(plan, Plan) else self.plan(plan, day)
        rate = self.cu_rate(accelerator, day, high_ram=high_ram)
        if chosen.cu_included is None or rate.value is None:
            return None
        return chosen.cu_included / rate.value

    # ---- sessions --------------------------------------------------------------------------------

    def session_hours(self, plan: str | Plan, accelerator: str | Accelerator) -> SessionLimit:
        """The longest session of `accelerator` on `plan` on the catalog's date, and how it is known.

        The one session model: `plans` shows it and decisions split runs by it (see pricing.sessions).
        """
        chosen = plan if isinstance(plan, Plan) else self.plan(plan)
        return session_limit(self, chosen, self.accelerator(accelerator))

    # ---- tax -------------------------------------------------------------------------------------

    def tax_rate_for(self, country_code: str, on: date | None = None) -> TaxRate:
        """The standard VAT/GST rate of a country by ISO code ('DE', 'uk') or English name, in force on
        `on` (default: the catalog's as-of date): Germany charged 16 % from 2020-07-01 to 2020-12-31."""
        day = self.check_date(on)
        wanted = normalise(country_code)
        versions = [t for t in self.taxes if wanted in {normalise(s) for s in (t.country, t.name, *t.aliases)}]
        for tax in versions:
            if tax.in_force(day):
                return tax
        if versions:
            raise CatalogError(f"the catalog has no tax rate for {versions[0].name} on {day}; give the tax rate itself")
        spellings = [(s, tax.country) for tax in self.taxes for s in (tax.country, tax.name, *tax.aliases)]
        message = did_you_mean("country", country_code, spellings, [tax.country for tax in self.taxes])
        raise CatalogError(message + "; for other countries give the tax rate itself")


def _covered(day: date, coverage: Coverage) -> date:
    if not coverage.contains(day):
        raise CatalogError(
            f"the catalog has no data for {day}: it covers {coverage} (from the Colab Pro launch to its newest entry)"
        )
    return day


def _rate_from(reading: CuReading, day: date, high_ram: bool) -> Rate:
    def rate(value: float | None, is_high_ram: bool | None, note: str | None) -> Rate:
        return Rate(reading.accelerator, day, value, is_high_ram, reading.as_of, reading.source, note,
                    reading.unconfirmed and value is not None)

    if reading.removed:
        return rate(None, None, reading.note or f"'{reading.accelerator}' was no longer offered on {reading.as_of}")
    if reading.cu_per_hour_high_ram is None:
        return rate(reading.cu_per_hour, None, reading.note)
    if high_ram or reading.cu_per_hour is None:
        # A High-RAM figure is still the best figure when the standard one was never reported.
        fallback = None if high_ram else "only the High-RAM rate was reported"
        return rate(reading.cu_per_hour_high_ram, True, fallback or reading.note)
    return rate(reading.cu_per_hour, False, reading.note)


def load_catalog(
    as_of: date | None = None, override: str | os.PathLike[str] | None = None, *, today: date | None = None
) -> Catalog:
    """The catalog as of `as_of` (default: its newest date), with a user's TOML file merged over it.

    The override file uses the shipped files' format; an entry with the same identity (an accelerator's
    key, a plan's name and valid_from, a CU reading's accelerator and as_of, a country) replaces the
    shipped one, any other entry is added. Raises CatalogError for a malformed file or an uncovered date,
    and for an override entry dated after `today` (default: the clock's date).
    """
    data = shipped_data() if override is None else data_with_override(override, today)
    requested = data.coverage.last if as_of is None else _as_day(as_of)
    # Past the newest entry the newest data is the best answer there is; `requested` keeps the date
    # asked for, so front ends can say where the catalog ends.
    day = _covered(min(requested, data.coverage.last), data.coverage)
    eras = tuple(era for era in data.eras if era.in_force(day))
    if not eras:
        raise CatalogError(f"the catalog has no era in force on {day}")
    partial = Catalog(
        as_of=day,
        coverage=data.coverage,
        era=eras[0],
        plans=(),
        accelerators=data.accelerators,
        cu_rates=data.cu_readings,
        taxes=data.taxes,
        free_tier_readings=data.free_tier_readings,
        eras=data.eras,
        files=data.files,
        requested=requested,
        _data=data,
    )
    return dataclasses.replace(partial, plans=partial.plans_on(day))


def _catalog(catalog: Catalog | None) -> Catalog:
    return load_catalog() if catalog is None else catalog


def cu_rate(
    accelerator: str | Accelerator, as_of: date | None = None, *, high_ram: bool = False, catalog: Catalog | None = None
) -> Rate:
    """`Catalog.cu_rate` on `catalog`, by default the shipped one."""
    return _catalog(catalog).cu_rate(accelerator, as_of, high_ram=high_ram)


def hours_included(
    plan: str | Plan,
    accelerator: str | Accelerator,
    as_of: date | None = None,
    *,
    high_ram: bool = False,
    catalog: Catalog | None = None,
) -> float | None:
    """`Catalog.hours_included` on `catalog`, by default the shipped one."""
    return _catalog(catalog).hours_included(plan, accelerator, as_of, high_ram=high_ram)


def tax_rate_for(country_code: str, *, catalog: Catalog | None = None) -> TaxRate:
    """`Catalog.tax_rate_for` on `catalog`, by default the shipped one."""
    return _catalog(catalog).tax_rate_for(country_code)


def match_device_kind(device_kind: str, *, catalog: Catalog | None = None) -> Accelerator | None:
    """`Catalog.match_device_kind` on `catalog`, by default the shipped one."""
    return _catalog(catalog).match_device_kind(device_kind)
