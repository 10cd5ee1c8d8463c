"""Matmul and convolution FLOPs of a function, counted from its jaxpr.

XLA's cost analysis is backend-specific: on GPUs it can leave out work handed to library calls
(an H100 reported 18.7 GFLOP for a 1.9 TFLOP step). The jaxpr is the same on every backend, so
its dot and convolution count is a floor the reported FLOPs must not fall below.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import jax


def _sub_jaxprs(params: dict[str, Any]) -> Iterator[tuple[Any, int]]:
    """Nested jaxprs of an equation (pjit, custom_jvp/vjp, scan, while, cond) and how often each runs."""
    repeat = int(params.get("length", 1))  # scan runs its body `length` times
    for value in params.values():
        for item in value if isinstance(value, (tuple, list)) else (value,):
            inner = getattr(item, "jaxpr", item)
            if hasattr(inner, "eqns"):
                yield inner, repeat


def _dot_flops(eqn: Any) -> float:
    (lhs_contract, rhs_contract), (lhs_batch, rhs_batch) = eqn.params["dimension_numbers"]
    lhs, rhs = eqn.invars[0].aval.shape, eqn.invars[1].aval.shape
    contract = math.prod(lhs[i] for i in lhs_contract)
    batch = math.prod(lhs[i] for i in lhs_batch)
    lhs_free = math.prod(d for i, d in enumerate(lhs) if i not in lhs_contract and i not in lhs_batch)
    rhs_free = math.prod(d for i, d in enumerate(rhs) if i not in rhs_contract and i not in rhs_batch)
    return 2.0 * batch * lhs_free * rhs_free * contract


def _conv_flops(eqn: Any) -> float:
    kernel = eqn.invars[1].aval.shape
    out_channels = kernel[eqn.params["dimension_numbers"].rhs_spec[0]]
    out_elements = math.prod(eqn.outvars[0].aval.shape)
    # Each output element sums over the kernel window and its group's input channels; with a
    # dilated input (transposed convolutions) only one tap in prod(lhs_dilation) meets a real value.
    dilation = math.prod(eqn.params.get("lhs_dilation") or (1,))
    return 2.0 * out_elements * math.prod(kernel) / out_channels / dilation


def count_jaxpr(jaxpr: Any) -> float:
    total = 0.0
    for eqn in jaxpr.eqns:
        name = eqn.primitive.name
        if name == "dot_general":
            total += _dot_flops(eqn)
        elif name == "conv_general_dilated":
            total += _conv_flops(eqn)
        for inner, repeat in _sub_jaxprs(eqn.params):
            total += repeat * count_jaxpr(inner)
    return total


def matmul_flops(fn: Callable[..., Any], *args: Any) -> float:
    """FLOPs of every dot and convolution one call of `fn(*args)` performs."""
    return count_jaxpr(jax.make_jaxpr(fn)(*args).jaxpr)
