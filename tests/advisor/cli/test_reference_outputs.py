"""Every command's output for the reference cases, held against the output recorded for them.

A change to what a command prints shows up here as a diff to read, not as a surprise to a user. The
cases use shipped data only (the reference results in benchmarks/reference, the shipped catalog on
fixed dates), so they do not depend on this machine. After an intended change, record the new
outputs with `COLAB_ADVISOR_RECORD=1 python -m pytest tests/advisor/cli/test_reference_outputs.py`
and read the diff before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import benchmarks
from tests.advisor.cli_helpers import run_cli

REFERENCE = Path(benchmarks.__file__).parent / "reference"
RECORDED = Path(__file__).parent / "reference_outputs"
H100 = str(REFERENCE / "medium-float32.json")
H100_BF16 = str(REFERENCE / "medium-bfloat16.json")

CASES = {
    "plans-2021-kr": ["plans", "--as-of", "2021-03-01", "--country", "KR"],
    "plans-2026-de-markdown": ["plans", "--as-of", "2026-06-01", "--country", "DE", "--format", "markdown"],
    "hardware": ["hardware"],
    "units-pro": ["units", "--plan", "pro", "--as-of", "2026-06-01"],
    "history": ["history"],
    "compare": ["compare", H100, str(REFERENCE / "large-float32.json"), H100, "--epoch-samples", "60000"],
    "recommend-2021-kr": ["recommend", "--model", "deep", "--epochs", "100", "--epoch-seconds", "100", "--as-of",
                          "2021-03-01", "--country", "KR", "--local-device", "laptop-cpu"],
    "recommend-2026-pay": ["recommend", "--model", "deep", "--epochs", "200", "--epoch-seconds", "300",
                           "--runs-per-month", "25", "--hour-value", "10000", "--as-of", "2026-06-01", "--country",
                           "KR", "--local-device", "laptop-cpu"],
    "recommend-boosting": ["recommend", "--model", "boosting", "--epochs", "100", "--epoch-seconds", "30",
                           "--local-device", "laptop-cpu", "--as-of", "2026-06-01"],
    "recommend-buy": ["recommend", "--model", "deep", "--epochs", "100", "--epoch-seconds", "300", "--runs-per-month",
                      "20", "--hour-value", "20", "--as-of", "2026-06-01", "--local-device", "laptop-cpu", "--buy",
                      "rtx-4090:1599", "--kwh-price", "0.15"],
    "predict-preset": ["predict", "--preset", "medium", "--relative-to", "t4"],
}


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reference-home")
    for name in ("medium-float32.json", "medium-bfloat16.json"):
        assert run_cli(["import", str(REFERENCE / name)], folder).code == 0
    return folder


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_output_is_the_one_recorded(home, name):
    out = run_cli(CASES[name], home, COLUMNS="100")
    assert out.code == 0, out.stderr
    text = out.stdout.replace(str(REFERENCE), "<reference>")
    recorded = RECORDED / f"{name}.txt"
    if os.environ.get("COLAB_ADVISOR_RECORD"):
        recorded.write_text(text, encoding="utf-8")
    assert recorded.is_file(), f"no recorded output for {name}: record it (see the module's docstring)"
    assert text == recorded.read_text(encoding="utf-8")
