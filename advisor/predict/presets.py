"""The AutoEncoder presets' kernel profiles, shipped with the package: predicting a preset compiles nothing.

`scripts/preset_profiles.py` writes benchmarks/reference/profile-ae-<preset>-<dtype>.json with the
same profiler `predict --workload` uses (tests/advisor/predict/test_presets.py checks that the shipped
small preset matches a fresh profile), so `recommend`, `compare` and `predict` price a preset with
the one per-kernel predictor of advisor/predict/model.py.
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path

import benchmarks
from benchmarks.config import DTYPES, PRESETS
from benchmarks.workloads.specs import workload_for_preset
from pricing import Accelerator

from ..errors import AdvisorError
from .kernels import local_seconds
from .profiles import WorkloadProfile, accelerator_plan_dtype, parse_profile
from .speed import BASIS_PREDICTED, CPU_EFFICIENCY, Speed

REFERENCE_DIR = Path(benchmarks.__file__).parent / "reference"


def shipped_path(preset: str, dtype: str) -> Path:
    return REFERENCE_DIR / f"profile-{workload_for_preset(preset)}-{dtype}.json"


@functools.cache
def shipped_profile(preset: str, dtype: str) -> WorkloadProfile:
    """The shipped kernel profile of `preset` in `dtype`; AdvisorError for an unknown preset or dtype."""
    if preset not in PRESETS:
        raise AdvisorError(f"unknown preset '{preset}'")
    if dtype not in DTYPES:
        raise AdvisorError(f"unknown dtype '{dtype}'")
    path = shipped_path(preset, dtype)
    return parse_profile(json.loads(path.read_text(encoding="utf-8")), workload_for_preset(preset), dtype)


def preset_batch(preset: str) -> int:
    if preset not in PRESETS:
        raise AdvisorError(f"unknown preset '{preset}'")
    return PRESETS[preset].batch_size


def predict_preset(preset: str, dtype: str, batch_size: int, accelerator: Accelerator,
                   basis: str = BASIS_PREDICTED) -> Speed | None:
    """Step time of `preset` in `dtype` at `batch_size` on `accelerator`; None where a spec is unknown.

    GPUs and TPUs: the per-kernel model with its held-out band. A CPU described by its spec sheet:
    its FP32 peak at CPU_EFFICIENCY (and its bandwidth where known), kernel by kernel.
    """
    from .model import predict_kernels

    if batch_size <= 0:
        raise AdvisorError(f"batch size must be positive, got {batch_size}")
    if accelerator.kind != "cpu":
        work = shipped_profile(preset, accelerator_plan_dtype(dtype)).work(batch_size)
        return predict_kernels(work, accelerator, dtype, workload_for_preset(preset), basis)
    work = shipped_profile(preset, dtype).work(batch_size)
    if not accelerator.fp32_tflops:
        return None
    bandwidth = (accelerator.memory_bandwidth_gbs or math.inf) * 1e9
    low, centre, high = (local_seconds(work, accelerator.fp32_tflops * 1e12 * eff, bandwidth)
                         for eff in reversed(CPU_EFFICIENCY))
    return Speed(centre, low, high, basis, f"{workload_for_preset(preset)}@{accelerator.key}/fp32",
                 sigma=math.log(high / centre) / 1.2816, error_group="cpu/full")
