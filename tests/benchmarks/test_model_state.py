"""The optimiser's starting state, drawn on the host, is the one optax itself builds."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from benchmarks import PRESETS
from benchmarks.model import make_train_step


@pytest.mark.parametrize("preset", ["small", "conv"])
def test_the_host_drawn_adam_state_equals_optax_init(preset):
    _, params, opt_state, optimizer = make_train_step(PRESETS[preset], jnp.float32, 0)
    expected = optimizer.init([jnp.asarray(p) for p in params])
    assert jax.tree_util.tree_structure(opt_state) == jax.tree_util.tree_structure(expected)
    for got, want in zip(jax.tree_util.tree_leaves(opt_state), jax.tree_util.tree_leaves(expected), strict=True):
        assert np.asarray(got).dtype == np.asarray(want).dtype
        np.testing.assert_array_equal(got, want)
