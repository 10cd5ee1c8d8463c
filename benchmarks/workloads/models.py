"""Flax NNX definitions of models people train on Colab, sized as their papers give them.

They exist to be compiled, not trained here: the profiler lowers one training step of each over
abstract shapes and reads XLA's plan for it. Every layer follows the published architecture
(ResNet-50 v1.5 bottlenecks, BERT/GPT-2/ViT pre- or post-norm transformer blocks), so the
kernels XLA plans are the ones a real run executes.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
from flax import nnx

# Flax >= 0.12 wants sub-module lists wrapped in nnx.List; older releases take a plain list.
_LayerList = getattr(nnx, "List", list)


class BatchNorm(nnx.Module):
    """Training-mode batch normalisation over (batch, height, width).

    Flax's BatchNorm writes its running averages by mutating a variable, which plain `jax.grad`
    over a merged module refuses; those writes are two per-channel updates (a few KB), so leaving
    them out changes the step's cost by nothing measurable while the normalisation itself stays.
    """

    def __init__(self, channels: int, dtype: Any, rngs: nnx.Rngs) -> None:
        del rngs
        self.dtype = dtype
        self.scale = nnx.Param(jnp.ones((channels,)))
        self.bias = nnx.Param(jnp.zeros((channels,)))

    def __call__(self, x: jax.Array) -> jax.Array:
        wide = x.astype(jnp.float32)
        mean = jnp.mean(wide, axis=(0, 1, 2))
        variance = jnp.mean(jnp.square(wide - mean), axis=(0, 1, 2))
        normal = (wide - mean) * jax.lax.rsqrt(variance + 1e-5) * self.scale.value + self.bias.value
        return normal.astype(self.dtype)


class Bottleneck(nnx.Module):
    """ResNet v1.5 bottleneck: the stride sits on the 3x3 convolution."""

    def __init__(self, cin: int, width: int, stride: int, dtype: Any, rngs: nnx.Rngs) -> None:
        cout = width * 4
        conv = dict(use_bias=False, dtype=dtype, rngs=rngs)
        norm = dict(dtype=dtype, rngs=rngs)
        self.conv1 = nnx.Conv(cin, width, (1, 1), **conv)
        self.bn1 = BatchNorm(width, **norm)
        self.conv2 = nnx.Conv(width, width, (3, 3), strides=(stride, stride), **conv)
        self.bn2 = BatchNorm(width, **norm)
        self.conv3 = nnx.Conv(width, cout, (1, 1), **conv)
        self.bn3 = BatchNorm(cout, **norm)
        self.project = stride != 1 or cin != cout
        if self.project:
            self.shortcut = nnx.Conv(cin, cout, (1, 1), strides=(stride, stride), **conv)
            self.bn_shortcut = BatchNorm(cout, **norm)

    def __call__(self, x: jax.Array) -> jax.Array:
        y = nnx.relu(self.bn1(self.conv1(x)))
        y = nnx.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        if self.project:
            x = self.bn_shortcut(self.shortcut(x))
        return nnx.relu(x + y)


class ResNet50(nnx.Module):
    """ResNet-50 v1.5; `small_input` for 32x32 images (CIFAR): a 3x3 stride-1 stem and no max-pool, as
    the CIFAR variants of the architecture have it, so the four stages see 32, 16, 8 and 4 pixels."""

    def __init__(self, classes: int, dtype: Any, rngs: nnx.Rngs, small_input: bool = False) -> None:
        self.small_input = small_input
        kernel, stride = ((3, 3), (1, 1)) if small_input else ((7, 7), (2, 2))
        self.stem = nnx.Conv(3, 64, kernel, strides=stride, use_bias=False, dtype=dtype, rngs=rngs)
        self.stem_bn = BatchNorm(64, dtype=dtype, rngs=rngs)
        blocks, cin = [], 64
        for stage, (width, depth) in enumerate(zip((64, 128, 256, 512), (3, 4, 6, 3), strict=True)):
            for index in range(depth):
                stride = 2 if index == 0 and stage > 0 else 1
                blocks.append(Bottleneck(cin, width, stride, dtype, rngs))
                cin = width * 4
        self.blocks = _LayerList(blocks)
        self.head = nnx.Linear(cin, classes, dtype=dtype, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        x = nnx.relu(self.stem_bn(self.stem(x)))
        if not self.small_input:
            x = nnx.max_pool(x, (3, 3), strides=(2, 2), padding="SAME")
        for block in self.blocks:
            x = block(x)
        return self.head(jnp.mean(x, axis=(1, 2)))


class Attention(nnx.Module):
    def __init__(self, width: int, heads: int, dtype: Any, rngs: nnx.Rngs) -> None:
        self.heads = heads
        self.qkv = nnx.Linear(width, 3 * width, dtype=dtype, rngs=rngs)
        self.out = nnx.Linear(width, width, dtype=dtype, rngs=rngs)

    def __call__(self, x: jax.Array, causal: bool) -> jax.Array:
        batch, length, width = x.shape
        q, k, v = jnp.split(self.qkv(x).reshape(batch, length, 3, self.heads, -1), 3, axis=2)
        q, k, v = (t[:, :, 0] for t in (q, k, v))
        scores = jnp.einsum("bqhd,bkhd->bhqk", q, k) / jnp.sqrt(q.shape[-1]).astype(q.dtype)
        if causal:
            mask = jnp.tril(jnp.ones((length, length), dtype=bool))
            scores = jnp.where(mask, scores, jnp.finfo(scores.dtype).min)
        weights = jax.nn.softmax(scores.astype(jnp.float32), axis=-1).astype(v.dtype)
        mixed = jnp.einsum("bhqk,bkhd->bqhd", weights, v).reshape(batch, length, width)
        return self.out(mixed)


class Block(nnx.Module):
    """A transformer block: post-norm (BERT) or pre-norm (GPT-2, ViT)."""

    def __init__(self, width: int, heads: int, pre_norm: bool, dtype: Any, rngs: nnx.Rngs) -> None:
        self.pre_norm = pre_norm
        self.attention = Attention(width, heads, dtype, rngs)
        self.norm1 = nnx.LayerNorm(width, dtype=dtype, rngs=rngs)
        self.norm2 = nnx.LayerNorm(width, dtype=dtype, rngs=rngs)
        self.up = nnx.Linear(width, 4 * width, dtype=dtype, rngs=rngs)
        self.down = nnx.Linear(4 * width, width, dtype=dtype, rngs=rngs)

    def mlp(self, x: jax.Array) -> jax.Array:
        return self.down(nnx.gelu(self.up(x)))

    def __call__(self, x: jax.Array, causal: bool) -> jax.Array:
        if self.pre_norm:
            x = x + self.attention(self.norm1(x), causal)
            return x + self.mlp(self.norm2(x))
        x = self.norm1(x + self.attention(x, causal))
        return self.norm2(x + self.mlp(x))


class Transformer(nnx.Module):
    """BERT (tokens in, SQuAD-style start/end logits out), GPT-2 (next-token logits) or ViT (patches)."""

    def __init__(self, kind: str, width: int, depth: int, heads: int, vocab: int, length: int,
                 outputs: int, dtype: Any, rngs: nnx.Rngs) -> None:
        self.kind = kind
        if kind == "vit":
            self.patches = nnx.Conv(3, width, (16, 16), strides=(16, 16), dtype=dtype, rngs=rngs)
        else:
            self.tokens = nnx.Embed(vocab, width, dtype=dtype, rngs=rngs)
        self.positions = nnx.Param(jax.random.normal(rngs.params(), (length, width)) * 0.02)
        self.blocks = _LayerList([Block(width, heads, kind != "bert", dtype, rngs) for _ in range(depth)])
        self.final_norm = nnx.LayerNorm(width, dtype=dtype, rngs=rngs)
        self.head = nnx.Linear(width, outputs, dtype=dtype, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        if self.kind == "vit":
            x = self.patches(x)
            x = x.reshape(x.shape[0], -1, x.shape[-1])
        else:
            x = self.tokens(x)
        x = x + self.positions.value[: x.shape[1]].astype(x.dtype)
        for block in self.blocks:
            x = block(x, causal=self.kind == "gpt")
        x = self.final_norm(x)
        if self.kind == "vit":
            x = jnp.mean(x, axis=1)  # mean-pooled tokens instead of a class token: same cost
        return self.head(x)
