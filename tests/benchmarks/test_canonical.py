"""Convolutions rewritten into NHWC/HWIO form: the same numbers, and no slow layout left in a loop."""

import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax import lax

from benchmarks import PRESETS
from benchmarks.canonical import canonical_convolutions
from benchmarks.model import make_batches, make_device_loop, make_train_step

# The one convolution layout XLA's CPU backend hands to its fast kernels (NHWC input, HWIO kernel).
CANONICAL = "dim_labels=b01f_01io->b01f"


def _slow_convolutions(compiled):
    """Convolutions the CPU backend cannot hand to its fast kernels, and all convolutions."""
    labels = re.findall(r"convolution\([^\n]*?(dim_labels=\S+?),", compiled.as_text())
    return [found for found in labels if found != CANONICAL], labels


def _compiled(fn, *args):
    return jax.jit(fn).lower(*args).compile()


@pytest.mark.parametrize("dimension_numbers", [("NCHW", "OIHW", "NCHW"), ("NHWC", "HWIO", "NHWC"),
                                               ("HWCN", "IOHW", "CNHW")])
def test_a_rewritten_convolution_and_its_gradients_equal_the_original(dimension_numbers):
    lhs_spec, rhs_spec, _ = dimension_numbers
    rng = np.random.default_rng(0)
    sizes = {"N": 3, "C": 2, "H": 9, "W": 7, "O": 4, "I": 2}
    kernel_sizes = {"O": 4, "I": 2, "H": 3, "W": 3}
    x = jnp.asarray(rng.standard_normal([sizes[d] for d in lhs_spec]), jnp.float32)
    w = jnp.asarray(rng.standard_normal([kernel_sizes[d] for d in rhs_spec]), jnp.float32)

    def f(x, w):
        y = lax.conv_general_dilated(x, w, (2, 1), [(1, 0), (1, 1)], lhs_dilation=(1, 2),
                                     dimension_numbers=dimension_numbers)
        return jnp.sum(jnp.sin(y))

    expected = jax.value_and_grad(f, argnums=(0, 1))(x, w)
    got = canonical_convolutions(jax.value_and_grad(f, argnums=(0, 1)))(x, w)
    for a, b in zip(jax.tree_util.tree_leaves(got), jax.tree_util.tree_leaves(expected), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


def test_the_conv_training_step_unrewritten_leaves_slow_convolutions_in_the_loop():
    # The defect itself, so the next test can fail: XLA brings the step's convolutions into the fast
    # layout when the step is the whole program, and leaves them as they are inside the scan.
    train_step, params, opt_state, _ = make_train_step(PRESETS["conv"], jnp.float32, 0)
    data = make_batches(PRESETS["conv"], 4, 2, jnp.float32, 0)
    alone, _ = _slow_convolutions(_compiled(train_step, params, opt_state, data[0]))
    scanned, _ = _slow_convolutions(_compiled(make_device_loop(train_step), params, opt_state, data))
    assert len(scanned) > len(alone)


@pytest.mark.slow
@pytest.mark.parametrize("dtype", ["float32", "bfloat16", "float16"])
@pytest.mark.parametrize("preset", ["small", "medium", "conv"])
def test_every_preset_and_dtype_scans_fast_layouts_and_matches_step_by_step(preset, dtype):
    spec, steps = PRESETS[preset], 3
    model_step, params, opt_state, _ = make_train_step(spec, jnp.dtype(dtype), 0)
    train_step = canonical_convolutions(model_step)
    data = make_batches(spec, 4, steps, jnp.dtype(dtype), 0)
    compiled = _compiled(make_device_loop(train_step), params, opt_state, data)
    slow, labels = _slow_convolutions(compiled)
    assert (preset == "conv") == bool(labels)
    # The loop body compiles no worse than the step alone, unrewritten: XLA keeps only the few it
    # rearranges itself there too (a kernel gradient whose operands it swaps).
    alone, _ = _slow_convolutions(_compiled(model_step, params, opt_state, data[0]))
    assert len(slow) <= len(alone), (slow, alone)
    _, _, scanned_loss = compiled(params, opt_state, data)
    # The unrewritten step, one dispatch at a time, is the independent reference.
    step, loss = jax.jit(model_step), None
    for i in range(steps):
        params, opt_state, loss = step(params, opt_state, data[i])
    tolerance = 1e-5 if dtype == "float32" else 2e-2
    np.testing.assert_allclose(float(scanned_loss), float(loss), rtol=tolerance)
