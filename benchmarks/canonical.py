"""Convolutions rewritten into the one layout XLA's CPU backend runs fast wherever they sit.

XLA:CPU runs a convolution with its fast library kernels only when the input is NHWC, the kernel
HWIO and the output NHWC. Its `ConvCanonicalization` pass inserts the transposes that bring other
convolutions into that form, but it walks only the entry computation: a convolution inside a
while loop's body (what `lax.scan` and `lax.fori_loop` lower to) keeps its layout and falls to
a naive element-by-element kernel. The gradients of a convolution (the input gradient with its
kernel's in and out features swapped, the kernel gradient contracting over the batch) are such
convolutions, so a scanned conv training step ran 5-9x slower than the same step dispatched alone.

`canonical_convolutions(fn)` returns `fn` with every convolution in its traced program, forward
and backward, rewritten as transposes around an NHWC/HWIO/NHWC convolution: the same arithmetic,
in the form the CPU backend runs fast in any computation. The transposes are what the pass itself
would insert in the entry computation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
from jax import lax

try:
    from jax.extend import core as jex  # where Literal and ClosedJaxpr live from jax 0.4.36 on
except ImportError:  # older releases (jax >= 0.4.30 is supported) keep them in jax.core
    from jax import core as jex

_CALLS = ("pjit", "jit", "closed_call", "core_call")


def _canonical_specs(rank: int) -> lax.ConvDimensionNumbers:
    spatial = tuple(range(1, rank - 1))
    # (batch, feature, spatial...) for input and output; (out feature, in feature, spatial...) for
    # the kernel: NHWC, HWIO, NHWC.
    return lax.ConvDimensionNumbers(
        lhs_spec=(0, rank - 1, *spatial),
        rhs_spec=(rank - 1, rank - 2, *range(rank - 2)),
        out_spec=(0, rank - 1, *spatial),
    )


def is_canonical(params: dict[str, Any], rank: int) -> bool:
    return tuple(params["dimension_numbers"]) == tuple(_canonical_specs(rank))


def _conv(primitive: Any, lhs: Any, rhs: Any, **params: Any) -> Any:
    rank = lhs.ndim
    if is_canonical(params, rank) or params["feature_group_count"] != 1 or params["batch_group_count"] != 1:
        return primitive.bind(lhs, rhs, **params)
    lhs_spec, rhs_spec, out_spec = params["dimension_numbers"]
    # Spatial dimensions keep their order, so the window's strides, padding and dilations still apply.
    lhs = lax.transpose(lhs, (lhs_spec[0], *lhs_spec[2:], lhs_spec[1]))
    rhs = lax.transpose(rhs, (*rhs_spec[2:], rhs_spec[1], rhs_spec[0]))
    out = primitive.bind(lhs, rhs, **{**params, "dimension_numbers": _canonical_specs(rank)})
    # out is (batch, spatial..., feature); put each where out_spec wants it.
    source = {out_spec[0]: 0, out_spec[1]: rank - 1, **{d: i + 1 for i, d in enumerate(out_spec[2:])}}
    return lax.transpose(out, tuple(source[axis] for axis in range(rank)))


def _evaluate(jaxpr: Any, consts: list[Any], *args: Any) -> list[Any]:
    env: dict[Any, Any] = {}

    def read(var: Any) -> Any:
        return var.val if isinstance(var, jex.Literal) else env[var]

    env.update(zip(jaxpr.constvars, consts, strict=True))
    env.update(zip(jaxpr.invars, args, strict=True))
    for eqn in jaxpr.eqns:
        values = [read(v) for v in eqn.invars]
        name = eqn.primitive.name
        if name == "conv_general_dilated":
            outs = [_conv(eqn.primitive, *values, **eqn.params)]
        elif name in _CALLS and "jaxpr" in eqn.params:
            inner = eqn.params["jaxpr"]
            if isinstance(inner, jex.ClosedJaxpr):
                outs = _evaluate(inner.jaxpr, inner.consts, *values)
            else:
                outs = _evaluate(inner, [], *values)
        else:
            # Releases before 0.7 return (subfuns, params), later ones the params alone.
            bind = eqn.primitive.get_bind_params(eqn.params)
            subfuns, params = bind if isinstance(bind, tuple) else ((), bind)
            result = eqn.primitive.bind(*subfuns, *values, **params)
            outs = result if eqn.primitive.multiple_results else [result]
        env.update(zip(eqn.outvars, outs, strict=True))
    return [read(v) for v in jaxpr.outvars]


def canonical_convolutions(fn: Callable[..., Any]) -> Callable[..., Any]:
    """`fn` (pure, pytrees in and out) with every convolution rewritten into NHWC/HWIO/NHWC form."""

    def wrapped(*args: Any) -> Any:
        closed, out_shape = jax.make_jaxpr(fn, return_shape=True)(*args)
        outs = _evaluate(closed.jaxpr, closed.consts, *jax.tree_util.tree_leaves(args))
        return jax.tree_util.tree_unflatten(jax.tree_util.tree_structure(out_shape), outs)

    return wrapped
