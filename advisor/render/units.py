"""What `units` shows: per accelerator, CU an hour, the hours a balance buys, what an hour costs,
and when units bought on the date expire; as a table and as a JSON-ready payload."""

from __future__ import annotations

from datetime import date
from typing import Any

from ..decide.units import BALANCE, PLAN_UNITS, UnitsAnswer, UnitsLine
from .catalog import TAX_CAVEAT, tax_heading
from .table import UNKNOWN, Table, duration, money
from .words import figure_text


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _rounded(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def _name(line: UnitsLine) -> str:
    return line.accelerator if line.devices == 1 else f"{line.accelerator} x{line.devices}"


def _hour_cost(value: float | None) -> str:
    # Cents matter for the CPU runtime's hour, which costs less than one.
    if value is None:
        return UNKNOWN
    return f"${value:.3f}" if value < 0.1 else money(value)


def _cu(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}".rstrip("0").rstrip(".")


def _what(answer: UnitsAnswer) -> str:
    if answer.balance_basis == BALANCE:
        return f"{_cu(answer.balance_cu)} CU"
    if answer.balance_basis == PLAN_UNITS:
        return f"{answer.plan_display_name}'s {_cu(answer.balance_cu)} CU a month"
    return f"{_cu(answer.balance_cu)} CU (the smallest pack)"


def _expiry(answer: UnitsAnswer) -> str:
    when = f"on {answer.expires_on}" if answer.expires_on is not None else "after the calendar's last day"
    return (f"Units bought on {answer.bought_on} expire {when} ({answer.expiry_days} days); unused units are lost "
            "then.")


def units_tables(answer: UnitsAnswer) -> list[Table]:
    tax = answer.tax
    headers = ["accelerator", "CU/hour", "hours", "USD/hour before tax"]
    taxed = tax.applies and not tax.unknown  # a rate to apply: no column of 'unknown' beside the prices
    if taxed:
        headers.append(f"USD/hour {tax_heading(tax)}")
    headers.append("rate reported")
    rows = []
    for line in answer.lines:
        cells = [_name(line), figure_text(line.cu_per_hour), duration(line.hours), _hour_cost(line.usd_per_hour)]
        if taxed:
            cells.append(_hour_cost(line.usd_per_hour_taxed))
        cells.append((_day(line.rate_as_of) if line.cu_per_hour is not None else None) or UNKNOWN)  # no rate, no day
        rows.append(cells)
    notes = [
        *([f"The catalog ends on {answer.as_of}: rates for {answer.bought_on} are those of that day."]
          if answer.bought_on > answer.as_of else []),
        _expiry(answer),
        f"One CU costs about {money(answer.cu_price_usd * 100)} per 100 (Pay As You Go), before tax; a connected "
        "runtime burns CU even when idle.",
        *([f"An hour is priced at that Pay As You Go price; one of {answer.plan_display_name}'s own units costs "
           f"${answer.plan_usd_per_cu:.4f} (its price over its units)."]
          if answer.plan_usd_per_cu and round(answer.plan_usd_per_cu, 4) != round(answer.cu_price_usd, 4) else []),
        *(f"{_name(line)}: one unconfirmed reading, used because no confirmed one exists."
          for line in answer.lines if line.rate_unconfirmed),
        *(f"{_name(line)}: {line.rate_note}." for line in answer.lines if line.rate_note),
        *_sources(answer),
        *([f"Tax: {tax.country.name}, {tax.country.source} (as of {tax.country.as_of}). {TAX_CAVEAT}"]
          if tax.country is not None else []),
        f"Catalog as of {answer.as_of}. \"{UNKNOWN}\": no source gives the rate.",
    ]
    title = f"What {_what(answer)} buy on {answer.bought_on}"
    return [Table(headers=headers, rows=rows, title=title, notes=notes, optional=("rate reported",))]


def _sources(answer: UnitsAnswer) -> list[str]:
    by_source: dict[tuple[str, str], list[str]] = {}
    for line in answer.lines:
        if line.rate_source is not None and line.rate_as_of is not None and line.cu_per_hour is not None:
            by_source.setdefault((line.rate_source, line.rate_as_of.isoformat()), []).append(_name(line))
    return [f"CU rates of {', '.join(keys)}: {source} ({as_of})." for (source, as_of), keys in by_source.items()]


def units_payload(answer: UnitsAnswer) -> dict[str, Any]:
    """The `units` JSON: one object per accelerator with `accelerator`, `cu_per_hour` and `hours`."""
    tax = answer.tax
    return {
        "as_of": answer.as_of.isoformat(),
        "balance_cu": answer.balance_cu,
        "balance_basis": answer.balance_basis,
        "plan": answer.plan,
        "cu_price_usd": answer.cu_price_usd,
        "currency": "USD",
        "tax": None if not tax.applies else {
            "basis": tax.kind, "percent": tax.percent,
            **({"country": tax.country.country, "source": tax.country.source, "as_of": tax.country.as_of.isoformat()}
               if tax.country is not None else {}),
        },
        "bought_on": answer.bought_on.isoformat(),
        "expiry_days": answer.expiry_days,
        "expires_on": _day(answer.expires_on),
        "plan_usd_per_cu": answer.plan_usd_per_cu,
        "accelerators": [
            {
                "accelerator": line.accelerator,
                "devices": line.devices,
                "cu_per_hour": line.cu_per_hour,
                "hours": _rounded(line.hours, 2),
                "usd_per_hour": _rounded(line.usd_per_hour),
                "usd_per_hour_with_tax": _rounded(line.usd_per_hour_taxed) if tax.applies else None,
                "rate_as_of": _day(line.rate_as_of),
                "rate_source": line.rate_source,
                "rate_unconfirmed": line.rate_unconfirmed,
                "rate_note": line.rate_note,
            }
            for line in answer.lines
        ],
    }
