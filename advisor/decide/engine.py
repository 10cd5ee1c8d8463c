"""The recommendation: Colab or this machine, and which plan, for one workload.

Pure: takes a Workload, measurements and a Catalog, returns a Recommendation. Two questions are
answered apart: how much faster (or slower) Colab runs the workload, and whether a paid plan's
monthly cost buys enough hours back at what the user's waiting is worth.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from benchmarks import PRESETS, Measurement
from pricing import Accelerator, Catalog, Plan, monthly_cost

from ..errors import AdvisorError
from ..predict import speed as speeds
from .assumptions import Assumption, collect_assumptions
from .tax import TaxBasis
from .workload import Workload

LOCAL = "local"
FREE = "free"
# Below this speed ratio either way, "faster" or "slower" would overstate a prediction.
SAME_SPEED_BAND = 1.5
BREAK_EVEN_MAX_RUNS = 1000

@dataclass(frozen=True)
class Sources:
    """The measurements and specs the figures come from."""

    local: Measurement | None = None
    local_device: Accelerator | None = None
    colab: Measurement | None = None


@dataclass(frozen=True)
class Option:
    key: str
    plan: Plan | None
    accelerator: Accelerator | None
    epoch: speeds.Speed | None  # seconds per epoch
    speedup: float | None  # this machine's epoch time over this option's
    sessions: int | None
    run_hours: float | None
    monthly_hours: float | None
    cu_per_month: float | None
    cost: float | None  # USD per month, with tax where tax applies
    hours_saved: float | None  # per month, against this machine
    net_value: float | None  # hours saved x hour value - cost
    ram_fits: bool | None
    notes: tuple[str, ...] = field(default=())

    @property
    def label(self) -> str:
        if self.plan is None:
            return "this machine"
        return f"{self.plan.display_name} · {self.accelerator.key if self.accelerator else '?'}"

    @property
    def usable(self) -> bool:
        return self.ram_fits is not False and self.epoch is not None

    @property
    def needs_checkpointing(self) -> bool:
        return bool(self.sessions and self.sessions > 1)

    @property
    def is_free(self) -> bool:
        return self.plan is not None and self.plan.name == FREE


@dataclass(frozen=True)
class Recommendation:
    workload: Workload
    as_of: date
    era: str
    tax: TaxBasis
    local: Option
    options: tuple[Option, ...]
    best: Option | None  # None when no option can be priced
    best_free: Option | None
    best_paid: Option | None
    break_even_hour_value: float | None
    break_even_runs: float | None
    verdict: tuple[str, ...]
    deciders: tuple[str, ...]
    assumptions: tuple[Assumption, ...]
    warnings: tuple[str, ...]


# ---- speed of one epoch ----------------------------------------------------------------------------
@dataclass(frozen=True)
class _Basis:
    """The workload's local step, and what turns a step time into an epoch time."""

    profile: speeds.StepProfile | None
    local_step: speeds.Speed | None
    steps_per_epoch: float | None  # None when the user timed the epoch: then only ratios matter
    epoch_seconds: float


def _local_basis(workload: Workload, sources: Sources) -> _Basis:
    m = sources.local
    if m is not None:
        profile = speeds.profile_of(m)
        local_step = speeds.measured(m, "this machine")
    elif sources.local_device is not None:
        profile = speeds.analytic_profile(workload.preset or "medium")
        local_step = speeds.predict(profile, sources.local_device, speeds.BASIS_ESTIMATE)
        if local_step is None:
            raise AdvisorError(f"the catalog has no speed figures for '{sources.local_device.key}': measure instead")
    else:
        raise AdvisorError(
            "no measurement of this machine: run `colab-advisor measure` (about 15 s), or give --local-device NAME "
            "to estimate from specs"
        )
    if workload.epoch_seconds is not None:
        return _Basis(profile, local_step, None, workload.epoch_seconds)
    assert workload.samples is not None and local_step is not None
    batch = profile.batch_size if profile else PRESETS[workload.preset or "medium"].batch_size
    steps = workload.samples / batch
    return _Basis(profile, local_step, steps, steps * local_step.seconds)


def _epoch_from_step(step: speeds.Speed, basis: _Basis) -> speeds.Speed:
    if basis.steps_per_epoch is not None:
        return step.scaled(basis.steps_per_epoch)
    # The user timed an epoch here: scale it by how much faster the other device runs the same step.
    assert basis.local_step is not None
    return step.scaled(basis.epoch_seconds / basis.local_step.seconds)


def _deep_step(
    acc: Accelerator, basis: _Basis, sources: Sources, catalog: Catalog, warnings: list[str]
) -> speeds.Speed | None:
    colab = sources.colab
    if colab is not None and catalog.match_device_kind(colab.environment.device_kind) == acc and basis.local_step:
        local = sources.local
        # Per-sample times: a Colab run of another batch size still says how fast the device is.
        colab_per_sample = colab.step_seconds / colab.batch_size
        if local is not None:
            ratio = (local.step_seconds / local.batch_size) / colab_per_sample
            if (local.config.preset, local.config.dtype) != (colab.config.preset, colab.config.dtype):
                warnings.append(
                    f"the Colab result ({colab.config.preset}, {colab.config.dtype}) measured another preset or "
                    f"dtype than this machine's ({local.config.preset}, {local.config.dtype}): only its speed "
                    "ratio is used"
                )
        else:
            ratio = (basis.local_step.seconds / basis.profile.batch_size) / colab_per_sample if basis.profile else None
        if ratio:
            step = basis.local_step.seconds / ratio
            t = colab.python_loop
            spread = (t.max - t.min) / t.median if t.median else 0.0
            return speeds.Speed(step, step * (1 - spread / 2), step * (1 + spread / 2), speeds.BASIS_MEASURED,
                                f"Colab measurement {colab.id} on {colab.environment.device_kind}")
    if basis.profile is None:
        return None
    kind = speeds.BASIS_PREDICTED if sources.local is not None else speeds.BASIS_ESTIMATE
    return speeds.predict(basis.profile, acc, kind)


def _cpu_rate(sources: Sources) -> tuple[float, str] | None:
    """FLOP/s this machine's CPU reaches: its measured matmul ceiling, else its spec sheet."""
    m = sources.local
    if m is not None and m.environment.platform == "cpu" and m.ceiling and m.ceiling.matmul_flops_per_second:
        return m.ceiling.matmul_flops_per_second, speeds.BASIS_PREDICTED
    device = sources.local_device
    if device is not None and device.kind == "cpu" and device.fp32_tflops:
        return device.fp32_tflops * 1e12 * speeds.CPU_EFFICIENCY[1], speeds.BASIS_ESTIMATE
    return None


def _boosting_step(plan: Plan, acc: Accelerator, basis: _Basis, sources: Sources) -> speeds.Speed | None:
    """Boosting runs on the host CPU: scale this machine's time by the ratio of CPU throughputs."""
    local = _cpu_rate(sources)
    colab = sources.colab
    colab_ceiling = colab.ceiling if colab is not None and colab.environment.platform == "cpu" else None
    cores = max(1, (plan.vcpus or acc.vcpus or 2) // 2)  # 2 vCPUs are one physical core
    if colab_ceiling is not None and colab_ceiling.matmul_flops_per_second:
        rates = [colab_ceiling.matmul_flops_per_second] * 3
        kind = speeds.BASIS_MEASURED
    elif acc.fp32_tflops:
        rates = [acc.fp32_tflops * 1e12 * cores * eff for eff in speeds.CPU_EFFICIENCY]
        kind = speeds.BASIS_PREDICTED
    else:
        return None
    if local is None or basis.local_step is None:
        return None
    local_rate, local_kind = local
    kind = speeds.BASIS_ESTIMATE if local_kind == speeds.BASIS_ESTIMATE else kind
    step = basis.local_step.seconds
    times = [step * local_rate / rate for rate in rates]  # slowest Colab CPU gives the longest time
    return speeds.Speed(times[1], min(times), max(times), kind,
                        f"CPU throughput ratio: this machine {local_rate / 1e9:.0f} GFLOP/s vs {acc.name}")


# ---- options --------------------------------------------------------------------------------------
def _accelerators_for(plan: Plan, model: str, catalog: Catalog) -> list[Accelerator]:
    offered = [catalog.accelerator(key) for key in plan.accelerators]
    if model == "boosting":
        return [a for a in offered if a.kind == "cpu"]
    devices = [a for a in offered if a.kind in ("gpu", "tpu")]
    if plan.name == FREE or not plan.uses_compute_units:
        # Nobody picks the GPU on these plans: the typical one (listed first) stands for all.
        gpus = [a for a in devices if a.kind == "gpu"]
        return gpus[:1]
    return devices


def _session_limit(plan: Plan, acc: Accelerator, catalog: Catalog) -> float | None:
    limit = plan.max_session_hours
    estimate = catalog.free_tier_estimate
    # Free GPU time is unpublished; in the compute-unit era one reading puts a session near 3h20m.
    if plan.name == FREE and catalog.era.name == "compute-units" and acc.kind != "cpu" and estimate is not None:
        free_hours = estimate.session_hours
        limit = free_hours if limit is None else min(limit, free_hours)
    return limit


def _tax_arg(tax: TaxBasis) -> object:
    return tax.country if tax.country is not None else (tax.fraction or 0.0)


def _standard_ram(plan: Plan, catalog: Catalog) -> float | None:
    """The RAM of a plan's standard runtime; where unknown, the free tier's (what Colab gives by default)."""
    if plan.ram_gb is not None:
        return plan.ram_gb
    free = next((p for p in catalog.plans if p.name == FREE), None)
    return free.ram_gb if free is not None else None


@dataclass(frozen=True)
class _Context:
    """Everything that does not change with the number of runs, computed once."""

    workload: Workload
    sources: Sources
    catalog: Catalog
    tax: TaxBasis
    basis: _Basis
    epochs: tuple[tuple[Plan, Accelerator, speeds.Speed | None], ...]

    def local(self, runs: float) -> Option:
        return _local_option(self.workload, self.basis, self.sources, runs)

    def options(self, runs: float) -> tuple[Option, list[Option]]:
        local = self.local(runs)
        return local, [self.option(plan, acc, epoch, local, runs) for plan, acc, epoch in self.epochs]

    def option_by_key(self, key: str, runs: float) -> Option:
        local = self.local(runs)
        if key == LOCAL:
            return local
        plan, acc, epoch = next(e for e in self.epochs if f"{e[0].name}:{e[1].key}" == key)
        return self.option(plan, acc, epoch, local, runs)

    def option(self, plan: Plan, acc: Accelerator, epoch: speeds.Speed | None, local: Option, runs: float) -> Option:
        workload, catalog = self.workload, self.catalog
        notes: list[str] = []
        ram = plan.high_ram_gb or plan.ram_gb
        ram_fits = None if workload.ram_gb is None or ram is None else workload.ram_gb <= ram
        key = f"{plan.name}:{acc.key}"
        if epoch is None:
            return Option(key, plan, acc, None, None, None, None, None, None, None, None, None, ram_fits,
                          ("speed unknown: the catalog lacks this device's figures",))
        compute_hours = workload.epochs * epoch.seconds / 3600
        limit = _session_limit(plan, acc, catalog)
        sessions = max(1, math.ceil(compute_hours / limit)) if limit else 1
        run_hours = compute_hours + sessions * workload.setup_minutes / 60
        cu = None
        if plan.uses_compute_units:
            standard = _standard_ram(plan, catalog)
            high_ram = workload.ram_gb is not None and standard is not None and workload.ram_gb > standard
            rate = catalog.cu_rate(acc, catalog.as_of, high_ram=high_ram)
            cu = None if rate.value is None else runs * run_hours * rate.value
            if rate.value is None:
                notes.append(f"CU burn rate of {acc.key} unknown")
            elif plan.cu_included is not None and cu is not None and cu > plan.cu_included:
                notes.append(f"needs {cu - plan.cu_included:.0f} CU beyond the {plan.cu_included:.0f} included")
        cost = None
        if not plan.uses_compute_units or cu is not None:
            cost = monthly_cost(plan, cu or 0.0, _tax_arg(self.tax)).total_usd  # type: ignore[arg-type]
        saved = runs * (local.run_hours - run_hours) if local.run_hours is not None else None
        net = None if cost is None or saved is None else saved * workload.hour_value - cost
        if sessions > 1 and limit is not None:
            notes.append(f"{sessions} sessions of at most {limit:.1f} h: needs checkpointing")
        speedup = local.epoch.seconds / epoch.seconds if local.epoch else None
        return Option(key, plan, acc, epoch, speedup, sessions, run_hours, runs * run_hours, cu, cost, saved, net,
                      ram_fits, tuple(notes))


def _local_option(workload: Workload, basis: _Basis, sources: Sources, runs: float) -> Option:
    if workload.epoch_seconds is not None:
        epoch = speeds.Speed(basis.epoch_seconds, basis.epoch_seconds, basis.epoch_seconds, speeds.BASIS_MEASURED,
                             "your timing (--epoch-seconds)")
    else:
        assert basis.local_step is not None and basis.steps_per_epoch is not None
        epoch = basis.local_step.scaled(basis.steps_per_epoch)
    run_hours = workload.epochs * epoch.seconds / 3600
    ram = sources.local.environment.ram_bytes if sources.local else None
    ram_fits = None if workload.ram_gb is None or ram is None else workload.ram_gb <= ram / 1e9
    return Option(LOCAL, None, None, epoch, 1.0, 1, run_hours, runs * run_hours, None, 0.0, 0.0, 0.0, ram_fits)


def _context(workload: Workload, sources: Sources, catalog: Catalog, tax: TaxBasis, warnings: list[str]) -> _Context:
    basis = _local_basis(workload, sources)
    epochs = []
    for plan in catalog.plans:
        for acc in _accelerators_for(plan, workload.model, catalog):
            if workload.model == "deep":
                step = _deep_step(acc, basis, sources, catalog, warnings)
            else:
                step = _boosting_step(plan, acc, basis, sources)
            epochs.append((plan, acc, _epoch_from_step(step, basis) if step is not None else None))
    return _Context(workload, sources, catalog, tax, basis, tuple(epochs))


def _best(options: list[Option]) -> Option | None:
    ranked = [o for o in options if o.usable and o.net_value is not None]
    return max(ranked, key=lambda o: (o.net_value, -(o.cost or 0.0)), default=None)


# ---- the answer -----------------------------------------------------------------------------------
def recommend(workload: Workload, sources: Sources, catalog: Catalog, tax: TaxBasis) -> Recommendation:
    warnings: list[str] = []
    context = _context(workload, sources, catalog, tax, warnings)
    local, options = context.options(workload.runs_per_month)
    free = _best([o for o in options if o.is_free])
    paid = _best([o for o in options if not o.is_free])
    # What costs nothing: this machine, or Free. A paid plan has to beat the better of the two.
    baseline = _best([o for o in (local, free) if o is not None])
    best = _best([local, *options])
    hour_break_even = _break_even_hour_value(paid, baseline)
    runs_break_even = _break_even_runs(context, paid, baseline)
    deciders = _deciders(workload, local, free, paid)
    verdict = _verdict(workload, local, options, free, paid, baseline, best, hour_break_even, runs_break_even,
                       deciders)
    return Recommendation(
        workload=workload, as_of=catalog.as_of, era=catalog.era.name, tax=tax, local=local,
        options=tuple(options), best=best, best_free=free, best_paid=paid,
        break_even_hour_value=hour_break_even, break_even_runs=runs_break_even,
        verdict=tuple(verdict), deciders=tuple(deciders),
        assumptions=collect_assumptions(workload, sources, catalog, tax, options),
        warnings=tuple(dict.fromkeys(warnings)),
    )


def _break_even_hour_value(paid: Option | None, baseline: Option | None) -> float | None:
    """The hour value above which the paid option's extra hours saved outweigh its extra cost."""
    if paid is None or baseline is None or paid.cost is None or baseline.cost is None:
        return None
    extra_hours = (paid.hours_saved or 0.0) - (baseline.hours_saved or 0.0)
    extra_cost = paid.cost - baseline.cost
    if extra_hours <= 1e-9:
        return None
    return max(0.0, extra_cost / extra_hours)


def _break_even_runs(context: _Context, paid: Option | None, baseline: Option | None) -> float | None:
    """The fewest runs a month at which the best paid option beats the baseline, recomputing just those two."""
    if paid is None or baseline is None:
        return None
    for runs in range(1, BREAK_EVEN_MAX_RUNS + 1):
        again_paid = context.option_by_key(paid.key, float(runs))
        again_base = context.option_by_key(baseline.key, float(runs))
        if again_paid.net_value is None or again_base.net_value is None:
            return None
        if again_paid.net_value > again_base.net_value + 1e-9:
            return float(runs)
    return None


def _deciders(workload: Workload, local: Option, free: Option | None, paid: Option | None) -> list[str]:
    reasons = []
    if local.ram_fits is False:
        reasons.append(f"this machine lacks the RAM: the job needs {workload.ram_gb:g} GB")
    if free is None and paid is not None:
        reasons.append("Free does not fit (RAM) or cannot be timed")
    if free is not None and paid is not None:
        if free.needs_checkpointing and not paid.needs_checkpointing:
            reasons.append(f"session length: a run needs {free.sessions} free sessions but one paid session")
        if paid.speedup and free.speedup and paid.speedup > 1.2 * free.speedup:
            reasons.append(f"speed: {paid.accelerator.key if paid.accelerator else '?'} runs "
                           f"{paid.speedup / free.speedup:.1f}x faster than the free "
                           f"{free.accelerator.key if free.accelerator else '?'}")
        if any("beyond the" in n for n in paid.notes):
            reasons.append("volume: the paid plan's included CU do not cover the month")
    return reasons


def _times(value: float) -> str:
    return f"{value:.0f}x" if value >= 10 else f"{value:.1f}x"


def _speed_sentence(workload: Workload, local: Option, options: list[Option], best: Option | None) -> str:
    if not local.usable:
        return f"This machine lacks the RAM for this job ({workload.ram_gb:g} GB needed), so it has to move."
    timed = [o for o in options if o.usable and o.run_hours]
    free = [o for o in timed if o.is_free]
    colab = best if best is not None and best.plan is not None else (free or sorted(timed, key=lambda o: o.run_hours)
                                                                     or [None])[0]
    if colab is None or colab.run_hours is None or local.run_hours is None:
        return "Whether Colab is faster is unknown: the catalog lacks the figures to predict it."
    per_run = local.run_hours / colab.run_hours
    basis = colab.epoch.basis if colab.epoch else "unknown"
    per_epoch = colab.speedup or per_run
    # Per epoch and per run differ by the setup each Colab session costs; say both when they do.
    detail = basis
    if abs(per_epoch - per_run) >= 0.05 * per_run:
        detail = f"{_times(per_epoch)} per epoch before setup; {basis}"
    if per_run >= SAME_SPEED_BAND:
        lead = "Use Colab" if best is colab else "Colab is faster"
        return f"{lead}: {colab.label} runs this about {_times(per_run)} faster than this machine ({detail})."
    if per_run <= 1 / SAME_SPEED_BAND:
        return f"Stay on this machine: {colab.label} runs this about {_times(1 / per_run)} slower ({detail})."
    return f"{colab.label} runs this about as fast as this machine once setup is counted ({_times(per_run)}; {detail})."


def _money(value: float) -> str:
    return f"${value:,.2f}" if value < 100 else f"${value:,.0f}"


def _runs(count: float) -> str:
    return f"{count:g} run{'' if count == 1 else 's'} a month"


def _verdict(workload: Workload, local: Option, options: list[Option], free: Option | None, paid: Option | None,
             baseline: Option | None, best: Option | None, hour_break_even: float | None,
             runs_break_even: float | None, deciders: list[str]) -> list[str]:
    if not local.usable and all(o.ram_fits is False for o in options):
        return [f"Nothing fits: the job needs {workload.ram_gb:g} GB of RAM, more than this machine and every "
                "Colab plan in the catalog offer (see the fits column)."]
    sentences = [_speed_sentence(workload, local, options, best)]
    runs = _runs(workload.runs_per_month)
    if best is None:
        unknown = sorted({o.label for o in options if o.usable and o.cost is None})
        sentences.append(f"No option can be priced: the cost of {', '.join(unknown) or 'every option'} is unknown "
                         "(no CU burn rate in the catalog); add the rate to your catalog file.")
        return sentences
    thresholds = []
    if paid is not None and best is not paid:
        if runs_break_even is not None:
            thresholds.append(f"from {_runs(runs_break_even)}")
        if hour_break_even is not None:
            thresholds.append(f"if an hour of your time is worth more than {_money(hour_break_even)}")
    pays_off = ""
    if paid is not None and paid.plan is not None and thresholds:
        pays_off = f"; {paid.label} pays off {' or '.join(thresholds)}"
    if best.plan is None:
        sentences.append(f"No plan pays off at {runs} and {_money(workload.hour_value)} an hour: "
                         f"stay on this machine{pays_off}.")
    elif best.is_free:
        sentences.append(f"Free is enough at {runs}{pays_off}.")
    else:
        reason = f" ({deciders[0]})" if deciders else ""
        against = baseline if baseline is not None else local
        saved = (best.hours_saved or 0.0) - (against.hours_saved or 0.0)
        than = "Free" if against is free else "this machine"
        sentences.append(
            f"{best.label} pays off at {runs}: {saved:.1f} h a month less waiting than {than}, worth "
            f"{_money(saved * workload.hour_value)}, for {_money(best.cost or 0.0)}{reason}."
        )
    return sentences


CURVE_POINTS = 60


def cost_curves(
    workload: Workload, sources: Sources, catalog: Catalog, tax: TaxBasis, beyond: float | None = None
) -> dict[str, list[tuple[float, float]]]:
    """Monthly cost against runs per month, one curve per plan (on the plan's best option today).

    The runs axis reaches twice the workload's runs, and past `beyond` (a break-even) where given.
    """
    context = _context(workload, sources, catalog, tax, [])
    _, options = context.options(workload.runs_per_month)
    chosen: dict[str, Option] = {}
    for option in options:
        assert option.plan is not None
        current = chosen.get(option.plan.name)
        if option.usable and option.net_value is not None and (
            current is None or current.net_value is None or option.net_value > current.net_value
        ):
            chosen[option.plan.name] = option
    top = max(10.0, 2 * workload.runs_per_month, 1.25 * (beyond or 0))
    points = [top * (i + 1) / CURVE_POINTS for i in range(CURVE_POINTS)]
    return {
        option.label: [(runs, cost) for runs in points
                       if (cost := context.option_by_key(option.key, runs).cost) is not None]
        for option in chosen.values()
    }
