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
# half-precision activation widened to f32, and its buffer plan keeps more alive. Against the
# largest batches published runs fitted (benchmarks/reference/published.toml, calibration half:
# BERT-base and ResNet-50 in fp16, BERT-large in fp32), the CPU plan's bytes per sample were 1.40x
# theirs in float32 and 2.6x in half precision; the validation half came out at 1.40-1.43x and 2.28x.
PER_SAMPLE_SCALE = {"float32": 1 / 1.40, "bfloat16": 1 / 2.6, "float16": 1 / 2.6}
MAX_BATCH_SEARCHED = 1 << 20


def usable_bytes(acc: Accelerator) -> float | None:
    if not acc.memory_gb:
        return None
    return acc.memory_gb * 1e9 * USABLE_FRACTION - RESERVED_BYTES


def max_batch(profile: WorkloadProfile, acc: Accelerator) -> int | None:
    """The largest batch that fits `acc`; 0 when batch 1 does not fit; None when memory is unknown."""
    budget = usable_bytes(acc)
    one = profile.device_bytes(1)
    two = profile.device_bytes(2)
    if budget is None or one is None or two is None:
        return None
    per_sample = (two - one) * PER_SAMPLE_SCALE.get(profile.dtype, 1.0)
    held = max(0.0, one - (two - one))  # weights, optimizer state: what batch 0 would hold
    if held + per_sample > budget:
        return 0
    if per_sample <= 0:
        return MAX_BATCH_SEARCHED
    return min(MAX_BATCH_SEARCHED, math.floor((budget - held) / per_sample))
