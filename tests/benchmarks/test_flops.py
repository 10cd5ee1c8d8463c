import jax
import jax.numpy as jnp
import pytest

from benchmarks import Config
from benchmarks import ceiling as ceiling_module
from benchmarks.flops import matmul_flops
from benchmarks.model import make_device_loop, make_train_step
from tests.benchmarks.test_runner import _Compiled, analytic_dense_flops


def test_a_matmul_counts_two_flops_per_multiply_add():
    assert matmul_flops(jnp.matmul, jnp.ones((8, 16)), jnp.ones((16, 4))) == 2 * 8 * 16 * 4


def test_batched_dots_count_every_batch():
    f = lambda a, b: jnp.einsum("bij,bjk->bik", a, b)  # noqa: E731
    assert matmul_flops(f, jnp.ones((3, 8, 16)), jnp.ones((3, 16, 4))) == 3 * 2 * 8 * 16 * 4


def test_a_convolution_counts_its_window_and_channels():
    x, kernel = jnp.ones((2, 10, 10, 3)), jnp.ones((3, 3, 3, 5))
    conv = lambda x, k: jax.lax.conv_general_dilated(x, k, (1, 1), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC"))  # noqa: E731
    assert matmul_flops(conv, x, kernel) == 2 * (2 * 10 * 10 * 5) * (3 * 3 * 3)


def test_the_dense_train_step_counts_forward_and_backward_matmuls():
    preset = Config(preset="small").preset_spec
    step, params, opt_state, _ = make_train_step(preset, jnp.float32, 0)
    batch = jnp.ones(preset.input_shape(256))
    assert matmul_flops(step, params, opt_state, batch) == analytic_dense_flops([64, 32, 8, 32, 64], 256)


def test_a_scanned_loop_counts_its_body_once_per_step():
    preset = Config(preset="small").preset_spec
    step, params, opt_state, _ = make_train_step(preset, jnp.float32, 0)
    batches = jnp.ones((4, *preset.input_shape(256)))
    assert matmul_flops(make_device_loop(step), params, opt_state, batches) == 4 * analytic_dense_flops(
        [64, 32, 8, 32, 64], 256
    )


def test_an_analysis_that_misses_matmuls_gives_way_to_the_jaxpr_count():
    lowered = _Compiled({"flops": 1.9e10, "bytes accessed": 1.5e10})
    compiled = _Compiled({"flops": 1.9e10, "bytes accessed": 4.0e9})
    assert ceiling_module.cost_of(lowered, compiled, matmul_floor=1.9e12) == {
        "flops": 1.9e12, "bytes accessed": 4.0e9, "flops source": "jaxpr"}


def test_an_analysis_above_the_floor_is_kept():
    lowered = _Compiled({"flops": 1.1e9})
    assert ceiling_module.cost_of(lowered, _Compiled(None), matmul_floor=1.0e9) == pytest.approx({"flops": 1.1e9})


def test_a_transposed_convolution_counts_only_taps_that_meet_the_input():
    x, kernel = jnp.ones((1, 8, 8, 4)), jnp.ones((3, 3, 4, 2))
    dilated = lambda x, k: jax.lax.conv_general_dilated(  # noqa: E731
        x, k, (1, 1), ((0, 0), (0, 0)), lhs_dilation=(2, 2), dimension_numbers=("NHWC", "HWIO", "NHWC"))
    out_elements = 1 * 13 * 13 * 2  # (8 - 1) * 2 + 1 = 15 wide, minus 2 for the 3x3 window
    assert matmul_flops(dilated, x, kernel) == 2 * out_elements * (3 * 3 * 4) / 4


def test_the_conv_train_step_count_stays_near_xla_on_the_cpu():
    preset = Config(preset="conv").preset_spec
    step, params, opt_state, _ = make_train_step(preset, jnp.float32, 0)
    batch = jnp.ones(preset.input_shape(32))
    xla = ceiling_module._costs(jax.jit(step).lower(params, opt_state, batch))["flops"]
    # Padding taps make the jaxpr count a little high; it must stay well above the "work left out" line.
    assert 0.9 * xla <= matmul_flops(step, params, opt_state, batch) <= 1.2 * xla
