"""Profile a workload's training step by compiling it on the local CPU: no step runs.

The profile is a plain JSON-able dict: per-kernel FLOPs and bytes from the optimised HLO and
XLA's memory analysis, each at two batch sizes so a reader can extrapolate both linearly. The
bytes are those a GPU run of the step would move (see traffic.py: half precision at its own width,
slices at their size, the CPU plan's fusion boundaries), each kernel keeping its CPU bytes too.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ..config import DTYPES, BenchmarkError
from .specs import WORKLOADS
from .traffic import gpu_kernels

# v3: each kernel also keeps the sizes of the values it is the first to read since they were written
# (traffic.py); v2: bytes as a GPU run would move them; v1 counted the CPU kernels' bytes.
PROFILE_SCHEMA = "colab-advisor/workload-profile/v3"
# Two small batches (a workload's own `profile_batches`): compile time barely depends on batch, and
# every kernel's work is affine in it.
# LLVM's optimisations shape only the CPU machine code, never the HLO read here; skipping them
# halves the compile.
_FAST_COMPILE = {"xla_backend_optimization_level": 0, "xla_llvm_disable_expensive_passes": True}


def _compile(lowered: Any) -> Any:
    try:
        return lowered.compile(compiler_options=_FAST_COMPILE)
    except TypeError:  # jax releases before compile() took options
        return lowered.compile()


def _memory(compiled: Any) -> dict[str, int]:
    stats = compiled.memory_analysis()
    if stats is None:
        return {}
    names = ("argument", "output", "alias", "temp", "generated_code")
    return {name: int(getattr(stats, f"{name}_size_in_bytes", 0) or 0) for name in names}


def _cost(compiled: Any) -> dict[str, float]:
    analysis = compiled.cost_analysis()
    if isinstance(analysis, (list, tuple)):  # jax < 0.4.38: one dict per device
        analysis = analysis[0] if analysis else None
    if not analysis:
        return {}
    return {"flops": float(analysis.get("flops", 0.0)), "bytes": float(analysis.get("bytes accessed", 0.0))}


def profile(name: str, dtype: str, *, clock: Callable[[], float] = time.perf_counter) -> dict[str, Any]:
    """Compile `name`'s training step at its two profile batches in `dtype` on the CPU; return its profile."""
    if name not in WORKLOADS:
        raise BenchmarkError(f"unknown workload '{name}'")
    if dtype not in DTYPES:
        raise BenchmarkError(f"unknown dtype '{dtype}'")
    import jax

    from .step import lowered_step

    start = clock()
    at: dict[str, Any] = {}
    with jax.default_device(jax.devices("cpu")[0]):
        for batch in WORKLOADS[name].profile_batches:
            compiled = _compile(lowered_step(WORKLOADS[name], batch, dtype))
            found = gpu_kernels(compiled.as_text(), narrow=dtype in ("bfloat16", "float16"), fuse=False, batch=batch)
            at[str(batch)] = {
                "kernels": [[k.kind, k.flops, k.bytes, k.signature, k.cpu_bytes, list(k.fresh_reads)] for k in found],
                # XLA's CPU plan of a QLoRA step keeps every layer's dequantized weight live until the
                # backward pass (about 1 GB a layer of a 7B model), which a GPU run never holds: its
                # memory analysis would refuse batches that fit, so none is given.
                "memory": _memory(compiled) if WORKLOADS[name].family != "llm-lora" else {},
                "cost_analysis": _cost(compiled),
            }
    return {
        "schema": PROFILE_SCHEMA,
        "workload": name,
        "dtype": dtype,
        "batches": list(WORKLOADS[name].profile_batches),
        "at": at,
        "compiled_on": f"{jax.default_backend()} (jax {jax.__version__})",
        "profile_seconds": round(clock() - start, 2),
    }
