"""How long compute units last: per accelerator, CU an hour, the hours a balance buys, what an hour
costs, and when units bought on a date expire. Pure: typed facts in, typed facts out; no sentence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from pricing import Catalog, CatalogError, Plan

from ..errors import AdvisorError
from .tax import TaxBasis

# With neither a balance nor a plan, the answer is for the smallest pack Colab sells.
DEFAULT_BALANCE_CU = 100.0
MAX_BALANCE_CU = 1_000_000.0
PAY_AS_YOU_GO = "pay-as-you-go"
BALANCE, PLAN_UNITS, SMALLEST_PACK = "balance", "plan", "smallest pack"


@dataclass(frozen=True)
class UnitsLine:
    """One accelerator: its CU rate (None: unknown), the hours the balance buys and an hour's cost."""

    accelerator: str
    devices: int
    cu_per_hour: float | None
    rate_as_of: date | None
    rate_source: str | None
    rate_unconfirmed: bool
    rate_note: str | None
    hours: float | None
    usd_per_hour: float | None  # before tax
    usd_per_hour_taxed: float | None  # with the tax asked for; None where its rate is unknown


@dataclass(frozen=True)
class UnitsAnswer:
    """What a balance of CU buys on `as_of`, and when units bought on `bought_on` expire."""

    as_of: date
    balance_cu: float
    balance_basis: str  # BALANCE (given), PLAN_UNITS (the plan's monthly units) or SMALLEST_PACK
    plan: str | None
    plan_display_name: str | None
    cu_price_usd: float
    tax: TaxBasis
    bought_on: date
    expiry_days: int
    expires_on: date | None  # None past the calendar's last day
    lines: tuple[UnitsLine, ...]
    # What one of the plan's own monthly units costs (its price over its units), where the balance is
    # the plan's: the hours are priced at the Pay As You Go CU price, which differs from it.
    plan_usd_per_cu: float | None = None


def _balance(balance: float | None) -> float | None:
    if balance is None:
        return None
    if isinstance(balance, bool) or not isinstance(balance, (int, float)) or not math.isfinite(balance) \
            or not 0 <= balance <= MAX_BALANCE_CU:
        raise AdvisorError(f"--balance: expected a number of CU from 0 to {MAX_BALANCE_CU:,.0f}, got {balance!r}")
    return float(balance) + 0.0  # a typed -0 is 0, never shown as '-0 CU'


def _plan(catalog: Catalog, name: str) -> Plan:
    try:
        plan = catalog.plan(name)
    except CatalogError as error:
        raise AdvisorError(f"--plan: {error}") from None
    if not plan.uses_compute_units:
        raise AdvisorError(f"--plan: '{plan.name}' includes no compute units on {catalog.as_of} and spends none, "
                           "so no balance buys hours on it; name a plan that uses them, or leave --plan out")
    return plan


def _accelerators(catalog: Catalog, plan: Plan | None) -> list[tuple[str, int]]:
    plans = [plan] if plan is not None else [p for p in catalog.plans if p.uses_compute_units and p.is_colab]
    keys: dict[str, int] = {}
    for each in plans:
        for key in each.accelerators:
            keys.setdefault(key, each.devices(key))
    return list(keys.items())


def units(
    catalog: Catalog, tax: TaxBasis, *, balance: float | None = None, plan: str | None = None,
    bought_on: date | None = None,
) -> UnitsAnswer:
    """What `balance` CU (else the plan's monthly CU, else the smallest pack) buy on the catalog's date.

    `plan` narrows the accelerators to that plan's; `bought_on` (default: the date asked for) is when
    the units are bought, for their expiry. Raises AdvisorError where compute units did not exist.
    """
    era = catalog.era
    if era.cu_price_usd is None:
        starts = [e.valid_from for e in catalog.eras if e.cu_price_usd is not None]
        since = f"; they start {min(starts)}" if starts else ""
        raise AdvisorError(f"compute units did not exist on {catalog.as_of}{since}")
    chosen = _plan(catalog, plan) if plan is not None else None
    given = _balance(balance)
    if given is not None:
        cu, basis = given, BALANCE
    elif chosen is not None and chosen.cu_included:
        cu, basis = float(chosen.cu_included), PLAN_UNITS
    else:
        cu, basis = DEFAULT_BALANCE_CU, SMALLEST_PACK
    expiry_plan = chosen or next((p for p in catalog.plans if p.name == PAY_AS_YOU_GO), None)
    expiry_days = (expiry_plan.cu_expiry_days if expiry_plan is not None else None) or 90
    day = bought_on or catalog.requested
    taxed = tax.pricing_rate
    lines = []
    for key, devices in _accelerators(catalog, chosen):
        rate = catalog.cu_rate(key, catalog.as_of)
        value = rate.value
        usd = None if value is None else value * era.cu_price_usd
        lines.append(UnitsLine(
            accelerator=key, devices=devices, cu_per_hour=value, rate_as_of=rate.as_of, rate_source=rate.source,
            rate_unconfirmed=rate.unconfirmed, rate_note=rate.note,
            hours=None if value is None else cu / value,
            usd_per_hour=usd, usd_per_hour_taxed=None if usd is None or taxed is None else usd * (1 + taxed),
        ))
    return UnitsAnswer(
        as_of=catalog.as_of, balance_cu=cu, balance_basis=basis,
        plan=chosen.name if chosen is not None else None,
        plan_display_name=chosen.display_name if chosen is not None else None,
        cu_price_usd=era.cu_price_usd, tax=tax, bought_on=day, expiry_days=expiry_days,
        expires_on=_plus_days(day, expiry_days), lines=tuple(lines),
        plan_usd_per_cu=chosen.monthly_price_usd / chosen.cu_included if basis == PLAN_UNITS and chosen is not None
        and chosen.monthly_price_usd and chosen.cu_included else None,
    )


def _plus_days(day: date, days: int) -> date | None:
    """`day` plus `days`, or None past the last day a calendar holds (9999-12-31)."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return None
