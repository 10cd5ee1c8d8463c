"""The QLoRA fine-tune step: frozen 4-bit weights dequantized on every use, LoRA adapters trained."""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from benchmarks.workloads import lora, specs
from benchmarks.workloads.hlo import kernels

# A tiny decoder of the same layout: width 64, 2 layers, 4 heads (2 key/value heads), MLP 128,
# vocabulary 100, sequence 16, LoRA rank 4 on q and v.
WIDTH, DEPTH, HEADS, KV, HIDDEN, VOCAB, LENGTH, RANK = 64, 2, 4, 2, 128, 100, 16, 4


@pytest.fixture
def tiny(monkeypatch):
    monkeypatch.setitem(specs.LLM_SHAPES, "tiny-7b", (WIDTH, DEPTH, HEADS, KV, HIDDEN, VOCAB))
    monkeypatch.setattr(lora, "LLM_SHAPES", specs.LLM_SHAPES)
    base = specs.WORKLOADS["mistral-7b-qlora-512"]
    return dataclasses.replace(base, name="tiny-7b-qlora-16", sequence=LENGTH, lora_rank=RANK)


def _dots(spec, batch):
    text = lora.lowered_lora_step(spec, batch, jnp.float32).compile().as_text()
    return sum(k.flops for k in kernels(text) if k.kind == "dot"), text


def test_the_step_multiplies_by_frozen_weights_forward_and_backward_but_never_for_their_gradient(tiny):
    batch = 2
    flops, _ = _dots(tiny, batch)
    tokens = batch * LENGTH
    kv = WIDTH // HEADS * KV
    frozen = WIDTH * WIDTH * 2 + WIDTH * kv * 2 + WIDTH * HIDDEN * 3  # q, o, k, v, gate, up, down
    head = WIDTH * VOCAB
    adapters = (WIDTH * RANK + RANK * WIDTH) + (WIDTH * RANK + RANK * kv)  # q and v
    attention = 2 * batch * HEADS * LENGTH * LENGTH * (WIDTH // HEADS)  # scores, then mixing
    # Forward 2 FLOPs a weight a token; backward 2 for the input's gradient through every frozen
    # matrix and 2 more for the adapters' own gradients; attention's two products twice more backward.
    expected = (DEPTH * (4 * frozen * tokens + 6 * adapters * tokens + 3 * 2 * attention)
                + 2 * head * tokens + 2 * head * tokens)
    # The output head's input gradient is needed, its weight gradient is not. Nothing before the first
    # layer's q, k and v projections is trained, so no gradient flows back through them or through
    # its adapters' first matrices.
    expected -= 2 * tokens * (WIDTH * WIDTH + 2 * WIDTH * kv + 2 * WIDTH * RANK)
    assert flops == pytest.approx(expected, rel=0.02)


def test_only_the_adapters_and_their_optimizer_state_are_updated(tiny):
    compiled = lora.lowered_lora_step(tiny, 1, jnp.float32).compile()
    out = compiled.memory_analysis().output_size_in_bytes
    kv = WIDTH // HEADS * KV
    adapters = DEPTH * ((WIDTH * RANK + RANK * WIDTH) + (WIDTH * RANK + RANK * kv))
    # New adapters, AdamW's two moments and the loss, all float32 (plus the step count).
    assert out == pytest.approx(3 * adapters * 4, abs=512)


def test_nf4_dequantization_reads_two_codes_a_byte_and_one_scale_a_block():
    codes = np.arange(2 * lora.BLOCK) % 16
    packed = jnp.asarray((codes[0::2] << 4) | codes[1::2], jnp.uint8)
    absmax = jnp.asarray([2.0, 0.5], jnp.float32)
    weight = lora._dequantize(packed, absmax, (2, lora.BLOCK), jnp.float32)
    table = np.asarray(lora.NF4)
    assert np.allclose(np.asarray(weight[0]), table[codes[:lora.BLOCK]] * 2.0)
    assert np.allclose(np.asarray(weight[1]), table[codes[lora.BLOCK:]] * 0.5)


def test_the_loss_is_finite_and_the_adapters_learn(tiny):
    kv = WIDTH // HEADS * KV
    key = jax.random.PRNGKey(0)
    shapes = lora._shapes(tiny)
    frozen = {"embed": jax.random.normal(key, (VOCAB, WIDTH)) * 0.02,
              "head": jax.random.normal(key, (WIDTH, VOCAB)) * 0.02,
              "final_norm": jnp.ones((WIDTH,)),
              "layers": [{**{n: (jax.random.randint(key, (s[0] * s[1] // 2,), 0, 256).astype(jnp.uint8),
                                 jnp.full((s[0] * s[1] // lora.BLOCK,), 0.02))
                             for n, s in shapes.items()},
                          "norm1": jnp.ones((WIDTH,)), "norm2": jnp.ones((WIDTH,))} for _ in range(DEPTH)]}
    adapters = [{"q": (jax.random.normal(key, (WIDTH, RANK)) * 0.1, jnp.zeros((RANK, WIDTH))),
                 "v": (jax.random.normal(key, (WIDTH, RANK)) * 0.1, jnp.zeros((RANK, kv)))} for _ in range(DEPTH)]
    step = lora.lowered_lora_step(tiny, 2, jnp.float32).compile()
    import optax

    state = optax.adamw(1e-4).init(adapters)
    tokens = jax.random.randint(key, (2, LENGTH), 0, VOCAB)
    new, _, loss = step(adapters, state, frozen, tokens, tokens)
    assert np.isfinite(float(loss)) and float(loss) == pytest.approx(np.log(VOCAB), rel=0.1)
    assert float(jnp.abs(new[0]["q"][1]).max()) > 0  # B starts at zero and moves


def test_a_qlora_profile_gives_no_memory_figure_rather_than_one_that_refuses_batches_that_fit(monkeypatch, tiny):
    from benchmarks.workloads import profile as profiler

    monkeypatch.setitem(specs.WORKLOADS, tiny.name, tiny)
    found = profiler.profile(tiny.name, "float32")
    assert found["batches"] == [1, 2]
    assert all(at["memory"] == {} for at in found["at"].values())
    assert all(at["kernels"] for at in found["at"].values())
