"""How a Recommendation reads: verdict, breakdown table, bar chart, assumptions, JSON and a plot."""

from __future__ import annotations

from typing import Any

from ..decide.engine import Option, Recommendation
from .table import UNKNOWN, Table, bars, duration, money, render_table


def _hours(value: float | None) -> str:
    if value is None:
        return UNKNOWN
    return f"{0.0 if abs(value) < 0.05 else value:,.1f} h"  # no "-0.0 h"


def _time_band(option: Option, epochs: int) -> str:
    if option.run_hours is None or option.epoch is None:
        return UNKNOWN
    text = duration(option.run_hours)
    setup = option.run_hours - epochs * option.epoch.seconds / 3600
    low, high = (duration(epochs * t / 3600 + setup) for t in (option.epoch.low, option.epoch.high))
    return text if low == high else f"{text} ({low}-{high})"


def _fits(option: Option, needs_ram: bool) -> str:
    parts = []
    if option.ram_fits is not None:
        parts.append("RAM ok" if option.ram_fits else "RAM too small")
    elif needs_ram:
        parts.append("RAM unknown")
    if option.sessions is not None:
        parts.append("1 session" if option.sessions == 1 else f"{option.sessions} sessions")
    return ", ".join(parts) or UNKNOWN


def shown_options(rec: Recommendation, every: bool = False) -> list[Option]:
    """This machine, then each plan's best option (or all of them with `every`)."""
    if every:
        return [rec.local, *rec.options]
    per_plan: dict[str, Option] = {}
    for option in rec.options:
        assert option.plan is not None
        current = per_plan.get(option.plan.name)
        if current is None or _rank(option) > _rank(current):
            per_plan[option.plan.name] = option
    return [rec.local, *per_plan.values()]


def _rank(option: Option) -> tuple[int, float]:
    return (1 if option.usable and option.net_value is not None else 0, option.net_value or float("-inf"))


def breakdown_table(rec: Recommendation, every: bool = False) -> Table:
    rows = []
    shown = shown_options(rec, every)
    for option in shown:
        rows.append((
            ("→ " if option is rec.best else "") + option.label,
            _time_band(option, rec.workload.epochs),
            UNKNOWN if option.speedup is None else f"{option.speedup:.1f}x",
            _hours(option.monthly_hours),
            "-" if option.plan is None or not option.plan.uses_compute_units else
            (UNKNOWN if option.cu_per_month is None else f"{option.cu_per_month:,.0f}"),
            money(option.cost),
            _hours(option.hours_saved),
            money(option.net_value),
            _fits(option, rec.workload.ram_gb is not None),
            option.epoch.basis if option.epoch else UNKNOWN,
        ))
    notes = [f"{o.label}: {'; '.join(o.notes)}" for o in shown if o.notes]
    if not every:
        notes.append("Each plan on its best accelerator; --all lists every accelerator, --json has them all.")
    return Table(
        title=f"per option, {rec.workload.runs_per_month:g} runs a month of {rec.workload.epochs} epochs "
              f"(catalog as of {rec.as_of}, prices {rec.tax.heading})",
        headers=("option", "time per run", "speed", "hours/month", "CU/month", "cost/month", "hours saved",
                 "net value", "fits", "basis"),
        rows=rows,
        notes=notes,
    )


def time_bars(rec: Recommendation, every: bool = False) -> str:
    items = [(o.label, o.run_hours) for o in shown_options(rec, every)]
    return "time per run (hours)\n" + bars(items, width=36, unit=" h")


def assumptions_table(rec: Recommendation) -> Table:
    return Table(
        title="assumptions",
        headers=("assumption", "source", "as of"),
        rows=[(a.text, a.source, a.as_of or "-") for a in rec.assumptions],
    )


def render_recommendation(rec: Recommendation, fmt: str, every: bool = False) -> str:
    verdict = " ".join(rec.verdict)
    parts = [f"**{verdict}**" if fmt == "markdown" else verdict, render_table(breakdown_table(rec, every), fmt)]
    chart = time_bars(rec, every)
    parts.append(f"```\n{chart}\n```" if fmt == "markdown" else chart)
    parts.append(render_table(assumptions_table(rec), fmt))
    return "\n\n".join(parts)


def _option_payload(option: Option) -> dict[str, Any]:
    epoch = option.epoch
    return {
        "key": option.key,
        "label": option.label,
        "plan": option.plan.name if option.plan else None,
        "accelerator": option.accelerator.key if option.accelerator else None,
        "epoch_seconds": None if epoch is None else {"value": epoch.seconds, "low": epoch.low, "high": epoch.high},
        "basis": epoch.basis if epoch else None,
        "basis_detail": epoch.detail if epoch else None,
        "speedup": option.speedup,
        "sessions": option.sessions,
        "run_hours": option.run_hours,
        "monthly_hours": option.monthly_hours,
        "cu_per_month": option.cu_per_month,
        "cost_usd": option.cost,
        "hours_saved": option.hours_saved,
        "net_value_usd": option.net_value,
        "ram_fits": option.ram_fits,
        "needs_checkpointing": option.needs_checkpointing,
        "notes": list(option.notes),
    }


def recommendation_payload(rec: Recommendation) -> dict[str, Any]:
    w = rec.workload
    return {
        "verdict": list(rec.verdict),
        "workload": {
            "model": w.model, "epochs": w.epochs, "epoch_seconds": w.epoch_seconds, "samples": w.samples,
            "preset": w.preset, "runs_per_month": w.runs_per_month, "hour_value_usd": w.hour_value,
            "hour_value_is_default": not w.hour_value_given, "ram_gb": w.ram_gb, "setup_minutes": w.setup_minutes,
        },
        "as_of": rec.as_of.isoformat(),
        "era": rec.era,
        "tax": {"basis": rec.tax.kind, "percent": rec.tax.percent},
        "best": rec.best.key if rec.best else None,
        "break_even": {"hour_value_usd": rec.break_even_hour_value, "runs_per_month": rec.break_even_runs},
        "deciders": list(rec.deciders),
        "options": [_option_payload(o) for o in (rec.local, *rec.options)],
        "assumptions": [a.to_dict() for a in rec.assumptions],
        "warnings": list(rec.warnings),
    }
