"""Default output fits the terminal: every line within COLUMNS (100 when unknown)."""

import pytest

from advisor.render.table import Table, render_table, terminal_width
from advisor.results.share import encode_token
from advisor.results.store import Store
from tests.advisor.cli_helpers import run_cli
from tests.helpers import make_environment, make_measurement

COLAB = make_measurement(step=0.001, environment=make_environment(
    platform="gpu", device_kind="Tesla T4", in_colab=True, host_cpu="Intel(R) Xeon(R) CPU @ 2.20GHz",
    timestamp="2026-11-21T10:00:00+00:00"))

COMMANDS = [
    ["plans"],
    ["plans", "--as-of", "2021-03-01", "--country", "DE"],
    ["plans", "--as-of", "2024-04-23", "--tax-rate", "8.7"],
    ["hardware"],
    ["history"],
    ["compare", "latest", COLAB.id, "--epoch-samples", "60000"],
    ["recommend", "--model", "deep", "--epochs", "100", "--epoch-seconds", "100", "--as-of", "2021-03-01",
     "--country", "KR"],
    ["recommend", "--model", "deep", "--epochs", "100"],
    ["recommend", "--model", "deep", "--epochs", "100", "--ram-gb", "60", "--months", "3"],
    ["recommend", "--model", "deep", "--epochs", "100", "--ram-gb", "500"],
    ["recommend", "--model", "boosting", "--epochs", "100", "--ram-gb", "20"],
    ["recommend", "--model", "deep", "--epochs", "30", "--epoch-seconds", "3600", "--country", "US"],
]


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    Store(home).save(make_measurement(step=0.010, environment=make_environment(
        host_cpu="AMD EPYC 7B13 64-Core Processor with a long marketing name")))
    assert run_cli(["import", encode_token(COLAB)], home).code == 0
    return home


@pytest.mark.parametrize("args", COMMANDS, ids=lambda args: " ".join(args)[:50])
def test_every_line_fits_100_columns(home, args):
    out = run_cli(args, home, COLUMNS="100")
    assert out.code == 0, out.stderr
    too_wide = [line for line in (out.stdout + out.stderr).splitlines() if len(line) > 100]
    assert too_wide == []


def test_a_narrower_terminal_gets_a_narrower_recommendation(home):
    out = run_cli(["recommend", "--model", "deep", "--epochs", "100"], home, COLUMNS="80")
    verdict = out.stdout.split("\n\n")[0]
    assert max(len(line) for line in verdict.splitlines()) <= 80


@pytest.mark.parametrize(("columns", "width"), [("", 100), ("abc", 100), ("5", 100), ("120", 120)])
def test_the_width_comes_from_columns_when_it_is_sensible(columns, width):
    assert terminal_width({"COLUMNS": columns}) == width


def test_optional_columns_go_first_and_the_table_says_which():
    table = Table(headers=("name", "detail", "extra"), rows=[("a" * 30, "b" * 30, "c" * 30)], optional=("extra",))
    text = render_table(table, "table", 70)
    assert "extra" not in text.splitlines()[0] and "Left out to fit 70 columns: extra" in text
    assert "c" * 30 in render_table(table, "markdown", 70)  # markdown keeps every column


def test_a_long_listing_shortens_cells_instead_of_wrapping_them():
    rows = [(f"id{i}", "a device with a very long marketing name " * 2, "x") for i in range(60)]
    table = Table(headers=("id", "device", "other"), rows=rows, wrap=("device",))
    text = render_table(table, "table", 60)
    lines = text.splitlines()
    assert max(map(len, lines)) <= 60 and len(lines) == 62  # one line a row: nothing wrapped
    assert all(line.rstrip().endswith("x") and "…" in line for line in lines[2:])
