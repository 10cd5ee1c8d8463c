"""What the hardware can do before any fitting: which unit runs a dtype's matmuls, and at what clock.

The datasheet peaks assume every unit busy at the boost clock. Two facts decide how much of that a
training step can reach, and both come from the catalog rather than from a fit:

- The matmul unit per dtype. Tensor cores run FP16 from Volta on, and BF16 and TF32 only from
  Ampere on; JAX multiplies float32 matrices in TF32 at default precision where TF32 exists. Without
  tensor cores for a dtype, its matmuls run on the FP32 units (Pascal's P100 packs two FP16 per FP32
  lane; the other Pascal chips run FP16 at 1/64 rate, so a half-precision step falls back to FP32
  arithmetic at best; Kepler has no FP16 arithmetic at all).
- The clock. A card at a low board power limit (T4 70 W, L4 72 W, P4 75 W) cannot hold its boost
  clock under a sustained matmul load, and how far it drops depends on the chip (the 12 nm T4 falls
  to about 900 MHz of 1590). Where a source gives the clock under a sustained training or inference
  load it is used. A clock read at the power limit under a sustained tensor-core load (the 4 nm L4
  held 1,009 MHz of 2,040 through continuous matmuls; a 250 W V100 PCIe fell to 1,252 MHz of 1,380
  through a diffusion model's run) is the heaviest load, a floor for a training step whose
  memory-bound kernels draw less: the band spans it to boost around their geometric mean. A card
  with no reading of its own may take one from another card of the same chip at the same power
  limit (the V100S from the V100 PCIe), and the caveat says whose it is. A card of an architecture
  with such a reading (Ada: the L4; Volta: the V100 PCIe) whose power limit cannot feed its tensor cores
  at their peak at that card's energy per FLOP (board power over the FLOP/s it delivered) gets the
  share it can feed as the same kind of floor: the 300 W RTX 6000 Ada, with 2.2x the 450 W RTX 4090's
  tensor rate, 68 % of its peak; the 4090 all of its. Where only base and boost
  are known the clock is not guessed either: the centre is their geometric mean and the 10-90 % band
  spans base to boost.

- The layout of a convolution's tensors, where a published run states it. cuDNN's channels-last
  (NHWC) kernels are built for tensor cores; a dtype without a tensor-core path (float32 before
  Ampere) runs slower in that layout than in channels-first (NCHW). A JAX step never meets this: XLA's
  GPU layout assignment picks NCHW for float32 convolutions before Hopper, NHWC for half precision
  from Volta on and for every 2-D convolution from Hopper on (where TF32 runs on tensor cores), so a
  prediction for the user's own step has no layout and no slow-down. Only
  published runs that chose the layout themselves (PyTorch's `channels_last`) are predicted with it.

Each choice that departs from the plain peak is returned as a `Caveat` (a code and its figures);
advisor/render words them.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

from pricing import Accelerator, load_catalog

HALF_PRECISION = ("bfloat16", "float16")
# Which matmul inputs run on tensor cores, per architecture (NVIDIA architecture whitepapers:
# Volta V100, Turing TU102, Ampere GA100/GA102, Ada AD102, Hopper H100, Blackwell).
TENSOR_INPUTS: dict[str, frozenset[str]] = {
    "volta": frozenset({"float16"}),
    "turing": frozenset({"float16"}),
    "ampere": frozenset({"float16", "bfloat16", "tf32"}),
    "ada": frozenset({"float16", "bfloat16", "tf32"}),
    "hopper": frozenset({"float16", "bfloat16", "tf32"}),
    "blackwell": frozenset({"float16", "bfloat16", "tf32"}),
}
GPU_ARCHITECTURES = ("kepler", "maxwell", "pascal", "volta", "turing", "ampere", "ada", "hopper", "blackwell")
# At or below this board power a card is power-limited under sustained matmul load (the T4, L4 and
# P4 are 70-75 W single-slot cards; the next cards up are 150 W and more).
POWER_LIMITED_WATTS = 75.0
Z_90 = 1.2815515655446004  # the 90th percentile of a standard normal
# Convolution layouts a published run may state (published.toml `layout`).
CHANNELS_LAST = "channels-last"
CHANNELS_FIRST = "channels-first"
LAYOUTS = (CHANNELS_LAST, CHANNELS_FIRST)
# How much longer a convolution without a tensor-core path takes in channels-last layout than in
# channels-first. Two published measurements, both forward passes in float32:
# - a V100 ran 21 3x3 convolutions to 128 channels on 256x256 maps, batch 10 (PyTorch 1.6, CUDA
#   10.1) in 2.76 s NHWC against 1.68 s NCHW, 1.64x (pytorch/pytorch#44943, 2020-09-24; a PyTorch
#   maintainer there: channels-last is expected to speed up only half precision on tensor cores);
# - a TITAN RTX (Turing) ran 1,000 3x3 convolutions of 1,024 channels on 7x7 maps, batch 32 (PyTorch
#   1.7.0+cu101) in 2.346 s NHWC against 0.974 s NCHW, 2.41x (pytorch/pytorch#50036, 2021-01-04, and
#   discuss.pytorch.org/t/107586).
# They differ in shape as well as in card, so the gap cannot be put down to the architecture: every
# architecture without a tensor-core path for the dtype takes their geometric mean, 1.99x. The first
# report's K80 keeps its own figure: 2x slower in NHWC (PyTorch 1.6: NCHW 2x and NHWC 4x its PyTorch
# 1.3.1 time).
CHANNELS_LAST_SLOWDOWN = math.sqrt((2.76 / 1.68) * (2.3461 / 0.9735))
CHANNELS_LAST_SLOWDOWN_BY_ARCHITECTURE = {"kepler": 4.0 / 2.0}

# Caveat codes (render/predict.py words them).
NO_TF32 = "no-tf32"  # float32 before Ampere: FP32 units, no TF32
NO_HALF_HARDWARE = "no-half-hardware"  # Kepler: no FP16 arithmetic; half precision runs in FP32
SLOW_HALF = "slow-half"  # Pascal GP102/GP104: FP16 at 1/64 rate; half precision runs in FP32 at best
PACKED_HALF = "packed-half"  # P100: two FP16 per FP32 lane, no tensor cores
NO_NATIVE_BF16 = "no-native-bf16"  # bfloat16 before Ampere: computed in FP32
POWER_LIMITED = "power-limited"  # clock between base and boost under load
MATMUL_CLOCK = "matmul-clock"  # clock between a reading under a sustained tensor-core load and boost
SUSTAINED_CLOCK = "sustained-clock"  # a published sustained clock below boost
POWER_BUDGET = "power-budget"  # its power limit buys fewer tensor-core FLOPs than its peak, at another card's rate
# float16 on a TPU: its matrix units take bfloat16, not float16 (pytorch/xla#3041, a maintainer: "TPU
# doesn't support fp16 well"); taken at the bfloat16 peak like float32 at default precision, and said so.
TPU_FLOAT16 = "tpu-float16"
# float32 on a TPU: at default precision its matmuls run as one bfloat16 pass, at the bfloat16 peak.
TPU_FLOAT32 = "tpu-float32"
UNKNOWN_ARCHITECTURE = "unknown-architecture"  # no architecture: the figures are used as given
MISSING_SPEC = "missing-spec"  # a figure the prediction needs is unknown


@dataclass(frozen=True)
class Caveat:
    """A typed fact about how a prediction was made: a code and the figures behind it."""

    code: str
    figures: tuple[tuple[str, float | str], ...] = ()


@dataclass(frozen=True)
class MatrixPath:
    """The peak a dtype's matmuls can reach on one device, and which unit gives it."""

    flops: float | None  # FLOP/s at the boost clock; None where a needed figure is unknown
    unit: str  # "tensor", "tf32", "fp32", "packed-half", "tpu" or "unknown"
    caveats: tuple[Caveat, ...] = ()


@dataclass(frozen=True)
class Clock:
    """The clock a step runs at, as a fraction of the boost clock the peaks assume."""

    centre: float
    low: float  # the slowest the clock is expected to drop to (the band's slow end)
    caveats: tuple[Caveat, ...] = ()
    unknown: bool = False  # no reading under load: the 10-90 % band spans `low` to boost

    @property
    def sigma(self) -> float:
        """Log-space spread of the clock: a uniform spread between `low` and 1 in log space around a
        reading; without one, wide enough that the 10-90 % band covers `low` to 1."""
        if self.low >= 1.0:
            return 0.0
        if self.unknown:
            return math.log(1.0 / self.low) / (2.0 * Z_90)
        return math.log(1.0 / self.low) / math.sqrt(12.0)


def architecture(acc: Accelerator) -> str:
    """The accelerator's architecture, "tpu"/"cpu" by kind, or "other" where the catalog does not say."""
    if acc.architecture:
        return acc.architecture
    if acc.kind in ("tpu", "cpu"):
        return acc.kind
    return "other"


def precision(dtype: str) -> str:
    return "half" if dtype in HALF_PRECISION else "full"


def _tera(value: float | None) -> float | None:
    return value * 1e12 if value else None


def matrix_path(acc: Accelerator, dtype: str) -> MatrixPath:
    """Which unit runs `dtype`'s matmuls on `acc`, its peak, and why it is not a faster one."""
    arch = architecture(acc)
    if acc.kind == "tpu":  # float32 matmuls run as one bf16 pass at default precision
        caveats = {"float16": (Caveat(TPU_FLOAT16),), "float32": (Caveat(TPU_FLOAT32),)}.get(dtype, ())
        return MatrixPath(_tera(acc.fp16_bf16_tflops), "tpu", caveats + _missing(acc, "fp16_bf16_tflops"))
    if acc.kind == "cpu" or arch == "apple":
        return MatrixPath(_tera(acc.fp32_tflops), "fp32", _missing(acc, "fp32_tflops"))
    tensor = TENSOR_INPUTS.get(arch)
    if tensor is None and arch not in GPU_ARCHITECTURES:
        return _unknown_architecture(acc, dtype)
    tensor = tensor or frozenset()
    fp32 = _tera(acc.fp32_tflops)
    if dtype == "float32":
        if "tf32" in tensor and acc.tf32_tflops:
            return MatrixPath(_tera(acc.tf32_tflops), "tf32")
        if "tf32" in tensor:
            return MatrixPath(fp32, "fp32", _missing(acc, "fp32_tflops"))
        return _fp32_fallback(acc, fp32, NO_TF32, arch)
    if dtype in tensor:  # tensor cores take this dtype: without their figure the step is unknown
        return MatrixPath(_tera(acc.fp16_bf16_tflops), "tensor", _missing(acc, "fp16_bf16_tflops"))
    if dtype == "bfloat16":
        return _fp32_fallback(acc, fp32, NO_NATIVE_BF16, arch)
    # float16 without tensor cores
    if arch == "kepler":
        return _fp32_fallback(acc, fp32, NO_HALF_HARDWARE, arch)
    if acc.fp16_bf16_tflops and acc.fp32_tflops and acc.fp16_bf16_tflops > acc.fp32_tflops:
        return MatrixPath(_tera(acc.fp16_bf16_tflops), "packed-half",
                          (Caveat(PACKED_HALF, (("fp16_tflops", acc.fp16_bf16_tflops),
                                                ("fp32_tflops", acc.fp32_tflops))),))
    return _fp32_fallback(acc, fp32, SLOW_HALF, arch)


def _fp32_fallback(acc: Accelerator, fp32: float | None, code: str, arch: str) -> MatrixPath:
    return MatrixPath(fp32, "fp32", (Caveat(code, (("architecture", arch),)), *_missing(acc, "fp32_tflops")))


def _unknown_architecture(acc: Accelerator, dtype: str) -> MatrixPath:
    """No architecture in the catalog: take the figures as given (a user's entry), and say so."""
    if dtype == "float32":
        rate, field = (acc.tf32_tflops, "tf32_tflops") if acc.tf32_tflops else (acc.fp32_tflops, "fp32_tflops")
    else:
        rate, field = (acc.fp16_bf16_tflops, "fp16_bf16_tflops") if acc.fp16_bf16_tflops else (
            acc.fp32_tflops, "fp32_tflops")
    return MatrixPath(_tera(rate), "unknown", (Caveat(UNKNOWN_ARCHITECTURE), *_missing(acc, field)))


def _missing(acc: Accelerator, *fields: str) -> tuple[Caveat, ...]:
    absent = [name for name in fields if not getattr(acc, name)]
    return (Caveat(MISSING_SPEC, tuple(("field", name) for name in absent)),) if absent else ()


@functools.cache
def _tensor_joules() -> dict[str, tuple[float, str]]:
    """Per architecture, the joules a half-precision tensor-core FLOP takes at the power limit, and the card
    it comes from: a shipped catalog card with a clock reading of its own under continuous tensor-core
    matmuls at that limit (its board power over its half-precision peak at the clock read)."""
    found: dict[str, tuple[float, str]] = {}
    for card in load_catalog().accelerators:
        if (card.kind == "gpu" and card.architecture and card.matmul_clock_mhz and not card.matmul_clock_from
                and card.boost_clock_mhz and card.power_limit_watts and card.fp16_bf16_tflops):
            delivered = card.fp16_bf16_tflops * 1e12 * min(1.0, card.matmul_clock_mhz / card.boost_clock_mhz)
            found.setdefault(card.architecture, (card.power_limit_watts / delivered, card.key))
    return found


def power_budget(acc: Accelerator) -> tuple[float, str] | None:
    """Where `acc`'s power limit cannot feed its tensor cores at their half-precision peak at the energy per
    FLOP read on another card of its architecture: the fraction of that peak it can (a floor on its clock
    under a tensor-core load, like a reading), and that card's key. None where it can, or nothing says."""
    if (acc.kind != "gpu" or acc.architecture not in TENSOR_INPUTS or not acc.power_limit_watts
            or not acc.fp16_bf16_tflops or not acc.boost_clock_mhz):
        return None
    known = _tensor_joules().get(acc.architecture)
    if known is None or known[1] == acc.key:
        return None
    joules, reference = known
    fraction = acc.power_limit_watts / joules / (acc.fp16_bf16_tflops * 1e12)
    return (fraction, reference) if fraction < 1.0 else None


def clock(acc: Accelerator) -> Clock:
    """The clock a sustained training step holds on `acc`, as a fraction of boost."""
    boost = acc.boost_clock_mhz
    limited = acc.power_limit_watts is not None and acc.power_limit_watts <= POWER_LIMITED_WATTS
    if acc.sustained_clock_mhz and boost and acc.sustained_clock_mhz >= boost:
        return Clock(1.0, 1.0)  # holds its boost clock (or above it) under load: the peaks as given
    if acc.sustained_clock_mhz and boost:
        # One reading of a clock under load, not a bound: a power-limited card keeps the band down to base.
        fraction = min(1.0, acc.sustained_clock_mhz / boost)
        low = min(fraction, acc.base_clock_mhz / boost) if limited and acc.base_clock_mhz else fraction
        read: tuple[tuple[str, float | str], ...] = (("sustained_mhz", acc.sustained_clock_mhz), ("boost_mhz", boost))
        if low < fraction:  # the band reaches below the reading, down to the base clock
            read += (("low_mhz", round(low * boost)),)
        return Clock(fraction, low, (Caveat(SUSTAINED_CLOCK, read),))
    if acc.matmul_clock_mhz and boost and acc.matmul_clock_mhz < boost:
        # A floor, not a reading under a training step: the band spans it to boost, as for base.
        low = acc.matmul_clock_mhz / boost
        figures: tuple[tuple[str, float | str], ...] = (("matmul_mhz", acc.matmul_clock_mhz), ("boost_mhz", boost))
        if acc.matmul_clock_from:  # read on another card of the same chip and power limit: say whose
            figures += (("read_on", acc.matmul_clock_from),)
        return Clock(math.sqrt(low), low, (Caveat(MATMUL_CLOCK, figures),), unknown=True)
    if (budget := power_budget(acc)) is not None:
        low, reference = budget
        figures = (("watts", acc.power_limit_watts), ("reference", reference), ("share", low),
                   ("low_mhz", round(low * boost)), ("boost_mhz", boost))
        return Clock(math.sqrt(low), low, (Caveat(POWER_BUDGET, figures),), unknown=True)  # type: ignore[arg-type]
    if limited and acc.base_clock_mhz and boost and acc.base_clock_mhz < boost:
        low = acc.base_clock_mhz / boost
        return Clock(math.sqrt(low), low, (Caveat(POWER_LIMITED, (
            ("watts", acc.power_limit_watts), ("base_mhz", acc.base_clock_mhz), ("boost_mhz", boost))),),  # type: ignore[arg-type]
            unknown=True)
    return Clock(1.0, 1.0)


def conv_layout_slowdown(acc: Accelerator, dtype: str, layout: str | None) -> float:
    """How many times longer `acc`'s convolutions in `dtype` take in the stated `layout` than in the
    layout XLA would choose: the measured channels-last slow-down on a GPU without tensor cores for
    the dtype, 1 otherwise (no layout stated, a tensor-core path, a TPU or CPU)."""
    if layout is None:
        return 1.0
    if layout not in LAYOUTS:
        raise ValueError(f"layout {layout!r}: expected one of {', '.join(LAYOUTS)}")
    if layout != CHANNELS_LAST or acc.kind != "gpu" or architecture(acc) not in GPU_ARCHITECTURES:
        return 1.0
    if matrix_path(acc, dtype).unit not in ("fp32", "packed-half"):
        return 1.0
    return CHANNELS_LAST_SLOWDOWN_BY_ARCHITECTURE.get(architecture(acc), CHANNELS_LAST_SLOWDOWN)


def missing_for_prediction(acc: Accelerator, dtype: str) -> tuple[str, ...]:
    """The catalog fields a step-time prediction on `acc` needs but lacks."""
    fields = [str(value) for caveat in matrix_path(acc, dtype).caveats if caveat.code == MISSING_SPEC
              for _, value in caveat.figures]
    if not acc.memory_bandwidth_gbs:
        fields.append("memory_bandwidth_gbs")
    return tuple(fields)
