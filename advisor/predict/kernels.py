"""A step's kernels: their work at any batch, extrapolated from the two profiled batches.

A profile lists every kernel XLA plans for one training step (see benchmarks/workloads); model.py
turns the kernels into a step time on an accelerator's specs.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

KINDS = ("dot", "conv", "memory", "convert")

@dataclass(frozen=True)
class Work:
    """One kernel's work at a given batch; `signature` pairs it with the same kernel at another batch."""

    kind: str
    flops: float
    bytes: float  # on a GPU (see benchmarks/workloads/traffic.py)
    signature: str = ""
    cpu_bytes: float | None = None  # on the CPU that planned it, where known; else `bytes`
    # Of `bytes`, those that do not grow with the batch (weights, optimizer state): the intercept of the
    # kernel's bytes over its two profiled batches; 0 where it could not be paired.
    fixed_bytes: float = 0.0
    # Of `bytes`, the values it is the first to read since a kernel wrote them, one size each (what the
    # L2 cache may still hold: model.cached_per_kernel).
    fresh_reads: tuple[float, ...] = ()

    @property
    def local_bytes(self) -> float:
        return self.bytes if self.cpu_bytes is None else self.cpu_bytes


def _affine(a: Work, b: Work, batch_a: int, batch_b: int, batch: int) -> Work | None:
    """`a` and `b` extended to `batch` as a + slope * batch; None when they cannot be one kernel.

    One kernel's work grows with the batch at most in proportion (activations) and never shrinks
    (weights and optimizer state stay): a pair outside those bounds was paired wrongly.
    """
    for x, y in ((a.flops, b.flops), (a.bytes, b.bytes)):
        if y < x * 0.99 or y > x * batch_b / batch_a * 1.01 + 1.0:
            return None
    at = (batch - batch_a) / (batch_b - batch_a)
    cpu = None if a.cpu_bytes is None or b.cpu_bytes is None else max(
        0.0, a.cpu_bytes + (b.cpu_bytes - a.cpu_bytes) * at)
    moved = max(0.0, a.bytes + (b.bytes - a.bytes) * at)
    fixed = min(moved, max(0.0, a.bytes - (b.bytes - a.bytes) * batch_a / (batch_b - batch_a)))
    fresh = b.fresh_reads
    if len(a.fresh_reads) == len(b.fresh_reads):  # each value grows with the batch as the kernel does
        fresh = tuple(max(0.0, x + (y - x) * at) for x, y in zip(a.fresh_reads, b.fresh_reads, strict=True))
    if sum(fresh) > moved:
        fresh = tuple(x * moved / sum(fresh) for x in fresh)
    return Work(b.kind, max(0.0, a.flops + (b.flops - a.flops) * at), moved, b.signature, cpu, fixed, fresh)


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


def local_seconds(work: Sequence[Work], matmul_flops_per_second: float, copy_bytes_per_second: float) -> float:
    """The kernels' time on a machine whose matmul and copy ceilings were measured."""
    total = 0.0
    for kernel in work:
        compute = kernel.flops / matmul_flops_per_second if kernel.kind in ("dot", "conv") else 0.0
        total += max(compute, kernel.local_bytes / copy_bytes_per_second)
    return total
