"""The recommendation: Colab or this machine, which plan, and whether Pro pays off — as facts.

Pure: takes a Workload, the sources of speed and a Catalog, returns a frozen Recommendation.

How the choice is made, draw by draw (see uncertainty.py and options.py):
- an option is *usable* when nothing blocks it (RAM, a month's hours, a free quota it never fits, an
  unknown price or speed); unknowns that do not block stay attached to it and are named;
- its value in a draw is hours saved against this machine x hour value - money paid, over the
  horizon; the chosen option has the highest *expected* value (the mean over the draws), and the
  share of draws in which it is the best is how sure the answer is;
- below SURE (two thirds) the figures cannot tell the leader from the runner-up: both are named,
  with what would settle it;
- each plan's best option is chosen once, here, by the same rule; every view reads that choice;
- each subscription is answered against the best option that costs nothing, with the probability
  it pays off, the volumes of runs over which it does, and the hour value above which it does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np

from pricing import Accelerator, Catalog, Plan

from .assumptions import collect_assumptions
from .buy import BuyAnswer, BuyQuestion, buy_answer
from .facts import (
    BLOCK_FREE_QUOTA,
    BLOCK_MONTH,
    UNKNOWN_FREE_LIMITS,
    UNKNOWN_RAM,
    UNKNOWN_TAX,
    Blocker,
    Fact,
)
from .fallback import FallbackAnswer, fallback_answer
from .free_tier import FreeHours, default_free_hours
from .options import LOCAL, SUBSCRIPTION, Candidate, Option, Scenario
from .sources import LocalFigure, Sources, local_memory_blocker, memory_blocker
from .tax import TaxBasis
from .timing import batch_of, boosting_step, data_parallel_share, deep_step, epoch_from_step, local_basis
from .uncertainty import Draws
from .volumes import Scan, hour_value_break_even, runs_break_even
from .volumes import curves as volume_curves
from .workload import Workload

PAYS_OFF = "pays off"
DOES_NOT_PAY_OFF = "does not pay off"
CANNOT_TELL = "cannot tell"
CANNOT_PRICE = "cannot be priced"
DOES_NOT_FIT = "does not fit"

# An option best in at least this share of the draws is a confident answer; below it, the figures
# cannot tell the two leaders apart.
SURE = 2 / 3
# Two options whose values differ by less than this in nine draws of ten are worth the same: no further
# figure would settle which is better by more than pocket change.
EQUAL_USD = 1.0
# What would settle a close call.
SETTLE_COLAB_MEASUREMENT = "colab_measurement"
SETTLE_LOCAL_MEASUREMENT = "local_measurement"
SETTLE_HOUR_VALUE = "hour_value"
SETTLE_FREE_HOURS = "free_hours"



@dataclass(frozen=True)
class BreakEven:
    """Where a subscription pays off against the best option that costs nothing, on expected values:
    from `runs_from` runs a month up to `runs_until` (None: up to every volume searched), and above
    `hour_value` USD an hour at the user's volume. None where no such point exists."""

    runs_from: float | None = None
    runs_until: float | None = None
    hour_value: float | None = None


@dataclass(frozen=True)
class PlanAnswer:
    """Does this subscription pay off, against the best option that costs nothing?"""

    plan: Plan
    option: Option | None  # the plan's chosen option (None: none usable)
    status: str
    p_pays_off: float | None  # share of draws in which it beats the baseline
    break_even: BreakEven
    cheaper_alike: Option | None  # an option without subscription that does the same for no more money
    blockers: tuple[Blocker, ...] = field(default=())  # why no option of the plan can do the job


@dataclass(frozen=True)
class Recommendation:
    workload: Workload
    as_of: date
    requested: date
    coverage_last: date
    era: str
    tax: TaxBasis
    local: Option
    local_figure: LocalFigure | None
    options: tuple[Option, ...]  # every Colab and other option, each with its share of best draws
    best: Option | None
    sure: bool  # the chosen plan (or this machine) wins in at least SURE of the draws
    runner_up: Option | None  # the chosen option of the plan that wins the most draws after the best's plan
    settle: tuple[str, ...]  # what would settle a close call
    plan_choices: tuple[tuple[str, str], ...]  # (plan name, option key): each plan's chosen option
    baseline: Option | None  # the best option that costs nothing
    past_free_limits: Option | None  # where the work goes when Colab's free hours run out
    plan_answers: tuple[PlanAnswer, ...]
    alternatives: tuple[Option, ...]  # not Colab (Kaggle): chosen where it is best, else shown beside
    depends_on: tuple[str, ...]  # unknowns the chosen option rests on
    basis_preset: str
    assumptions: tuple[Fact, ...]
    notes: tuple[Fact, ...]
    free_hours: FreeHours | None
    draws: int
    fallback: FallbackAnswer | None = None
    buy: BuyAnswer | None = None
    p_choice: float = 0.0  # share of draws in which the chosen plan (on any of its options) is the best
    p_runner_up: float = 0.0
    plan_shares: tuple[tuple[str, float], ...] = ()  # plan name ("local" for this machine) -> share of draws won
    runner_up_equal: bool = False  # the close call is between options worth the same to within EQUAL_USD
    curves: tuple[tuple[str, tuple[tuple[float, float], ...]], ...] = ()  # option key -> (runs, USD a month)

    @property
    def beyond_coverage(self) -> bool:
        return self.requested > self.as_of

    @property
    def nothing_fits(self) -> bool:
        return self.best is None

    def option(self, key: str) -> Option | None:
        if key == LOCAL:
            return self.local
        return next((o for o in self.options if o.key == key), None)

    def plan_share(self, option: Option) -> float:
        """The share of draws in which `option`'s plan, on any of its options, is the best."""
        return dict(self.plan_shares).get(_plan_of(option), 0.0)

    def chosen_for(self, plan_name: str) -> Option | None:
        key = dict(self.plan_choices).get(plan_name)
        return self.option(key) if key is not None else None

    @property
    def shown(self) -> tuple[Option, ...]:
        """This machine, then each plan's chosen option (the plan's first option where none is usable),
        then the option the verdict names as better should the choice fall back, where it is not one of
        those."""
        out = [self.local]
        for plan in dict.fromkeys(o.plan.name for o in self.options if o.plan is not None):
            chosen = self.chosen_for(plan)
            out.append(chosen if chosen is not None else next(o for o in self.options
                                                              if o.plan is not None and o.plan.name == plan))
        rival = self.fallback.rival if self.fallback is not None else None
        if rival is not None and rival not in out:
            out.append(rival)
        return tuple(out)


# ---- building the scenario ---------------------------------------------------------------------------
def _accelerators_for(plan: Plan, model: str, catalog: Catalog) -> list[Accelerator]:
    offered = [catalog.accelerator(key) for key in plan.accelerators]
    if model == "boosting":
        return [a for a in offered if a.kind == "cpu"]
    devices = [a for a in offered if a.kind in ("gpu", "tpu")]
    if not plan.uses_compute_units:
        # Nobody picks the GPU on these plans: the typical one (listed first) stands for all.
        return [a for a in devices if a.kind == "gpu"][:1]
    return devices


def _scenario(workload: Workload, sources: Sources, catalog: Catalog, tax: TaxBasis,
              notes: list[Fact]) -> Scenario:
    basis = local_basis(workload, sources)
    candidates = []
    for plan in catalog.plans:
        for acc in _accelerators_for(plan, workload.model, catalog):
            if workload.model == "deep":
                step = deep_step(acc, basis, sources, catalog, notes)
            else:
                step = boosting_step(plan, acc, basis, sources)
            devices = plan.devices(acc.key)
            epoch = epoch_from_step(step.speed, basis) if step else None
            if epoch is not None and devices > 1:
                # Each batch split over the devices, as the benchmark shards it; no cost for combining
                # gradients: a bound, stated as an assumption.
                epoch = epoch.scaled(data_parallel_share(devices, batch_of(basis, sources)))
            candidates.append(Candidate(f"{plan.name}:{acc.key}", plan, acc, epoch, step.error if step else (),
                                        memory_blocker(sources, acc, devices), step.provenance if step else None,
                                        devices))
    ram = sources.local_ram_bytes
    free = (default_free_hours(catalog.as_of) if workload.model == "deep" and workload.free_gpu_hours is None
            else None)
    return Scenario(workload, catalog, tax, basis, tuple(candidates), None if ram is None else ram / 1e9, free,
                    Draws(), local_memory_blocker(sources))


# ---- choosing -----------------------------------------------------------------------------------
def _preference(option: Option) -> tuple[float, float, int, int]:
    """Between equal expected values: cheaper, then more hours saved, then fewer unknowns, then the
    smaller commitment."""
    return (-round(option.cost or 0.0, 2), round(option.hours_saved or 0.0, 6), -len(option.unknowns),
            -option.commitment)


def _rank(option: Option) -> tuple[float, tuple[float, float, int, int]]:
    return (round(option.value or 0.0, 2), _preference(option))


def _eligible(options: Sequence[Option]) -> list[Option]:
    """The usable options that may be chosen. One whose RAM no source gives, for a job that states its RAM,
    stands only where no option is known to fit: an unknown never counts in an option's favour."""
    usable = [o for o in options if o.usable]
    known = [o for o in usable if UNKNOWN_RAM not in o.unknowns]
    return known or usable


def choose(options: Sequence[Option]) -> Option | None:
    """The eligible option with the highest expected value (ties: cheaper, more hours saved, fewer
    unknowns, smaller commitment)."""
    return max(_eligible(options), key=_rank, default=None)


def _shares_of_best(options: Sequence[Option]) -> dict[str, float]:
    """For each eligible option, the share of draws in which its value is the highest."""
    usable = sorted((o for o in _eligible(options) if o.value_draws is not None), key=_preference, reverse=True)
    if not usable:
        return {}
    values = np.vstack([o.value_draws for o in usable])
    # In a draw where two tie, the preferred (listed first) one counts: argmax takes the first.
    winners = np.argmax(np.round(values, 6), axis=0)
    counts = np.bincount(winners, minlength=len(usable))
    return {o.key: float(c) / values.shape[1] for o, c in zip(usable, counts, strict=True)}


def _worth_the_same(best: Option, runner: Option) -> bool:
    """Whether two options' values differ by less than EQUAL_USD in nine draws of ten."""
    if best.value_draws is None or runner.value_draws is None:
        return False
    return float(np.quantile(np.abs(best.value_draws - runner.value_draws), 0.9)) < EQUAL_USD


def _plan_of(option: Option) -> str:
    return option.plan.name if option.plan is not None else LOCAL


def _settle(best: Option, runner: Option, workload: Workload) -> tuple[str, ...]:
    out = []
    predicted = [o for o in (best, runner) if o.epoch is not None and o.epoch.basis != "measured" and not o.is_local]
    if predicted:
        out.append(SETTLE_COLAB_MEASUREMENT)
    if (best.is_local or runner.is_local) and not predicted:
        out.append(SETTLE_LOCAL_MEASUREMENT)
    if UNKNOWN_FREE_LIMITS in (*best.unknowns, *runner.unknowns):
        out.append(SETTLE_FREE_HOURS)
    if not workload.hour_value_given:
        out.append(SETTLE_HOUR_VALUE)
    return tuple(out)


def _plan_choices(options: Sequence[Option]) -> dict[str, Option]:
    chosen: dict[str, Option] = {}
    for plan in dict.fromkeys(o.plan.name for o in options if o.plan is not None):
        best = choose([o for o in options if o.plan is not None and o.plan.name == plan])
        if best is not None:
            chosen[plan] = best
    return chosen


def _baseline(local: Option, options: Sequence[Option]) -> Option | None:
    """What costs nothing: this machine, Colab's free tier or another free notebook service (Kaggle).
    A paid plan has to beat the best of them."""
    known = [o for o in (local, *options) if o.costs_nothing and UNKNOWN_RAM not in o.unknowns]
    return choose(known)


def _volume_only(option: Option) -> bool:
    """Nothing but the volume of work (a month's hours, a free quota) blocks the option, if anything does."""
    return option.value is not None and all(b.kind in (BLOCK_MONTH, BLOCK_FREE_QUOTA) for b in option.blockers)


def _plan_answers(scenario: Scenario, local: Option, options: Sequence[Option], choices: dict[str, Option],
                  baseline: Option | None) -> tuple[PlanAnswer, ...]:
    answers = []
    candidates = {c.key: c for c in scenario.candidates}
    free = [candidates[o.key] for o in options
            if o.costs_nothing and _volume_only(o) and UNKNOWN_RAM not in o.unknowns]
    local_ok = _volume_only(local)
    subscriptions = dict.fromkeys(o.plan for o in options
                                  if o.plan is not None and o.is_colab and o.commitment == SUBSCRIPTION)
    for plan in subscriptions:
        mine = [o for o in options if o.plan is not None and o.plan.name == plan.name]
        best = choices.get(plan.name)
        if best is None:
            blockers = tuple(dict.fromkeys(b for o in mine for b in o.blockers))
            priced = any(o.value is not None for o in mine) or any(b.kind in ("ram", "month_hours")
                                                                    for b in blockers)
            answers.append(PlanAnswer(plan, None, DOES_NOT_FIT if priced else CANNOT_PRICE, None, BreakEven(),
                                      None, blockers))
            continue
        if baseline is None or baseline.value_draws is None or best.value_draws is None:
            p = 1.0
        else:
            p = float(np.mean(best.value_draws > baseline.value_draws + 1e-6))
        ahead = baseline is None or (best.value or 0.0) > (baseline.value or 0.0) + 1e-6
        if ahead and p >= SURE:
            status = PAYS_OFF
        elif not ahead and p <= 1 - SURE:
            status = DOES_NOT_PAY_OFF
        else:
            status = CANNOT_TELL
        unknown_ram_ok = UNKNOWN_RAM in best.unknowns  # as for the choice: only where none is known to fit
        others = [candidates[o.key] for o in mine if o.key != best.key and _volume_only(o)
                  and (unknown_ram_ok or UNKNOWN_RAM not in o.unknowns)]
        runs_from, runs_until = runs_break_even(Scan(scenario, candidates[best.key], free, local_ok, others))
        alike = [o for o in options if o.is_colab and o.commitment < SUBSCRIPTION and not o.costs_nothing
                 and o.usable and (unknown_ram_ok or UNKNOWN_RAM not in o.unknowns)
                 and o.accelerator == best.accelerator and o.cost is not None and best.cost is not None
                 and o.cost <= best.cost + 1e-9 and (o.hours_saved or 0.0) >= (best.hours_saved or 0.0) - 1e-9]
        answers.append(PlanAnswer(plan, best, status, p,
                                  BreakEven(runs_from, runs_until, hour_value_break_even(_eligible(mine), baseline)),
                                  alike[0] if alike else None))
    return tuple(answers)


# ---- the answer -----------------------------------------------------------------------------------
def recommend(workload: Workload, sources: Sources, catalog: Catalog, tax: TaxBasis, *,
              curves: bool = False, buy: BuyQuestion | None = None) -> Recommendation:
    notes: list[Fact] = list(sources.notes)
    scenario = _scenario(workload, sources, catalog, tax, notes)
    runs = workload.runs_per_month
    local = scenario.local(runs)
    options = [scenario.option(c, runs) for c in scenario.candidates]
    shares = _shares_of_best([local, *options])
    local = replace(local, p_best=shares.get(LOCAL, 0.0))
    options = [replace(o, p_best=shares.get(o.key, 0.0)) for o in options]
    best = choose([local, *options])
    # What the user decides is a plan (Colab picks the device at run time): sureness is the share of
    # draws in which the chosen plan, on any of its options, is the best.
    by_plan: dict[str, float] = {}
    for o in (local, *options):
        by_plan[_plan_of(o)] = by_plan.get(_plan_of(o), 0.0) + o.p_best
    p_choice = by_plan.get(_plan_of(best), 0.0) if best is not None else 0.0
    sure = best is not None and p_choice >= SURE
    runner = None
    p_runner = 0.0
    equal = False
    settle: tuple[str, ...] = ()
    choices = _plan_choices(options)
    if best is not None:
        # Each other plan stands for itself with the option the table shows for it (its chosen one).
        others = [o for o in (local, *choices.values()) if o.usable and _plan_of(o) != _plan_of(best)]
        runner = max(others, key=lambda o: (by_plan.get(_plan_of(o), 0.0), _rank(o)), default=None)
        p_runner = by_plan.get(_plan_of(runner), 0.0) if runner is not None else 0.0
        if not sure and runner is not None:
            equal = _worth_the_same(best, runner)
            settle = () if equal else _settle(best, runner, workload)
    baseline = _baseline(local, options)
    past_free = None
    if best is not None and best.is_free and UNKNOWN_FREE_LIMITS in best.unknowns:
        past_free = choose([local, *(o for o in options if o.plan != best.plan)])
    depends_on = list(best.unknowns) if best is not None else []
    if best is not None and tax.unknown and (best.cost or 0.0) > 0:
        depends_on.append(UNKNOWN_TAX)
    beyond = None
    answers = _plan_answers(scenario, local, options, choices, baseline)
    if curves:
        beyond = max((a.break_even.runs_from or 0.0 for a in answers), default=0.0)
    return Recommendation(
        workload=workload, as_of=catalog.as_of, requested=catalog.requested, coverage_last=catalog.coverage.last,
        era=catalog.era.name, tax=tax, local=local, local_figure=sources.local_figure, options=tuple(options),
        best=best, sure=sure, runner_up=runner, p_choice=p_choice, p_runner_up=p_runner, settle=settle,
        runner_up_equal=equal,
        plan_choices=tuple((plan, option.key) for plan, option in choices.items()), baseline=baseline,
        plan_shares=tuple(by_plan.items()),
        past_free_limits=past_free, plan_answers=answers,
        alternatives=tuple(o for o in options if not o.is_colab),
        depends_on=tuple(depends_on), basis_preset=scenario.basis.preset,
        assumptions=collect_assumptions(workload, sources, catalog, tax, options, scenario),
        notes=tuple(dict.fromkeys(notes)), free_hours=scenario.free_hours, draws=scenario.draws.count,
        curves=volume_curves(scenario, choices, beyond) if curves else (),
        fallback=fallback_answer(best, local, options, catalog.as_of),
        # Owning is weighed against what the verdict would have you use (Kaggle, or staying on this
        # machine, where that is the choice); with nothing usable, against nothing.
        buy=None if buy is None else buy_answer(buy, scenario, sources, catalog, best, notes),
    )
