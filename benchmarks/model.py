"""The AutoEncoders: Flax NNX modules, and the pure train step over their split state."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
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


# Separate streams for the parameters and the data, so a change in one never shifts the other.
PARAMS_STREAM, DATA_STREAM = 0, 1


def host_uniform(bits: np.random.PCG64, shape: tuple[int, ...], low: float, high: float) -> np.ndarray:
    """float32 values uniform in [low, high) from the raw PCG64 stream.

    Built from `random_raw` and integer arithmetic only: NumPy keeps the raw bit stream fixed across
    releases, but not the streams of its distribution methods; JAX's and Flax's initialisers change
    between releases too. Each 64-bit draw gives two 24-bit fractions, which float32 holds exactly.
    """
    count = math.prod(shape)
    raw = bits.random_raw((count + 1) // 2)
    halves = np.stack([raw >> np.uint64(40), (raw >> np.uint64(8)) & np.uint64(0xFFFFFF)], axis=-1)
    unit = halves.reshape(-1)[:count].astype(np.float32) * np.float32(2.0**-24)
    return (unit * np.float32(high - low) + np.float32(low)).reshape(shape)


def _parametrised_layers(model: nnx.Module) -> list[nnx.Module]:
    """The layers in the order their parameters are drawn: construction order, fixed here, not by Flax."""
    if isinstance(model, DenseAutoEncoder):
        return [*model.encoder, *model.decoder]
    if isinstance(model, ConvAutoEncoder):
        return [model.conv1, model.conv2, model.to_latent, model.from_latent, model.deconv1, model.deconv2]
    raise TypeError(f"no parameter order for {type(model).__name__}")


def _assign(variable: Any, value: np.ndarray) -> None:
    # Flax >= 0.12 deprecates assigning `.value`; older releases (Colab's) have no set_value.
    if hasattr(variable, "set_value"):
        variable.set_value(value)
    else:
        variable.value = value


def initial_params(model: nnx.Module, seed: int) -> None:
    """Fill `model` (abstract or not) in place: kernels uniform with variance 1/fan-in (LeCun), biases 0."""
    bits = np.random.PCG64([seed, PARAMS_STREAM])
    for layer in _parametrised_layers(model):
        shape = tuple(layer.kernel.shape)
        limit = math.sqrt(3.0 / math.prod(shape[:-1]))
        _assign(layer.kernel, host_uniform(bits, shape, -limit, limit))
        _assign(layer.bias, np.zeros(tuple(layer.bias.shape), np.float32))


def make_batches(preset: Preset, batch_size: int, count: int, dtype: Any, seed: int) -> np.ndarray:
    """`count` input batches, uniform in [0, 1), stacked on a leading axis, from the seed alone."""
    bits = np.random.PCG64([seed, DATA_STREAM])
    return host_uniform(bits, (count, *preset.input_shape(batch_size)), 0.0, 1.0).astype(dtype)


TrainStep = Callable[[list[jax.Array], Any, jax.Array], tuple[list[jax.Array], Any, jax.Array]]


def make_train_step(
    preset: Preset, dtype: Any, seed: int
) -> tuple[TrainStep, list[np.ndarray], Any, Any]:
    """Build the model, split it once; return a pure step over (params, opt_state, batch) and the state.

    Params travel as a flat list of arrays: a plain pytree that any Flax version splits and
    merges the same way, so the step does no per-call object-graph walking. The model is built
    abstractly and its parameters drawn on the host (`initial_params`): no initialiser is compiled,
    and the same seed gives the same parameters under any JAX, Flax or NumPy release.
    """
    model = nnx.eval_shape(lambda: build_model(preset, dtype, seed))
    initial_params(model, seed)
    graphdef, state = nnx.split(model)
    treedef = jax.tree_util.tree_structure(state)
    leaves = jax.tree_util.tree_leaves(state)
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

    return train_step, leaves, _zero_state(optimizer, leaves), optimizer


def _zero_state(optimizer: Any, params: list[np.ndarray]) -> Any:
    """Adam's starting state (a zero step count, zero moments) drawn on the host: nothing to compile.

    Its shapes and dtypes come from optax's own `init`, traced abstractly.
    """
    return jax.tree_util.tree_map(lambda s: np.zeros(s.shape, s.dtype), jax.eval_shape(optimizer.init, params))


def fingerprint_loss(preset: Preset, dtype: Any, seed: int, batch_size: int, steps: int) -> float:
    """The loss after `steps` steps on the default device, from the batches the benchmark uses.

    The runner computes the same figure on its own compiled, sharded step; this is the short way for
    checks that need only the fingerprint. The data stream is a prefix: the first k batches are the
    same however many are drawn, so only those the steps reach are made.
    """
    train_step, params, opt_state, _ = make_train_step(preset, dtype, seed)
    data = make_batches(preset, batch_size, min(steps, preset.steps_per_dispatch), dtype, seed)
    step = jax.jit(train_step)
    loss = None
    for i in range(steps):
        params, opt_state, loss = step(params, opt_state, data[i % preset.steps_per_dispatch])
    return float(loss)  # type: ignore[arg-type]


def make_device_loop(train_step: TrainStep) -> Callable[..., tuple[list[jax.Array], Any, jax.Array]]:
    """K steps in one dispatch: `lax.scan` over a stack of K batches."""

    def device_loop(params: list[jax.Array], opt_state: Any, batches: jax.Array) -> tuple[Any, Any, jax.Array]:
        def body(carry: tuple[Any, Any], batch: jax.Array) -> tuple[tuple[Any, Any], jax.Array]:
            new_params, new_state, loss = train_step(carry[0], carry[1], batch)
            return (new_params, new_state), loss

        (params, opt_state), losses = jax.lax.scan(body, (params, opt_state), batches)
        return params, opt_state, losses[-1]

    return device_loop
