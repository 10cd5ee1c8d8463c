"""How fast a training step runs on a device: measured, or predicted from the step's kernels and specs.

A prediction takes the kernels of a training step (profiled once on a CPU; the AutoEncoder presets'
profiles ship with the package, see advisor/predict/presets.py) and asks how long an accelerator with
given specs needs for each (advisor/predict/model.py). Every prediction carries a 10-90 % band and
the log-space sigma it came from, measured on published runs the model was not fitted on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from benchmarks import Measurement
from pricing import Accelerator

from .physics import HALF_PRECISION, Caveat, matrix_path

# Host-side cost of one step in an ordinary training loop on an accelerator: kernel launches and
# dispatch (low, centre, high). The H100 reference measured 236 us per medium step in a python
# loop, 72 us scanned. Used where a time is scaled from a measurement, not predicted.
STEP_OVERHEAD_SECONDS = (60e-6, 170e-6, 400e-6)
# A CPU described by its spec sheet (--local-device on a CPU): the share of its FP32 peak a step's
# matmuls reach (low, centre, high).
CPU_EFFICIENCY = (0.6, 0.8, 1.0)

PRESETS_DTYPES = ("float32", "bfloat16", "float16")
BASIS_MEASURED = "measured"
BASIS_PREDICTED = "predicted"
BASIS_ESTIMATE = "estimate from specs"
__all__ = ["HALF_PRECISION"]


@dataclass(frozen=True)
class StepProfile:
    """What one training step has to do, independent of where it runs."""

    flops: float
    bytes: float | None
    batch_size: int
    dtype: str
    source: str  # e.g. "measurement 1a2b3c4d5e" or "medium preset, shipped profile"
    preset: str | None = None  # the AutoEncoder preset the step trains, where it is one


@dataclass(frozen=True)
class Speed:
    """Seconds per step with a band, and where the figure comes from."""

    seconds: float
    low: float  # the 10-90 % band
    high: float
    basis: str
    detail: str
    # Log-space standard deviation of `seconds` (10-90 % = exp(+-1.2816 sigma)), from held-out
    # validation residuals; None for a measured figure, whose band comes from its own timings.
    sigma: float | None = None
    # Which held-out error estimate `sigma` came from (architecture/precision, e.g. "turing/full").
    error_group: str | None = None
    # The part of `sigma` every prediction from specs shares (the model's absolute level: one draw
    # for all of them); the rest, `own_sigma`, is this prediction's own (its architecture's efficiency,
    # its clock) and is drawn apart. A ratio of two predictions carries only their own errors.
    shared_sigma: float | None = None
    caveats: tuple[Caveat, ...] = field(default=())  # how the prediction departs from the plain peaks

    def scaled(self, factor: float) -> Speed:
        return Speed(self.seconds * factor, self.low * factor, self.high * factor, self.basis, self.detail,
                     self.sigma, self.error_group, self.shared_sigma, self.caveats)

    @property
    def own_sigma(self) -> float | None:
        if self.sigma is None:
            return None
        return math.sqrt(max(0.0, self.sigma ** 2 - (self.shared_sigma or 0.0) ** 2))


def ratio_sigma(a: Speed, b: Speed) -> float | None:
    """Log-space sigma of a's step time over b's: the shared level cancels between two predictions."""
    if a.sigma is None or b.sigma is None:
        return None
    return math.sqrt((a.own_sigma or 0.0) ** 2 + (b.own_sigma or 0.0) ** 2)


def profile_of(m: Measurement) -> StepProfile | None:
    if m.flops_per_step is None:
        return None
    return StepProfile(m.flops_per_step, m.bytes_per_step, m.batch_size, m.config.dtype, f"measurement {m.id}",
                       m.config.preset)


def preset_profile(preset: str, dtype: str = "float32") -> StepProfile:
    """A preset's step at its default batch, from the kernel profile shipped with the package."""
    from .presets import preset_batch, shipped_profile

    batch = preset_batch(preset)
    work = shipped_profile(preset, dtype).work(batch)
    flops = sum(k.flops for k in work if k.kind != "convert")
    moved = sum(k.bytes for k in work if k.kind != "convert")
    return StepProfile(flops, moved, batch, dtype, f"{preset} preset, shipped kernel profile", preset)


def peak_flops(acc: Accelerator, dtype: str) -> float | None:
    """The peak JAX can use for this dtype's matmuls, in FLOP/s (see physics.matrix_path)."""
    return matrix_path(acc, dtype).flops


def predict(profile: StepProfile, acc: Accelerator, basis: str = BASIS_PREDICTED) -> Speed | None:
    """Step time of `profile` on `acc` from its specs, with its validated band; None if a spec is unknown.

    A preset's step is predicted kernel by kernel from its shipped profile (the one predictor every
    workload uses); a step of no known preset cannot be.
    """
    from benchmarks.config import PRESETS

    from .presets import predict_preset

    if profile.preset not in PRESETS or profile.dtype not in PRESETS_DTYPES:
        return None
    return predict_preset(profile.preset, profile.dtype, profile.batch_size, acc, basis)


def measured(m: Measurement, label: str) -> Speed:
    t = m.python_loop
    return Speed(t.median, max(t.median - 2 * t.mad, t.min), min(t.median + 2 * t.mad, t.max), BASIS_MEASURED,
                 f"{label}: measurement {m.id} on {m.environment.device_label}")
