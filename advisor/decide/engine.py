"""The recommendation: Colab or this machine, which plan, and whether Pro pays off — as facts.

Pure: takes a Workload, the sources of speed and a Catalog, returns a frozen Recommendation. No
sentence is built here; the views in advisor/render turn these facts into words.

How the choice is made:
- an option is *usable* when nothing blocks it (RAM, a month's 730 h, a free quota, an unknown price
  or speed); unknowns that do not block (RAM, session length, Colab's free limits) stay attached to the
  option, and a verdict that rests on it names them;
- options are ranked by net value over the horizon (hours saved x hour value - money paid), then
  hours saved, then fewer unknowns, then the smaller commitment;
- where the runner-up's value band overlaps the leader's, the figures cannot tell them apart: the
  cheaper one wins, then fewer unknowns, then the smaller commitment (the band comes from the speed
  prediction);
- each subscription (Pro, Pro+) is answered against the best option that costs nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from pricing import Accelerator, Catalog, Plan

from .assumptions import Assumption, collect_assumptions
from .options import (
    CENTRE,
    LOCAL,
    NOTHING,
    SUBSCRIPTION,
    UNKNOWN_FREE_LIMITS,
    Candidate,
    Option,
    Pricing,
)
from .sources import LocalFigure, Sources
from .tax import TaxBasis
from .timing import boosting_step, deep_step, epoch_from_step, local_basis
from .workload import LIMITS, Workload

BREAK_EVEN_MAX_RUNS = 1000
PAYS_OFF = "pays off"
DOES_NOT_PAY_OFF = "does not pay off"
CANNOT_TELL = "cannot tell"
CANNOT_PRICE = "cannot be priced"
DOES_NOT_FIT = "does not fit"

DECIDED_BY_VALUE = "value"
# The figures cannot tell the leaders apart; the choice went to the one that costs less, or at equal
# cost to the one with fewer unknowns and the smaller commitment, or else to the one saving more hours.
TIE_CHEAPER = "tie: cheaper"
TIE_SAFER = "tie: fewer unknowns, smaller commitment"
TIE_OTHERWISE = "tie: more hours saved"


@dataclass(frozen=True)
class BreakEven:
    """Where a subscription starts to pay off: on the centre of the speed band, and where the whole
    band agrees (None: not within the limits searched)."""

    centre: float | None
    clear: float | None


@dataclass(frozen=True)
class PlanAnswer:
    """Does this subscription pay off, against the best option that costs nothing?"""

    plan: Plan
    option: Option | None  # the plan's best usable option
    status: str
    runs: BreakEven  # runs a month
    hour_value: BreakEven  # USD an hour of waiting
    cheaper_alike: Option | None  # an option without subscription that does the same for no more money
    blockers: tuple[str, ...] = field(default=())  # why no option of the plan can do the job


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
    options: tuple[Option, ...]
    best: Option | None
    decided_by: str
    tied_with: tuple[Option, ...]
    baseline: Option | None  # the best option that costs nothing
    past_free_limits: Option | None  # where to go when Colab's free time runs out
    plan_answers: tuple[PlanAnswer, ...]
    alternatives: tuple[Option, ...]  # not Colab (Kaggle): shown beside, never chosen
    depends_on: tuple[str, ...]  # unknowns the chosen option rests on
    basis_preset: str
    assumptions: tuple[Assumption, ...]
    warnings: tuple[str, ...]

    @property
    def beyond_coverage(self) -> bool:
        return self.requested > self.as_of

    @property
    def nothing_fits(self) -> bool:
        return self.best is None and not self.local.usable and not any(o.usable for o in self.options)


# ---- building the options ---------------------------------------------------------------------------
def _accelerators_for(plan: Plan, model: str, catalog: Catalog) -> list[Accelerator]:
    offered = [catalog.accelerator(key) for key in plan.accelerators]
    if model == "boosting":
        return [a for a in offered if a.kind == "cpu"]
    devices = [a for a in offered if a.kind in ("gpu", "tpu")]
    if (plan.monthly_price_usd == 0 and not plan.uses_compute_units) or not plan.uses_compute_units:
        # Nobody picks the GPU on these plans: the typical one (listed first) stands for all.
        return [a for a in devices if a.kind == "gpu"][:1]
    return devices


@dataclass(frozen=True)
class _World:
    pricing: Pricing
    candidates: tuple[Candidate, ...]

    def options(self, runs: float, case: int = CENTRE) -> list[Option]:
        return [self.pricing.option(c, runs, case) for c in self.candidates]

    def local(self, runs: float) -> Option:
        return self.pricing.local(runs)

    def candidate(self, key: str) -> Candidate:
        return next(c for c in self.candidates if c.key == key)

    def option(self, key: str, runs: float, case: int = CENTRE) -> Option:
        if key == LOCAL:
            return self.local(runs)
        return self.pricing.option(next(c for c in self.candidates if c.key == key), runs, case)


def _world(workload: Workload, sources: Sources, catalog: Catalog, tax: TaxBasis, warnings: list[str]) -> _World:
    basis = local_basis(workload, sources)
    candidates = []
    for plan in catalog.plans:
        for acc in _accelerators_for(plan, workload.model, catalog):
            if workload.model == "deep":
                step = deep_step(acc, basis, sources, catalog, warnings)
            else:
                step = boosting_step(plan, acc, basis, sources)
            epoch = epoch_from_step(step, basis) if step is not None else None
            candidates.append(Candidate(f"{plan.name}:{acc.key}", plan, acc, epoch, _memory_fit(sources, acc)))
    ram = sources.local.environment.ram_bytes if sources.local is not None else None
    pricing = Pricing(workload, catalog, tax, basis, None if ram is None else ram / 1e9)
    return _World(pricing, tuple(candidates))


def _memory_fit(sources: Sources, acc: Accelerator) -> str | None:
    named = sources.named
    ratio = named.accelerators.get(acc.key) if named is not None else None
    if ratio is None or ratio.fits is not False:
        return None
    largest = f"; batch {ratio.max_batch} would" if ratio.max_batch else ""
    return f"{named.name} at batch {named.batch_size} does not fit {acc.key}'s memory{largest}"


# ---- choosing -----------------------------------------------------------------------------------
def _rank_key(option: Option) -> tuple[float, float, int, int]:
    # Equal value: more hours saved, then fewer unknowns (an unknown never counts in favour), then the
    # smaller commitment.
    return (option.value or 0.0, option.hours_saved or 0.0, -len(option.unknowns), -option.commitment)


def _overlap(a: tuple[float, float] | None, b: tuple[float, float] | None) -> bool:
    if a is None or b is None:
        return False
    return a[0] <= b[1] + 1e-9 and b[0] <= a[1] + 1e-9


def choose(options: Sequence[Option]) -> tuple[Option | None, str, tuple[Option, ...]]:
    """The best usable option, how it was decided, and the options the figures cannot tell from it."""
    ranked = sorted((o for o in options if o.usable), key=_rank_key, reverse=True)
    if not ranked:
        return None, DECIDED_BY_VALUE, ()
    leader = ranked[0]
    tied = tuple(o for o in ranked[1:] if _overlap(o.value_band, leader.value_band) and o.value != leader.value)
    if not tied:
        return leader, DECIDED_BY_VALUE, ()
    group = [leader, *tied]
    chosen = min(group, key=lambda o: (round(o.cost or 0.0, 6), len(o.unknowns), o.commitment,
                                       -(o.hours_saved or 0.0)))
    others = tuple(o for o in group if o is not chosen)
    if all(round(chosen.cost or 0.0, 6) < round(o.cost or 0.0, 6) for o in others):
        reason = TIE_CHEAPER
    elif all(len(chosen.unknowns) <= len(o.unknowns) and chosen.commitment <= o.commitment for o in others):
        reason = TIE_SAFER
    else:
        reason = TIE_OTHERWISE
    return chosen, reason, others


def _pays_off(option: Option, baseline: Option | None) -> str:
    if baseline is None:
        return PAYS_OFF
    if option.value_band is None or baseline.value_band is None:
        return CANNOT_TELL
    if option.value_band[0] > baseline.value_band[1] + 1e-9:
        return PAYS_OFF
    if option.value_band[1] < baseline.value_band[0] - 1e-9:
        return DOES_NOT_PAY_OFF
    return CANNOT_TELL


def _best_of(options: Sequence[Option]) -> Option | None:
    return choose(options)[0]


def _baseline(local: Option, options: Sequence[Option]) -> Option | None:
    """What costs nothing: this machine or a Colab free tier. A paid plan has to beat the better one."""
    return _best_of([local, *(o for o in options if o.is_colab and o.commitment == NOTHING)])


def _runs_break_even(world: _World, key: str, baseline_key: str | None) -> BreakEven:
    """The fewest runs a month at which the option's value beats the baseline's: on the centre of the
    speed band, and where the option's whole band clears the baseline's."""
    candidate = world.candidate(key)
    base = world.candidate(baseline_key) if baseline_key not in (None, LOCAL) else None
    mine_slopes = world.pricing.slopes(candidate)
    theirs_slopes = world.pricing.slopes(base) if baseline_key is not None else ((0.0, 0.0, 0.0), 0.0)
    if mine_slopes is None or theirs_slopes is None:
        return BreakEven(None, None)
    (mine_c, mine_slow, _), least = mine_slopes
    (theirs_c, _, theirs_fast), _ = theirs_slopes
    # The baseline costs nothing, so before N x (slope gap) passes the option's least cost it cannot win.
    gaps = {"centre": mine_c - theirs_c, "clear": mine_slow - theirs_fast}
    wanted = {name for name, gap in gaps.items() if gap > 1e-12 or (baseline_key is None and least <= 0)}
    if not wanted:
        return BreakEven(None, None)
    first = min(max(1, int(least / gaps[name])) if gaps[name] > 1e-12 else 1 for name in wanted)
    found: dict[str, float] = {}
    for runs in range(first, BREAK_EVEN_MAX_RUNS + 1):
        mine = world.pricing.values(candidate, float(runs))
        if mine is None:
            break  # past a month's hours or a quota: more runs will not help
        theirs = world.pricing.values(base, float(runs)) if baseline_key is not None else None
        if baseline_key is not None and theirs is None:
            break  # the free option ends here (a month's hours, a quota): no break-even to state
        if "centre" in wanted and "centre" not in found and (theirs is None or mine[0] > theirs[0] + 1e-9):
            found["centre"] = float(runs)
        if theirs is None or mine[1] > theirs[2] + 1e-9:
            found["clear"] = float(runs)
            found.setdefault("centre", float(runs))
            break
        if "clear" not in wanted and "centre" in found:
            break
    return BreakEven(found.get("centre"), found.get("clear"))


def _hour_value_break_even(option: Option, baseline: Option | None) -> BreakEven:
    """The hour value above which the option beats the baseline: on the centre of the band, and where
    the option's slow end beats the baseline's fast end."""
    if baseline is None or option.cost is None or baseline.cost is None or option.hours_saved is None:
        return BreakEven(None, None)

    def crossing(extra_hours: float, extra_cost: float) -> float | None:
        if extra_hours <= 1e-9:
            return None
        value = max(0.0, extra_cost / extra_hours)
        return value if value <= LIMITS["--hour-value"] else None

    centre = crossing(option.hours_saved - (baseline.hours_saved or 0.0), option.cost - baseline.cost)
    clear = None
    if option.saved_band and option.cost_band and baseline.saved_band and baseline.cost_band:
        clear = crossing(option.saved_band[0] - baseline.saved_band[1], option.cost_band[0] - baseline.cost_band[1])
    return BreakEven(centre, clear)


def _plan_answers(world: _World, options: Sequence[Option], baseline: Option | None,
                  runs: float) -> tuple[PlanAnswer, ...]:
    answers = []
    subscriptions = {o.plan.name: o.plan for o in options if o.plan is not None and o.commitment == SUBSCRIPTION
                     and o.is_colab}
    for name, plan in subscriptions.items():
        mine = [o for o in options if o.plan is not None and o.plan.name == name]
        best = _best_of(mine)
        if best is None:
            blockers = tuple(dict.fromkeys(b for o in mine for b in o.blockers))
            priced = any(o.value is not None for o in mine)
            status = DOES_NOT_FIT if priced or any("RAM" in b or "month" in b for b in blockers) else CANNOT_PRICE
            answers.append(PlanAnswer(plan, None, status, BreakEven(None, None), BreakEven(None, None), None,
                                      blockers))
            continue
        status = _pays_off(best, baseline)
        runs_even = _runs_break_even(world, best.key, baseline.key if baseline is not None else None)
        hours_even = _hour_value_break_even(best, baseline)
        alike = [o for o in options if o.is_colab and o.commitment < SUBSCRIPTION and o.usable
                 and o.accelerator == best.accelerator and o.cost is not None and best.cost is not None
                 and o.cost <= best.cost + 1e-9 and (o.hours_saved or 0.0) >= (best.hours_saved or 0.0) - 1e-9
                 and o.commitment > NOTHING]
        answers.append(PlanAnswer(plan, best, status, runs_even, hours_even, alike[0] if alike else None))
    return tuple(answers)


# ---- the answer -----------------------------------------------------------------------------------
def recommend(workload: Workload, sources: Sources, catalog: Catalog, tax: TaxBasis) -> Recommendation:
    warnings: list[str] = list(sources.notes)
    world = _world(workload, sources, catalog, tax, warnings)
    runs = workload.runs_per_month
    local = world.local(runs)
    options = world.options(runs)
    colab = [o for o in options if o.is_colab]
    best, decided_by, tied = choose([local, *colab])
    baseline = _baseline(local, colab)
    past_free = None
    if best is not None and UNKNOWN_FREE_LIMITS in best.unknowns:
        past_free = _best_of([local, *(o for o in colab if o.plan != best.plan)])
    depends_on = list(best.unknowns) if best is not None else []
    if best is not None and tax.unknown and (best.cost or 0.0) > 0:
        depends_on.append("tax")
    return Recommendation(
        workload=workload, as_of=catalog.as_of, requested=catalog.requested, coverage_last=catalog.coverage.last,
        era=catalog.era.name, tax=tax, local=local, local_figure=sources.local_figure, options=tuple(options),
        best=best, decided_by=decided_by, tied_with=tied, baseline=baseline, past_free_limits=past_free,
        plan_answers=_plan_answers(world, colab, baseline, runs),
        alternatives=tuple(o for o in options if not o.is_colab),
        depends_on=tuple(depends_on), basis_preset=world.pricing.basis.preset,
        assumptions=collect_assumptions(workload, sources, catalog, tax, options, world.pricing.basis.preset),
        warnings=tuple(dict.fromkeys(warnings)),
    )


CURVE_POINTS = 60


def cost_curves(
    workload: Workload, sources: Sources, catalog: Catalog, tax: TaxBasis, beyond: float | None = None
) -> dict[str, list[tuple[float, float]]]:
    """What a month costs in money plus waiting (hours x hour value), against runs a month: one curve
    for this machine and one per plan on its best option today. The lowest curve is the best choice,
    so curves cross where the choice flips. The axis reaches past `beyond` (a break-even) where given."""
    world = _world(workload, sources, catalog, tax, [])
    options = [o for o in world.options(workload.runs_per_month) if o.is_colab]
    chosen: dict[str, Option] = {}
    for option in options:
        assert option.plan is not None
        current = chosen.get(option.plan.name)
        if option.usable and (current is None or _rank_key(option) > _rank_key(current)):
            chosen[option.plan.name] = option
    top = max(10.0, 2 * workload.runs_per_month, 1.25 * (beyond or 0))
    points = [top * (i + 1) / CURVE_POINTS for i in range(CURVE_POINTS)]
    curves: dict[str, list[tuple[float, float]]] = {}
    for key, label in [(LOCAL, "this machine"), *((o.key, o.label) for o in chosen.values())]:
        line = []
        for runs in points:
            option = world.option(key, runs)
            if option.usable and option.monthly_hours is not None and option.cost is not None:
                waiting = option.monthly_hours * workload.months * workload.hour_value
                line.append((runs, (option.cost + waiting) / workload.months))
        curves[label] = line
    return curves
