"""How fast a training step runs on a device: measured, or predicted from specs with a roofline.

A prediction takes the FLOPs and bytes of a measured step and asks how long an accelerator with
given specs needs for them: time = max(FLOPs / effective compute, bytes / effective bandwidth) +
per-step overhead. The efficiency factors and the overhead are ranges, not points: every
prediction carries a low/high band.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from benchmarks import PRESETS, Measurement
from pricing import Accelerator

# Fractions of datasheet peak that a dense training step reaches. The centre (0.5 of peak compute)
# matches the H100 reference runs in benchmarks/reference (large preset: 3.81 ms measured, 3.8 ms
# predicted in bf16; 7.2 ms vs 7.7 ms in float32/TF32).
COMPUTE_EFFICIENCY = (0.3, 0.5, 0.7)
BANDWIDTH_EFFICIENCY = (0.5, 0.7, 0.85)
# Host-side cost of one step in an ordinary training loop on an accelerator: kernel launches and
# dispatch. The H100 reference measured 236 us per medium step in a python loop, 72 us scanned.
STEP_OVERHEAD_SECONDS = (60e-6, 170e-6, 400e-6)
CPU_EFFICIENCY = (0.6, 0.8, 1.0)
HALF_PRECISION = ("bfloat16", "float16")

BASIS_MEASURED = "measured"
BASIS_PREDICTED = "predicted"
BASIS_ESTIMATE = "estimate from specs"


@dataclass(frozen=True)
class StepProfile:
    """What one training step has to do, independent of where it runs."""

    flops: float
    bytes: float | None
    batch_size: int
    dtype: str
    source: str  # e.g. "measurement 1a2b3c4d5e" or "medium preset, analytic"


@dataclass(frozen=True)
class Speed:
    """Seconds per step with a band, and where the figure comes from."""

    seconds: float
    low: float
    high: float
    basis: str
    detail: str

    def scaled(self, factor: float) -> Speed:
        return Speed(self.seconds * factor, self.low * factor, self.high * factor, self.basis, self.detail)


def profile_of(m: Measurement) -> StepProfile | None:
    if m.flops_per_step is None:
        return None
    return StepProfile(m.flops_per_step, m.bytes_per_step, m.batch_size, m.config.dtype, f"measurement {m.id}")


def analytic_profile(preset_name: str, dtype: str = "float32") -> StepProfile:
    """FLOPs and a rough byte count of a preset's step, for when nothing was measured."""
    preset = PRESETS[preset_name]
    batch = preset.batch_size
    if preset.kind == "dense":
        widths = [preset.features, *preset.hidden, preset.latent]
        layers = list(itertools.pairwise(widths)) * 2
        params = sum(a * b + b for a, b in layers)
        forward = sum(2 * batch * a * b for a, b in layers)
        activations = sum(batch * b for _, b in layers)
    else:  # conv: count the dense bottleneck and the convolutions as 3x3 stencils
        side, (c1, c2) = preset.features, preset.hidden
        spatial = [(side // 2) ** 2 * 9 * c1, (side // 4) ** 2 * 9 * c1 * c2]
        bottleneck = (side // 4) ** 2 * c2 * preset.latent
        params = 2 * (9 * c1 + 9 * c1 * c2 + bottleneck)
        forward = 2 * batch * 2 * (sum(spatial) + bottleneck)
        activations = 2 * batch * ((side // 2) ** 2 * c1 + (side // 4) ** 2 * c2)
    # Forward, then twice that backward; Adam reads params, grads and two moments and writes three.
    flops = 3.0 * forward
    moved = 7.0 * 4 * params + 3.0 * 4 * activations
    return StepProfile(flops, moved, batch, dtype, f"{preset_name} preset, analytic count")


def peak_flops(acc: Accelerator, dtype: str) -> float | None:
    """The peak JAX can use for this dtype's matmuls, in FLOP/s."""
    tera = 1e12
    if acc.kind == "tpu":  # float32 matmuls run as one bf16 pass at default precision
        return acc.fp16_bf16_tflops * tera if acc.fp16_bf16_tflops else None
    if dtype in HALF_PRECISION:
        # bfloat16 is native only where TF32 is too (Ampere and later); elsewhere it falls back to FP32.
        native = dtype == "float16" or acc.tf32_tflops is not None
        rate = acc.fp16_bf16_tflops if native and acc.fp16_bf16_tflops else acc.fp32_tflops
    else:
        rate = acc.tf32_tflops or acc.fp32_tflops  # JAX's default precision uses TF32 where it exists
    return rate * tera if rate else None


def roofline_seconds(profile: StepProfile, acc: Accelerator, which: int) -> float | None:
    """Step time from specs; `which` picks the low (0), centre (1) or high (2) end of the ranges."""
    peak = peak_flops(acc, profile.dtype)
    if peak is None:
        return None
    if acc.kind == "cpu":
        return profile.flops / (peak * CPU_EFFICIENCY[2 - which])
    compute = profile.flops / (peak * COMPUTE_EFFICIENCY[2 - which])
    memory = 0.0
    if profile.bytes:
        if not acc.memory_bandwidth_gbs:
            return None  # without the bandwidth a memory-bound step would look far too fast
        memory = profile.bytes / (acc.memory_bandwidth_gbs * 1e9 * BANDWIDTH_EFFICIENCY[2 - which])
    return max(compute, memory) + STEP_OVERHEAD_SECONDS[which]


def predict(profile: StepProfile, acc: Accelerator, basis: str = BASIS_PREDICTED) -> Speed | None:
    """Step time of `profile` on `acc` from its specs, with the band of the assumptions; None if unknown."""
    times = [roofline_seconds(profile, acc, which) for which in range(3)]
    if any(t is None for t in times):
        return None
    low, centre, high = times  # type: ignore[misc]
    return Speed(centre, low, high, basis, f"roofline: {profile.source} on {acc.name} specs")


def measured(m: Measurement, label: str) -> Speed:
    t = m.python_loop
    return Speed(t.median, max(t.median - 2 * t.mad, t.min), min(t.median + 2 * t.mad, t.max), BASIS_MEASURED,
                 f"{label}: measurement {m.id} on {m.environment.device_label}")
