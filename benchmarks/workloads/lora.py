"""A QLoRA fine-tune step of a decoder LLM, lowered over abstract shapes (nothing is allocated or run).

What people fine-tune on one Colab GPU today: a 7B decoder whose frozen weights are stored in 4 bits
(NF4, one absmax scale per block of 64, as bitsandbytes' `load_in_4bit` keeps them) with small
trainable LoRA adapters beside some projections. Each step does what bitsandbytes and PEFT do:

- every frozen linear layer dequantizes its 4-bit weight into the compute dtype (a kernel that reads
  half a byte and writes two bytes a weight), then multiplies by it; the backward pass dequantizes
  again rather than keeping the wide copy (a custom VJP, as bitsandbytes' MatMul4Bit) and computes
  the input's gradient only: frozen weights get none;
- the LoRA adapters (rank r on the query and value projections) add x @ A @ B * alpha / r and are
  the only trained parameters, updated by AdamW;
- the embedding, the norms and the output head stay unquantized and frozen.

Shapes are the model's paper (Mistral 7B: Jiang et al. 2023, Table 1). LoRA's dropout (a few small
elementwise kernels) and the quantization of the adapters' inputs are left out.
"""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
import optax

from .specs import LLM_SHAPES, WorkloadSpec

# Keeps XLA from merging the backward's dequantization into the forward's (jax releases before
# optimization_barrier reached jax.lax lack it: there the step reuses the forward's wide copy).
_BARRIER = getattr(jax.lax, "optimization_barrier", lambda values: values)
BLOCK = 64  # weights per absmax scale (bitsandbytes' default blocksize for 4-bit)
# The 16 NF4 code values (Dettmers et al. 2023, QLoRA, Appendix E).
NF4 = (-1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635,
       -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725,
       0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
       0.7229568362236023, 1.0)


def _dequantize(packed: jax.Array, absmax: jax.Array, shape: tuple[int, int], dtype: Any) -> jax.Array:
    """4-bit codes (two a byte) and one scale per BLOCK weights -> the weight in `dtype`."""
    codes = jnp.stack([packed >> 4, packed & 15], axis=-1).reshape(-1)
    values = jnp.asarray(NF4, jnp.float32)[codes.astype(jnp.int32)]
    scaled = values.reshape(-1, BLOCK) * absmax[:, None]
    return scaled.astype(dtype).reshape(shape)


def _quantized_matmul(dtype: Any, shape: tuple[int, int]) -> Any:
    """x @ dequantize(weight): the backward pass dequantizes again and returns x's gradient only."""

    @jax.custom_vjp
    def matmul(x: jax.Array, packed: jax.Array, absmax: jax.Array) -> jax.Array:
        return x @ _dequantize(packed, absmax, shape, dtype)

    def forward(x: jax.Array, packed: jax.Array, absmax: jax.Array) -> tuple[jax.Array, Any]:
        return matmul(x, packed, absmax), (packed, absmax)

    def backward(saved: Any, grad: jax.Array) -> tuple[jax.Array, None, None]:
        packed, absmax = _BARRIER(saved)
        return grad @ _dequantize(packed, absmax, shape, dtype).T, None, None

    matmul.defvjp(forward, backward)
    return matmul


def _rms_norm(x: jax.Array, scale: jax.Array) -> jax.Array:
    wide = x.astype(jnp.float32)
    normal = wide * jax.lax.rsqrt(jnp.mean(jnp.square(wide), axis=-1, keepdims=True) + 1e-5)
    return (normal * scale).astype(x.dtype)


def _rotary(x: jax.Array, positions: jax.Array) -> jax.Array:
    """Rotary position embedding over the last axis (pairs of halves)."""
    half = x.shape[-1] // 2
    freq = 1.0 / (10000.0 ** (jnp.arange(half, dtype=jnp.float32) / half))
    angle = positions[:, None].astype(jnp.float32) * freq[None, :]
    cos, sin = jnp.cos(angle)[None, :, None, :], jnp.sin(angle)[None, :, None, :]
    a, b = x[..., :half].astype(jnp.float32), x[..., half:].astype(jnp.float32)
    return jnp.concatenate([a * cos - b * sin, a * sin + b * cos], axis=-1).astype(x.dtype)


def _shapes(spec: WorkloadSpec) -> dict[str, tuple[int, int]]:
    width, _depth, heads, kv_heads, hidden, _vocab = LLM_SHAPES[spec.name.rsplit("-", 2)[0]]
    kv = width // heads * kv_heads
    return {"q": (width, width), "k": (width, kv), "v": (width, kv), "o": (width, width),
            "gate": (width, hidden), "up": (width, hidden), "down": (hidden, width)}


def _abstract(shape: tuple[int, ...], dtype: Any) -> jax.ShapeDtypeStruct:
    return jax.ShapeDtypeStruct(shape, dtype)


def lowered_lora_step(spec: WorkloadSpec, batch: int, dtype: Any) -> Any:
    """The jitted QLoRA training step of `spec` (family "llm-lora"), lowered for `batch` sequences."""
    width, depth, heads, kv_heads, _hidden, vocab = LLM_SHAPES[spec.name.rsplit("-", 2)[0]]
    rank, alpha = spec.lora_rank, 2 * spec.lora_rank
    head_dim, length = width // heads, spec.sequence
    shapes = _shapes(spec)
    matmuls = {name: _quantized_matmul(dtype, shape) for name, shape in shapes.items()}
    frozen_layer = {name: (_abstract((math.prod(shape) // 2,), jnp.uint8),
                           _abstract((math.prod(shape) // BLOCK,), jnp.float32)) for name, shape in shapes.items()}
    frozen = {
        "embed": _abstract((vocab, width), dtype),
        "head": _abstract((width, vocab), dtype),
        "final_norm": _abstract((width,), jnp.float32),
        "layers": [{**frozen_layer, "norm1": _abstract((width,), jnp.float32),
                    "norm2": _abstract((width,), jnp.float32)} for _ in range(depth)],
    }
    lora = [{name: (_abstract((shapes[name][0], rank), jnp.float32), _abstract((rank, shapes[name][1]), jnp.float32))
             for name in ("q", "v")} for _ in range(depth)]

    def linear(name: str, x: jax.Array, weights: dict, adapters: dict) -> jax.Array:
        y = matmuls[name](x, *weights[name])
        if name in adapters:
            a, b = adapters[name]
            y = y + (x @ a.astype(dtype)) @ b.astype(dtype) * (alpha / rank)
        return y

    def loss_fn(lora: Any, frozen: Any, tokens: jax.Array, targets: jax.Array) -> jax.Array:
        positions = jnp.arange(length)
        mask = jnp.tril(jnp.ones((length, length), dtype=bool))
        x = frozen["embed"][tokens]
        for weights, adapters in zip(frozen["layers"], lora, strict=True):
            h = _rms_norm(x, weights["norm1"]).reshape(-1, width)
            q = linear("q", h, weights, adapters).reshape(batch, length, heads, head_dim)
            k = linear("k", h, weights, adapters).reshape(batch, length, kv_heads, head_dim)
            v = linear("v", h, weights, adapters).reshape(batch, length, kv_heads, head_dim)
            q, k = _rotary(q, positions), _rotary(k, positions)
            k, v = (jnp.repeat(t, heads // kv_heads, axis=2) for t in (k, v))
            scores = jnp.einsum("bqhd,bkhd->bhqk", q, k) / jnp.sqrt(head_dim).astype(dtype)
            scores = jnp.where(mask, scores, jnp.finfo(dtype).min)
            attn = jax.nn.softmax(scores.astype(jnp.float32), axis=-1).astype(dtype)
            mixed = jnp.einsum("bhqk,bkhd->bqhd", attn, v).reshape(-1, width)
            x = x + linear("o", mixed, weights, adapters).reshape(batch, length, width)
            h = _rms_norm(x, weights["norm2"]).reshape(-1, width)
            gated = jax.nn.silu(linear("gate", h, weights, adapters)) * linear("up", h, weights, adapters)
            x = x + linear("down", gated, weights, adapters).reshape(batch, length, width)
        logits = (_rms_norm(x, frozen["final_norm"]) @ frozen["head"]).astype(jnp.float32)
        return jnp.mean(optax.softmax_cross_entropy_with_integer_labels(logits, targets))

    optimizer = optax.adamw(1e-4)
    opt_state = jax.eval_shape(optimizer.init, lora)

    def train_step(lora: Any, opt_state: Any, frozen: Any, tokens: jax.Array, targets: jax.Array) -> Any:
        loss, grads = jax.value_and_grad(loss_fn)(lora, frozen, tokens, targets)
        updates, opt_state = optimizer.update(grads, opt_state, lora)
        return optax.apply_updates(lora, updates), opt_state, loss

    tokens = _abstract((batch, length), jnp.int32)
    return jax.jit(train_step, donate_argnums=(0, 1)).lower(lora, opt_state, frozen, tokens, tokens)
