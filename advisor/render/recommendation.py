"""How a Recommendation reads: the verdict, a line per subscription, the options table, a bar chart,
the assumptions with their sources, and the JSON. Every sentence the user reads is built here."""

from __future__ import annotations

from typing import Any

from ..decide.engine import (
    CANNOT_PRICE,
    CANNOT_TELL,
    DOES_NOT_FIT,
    PAYS_OFF,
    TIE_CHEAPER,
    TIE_SAFER,
    BreakEven,
    PlanAnswer,
    Recommendation,
)
from ..decide.options import UNKNOWN_FREE_LIMITS, UNKNOWN_RAM, UNKNOWN_SESSION, Option
from .table import UNKNOWN, Table, bars, duration, money, render_table, wrap

# Below this speed ratio either way, "faster" or "slower" would overstate a prediction.
SAME_SPEED_BAND = 1.5
TIED_NAMED = 3


# ---- words for figures ------------------------------------------------------------------------------
def times(value: float) -> str:
    return f"{value:.0f}x" if value >= 10 else f"{value:.1f}x"


def dollars(value: float) -> str:
    return f"${value:,.2f}" if abs(value) < 100 else f"${value:,.0f}"


def runs_text(count: float) -> str:
    return f"{count:g} run{'' if count == 1 else 's'} a month"


def hours(value: float | None) -> str:
    if value is None:
        return UNKNOWN
    return f"{0.0 if abs(value) < 0.05 else value:,.1f} h"  # no "-0.0 h"


def _months(rec: Recommendation) -> str:
    n = rec.workload.months
    return "a month" if n == 1 else f"over {n} months"


def _cost_text(rec: Recommendation, option: Option) -> str:
    if option.cost is None:
        return UNKNOWN
    if option.cost == 0:
        return "$0"
    text = dollars(option.cost)
    return text if rec.workload.months == 1 else f"{text} ({dollars(option.cost / rec.workload.months)}/month avg.)"


def _speed_band(rec: Recommendation, option: Option) -> str:
    """'8.1x (5.2x-11x) faster than this machine, predicted' and the like, per run with setup."""
    local = rec.local.run_hours
    if option.run_hours is None or local is None or not option.run_hours_band:
        return "at an unknown speed"
    ratio = local / option.run_hours
    fast, slow = local / option.run_hours_band[0], local / option.run_hours_band[1]
    basis = option.epoch.basis if option.epoch else UNKNOWN
    band = "" if times(fast) == times(slow) else f" ({times(slow)}-{times(fast)})"
    if ratio >= 1:
        return f"about {times(ratio)}{band} faster than this machine ({basis})"
    return f"about {times(1 / ratio)} slower than this machine ({basis})"


# ---- the verdict ----------------------------------------------------------------------------------------
def _close_call(rec: Recommendation, option: Option) -> str:
    """A word where setup eats most of the gain: under SAME_SPEED_BAND either way per run."""
    local = rec.local.run_hours
    if not rec.local.usable or option.run_hours is None or local is None or local / option.run_hours >= SAME_SPEED_BAND:
        return ""
    setup = rec.workload.setup_minutes
    return f" Setup ({setup:g} min a session) eats most of the gain: staying here costs little."


def _unknown_words(rec: Recommendation, option: Option, name: str) -> str:
    if name == UNKNOWN_FREE_LIMITS:
        need = hours(option.monthly_hours)
        past = rec.past_free_limits
        after = f"; past them, {past.label}" if past is not None else ""
        return f"Colab's unpublished free-tier limits (it needs {need} of GPU a month{after})"
    if name == UNKNOWN_RAM:
        return f"its RAM (the job needs {rec.workload.ram_gb:g} GB; no source gives this runtime's)"
    if name == UNKNOWN_SESSION:
        return f"its session length (no source gives it; Free's {option.session_hours:g} h was assumed)"
    if name == "tax":
        return "the tax (no single rate for this country: prices are before tax)"
    return name


def verdict_sentences(rec: Recommendation) -> list[str]:
    w = rec.workload
    if rec.nothing_fits:
        reasons = sorted({b for o in (rec.local, *rec.options) for b in o.blockers})
        return [f"Nothing fits this job on this machine or any Colab plan in the catalog: {'; '.join(reasons)}."]
    best = rec.best
    assert best is not None
    out = []
    at = f"at {runs_text(w.runs_per_month)} and {dollars(w.hour_value)} an hour"
    if best.is_local:
        colab = _fastest_colab(rec)
        if rec.local.ram_fits is False:
            out.append("This machine lacks the RAM for this job.")
        if colab is None:
            out.append(f"Stay on this machine: no Colab option both fits this job and can be priced {at} (see the "
                       "fits column).")
        else:
            out.append(f"Stay on this machine: no Colab option is worth its cost {at}; the fastest usable, "
                       f"{colab.label}, runs this {_speed_band(rec, colab)}.")
    elif best.is_free:
        lead = "Use Colab" if rec.local.usable else "This machine cannot do this job; use Colab"
        out.append(f"{lead}: {best.label} runs this {_speed_band(rec, best)}, for $0.{_close_call(rec, best)}")
    else:
        saved = best.hours_saved or 0.0
        against = rec.baseline
        extra = ""
        if against is not None and not against.is_local and against.hours_saved is not None:
            saved -= against.hours_saved
            extra = f" than {against.label}"
        out.append(
            f"Pay for {best.label}: it runs this {_speed_band(rec, best)}; {_cost_text(rec, best)} "
            f"{_months(rec)} buys {hours(saved)} less waiting{extra}, worth {dollars(saved * w.hour_value)}."
        )
    if rec.tied_with:
        names = [o.label for o in rec.tied_with[:TIED_NAMED]]
        more = len(rec.tied_with) - len(names)
        listed = ", ".join(names) + (f" and {more} more" if more else "")
        why = {TIE_CHEAPER: "it costs less", TIE_SAFER: "it costs no more, with fewer unknowns and no larger "
               "commitment"}.get(rec.decided_by, "it saves the most hours")
        out.append(f"The figures cannot tell it apart from {listed} (their value bands overlap); it was chosen "
                   f"because {why}.")
    if rec.depends_on:
        words = [_unknown_words(rec, best, name) for name in rec.depends_on]
        out.append(f"This rests on what no source gives: {'; '.join(words)}.")
    figure = rec.local_figure
    if figure is not None and figure.weak:
        why = "a --quick run" if figure.quick else "an unstable run"
        out.append(f"This machine's speed comes from one measurement, {why}: run `colab-advisor measure` again "
                   "for a figure to trust.")
    if rec.beyond_coverage:
        out.append(f"The catalog ends on {rec.as_of}: prices and rates for {rec.requested} are those of that day.")
    return out


def _fastest_colab(rec: Recommendation) -> Option | None:
    usable = [o for o in rec.options if o.is_colab and o.usable and o.run_hours]
    return min(usable, key=lambda o: o.run_hours or 0.0, default=None)


def _break_even_words(even: BreakEven, kind: str) -> str | None:
    if even.centre is None:
        return None
    text = runs_text(even.centre) if kind == "runs" else f"{dollars(even.centre)} an hour"
    prefix = "from " if kind == "runs" else "above "
    return prefix + text


def plan_sentence(rec: Recommendation, answer: PlanAnswer) -> str:
    w = rec.workload
    name = answer.plan.display_name
    extras = _extras(answer)
    if answer.status in (DOES_NOT_FIT, CANNOT_PRICE) or answer.option is None:
        why = "; ".join(answer.blockers) or "no option can be timed"
        head = "does not fit this job" if answer.status == DOES_NOT_FIT else "cannot be priced"
        return f"{name}: {head} ({why}). {extras}"
    option = answer.option
    acc = option.accelerator.key if option.accelerator else "?"
    at = f"at {runs_text(w.runs_per_month)}"
    against = rec.baseline.label if rec.baseline is not None else "nothing"
    if answer.status == PAYS_OFF:
        head = f"pays off {at} on {acc} against {against}, across the whole speed band"
    elif answer.status == CANNOT_TELL:
        head = f"the figures cannot tell whether it pays off {at} on {acc} against {against}"
    else:
        head = f"does not pay off {at} on {acc} against {against}"
    points = [p for p in (_break_even_words(answer.runs, "runs"), _break_even_words(answer.hour_value, "hour"))
              if p]
    sentence = f"{name}: {head}."
    if answer.status != PAYS_OFF:
        if points:
            sentence += f" On the centre of the speed band it would {' or '.join(points)}"
            confirm = answer.runs.clear
            sentence += (f"; the whole band agrees from {runs_text(confirm)}." if confirm is not None
                         else "; the speed band cannot confirm it.")
        else:
            sentence += " More runs or a higher hour value would not change that."
    if answer.cheaper_alike is not None:
        sentence += (f" {answer.cheaper_alike.plan.display_name if answer.cheaper_alike.plan else ''} gives the same "
                     f"{acc} time for no more money and no subscription.")
    return f"{sentence} {extras}"


def _extras(answer: PlanAnswer) -> str:
    plan = answer.plan

    def text(value: object, unit: str = "") -> str:
        if value is None:
            return UNKNOWN
        if isinstance(value, bool):
            return "yes" if value else "no"
        return f"{value:g}{unit}" if isinstance(value, float | int) else str(value)

    cu = "no CU" if plan.cu_included is None else f"{plan.cu_included:g} CU a month"
    return (f"It buys {cu}, High-RAM {text(plan.high_ram_gb, ' GB')}, sessions up to "
            f"{text(plan.max_session_hours, ' h')}, background execution {text(plan.background_execution)}.")


def alternative_sentence(rec: Recommendation, option: Option) -> str:
    name = option.plan.display_name if option.plan else option.label
    acc = option.accelerator.key if option.accelerator else "?"
    if option.run_hours is None:
        return f"{name}: its {acc} cannot be timed from the catalog."
    per_run = duration(option.run_hours)
    quota = option.free_quota_hours
    limit = f" against a free quota of {hours(quota)}" if quota is not None else ""
    if option.usable:
        return (f"{name}: its free {acc} would take {per_run} a run, {hours(option.monthly_hours)} a month"
                f"{limit}.")
    return f"{name}: its free {acc} would take {per_run} a run; {'; '.join(option.blockers)}."


# ---- tables -------------------------------------------------------------------------------------------
def _time_band(option: Option) -> str:
    if option.run_hours is None or not option.run_hours_band:
        return UNKNOWN
    text = duration(option.run_hours)
    low, high = (duration(h) for h in option.run_hours_band)
    return text if low == high else f"{text} ({low}-{high})"


def _fits(option: Option, needs_ram: bool) -> str:
    if option.blockers:
        return "; ".join(option.blockers)
    parts = []
    if option.ram_fits is not None:
        parts.append("RAM ok")
    elif needs_ram:
        parts.append("RAM unknown")
    if option.sessions is not None:
        parts.append("1 session" if option.sessions == 1 else f"{option.sessions} sessions")
    if UNKNOWN_FREE_LIMITS in option.unknowns:
        parts.append("free limits unknown")
    if UNKNOWN_SESSION in option.unknowns:
        parts.append("session length assumed")
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
    return (1 if option.usable else 0, option.value if option.value is not None else float("-inf"))


def breakdown_table(rec: Recommendation, every: bool = False) -> Table:
    rows = []
    shown = shown_options(rec, every)
    w = rec.workload
    for option in shown:
        rows.append((
            ("→ " if option is rec.best else "") + option.label,
            _time_band(option),
            UNKNOWN if option.speedup is None else f"{option.speedup:.1f}x",
            hours(option.monthly_hours),
            "-" if option.plan is None or not option.plan.uses_compute_units else
            (UNKNOWN if option.cu_per_month is None else f"{option.cu_per_month:,.0f}"),
            money(option.cost),
            hours(option.hours_saved),
            money(option.value),
            _fits(option, w.ram_gb is not None),
            option.epoch.basis if option.epoch else UNKNOWN,
        ))
    notes = [f"{o.label}: {'; '.join(o.notes)}" for o in shown if o.notes]
    if not every:
        notes.append("Each plan on its best accelerator; --all lists every accelerator, --json has them all.")
    horizon = "a month" if w.months == 1 else f"{w.months} months"
    cost_header = "cost" if w.months == 1 else f"cost, {w.months} months"
    return Table(
        title=f"per option, {w.runs_per_month:g} runs a month of {w.epochs} epochs, over {horizon} "
              f"(catalog as of {rec.as_of}, prices {rec.tax.heading})",
        headers=("option", "time per run", "speed", "hours/month", "CU/month", cost_header, "hours saved",
                 "net value", "fits", "basis"),
        rows=rows,
        notes=notes,
        optional=() if every else ("basis", "CU/month", "hours/month", "net value", "hours saved", "speed"),
        wrap=("fits", "option"),
    )


def time_bars(rec: Recommendation, every: bool = False, width: int | None = None) -> str:
    items = [(o.label, o.run_hours) for o in shown_options(rec, every)]
    label = max((len(name) for name, _ in items), default=0)
    bar = 36 if width is None else max(10, min(36, width - label - 14))
    return "time per run (hours)\n" + bars(items, width=bar, unit=" h")


def render_recommendation(rec: Recommendation, fmt: str, every: bool = False, width: int | None = None) -> str:
    markdown = fmt == "markdown"
    verdict = " ".join(verdict_sentences(rec))
    paragraphs = [f"**{verdict}**" if markdown else wrap(verdict, width)]
    for answer in rec.plan_answers:
        text = plan_sentence(rec, answer)
        paragraphs.append(f"- {text}" if markdown else wrap(text, width, "  "))
    for option in rec.alternatives:
        text = alternative_sentence(rec, option)
        paragraphs.append(f"- {text}" if markdown else wrap(text, width, "  "))
    parts = ["\n".join(paragraphs[:1]), "\n".join(paragraphs[1:])] if len(paragraphs) > 1 else paragraphs
    parts.append(render_table(breakdown_table(rec, every), fmt, None if every else width))
    chart = time_bars(rec, every, width)
    parts.append(f"```\n{chart}\n```" if markdown else chart)
    parts.append(assumptions_text(rec, fmt, width))
    return "\n\n".join(parts)


def assumptions_text(rec: Recommendation, fmt: str, width: int | None) -> str:
    lines = ["### assumptions" if fmt == "markdown" else "assumptions"]
    for a in rec.assumptions:
        source = f" [{a.source}{', ' + a.as_of if a.as_of else ''}]"
        text = f"- {a.text}{source}"
        lines.append(text if fmt == "markdown" else wrap(text, width, "  "))
    return "\n".join(lines)


# ---- JSON --------------------------------------------------------------------------------------------
def _pair(value: tuple[float, float] | None) -> dict[str, float] | None:
    return None if value is None else {"low": value[0], "high": value[1]}


def _option_payload(option: Option) -> dict[str, Any]:
    epoch = option.epoch
    purchase = option.purchase
    return {
        "key": option.key,
        "label": option.label,
        "plan": option.plan.name if option.plan else None,
        "provider": option.plan.provider if option.plan else None,
        "accelerator": option.accelerator.key if option.accelerator else None,
        "epoch_seconds": None if epoch is None else {"value": epoch.seconds, "low": epoch.low, "high": epoch.high},
        "basis": epoch.basis if epoch else None,
        "basis_detail": epoch.detail if epoch else None,
        "speedup": option.speedup,
        "sessions": option.sessions,
        "session_hours": option.session_hours,
        "session_assumed": option.session_assumed,
        "run_hours": option.run_hours,
        "run_hours_band": _pair(option.run_hours_band),
        "monthly_hours": option.monthly_hours,
        "cu_per_month": option.cu_per_month,
        "cost_usd": option.cost,
        "purchase": None if purchase is None else {
            "months": purchase.months, "subscription_usd": purchase.subscription_usd,
            "packs": [{"cu": pack.cu, "usd": pack.usd, "count": count} for pack, count in purchase.packs],
            "packs_usd": purchase.packs_usd, "cu_granted": purchase.cu_granted, "cu_bought": purchase.cu_bought,
            "cu_unused": purchase.cu_unused, "before_tax_usd": purchase.subtotal_usd,
            "with_tax_usd": purchase.total_usd,
        },
        "hours_saved": option.hours_saved,
        "net_value_usd": option.value,
        "net_value_band_usd": _pair(option.value_band),
        "ram_gb": option.ram_gb,
        "ram_fits": option.ram_fits,
        "free_quota_hours_per_month": option.free_quota_hours,
        "commitment": ("nothing", "packs", "subscription")[option.commitment],
        "usable": option.usable,
        "blockers": list(option.blockers),
        "unknowns": list(option.unknowns),
        "needs_checkpointing": option.needs_checkpointing,
        "notes": list(option.notes),
    }


def _even(even: BreakEven) -> dict[str, float | None]:
    return {"centre": even.centre, "whole_band": even.clear}


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
        "best": rec.best.key if rec.best else None,
        "decided_by": rec.decided_by,
        "tied_with": [o.key for o in rec.tied_with],
        "baseline": rec.baseline.key if rec.baseline else None,
        "depends_on": list(rec.depends_on),
        "past_free_limits": rec.past_free_limits.key if rec.past_free_limits else None,
        "plans": [
            {"plan": a.plan.name, "option": a.option.key if a.option else None, "status": a.status,
             "break_even_runs_per_month": _even(a.runs), "break_even_hour_value_usd": _even(a.hour_value),
             "cheaper_alike": a.cheaper_alike.key if a.cheaper_alike else None, "blockers": list(a.blockers),
             "sentence": plan_sentence(rec, a)}
            for a in rec.plan_answers
        ],
        "local_figure": None if figure is None else {
            "seconds_per_step": figure.seconds, "low": figure.low, "high": figure.high,
            "measurements": list(figure.ids), "quick": figure.quick, "unstable": figure.unstable,
            "weak": figure.weak,
        },
        "options": [_option_payload(o) for o in (rec.local, *rec.options)],
        "assumptions": [a.to_dict() for a in rec.assumptions],
        "warnings": list(rec.warnings),
    }
