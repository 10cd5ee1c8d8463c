"""The questions people ask, at the command line: units, buy or rent, Kaggle, the GPU you really get.

Each answer comes as text that fits 100 columns and as JSON."""

import json

import pytest

from advisor.results.store import Store
from tests.advisor.cli_helpers import run_cli
from tests.helpers import make_measurement

BUY = ["recommend", "--model", "deep", "--epochs", "100", "--epoch-seconds", "300", "--runs-per-month", "20",
       "--hour-value", "20", "--as-of", "2026-06-01", "--buy", "rtx-4090:1599", "--kwh-price", "0.15"]


@pytest.fixture
def home(tmp_path):
    Store(tmp_path).save(make_measurement(step=0.010))
    return tmp_path


@pytest.mark.parametrize("args", [BUY, ["units", "--balance", "250", "--country", "DE"], ["units", "--plan", "pro"],
                                  ["recommend", "--model", "deep", "--epochs", "300", "--epoch-seconds", "60",
                                   "--as-of", "2026-10-01"]])
def test_each_answer_fits_100_columns_and_has_json(home, args):
    out = run_cli(args, home, COLUMNS="100")
    assert out.code == 0, out.stderr
    assert max(len(line) for line in out.stdout.splitlines()) <= 100
    payload = json.loads(run_cli([*args, "--json"], home).stdout)
    assert payload["schema"].startswith("colab-advisor/")


def test_buy_or_rent_is_stated_as_a_break_even_with_its_band(home):
    payload = json.loads(run_cli([*BUY, "--json"], home).stdout)
    buy = payload["buy"]
    assert buy["accelerator"] == "rtx-4090" and buy["watts"] == 450
    assert 0 <= buy["p_within_36_months"] <= 1
    assert buy["sentence"].startswith("Buy or rent: your own rtx-4090 at $1,599")


@pytest.mark.parametrize(("extra", "message"), [(["--buy", "rtx-4090"], "ACCELERATOR:PRICE"),
                                                (["--buy", "rtx-4090:1599"], "--kwh-price"),
                                                (["--kwh-price", "0.2"], "go with --buy"),
                                                (["--buy", "nonesuch:100", "--kwh-price", "0.2"], "nonesuch")])
def test_bad_buy_input_is_one_line_and_exit_2(home, extra, message):
    out = run_cli(["recommend", "--model", "deep", "--epochs", "10", "--epoch-seconds", "10", *extra], home)
    assert out.code == 2 and message in out.stderr and out.stderr.count("\n") == 1


def test_units_carry_accelerator_rate_and_hours_in_json(home):
    payload = json.loads(run_cli(["units", "--balance", "100", "--json", "--as-of", "2026-06-01"], home).stdout)
    t4 = next(a for a in payload["accelerators"] if a["accelerator"] == "t4")
    # 100 CU at the 2026-03 rate of 1.19 CU an hour.
    assert t4["cu_per_hour"] == 1.19 and t4["hours"] == pytest.approx(100 / 1.19, abs=0.01)


def test_a_chosen_a100_names_its_reported_fallback(home):
    args = ["recommend", "--model", "deep", "--epochs", "200", "--epoch-seconds", "300", "--runs-per-month", "25",
            "--hour-value", "10000", "--as-of", "2026-06-01", "--json"]
    payload = json.loads(run_cli(args, home).stdout)
    if payload["best"].endswith(("a100-40gb", "a100-80gb")):
        assert payload["fallback"]["fallback"].endswith(":l4")
        assert isinstance(payload["fallback"]["holds"], bool)
