"""The AutoEncoders: Flax NNX modules, and the pure train step over their split state."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import optax
from flax import nnx

from .config import Preset

# Flax >= 0.12 wants sub-module lists wrapped in nnx.List; older releases (Colab's) have no nnx.List
# and take a plain list.
_LayerList = getattr(nnx, "List", list)


class DenseAutoEncoder(nnx.Module):
    def __init__(self, preset: Preset, dtype: Any, rngs: nnx.Rngs) -> None:
        widths = [preset.features, *preset.hidden, preset.latent]
        mirrored = widths[::-1]
        # Parameters stay float32 (mixed precision): Adam's moments underflow in half precision.
        self.encoder = _LayerList(
            [nnx.Linear(a, b, dtype=dtype, rngs=rngs) for a, b in itertools.pairwise(widths)]
        )
        self.decoder = _LayerList(
            [nnx.Linear(a, b, dtype=dtype, rngs=rngs) for a, b in itertools.pairwise(mirrored)]
        )

    def __call__(self, x: jax.Array) -> jax.Array:
        for layer in self.encoder[:-1]:
            x = nnx.relu(layer(x))
        x = self.encoder[-1](x)  # linear bottleneck
        for layer in self.decoder[:-1]:
            x = nnx.relu(layer(x))
        return self.decoder[-1](x)


class ConvAutoEncoder(nnx.Module):
    def __init__(self, preset: Preset, dtype: Any, rngs: nnx.Rngs) -> None:
        first, second = preset.hidden
        side = preset.features // 4  # two stride-2 convolutions
        self.side, self.channels = side, second
        self.conv1 = nnx.Conv(1, first, (3, 3), strides=(2, 2), dtype=dtype, rngs=rngs)
        self.conv2 = nnx.Conv(first, second, (3, 3), strides=(2, 2), dtype=dtype, rngs=rngs)
        self.to_latent = nnx.Linear(side * side * second, preset.latent, dtype=dtype, rngs=rngs)
        self.from_latent = nnx.Linear(preset.latent, side * side * second, dtype=dtype, rngs=rngs)
        self.deconv1 = nnx.ConvTranspose(second, first, (3, 3), strides=(2, 2), dtype=dtype, rngs=rngs)
        self.deconv2 = nnx.ConvTranspose(first, 1, (3, 3), strides=(2, 2), dtype=dtype, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        batch = x.shape[0]
        x = nnx.relu(self.conv1(x))
        x = nnx.relu(self.conv2(x))
        x = self.to_latent(x.reshape(batch, -1))
        x = nnx.relu(self.from_latent(x)).reshape(batch, self.side, self.side, self.channels)
        x = nnx.relu(self.deconv1(x))
        return self.deconv2(x)


def build_model(preset: Preset, dtype: Any, seed: int) -> nnx.Module:
    rngs = nnx.Rngs(seed)
    if preset.kind == "conv":
        return ConvAutoEncoder(preset, dtype, rngs)
    return DenseAutoEncoder(preset, dtype, rngs)



TrainStep = Callable[[list[jax.Array], Any, jax.Array], tuple[list[jax.Array], Any, jax.Array]]


def make_train_step(
    preset: Preset, dtype: Any, seed: int
) -> tuple[TrainStep, list[jax.Array], Any, Any]:
    """Build the model, split it once; return a pure step over (params, opt_state, batch) and the state.

    Params travel as a flat list of arrays: a plain pytree that any Flax version splits and
    merges the same way, so the step does no per-call object-graph walking. The model is built
    abstractly, then initialised inside one jitted function: eagerly, every initialiser would be
    compiled on its own, which costs a second before the benchmark starts.
    """
    graphdef, abstract_state = nnx.split(nnx.eval_shape(lambda: build_model(preset, dtype, seed)))
    treedef = jax.tree_util.tree_structure(abstract_state)
    leaves = jax.jit(lambda: jax.tree_util.tree_leaves(nnx.split(build_model(preset, dtype, seed))[1]))()
    optimizer = optax.adam(preset.learning_rate)

    def loss_fn(params: list[jax.Array], batch: jax.Array) -> jax.Array:
        module = nnx.merge(graphdef, jax.tree_util.tree_unflatten(treedef, params))
        reconstruction = module(batch)
        error = reconstruction.astype(jnp.float32) - batch.astype(jnp.float32)
        return jnp.mean(error * error)

    def train_step(params: list[jax.Array], opt_state: Any, batch: jax.Array) -> tuple[list[jax.Array], Any, jax.Array]:
        loss, grads = jax.value_and_grad(loss_fn)(params, batch)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        params = optax.apply_updates(params, updates)
        return params, opt_state, loss

    return train_step, leaves, jax.jit(optimizer.init)(leaves), optimizer


def make_device_loop(train_step: TrainStep) -> Callable[..., tuple[list[jax.Array], Any, jax.Array]]:
    """K steps in one dispatch: `lax.scan` over a stack of K batches."""

    def device_loop(params: list[jax.Array], opt_state: Any, batches: jax.Array) -> tuple[Any, Any, jax.Array]:
        def body(carry: tuple[Any, Any], batch: jax.Array) -> tuple[tuple[Any, Any], jax.Array]:
            new_params, new_state, loss = train_step(carry[0], carry[1], batch)
            return (new_params, new_state), loss

        (params, opt_state), losses = jax.lax.scan(body, (params, opt_state), batches)
        return params, opt_state, losses[-1]

    return device_loop
