"""How a Recommendation reads: the verdict, a line per subscription, the options table, a bar chart,
the assumptions with their sources, and the JSON. The table shows each plan on the option the
engine chose for it; the arrow marks the engine's overall choice."""

from __future__ import annotations

from typing import Any

from ..decide.engine import BreakEven, Recommendation
from ..decide.facts import UNKNOWN_FREE_LIMITS, UNKNOWN_SESSION
from ..decide.options import COMMITMENTS, Option
from .assumptions import assumption_lines, assumption_text, note_text
from .blockers import blockers_text
from .catalog import tax_heading
from .table import Table, bars, render_table, wrap
from .verdict import (
    alternative_sentence,
    buy_sentence,
    label,
    plan_sentence,
    provenance_text,
    verdict_sentences,
)
from .words import UNKNOWN, count, duration, figure_text, hours, money, ratio, runs_a_month, share

ARROW = "→ "


def _time_band(option: Option) -> str:
    if option.run_hours is None or not option.run_hours_band:
        return UNKNOWN
    text = duration(option.run_hours)
    low, high = (duration(h) for h in option.run_hours_band)
    return text if low == high else f"{text} ({low}-{high})"


def _fits(option: Option, needs_ram: bool) -> str:
    if option.blockers:
        return blockers_text(option.blockers)
    parts = []
    if option.ram_fits is not None:
        parts.append("RAM ok")
    elif needs_ram:
        parts.append("RAM unknown")
    if option.sessions is not None:
        parts.append(count(option.sessions, "session"))
    if UNKNOWN_FREE_LIMITS in option.unknowns:
        parts.append(f"free hours cover it in {share(option.p_fits_quota)}")
    elif option.p_fits_quota is not None and option.p_fits_quota < 1:
        parts.append(f"quota covers it in {share(option.p_fits_quota)}")
    if UNKNOWN_SESSION in option.unknowns:
        parts.append("session length assumed")
    return ", ".join(parts) or UNKNOWN


def shown_options(rec: Recommendation, every: bool = False) -> list[Option]:
    """This machine, then each plan's chosen option (or every option with `every`)."""
    return [rec.local, *rec.options] if every else list(rec.shown)


def _notes(rec: Recommendation, shown: list[Option], every: bool) -> list[str]:
    notes = []
    for o in shown:
        said = []
        if o.needs_checkpointing and o.session_hours is not None:
            limit = figure_text(round(o.session_hours or 0, 1))
            said.append(f"{count(o.sessions or 1, 'session')} of at most {limit} h: needs checkpointing")
        extra = o.cu_beyond_included
        if extra is not None and o.plan is not None:
            said.append(f"needs {extra:,.0f} CU a month beyond the {o.plan.cu_included:g} included")
        if said:
            notes.append(f"{label(o)}: {'; '.join(said)}")
    won = "an option wins" if every else "its plan wins, on any of its accelerators"
    notes.append(f"Figures are the median of {rec.draws} draws of every uncertain input, bands their 10-90 %; "
                 f"net value and hours saved are expected values; 'best' is the share of draws {won}.")
    if every:
        # The verdict speaks of plans (Colab picks the device at run time): its share is the sum of the rows'.
        names = {o.plan.name: o.plan.display_name for o in rec.options if o.plan is not None}
        plans = [(names.get(plan, "this machine"), value) for plan, value in rec.plan_shares if value >= 0.005]
        if plans:
            listed = ", ".join(f"{name} {share(value)}" for name, value in sorted(plans, key=lambda p: -p[1]))
            notes.append(f"A plan's share, as the verdict gives it, is the sum over its accelerators: {listed}.")
    if not every:
        notes.append("Each plan on the accelerator chosen for it; --all lists every accelerator, --json has them all.")
    return notes


def _unit(workload) -> str:
    """What one pass over the data is called: an epoch of a deep model, a boosting round."""
    return "boosting round" if workload.model == "boosting" else "epoch"


def breakdown_table(rec: Recommendation, every: bool = False, arrow: str = ARROW) -> Table:
    """`arrow` marks the chosen row; a terminal without "→" gets its plain stand-in before the widths are
    measured, so the columns stay aligned."""
    rows = []
    shown = shown_options(rec, every)
    w = rec.workload
    best = rec.best.key if rec.best is not None else None
    for option in shown:
        rows.append((
            (arrow if option.key == best else "") + label(option),
            _time_band(option),
            ratio(option.speedup),
            hours(option.monthly_hours),
            "-" if option.plan is None or not option.plan.uses_compute_units else
            (UNKNOWN if option.cu_per_month is None else f"{option.cu_per_month:,.0f}"),
            money(option.cost),
            hours(option.hours_saved),
            money(option.value),
            share(option.p_best if every else rec.plan_share(option)) if option.usable else "-",
            _fits(option, w.ram_gb is not None),
            option.epoch.basis if option.epoch else UNKNOWN,
        ))
    horizon = "a month" if w.months == 1 else f"{w.months} months"
    cost_header = "cost" if w.months == 1 else f"cost, {w.months} months"
    return Table(
        title=f"per option, {runs_a_month(w.runs_per_month)} of {count(w.epochs, _unit(w))}, over {horizon} "
              f"(catalog as of {rec.as_of}, prices {tax_heading(rec.tax)})",
        headers=("option", "time per run", "speed", "hours/month", "CU/month", cost_header, "hours saved",
                 "net value", "best", "fits", "basis"),
        rows=rows,
        notes=_notes(rec, shown, every),
        optional=("basis", "CU/month", "hours/month", "hours saved", "net value", "speed"),
        wrap=("fits", "option", "time per run"),
    )


def time_bars(rec: Recommendation, every: bool = False, width: int | None = None) -> str:
    items = [(label(o), o.run_hours) for o in shown_options(rec, every)]
    widest = max((len(name) for name, _ in items), default=0)
    bar = 36 if width is None else max(10, min(36, width - widest - 14))
    return "time per run\n" + bars(items, width=bar, text=duration)


def render_recommendation(rec: Recommendation, fmt: str, every: bool = False, width: int | None = None,
                          arrow: str = ARROW) -> str:
    markdown = fmt == "markdown"
    verdict = " ".join(verdict_sentences(rec))
    paragraphs = [f"**{verdict}**" if markdown else wrap(verdict, width)]
    lines = [plan_sentence(rec, a) for a in rec.plan_answers]
    bought = buy_sentence(rec)
    if bought is not None:
        lines.append(bought)
    lines += [alternative_sentence(o) for o in rec.alternatives if rec.best is None or o.plan != rec.best.plan]
    for text in lines:
        paragraphs.append(f"- {text}" if markdown else wrap(text, width, "  "))
    parts = ["\n".join(paragraphs[:1]), "\n".join(paragraphs[1:])] if len(paragraphs) > 1 else paragraphs
    parts.append(render_table(breakdown_table(rec, every, arrow), fmt, width))
    chart = time_bars(rec, every, width)
    parts.append(f"```\n{chart}\n```" if markdown else chart)
    parts.append(assumptions_text(rec, fmt, width))
    return "\n\n".join(parts)


def assumptions_text(rec: Recommendation, fmt: str, width: int | None) -> str:
    lines = ["### assumptions" if fmt == "markdown" else "assumptions"]
    for text in assumption_lines(rec.assumptions):
        lines.append(f"- {text}" if fmt == "markdown" else wrap(f"- {text}", width, "  "))
    return "\n".join(lines)


def warnings(rec: Recommendation) -> list[str]:
    return [note_text(n) for n in rec.notes]


# ---- JSON --------------------------------------------------------------------------------------------
def _pair(value: tuple[float, float] | None) -> dict[str, float] | None:
    return None if value is None else {"low": value[0], "high": value[1]}


def _option_payload(option: Option, plan_share: float) -> dict[str, Any]:
    epoch = option.epoch
    purchase = option.purchase
    return {
        "key": option.key,
        "label": label(option),
        "plan": option.plan.name if option.plan else None,
        "provider": option.plan.provider if option.plan else None,
        "accelerator": option.accelerator.key if option.accelerator else None,
        "epoch_seconds": None if epoch is None else {"value": epoch.seconds, "low": epoch.low, "high": epoch.high},
        "basis": epoch.basis if epoch else None,
        "basis_detail": provenance_text(option) if option.provenance else None,
        "provenance": option.provenance.to_dict() if option.provenance else None,
        "speedup": option.speedup,
        "speedup_band": _pair(option.speedup_band),
        "sessions": option.sessions,
        "session_hours": option.session_hours,
        "session_assumed": option.session_assumed,
        "run_hours": option.run_hours,
        "run_hours_band": _pair(option.run_hours_band),
        "monthly_hours": option.monthly_hours,
        "cu_per_month": option.cu_per_month,
        "cost_usd": option.cost,
        "expected_cost_usd": option.expected_cost,
        "purchase": None if purchase is None else {
            "months": purchase.months, "subscription_usd": purchase.subscription_usd,
            "packs": [{"cu": pack.cu, "usd": pack.usd, "count": n} for pack, n in purchase.packs],
            "packs_usd": purchase.packs_usd, "cu_granted": purchase.cu_granted, "cu_bought": purchase.cu_bought,
            "cu_unused": purchase.cu_unused, "before_tax_usd": purchase.subtotal_usd,
            "with_tax_usd": purchase.total_usd,
        },
        "hours_saved": option.hours_saved,
        "expected_value_usd": option.value,
        "net_value_usd": option.value,
        "net_value_band_usd": _pair(option.value_band),
        "p_best": option.p_best,  # the share of draws this option itself is the best
        "p_plan_best": plan_share,  # the share its plan, on any of its options, is: the table's 'best'
        "ram_gb": option.ram_gb,
        "ram_fits": option.ram_fits,
        "free_quota_hours_per_month": option.free_quota_hours,
        "free_quota_band": _pair(option.free_quota_band),
        "p_fits_free_quota": option.p_fits_quota,
        "commitment": COMMITMENTS[option.commitment],
        "usable": option.usable,
        "blockers": [b.to_dict() for b in option.blockers],
        "unknowns": list(option.unknowns),
        "needs_checkpointing": option.needs_checkpointing,
    }


def _even(even: BreakEven) -> dict[str, float | None]:
    return {"runs_from": even.runs_from, "runs_until": even.runs_until, "hour_value_usd": even.hour_value}


def recommendation_payload(rec: Recommendation) -> dict[str, Any]:
    w = rec.workload
    figure = rec.local_figure
    return {
        "verdict": verdict_sentences(rec),
        "workload": {
            "model": w.model, "epochs": w.epochs, "epoch_seconds": w.epoch_seconds, "samples": w.epoch_samples,
            "preset": rec.basis_preset, "sized_by_default": w.sized_by_default, "runs_per_month": w.runs_per_month,
            "hour_value_usd": w.hour_value, "hour_value_is_default": not w.hour_value_given, "ram_gb": w.ram_gb,
            "setup_minutes": w.setup_minutes, "months": w.months, "free_gpu_hours": w.free_gpu_hours,
        },
        "as_of": rec.as_of.isoformat(),
        "requested": rec.requested.isoformat(),
        "catalog_ends": rec.coverage_last.isoformat(),
        "era": rec.era,
        "tax": {"basis": rec.tax.kind, "percent": rec.tax.percent, "unknown": rec.tax.unknown},
        "draws": rec.draws,
        "best": rec.best.key if rec.best else None,
        "p_best": rec.best.p_best if rec.best else None,
        "p_choice": rec.p_choice,
        "sure": rec.sure,
        "p_runner_up": rec.p_runner_up,
        "runner_up": rec.runner_up.key if rec.runner_up else None,
        "settle": list(rec.settle),
        "runner_up_equal": rec.runner_up_equal,
        "plan_choices": dict(rec.plan_choices),
        "baseline": rec.baseline.key if rec.baseline else None,
        "depends_on": list(rec.depends_on),
        "past_free_limits": rec.past_free_limits.key if rec.past_free_limits else None,
        "fallback": None if rec.fallback is None else {
            "chosen": rec.fallback.chosen.key, "fallback": rec.fallback.fallback.key, "holds": rec.fallback.holds,
            "run_hours": rec.fallback.fallback.run_hours, "cost_usd": rec.fallback.fallback.cost,
            "source": rec.fallback.source, "as_of": rec.fallback.as_of.isoformat(),
            "rival": None if rec.fallback.rival is None else rec.fallback.rival.key,
        },
        "free_hours": None if rec.free_hours is None else {
            "median": rec.free_hours.median, "band": _pair(rec.free_hours.band), "sigma": rec.free_hours.sigma,
        },
        "buy": None if rec.buy is None else {
            "accelerator": rec.buy.accelerator.key, "price_usd": rec.buy.price_usd,
            "kwh_price_usd": rec.buy.kwh_price_usd, "watts": rec.buy.watts,
            "against": None if rec.buy.against is None else rec.buy.against.key,
            "run_hours": rec.buy.run_hours, "run_hours_band": _pair(rec.buy.run_hours_band),
            "monthly_hours": rec.buy.monthly_hours, "electricity_usd_per_month": rec.buy.electricity_usd_per_month,
            "owning_usd_per_month": rec.buy.owning_usd_per_month,
            "renting_usd_per_month": rec.buy.renting_usd_per_month, "break_even_months": rec.buy.months,
            "break_even_months_band": None if rec.buy.months_band is None else {
                "low": rec.buy.months_band[0], "high": rec.buy.months_band[1]},
            "p_within_36_months": rec.buy.p_within_horizon, "blockers": [b.to_dict() for b in rec.buy.blockers],
            "sentence": buy_sentence(rec),
        },
        "plans": [
            {"plan": a.plan.name, "option": a.option.key if a.option else None, "status": a.status,
             "p_pays_off": a.p_pays_off, "break_even": _even(a.break_even),
             "cheaper_alike": a.cheaper_alike.key if a.cheaper_alike else None,
             "blockers": [b.to_dict() for b in a.blockers], "sentence": plan_sentence(rec, a)}
            for a in rec.plan_answers
        ],
        "local_figure": None if figure is None else {
            "seconds_per_step": figure.seconds, "low": figure.low, "high": figure.high, "sigma": figure.sigma,
            "measurements": list(figure.ids), "quick": figure.quick, "unstable": figure.unstable,
            "interfered": figure.interfered, "interference_share": figure.interference_share, "weak": figure.weak,
        },
        "options": [_option_payload(o, rec.plan_share(o)) for o in (rec.local, *rec.options)],
        "assumptions": [dict(a.to_dict(), text=assumption_text(a)) for a in rec.assumptions],
        "warnings": warnings(rec),
    }
