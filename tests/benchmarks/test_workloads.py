"""Workload profiles: per-kernel work read from optimised HLO, and a compile-only profile."""

from __future__ import annotations

import pytest

from benchmarks.workloads.hlo import kernels, size_in_bytes

# A hand-written entry computation: one dot, one convolution, one elementwise fusion and plumbing.
HLO = """
HloModule jit_step

%fused_add (param_0: f32[8,16], param_1: f32[8,16]) -> f32[8,16] {
  %param_0 = f32[8,16]{1,0} parameter(0)
  %param_1 = f32[8,16]{1,0} parameter(1)
  ROOT %add.1 = f32[8,16]{1,0} add(%param_0, %param_1)
}

%fused_dot (param_0.1: bf16[8,32], param_1.1: bf16[32,16]) -> bf16[8,16] {
  %param_0.1 = bf16[8,32]{1,0} parameter(0)
  %param_1.1 = bf16[32,16]{1,0} parameter(1)
  ROOT %dot.2 = bf16[8,16]{1,0} dot(%param_0.1, %param_1.1), lhs_contracting_dims={1}, rhs_contracting_dims={0}
}

ENTRY %main (x: f32[8,32], w: f32[32,16], img: f32[2,10,10,3], k: f32[3,3,3,4], xb: bf16[8,32], wb: bf16[32,16]) \
-> (f32[8,16], f32[2,10,10,4]) {
  %x = f32[8,32]{1,0} parameter(0)
  %w = f32[32,16]{1,0} parameter(1)
  %img = f32[2,10,10,3]{3,2,1,0} parameter(2)
  %k = f32[3,3,3,4]{3,2,1,0} parameter(3)
  %xb = bf16[8,32]{1,0} parameter(4)
  %wb = bf16[32,16]{1,0} parameter(5)
  %dot = f32[8,16]{1,0} dot(%x, %w), lhs_contracting_dims={1}, rhs_contracting_dims={0}
  %conv = f32[2,10,10,4]{3,2,1,0} convolution(%img, %k), window={size=3x3 pad=1_1x1_1}, dim_labels=b01f_01io->b01f
  %sum = f32[8,16]{1,0} fusion(%dot, %dot), kind=kLoop, calls=%fused_add
  %low = bf16[8,16]{1,0} fusion(%xb, %wb), kind=kOutput, calls=%fused_dot
  ROOT %out = (f32[8,16]{1,0}, f32[2,10,10,4]{3,2,1,0}) tuple(%sum, %conv)
}
"""


def test_byte_sizes_follow_the_element_type():
    assert size_in_bytes("f32[8,16]{1,0}") == 512
    assert size_in_bytes("(bf16[4]{0}, s32[2]{0})") == 16
    assert size_in_bytes("f32[]") == 4


def test_each_launch_is_one_kernel_with_its_flops_and_bytes():
    found = kernels(HLO)
    assert [k.kind for k in found] == ["dot", "conv", "memory", "dot"]
    dot, conv, add, fused = found
    # 8x32 @ 32x16: 2*8*16*32 FLOPs; reads 1024 + 2048 bytes, writes 512.
    assert (dot.flops, dot.bytes) == (8192, 1024 + 2048 + 512)
    # 2*10*10*4 outputs, each a 3x3x3 window: 2 * 800 * 27 FLOPs; 2400 + 432 bytes in, 3200 out.
    assert (conv.flops, conv.bytes) == (43200, 2400 + 432 + 3200)
    assert (add.flops, add.bytes) == (0, 512 * 3)
    assert (fused.flops, fused.bytes) == (8192, 512 + 1024 + 256)


def test_signatures_ignore_the_batch_size():
    wider = HLO.replace("[8,", "[16,")
    assert [k.signature for k in kernels(HLO)] == [k.signature for k in kernels(wider)]


def test_a_compile_only_profile_counts_the_models_matmuls():
    from benchmarks.workloads.profile import profile

    found = profile("ae-small", "float32")
    assert found["batches"] == [4, 8]
    dots = sum(k[1] for k in found["at"]["4"]["kernels"] if k[0] == "dot")
    # 64-32-8-32-64 at batch 4: forward 2*4*(64*32 + 32*8 + 8*32 + 32*64) = 36864 FLOPs, backward
    # twice that less the first layer's unneeded input gradient (2*4*64*32).
    assert dots == 3 * 36864 - 2 * 4 * 64 * 32
    memory = found["at"]["8"]["memory"]
    assert memory["argument"] > 0 and memory["temp"] >= 0


def test_a_fusion_that_only_converts_types_is_marked_as_such():
    text = """
%widen (param_0: bf16[8,16]) -> f32[8,16] {
  %param_0 = bf16[8,16]{1,0} parameter(0)
  ROOT %convert.1 = f32[8,16]{1,0} convert(%param_0)
}

ENTRY %main (x: bf16[8,16]) -> f32[8,16] {
  %x = bf16[8,16]{1,0} parameter(0)
  ROOT %wide = f32[8,16]{1,0} fusion(%x), kind=kLoop, calls=%widen
}
"""
    (found,) = kernels(text)
    assert (found.kind, found.bytes) == ("convert", 256 + 512)


# GPU traffic (traffic.py): an elementwise chain between two matmuls, a sliced operand, a widened matmul.
CHAIN = """
HloModule jit_chain

%scale (param_0: f32[8,16]) -> f32[8,16] {
  %param_0 = f32[8,16]{1,0} parameter(0)
  ROOT %multiply.1 = f32[8,16]{1,0} multiply(%param_0, %param_0)
}

%shift (param_0.2: f32[8,16], param_1.2: f32[64,16]) -> f32[8,16] {
  %param_0.2 = f32[8,16]{1,0} parameter(0)
  %param_1.2 = f32[64,16]{1,0} parameter(1)
  %slice.1 = f32[8,16]{1,0} slice(%param_1.2), slice={[0:8], [0:16]}
  ROOT %add.2 = f32[8,16]{1,0} add(%param_0.2, %slice.1)
}

ENTRY %main (x: f32[8,32], w: f32[32,16], table: f32[64,16], v: f32[16,4]) -> f32[8,4] {
  %x = f32[8,32]{1,0} parameter(0)
  %w = f32[32,16]{1,0} parameter(1)
  %table = f32[64,16]{1,0} parameter(2)
  %v = f32[16,4]{1,0} parameter(3)
  %dot = f32[8,16]{1,0} dot(%x, %w), lhs_contracting_dims={1}, rhs_contracting_dims={0}
  %sq = f32[8,16]{1,0} fusion(%dot), kind=kLoop, calls=%scale
  %sh = f32[8,16]{1,0} fusion(%sq, %table), kind=kLoop, calls=%shift
  ROOT %out = f32[8,4]{1,0} dot(%sh, %v), lhs_contracting_dims={1}, rhs_contracting_dims={0}
}
"""


def test_gpu_traffic_counts_an_elementwise_chain_at_its_boundaries():
    from benchmarks.workloads.traffic import gpu_kernels

    found = gpu_kernels(CHAIN)
    assert [k.kind for k in found] == ["dot", "memory", "dot"]
    first, region, last = found
    # The chain reads the first dot's 8x16 f32 result (512 bytes) and one 8x16 slice of the 64x16
    # table (512, not 4096), and writes its 8x16 result once (512): the 8x16 between its two kernels
    # stays on chip. The CPU kernels counted 512*2 + (512 + 4096 + 512).
    assert region.bytes == 512 + 512 + 512
    assert (first.flops, first.bytes) == (2 * 8 * 16 * 32, 1024 + 2048 + 512)
    assert (last.flops, last.bytes) == (2 * 8 * 4 * 16, 512 + 256 + 128)


def test_gpu_traffic_of_a_half_precision_step_counts_activations_at_two_bytes():
    from benchmarks.workloads.traffic import gpu_kernels

    first, region, last = gpu_kernels(CHAIN, narrow=True, batch=8)
    # Every f32 array a matmul reads or writes is 2 bytes an element. The chain reads the first
    # dot's result (256) and a slice of the f32 table, shaped like a parameter that is not the batch
    # (a weight: it keeps 4 bytes, 512), and writes its result to a matmul (256).
    assert first.bytes == (1024 + 2048 + 512) / 2
    assert region.bytes == 256 + 512 + 256
    assert last.bytes == (512 + 256 + 128) / 2


def test_unfused_gpu_traffic_keeps_the_cpu_plans_kernels():
    from benchmarks.workloads.traffic import gpu_kernels

    found = gpu_kernels(CHAIN, fuse=False)
    assert [k.kind for k in found] == ["dot", "memory", "memory", "dot"]
    # The square reads and writes 8x16 f32 (512 + 512); the shift reads it, one 8x16 slice of the
    # table (512, not 4096) and writes 512.
    assert [k.bytes for k in found[1:3]] == [1024, 1536]
    # What the CPU kernels themselves move: whole operands.
    assert [k.cpu_bytes for k in found[1:3]] == [1024, 512 + 4096 + 512]


def test_unfused_half_precision_traffic_narrows_activations_but_not_weights():
    from benchmarks.workloads.traffic import gpu_kernels

    _, square, shift, _ = gpu_kernels(CHAIN, narrow=True, fuse=False, batch=8)
    # x (8x32) leads with the batch: an input, not a weight. The 8x16 activations are 2 bytes an
    # element; the table's slice keeps the table's 4.
    assert square.bytes == 256 + 256
    assert shift.bytes == 256 + 512 + 256


def test_each_kernel_keeps_what_it_is_the_first_to_read_of_another_kernel_s_output():
    from benchmarks.workloads.traffic import gpu_kernels

    first, square, shift, last = gpu_kernels(CHAIN, fuse=False)
    # The first dot reads only parameters; each kernel after it is the first to read the 8x16 f32
    # (512 bytes) the kernel before wrote. The table is a parameter: no kernel wrote it.
    assert [k.fresh_reads for k in (first, square, shift, last)] == [(), (512,), (512,), (512,)]
    # Fused, the chain reads the first dot's output and the last dot the chain's.
    assert [k.fresh_reads for k in gpu_kernels(CHAIN)] == [(), (512,), (512,)]


# A value read twice, once through a convert, and a kernel with two outputs.
REUSE = """
HloModule jit_reuse

%narrow (param_0: f32[8,16]) -> bf16[8,16] {
  %param_0 = f32[8,16]{1,0} parameter(0)
  ROOT %convert.1 = bf16[8,16]{1,0} convert(%param_0)
}

%pair (param_0.1: f32[8,16]) -> (f32[8,16], f32[8,16]) {
  %param_0.1 = f32[8,16]{1,0} parameter(0)
  %negate.1 = f32[8,16]{1,0} negate(%param_0.1)
  %exponential.1 = f32[8,16]{1,0} exponential(%param_0.1)
  ROOT %tuple.1 = (f32[8,16]{1,0}, f32[8,16]{1,0}) tuple(%negate.1, %exponential.1)
}

%join (param_0.2: f32[8,16], param_1.2: f32[8,16]) -> f32[8,16] {
  %param_0.2 = f32[8,16]{1,0} parameter(0)
  %param_1.2 = f32[8,16]{1,0} parameter(1)
  ROOT %add.2 = f32[8,16]{1,0} add(%param_0.2, %param_1.2)
}

ENTRY %main (x: f32[8,32], w: f32[32,16], v: bf16[16,16]) -> (f32[8,16], f32[8,16]) {
  %x = f32[8,32]{1,0} parameter(0)
  %w = f32[32,16]{1,0} parameter(1)
  %v = bf16[16,16]{1,0} parameter(2)
  %h = f32[8,16]{1,0} dot(%x, %w), lhs_contracting_dims={1}, rhs_contracting_dims={0}
  %hc = bf16[8,16]{1,0} fusion(%h), kind=kLoop, calls=%narrow
  %g = f32[8,16]{1,0} dot(%hc, %v), lhs_contracting_dims={1}, rhs_contracting_dims={0}
  %p = (f32[8,16]{1,0}, f32[8,16]{1,0}) fusion(%h), kind=kLoop, calls=%pair
  %n = f32[8,16]{1,0} get-tuple-element(%p), index=0
  %e = f32[8,16]{1,0} get-tuple-element(%p), index=1
  %out = f32[8,16]{1,0} fusion(%n, %e), kind=kLoop, calls=%join
  ROOT %result = (f32[8,16]{1,0}, f32[8,16]{1,0}) tuple(%out, %g)
}
"""


def test_a_value_read_again_or_through_a_convert_counts_once_as_a_fresh_read():
    from benchmarks.workloads.traffic import gpu_kernels

    found = gpu_kernels(REUSE, fuse=False)
    assert [k.kind for k in found] == ["dot", "convert", "dot", "memory", "memory"]
    h, convert, g, pair, join = found
    # A GPU launches no convert: the second dot reads h itself (its 8x16 in bf16, 256 bytes) fresh.
    # The pair reads h again, as a backward pass reads what the forward pass saved: not fresh.
    assert [k.fresh_reads for k in (h, convert, g, pair)] == [(), (), (256,), ()]
    # Each of the pair's two outputs is a value of its own, read fresh by the join.
    assert join.fresh_reads == (512, 512)
    assert all(sum(k.fresh_reads) <= k.bytes for k in found)


@pytest.mark.slow
def test_the_cifar_resnet50_has_the_published_size_and_work():
    import jax
    from flax import nnx

    from benchmarks.workloads.profile import profile
    from benchmarks.workloads.specs import WORKLOADS
    from benchmarks.workloads.step import _model

    spec = WORKLOADS["resnet50-cifar"]
    params = nnx.state(nnx.eval_shape(lambda: _model(spec, jax.numpy.float32)), nnx.Param)
    # torchvision's ResNet-50 has 25,557,032 parameters; the 3x3 stem (3*64*9) replaces the 7x7 one
    # (3*64*49) and a 10-class head (2048*10 + 10) the 1000-class one (2048*1000 + 1000).
    assert sum(x.size for x in jax.tree_util.tree_leaves(params)) == 25_557_032 - 9408 + 1728 - 2_049_000 + 20_490
    found = profile("resnet50-cifar", "float32")
    # Matrix work: convolutions, and the matmuls some JAX releases lower 1x1 convolution gradients to.
    matrix = sum(k[1] for k in found["at"]["8"]["kernels"] if k[0] in ("conv", "dot"))
    # Forward: ResNet-50's 4.09 GMAC at 224x224 less its stem (118 MMAC) and head (2 MMAC), at
    # (32/56)^2 of the area in every stage, plus a 3x3 stem at 32x32 (3*64*9*32*32 MAC): 1.298 GMAC.
    # Training: 2 FLOPs a MAC, forward plus twice for the backward pass (the stem needs no input
    # gradient); the 10-class head adds 3 * 2 * 2048 * 10.
    forward = (4.09e9 - 118e6 - 2e6) * (32 / 56) ** 2 + 3 * 64 * 9 * 32 * 32
    expected = 6 * forward - 2 * 3 * 64 * 9 * 32 * 32 + 3 * 2 * 2048 * 10
    assert matrix / 8 == pytest.approx(expected, rel=0.01)
