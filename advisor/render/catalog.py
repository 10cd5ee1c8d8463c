"""What `plans` and `hardware` show: tables and JSON-ready payloads built from the catalog.

Pure functions of a `Catalog` (and the tax asked for); nothing here prints. Every figure carries the
catalog entry it came from, and a figure the catalog lacks stays None (shown as "unknown").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date
from typing import Any

from pricing import ASSUMED, READING, Accelerator, Catalog, Plan, Rate, SessionLimit, monthly_cost

from ..decide.tax import TaxBasis
from .table import UNKNOWN, Table, duration, money
from .words import figure_text

NO_CU = "no CU"
NOT_OFFERED = "-"

TAX_CAVEAT = (
    "Standard national VAT/GST rates approximate what Google charges; the amount charged can differ "
    "(state, provincial or local taxes, card currency)."
)


def tax_heading(tax: TaxBasis) -> str:
    """The price column's heading for prices with this tax."""
    if tax.kind == "given":
        return f"with {tax.percent:g} % tax"
    if tax.country is not None and tax.fraction is None:
        return f"before tax ({tax.country.country}: no single rate)"
    if tax.country is not None:
        return f"with {tax.percent:g} % tax ({tax.country.country})"
    return "before tax"


_BASIS_MARK = {READING: " (reading)", ASSUMED: " (assumed)"}


def _sessions(catalog: Catalog, plan: Plan, by_key: dict[str, Accelerator]) -> list[SessionLimit]:
    """The session model's answer for each GPU and TPU of the plan (its CPU runtime where it has none)."""
    keys = _accelerators_of(plan, by_key) or list(plan.accelerators)
    return [catalog.session_hours(plan, key) for key in keys]


def _assumed_session_notes(catalog: Catalog, by_key: dict[str, Accelerator]) -> list[str]:
    """Where a plan publishes no session length and another's reading stands in for it, whose it is."""
    notes = []
    for plan in catalog.plans:
        assumed = [limit for limit in _sessions(catalog, plan, by_key) if limit.basis == ASSUMED]
        for source, limits in _by_source(assumed).items():
            keys = ", ".join(limit.accelerator for limit in limits)
            notes.append(f"{plan.display_name} publishes no session length for {keys}; "
                         f"{figure_text(round(limits[0].hours or 0, 1), 'h')} is assumed from {source}.")
    return notes


def _by_source(limits: list[SessionLimit]) -> dict[str, list[SessionLimit]]:
    grouped: dict[str, list[SessionLimit]] = {}
    for limit in limits:
        if limit.hours is not None and limit.source:
            grouped.setdefault(limit.source, []).append(limit)
    return grouped


def session_text(limits: list[SessionLimit]) -> str:
    """'24 h', '1.5-3.3 h (reading)': the range of a plan's sessions, marked where not published."""
    known = [limit.hours for limit in limits if limit.hours is not None]
    if not known:
        return UNKNOWN
    low, high = min(known), max(known)
    span = figure_text(round(low, 1), "h") if low == high else f"{low:.1f}-{figure_text(round(high, 1), 'h')}"
    marks = [_BASIS_MARK[limit.basis] for limit in limits if limit.basis in _BASIS_MARK]
    return span + (max(marks, key=len) if marks else "")


def _with_tax(plan: Plan, tax: TaxBasis) -> float | None:
    if not tax.applies or plan.monthly_price_usd is None:
        return None
    cost = monthly_cost(plan, 0.0, tax.country if tax.country is not None else (tax.fraction or 0.0))
    return cost.total_usd


def _tax_notes(tax: TaxBasis) -> list[str]:
    if tax.kind == "none":
        return ["Prices are USD per month before tax; add --country CC or --tax-rate PCT to include it."]
    if tax.kind == "given":
        return [f"Prices are USD per month, before tax and with the {tax.percent:g} % tax given."]
    assert tax.country is not None
    where = f"{tax.country.name} ({tax.country.country})"
    if tax.fraction is None:
        lines = [f"{where} has no single national tax rate in the catalog, so prices with tax are unknown; "
                 "give the rate with --tax-rate PCT."]
    else:
        lines = [f"Prices are USD per month, before tax and with {where}'s {tax.percent:g} % standard rate."]
    if tax.country.note:
        lines.append(f"{where}: {tax.country.note}")
    lines.append(f"Tax rate source: {tax.country.source}, as of {tax.country.as_of}.")
    lines.append(TAX_CAVEAT)
    return lines


def _tax_payload(tax: TaxBasis) -> dict[str, Any] | None:
    if tax.kind == "none":
        return None
    payload: dict[str, Any] = {"basis": tax.kind, "percent": tax.percent}
    if tax.country is not None:
        payload.update(
            country=tax.country.country,
            country_name=tax.country.name,
            note=tax.country.note,
            source=tax.country.source,
            as_of=tax.country.as_of.isoformat(),
            caveat=TAX_CAVEAT,
        )
    return payload


# ---- plans ---------------------------------------------------------------------------------------
def _accelerators_of(plan: Plan, by_key: dict[str, Accelerator]) -> list[str]:
    """The plan's GPUs and TPUs on the catalog's date; every plan comes with a CPU runtime."""
    return [key for key in plan.accelerators if by_key[key].kind != "cpu"]


def _with_devices(plan: Plan, key: str) -> str:
    """'t4 x2' where one runtime gets several devices (Kaggle's T4 x2)."""
    devices = plan.devices(key)
    return key if devices == 1 else f"{key} x{devices}"


def _metered(plans: Iterable[Plan]) -> list[Plan]:
    """Plans whose subscription includes compute units, the only ones that buy a number of hours."""
    return [plan for plan in plans if plan.cu_included]


def _rates(catalog: Catalog, by_key: dict[str, Accelerator]) -> dict[str, Rate]:
    keys = dict.fromkeys(key for plan in _metered(catalog.plans) for key in _accelerators_of(plan, by_key))
    return {key: catalog.cu_rate(key, catalog.as_of) for key in keys}


def _cu_text(plan: Plan) -> str:
    if plan.cu_included is None:
        return NO_CU
    return figure_text(plan.cu_included)


def _fields(accelerator: Accelerator) -> dict[str, Any]:
    """Each catalog field of an accelerator as JSON: dates as ISO days, lists for tuples."""
    found: dict[str, Any] = {}
    for field in dataclasses.fields(accelerator):
        value = getattr(accelerator, field.name)
        found[field.name] = value.isoformat() if isinstance(value, date) else list(value) if isinstance(
            value, tuple) else value
    return found


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _rounded(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def plans_tables(catalog: Catalog, tax: TaxBasis) -> list[Table]:
    """The plans in force on `catalog.as_of`, and the hours of each accelerator their CU buy."""
    by_key = {accelerator.key: accelerator for accelerator in catalog.accelerators}
    day = catalog.as_of
    price_headers = ["USD/month before tax"] + ([tax_heading(tax)] if tax.applies else [])
    headers = ["plan", *price_headers, "CU/month", "RAM", "High-RAM", "session", "GPUs and TPUs"]
    rows = []
    for plan in catalog.plans:
        prices = [money(plan.monthly_price_usd)] + ([money(_with_tax(plan, tax))] if tax.applies else [])
        rows.append([
            plan.display_name, *prices, _cu_text(plan), figure_text(plan.ram_gib, "GiB"),
            figure_text(plan.high_ram_gib, "GiB"), session_text(_sessions(catalog, plan, by_key)),
            ", ".join(_with_devices(plan, key) for key in _accelerators_of(plan, by_key)) or "none",
        ])
    notes = [
        *_tax_notes(tax),
        "RAM in GiB as Colab shows it (1 GiB = 1.074 GB); session: (reading) where it rests on readings, "
        "(assumed) where the plan gives none or readings disagree (--json has each).",
        *catalog.era.notes,
        *_no_cu_note(catalog),
        *(f"{plan.display_name}: {plan.source} (as of {plan.as_of})." for plan in catalog.plans),
        *_assumed_session_notes(catalog, by_key),
        *([f"You asked for {catalog.requested}; the catalog ends on {day}: these are its newest figures."]
          if catalog.beyond_coverage else []),
        f"As of {day}; the catalog covers {catalog.coverage}. \"{UNKNOWN}\": no source gives the figure.",
    ]
    plans_table = Table(
        headers=headers, rows=rows, title=f"Colab plans on {day} ({catalog.era.title})", notes=notes,
        wrap=("GPUs and TPUs", "plan"), optional=("High-RAM", "CU/month"),
    )
    if not _metered(catalog.plans):
        return [plans_table]
    return [plans_table, _hours_table(catalog, by_key)]


def _no_cu_note(catalog: Catalog) -> list[str]:
    if _metered(catalog.plans):
        return []
    starts = [era.valid_from for era in catalog.eras if era.cu_price_usd is not None and era.valid_from > catalog.as_of]
    since = f"; compute units start {min(starts)}" if starts else ""
    return [f"No plan on {catalog.as_of} includes compute units, so none buys a number of GPU hours{since}."]


def _hours_table(catalog: Catalog, by_key: dict[str, Accelerator]) -> Table:
    day = catalog.as_of
    metered = _metered(catalog.plans)
    title = f"GPU and TPU hours a month's CU buy on {day} (CU/month / CU per hour)"
    rates = _rates(catalog, by_key)
    rows = []
    not_offered = False
    for key, rate in rates.items():
        cells = []
        for plan in metered:
            offered = key in plan.accelerators
            cells.append(duration(catalog.hours_included(plan, key, day)) if offered else NOT_OFFERED)
            not_offered = not_offered or not offered
        reading = (_day(rate.as_of) if rate.value is not None else None) or UNKNOWN  # no rate, no day it was reported
        rows.append([key, figure_text(rate.value), reading, *cells])
    notes = [f"{key}: {rate.note}." for key, rate in rates.items() if rate.note]
    notes += [f"{key}: one unconfirmed reading, used because no confirmed one exists."
              for key, rate in rates.items() if rate.unconfirmed]
    notes += _rate_sources(rates)
    unmetered = [plan.display_name for plan in catalog.plans if not plan.cu_included]
    if unmetered:
        notes.append(f"Not shown: {', '.join(unmetered)} (no compute units included).")
    if catalog.era.cu_price_usd is not None:
        per_hundred = money(catalog.era.cu_price_usd * 100)
        notes.append(f"Extra CU cost about {per_hundred} per 100 (Pay As You Go), before tax.")
    notes.append("Hours use the standard-RAM runtime's rate where the source gives both.")
    if not_offered:
        notes.append(f"\"{NOT_OFFERED}\": not offered by that plan on {day}.")
    headers = ["accelerator", "CU/hour", "rate reported", *(plan.display_name for plan in metered)]
    return Table(headers=headers, rows=rows, title=title, notes=notes)


def _rate_sources(rates: dict[str, Rate]) -> list[str]:
    by_source: dict[tuple[str, str], list[str]] = {}
    for key, rate in rates.items():
        if rate.value is not None and rate.source is not None and rate.as_of is not None:
            by_source.setdefault((rate.source, rate.as_of.isoformat()), []).append(key)
    return [f"CU rates of {', '.join(keys)}: {source} ({as_of})." for (source, as_of), keys in by_source.items()]


def plans_payload(catalog: Catalog, tax: TaxBasis) -> dict[str, Any]:
    """The `plans` JSON: numbers as numbers, unknown figures as null, each with its source and as_of."""
    by_key = {accelerator.key: accelerator for accelerator in catalog.accelerators}
    rates = _rates(catalog, by_key)
    plans = []
    for plan in catalog.plans:
        hours = None
        if plan.cu_included is not None:
            hours = {
                key: _rounded(catalog.hours_included(plan, key, catalog.as_of))
                for key in _accelerators_of(plan, by_key)
            }
        plans.append({
            "name": plan.name,
            "display_name": plan.display_name,
            "era": plan.era,
            "valid_from": plan.valid_from.isoformat(),
            "valid_to": _day(plan.valid_to),
            "monthly_price_usd": plan.monthly_price_usd,
            "monthly_price_with_tax_usd": _rounded(_with_tax(plan, tax)),
            "cu_included": plan.cu_included,
            "cu_expiry_days": plan.cu_expiry_days,
            "extra_cu_price_usd": plan.extra_cu_price_usd,
            "accelerators": _accelerators_of(plan, by_key),
            "gpu_hours_included": hours,
            "ram_gib": plan.ram_gib,
            "high_ram_gib": plan.high_ram_gib,
            "ram_gb": _rounded(plan.ram_gb),
            "high_ram_gb": _rounded(plan.high_ram_gb),
            "vcpus": plan.vcpus,
            "max_session_hours": plan.max_session_hours,
            "sessions": _sessions_payload(_sessions(catalog, plan, by_key)),
            "offers": [_offer_payload(plan, key) for key in plan.accelerators if plan.offer(key) is not None],
            "background_execution": plan.background_execution,
            "concurrent_sessions": plan.concurrent_sessions,
            "notes": list(plan.notes),
            "source": plan.source,
            "as_of": plan.as_of.isoformat(),
        })
    return {
        "as_of": catalog.as_of.isoformat(),
        "coverage": {"first": catalog.coverage.first.isoformat(), "last": catalog.coverage.last.isoformat()},
        "era": {"name": catalog.era.name, "title": catalog.era.title, "notes": list(catalog.era.notes),
                "source": catalog.era.source, "as_of": catalog.era.as_of.isoformat()},
        "currency": "USD",
        "tax": _tax_payload(tax),
        "plans": plans,
        "cu_rates": {
            key: {"cu_per_hour": rate.value, "high_ram": rate.high_ram, "note": rate.note,
                  "source": rate.source, "as_of": _day(rate.as_of), "unconfirmed": rate.unconfirmed}
            for key, rate in rates.items()
        },
        "catalog_files": list(catalog.files),
    }


def _sessions_payload(limits: list[SessionLimit]) -> list[dict[str, Any]]:
    """The plan's session limits, one object per distinct limit with the accelerators it applies to."""
    grouped: dict[tuple[Any, ...], dict[str, Any]] = {}
    for limit in limits:
        readings = [{"hours": _rounded(getattr(r, "hours", None) or r.session_hours), "source": r.source,
                     "as_of": _day(r.as_of)} for r in limit.readings]
        key = (limit.hours, limit.basis, limit.source, limit.as_of, repr(readings))
        entry = grouped.setdefault(key, {
            "accelerators": [], "hours": _rounded(limit.hours), "basis": limit.basis, "source": limit.source,
            "as_of": _day(limit.as_of), "readings": readings,
        })
        entry["accelerators"].append(limit.accelerator)
    return list(grouped.values())


def _offer_payload(plan: Plan, key: str) -> dict[str, Any]:
    offer = plan.offer(key)
    assert offer is not None
    fallback = offer.fallback
    return {
        "accelerator": key, "devices": offer.devices, "first_reported": _day(offer.first_reported),
        "last_reported": _day(offer.last_reported), "high_ram_only": offer.high_ram_only,
        "ram_gib": offer.ram_gib, "ram_gb": _rounded(offer.ram_gb), "vcpus": offer.vcpus,
        "fallback": None if fallback is None else {"accelerator": fallback.accelerator, "source": fallback.source,
                                                   "as_of": _day(fallback.as_of)},
        "note": offer.note, "source": offer.source, "as_of": _day(offer.as_of),
    }


# ---- hardware ------------------------------------------------------------------------------------
def _colab_window(accelerator: Accelerator, offered_now: set[str], catalog: Catalog) -> str:
    start, end = accelerator.colab_from, accelerator.colab_until
    if start and end:
        return f"{start} to {end}"
    if start:
        return f"from {start}"
    if end:
        return f"until {end}"
    if accelerator.key in offered_now:
        return f"offered on {catalog.as_of}"
    reported = catalog.reported_on_colab(accelerator.key)
    if reported is None:
        return UNKNOWN
    first, last = reported
    if first and last:
        return f"reported {first} to {last}"
    return f"reported until {last}" if last else f"reported from {first}" if first else "offered (dates unknown)"


def _offered(catalog: Catalog) -> set[str]:
    """What Colab's plans (not Kaggle's) offer on the catalog's date."""
    return {key for plan in catalog.plans if plan.provider == "colab" for key in plan.accelerators}


def hardware_tables(catalog: Catalog) -> list[Table]:
    """Peak figures of every accelerator in the catalog, "unknown" where no source gives one."""
    offered_now = _offered(catalog)
    rows = []
    for a in catalog.accelerators:
        rows.append([
            a.key, a.name, a.kind, figure_text(a.fp32_tflops), figure_text(a.fp16_bf16_tflops),
            figure_text(a.tf32_tflops), figure_text(a.memory_bandwidth_gbs), figure_text(a.memory_gb),
            figure_text(a.year), _colab_window(a, offered_now, catalog),
        ])
    headers = ["accelerator", "name", "kind", "FP32 TFLOP/s", "FP16/BF16 TFLOP/s", "TF32 TFLOP/s",
               "memory GB/s", "memory GB", "year", "on Colab"]
    notes = [
        "Peak dense figures (sparse halved); FP16/BF16 is the matrix peak, on tensor cores where there are any.",
        f"\"{UNKNOWN}\": no source gives the figure, or the hardware lacks the feature (--json has the notes).",
        *(f"{a.key}: assumed figures, not published ones." for a in catalog.accelerators if a.assumption),
        *(f"{a.key}: {a.source} (as of {a.as_of})." for a in catalog.accelerators),
        f"Catalog as of {catalog.as_of}.",
    ]
    return [Table(headers=headers, rows=rows, title="Accelerators", notes=notes, wrap=("on Colab", "name"),
                  optional=("name", "year", "memory GB", "TF32 TFLOP/s"),
                  align=("left", "left", "left", *("right",) * 6, "left"))]


def hardware_payload(catalog: Catalog) -> dict[str, Any]:
    """The `hardware` JSON: every accelerator as its catalog entry (every field, null where unknown, with
    source and as_of), so an entry of one's own can be copied from it; the keys Colab offers on the
    catalog date apart from the entries."""
    offered_now = _offered(catalog)
    return {
        "as_of": catalog.as_of.isoformat(),
        "accelerators": [_fields(a) for a in catalog.accelerators],
        "offered_on_as_of": [a.key for a in catalog.accelerators if a.key in offered_now],
        "catalog_files": list(catalog.files),
    }
