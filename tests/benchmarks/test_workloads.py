"""Workload profiles: per-kernel work read from optimised HLO, and a compile-only profile."""

from __future__ import annotations

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
