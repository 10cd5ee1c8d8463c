"""Step time from a workload's kernels: each at max(compute, memory) time, summed, plus launches.

A profile lists every kernel XLA plans for one training step (see benchmarks/workloads): matrix
kernels (dots, convolutions) meet the matrix units' roof, the rest meet the memory roof. The
factors a kernel reaches differ by GPU generation and by kind of kernel; they were fitted on half
of the published measurements in benchmarks/reference/published.toml and are reported on the
other half by scripts/validate_predictions.py.

Limits, stated where they bite: the kernels are those XLA plans for the CPU. It fuses less than
the GPU compiler (no matmul epilogues, one small kernel per parameter update), counts whole
operands as read, and widens half-precision work to f32. Conversion-only kernels are dropped and
widened matmuls counted at half their bytes; the rest is absorbed by the fitted factors on
average, not per model — which is why the band exists.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from pricing import Accelerator

from .speed import BASIS_PREDICTED, HALF_PRECISION, Speed, peak_flops

KINDS = ("dot", "conv", "memory", "convert")

# Per generation: (dot, convolution) fractions of the datasheet matrix peak, and a bandwidth
# factor. Fitted by `scripts/validate_predictions.py --fit` on the calibration half of
# benchmarks/reference/published.toml: per generation on speed ratios, then one common scale on
# absolute step times. They are effective factors, not physical fractions: the CPU's plan counts
# more bytes than a GPU moves (less fusion, whole operands), so the bandwidth factors exceed 1 and
# the compute fractions run high. Kepler and Pascal had no published rows: they take
# Ampere's; "other" (an accelerator added by a user) takes the mean.
EFFICIENCY: dict[str, tuple[float, float, float]] = {
    "kepler": (0.90, 0.79, 1.22),
    "pascal": (0.90, 0.79, 1.22),
    "volta": (0.90, 0.90, 1.44),
    "turing": (0.90, 0.90, 1.35),
    "ampere": (0.90, 0.79, 1.22),
    "ada": (0.77, 0.90, 1.76),
    "hopper": (0.63, 0.27, 1.40),
    "other": (0.82, 0.75, 1.43),
}
GENERATION = {
    "k80": "kepler", "p4": "pascal", "p100": "pascal", "v100": "volta", "v100-pcie": "volta",
    "t4": "turing", "quadro-rtx-8000": "turing", "a100-40gb": "ampere", "a100-80gb": "ampere",
    "a100-80gb-sxm": "ampere", "a10": "ampere", "rtx-3090": "ampere", "rtx-a6000": "ampere",
    "l4": "ada", "rtx-4090": "ada", "rtx-6000-ada": "ada", "h100": "hopper", "h100-pcie": "hopper",
    "h200": "hopper",
}
# Clock a GPU holds under sustained load, as a fraction of the boost clock its datasheet peak
# assumes; only where a source gives it. K80: 560 MHz base vs 875 MHz boost (datasheet) — Colab's
# K80s ran without autoboost headroom.
SUSTAINED_CLOCK = {"k80": 560 / 875}
# Seconds per kernel launch on a GPU: the H100 reference runs one medium step of about 55 kernels
# (as the CPU plans them) in 65-72 us when steps are scanned on the device.
LAUNCH_SECONDS = 1.3e-6
# The host's dispatch of one step in a Python loop (low, centre, high): the same runs spent 84 us
# (bfloat16) and 172 us (float32) per step beyond the scanned loop.
STEP_OVERHEAD_SECONDS = (60e-6, 110e-6, 200e-6)
# The band on the kernels' time: the 90th percentile of the calibration half's ratio errors.
BAND_FACTOR = 1.25


@dataclass(frozen=True)
class Work:
    """One kernel's work at a given batch; `signature` pairs it with the same kernel at another batch."""

    kind: str
    flops: float
    bytes: float
    signature: str = ""


def _affine(a: Work, b: Work, batch_a: int, batch_b: int, batch: int) -> Work | None:
    """`a` and `b` extended to `batch` as a + slope * batch; None when they cannot be one kernel.

    One kernel's work grows with the batch at most in proportion (activations) and never shrinks
    (weights and optimizer state stay): a pair outside those bounds was paired wrongly.
    """
    for x, y in ((a.flops, b.flops), (a.bytes, b.bytes)):
        if y < x * 0.99 or y > x * batch_b / batch_a * 1.01 + 1.0:
            return None
    at = (batch - batch_a) / (batch_b - batch_a)
    return Work(b.kind, max(0.0, a.flops + (b.flops - a.flops) * at), max(0.0, a.bytes + (b.bytes - a.bytes) * at),
                b.signature)


def pair_kernels(kernels_a: Sequence[Work], kernels_b: Sequence[Work]) -> list[int]:
    """For each kernel of the second compile, the index of the same kernel in the first, or -1.

    The two compiles need not plan the same kernel list (a fusion decision can depend on a shape),
    so kernels are paired by signature in program order. Slow for thousands of kernels (a diff):
    the pairing is computed once and cached with the profile.
    """
    signatures_a = [k.signature or k.kind for k in kernels_a]
    signatures_b = [k.signature or k.kind for k in kernels_b]
    if signatures_a == signatures_b:
        return list(range(len(kernels_b)))
    pairs = [-1] * len(kernels_b)
    matcher = difflib.SequenceMatcher(None, signatures_a, signatures_b, autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal":
            pairs[b0:b1] = range(a0, a1)
    return pairs


def work_at(kernels_a: Sequence[Work], kernels_b: Sequence[Work], pairs: Sequence[int], batch_a: int,
            batch_b: int, batch: int) -> list[Work]:
    """Every kernel's work at `batch`, extrapolated from two profiled batches.

    A kernel left unpaired (see `pair_kernels`), or paired with one whose work cannot be its own at
    the other batch, keeps its work at the larger profiled batch: scaling it by the batch would turn
    a weight update into hundreds of them, while leaving an activation kernel unscaled misses one
    kernel in hundreds.
    """
    found: list[Work] = []
    for kernel, index in zip(kernels_b, pairs, strict=True):
        extended = _affine(kernels_a[index], kernel, batch_a, batch_b, batch) if index >= 0 else None
        found.append(kernel if extended is None else extended)
    return found


def generation(acc: Accelerator) -> str:
    if acc.key in GENERATION:
        return GENERATION[acc.key]
    return "other"


def kernel_seconds(work: Sequence[Work], acc: Accelerator, dtype: str) -> float | None:
    """Centre estimate of the kernels' time on `acc`, launches included; None without the specs."""
    peak = peak_flops(acc, dtype)
    if peak is None or not acc.memory_bandwidth_gbs:
        return None
    dot, conv, memory = EFFICIENCY[generation(acc)]
    clock = SUSTAINED_CLOCK.get(acc.key, 1.0)
    bandwidth = acc.memory_bandwidth_gbs * 1e9 * memory
    rates = {"dot": peak * dot * clock, "conv": peak * conv * clock}
    total = 0.0
    for kernel in work:
        if kernel.kind == "convert":
            continue  # a GPU computes in the narrow type: no kernel of its own
        compute = kernel.flops / rates[kernel.kind] if kernel.kind in rates else 0.0
        total += max(compute, _accelerator_bytes(kernel, dtype) / bandwidth) + LAUNCH_SECONDS
    return total


def _accelerator_bytes(kernel: Work, dtype: str) -> float:
    """The bytes a kernel moves on an accelerator with native half-precision matmuls.

    The CPU compiler widens a bf16/f16 matmul to f32 (operands and result); a GPU reads and writes
    the narrow type, half the bytes.
    """
    widened = kernel.signature.rsplit(":", 1)[-1].startswith("f32")
    if dtype in HALF_PRECISION and kernel.kind in ("dot", "conv") and widened:
        return kernel.bytes / 2
    return kernel.bytes


def predict_kernels(work: Sequence[Work], acc: Accelerator, dtype: str, source: str) -> Speed | None:
    """Step time of `work` on `acc` with the validation band, or None where a spec is unknown."""
    kernels = kernel_seconds(work, acc, dtype)
    if kernels is None:
        return None
    low, centre, high = STEP_OVERHEAD_SECONDS
    return Speed(kernels + centre, kernels / BAND_FACTOR + low, kernels * BAND_FACTOR + high, BASIS_PREDICTED,
                 f"per-kernel roofline: {source} on {acc.name} specs")


def local_seconds(work: Sequence[Work], matmul_flops_per_second: float, copy_bytes_per_second: float) -> float:
    """The kernels' time on a machine whose matmul and copy ceilings were measured."""
    total = 0.0
    for kernel in work:
        compute = kernel.flops / matmul_flops_per_second if kernel.kind in ("dot", "conv") else 0.0
        total += max(compute, kernel.bytes / copy_bytes_per_second)
    return total
