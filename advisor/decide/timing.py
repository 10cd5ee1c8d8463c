"""How long one epoch takes here and on each option: measured, or predicted from the step's profile."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from benchmarks import PRESETS
from pricing import Accelerator, Catalog, Plan

from ..errors import AdvisorError
from ..predict import speed as speeds
from .facts import Fact, fact
from .sources import Sources
from .uncertainty import LOCAL_GROUP, Errors, ErrorTerm, local_sigma, sigma_from_band, timing_sigma
from .workload import Workload

# Error groups of predicted figures: all predictions made with the same efficiency assumptions share
# one, so they move together and cancel in a comparison between two predicted options.
PREDICTED_GROUP = "predicted"
CPU_GROUP = "cpu-throughput"
NOTE_COLAB_OTHER_CONFIG = "colab_other_config"
LOCAL_EXACT: Errors = ()


# Where a figure comes from, as facts render words.
FROM_USER_TIMING = "user_timing"  # the user timed the epoch here (--epoch-seconds)
FROM_LOCAL_MEDIAN = "local_median"  # the median of this machine's stored measurements
FROM_SPECS = "specs"  # a catalog device's datasheet figures (--local-device)
FROM_NAMED_LOCAL = "named_local"  # a named workload predicted from this machine's ceilings
FROM_MEASURED = "measured"  # a measurement of that device (--colab)
FROM_PREDICTED = "predicted"  # predicted from the device's specs
FROM_CPU_RATIO = "cpu_ratio"  # this machine's CPU throughput against the runtime's


@dataclass(frozen=True)
class Timed:
    """One step on a device: its figure, the error term its draws come from, and where it comes from."""

    speed: speeds.Speed
    error: Errors
    provenance: Fact


@dataclass(frozen=True)
class Basis:
    """The workload's local step, and what turns a step time into an epoch time."""

    profile: speeds.StepProfile | None
    local_step: speeds.Speed
    steps_per_epoch: float | None  # None when the user timed the epoch: then only ratios matter
    epoch_seconds: float
    preset: str
    local_error: Errors = LOCAL_EXACT
    provenance: Fact = field(default_factory=lambda: fact(FROM_USER_TIMING))

    @property
    def local_epoch(self) -> speeds.Speed:
        return epoch_from_step(self.local_step, self)

    @property
    def fixed_local(self) -> bool:
        """The user timed the epoch here: this machine's time is theirs; the error moves the ratios."""
        return self.steps_per_epoch is None


def local_basis(workload: Workload, sources: Sources) -> Basis:
    figure = sources.local_figure
    named = sources.named
    if named is not None:
        step = named.local
        error: Errors = (ErrorTerm(LOCAL_GROUP, sigma_from_band(step.seconds, step.low, step.high)),)
        source = fact(FROM_NAMED_LOCAL, workload=named.name)
        if step.basis == speeds.BASIS_ESTIMATE and sources.local_device is not None:  # predicted from specs
            error = prediction_error(step, LOCAL_GROUP)
            source = fact(FROM_SPECS, device=sources.local_device.key)
        if workload.epoch_seconds is not None:
            source = fact(FROM_USER_TIMING)
        if workload.epoch_seconds is not None:
            return Basis(None, step, None, workload.epoch_seconds, named.name, error, source)
        steps = (workload.epoch_samples or 0) / named.batch_size
        return Basis(None, step, steps, steps * step.seconds, named.name, error, source)
    if figure is not None:
        m = figure.measurement
        profile = speeds.profile_of(m)
        local_step = speeds.Speed(figure.seconds, figure.low, figure.high, speeds.BASIS_MEASURED, m.id)
        error = (ErrorTerm(LOCAL_GROUP, figure.sigma),)
        preset = m.config.preset
        source = fact(FROM_LOCAL_MEDIAN, count=figure.count, newest=m.id, device=m.environment.device_label)
    elif sources.local_device is not None:
        preset = workload.preset_or(None)
        profile = speeds.preset_profile(preset)
        estimate = speeds.predict(profile, sources.local_device, speeds.BASIS_ESTIMATE)
        if estimate is None:
            raise AdvisorError(f"the catalog has no speed figures for '{sources.local_device.key}': measure instead")
        local_step = estimate
        error = prediction_error(estimate, LOCAL_GROUP)
        source = fact(FROM_SPECS, device=sources.local_device.key)
    else:
        raise AdvisorError(
            "no measurement of this machine: run `colab-advisor measure` (about 10 s), or give --local-device NAME "
            "to estimate from specs"
        )
    if workload.epoch_seconds is not None:
        return Basis(profile, local_step, None, workload.epoch_seconds, preset, error, fact(FROM_USER_TIMING))
    samples = workload.epoch_samples
    assert samples is not None
    if workload.preset is not None and profile is not None and workload.preset != preset:
        raise AdvisorError(
            f"--preset {workload.preset}: this machine's measurement is of the {preset} preset; "
            f"measure with `colab-advisor measure --preset {workload.preset}` or use --preset {preset}"
        )
    steps = samples / (profile.batch_size if profile else PRESETS[preset].batch_size)
    return Basis(profile, local_step, steps, steps * local_step.seconds, preset, error, source)


def epoch_from_step(step: speeds.Speed, basis: Basis) -> speeds.Speed:
    if basis.steps_per_epoch is not None:
        return step.scaled(basis.steps_per_epoch)
    # The user timed an epoch here: scale it by how much faster the other device runs the same step.
    return step.scaled(basis.epoch_seconds / basis.local_step.seconds)


def prediction_error(speed: speeds.Speed, device: str) -> Errors:
    """A prediction's error: the level every prediction from specs shares (one draw for all), and the
    device's own (one draw per device, whichever plan offers it). Without validated sigmas, the band
    stands for one shared error."""
    if speed.sigma is None:
        return (ErrorTerm(PREDICTED_GROUP, sigma_from_band(speed.seconds, speed.low, speed.high)),)
    return (ErrorTerm(PREDICTED_GROUP, speed.shared_sigma or 0.0),
            ErrorTerm(f"{PREDICTED_GROUP}:{device}", speed.own_sigma or 0.0))


def deep_step(acc: Accelerator, basis: Basis, sources: Sources, catalog: Catalog,
              notes: list[Fact]) -> Timed | None:
    """One step of the workload on `acc`: measured in Colab where a measurement of that device was
    given, else predicted; with the error term its draws come from."""
    colab = sources.colab
    if sources.named is not None:
        ratio = sources.named.accelerators.get(acc.key)
        if ratio is None or ratio.accelerator is None:
            return None
        speed = ratio.accelerator
        return Timed(speed, prediction_error(speed, acc.key),
                     fact(FROM_PREDICTED, device=acc.name, workload=sources.named.name))
    if colab is not None and catalog.match_device_kind(colab.environment.device_kind) == acc:
        local = sources.local
        if local is not None and (local.config.preset, local.config.dtype) != (colab.config.preset,
                                                                                 colab.config.dtype):
            notes.append(fact(NOTE_COLAB_OTHER_CONFIG, colab_preset=colab.config.preset,
                              colab_dtype=colab.config.dtype, local_preset=local.config.preset,
                              local_dtype=local.config.dtype))
        batch = local.batch_size if local is not None else (basis.profile.batch_size if basis.profile else None)
        if batch:
            # Per-sample times: a Colab run of another batch size still says how fast the device is.
            step = colab.step_seconds / colab.batch_size * batch
            t = colab.python_loop
            interference = colab.interference.others_cpu_share if colab.interference is not None else 0.0
            sigma = local_sigma([t.median], [timing_sigma(t.median, t.mad)], [interference])
            error = (ErrorTerm(f"measured:{colab.id}", sigma),)
            low, high = error[0].band(step)
            return Timed(speeds.Speed(step, low, high, speeds.BASIS_MEASURED, colab.id), error,
                         fact(FROM_MEASURED, id=colab.id, where=sources.colab_origin or "Colab",
                              device=colab.environment.device_kind))
    if basis.profile is None:
        return None
    kind = speeds.BASIS_PREDICTED if sources.local is not None else speeds.BASIS_ESTIMATE
    speed = speeds.predict(basis.profile, acc, kind)
    if speed is None:
        return None
    return Timed(speed, prediction_error(speed, acc.key),
                 fact(FROM_PREDICTED, device=acc.name, workload=basis.preset))


def _cpu_rate(sources: Sources) -> tuple[float, str] | None:
    """FLOP/s this machine's CPU reaches: its measured matmul ceiling, else its spec sheet."""
    m = sources.local
    if m is not None and m.environment.platform == "cpu" and m.ceiling and m.ceiling.matmul_flops_per_second:
        return m.ceiling.matmul_flops_per_second, speeds.BASIS_PREDICTED
    device = sources.local_device
    if device is not None and device.kind == "cpu" and device.fp32_tflops:
        return device.fp32_tflops * 1e12 * speeds.CPU_EFFICIENCY[1], speeds.BASIS_ESTIMATE
    return None


def boosting_step(plan: Plan, acc: Accelerator, basis: Basis,
                  sources: Sources) -> Timed | None:
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
    if local is None:
        return None
    local_rate, local_kind = local
    kind = speeds.BASIS_ESTIMATE if local_kind == speeds.BASIS_ESTIMATE else kind
    step = basis.local_step.seconds
    times = [step * local_rate / rate for rate in rates]  # slowest Colab CPU gives the longest time
    speed = speeds.Speed(times[1], min(times), max(times), kind, acc.key)
    return Timed(speed, (ErrorTerm(CPU_GROUP, sigma_from_band(speed.seconds, speed.low, speed.high)),),
                 fact(FROM_CPU_RATIO, local_gflops=local_rate / 1e9, device=acc.name))


def data_parallel_share(devices: int, batch: int | None) -> float:
    """The share of one device's step time a batch split over `devices` takes: each device holds
    ceil(batch / devices) samples, so a batch smaller than the device count leaves devices idle (batch 1
    on two GPUs takes as long as on one). With the batch unknown (an epoch the user timed), 1 / devices."""
    if batch is None or batch <= 0:
        return 1 / devices
    return math.ceil(batch / devices) / batch


def batch_of(basis: Basis, sources: Sources) -> int | None:
    """The batch one step trains: the named workload's, else the step profile's (None: the user timed it)."""
    if sources.named is not None:
        return sources.named.batch_size
    return basis.profile.batch_size if basis.profile is not None else None
