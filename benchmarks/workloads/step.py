"""One training step of a named workload, lowered over abstract shapes (nothing is allocated or run)."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import optax
from flax import nnx

from ..config import PRESETS
from ..model import build_model
from .models import ResNet50, Transformer
from .specs import TRANSFORMER_SHAPES, WorkloadSpec

_DTYPES = {"float32": jnp.float32, "bfloat16": jnp.bfloat16, "float16": jnp.float16}


def _model(spec: WorkloadSpec, dtype: Any) -> nnx.Module:
    rngs = nnx.Rngs(0)
    if spec.family == "resnet":
        return ResNet50(spec.classes, dtype, rngs, small_input=spec.image < 64)
    if spec.family == "autoencoder":
        return build_model(PRESETS[spec.preset], dtype, 0)
    key = spec.name if spec.family in ("gpt", "vit") else spec.name.rsplit("-", 1)[0]
    width, depth, heads, vocab = TRANSFORMER_SHAPES[key]
    if spec.family == "vit":
        return Transformer("vit", width, depth, heads, 0, 196, 1000, dtype, rngs)
    outputs = vocab if spec.family == "gpt" else 2  # next token, or span start/end
    return Transformer(spec.family, width, depth, heads, vocab, spec.sequence, outputs, dtype, rngs)


def _inputs(spec: WorkloadSpec, batch: int, dtype: Any) -> tuple[jax.ShapeDtypeStruct, jax.ShapeDtypeStruct]:
    def shape(dims: tuple[int, ...], kind: Any) -> jax.ShapeDtypeStruct:
        return jax.ShapeDtypeStruct(dims, kind)

    if spec.family in ("resnet", "vit"):
        return shape((batch, spec.image, spec.image, 3), dtype), shape((batch,), jnp.int32)
    if spec.family == "autoencoder":
        images = shape(PRESETS[spec.preset].input_shape(batch), dtype)
        return images, images
    tokens = shape((batch, spec.sequence), jnp.int32)
    targets = (batch, spec.sequence) if spec.family == "gpt" else (batch, 2)
    return tokens, shape(targets, jnp.int32)


def _loss(spec: WorkloadSpec, output: jax.Array, target: jax.Array) -> jax.Array:
    output = output.astype(jnp.float32)
    if spec.family == "autoencoder":
        return jnp.mean((output - target.astype(jnp.float32)) ** 2)
    if spec.family == "bert":  # start and end positions over the sequence
        logits = jnp.moveaxis(output, 2, 1)  # (batch, 2, sequence)
        return jnp.mean(optax.softmax_cross_entropy_with_integer_labels(logits, target))
    return jnp.mean(optax.softmax_cross_entropy_with_integer_labels(output, target))


def _optimizer(spec: WorkloadSpec) -> optax.GradientTransformation:
    if spec.family == "resnet":
        return optax.sgd(0.1, momentum=0.9)
    return optax.adamw(1e-4) if spec.family != "autoencoder" else optax.adam(PRESETS[spec.preset].learning_rate)


def lowered_step(spec: WorkloadSpec, batch: int, dtype_name: str) -> Any:
    """The jitted training step of `spec`, lowered for `batch` samples of `dtype_name` compute."""
    dtype = _DTYPES[dtype_name]
    if spec.family == "llm-lora":
        from .lora import lowered_lora_step

        return lowered_lora_step(spec, batch, dtype)
    graphdef, params, rest = nnx.split(nnx.eval_shape(lambda: _model(spec, dtype)), nnx.Param, ...)
    optimizer = _optimizer(spec)
    opt_state = jax.eval_shape(optimizer.init, params)

    def loss_fn(params: Any, rest: Any, inputs: jax.Array, target: jax.Array) -> tuple[jax.Array, Any]:
        module = nnx.merge(graphdef, params, rest)
        loss = _loss(spec, module(inputs), target)
        return loss, nnx.state(module, nnx.Not(nnx.Param))  # batch statistics move on

    def train_step(params: Any, opt_state: Any, rest: Any, inputs: jax.Array, target: jax.Array) -> Any:
        (loss, rest), grads = jax.value_and_grad(loss_fn, has_aux=True)(params, rest, inputs, target)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, rest, loss

    inputs, target = _inputs(spec, batch, dtype)
    return jax.jit(train_step, donate_argnums=(0, 1, 2)).lower(params, opt_state, rest, inputs, target)
