"""`colab-advisor predict`: per accelerator step time, band and largest batch; bad names exit 2."""

from __future__ import annotations

import json
import re

import pytest

from tests.advisor.cli_helpers import run_cli
from tests.advisor.predict.test_profiles import fake_profile


@pytest.fixture
def home(tmp_path):
    """A data folder whose profile cache holds ResNet-50 (a made-up profile), so nothing compiles."""
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "resnet50-float32.json").write_text(json.dumps(fake_profile()), encoding="utf-8")
    return tmp_path


def test_json_gives_each_accelerator_its_step_time_band_and_largest_batch(home, monkeypatch):
    from advisor.predict import fit

    monkeypatch.setitem(fit.PER_SAMPLE_SCALE, ("full", False), 1.0)
    done = run_cli(["predict", "--workload", "resnet50", "--accelerators", "t4,h100", "--batch-size", "64", "--json"],
                   home)
    assert done.code == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["schema"] == "colab-advisor/predict/v1"
    assert [row["accelerator"] for row in payload["accelerators"]] == ["t4", "h100"]
    for row in payload["accelerators"]:
        assert row["low"] < row["seconds_per_step"] < row["high"]
    t4, h100 = payload["accelerators"]
    # 100 bytes held plus 30 MB per sample, against 0.9 * 16 GB - 1 GB = 13.4 GB on the T4 and
    # 0.9 * 80 GB - 1 GB = 71 GB on the H100: (13.4e9 - 100) // 30e6 samples, and so on.
    assert (t4["max_batch"], h100["max_batch"]) == (446, 2366)
    assert h100["seconds_per_step"] < t4["seconds_per_step"]


def test_the_table_names_every_accelerator(home):
    done = run_cli(["predict", "--workload", "ae-medium", "--accelerators", "l4,a100-40gb"], home)
    assert done.code == 0, done.stderr
    assert "l4" in done.stdout and "a100-40gb" in done.stdout and "batch 256" in done.stdout


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--workload", "resnet-50"], "did you mean 'resnet50'"),
        (["--preset", "meduim"], "did you mean 'medium'"),
        (["--workload", "resnet50", "--accelerators", "a100-40"], "did you mean 'a100-40gb'"),
        (["--workload", "resnet50", "--batch-size", "0"], "--batch-size"),
        (["--workload", "resnet50", "--dtype", "float64"], "unknown dtype"),
        (["--preset", "medium", "--workload", "resnet50"], "not both"),
        (["--workload", ""], "--workload: give a workload name"),
        (["--workload", "resnet50", "--batch-size", "99999999999999999999"], "--batch-size: at most 1,048,576"),
        (["--workload", "resnet50", "--relative-to", "colab-cpu"], "--relative-to colab-cpu: its step cannot be"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(home, args, expected):
    done = run_cli(["predict", *args], home)
    assert done.code == 2
    assert expected in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_predict_for_a_cached_workload_leaves_jax_unloaded(home):
    from tests.advisor.cli.test_startup import PROBE, run_python

    done = run_python(["-c", PROBE, "predict", "--workload", "resnet50", "--json"], home)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"code": 0, "loaded": []}


@pytest.mark.parametrize("args", [["--batch-size", "0"], ["--relative-to", "nope"], ["--accelerators", "t4,nope"],
                                  ["--dtype", "int8"]])
def test_bad_input_for_a_workload_not_yet_profiled_fails_before_compiling(home, args):
    done = run_cli(["predict", "--workload", "bert-base-128", *args], home)
    assert done.code == 2
    assert len(done.stderr.strip().splitlines()) == 1  # the error alone: no "profiling ..." notice first
    assert "profiling" not in done.stderr
    assert not list((home / "profiles").glob("bert-base-128*"))


def test_each_accelerator_is_one_row_however_often_it_is_named(home):
    done = run_cli(["predict", "--workload", "resnet50", "--accelerators", "t4,h100,T4,t4", "--json"], home)
    assert [row["accelerator"] for row in json.loads(done.stdout)["accelerators"]] == ["t4", "h100"]


def test_a_slow_throughput_keeps_its_digits_and_a_batch_at_the_search_limit_says_so(home):
    from advisor.predict.fit import MAX_BATCH_SEARCHED

    slow = fake_profile()
    for at in slow["at"].values():
        at["kernels"][0][1] *= 1e12  # a step of minutes on a T4: under one sample a second
    (home / "profiles" / "resnet50-float32.json").write_text(json.dumps(slow), encoding="utf-8")
    done = run_cli(["predict", "--workload", "resnet50", "--accelerators", "t4"], home, COLUMNS="100")
    row = json.loads(run_cli(["predict", "--workload", "resnet50", "--accelerators", "t4", "--json"],
                             home).stdout)["accelerators"][0]
    rate = row["samples_per_second"]
    assert 0 < rate < 1 and f"{rate:.3g} samples/s" in done.stdout
    done = run_cli(["predict", "--workload", "ae-small", "--accelerators", "h100", "--json"], home)
    row = json.loads(done.stdout)["accelerators"][0]
    assert row["max_batch"] == MAX_BATCH_SEARCHED and row["max_batch_at_search_limit"] is True
    assert f"≥ {MAX_BATCH_SEARCHED:,}" in run_cli(["predict", "--workload", "ae-small", "--accelerators", "h100"],
                                                  home).stdout


def test_a_workload_without_a_memory_plan_says_why_its_largest_batch_is_unknown(home):
    unplanned = fake_profile()
    for at in unplanned["at"].values():
        at["memory"] = {}
    (home / "profiles" / "resnet50-float32.json").write_text(json.dumps(unplanned), encoding="utf-8")
    done = run_cli(["predict", "--workload", "resnet50", "--accelerators", "h100", "--json"], home)
    payload = json.loads(done.stdout)
    assert payload["memory_planned"] is False and payload["accelerators"][0]["max_batch"] is None
    text = " ".join(run_cli(["predict", "--workload", "resnet50", "--accelerators", "h100"], home).stdout.split())
    assert "Largest batch: unknown for resnet50." in text


def test_the_default_rows_are_the_gpus_colab_s_plans_offer_on_the_catalog_date(home):
    from pricing import load_catalog

    catalog = load_catalog()
    offered = {key for plan in catalog.plans if plan.provider == "colab" for key in plan.accelerators}
    expected = {key for key in offered if catalog.accelerator(key).kind == "gpu"}
    rows = json.loads(run_cli(["predict", "--workload", "resnet50", "--json"], home).stdout)["accelerators"]
    assert {row["accelerator"] for row in rows} == expected and "g4" in expected


def test_a_table_relative_to_a_card_fits_a_narrow_terminal_and_names_what_it_left_out(home):
    done = run_cli(["predict", "--workload", "resnet50", "--accelerators", "t4,h100,a100-40gb", "--relative-to", "t4"],
                   home, COLUMNS="60")
    assert done.code == 0, done.stderr
    assert max(len(line) for line in done.stdout.splitlines()) <= 60
    assert "vs t4" in done.stdout and "Left out to fit 60 columns" in done.stdout


USER_GPU = """[[accelerator]]
key = "{key}"
name = "My GPU"
kind = "gpu"
architecture = "ampere"
fp32_tflops = 30
fp16_bf16_tflops = 100
tf32_tflops = 50
memory_bandwidth_gbs = 900
memory_gb = 24
source = "my notes"
as_of = 2026-01-01
"""


@pytest.mark.parametrize("command", [["predict", "--preset", "medium", "--accelerators", "t4"],
                                     ["recommend", "--model", "deep", "--epochs", "10", "--epoch-seconds", "60",
                                      "--no-measure", "--local-device", "rtx-3090"]])
def test_a_user_catalog_that_replaces_a_shipped_card_is_said_to_wherever_it_is_used(tmp_path, command):
    (tmp_path / "catalog.toml").write_text(USER_GPU.format(key="t4"), encoding="utf-8")
    done = run_cli(command, tmp_path)
    assert done.code == 0, done.stderr
    assert "catalog.toml replaces the shipped t4" in " ".join(done.stderr.split())
    (tmp_path / "catalog.toml").write_text(USER_GPU.format(key="my-gpu"), encoding="utf-8")
    assert "replaces the shipped" not in run_cli(command, tmp_path).stderr  # a new card replaces nothing


@pytest.mark.parametrize("names", ["t4,,l4", "t4, ,l4", ",t4"])
def test_an_empty_name_between_commas_is_refused(home, names):
    done = run_cli(["predict", "--preset", "medium", "--accelerators", names], home)
    assert done.code == 2 and "--accelerators: an empty name between commas" in done.stderr


@pytest.mark.parametrize("planned", [True, False])
def test_recommend_says_when_no_device_s_memory_is_checked_for_the_batch(home, planned):
    # Without a memory plan no option can be ruled out for memory: the answer must say the fit went unchecked.
    profile = fake_profile()
    if not planned:
        for at in profile["at"].values():
            at["memory"] = {}
    (home / "profiles" / "resnet50-float32.json").write_text(json.dumps(profile), encoding="utf-8")
    args = ["recommend", "--workload", "resnet50", "--model", "deep", "--epochs", "1", "--no-measure",
            "--local-device", "rtx-3090", "--as-of", "2026-06-01"]
    done = run_cli(args, home)
    assert done.code == 0, done.stderr
    said = " ".join((done.stdout + done.stderr).split())
    assert ("fits a device's memory is not checked" in said) is not planned
    said_in_json = json.loads(run_cli([*args, "--json"], home).stdout)["warnings"]
    assert any("memory is not checked" in w for w in said_in_json) is not planned


def test_a_ratio_far_below_one_keeps_its_digits(home):
    # A laptop CPU against an H100 on the large AutoEncoder (its profile ships with the package): under a
    # thousandth, which two decimals would show as 0.00x.
    args = ["predict", "--workload", "ae-large", "--accelerators", "laptop-cpu,h100", "--relative-to", "h100"]
    done = run_cli(args, home)
    assert done.code == 0, done.stderr
    row = next(line for line in done.stdout.splitlines() if line.startswith("laptop-cpu"))
    shown = [float(x) for x in re.findall(r"(\d+(?:\.\d+)?)x", row)]
    payload = json.loads(run_cli([*args, "--json"], home).stdout)["accelerators"][0]
    assert payload["ratio"] < 0.01 and len(shown) == 3 and all(x > 0 for x in shown)
    assert shown[0] == pytest.approx(payload["ratio"], rel=0.05)
    assert shown[1] <= shown[0] <= shown[2]


def test_the_profiling_notice_says_which_plan_stands_in_for_the_asked_dtype():
    from advisor.render.predict import profiling_notice

    assert profiling_notice("resnet50", "bfloat16", "float16") == (
        "profiling resnet50 (bfloat16, which serves float16 too) on this CPU, once: compiling its training step...")
    assert profiling_notice("resnet50", "float32", "float32") == (
        "profiling resnet50 (float32) on this CPU, once: compiling its training step...")
