"""Step time from a workload's kernels on an accelerator's specs, with the error measured on held-out data.

Each kernel of the step (see benchmarks/workloads) takes max(compute, memory) time: matrix kernels
meet the peak of the unit that runs their dtype (physics.matrix_path) at the clock the card holds
(physics.clock), scaled by an efficiency; the rest meet the memory roof. The efficiencies are fitted
per (architecture, precision) where published rows exist for it (benchmarks/reference/published.toml);
elsewhere the pooled efficiency is used and the error is wider, and the prediction says so.

A GPU's memory time has a second part: the instructions that move the bytes (addresses, loads and
stores, the elementwise arithmetic itself) run on its FP32 cores, which do not hide them all behind
the memory traffic. So a kernel's memory time is bytes / bandwidth + bytes / (FP32 rate x
core_bytes_per_flop), one figure for every GPU fitted with the efficiencies. It matters where
bandwidth is high against the cores: an A100 streams 105 GB/s per FP32 TFLOP/s and an H100 50, an
RTX 4090 12, and published runs put the A100 and H100 well below what their bandwidth alone gives
against an RTX 4090 (Lambda's ResNet-50: H100 2.0x an RTX 4090 at 3.3x its bandwidth). The term is
taken at the boost clock: a memory-bound kernel leaves the cores waiting on memory and draws less
power, so a power-limited card's clock under a matmul load is not the one it holds there.
TPUs and CPUs have no such term.

The error: `scripts/validate_predictions.py --write` fits on all publishers but one, scores
the speed ratios of the held-out one, for each in turn, and stores a log-space sigma per (architecture,
precision) from those held-out residuals in benchmarks/reference/speed-model.json. A prediction's
10-90 % band is exp(+-1.2816 sigma) around its centre. The level error (`sigma_level`) is shared by
every prediction and drawn once; the rest is each device's own, drawn apart even for two devices of one
`error_group`, as the held-out sigmas were measured on pairs (two cards of one group among them).

Limits, stated where they bite: the kernels are those XLA plans for the CPU, re-counted as a GPU
plan would move them (benchmarks/workloads/traffic.py: elementwise work fused into regions whose
bytes are counted at their boundaries, slices at their size, half-precision matmul traffic at its
own width). That count is a lower bound on a GPU's traffic, so the fitted bandwidth efficiency is a
fraction of the datasheet bandwidth (at most 1), one per precision for every architecture. What a
kernel is the first to read of another's output, where it fits in the card's L2 cache, moves
L2_SPEEDUP times faster (cached_per_kernel): Ada's 48-96 MB L2 holds the activations and freshly
dequantized weights between kernels that a 4-6 MB Turing or Volta L2 sends to memory.
An architecture whose published rows all come from one publisher keeps the wider band of an
unfitted one: its fit was never checked against a second source.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import benchmarks
from pricing import Accelerator

from . import physics
from .kernels import Work
from .speed import BASIS_PREDICTED, Speed

MODEL_PATH = Path(benchmarks.__file__).parent / "reference" / "speed-model.json"
MODEL_SCHEMA = "colab-advisor/speed-model/v2"
Z_90 = 1.2815515655446004  # the 90th percentile of a standard normal: 10-90 % = exp(+-Z_90 sigma)
# Caveat codes this module adds (render/predict.py words them).
UNFITTED = "unfitted-architecture"  # no published rows for this architecture and precision
SINGLE_PUBLISHER = "single-publisher"  # fitted on one publisher's rows only: the unfitted band is kept
NO_CORE_RATE = "no-core-rate"  # a GPU without an FP32 rate: its memory time leaves out the cores' issue time
NO_L2_SIZE = "no-l2-size"  # a GPU without an L2 size: every byte is taken from memory
FP32_UNITS = "fp32-units-efficiency"  # half precision on FP32 units: their float32-fitted efficiencies
# Bandwidth of transfers that stay in the L2 cache over large reads from memory, as measured on an L4
# (1,365 GB/s for transfers that fit in its 48 MB L2, 262 GB/s for large reads; ish-codes-magic/
# bytes-per-token, docs/learning/M0-foundations.md, 2026-09-29). The one measured ratio, used for every
# GPU with a known L2 size: no other card's is published here.
L2_SPEEDUP = 1365.0 / 262.0


@dataclass(frozen=True)
class Efficiency:
    dot: float
    conv: float
    bandwidth: float
    sigma: float  # log-space error of a speed ratio's share from this group, held-out
    fitted: bool  # fitted on published rows of this (architecture, precision)
    publisher: str = ""  # the one publisher it was fitted on, where only one has rows for it
    units_of: str = ""  # the group whose matmul efficiencies are taken (half precision on FP32 units)


@dataclass(frozen=True)
class SpeedModel:
    efficiency: dict[str, tuple[float, float, float]]
    sigma: dict[str, float]
    pooled: dict[str, tuple[float, float, float]]
    sigma_unfitted: dict[str, float]
    sigma_level: float  # the error every prediction shares: the absolute level, beyond the ratios
    launch_seconds: float
    step_overhead_seconds: tuple[float, float, float]
    single_publisher: dict[str, str] | None = None  # group -> its one publisher
    core_bytes_per_flop: float = 0.0  # bytes a memory-bound kernel moves per FLOP of the FP32 cores


def _triple(value: Any) -> tuple[float, float, float]:
    a, b, c = (float(x) for x in value)
    return a, b, c


@functools.lru_cache(maxsize=1)
def speed_model(path: Path = MODEL_PATH) -> SpeedModel:
    """The fitted efficiencies and held-out errors shipped with the package."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("schema") != MODEL_SCHEMA:
        raise ValueError(f"{path.name}: not a speed model")
    return SpeedModel(
        {key: _triple(v) for key, v in data["efficiency"].items()},
        {key: float(v) for key, v in data["sigma"].items()},
        {key: _triple(v) for key, v in data["pooled"].items()},
        {key: float(v) for key, v in data["sigma_unfitted"].items()},
        float(data["sigma_level"]),
        float(data["launch_seconds"]),
        _triple(data["step_overhead_seconds"]),
        {str(k): str(v) for k, v in data.get("single_publisher", {}).items()},
        float(data["core_bytes_per_flop"]),
    )


def error_group(acc: Accelerator, dtype: str) -> str:
    """Predictions with the same key share their efficiency assumptions, hence one error draw."""
    return f"{physics.architecture(acc)}/{physics.precision(dtype)}"


def efficiency(acc: Accelerator, dtype: str, model: SpeedModel | None = None) -> Efficiency:
    model = model or speed_model()
    found = _group_efficiency(error_group(acc, dtype), physics.precision(dtype), model)
    if physics.precision(dtype) == "half" and physics.matrix_path(acc, dtype).unit == "fp32":
        # Half precision whose matmuls run on the FP32 units (bfloat16 before Ampere, float16 on Kepler and on
        # Pascal's GP10x): those units' efficiencies, fitted on float32 runs, with half precision's memory
        # traffic; no published run checks the pairing, so the wider of the two errors.
        group = f"{physics.architecture(acc)}/full"
        units = _group_efficiency(group, "full", model)
        return dataclasses.replace(units, bandwidth=found.bandwidth, sigma=max(units.sigma, found.sigma),
                                   fitted=units.fitted, units_of=group if units.fitted else "")
    return found


def _group_efficiency(group: str, kind: str, model: SpeedModel) -> Efficiency:
    if group in model.efficiency:
        dot, conv, bandwidth = model.efficiency[group]
        publisher = (model.single_publisher or {}).get(group, "")
        sigma = model.sigma.get(group, model.sigma_unfitted[kind])
        if publisher:  # one source: its own residuals cannot show how far another source would differ
            sigma = max(sigma, model.sigma_unfitted[kind])
        return Efficiency(dot, conv, bandwidth, sigma, True, publisher)
    dot, conv, bandwidth = model.pooled[kind]
    return Efficiency(dot, conv, bandwidth, model.sigma_unfitted[kind], False)


def core_flops(acc: Accelerator) -> float:
    """The FP32 rate (FLOP/s at boost) of a GPU's cores, which issue a memory-bound kernel's
    instructions; 0 for a TPU or CPU, or where the catalog does not give it (no such term)."""
    return acc.fp32_tflops * 1e12 if acc.kind == "gpu" and acc.fp32_tflops else 0.0


def resident(work: Sequence[Work], acc: Accelerator) -> bool:
    """Whether the step's weights and optimizer state stay in the L2 cache from one step to the next:
    every kernel's bytes that do not grow with the batch, counted each time a kernel reads them (so a
    weight read three times counts thrice), fit in the L2 together."""
    return bool(acc.l2_cache_mb) and sum(k.fixed_bytes for k in work if k.kind != "convert") <= acc.l2_cache_mb * 1e6


def cached_per_kernel(work: Sequence[Work], acc: Accelerator) -> list[float]:
    """Per kernel (converts, which a GPU does not run, at 0): the bytes that come from the L2 cache.

    - The values it is the first to read since a kernel wrote them (`Work.fresh_reads`, from the step's
      dataflow), each where it fits in the L2: an activation passed on to the next layer, a weight just
      dequantized, what an eager framework computed just before. Everything else it reads (activations
      saved long before, read again by the backward pass) and everything it writes (written back in
      time) moves at memory speed: a small batch's kernels are not all served by the cache because
      each fits in it.
    - Its weights and optimizer state, only where they stay in the cache between steps (`resident`):
      a step's optimizer update rewrites every weight, so weights larger than the cache are read from
      memory in the next step.
    A GPU whose L2 size the catalog lacks takes every byte from memory."""
    if not acc.l2_cache_mb:
        return [0.0] * len(work)
    size = acc.l2_cache_mb * 1e6
    weights_resident = resident(work, acc)
    found: list[float] = []
    for kernel in work:
        if kernel.kind == "convert":
            found.append(0.0)
            continue
        cached = min(kernel.fixed_bytes, kernel.bytes) if weights_resident else 0.0
        found.append(min(kernel.bytes, cached + sum(read for read in kernel.fresh_reads if read <= size)))
    return found


def memory_seconds(moved: float, acc: Accelerator, bandwidth: float, core_bytes_per_flop: float,
                   cached: float) -> float:
    """A kernel's memory time: its bytes at `bandwidth`, `cached` of them from the L2 cache
    (`cached_per_kernel`), plus the cores' instruction time for them (`core_flops`)."""
    seconds = (moved - cached) / bandwidth + cached / (bandwidth * L2_SPEEDUP)
    cores = core_flops(acc)
    return seconds + moved / (cores * core_bytes_per_flop) if cores and core_bytes_per_flop else seconds


def accelerator_bytes(kernel: Work, dtype: str) -> float:
    """The bytes a kernel moves on a GPU: the profile's own count (profiles from schema v2 on count
    half-precision matmul traffic at its width and elementwise work at fusion boundaries)."""
    del dtype
    return kernel.bytes


def kernel_seconds(work: Sequence[Work], acc: Accelerator, dtype: str, eff: Efficiency | None = None,
                   clock_fraction: float | None = None, launch_seconds: float | None = None,
                   cached: Sequence[float] | None = None) -> float | None:
    """Centre estimate of the kernels' time on `acc`, launches included; None without the specs.
    `cached`: `cached_per_kernel` of the same work, where the caller times it at several clocks."""
    peak = physics.matrix_path(acc, dtype).flops
    if peak is None or not acc.memory_bandwidth_gbs:
        return None
    eff = eff or efficiency(acc, dtype)
    clock = physics.clock(acc).centre if clock_fraction is None else clock_fraction
    launch = speed_model().launch_seconds if launch_seconds is None else launch_seconds
    core = speed_model().core_bytes_per_flop
    bandwidth = acc.memory_bandwidth_gbs * 1e9 * eff.bandwidth
    rates = {"dot": peak * eff.dot * clock, "conv": peak * eff.conv * clock}
    total = 0.0
    for kernel, from_cache in zip(work, cached_per_kernel(work, acc) if cached is None else cached,
                                  strict=True):
        if kernel.kind == "convert":
            continue  # a GPU computes in the narrow type: no kernel of its own
        compute = kernel.flops / rates[kernel.kind] if kernel.kind in rates else 0.0
        moved = accelerator_bytes(kernel, dtype)
        total += max(compute, memory_seconds(moved, acc, bandwidth, core, from_cache)) + launch
    return total


def clock_share_of(at_boost: float, at_low: float, low: float) -> float:
    """How much of a clock's spread reaches a step timed `at_boost` and `at_low` (the clock's slow end,
    `low` of boost), 0 to 1: ln(t(low) / t(boost)) / ln(1 / low). Only compute-bound kernels run slower
    at a lower clock; memory-bound ones, launches and the step's overhead do not, so a mostly
    memory-bound step takes little of the clock's band (and never a fast end beyond what boost allows)."""
    if low >= 1.0:
        return 0.0
    if at_boost <= 0 or at_low <= 0:
        return 1.0
    return min(1.0, max(0.0, math.log(at_low / at_boost) / math.log(1.0 / low)))


def predict_kernels(work: Sequence[Work], acc: Accelerator, dtype: str, source: str,
                    basis: str = BASIS_PREDICTED) -> Speed | None:
    """Step time of `work` on `acc` with its held-out 10-90 % band, or None where a spec is unknown."""
    eff = efficiency(acc, dtype)
    clock = physics.clock(acc)
    cached = cached_per_kernel(work, acc)  # the same at every clock: worked out once
    kernels = kernel_seconds(work, acc, dtype, eff, clock.centre, cached=cached)
    if kernels is None:
        return None
    shared = speed_model().sigma_level
    at_boost = share = 0.0
    if clock.low < 1.0:
        at_boost = kernel_seconds(work, acc, dtype, eff, 1.0, cached=cached) or 0.0
        share = clock_share_of(at_boost, kernel_seconds(work, acc, dtype, eff, clock.low, cached=cached) or 0.0,
                               clock.low)
    sigma = math.sqrt(shared ** 2 + eff.sigma ** 2 + (share * clock.sigma) ** 2)
    low, centre, high = speed_model().step_overhead_seconds
    spread = math.exp(Z_90 * sigma)
    fast = kernels / spread
    if clock.low < 1.0:  # the fast end is never beyond the same card's at its boost clock
        fast = max(fast, at_boost / math.exp(Z_90 * math.sqrt(shared ** 2 + eff.sigma ** 2)))
    path = physics.matrix_path(acc, dtype)
    caveats = path.caveats + clock.caveats
    if not eff.fitted:
        caveats += (physics.Caveat(UNFITTED, (("group", error_group(acc, dtype)), ("sigma", round(eff.sigma, 3)))),)
    if eff.units_of:
        caveats += (physics.Caveat(FP32_UNITS, (("group", eff.units_of), ("sigma", round(eff.sigma, 3)))),)
    if acc.kind == "gpu" and not core_flops(acc) and speed_model().core_bytes_per_flop:
        caveats += (physics.Caveat(NO_CORE_RATE),)
    if acc.kind == "gpu" and not acc.l2_cache_mb:
        caveats += (physics.Caveat(NO_L2_SIZE),)
    if eff.fitted and eff.publisher:
        caveats += (physics.Caveat(SINGLE_PUBLISHER, (("group", error_group(acc, dtype)), ("publisher", eff.publisher),
                                                      ("sigma", round(eff.sigma, 3)))),)
    return Speed(kernels + centre, min(fast, kernels) + low, kernels * spread + high, basis,
                 f"{source}@{acc.key}/{path.unit}",
                 sigma=sigma, error_group=error_group(acc, dtype), shared_sigma=shared, caveats=caveats)


SHARED_GROUP = "spec-model"  # every prediction from specs shares the level error: one draw for all


@dataclass(frozen=True)
class ModelFacts:
    """What a predicted speed rests on, for the assumptions a recommendation lists (render words it)."""

    publishers: tuple[str, ...]
    rows: int
    fitted_groups: tuple[str, ...]  # architecture/precision pairs with published rows
    sigma_level: float  # shared by every prediction
    sigma_by_group: tuple[tuple[str, float], ...]
    source: str


def model_facts(path: Path = MODEL_PATH) -> ModelFacts:
    data = json.loads(path.read_text(encoding="utf-8"))
    model = speed_model(path)
    return ModelFacts(tuple(data.get("publishers", ())), int(data.get("rows", 0)), tuple(sorted(model.efficiency)),
                      model.sigma_level, tuple(sorted(model.sigma.items())),
                      "benchmarks/reference/published.toml, fitted by scripts/validate_predictions.py --write")
