"""The verdict and the plan lines of a Recommendation, in words: every sentence built from its facts.

The figures come from the one choice the engine made: the option named here is the table's arrowed
row, its speed-up is the table's speed column (per run, setup included), its money is the table's.
"""

from __future__ import annotations

from ..decide.buy import HORIZON_MONTHS
from ..decide.engine import (
    CANNOT_PRICE,
    DOES_NOT_FIT,
    DOES_NOT_PAY_OFF,
    EQUAL_USD,
    PAYS_OFF,
    SETTLE_COLAB_MEASUREMENT,
    SETTLE_FREE_HOURS,
    SETTLE_HOUR_VALUE,
    SETTLE_LOCAL_MEASUREMENT,
    PlanAnswer,
    Recommendation,
)
from ..decide.facts import (
    UNKNOWN_FREE_LIMITS,
    UNKNOWN_LOCAL_RAM,
    UNKNOWN_RAM,
    UNKNOWN_SESSION,
    UNKNOWN_TAX,
)
from ..decide.options import Option
from .blockers import blockers_text
from .words import (
    UNKNOWN,
    count,
    dollars,
    dollars_up,
    duration,
    figure_text,
    gb,
    hours,
    ratio,
    ratio_band,
    runs_a_month,
    share,
    with_article,
)

PROVIDERS = {"colab": "Colab", "kaggle": "Kaggle"}
# Below this speed ratio per run either way, setup eats most of what a faster device gains.
SAME_SPEED_BAND = 1.5


def label(option: Option) -> str:
    if option.plan is None:
        return "this machine"
    device = option.accelerator.key if option.accelerator else "?"
    return f"{option.plan.display_name} · {device}{f' x{option.devices}' if option.devices > 1 else ''}"


def provenance_text(option: Option) -> str:
    """Where an option's epoch figure comes from, in words."""
    p = option.provenance
    if p is None:
        return UNKNOWN
    f = p.figures
    words = {
        "user_timing": lambda: "your timing (--epoch-seconds)",
        "local_median": lambda: f"this machine ({f['device']}): median of {count(f['count'], 'measurement')}, "
                                f"newest {f['newest']}",
        "specs": lambda: f"the catalog's specs of '{f['device']}'",
        "named_local": lambda: f"{f['workload']} predicted per kernel from this machine's measured ceilings",
        "measured": lambda: f"measurement {f['id']} from {f['where']} on {f['device']}",
        "predicted": lambda: f"predicted: {f['workload']} on {f['device']} specs",
        "cpu_ratio": lambda: f"CPU throughput ratio: this machine {f['local_gflops']:.0f} GFLOP/s vs {f['device']}",
    }
    return words[p.kind]() if p.kind in words else p.kind


def speed_words(option: Option, setup_minutes: float = 0.0) -> str:
    """'about 8.1x (5.2x-11x) faster than this machine (predicted)': per run, setup included. Where the
    sessions' setup is most of the option's run, the sentence says so: it is then no speed of the card."""
    if option.speedup is None or option.speedup_band is None:
        return "at an unknown speed"
    basis = option.epoch.basis if option.epoch else UNKNOWN
    setup_hours = (option.sessions or 0) * setup_minutes / 60
    if option.run_hours and setup_hours >= option.run_hours / 2:
        basis += f"; {setup_minutes:g} min of session setup is most of its run"
    low, high = option.speedup_band
    if option.speedup >= 1:
        return f"about {ratio(option.speedup)}{ratio_band(low, high)} faster than this machine ({basis})"
    return f"about {ratio(1 / option.speedup)}{ratio_band(1 / high, 1 / low)} slower than this machine ({basis})"


def _cost(rec: Recommendation, option: Option) -> str:
    if option.cost is None:
        return UNKNOWN
    if option.cost == 0:
        return "$0"
    months = rec.workload.months
    text = dollars(option.cost)
    return text if months == 1 else f"{text} over {months} months ({dollars(option.cost / months)} a month)"


def _close(rec: Recommendation) -> str:
    """Where the choice wins fewer than half the draws (it leads on expected value alone), the lead says
    so before the sentence that names what would settle it."""
    return ", a close call" if not rec.sure and rec.runner_up is not None and rec.p_choice < 0.5 else ""


def _sure(rec: Recommendation) -> str:
    return f"best in {share(rec.p_choice)} of the range the figures allow"


def _settle_words(rec: Recommendation) -> str:
    words = {
        SETTLE_COLAB_MEASUREMENT: "a measurement in Colab (see `colab-advisor import`)",
        SETTLE_LOCAL_MEASUREMENT: "more measurements of this machine (`colab-advisor measure`)",
        SETTLE_HOUR_VALUE: "your own hour value (--hour-value)",
        SETTLE_FREE_HOURS: "your own reading of Colab Free's hours (--free-gpu-hours)",
    }
    said = [words[s] for s in rec.settle] or ["more measurements"]
    return said[0] if len(said) == 1 else f"{', '.join(said[:-1])} or {said[-1]}"


def _unknown_words(rec: Recommendation, option: Option, name: str) -> str:
    if name == UNKNOWN_FREE_LIMITS:
        after = f"; past them, {label(rec.past_free_limits)}" if rec.past_free_limits is not None else ""
        covered = share(option.p_fits_quota)
        median = hours(option.free_quota_hours)
        return (f"Colab's unpublished free-tier limits: it needs {hours(option.monthly_hours)} of GPU a month, "
                f"which users' reports cover in {covered} of their range (median {median} a month){after}")
    if name == UNKNOWN_RAM:
        return f"its RAM (the job needs {gb(rec.workload.ram_gb)}; no source gives this runtime's)"
    if name == UNKNOWN_LOCAL_RAM:
        return f"this machine's RAM (the job needs {gb(rec.workload.ram_gb)}; check it has that much)"
    if name == UNKNOWN_SESSION:
        return (f"its session length (no source gives it; Free's {figure_text(round(option.session_hours or 0, 1))} h "
                "was assumed)")
    if name == UNKNOWN_TAX:
        return "the tax (no single rate for this country: prices are before tax)"
    return name


def _nothing_fits(rec: Recommendation) -> list[str]:
    out = ["Nothing fits this job on this machine or any Colab plan in the catalog."]
    for option in rec.shown:
        if option.blockers:
            name = label(option)
            out.append(f"{name[:1].upper()}{name[1:]}: {blockers_text(option.blockers)}.")
    return out


def verdict_sentences(rec: Recommendation) -> list[str]:
    if rec.best is None:
        return _nothing_fits(rec)
    best = rec.best
    w = rec.workload
    out = []
    at = f"at {runs_a_month(w.runs_per_month)} and {dollars(w.hour_value)} an hour"
    if UNKNOWN_RAM in best.unknowns and w.ram_gb is not None:  # chosen only because nothing known fits
        out.append(f"No option is known to have the {gb(w.ram_gb)} of RAM this job needs; {label(best)} is the "
                   "only one that might (no source gives its RAM), so what follows holds only if it has enough.")
    if best.is_local:
        fastest = min((o for o in rec.shown if o.is_colab and o.usable and o.run_hours),
                      key=lambda o: o.run_hours or 0.0, default=None)
        if fastest is None:
            out.append(f"Stay on this machine: no Colab option both fits this job and can be priced {at}.")
        else:
            out.append(f"Stay on this machine{_close(rec)}: no Colab option is worth its cost {at}; the fastest "
                       f"usable, {label(fastest)}, runs this {speed_words(fastest, w.setup_minutes)}; this machine is "
                       f"{_sure(rec)}.")
    elif best.costs_nothing:
        where = "Colab" if best.is_colab else PROVIDERS.get(best.plan.provider, best.plan.display_name)
        lead = f"Use {where}" if rec.local.usable else f"This machine cannot do this job; use {where}"
        out.append(f"{lead}{_close(rec)}: {label(best)} runs this {speed_words(best, w.setup_minutes)}, for $0; "
                   f"{_sure(rec)}.")
        if not best.is_colab:
            out.append(_limits_words(best))
    else:
        out.append(_pay_sentence(rec, best))
    if not rec.sure and rec.runner_up is not None:
        told = (f"the two are worth the same to within {dollars(EQUAL_USD)} in nine draws of ten, so either will do"
                if rec.runner_up_equal else f"{_settle_words(rec)} would settle it")
        out.append(f"The figures cannot tell it from {label(rec.runner_up)} (best in {share(rec.p_choice)} and "
                   f"{share(rec.p_runner_up)} of the draws): {told}.")
    if rec.fallback is not None:
        out.append(_fallback_words(rec))
    setup = _setup_share(rec, best)
    if setup is not None:
        out.append(f"Setup ({w.setup_minutes:g} min a session) takes {share(setup)} of the time its speed saves a run.")
    if rec.depends_on:
        words = [_unknown_words(rec, best, name) for name in rec.depends_on]
        out.append(f"This rests on what no source gives: {'; '.join(words)}.")
    out.extend(_local_figure_words(rec))
    if rec.beyond_coverage:
        out.append(f"The catalog ends on {rec.as_of}: prices and rates for {rec.requested} are those of that day.")
    return out


def _setup_share(rec: Recommendation, best: Option) -> float | None:
    """Where an option barely faster than this machine gives half or more of what its speed saves a run back
    to session setup: that share, else None."""
    minutes = rec.workload.setup_minutes
    if (best.is_local or not rec.local.usable or best.speedup is None or best.speedup >= SAME_SPEED_BAND
            or minutes <= 0 or best.run_hours is None or rec.local.run_hours is None):
        return None
    setup = (best.sessions or 1) * minutes / 60
    saved = rec.local.run_hours - (best.run_hours - setup)
    return min(1.0, setup / saved) if saved > 0 and setup >= saved / 2 else None


def _limits_words(option: Option) -> str:
    plan = option.plan
    assert plan is not None
    weekly = plan.free_hours_per_week(option.accelerator.kind if option.accelerator else "gpu")
    quota = "" if weekly is None else (f"{weekly:g} h a week ({hours(option.free_quota_hours)} a month; this "
                                       f"needs {hours(option.monthly_hours)})")
    readings = sorted({r.hours for r in plan.session_readings})
    if option.session_hours is None:
        sessions = "sessions of unknown length"
    elif len(readings) > 1:
        shortest = figure_text(round(option.session_hours, 1))
        sessions = (f"sessions of at most {shortest} h assumed, the shorter of the readings "
                    f"({' and '.join(f'{figure_text(round(h, 1))} h' for h in readings)})")
    else:
        sessions = f"sessions of at most {figure_text(round(option.session_hours, 1))} h"
    return f"Its limits: {', '.join(p for p in (quota, sessions) if p)}; the quota resets every week."


def _fallback_words(rec: Recommendation) -> str:
    fb = rec.fallback
    assert fb is not None
    chosen, instead = fb.chosen, fb.fallback
    plan = chosen.plan.display_name if chosen.plan else ""
    got = instead.accelerator.key if instead.accelerator else "?"
    if fb.holds:
        then = f"{plan} is still the best choice"
    elif fb.rival is not None:
        then = f"{label(fb.rival)} would then be the better choice"
    else:
        then = f"{plan} would no longer be the best choice"
    return (f"Colab guarantees no GPU: users report getting {with_article(got)} when "
            f"{with_article(chosen.accelerator.key)} is chosen "
            f"({fb.source.split(': ')[0]}); on it a run takes {duration(instead.run_hours)} and "
            f"{'the month costs' if rec.workload.months == 1 else 'the plan costs'} {_cost(rec, instead)}: {then}.")


def _pay_sentence(rec: Recommendation, best: Option) -> str:
    w = rec.workload
    against = rec.baseline
    saved = best.hours_saved or 0.0
    if against is not None and not against.is_local:
        saved -= against.hours_saved or 0.0
        than = f" than {label(against)}"
    else:
        than = ""
    period = "a month" if w.months == 1 else ""  # _cost already says "over N months (... a month)"
    if against is None or not rec.local.usable:
        # Hours saved are counted against this machine: where it cannot do the month, say what is bought.
        why = blockers_text(rec.local.blockers) if rec.local.blockers else f"{hours(rec.local.monthly_hours)} a month"
        gain = (f"this machine cannot do it ({why}); "
                f"{_cost(rec, best)}{' ' + period if period else ''} buys {hours(best.monthly_hours)} a month of "
                f"{best.accelerator.key}"
                if best.accelerator else "")
    else:
        gain = (f"{_cost(rec, best)}{' ' + period if period else ''} buys {hours(saved)} less waiting{than} "
                "(expected), worth "
                f"{dollars(saved * w.hour_value)}")
    return (f"Pay for {label(best)}{_close(rec)}: it runs this {speed_words(best, w.setup_minutes)}; {gain}; "
            f"{_sure(rec)}.")


def _local_figure_words(rec: Recommendation) -> list[str]:
    figure = rec.local_figure
    if figure is None:
        return []
    out = []
    if figure.interfered:
        out.append(f"This machine's figure includes {count(figure.interfered, 'run')} taken while other programs "
                   f"held {share(figure.interference_share)} of the CPU: its band is widened accordingly; measure "
                   "again on a quiet machine.")
    if figure.weak:
        why = "a --quick run" if figure.quick else "an unstable run"
        out.append(f"This machine's speed comes from one measurement, {why}: run `colab-advisor measure` again "
                   "for a figure to trust.")
    return out


# ---- a line per subscription ---------------------------------------------------------------------------
def plan_sentence(rec: Recommendation, answer: PlanAnswer) -> str:
    name = answer.plan.display_name
    extras = _extras(answer)
    if answer.status in (DOES_NOT_FIT, CANNOT_PRICE) or answer.option is None:
        why = blockers_text(answer.blockers) or "no option can be timed"
        head = "does not fit this job" if answer.status == DOES_NOT_FIT else "cannot be priced"
        return f"{name}: {head} ({why}). {extras}"
    option = answer.option
    acc = option.accelerator.key if option.accelerator else "?"
    at = f"at {runs_a_month(rec.workload.runs_per_month)} on {acc}"
    against = f" against {label(rec.baseline)}" if rec.baseline is not None else ""
    p = share(answer.p_pays_off)
    if answer.status == PAYS_OFF:
        head = f"pays off {at}{against}, in {p} of the range the figures allow"
    elif answer.status == DOES_NOT_PAY_OFF:
        head = f"does not pay off {at}{against} (it would in {p} of the range the figures allow)"
    else:
        head = f"the figures cannot tell whether it pays off {at}{against} (it does in {p} of their range)"
    sentence = f"{name}: {head}."
    even = answer.break_even
    points = []
    if even.runs_from is not None:
        if even.runs_until is None:
            points.append(f"from {runs_a_month(even.runs_from)}")
        else:
            points.append(f"between {count(even.runs_from, 'run')} and {runs_a_month(even.runs_until)}")
    if even.hour_value is not None:
        points.append(f"above {dollars_up(even.hour_value)} an hour")
    if points:
        sentence += f" On expected values it pays off {' or '.join(points)}."
    elif answer.status != PAYS_OFF:
        sentence += " More runs or a higher hour value would not change that."
    if answer.cheaper_alike is not None and answer.cheaper_alike.plan is not None:
        sentence += (f" {answer.cheaper_alike.plan.display_name} gives the same {acc} time for no more money and "
                     "no subscription.")
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
    high_ram = UNKNOWN if plan.high_ram_gib is None else f"{plan.high_ram_gib:g} GiB ({plan.high_ram_gb:.1f} GB)"
    return (f"It buys {cu}, High-RAM {high_ram}, sessions up to "
            f"{text(plan.max_session_hours, ' h')}, background execution {text(plan.background_execution)}.")


def alternative_sentence(option: Option) -> str:
    name = option.plan.display_name if option.plan else label(option)
    acc = label(option).rsplit(" · ", 1)[-1]
    if option.run_hours is None:
        return f"{name}: its {acc} cannot be timed from the catalog."
    per_run = duration(option.run_hours)
    quota = option.free_quota_hours
    limit = f" against a free quota of {hours(quota)}" if quota is not None else ""
    if option.usable:
        return f"{name}: its free {acc} would take {per_run} a run, {hours(option.monthly_hours)} a month{limit}."
    return f"{name}: its free {acc} would take {per_run} a run; {blockers_text(option.blockers)}."


# ---- buy or rent ---------------------------------------------------------------------------------------
def buy_sentence(rec: Recommendation) -> str | None:
    answer = rec.buy
    if answer is None:
        return None
    card = answer.accelerator.key
    head = f"Buy or rent: your own {card} at {dollars(answer.price_usd)}"
    if answer.against is None:
        return f"{head} is not weighed against renting: nothing here can do this job to compare it with."
    if answer.blockers or answer.run_hours is None:
        return f"{head} cannot do this job: {blockers_text(answer.blockers)}."
    low, high = answer.run_hours_band or (answer.run_hours, answer.run_hours)
    watts = f"{answer.watts:,.6g} W" + ("" if answer.watts_given else " (its power limit)")
    energy = (f"{dollars(answer.electricity_usd_per_month)} of electricity a month at "
              f"{dollars(answer.kwh_price_usd)} a kWh and {watts}")
    runs = (f"would run this in {duration(answer.run_hours)} ({duration(low)}-{duration(high)}) a run, "
            f"{duration(answer.monthly_hours)} a month: {energy}")
    versus = (f"With waiting at {dollars(rec.workload.hour_value)} an hour, owning costs "
              f"{dollars(answer.owning_usd_per_month)} a month before the card's price, against "
              f"{dollars(answer.renting_usd_per_month)} on {label(answer.against)}")
    within = share(answer.p_within_horizon)
    if answer.months is None:
        verdict = (f"buying does not cost less within {HORIZON_MONTHS} months (it would in {within} of the range "
                   "the figures allow)")
    else:
        first, last = answer.months_band or (None, None)
        span = f"{_months_text(first)}-{_months_text(last)}"
        verdict = (f"buying costs less after {_months_text(answer.months)} ({span}; within {HORIZON_MONTHS} months "
                   f"in {within} of the range the figures allow)")
    return f"{head} {runs}. {versus}: {verdict}."


def _months_text(value: float | None) -> str:
    if value is None:
        return f"never within {HORIZON_MONTHS} months"
    return f"{value:.1f} months" if value < 10 else f"{value:.0f} months"
