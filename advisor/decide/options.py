"""The options for one workload — this machine and each plan's accelerators — with their time, money
and limits at a number of runs a month, over the horizon the user pays for.

Every figure is computed draw by draw (see uncertainty.py): this machine's epoch, each option's
epoch and Colab Free's hours come as arrays of the same draws, so an option's value in one draw is
comparable with every other option's value in that draw. An Option keeps the draws of its value
for the engine and summarises the rest: central figures (the median draw), 10-90 % bands, expected
values (the mean).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from pricing import Accelerator, Catalog, Plan, Purchase, horizon_cost

from ..predict import speed as speeds
from .facts import (
    BLOCK_FREE_QUOTA,
    BLOCK_MONTH,
    BLOCK_RAM,
    BLOCK_RATE_UNKNOWN,
    BLOCK_SPEED_UNKNOWN,
    UNKNOWN_FREE_LIMITS,
    UNKNOWN_LOCAL_RAM,
    UNKNOWN_RAM,
    UNKNOWN_SESSION,
    Blocker,
    Fact,
)
from .free_tier import FreeHours
from .money import horizon_costs
from .tax import TaxBasis
from .timing import Basis
from .uncertainty import FREE_HOURS_GROUP, Draws, Errors, ErrorTerm, band
from .workload import HOURS_PER_MONTH, Workload

LOCAL = "local"
FREE = "free"
WEEKS_PER_MONTH = 365.25 / 7 / 12

# What a choice commits the user to, least first: ties go to the smaller commitment.
NOTHING, PACKS, SUBSCRIPTION = 0, 1, 2
COMMITMENTS = ("nothing", "packs", "subscription")


@dataclass(frozen=True)
class Candidate:
    """Where the workload could run: the epoch's central figure and band, and its error term."""

    key: str
    plan: Plan | None  # None: this machine
    accelerator: Accelerator | None
    epoch: speeds.Speed | None  # None: the speed cannot be known
    error: Errors = ()
    memory_blocker: Blocker | None = None  # the workload does not fit the accelerator's memory
    provenance: Fact | None = None  # where the epoch figure comes from
    devices: int = 1  # accelerators of the kind the runtime holds (Kaggle: two T4s), used data-parallel


@dataclass(frozen=True)
class Option:
    """An option's figures at one number of runs a month; None where a figure cannot be known.

    Central figures are those of the central estimate of every input (no draw moved); bands are
    10-90 % of the draws; `hours_saved`, `value` and `expected_cost` are means over the draws; `cost`
    and `purchase` are the bill at the central run time.
    """

    key: str
    plan: Plan | None
    accelerator: Accelerator | None
    epoch: speeds.Speed | None = None  # seconds per epoch: central figure and 10-90 % band
    provenance: Fact | None = None  # where the epoch figure comes from
    speedup: float | None = None  # this machine's run time over this option's, setup included
    speedup_band: tuple[float, float] | None = None
    session_hours: float | None = None  # the session length a run is split by
    session_assumed: bool = False  # the plan publishes none: the free tier's was assumed
    sessions: int | None = None
    run_hours: float | None = None  # one run, setup included, central figure
    run_hours_band: tuple[float, float] | None = None
    monthly_hours: float | None = None
    cu_per_month: float | None = None
    purchase: Purchase | None = None
    cost: float | None = None  # USD over the horizon at the central run time, with tax where known
    expected_cost: float | None = None
    hours_saved: float | None = None  # expected, over the horizon, against this machine
    value: float | None = None  # expected (hours saved x hour value - cost), over the horizon
    value_band: tuple[float, float] | None = None
    ram_gb: float | None = None
    ram_fits: bool | None = None
    free_quota_hours: float | None = None  # a month of free accelerator time: published, given, or the median reading
    free_quota_band: tuple[float, float] | None = None  # where the quota is itself uncertain
    p_fits_quota: float | None = None  # share of draws in which the month fits the free quota
    commitment: int = NOTHING
    devices: int = 1
    blockers: tuple[Blocker, ...] = field(default=())
    unknowns: tuple[str, ...] = field(default=())
    p_best: float = 0.0  # share of draws in which this option has the highest value of all usable ones
    value_draws: np.ndarray | None = field(default=None, compare=False, repr=False)
    run_draws: np.ndarray | None = field(default=None, compare=False, repr=False)

    @property
    def is_local(self) -> bool:
        return self.plan is None

    @property
    def is_colab(self) -> bool:
        return self.plan is not None and self.plan.is_colab

    @property
    def is_free(self) -> bool:
        """A free tier: nothing to pay and nothing to buy."""
        return self.plan is not None and self.commitment == NOTHING

    @property
    def costs_nothing(self) -> bool:
        return self.plan is None or self.commitment == NOTHING

    @property
    def usable(self) -> bool:
        return not self.blockers and self.value is not None

    @property
    def needs_checkpointing(self) -> bool:
        return bool(self.sessions and self.sessions > 1)

    @property
    def cu_beyond_included(self) -> float | None:
        if self.plan is None or not self.plan.cu_included or self.cu_per_month is None:
            return None
        extra = self.cu_per_month - self.plan.cu_included
        return extra if extra > 0 else None


class Scenario:
    """Everything options are priced with that does not change with the number of runs."""

    def __init__(self, workload: Workload, catalog: Catalog, tax: TaxBasis, basis: Basis,
                 candidates: tuple[Candidate, ...], local_ram_gb: float | None, free_hours: FreeHours | None,
                 draws: Draws, local_memory: Blocker | None = None) -> None:
        self.workload = workload
        self.local_memory = local_memory  # this machine's GPU does not hold the batch (--local-device)
        self.catalog = catalog
        self.tax = tax
        self.basis = basis
        self.candidates = candidates
        self.local_ram_gb = local_ram_gb
        self.free_hours = free_hours
        self.draws = draws
        local_factor = draws.factor(basis.local_error)
        # In each draw this machine is slower or faster by its factor; where the user timed the epoch
        # here, their time stands and the factor moves every other option's time the other way.
        if basis.fixed_local:
            self.local_epoch = np.full(draws.count, basis.local_epoch.seconds)
            self._ratio = 1.0 / local_factor
        else:
            self.local_epoch = basis.local_epoch.seconds * local_factor
            self._ratio = np.ones(draws.count)
        self.local_run = workload.epochs * self.local_epoch / 3600
        self.local_run_centre = workload.epochs * basis.local_epoch.seconds / 3600
        self._free_quota = self._free_quota_draws()

    # ---- per-draw figures --------------------------------------------------------------------------
    def epoch_draws(self, candidate: Candidate) -> np.ndarray | None:
        if candidate.epoch is None:
            return None
        factor = self.draws.factor(candidate.error)
        return candidate.epoch.seconds * factor * self._ratio

    def _free_quota_draws(self) -> np.ndarray | None:
        if self.workload.free_gpu_hours is not None:
            return np.full(self.draws.count, self.workload.free_gpu_hours)
        if self.free_hours is None:
            return None
        return self.free_hours.median * self.draws.factor(ErrorTerm(FREE_HOURS_GROUP, self.free_hours.sigma))

    def quota_draws(self, plan: Plan, acc: Accelerator) -> np.ndarray | None:
        """A month of free accelerator time per draw: published (Kaggle's weekly hours), given by the
        user, or Colab Free's readings; None where the plan has no free quota."""
        weekly = plan.free_hours_per_week(acc.kind) if acc.kind != "cpu" else None
        if weekly is not None:
            return np.full(self.draws.count, weekly * WEEKS_PER_MONTH)
        if self._is_colab_free_gpu(plan, acc):
            return self._free_quota
        return None

    @staticmethod
    def _is_colab_free_gpu(plan: Plan, acc: Accelerator) -> bool:
        return plan.is_colab and plan.monthly_price_usd == 0 and not plan.uses_compute_units and acc.kind != "cpu"

    def run_draws(self, candidate: Candidate, *, central: bool = False
                  ) -> tuple[np.ndarray, np.ndarray, float | None, bool] | None:
        """Hours of one run per draw (setup included), sessions per draw, the session limit and
        whether it was assumed; None where the speed is unknown. `central`: one value, no draw moved."""
        epoch = self.epoch_draws(candidate)
        if epoch is None or candidate.plan is None or candidate.accelerator is None:
            return None
        if central:
            epoch = np.array([candidate.epoch.seconds])  # type: ignore[union-attr]
        limit, assumed = self._session_limit(candidate.plan, candidate.accelerator)
        compute = self.workload.epochs * epoch / 3600
        sessions = np.maximum(1, np.ceil(compute / limit - 1e-9)) if limit else np.ones_like(compute)
        return compute + sessions * self.workload.setup_minutes / 60, sessions, limit, assumed

    def value_at(self, candidate: Candidate, runs: np.ndarray) -> np.ndarray | None:
        """Value over the horizon per (runs, draw): hours saved x hour value - money paid. Where a
        free quota does not hold the month, the draw's value is this machine's (0): past the free
        hours the work stays here. None where the option cannot be priced."""
        if candidate.plan is None:
            return np.zeros((len(runs), self.draws.count))
        timed = self.run_draws(candidate)
        if timed is None:
            return None
        run, _, _, _ = timed
        runs = np.asarray(runs, dtype=float)[:, None]
        monthly = runs * run[None, :]
        cost = self._cost_draws(candidate, monthly)
        if cost is None:
            return None
        w = self.workload
        value = w.months * runs * (self.local_run - run)[None, :] * w.hour_value - cost
        quota = self.quota_draws(candidate.plan, candidate.accelerator)  # type: ignore[arg-type]
        if quota is not None:
            value = np.where(monthly <= quota[None, :] + 1e-9, value, 0.0)
        return value

    def _cost_draws(self, candidate: Candidate, monthly: np.ndarray) -> np.ndarray | None:
        plan, acc = candidate.plan, candidate.accelerator
        assert plan is not None and acc is not None
        if plan.monthly_price_usd is None:
            return None
        if plan.uses_compute_units:
            rate = self._cu_rate(plan, acc)
            if rate is None:
                return None
            cu = (monthly * rate).ravel()
        else:
            cu = np.zeros(monthly.size)
        costs = horizon_costs(plan, cu, self.workload.months, self.catalog.era.cu_packs, self.tax.pricing_rate)
        return costs.reshape(monthly.shape)

    def _cu_rate(self, plan: Plan, acc: Accelerator) -> float | None:
        return self.catalog.cu_rate(acc, self.catalog.as_of, high_ram=self._needs_high_ram(plan, acc)).value

    # ---- the options ---------------------------------------------------------------------------------
    def local(self, runs: float) -> Option:
        w = self.workload
        epoch = self.basis.local_epoch
        run = self.local_run_centre
        need, have = w.ram_gb, self.local_ram_gb
        ram_fits = None if need is None or have is None else need <= have
        blockers = []
        if ram_fits is False:
            blockers.append(Blocker(BLOCK_RAM, have, need))
        if runs * run > HOURS_PER_MONTH:
            blockers.append(Blocker(BLOCK_MONTH, HOURS_PER_MONTH, runs * run))
        if self.local_memory is not None:
            blockers.append(self.local_memory)
        low, high = band(self.local_epoch)
        shown = speeds.Speed(epoch.seconds, low, high, epoch.basis, epoch.detail)
        return Option(
            key=LOCAL, plan=None, accelerator=None, epoch=shown, provenance=self.basis.provenance, speedup=1.0,
            speedup_band=(1.0, 1.0), sessions=1,
            run_hours=run, run_hours_band=band(self.local_run), monthly_hours=runs * run, cost=0.0,
            expected_cost=0.0, hours_saved=0.0, value=0.0, value_band=(0.0, 0.0), ram_gb=self.local_ram_gb,
            ram_fits=ram_fits, blockers=tuple(blockers), value_draws=np.zeros(self.draws.count),
            run_draws=self.local_run, unknowns=(UNKNOWN_LOCAL_RAM,) if need is not None and have is None else (),
        )

    def option(self, candidate: Candidate, runs: float) -> Option:
        if candidate.plan is None:
            return self.local(runs)
        plan, acc = candidate.plan, candidate.accelerator
        assert acc is not None
        w = self.workload
        unknowns: list[str] = []
        blockers: list[Blocker] = []
        ram_gb, ram_fits = self._ram(plan, acc)
        if candidate.memory_blocker is not None:
            blockers.append(candidate.memory_blocker)
        if ram_fits is False:
            blockers.append(Blocker(BLOCK_RAM, ram_gb, w.ram_gb))
        elif ram_fits is None and w.ram_gb is not None:
            unknowns.append(UNKNOWN_RAM)
        commitment = _commitment(plan)
        timed = self.run_draws(candidate)
        if timed is None:
            blockers.append(Blocker(BLOCK_SPEED_UNKNOWN, subject=acc.key))
            return Option(key=candidate.key, plan=plan, accelerator=acc, ram_gb=ram_gb, ram_fits=ram_fits,
                          commitment=commitment, devices=candidate.devices, blockers=tuple(blockers),
                          unknowns=tuple(unknowns))
        run, sessions, limit, assumed = timed
        epoch = self.epoch_draws(candidate)
        central_run = self.run_draws(candidate, central=True)
        assert epoch is not None and candidate.epoch is not None and central_run is not None
        centre = float(central_run[0][0])
        central_sessions = int(central_run[1][0])
        if assumed and int(sessions.max()) > 1:
            unknowns.append(UNKNOWN_SESSION)  # the assumed limit splits the run: the real one matters
        monthly = runs * centre
        if monthly > HOURS_PER_MONTH:
            blockers.append(Blocker(BLOCK_MONTH, HOURS_PER_MONTH, monthly))
        quota = self.quota_draws(plan, acc)
        quota_centre = quota_band = p_fits = None
        if quota is not None:
            quota_centre = float(np.exp(np.mean(np.log(np.maximum(quota, 1e-9)))))  # the readings' median
            p_fits = float(np.mean(runs * run <= quota + 1e-9))
            if float(np.ptp(quota)) > 0:
                quota_band = band(quota)
                unknowns.append(UNKNOWN_FREE_LIMITS)
                over = p_fits == 0.0
            else:
                over = monthly > quota_centre + 1e-9  # a published or given quota: the central month decides
            if over:
                blockers.append(Blocker(BLOCK_FREE_QUOTA, quota_centre, monthly))
        cu = None
        if plan.uses_compute_units:
            rate = self._cu_rate(plan, acc)
            if rate is None:
                blockers.append(Blocker(BLOCK_RATE_UNKNOWN, subject=acc.key))
            else:
                cu = monthly * rate
        purchase = cost = expected = saved = value = value_band = None
        values = None
        if plan.monthly_price_usd is not None and (not plan.uses_compute_units or cu is not None):
            purchase = horizon_cost(plan, cu or 0.0, w.months, self.catalog.era.cu_packs, self.tax.pricing_rate)
            cost = purchase.total_usd if purchase.total_usd is not None else purchase.subtotal_usd
            cost_draws = self._cost_draws(candidate, np.array([[runs]]) * run[None, :])
            values = self.value_at(candidate, np.array([runs]))
            assert cost_draws is not None and values is not None
            values = values[0]
            expected = float(cost_draws.mean())
            saved_draws = w.months * runs * (self.local_run - run)
            if quota is not None:
                saved_draws = np.where(runs * run <= quota + 1e-9, saved_draws, 0.0)
            saved = float(saved_draws.mean())
            value = float(values.mean())
            value_band = band(values)
        speedup = self.local_run / run
        low, high = band(epoch)
        return Option(
            key=candidate.key, plan=plan, accelerator=acc,
            epoch=speeds.Speed(candidate.epoch.seconds, low, high, candidate.epoch.basis, candidate.epoch.detail),
            provenance=candidate.provenance, speedup=self.local_run_centre / centre, speedup_band=band(speedup),
            session_hours=limit,
            session_assumed=assumed, sessions=central_sessions, run_hours=centre, run_hours_band=band(run),
            monthly_hours=monthly, cu_per_month=cu, purchase=purchase, cost=cost, expected_cost=expected,
            hours_saved=saved, value=value, value_band=value_band, ram_gb=ram_gb, ram_fits=ram_fits,
            free_quota_hours=quota_centre, free_quota_band=quota_band, p_fits_quota=p_fits, commitment=commitment,
            devices=candidate.devices,
            blockers=tuple(blockers), unknowns=tuple(unknowns), value_draws=values, run_draws=run,
        )

    # ---- limits ----------------------------------------------------------------------------------
    def _free_plan(self) -> Plan | None:
        return next((p for p in self.catalog.plans if p.name == FREE), None)

    def _session_limit(self, plan: Plan, acc: Accelerator) -> tuple[float | None, bool]:
        """The longest session (the catalog's one session model), and whether it had to be assumed."""
        limit = self.catalog.session_hours(plan, acc)
        return limit.hours, limit.assumed

    def _ram(self, plan: Plan, acc: Accelerator) -> tuple[float | None, bool | None]:
        """The most RAM the option's runtimes give, and whether the job fits (None: unknown)."""
        standard = plan.ram_for(acc.key)
        # Free tiers have no High-RAM runtime; elsewhere High-RAM is at least the standard runtime.
        high = plan.high_ram_gb if plan.monthly_price_usd != 0 or plan.uses_compute_units else None
        known = [gb for gb in (standard, high) if gb is not None]
        most = max(known) if known else None
        need = self.workload.ram_gb
        if need is None:
            return most, None
        if most is not None and need <= most:
            return most, True
        may_hold_more = high is None and (plan.monthly_price_usd != 0 or plan.uses_compute_units)
        if (standard is None and high is None) or may_hold_more:
            return most, None
        return most, False

    def _needs_high_ram(self, plan: Plan, acc: Accelerator) -> bool:
        need = self.workload.ram_gb
        if need is None:
            return False
        standard = plan.ram_for(acc.key)
        if standard is None:
            free = self._free_plan()
            standard = free.ram_gb if free is not None else None
        return standard is not None and need > standard


def _commitment(plan: Plan) -> int:
    if plan.monthly_price_usd:
        return SUBSCRIPTION
    return PACKS if plan.uses_compute_units else NOTHING

