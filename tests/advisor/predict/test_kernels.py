"""The per-kernel predictor: batch extrapolation, roofline per kernel, memory fit."""

from __future__ import annotations

import dataclasses
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.predict import fit, kernels, model
from advisor.predict.kernels import Work, pair_kernels, work_at
from advisor.predict.profiles import WorkloadProfile
from pricing import load_catalog

CATALOG = load_catalog()


def gpu(**changes):
    """A made-up GPU: 100 TFLOP/s FP16 and TF32... unless changed, 1000 GB/s, 16 GB."""
    base = dataclasses.replace(CATALOG.accelerator("a100-40gb"), key="made-up", fp32_tflops=10.0,
                               fp16_bf16_tflops=100.0, tf32_tflops=50.0, memory_bandwidth_gbs=1000.0, memory_gb=16.0,
                               architecture=None, power_limit_watts=None)
    return dataclasses.replace(base, **changes)


@pytest.fixture
def ideal(monkeypatch):
    """Full datasheet efficiency, no launch cost: step times become hand-checkable."""
    plain = model.SpeedModel({}, {}, {"full": (1.0, 1.0, 1.0), "half": (1.0, 1.0, 1.0)},
                             {"full": 0.1, "half": 0.1}, 0.1, 0.0, (0.0, 0.0, 0.0))
    monkeypatch.setattr(model, "speed_model", lambda: plain)


def test_weights_stay_and_activations_grow_with_the_batch():
    at_4 = [Work("memory", 0, 1000, "weights"), Work("dot", 400, 40, "activations")]
    at_8 = [Work("memory", 0, 1000, "weights"), Work("dot", 800, 80, "activations")]
    found = work_at(at_4, at_8, pair_kernels(at_4, at_8), 4, 8, 100)
    assert [(w.flops, w.bytes) for w in found] == [(0, 1000), (10000, 1000)]


def test_a_kernel_only_one_compile_planned_keeps_its_work():
    at_4 = [Work("memory", 0, 10, "a"), Work("memory", 0, 99, "b")]
    at_8 = [Work("memory", 0, 20, "a"), Work("memory", 0, 5000, "c")]
    assert pair_kernels(at_4, at_8) == [0, -1]
    found = work_at(at_4, at_8, [0, -1], 4, 8, 16)
    assert [w.bytes for w in found] == [40, 5000]


def test_a_pair_that_cannot_be_one_kernel_is_not_extrapolated():
    # Eight times the bytes for twice the batch: not one kernel's growth.
    found = work_at([Work("memory", 0, 10, "a")], [Work("memory", 0, 80, "a")], [0], 4, 8, 400)
    assert found[0].bytes == 80


def test_each_kernel_meets_its_own_roof(ideal):
    work = [
        Work("dot", 1e12, 1e6),  # 1e12 / 50e12 (TF32) = 20 ms compute, 1 us memory
        Work("memory", 0.0, 5e9),  # 5e9 / 1e12 = 5 ms memory
    ]
    assert model.kernel_seconds(work, gpu(l2_cache_mb=None), "float32") == pytest.approx(0.025)
    # A per-step roofline would have overlapped the two: max(20 ms, 5 ms) = 20 ms.


def test_half_precision_uses_the_matrix_units_peak(ideal):
    work = [Work("dot", 1e12, 0.0)]
    assert model.kernel_seconds(work, gpu(), "float16") == pytest.approx(0.01)


def test_the_band_brackets_the_centre():
    speed = model.predict_kernels([Work("dot", 1e12, 1e9)], gpu(), "float32", "test")
    assert speed.low < speed.seconds < speed.high


def test_an_accelerator_without_a_bandwidth_figure_gets_no_prediction():
    assert model.predict_kernels([Work("dot", 1.0, 1.0)], gpu(memory_bandwidth_gbs=None), "float32", "t") is None


def test_the_sustained_clock_slows_compute_bound_work(ideal):
    work = [Work("dot", 1e12, 0.0)]
    slow = gpu(sustained_clock_mhz=500.0, boost_clock_mhz=1000.0)
    assert model.kernel_seconds(work, slow, "float32") == pytest.approx(0.04)


def profile_with_memory(at_4: int, at_8: int, weights: int = 0) -> WorkloadProfile:
    def stats(temp: int) -> dict[str, int]:
        return {"argument": weights, "output": weights, "alias": weights, "temp": temp}

    return WorkloadProfile("ae-medium", "float32", (4, 8), ((), ()), (stats(at_4), stats(at_8)), "cpu")


@pytest.fixture
def unscaled(monkeypatch):
    """Take the CPU plan's bytes per sample as they are."""
    monkeypatch.setitem(fit.PER_SAMPLE_SCALE, ("full", False), 1.0)


def test_the_largest_batch_follows_the_memory_line(unscaled):
    # 1 GB per sample plus 2 GB of weights; usable memory of 16 GB: 0.9 * 16 - 1 = 13.4 GB.
    profile = profile_with_memory(4_000_000_000, 8_000_000_000, weights=2_000_000_000)
    assert fit.max_batch(profile, gpu()) == 11  # 2 + 11 * 1 = 13 GB <= 13.4 GB < 14 GB


def test_the_cpu_plans_extra_bytes_per_sample_are_scaled_away(monkeypatch):
    monkeypatch.setitem(fit.PER_SAMPLE_SCALE, ("full", False), 0.5)
    profile = profile_with_memory(4_000_000_000, 8_000_000_000, weights=2_000_000_000)
    assert fit.max_batch(profile, gpu()) == 22  # 2 + 22 * 0.5 = 13 GB <= 13.4 GB < 13.5 GB


def test_a_step_whose_batch_of_one_overflows_does_not_fit(unscaled):
    profile = profile_with_memory(4_000_000_000, 8_000_000_000, weights=20_000_000_000)
    assert fit.max_batch(profile, gpu()) == 0


def test_unknown_device_memory_leaves_the_fit_unknown():
    assert fit.max_batch(profile_with_memory(4, 8), gpu(memory_gb=None)) is None


def test_type_conversions_the_cpu_adds_cost_nothing_on_an_accelerator(ideal):
    work = [Work("convert", 0.0, 1e9, "fusion:kLoop:f322"), Work("memory", 0.0, 1e9, "fusion:kLoop:f322")]
    assert model.kernel_seconds(work, gpu(), "bfloat16") == pytest.approx(1e-3)


def test_an_accelerator_moves_the_gpu_bytes_and_the_local_machine_the_cpu_ones(ideal):
    # A kernel the CPU ran in f32 moving 2 GB, which a GPU plan moves in bf16: 1 GB.
    work = [Work("dot", 0.0, 1e9, "fusion:kCustom:f322", cpu_bytes=2e9)]
    assert model.kernel_seconds(work, gpu(), "bfloat16") == pytest.approx(1e-3)  # 1 GB at 1000 GB/s
    assert kernels.local_seconds(work, 100e9, 10e9) == pytest.approx(0.2)  # 2 GB at 10 GB/s


def test_the_cpu_bytes_are_extrapolated_with_the_gpu_ones():
    a, b = Work("memory", 0.0, 100.0, "m", cpu_bytes=300.0), Work("memory", 0.0, 180.0, "m", cpu_bytes=500.0)
    (found,) = work_at([a], [b], [0], 4, 8, 16)
    assert (found.bytes, found.cpu_bytes) == (340.0, 900.0)


def test_the_local_machine_pays_for_conversions_and_meets_its_measured_ceilings():
    work = [Work("dot", 4e9, 1e6), Work("convert", 0.0, 2e9), Work("memory", 0.0, 1e9)]
    # 4e9 FLOPs at 100 GFLOP/s = 40 ms; 2e9 and 1e9 bytes at 10 GB/s = 200 ms and 100 ms.
    assert kernels.local_seconds(work, 100e9, 10e9) == pytest.approx(0.34)


def test_a_group_fitted_on_one_publisher_keeps_the_unfitted_band_and_says_so(monkeypatch):
    effs = (0.8, 0.8, 0.9)
    one = model.SpeedModel({"hopper/full": effs, "ampere/full": effs}, {"hopper/full": 0.05, "ampere/full": 0.05},
                           {"full": effs, "half": effs}, {"full": 0.2, "half": 0.2}, 0.1, 0.0, (0.0, 0.0, 0.0),
                           {"hopper/full": "Lambda"})
    monkeypatch.setattr(model, "speed_model", lambda: one)
    hopper = model.efficiency(CATALOG.accelerator("h100"), "float32")
    ampere = model.efficiency(CATALOG.accelerator("a100-40gb"), "float32")
    assert (hopper.sigma, hopper.publisher) == (0.2, "Lambda")
    assert (ampere.sigma, ampere.publisher) == (0.05, "")
    speed = model.predict_kernels([Work("dot", 1e12, 1e6)], CATALOG.accelerator("h100"), "float32", "test")
    assert model.SINGLE_PUBLISHER in [c.code for c in speed.caveats]


def test_what_a_kernel_is_the_first_to_read_of_another_s_output_comes_from_the_l2_cache(ideal):
    # 1000 GB/s memory; on an L4 the cache moved 1,365 GB/s where memory moved 262 GB/s. A 10 MB kernel
    # that is the first to read a 4 MB value another kernel wrote takes those 4 MB from a 48 MB cache;
    # its other 6 MB (its writes, and what it reads that was read before) move at memory speed.
    cache = 262 / 1365
    cached = gpu(l2_cache_mb=48.0)
    fresh = [Work("memory", 0.0, 10e6, fresh_reads=(4e6,))]
    assert model.kernel_seconds(fresh, cached, "float32") == pytest.approx((6e6 + 4e6 * cache) / 1e12)
    # Two fresh values each fit: both come from the cache.
    two = [Work("memory", 0.0, 10e6, fresh_reads=(4e6, 3e6))]
    assert model.kernel_seconds(two, cached, "float32") == pytest.approx((3e6 + 7e6 * cache) / 1e12)
    # A 100 MB value does not fit in 48 MB: read from memory, though the 10 MB beside it is cached.
    large = [Work("memory", 0.0, 200e6, fresh_reads=(100e6, 10e6))]
    assert model.kernel_seconds(large, cached, "float32") == pytest.approx((190e6 + 10e6 * cache) / 1e12)
    # Without a known L2 size every byte comes from memory.
    assert model.kernel_seconds(two, gpu(l2_cache_mb=None), "float32") == pytest.approx(10e6 / 1e12)


def test_a_kernel_with_no_fresh_read_takes_every_byte_from_memory(ideal):
    # What the backward pass reads of activations the forward pass saved long before: no fresh reads,
    # however small the kernel, and a convert (no kernel on a GPU) costs nothing.
    cached = gpu(l2_cache_mb=48.0)
    work = [Work("memory", 0.0, 10e6), Work("convert", 0.0, 4e6, fresh_reads=(4e6,))]
    assert model.kernel_seconds(work, cached, "float32") == pytest.approx(10e6 / 1e12)
    assert model.cached_per_kernel(work, cached) == [0.0, 0.0]


def test_a_bigger_cache_never_makes_a_step_slower(ideal):
    sizes = (1e6, 5e6, 30e6, 60e6, 200e6)
    work = [Work("memory", 0.0, b, fixed_bytes=b / 10, fresh_reads=(b / 3, b / 5)) for b in sizes]
    work += [Work("dot", 1e11, 40e6, fresh_reads=(20e6,))]
    times = [model.kernel_seconds(work, gpu(l2_cache_mb=mb), "bfloat16") for mb in (None, 4, 6, 40, 48, 96)]
    assert times[0] > times[-1]
    assert all(a >= b for a, b in itertools.pairwise(times))


@pytest.fixture
def cores_half_a_byte(monkeypatch):
    """Full efficiency, no launch cost, and memory-bound kernels that move 0.5 byte per FP32 FLOP."""
    plain = model.SpeedModel({}, {}, {"full": (1.0, 1.0, 1.0), "half": (1.0, 1.0, 1.0)},
                             {"full": 0.1, "half": 0.1}, 0.1, 0.0, (0.0, 0.0, 0.0), core_bytes_per_flop=0.5)
    monkeypatch.setattr(model, "speed_model", lambda: plain)


def test_a_gpu_s_memory_time_adds_its_cores_time_to_issue_the_transfers(cores_half_a_byte):
    # 5 GB at 1000 GB/s = 5 ms; the 10 TFLOP/s cores issue 0.5 byte per FLOP: 5e9 / 5e12 = 1 ms more.
    assert model.kernel_seconds([Work("memory", 0.0, 5e9)], gpu(), "float32") == pytest.approx(0.006)
    # A compute-bound kernel is not slowed: 1e12 FLOPs at 50 TFLOP/s (TF32) = 20 ms against 1.1 ms of memory.
    assert model.kernel_seconds([Work("dot", 1e12, 1e9)], gpu(), "float32") == pytest.approx(0.020)
    # Twice the cores, half the added time: 5 ms + 0.5 ms.
    assert model.kernel_seconds([Work("memory", 0.0, 5e9)], gpu(fp32_tflops=20.0), "float32") == pytest.approx(0.0055)


def test_a_tpu_or_a_gpu_without_an_fp32_figure_has_no_cores_term(cores_half_a_byte):
    tpu = CATALOG.accelerator("tpu-v5e-1")  # 819 GB/s
    assert model.kernel_seconds([Work("memory", 0.0, 819e6)], tpu, "bfloat16") == pytest.approx(1e-3)
    assert model.core_flops(tpu) == 0.0
    assert model.core_flops(gpu(fp32_tflops=None)) == 0.0
    assert model.core_flops(CATALOG.accelerator("h100")) == pytest.approx(67e12)  # the SXM datasheet's FP32


def test_the_cores_term_is_taken_at_boost_on_a_power_limited_card(cores_half_a_byte):
    # A memory-bound kernel takes the same time whatever clock the card holds under a matmul load.
    work = [Work("memory", 0.0, 5e9)]
    times = {fraction: model.kernel_seconds(work, gpu(), "float32", clock_fraction=fraction) for fraction in (0.5, 1.0)}
    assert times[0.5] == pytest.approx(times[1.0]) == pytest.approx(0.006)


@pytest.mark.parametrize("dtype", ["float32", "bfloat16"])
def test_more_fp32_cores_or_bandwidth_never_make_a_step_slower(cores_half_a_byte, dtype):
    work = [Work("memory", 0.0, b) for b in (1e6, 30e6, 2e9)] + [Work("dot", 1e11, 40e6), Work("conv", 3e11, 2e9)]
    by_cores = [model.kernel_seconds(work, gpu(fp32_tflops=t), dtype) for t in (5.0, 10.0, 40.0, 80.0)]
    by_bandwidth = [model.kernel_seconds(work, gpu(memory_bandwidth_gbs=b), dtype) for b in (300.0, 1000.0, 3000.0)]
    assert all(a >= b for a, b in itertools.pairwise(by_cores))
    assert all(a >= b for a, b in itertools.pairwise(by_bandwidth))
    assert by_cores[0] > by_cores[-1]


def test_a_gpu_without_an_fp32_rate_is_predicted_without_the_cores_term_and_says_so(cores_half_a_byte):
    from advisor.render.predict import caveat_text

    work = [Work("memory", 0.0, 5e9)]
    unknown = model.predict_kernels(work, gpu(fp32_tflops=None), "bfloat16", "test")
    known = model.predict_kernels(work, gpu(), "bfloat16", "test")
    assert unknown.seconds < known.seconds  # 5 ms of memory alone, against 5 + 1 ms
    assert model.NO_CORE_RATE in [c.code for c in unknown.caveats]
    assert model.NO_CORE_RATE not in [c.code for c in known.caveats]
    assert "may run slower than shown" in caveat_text(model.physics.Caveat(model.NO_CORE_RATE), "my-gpu")


def test_a_gpu_without_an_l2_size_takes_every_byte_from_memory_and_says_so(ideal):
    from advisor.render.predict import caveat_text

    # 10 MB each: the second is the first to read the first's 5 MB output, which fits in a 48 MB L2
    work = [Work("memory", 0.0, 10e6), Work("memory", 0.0, 10e6, fresh_reads=(5e6,))]
    unknown = model.predict_kernels(work, gpu(l2_cache_mb=None), "float32", "test")
    known = model.predict_kernels(work, gpu(l2_cache_mb=48.0), "float32", "test")
    assert unknown.seconds > known.seconds
    assert model.NO_L2_SIZE in [c.code for c in unknown.caveats]
    assert model.NO_L2_SIZE not in [c.code for c in known.caveats]
    assert "may run faster than shown" in caveat_text(model.physics.Caveat(model.NO_L2_SIZE), "my-gpu")


def test_the_h200_is_never_slower_than_the_h100_it_shares_a_chip_with():
    # The same GH100 (50 MB of L2) and clocks with 4.8 TB/s of HBM3e against 3.35: no step may take longer,
    # a small batch's kernels that live in the L2 cache included.
    work = [Work("memory", 0.0, 20e6, fresh_reads=(10e6,))] * 50 + [Work("dot", 1e10, 10e6, fresh_reads=(4e6,))] * 20
    work += [Work("conv", 3e11, 2e9, fresh_reads=(1e9,))]
    for dtype in ("float32", "bfloat16"):
        h100 = model.predict_kernels(work, CATALOG.accelerator("h100"), dtype, "test")
        h200 = model.predict_kernels(work, CATALOG.accelerator("h200"), dtype, "test")
        assert h200.seconds <= h100.seconds


def test_float32_on_a_tpu_is_said_to_run_as_one_bfloat16_pass():
    from advisor.predict import physics
    from advisor.render.predict import caveat_text

    tpu = CATALOG.accelerator("tpu-v5e-1")
    path = physics.matrix_path(tpu, "float32")
    assert path.flops == pytest.approx(197e12)  # the bfloat16 peak, as the catalog's note says
    (caveat,) = path.caveats
    assert caveat.code == physics.TPU_FLOAT32 and "one bfloat16 pass" in caveat_text(caveat, "tpu-v5e-1")
    assert physics.matrix_path(tpu, "bfloat16").caveats == ()


def test_a_kernel_s_bytes_that_do_not_grow_with_the_batch_are_its_weights():
    # 1,000 bytes of weights read at both batches, plus 10 bytes a sample.
    at_4 = [Work("memory", 0, 1040, "k")]
    at_8 = [Work("memory", 0, 1080, "k")]
    (found,) = work_at(at_4, at_8, [0], 4, 8, 100)
    assert (found.bytes, found.fixed_bytes) == (2000, 1000)


def test_weights_come_from_memory_unless_every_kernel_s_weights_fit_in_the_cache_together(ideal):
    # A 48 MB L2 at 262/1365 of memory's time: 10 MB kernels, 8 MB of each its weights.
    cached_card = gpu(l2_cache_mb=48.0)
    few = [Work("memory", 0.0, 10e6, fixed_bytes=8e6)] * 5  # 40 MB of weights in all: they stay cached
    many = [Work("memory", 0.0, 10e6, fixed_bytes=8e6)] * 10  # 80 MB: each step reads them from memory
    assert model.resident(few, cached_card) and not model.resident(many, cached_card)
    cache = 262 / 1365
    # Each kernel is the first to read 1 MB the kernel before wrote (the first kernel reads only inputs).
    few = [few[0]] + [dataclasses.replace(k, fresh_reads=(1e6,)) for k in few[1:]]
    many = [many[0]] + [dataclasses.replace(k, fresh_reads=(1e6,)) for k in many[1:]]
    # Resident: each kernel's 8 MB of weights from the cache, and the 1 MB fresh read of all but the first.
    first, rest = (2e6 + 8e6 * cache) / 1e12, (1e6 + 9e6 * cache) / 1e12
    assert model.kernel_seconds(few, cached_card, "float32") == pytest.approx(first + 4 * rest)
    # Not resident: the weights from memory, only the 1 MB fresh read from the cache.
    first, rest = 10e6 / 1e12, (9e6 + 1e6 * cache) / 1e12
    assert model.kernel_seconds(many, cached_card, "float32") == pytest.approx(first + 9 * rest)


@settings(max_examples=200, deadline=None)
@given(
    sizes=st.lists(st.tuples(st.floats(0, 1e9), st.floats(0, 1e9), st.floats(0, 1), st.floats(0, 1)),
                   min_size=1, max_size=6),
    bytes_a=st.floats(1, 1e10), growth=st.floats(0, 10), batch=st.integers(1, 1 << 16),
    l2_mb=st.sampled_from([None, 4.0, 48.0, 96.0]),
)
def test_extrapolated_fresh_reads_never_exceed_a_kernel_s_bytes_nor_does_the_cache(sizes, bytes_a, growth, batch,
                                                                                     l2_mb):
    bytes_b = bytes_a * growth
    # Fresh reads at each profiled batch, each list scaled to at most that batch's bytes.
    fresh_a = [x * share for x, _, share, _ in sizes]
    fresh_b = [y * share for _, y, _, share in sizes]
    fresh_a = [x * min(1.0, bytes_a / sum(fresh_a)) for x in fresh_a] if sum(fresh_a) else fresh_a
    fresh_b = [y * min(1.0, bytes_b / sum(fresh_b)) for y in fresh_b] if sum(fresh_b) else fresh_b
    at_4 = [Work("memory", 0.0, bytes_a, "k", fresh_reads=tuple(fresh_a))]
    at_8 = [Work("memory", 0.0, bytes_b, "k", fresh_reads=tuple(fresh_b))]
    (found,) = work_at(at_4, at_8, [0], 4, 8, batch)
    assert all(x >= 0 for x in found.fresh_reads)
    assert sum(found.fresh_reads) <= found.bytes * (1 + 1e-9) + 1e-6
    (cached,) = model.cached_per_kernel([found], gpu(l2_cache_mb=l2_mb))
    assert 0.0 <= cached <= found.bytes * (1 + 1e-9) + 1e-6
