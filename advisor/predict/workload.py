"""Predicted step times of a named workload, per accelerator and on this machine."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.config import DTYPES, PRESETS
from benchmarks.result import Ceiling
from benchmarks.workloads.specs import WorkloadSpec, workload_for_preset
from pricing import Accelerator, Catalog
from pricing.names import did_you_mean

from ..errors import AdvisorError
from .fit import MAX_BATCH_SEARCHED, max_batch
from .kernels import local_seconds
from .model import Z_90, predict_kernels
from .physics import missing_for_prediction
from .profiles import Profiler, ProfileWarning, WorkloadProfile, accelerator_plan_dtype, load_profile, spec_of
from .speed import BASIS_PREDICTED, Speed, ratio_sigma

# What `predict` shows without --accelerators: the GPUs Colab's paid plans hand out.
# This machine, predicted from its measured matmul and copy ceilings: the ceilings are what the
# device reached on one large matmul and one large copy, so a step's kernels reach them at best;
# the band is wide because small kernels on a CPU fall well short of either.
LOCAL_BAND = (1.0, 1.5, 3.0)


@dataclass(frozen=True)
class Ratio:
    """How many times faster than the reference accelerator, with the 10-90 % range of that ratio."""

    centre: float
    low: float
    high: float


@dataclass(frozen=True)
class AcceleratorPrediction:
    accelerator: Accelerator
    speed: Speed | None  # None where the catalog lacks a spec the prediction needs
    max_batch: int | None  # None where the memory size is unknown; 0 when batch 1 does not fit
    fits: bool | None  # the requested batch fits
    missing: tuple[str, ...] = ()  # catalog fields the speed or the fit needs but lacks (why "unknown")
    ratio: Ratio | None = None  # against `Prediction.relative_to`; None without one or without both speeds


@dataclass(frozen=True)
class Prediction:
    workload: str
    description: str
    dtype: str
    batch_size: int
    rows: tuple[AcceleratorPrediction, ...]
    profile_source: str
    warnings: tuple[ProfileWarning, ...]
    relative_to: Accelerator | None = None
    # False where the profile has no memory plan to size a batch by (a QLoRA step: XLA's CPU plan keeps
    # every layer's dequantized weights live, which a GPU run never holds), so no largest batch is given.
    memory_planned: bool = True


@dataclass(frozen=True)
class WorkloadRatio:
    """One workload on this machine and on one accelerator, for a recommendation."""

    local: Speed | None  # None without measured ceilings
    accelerator: Speed | None  # None where the catalog lacks a spec
    fits: bool | None  # the batch fits the accelerator's memory; None where its size is unknown
    max_batch: int | None


def workload_name(workload: str | None, preset: str | None) -> str:
    """The workload `--workload` or `--preset` names (the medium AutoEncoder when neither does)."""
    if workload is not None and not workload.strip():
        raise AdvisorError("--workload: give a workload name, e.g. resnet50")
    if workload and preset:
        raise AdvisorError("give --workload or --preset, not both")
    if preset is not None:
        if preset not in PRESETS:
            raise AdvisorError(did_you_mean("preset", preset, [(p, p) for p in PRESETS], list(PRESETS)))
        return workload_for_preset(preset)
    name = workload or workload_for_preset("medium")
    spec_of(name)
    return name


def _check(dtype: str, batch: int | None) -> None:
    if dtype not in DTYPES:
        raise AdvisorError(did_you_mean("dtype", dtype, [(d, d) for d in DTYPES], list(DTYPES)))
    if batch is not None and batch <= 0:
        raise AdvisorError(f"--batch-size: expected a positive whole number, got {batch}")
    if batch is not None and batch > MAX_BATCH_SEARCHED:
        raise AdvisorError(f"--batch-size: at most {MAX_BATCH_SEARCHED:,}, got {batch:,}")


def _fits(profile: WorkloadProfile, acc: Accelerator, batch: int) -> tuple[int | None, bool | None]:
    largest = max_batch(profile, acc)
    return largest, None if largest is None else batch <= largest


def speed_ratio(speed: Speed | None, reference: Speed | None) -> Ratio | None:
    """`speed`'s accelerator over `reference`'s: how many times faster, with the ratio's own band.

    The model's shared level cancels in a ratio of two predictions; each one's own error stays.
    """
    if speed is None or reference is None:
        return None
    centre = reference.seconds / speed.seconds
    sigma = ratio_sigma(speed, reference)
    if sigma is None:  # a measured figure: its band as it stands
        return Ratio(centre, reference.low / speed.high, reference.high / speed.low)
    spread = math.exp(Z_90 * sigma)
    return Ratio(centre, centre / spread, centre * spread)


def colab_gpus(catalog: Catalog) -> list[str]:
    """The GPUs Colab's plans offer on the catalog's date, in catalog order: predict's default rows."""
    offered = {key for plan in catalog.plans if plan.provider == "colab" for key in plan.accelerators}
    return [acc.key for acc in catalog.accelerators if acc.key in offered and acc.kind == "gpu"]


def check_request(name: str, dtype: str, batch: int | None, accelerators: Sequence[str] | None, catalog: Catalog,
                  relative_to: str | None = None) -> tuple[WorkloadSpec, list[Accelerator], Accelerator | None]:
    """The workload, accelerators and reference a prediction asks for; AdvisorError for any bad one.

    Cheap: run it before a first profile compiles, so a wrong value costs no compile.
    """
    spec = spec_of(name)
    _check(dtype, batch)
    names = [key.strip() for key in (accelerators or colab_gpus(catalog))]
    if accelerators is not None and any(names) and not all(names):
        raise AdvisorError("--accelerators: an empty name between commas; give names like t4,l4")
    named = [catalog.accelerator(key) for key in names if key]
    chosen = list({acc.key: acc for acc in named}.values())  # each once, in the order first named
    if not chosen:
        raise AdvisorError("--accelerators: name at least one accelerator")
    reference = catalog.accelerator(relative_to.strip()) if relative_to is not None else None
    if reference is not None and (missing := missing_for_prediction(reference, dtype)):
        raise AdvisorError(f"--relative-to {reference.key}: its step cannot be predicted (the catalog has no "
                           f"{' or '.join(missing)} for it), so nothing can be said relative to it")
    return spec, chosen, reference


def predict_workload(name: str, dtype: str, batch: int | None, accelerators: Sequence[str] | None,
                     catalog: Catalog, home: Path, *, profiler: Profiler | None = None,
                     relative_to: str | None = None) -> Prediction:
    """Step time, samples/s and largest fitting batch of workload `name` on each accelerator.

    With `relative_to` (a catalog accelerator), each row also says how many times faster it runs
    than that accelerator, with the ratio's 10-90 % range.
    """
    spec, chosen, reference = check_request(name, dtype, batch, accelerators, catalog, relative_to)
    batch = batch or spec.batch_size
    warnings: list[ProfileWarning] = []
    kwargs = {"profiler": profiler} if profiler is not None else {}
    profile = load_profile(name, accelerator_plan_dtype(dtype), home, warnings=warnings, **kwargs)
    work = profile.work(batch)
    reference_speed = predict_kernels(work, reference, dtype, name) if reference is not None else None
    rows = []
    for acc in chosen:
        largest, fits = _fits(profile, acc, batch)
        speed = predict_kernels(work, acc, dtype, name)
        missing = missing_for_prediction(acc, dtype) + (() if acc.memory_gb else ("memory_gb",))
        ratio = None
        if reference is not None:
            same = acc.key == reference.key and speed is not None
            ratio = Ratio(1.0, 1.0, 1.0) if same else speed_ratio(speed, reference_speed)
        rows.append(AcceleratorPrediction(acc, speed, largest, fits, missing, ratio))
    return Prediction(name, spec.description, dtype, batch, tuple(rows), profile.compiled_on,
                      tuple(warnings), reference, profile.device_bytes(1) is not None)


def local_speed(profile: WorkloadProfile, batch: int, ceiling: Ceiling | None) -> Speed | None:
    """This machine's step time from its measured matmul and copy ceilings, or None without them."""
    if ceiling is None or not ceiling.matmul_flops_per_second or not ceiling.copy_bytes_per_second:
        return None
    base = local_seconds(profile.work(batch), ceiling.matmul_flops_per_second, ceiling.copy_bytes_per_second)
    low, centre, high = (base * factor for factor in LOCAL_BAND)
    return Speed(centre, low, high, BASIS_PREDICTED, f"{profile.name}@local-ceilings")


def workload_ratio(name: str, batch: int | None, dtype: str, accelerator: Accelerator,
                   local_ceiling: Ceiling | None, home: Path, *, profiler: Profiler | None = None,
                   warnings: list[ProfileWarning] | None = None) -> WorkloadRatio:
    """Workload `name` predicted on this machine (from its measured ceilings) and on `accelerator`.

    Profiles the workload on first use (seconds, cached in `home`); raises AdvisorError for an
    unknown workload, dtype or batch.
    """
    spec = spec_of(name)
    _check(dtype, batch)
    batch = batch or spec.batch_size
    kwargs = {"profiler": profiler} if profiler is not None else {}
    planned = load_profile(name, accelerator_plan_dtype(dtype), home, warnings=warnings, **kwargs)
    largest, fits = _fits(planned, accelerator, batch)
    local = None
    if local_ceiling is not None:  # this machine runs its own plan of the step
        local = local_speed(load_profile(name, dtype, home, warnings=warnings, **kwargs), batch, local_ceiling)
    return WorkloadRatio(local, predict_kernels(planned.work(batch), accelerator, dtype, name), fits, largest)
