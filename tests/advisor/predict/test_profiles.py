"""The workload profile cache: compiled once, read back without JAX, a bad file costs only itself."""

from __future__ import annotations

import json

import pytest

from advisor.errors import AdvisorError
from advisor.predict.profiles import CACHE_UNREADABLE, PROFILE_SCHEMA, load_profile
from advisor.render.predict import warning_text


def fake_profile(name="resnet50", dtype="float32"):
    def at(batch):
        return {"kernels": [["dot", 1000.0 * batch, 10.0 * batch, "dot::f322", None, [4.0 * batch]],
                            ["memory", 0.0, 500.0, "copy::f321", None, []]],
                "memory": {"argument": 100, "output": 50, "alias": 50, "temp": 30_000_000 * batch}}

    return {"schema": PROFILE_SCHEMA, "workload": name, "dtype": dtype, "batches": [4, 8],
            "at": {"4": at(4), "8": at(8)}, "compiled_on": "cpu (jax test)"}


class Counting:
    def __init__(self):
        self.calls = 0

    def __call__(self, name, dtype):
        self.calls += 1
        return fake_profile(name, dtype)


def test_a_profile_is_compiled_once_then_read_from_the_cache(tmp_path):
    profiler = Counting()
    first = load_profile("resnet50", "float32", tmp_path, profiler=profiler)
    second = load_profile("resnet50", "float32", tmp_path, profiler=profiler)
    assert profiler.calls == 1
    assert first == second
    assert (tmp_path / "profiles" / "resnet50-float32.json").is_file()


def test_the_profile_extrapolates_to_the_requested_batch(tmp_path):
    profile = load_profile("resnet50", "float32", tmp_path, profiler=Counting())
    assert [(w.flops, w.bytes) for w in profile.work(64)] == [(64000.0, 640.0), (0.0, 500.0)]
    # the dot's one fresh read, 16 bytes at batch 4 and 32 at 8, grows as the kernel does: 256 at 64
    assert [w.fresh_reads for w in profile.work(64)] == [(256.0,), ()]
    assert profile.device_bytes(64) == 100 + 30_000_000 * 64


@pytest.mark.parametrize("content", ["{not json", json.dumps({"schema": "other"}), "[]",
                                     json.dumps({**fake_profile(), "batches": [8, 4]})])
def test_an_unreadable_cache_file_is_profiled_again_and_replaced(tmp_path, content):
    path = tmp_path / "profiles" / "resnet50-float32.json"
    path.parent.mkdir()
    path.write_text(content, encoding="utf-8")
    profiler, warnings = Counting(), []
    load_profile("resnet50", "float32", tmp_path, profiler=profiler, warnings=warnings)
    assert profiler.calls == 1
    assert warnings[0].kind == CACHE_UNREADABLE and "unreadable" in warning_text(warnings[0])
    assert json.loads(path.read_text(encoding="utf-8"))["schema"] == PROFILE_SCHEMA


def test_a_profile_cached_in_an_older_format_is_profiled_again_and_says_why(tmp_path):
    path = tmp_path / "profiles" / "resnet50-float32.json"
    path.parent.mkdir()
    path.write_text(json.dumps({**fake_profile(), "schema": "colab-advisor/workload-profile/v2"}), encoding="utf-8")
    profiler, warnings = Counting(), []
    load_profile("resnet50", "float32", tmp_path, profiler=profiler, warnings=warnings)
    assert profiler.calls == 1
    assert "profile format v2, this version reads v3" in warning_text(warnings[0])
    assert json.loads(path.read_text(encoding="utf-8"))["schema"] == PROFILE_SCHEMA


def calls_after_caching(tmp_path, data) -> int:
    """How often the profiler runs for a cache file holding `data`."""
    path = tmp_path / "profiles" / "resnet50-float32.json"
    path.parent.mkdir()
    path.write_text(json.dumps(data), encoding="utf-8")
    profiler = Counting()
    load_profile("resnet50", "float32", tmp_path, profiler=profiler)
    return profiler.calls


def test_a_cached_profile_with_a_negative_figure_is_refused(tmp_path):
    bad = fake_profile()
    bad["at"]["4"]["kernels"][0][1] = -1.0
    assert calls_after_caching(tmp_path, bad) == 1


def test_a_good_cached_profile_is_read_back(tmp_path):
    assert calls_after_caching(tmp_path, fake_profile()) == 0


def test_an_unknown_workload_suggests_the_nearest_name(tmp_path):
    with pytest.raises(AdvisorError, match="did you mean 'resnet50'"):
        load_profile("resnet-50", "float32", tmp_path, profiler=Counting())


def test_the_cache_keeps_the_kernel_pairing_so_a_read_needs_no_diff(tmp_path):
    load_profile("resnet50", "float32", tmp_path, profiler=Counting())
    stored = json.loads((tmp_path / "profiles" / "resnet50-float32.json").read_text(encoding="utf-8"))
    assert stored["pairs"] == [0, 1]


def test_a_pairing_that_points_outside_the_kernels_is_refused(tmp_path):
    assert calls_after_caching(tmp_path, {**fake_profile(), "pairs": [0, 7]}) == 1


def test_workload_ratio_predicts_this_machine_from_its_ceilings_and_the_accelerator_from_specs(tmp_path):
    from advisor.predict.workload import workload_ratio
    from benchmarks.result import Ceiling
    from pricing import load_catalog

    ceiling = Ceiling(matmul_flops_per_second=1e9, matmul_size=1024, copy_bytes_per_second=1e6, copy_bytes=1 << 20)
    ratio = workload_ratio("resnet50", 64, "float32", load_catalog().accelerator("t4"), ceiling, tmp_path,
                           profiler=Counting())
    # At batch 64: a dot of 64000 FLOPs and 640 bytes (64 us of compute, 640 us of copying), and a
    # copy of 500 bytes (500 us): 1.14 ms at the measured ceilings, the band's lower end.
    assert ratio.local.low == pytest.approx(1.14e-3)
    assert ratio.local.low < ratio.local.seconds < ratio.local.high
    assert ratio.accelerator.seconds < ratio.local.seconds
    assert ratio.fits is True and ratio.max_batch > 64


def test_workload_ratio_without_ceilings_leaves_this_machine_unknown(tmp_path):
    from advisor.predict.workload import workload_ratio
    from pricing import load_catalog

    ratio = workload_ratio("resnet50", None, "float32", load_catalog().accelerator("l4"), None, tmp_path,
                           profiler=Counting())
    assert ratio.local is None and ratio.accelerator is not None


def _cached(tmp_path, data):
    folder = tmp_path / "profiles"
    folder.mkdir(exist_ok=True)
    (folder / "resnet50-float32.json").write_text(json.dumps(data), encoding="utf-8")


def _edited(change):
    data = fake_profile("resnet50")
    change(data)
    return data


@pytest.mark.parametrize(
    "change",
    [
        # passes every other check, but no real step plans 30,000 kernels
        lambda d: d["at"]["8"].__setitem__("kernels", [["memory", 0.0, 1.0, "copy", None, []]] * 30_000),
        # a kernel moving 1e308 bytes (finite, positive): far beyond any device
        lambda d: d["at"]["8"]["kernels"].__setitem__(1, ["memory", 0.0, 1e308, "copy::f321", None, []]),
        lambda d: d["at"]["4"]["kernels"].__setitem__(0, ["dot", 1e300, 40.0, "dot::f322", None, []]),
        lambda d: d["at"]["8"]["memory"].__setitem__("temp", 10**300),
        # true is not the whole number 1
        lambda d: d.__setitem__("batches", [True, 8]),
        # a v2 entry (no fresh reads), fresh reads that are not a list, too many, negative, not numbers,
        # and more fresh bytes than the kernel moves
        lambda d: d["at"]["4"]["kernels"].__setitem__(0, ["dot", 4000.0, 40.0, "dot::f322", None]),
        lambda d: d["at"]["4"]["kernels"][0].__setitem__(5, 16.0),
        lambda d: d["at"]["4"]["kernels"][0].__setitem__(5, [0.1] * 65),
        lambda d: d["at"]["4"]["kernels"][0].__setitem__(5, [-1.0]),
        lambda d: d["at"]["4"]["kernels"][0].__setitem__(5, ["16"]),
        lambda d: d["at"]["4"]["kernels"][0].__setitem__(5, [30.0, 30.0]),
    ],
    ids=["30000-kernels", "1e308-bytes", "1e300-flops", "huge-memory", "bool-batch", "v2-entry",
         "fresh-not-a-list", "65-fresh", "negative-fresh", "text-fresh", "fresh-over-bytes"],
)
def test_a_cache_edited_past_the_caps_is_refused_and_profiled_again(tmp_path, change):
    _cached(tmp_path, _edited(change))
    profiler, warnings = Counting(), []
    found = load_profile("resnet50", "float32", tmp_path, profiler=profiler, warnings=warnings)
    assert profiler.calls == 1 and warnings[0].kind == CACHE_UNREADABLE
    assert len(found.kernels[1]) == 2


def test_an_unwritable_cache_profiles_once_per_process_and_warns_once(tmp_path):
    home = tmp_path / "not-a-folder"
    home.write_text("a file where the data folder should be")
    profiler, warnings = Counting(), []
    for _ in range(5):  # as recommend --workload asks once per accelerator
        load_profile("resnet50", "float16", home, profiler=profiler, warnings=warnings)
    assert profiler.calls == 1
    assert len(warnings) == 1 and "could not cache" in warning_text(warnings[0])


def test_a_preset_reads_its_shipped_profile_and_compiles_nothing(tmp_path):
    profiler = Counting()
    found = load_profile("ae-small", "float32", tmp_path, profiler=profiler)
    assert profiler.calls == 0 and found.name == "ae-small"
    assert not (tmp_path / "profiles").exists()


def test_a_cached_profile_is_parsed_once_per_process_until_its_file_changes(tmp_path):
    import os

    load_profile("resnet50", "float32", tmp_path, profiler=Counting())  # compiled and cached
    first = load_profile("resnet50", "float32", tmp_path)
    assert load_profile("resnet50", "float32", tmp_path) is first  # read once, not once per accelerator
    path = tmp_path / "profiles" / "resnet50-float32.json"
    changed = json.loads(path.read_text(encoding="utf-8"))
    changed["compiled_on"] = "cpu (jax elsewhere)"
    path.write_text(json.dumps(changed), encoding="utf-8")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    assert load_profile("resnet50", "float32", tmp_path).compiled_on == "cpu (jax elsewhere)"
