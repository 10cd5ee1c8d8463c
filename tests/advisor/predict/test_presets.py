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
