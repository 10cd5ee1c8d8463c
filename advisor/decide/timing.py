"""How long one epoch takes here and on each option: measured, or predicted from the step's profile."""

from __future__ import annotations

from dataclasses import dataclass

from benchmarks import PRESETS
from pricing import Accelerator, Catalog, Plan

from ..errors import AdvisorError
from ..predict import speed as speeds
from .sources import Sources
from .workload import Workload


@dataclass(frozen=True)
class Basis:
    """The workload's local step, and what turns a step time into an epoch time."""

    profile: speeds.StepProfile | None
    local_step: speeds.Speed
    steps_per_epoch: float | None  # None when the user timed the epoch: then only ratios matter
    epoch_seconds: float
    preset: str

    @property
    def local_epoch(self) -> speeds.Speed:
        return epoch_from_step(self.local_step, self)


def local_basis(workload: Workload, sources: Sources) -> Basis:
    figure = sources.local_figure
    named = sources.named
    if named is not None:
        step = named.local
        if workload.epoch_seconds is not None:
            return Basis(None, step, None, workload.epoch_seconds, named.name)
        steps = (workload.epoch_samples or 0) / named.batch_size
        return Basis(None, step, steps, steps * step.seconds, named.name)
    if figure is not None:
        m = figure.measurement
        profile = speeds.profile_of(m)
        local_step = speeds.Speed(figure.seconds, figure.low, figure.high, speeds.BASIS_MEASURED,
                                  f"this machine: median of {figure.count} measurement(s), newest {m.id}")
        preset = m.config.preset
    elif sources.local_device is not None:
        preset = workload.preset_or(None)
        profile = speeds.preset_profile(preset)
        estimate = speeds.predict(profile, sources.local_device, speeds.BASIS_ESTIMATE)
        if estimate is None:
            raise AdvisorError(f"the catalog has no speed figures for '{sources.local_device.key}': measure instead")
        local_step = estimate
    else:
        raise AdvisorError(
            "no measurement of this machine: run `colab-advisor measure` (about 10 s), or give --local-device NAME "
            "to estimate from specs"
        )
    if workload.epoch_seconds is not None:
        return Basis(profile, local_step, None, workload.epoch_seconds, preset)
    samples = workload.epoch_samples
    assert samples is not None
    if workload.preset is not None and profile is not None and workload.preset != preset:
        raise AdvisorError(
            f"--preset {workload.preset}: this machine's measurement is of the {preset} preset; "
            f"measure with `colab-advisor measure --preset {workload.preset}` or use --preset {preset}"
        )
    steps = samples / (profile.batch_size if profile else PRESETS[preset].batch_size)
    return Basis(profile, local_step, steps, steps * local_step.seconds, preset)


def epoch_from_step(step: speeds.Speed, basis: Basis) -> speeds.Speed:
    if basis.steps_per_epoch is not None:
        return step.scaled(basis.steps_per_epoch)
    # The user timed an epoch here: scale it by how much faster the other device runs the same step.
    return step.scaled(basis.epoch_seconds / basis.local_step.seconds)


def deep_step(acc: Accelerator, basis: Basis, sources: Sources, catalog: Catalog,
              warnings: list[str]) -> speeds.Speed | None:
    colab = sources.colab
    if sources.named is not None:
        ratio = sources.named.accelerators.get(acc.key)
        return ratio.accelerator if ratio is not None else None
    if colab is not None and catalog.match_device_kind(colab.environment.device_kind) == acc:
        local = sources.local
        # Per-sample times: a Colab run of another batch size still says how fast the device is.
        colab_per_sample = colab.step_seconds / colab.batch_size
        if local is not None and (local.config.preset, local.config.dtype) != (colab.config.preset,
                                                                                 colab.config.dtype):
            warnings.append(
                f"the Colab result ({colab.config.preset}, {colab.config.dtype}) measured another preset or "
                f"dtype than this machine's ({local.config.preset}, {local.config.dtype}): only its speed "
                "ratio is used"
            )
        batch = local.batch_size if local is not None else (basis.profile.batch_size if basis.profile else None)
        if batch:
            ratio = (basis.local_step.seconds / batch) / colab_per_sample
            step = basis.local_step.seconds / ratio
            t = colab.python_loop
            spread = (t.max - t.min) / t.median if t.median else 0.0
            # The band carries both runs' spreads: this machine's and the Colab run's.
            low = step * (basis.local_step.low / basis.local_step.seconds) * (1 - spread / 2)
            high = step * (basis.local_step.high / basis.local_step.seconds) * (1 + spread / 2)
            where = sources.colab_origin or "Colab"
            return speeds.Speed(step, min(low, step), max(high, step), speeds.BASIS_MEASURED,
                                f"measurement {colab.id} from {where} on {colab.environment.device_kind}")
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


def boosting_step(plan: Plan, acc: Accelerator, basis: Basis, sources: Sources) -> speeds.Speed | None:
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
    return speeds.Speed(times[1], min(times), max(times), kind,
                        f"CPU throughput ratio: this machine {local_rate / 1e9:.0f} GFLOP/s vs {acc.name}")
