"""What the device can do at best: XLA's cost analysis of a step, and short matmul/copy probes."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, NamedSharding
from jax.sharding import PartitionSpec as P

from .result import Ceiling
from .stats import round_significant

# Big enough to reach the device's matmul and streaming rates, small enough to take well under a second.
MATMUL_SIZE = {"cpu": 1024, "gpu": 8192, "tpu": 8192}
COPY_BYTES = {"cpu": 64 << 20, "gpu": 1 << 30, "tpu": 1 << 30}
PROBE_REPEATS = 5
PROBE_SAMPLE_SECONDS = 0.02
# XLA's count below this share of the jaxpr's dot/conv count means the analysis left work out.
MISSING_WORK_FRACTION = 0.5


def _costs(stage: Any) -> dict[str, Any]:
    try:
        analysis = stage.cost_analysis()
    except Exception:  # unsupported on some backends
        return {}
    if isinstance(analysis, (list, tuple)):  # JAX < 0.4.38 wrapped the dict in a list
        analysis = analysis[0] if analysis else None
    if not isinstance(analysis, dict):
        return {}
    out = {}
    for key in ("flops", "bytes accessed"):
        value = analysis.get(key)
        if isinstance(value, (int, float)) and math.isfinite(value) and value > 0:
            out[key] = float(value)
    return out


def cost_of(lowered: Any, compiled: Any, matmul_floor: float = 0.0) -> dict[str, Any]:
    """FLOPs and bytes per call from XLA's cost analysis; either may be missing.

    FLOPs come from the lowered module, bytes from the compiled one, where fusion has removed the
    intermediate round trips the lowered module would count. `matmul_floor` is the dot and
    convolution FLOPs counted from the jaxpr: a backend whose analysis reports far fewer (under
    half: the jaxpr count is exact for dots, a few % high for padded convolutions) has left work
    out, and the jaxpr count is used instead (with "flops source" set to "jaxpr").
    """
    before, after = _costs(lowered), _costs(compiled)
    out: dict[str, Any] = {}
    flops = before.get("flops") or after.get("flops")
    moved = after.get("bytes accessed") or before.get("bytes accessed")
    if matmul_floor > 0 and (flops is None or flops < MISSING_WORK_FRACTION * matmul_floor):
        flops = matmul_floor
        out["flops source"] = "jaxpr"
    if flops:
        out["flops"] = flops
    if moved:
        out["bytes accessed"] = moved
    return out


def _best_seconds(fn: Callable[[Any], Any], state: Any, clock: Callable[[], float], repeats: int) -> float:
    """Best seconds per call over `repeats` samples of back-to-back calls, each sample >= 20 ms."""
    state = jax.block_until_ready(fn(state))  # warm-up
    calls, best = 1, math.inf
    for _ in range(repeats + 8):
        start = clock()
        for _ in range(calls):
            state = fn(state)
        jax.block_until_ready(state)
        elapsed = clock() - start
        if elapsed < PROBE_SAMPLE_SECONDS:
            calls *= 2  # too short to time well: a calibration sample, not kept
            continue
        best = min(best, elapsed / calls)
        repeats -= 1
        if repeats == 0:
            break
    return best if math.isfinite(best) else elapsed / calls


def _matmul_rate(
    count: int, size: int, dtype: Any, rows: NamedSharding, replicated: NamedSharding,
    clock: Callable[[], float], repeats: int,
) -> float:
    def operands() -> tuple[jax.Array, jax.Array]:
        # Varied, not zeros: some hardware multiplies zeros measurably faster. Sines of a counter,
        # not jax.random: its generator takes seconds to compile on a CPU, longer than the probe.
        def block(rows: int, phase: float) -> jax.Array:
            counter = jax.lax.iota(jnp.float32, rows * size).reshape(rows, size)
            return jnp.sin(counter * 12.9898 + phase).astype(dtype)

        return block(count * size, 0.0), block(size, 1.0)

    # Operands live only inside this function, so their memory is free before the copy probe.
    left, right = jax.jit(operands, out_shardings=(rows, replicated))()
    matmul = jax.jit(jnp.matmul, out_shardings=rows)
    # Each product depends on nothing but the operands: calls queue back to back on the device.
    return 2.0 * count * size**3 / _best_seconds(lambda _: matmul(left, right), None, clock, repeats)


def probe(devices: list[Any], dtype: str, clock: Callable[[], float], repeats: int = PROBE_REPEATS) -> Ceiling:
    """Aggregate rate over all devices: each device multiplies its own NxN blocks and copies its own slab."""
    platform = devices[0].platform
    count = len(devices)
    size = MATMUL_SIZE.get(platform, 1024)
    copy_bytes = COPY_BYTES.get(platform, 64 << 20)
    mesh = Mesh(np.asarray(devices), ("data",))
    rows = NamedSharding(mesh, P("data"))
    replicated = NamedSharding(mesh, P())
    jdtype = jnp.dtype(dtype)

    matmul_rate = _matmul_rate(count, size, jdtype, rows, replicated, clock, repeats)
    elements = copy_bytes // jdtype.itemsize
    slab = jax.jit(lambda: jnp.ones((count * elements,), jdtype), out_shardings=rows)()
    # Donated, so the update happens in place: a pure stream, no allocation per call.
    add_one = jax.jit(lambda x: x + jnp.ones((), jdtype), out_shardings=rows, donate_argnums=0)
    moved = 2.0 * count * elements * jdtype.itemsize  # each element read once and written once
    copy_rate = moved / _best_seconds(add_one, slab, clock, repeats)
    return Ceiling(
        matmul_flops_per_second=round_significant(matmul_rate, 4),
        matmul_size=size,
        copy_bytes_per_second=round_significant(copy_rate, 4),
        copy_bytes=int(count * elements * jdtype.itemsize),
    )
