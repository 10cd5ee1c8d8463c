"""The presets' kernel profiles that ship with the package are what profiling produces."""

from __future__ import annotations

import json

import pytest

from advisor.predict.presets import shipped_path
from benchmarks.config import DTYPES, PRESETS


@pytest.mark.parametrize("preset", list(PRESETS))
@pytest.mark.parametrize("dtype", DTYPES)
def test_every_preset_ships_a_profile_in_every_dtype(preset, dtype):
    data = json.loads(shipped_path(preset, dtype).read_text(encoding="utf-8"))
    assert data["workload"] == f"ae-{preset}" and data["dtype"] == dtype
    assert len(data["pairs"]) == len(data["at"][str(data["batches"][1])]["kernels"])


@pytest.mark.slow
def test_the_shipped_small_preset_matches_a_fresh_profile():
    import jax

    from benchmarks.workloads.profile import profile

    shipped = json.loads(shipped_path("small", "float32").read_text(encoding="utf-8"))
    # XLA plans the step differently from one release to the next: compare like with like.
    if shipped["compiled_on"] != f"cpu (jax {jax.__version__})":
        pytest.skip(f"shipped profiles come from {shipped['compiled_on']}, this is jax {jax.__version__}")
    fresh = profile("ae-small", "float32")
    assert shipped["batches"] == fresh["batches"]
    for batch in map(str, fresh["batches"]):
        assert shipped["at"][batch]["kernels"] == json.loads(json.dumps(fresh["at"][batch]["kernels"]))
        assert shipped["at"][batch]["memory"] == fresh["at"][batch]["memory"]


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_float16_and_bfloat16_take_the_same_time_where_both_have_tensor_cores(preset):
    # Ampere and later run both at one tensor-core rate and a GPU moves the same bytes for both; the
    # CPU's compiler plans float16 differently, which must not reach an accelerator's prediction.
    from advisor.predict.presets import predict_preset
    from pricing import load_catalog

    catalog = load_catalog()
    for key in ("a100-40gb", "l4", "h100", "rtx-4090", "g4"):
        acc = catalog.accelerator(key)
        half = predict_preset(preset, "float16", 256, acc)
        brain = predict_preset(preset, "bfloat16", 256, acc)
        assert half.seconds == pytest.approx(brain.seconds), key


def test_a_cpu_keeps_its_own_float16_plan():
    # A CPU described by its spec sheet runs the plan its compiler makes for float16, not bfloat16's: with
    # memory slow enough to bound the step, the two plans' own bytes show.
    import dataclasses

    from advisor.predict.kernels import local_seconds
    from advisor.predict.presets import predict_preset, shipped_profile
    from pricing import load_catalog

    cpu = dataclasses.replace(load_catalog().accelerator("colab-cpu"), memory_bandwidth_gbs=1.0)
    for dtype in ("float16", "bfloat16"):
        own = local_seconds(shipped_profile("medium", dtype).work(256), cpu.fp32_tflops * 1e12 * 0.8, 1e9)
        assert predict_preset("medium", dtype, 256, cpu).seconds == pytest.approx(own)


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_bfloat16_before_ampere_is_never_slower_than_float32(preset):
    # Its matmuls run on the FP32 units as float32's do, at the same efficiency, and it moves fewer bytes.
    from advisor.predict import model, physics
    from advisor.predict.presets import predict_preset
    from pricing import load_catalog

    catalog = load_catalog()
    older = [a for a in catalog.accelerators if a.kind == "gpu" and physics.architecture(a) in
             ("kepler", "maxwell", "pascal", "volta", "turing") and physics.matrix_path(a, "bfloat16").flops]
    assert {"t4", "v100", "p100", "k80"} <= {a.key for a in older}
    for acc in older:
        half_step, full_step = (predict_preset(preset, dtype, 256, acc).seconds for dtype in ("bfloat16", "float32"))
        assert half_step <= full_step, acc.key
        half, full = model.efficiency(acc, "bfloat16"), model.efficiency(acc, "float32")
        assert (half.dot, half.conv) == (full.dot, full.conv), acc.key
