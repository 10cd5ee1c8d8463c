"""The largest batch whose training step fits an accelerator's memory.

XLA's memory analysis at two batch sizes gives the step's device memory as a straight line in the
batch: parameters and optimizer state (the arguments) stay, activations and temporaries grow. A
device keeps some memory for itself (CUDA context, allocator slack), so only part of it is counted.
"""

from __future__ import annotations

import math

from pricing import Accelerator

from .profiles import WorkloadProfile

# Of a device's memory, what a step may use: 90 %, less 1 GB for the runtime's context. Colab's T4
# shows about 15 of its 16 GB to programs; the margin covers that and the allocator's fragments.
USABLE_FRACTION = 0.9
RESERVED_BYTES = 1e9
# The CPU compiler keeps more activation memory per sample than a GPU run does: it holds every
# half-precision activation widened to f32, and its buffer plan for convolutions keeps more alive.
# The scale per (precision, whether the step has convolutions) is the largest that lets every run of
# benchmarks/reference/published.toml with a stated batch fit at that batch (a published batch ran,
# so it is a lower bound on the largest): min over those runs of the scale at which the predicted
# largest batch equals the published one (scripts/validate_predictions.py prints the check). It also
# absorbs how much memory the frameworks leave unused, which USABLE_FRACTION only approximates.
PER_SAMPLE_SCALE = {("full", False): 0.64, ("full", True): 0.47, ("half", False): 0.31, ("half", True): 0.23}
MAX_BATCH_SEARCHED = 1 << 20


def usable_bytes(acc: Accelerator) -> float | None:
    if not acc.memory_gb:
        return None
    return acc.memory_gb * 1e9 * USABLE_FRACTION - RESERVED_BYTES


def scale_key(profile: WorkloadProfile) -> tuple[str, bool]:
    precision = "half" if profile.dtype in ("bfloat16", "float16") else "full"
    return precision, any(kernel.kind == "conv" for kernel in profile.kernels[1])


def max_batch(profile: WorkloadProfile, acc: Accelerator) -> int | None:
    """The largest batch that fits `acc`; 0 when batch 1 does not fit; None when memory is unknown."""
    budget = usable_bytes(acc)
    one = profile.device_bytes(1)
    two = profile.device_bytes(2)
    if budget is None or one is None or two is None:
        return None
    per_sample = (two - one) * PER_SAMPLE_SCALE[scale_key(profile)]
    held = max(0.0, one - (two - one))  # weights, optimizer state: what batch 0 would hold
    if held + per_sample > budget:
        return 0
    if per_sample <= 0:
        return MAX_BATCH_SEARCHED
    return min(MAX_BATCH_SEARCHED, math.floor((budget - held) / per_sample))
