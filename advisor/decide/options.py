"""The options for one workload — this machine and each plan's accelerators — with their time, money
and limits at a number of runs a month, over the horizon the user pays for.

An option's figures come in three speed cases (fast, centre, slow: the ends and centre of its speed
band) so that break-evens and ties can carry the band into the decision.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from pricing import Accelerator, Catalog, Plan, Purchase, horizon_cost

from ..predict import speed as speeds
from .tax import TaxBasis
from .timing import Basis
from .workload import HOURS_PER_MONTH, Workload

LOCAL = "local"
FREE = "free"
WEEKS_PER_MONTH = 365.25 / 7 / 12
CENTRE, FAST, SLOW = 1, 0, 2  # index into (low, centre, high) of a speed band

# What a choice commits the user to, least first: ties go to the smaller commitment.
NOTHING, PACKS, SUBSCRIPTION = 0, 1, 2

UNKNOWN_RAM = "RAM"
UNKNOWN_SESSION = "session length"
UNKNOWN_FREE_LIMITS = "free-tier limits"


@dataclass(frozen=True)
class Candidate:
    """Where the workload could run, and how long an epoch takes there (None: unknown)."""

    key: str
    plan: Plan | None  # None: this machine
    accelerator: Accelerator | None
    epoch: speeds.Speed | None
    memory_fit: str | None = None  # why the workload does not fit the accelerator's memory, if it does not


@dataclass(frozen=True)
class Option:
    """An option's figures at one number of runs a month; None where a figure cannot be known."""

    key: str
    plan: Plan | None
    accelerator: Accelerator | None
    epoch: speeds.Speed | None = None  # seconds per epoch with its band
    speedup: float | None = None  # this machine's epoch time over this option's
    session_hours: float | None = None  # the session length a run is split by
    session_assumed: bool = False  # the plan publishes none: the free tier's was assumed
    sessions: int | None = None
    run_hours: float | None = None  # one run, setup included, centre of the band
    run_hours_band: tuple[float, float] | None = None  # fastest and slowest
    monthly_hours: float | None = None
    cu_per_month: float | None = None
    purchase: Purchase | None = None
    cost: float | None = None  # USD over the horizon, with tax where its rate is known
    hours_saved: float | None = None  # over the horizon, against this machine
    value: float | None = None  # hours saved x hour value - cost, over the horizon
    value_band: tuple[float, float] | None = None  # at the slow and the fast end of the speed band
    saved_band: tuple[float, float] | None = None  # hours saved at the slow and the fast end
    cost_band: tuple[float, float] | None = None  # money paid at the slow and the fast end
    ram_gb: float | None = None
    ram_fits: bool | None = None
    free_quota_hours: float | None = None  # a month of free accelerator time where one is published or given
    commitment: int = NOTHING
    blockers: tuple[str, ...] = field(default=())  # why it cannot do the job
    unknowns: tuple[str, ...] = field(default=())  # what its standing rests on that no source gives
    notes: tuple[str, ...] = field(default=())

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
    def usable(self) -> bool:
        return not self.blockers and self.value is not None

    @property
    def needs_checkpointing(self) -> bool:
        return bool(self.sessions and self.sessions > 1)

    @property
    def label(self) -> str:
        if self.plan is None:
            return "this machine"
        return f"{self.plan.display_name} · {self.accelerator.key if self.accelerator else '?'}"


@dataclass(frozen=True)
class Pricing:
    """Everything options are priced with that does not change with the number of runs."""

    workload: Workload
    catalog: Catalog
    tax: TaxBasis
    basis: Basis
    local_ram_gb: float | None
    _per_run: dict[str, Option] = field(default_factory=dict, compare=False, repr=False)

    @property
    def values_local_run(self) -> float:
        if LOCAL not in self._per_run:
            self._per_run[LOCAL] = self.local(1.0)
        return self._per_run[LOCAL].run_hours or 0.0

    def local(self, runs: float, case: int = CENTRE) -> Option:
        workload = self.workload
        epoch = self.basis.local_epoch
        if workload.epoch_seconds is not None:
            epoch = speeds.Speed(epoch.seconds, epoch.seconds, epoch.seconds, speeds.BASIS_MEASURED,
                                 "your timing (--epoch-seconds)")
        run = workload.epochs * _pick(epoch, case) / 3600
        band = (workload.epochs * epoch.low / 3600, workload.epochs * epoch.high / 3600)
        need, have = workload.ram_gb, self.local_ram_gb
        ram_fits = None if need is None or have is None else need <= have
        blockers = []
        if ram_fits is False:
            blockers.append(f"RAM too small: {self.local_ram_gb:.1f} GB here")
        if runs * run > HOURS_PER_MONTH:
            blockers.append(f"needs {runs * run:,.0f} h a month; a month has {HOURS_PER_MONTH:.0f} h")
        return Option(
            key=LOCAL, plan=None, accelerator=None, epoch=epoch, speedup=1.0, sessions=1, run_hours=run,
            run_hours_band=band, monthly_hours=runs * run, cost=0.0, hours_saved=0.0, value=0.0,
            value_band=(0.0, 0.0), saved_band=(0.0, 0.0), cost_band=(0.0, 0.0), ram_gb=self.local_ram_gb,
            ram_fits=ram_fits,
            blockers=tuple(blockers),
        )

    def option(self, candidate: Candidate, runs: float, case: int = CENTRE) -> Option:
        if candidate.plan is None:
            return self.local(runs, case)
        plan, acc, epoch = candidate.plan, candidate.accelerator, candidate.epoch
        assert acc is not None
        workload = self.workload
        local = self.local(runs, CENTRE)
        notes: list[str] = []
        unknowns: list[str] = []
        blockers: list[str] = []
        ram_gb, ram_fits = self._ram(plan, acc)
        if candidate.memory_fit is not None:
            blockers.append(candidate.memory_fit)
        if ram_fits is False:
            blockers.append(f"RAM too small: {ram_gb:g} GB")
        elif ram_fits is None and workload.ram_gb is not None:
            unknowns.append(UNKNOWN_RAM)
        commitment = _commitment(plan)
        if epoch is None:
            blockers.append("speed unknown: the catalog lacks this device's figures")
            return Option(key=candidate.key, plan=plan, accelerator=acc, ram_gb=ram_gb, ram_fits=ram_fits,
                          commitment=commitment, blockers=tuple(blockers), unknowns=tuple(unknowns))
        limit, assumed = self._session_limit(plan, acc)

        def run_hours(seconds: float) -> tuple[float, int]:
            compute = workload.epochs * seconds / 3600
            sessions = max(1, math.ceil(compute / limit - 1e-9)) if limit else 1
            return compute + sessions * workload.setup_minutes / 60, sessions

        run, sessions = run_hours(_pick(epoch, case))
        band = (run_hours(epoch.low)[0], run_hours(epoch.high)[0])
        if sessions > 1 and limit is not None:
            notes.append(f"{sessions} sessions of at most {limit:g} h: needs checkpointing")
        if assumed and max(sessions, run_hours(epoch.high)[1]) > 1:
            unknowns.append(UNKNOWN_SESSION)  # the assumed limit splits the run: the real one matters
        monthly = runs * run
        if monthly > HOURS_PER_MONTH:
            blockers.append(f"needs {monthly:,.0f} h a month; a month has {HOURS_PER_MONTH:.0f} h")
        quota = self._free_quota(plan, acc)
        if quota is not None and monthly > quota + 1e-9:
            blockers.append(f"needs {monthly:,.1f} h a month; the free quota is {quota:,.1f} h")
        elif quota is None and plan.monthly_price_usd == 0 and not plan.uses_compute_units and acc.kind != "cpu":
            unknowns.append(UNKNOWN_FREE_LIMITS)
        cu = None
        purchase = None
        cost = None
        if plan.uses_compute_units:
            high_ram = self._needs_high_ram(plan, acc)
            rate = self.catalog.cu_rate(acc, self.catalog.as_of, high_ram=high_ram)
            if rate.value is None:
                blockers.append(f"CU rate of {acc.key} unknown: cannot be priced")
            else:
                cu = monthly * rate.value
        if not plan.uses_compute_units or cu is not None:
            purchase = horizon_cost(plan, cu or 0.0, workload.months, self.catalog.era.cu_packs, self.tax.pricing_rate)
            cost = purchase.total_usd if purchase.total_usd is not None else purchase.subtotal_usd
            if plan.cu_included and cu is not None and cu > plan.cu_included:
                notes.append(f"needs {cu - plan.cu_included:,.0f} CU a month beyond the {plan.cu_included:g} included")
        saved = value = value_band = saved_band = cost_band = None
        if local.run_hours is not None:
            horizon_runs = workload.months * runs
            saved = horizon_runs * (local.run_hours - run)
            # The slow end of the band first: it gives the band's low value.
            saved_band = (horizon_runs * (local.run_hours - band[1]), horizon_runs * (local.run_hours - band[0]))
            if cost is not None:
                value = saved * workload.hour_value - cost
                cost_band = (cost, cost)
                if cu is not None and rate.value is not None:
                    cost_band = (self._cost(plan, runs * band[1] * rate.value),
                                 self._cost(plan, runs * band[0] * rate.value))
                value_band = (saved_band[0] * workload.hour_value - cost_band[0],
                              saved_band[1] * workload.hour_value - cost_band[1])
        speedup = local.epoch.seconds / epoch.seconds if local.epoch and epoch.seconds else None
        return Option(
            key=candidate.key, plan=plan, accelerator=acc, epoch=epoch, speedup=speedup, session_hours=limit,
            session_assumed=assumed, sessions=sessions, run_hours=run, run_hours_band=band, monthly_hours=monthly,
            cu_per_month=cu, purchase=purchase, cost=cost, hours_saved=saved, value=value, value_band=value_band,
            saved_band=saved_band, cost_band=cost_band,
            ram_gb=ram_gb, ram_fits=ram_fits, free_quota_hours=quota, commitment=commitment,
            blockers=tuple(blockers), unknowns=tuple(unknowns), notes=tuple(notes),
        )

    def values(self, candidate: Candidate | None, runs: float) -> tuple[float, float, float] | None:
        """(centre, slow end, fast end) of the option's value at `runs` a month, or None where it cannot
        do the job or be priced. The same figures as `option(...)`, for scans over many run counts."""
        key = candidate.key if candidate is not None else LOCAL
        if key not in self._per_run:
            self._per_run[key] = self.option(candidate, 1.0) if candidate is not None else self.local(1.0)
        option = self._per_run[key]
        if option.value is None or option.run_hours_band is None or option.run_hours is None:
            return None
        if option.blockers and not all("a month" in b for b in option.blockers):
            return None  # RAM, speed or price: more runs do not change that
        if option.is_local:
            return (0.0, 0.0, 0.0) if runs * option.run_hours <= HOURS_PER_MONTH else None
        monthly = runs * option.run_hours
        quota = option.free_quota_hours
        if monthly > HOURS_PER_MONTH or (quota is not None and monthly > quota + 1e-9):
            return None
        local_run = self.values_local_run
        horizon_runs = self.workload.months * runs
        rate = option.cu_per_month / option.run_hours if option.cu_per_month is not None else None
        out = []
        for hours in (option.run_hours, option.run_hours_band[1], option.run_hours_band[0]):
            cost = option.cost if rate is None or option.plan is None else self._cost(option.plan, runs * hours * rate)
            out.append(horizon_runs * (local_run - hours) * self.workload.hour_value - (cost or 0.0))
        return out[0], out[1], out[2]

    def slopes(self, candidate: Candidate | None) -> tuple[tuple[float, float, float], float] | None:
        """What each more run a month adds to the value before money (centre, slow end, fast end), and
        the least the option costs at any volume; None where `values` has no figures. Value at N runs
        is N x slope - cost(N), and cost never falls as runs grow, so a break-even search can start
        where N x slope first exceeds the least cost, and give up where a slope is not positive."""
        if self.values(candidate, 1.0) is None:
            return None
        option = self._per_run[candidate.key if candidate is not None else LOCAL]
        if option.is_local or option.run_hours_band is None or option.run_hours is None:
            return (0.0, 0.0, 0.0), 0.0
        per_run = self.workload.months * self.workload.hour_value
        local_run = self.values_local_run
        hours = (option.run_hours, option.run_hours_band[1], option.run_hours_band[0])
        least = self._cost(option.plan, 0.0) if option.plan is not None else 0.0
        return (per_run * (local_run - hours[0]), per_run * (local_run - hours[1]),
                per_run * (local_run - hours[2])), least

    def _cost(self, plan: Plan, monthly_cu: float) -> float:
        purchase = horizon_cost(plan, monthly_cu, self.workload.months, self.catalog.era.cu_packs,
                                self.tax.pricing_rate)
        return purchase.total_usd if purchase.total_usd is not None else purchase.subtotal_usd

    # ---- limits ----------------------------------------------------------------------------------
    def _free_plan(self) -> Plan | None:
        return next((p for p in self.catalog.plans if p.name == FREE), None)

    def _session_limit(self, plan: Plan, acc: Accelerator) -> tuple[float | None, bool]:
        """The longest session, and whether it had to be assumed (the free tier's, never longer)."""
        limit = plan.max_session_hours
        assumed = False
        if limit is None:
            free = self._free_plan()
            limit = free.max_session_hours if free is not None else None
            assumed = True
        estimate = self.catalog.free_tier_estimate
        # Free GPU time is unpublished; in the compute-unit era one reading puts a session near 3h20m.
        free_gpu = (plan.name == FREE or assumed) and acc.kind != "cpu"
        if free_gpu and self.catalog.era.name == "compute-units" and estimate is not None:
            limit = estimate.session_hours if limit is None else min(limit, estimate.session_hours)
        return limit, assumed

    def _free_quota(self, plan: Plan, acc: Accelerator) -> float | None:
        """A month of free accelerator time: published (Kaggle's weekly hours) or given by the user."""
        if plan.gpu_hours_per_week is not None and acc.kind != "cpu":
            return plan.gpu_hours_per_week * WEEKS_PER_MONTH
        if plan.name == FREE and plan.is_colab and acc.kind != "cpu" and self.workload.free_gpu_hours is not None:
            return self.workload.free_gpu_hours
        return None

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


def _pick(speed: speeds.Speed, case: int) -> float:
    return (speed.low, speed.seconds, speed.high)[case]


def _commitment(plan: Plan) -> int:
    if plan.monthly_price_usd:
        return SUBSCRIPTION
    return PACKS if plan.uses_compute_units else NOTHING
