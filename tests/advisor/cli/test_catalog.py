import json
import re

import pytest

from pricing import load_catalog
from tests.advisor.cli_helpers import run_cli

NEWEST = load_catalog().coverage.last.isoformat()  # the catalog's newest entry, whatever it is today

BAD_T4 = """
[[accelerator]]
key = "t4"
name = "NVIDIA T4"
kind = "gpu"
fp32_tflops = "fast"
source = "my notes"
as_of = 2026-01-01
"""

MY_GPU = """
[[accelerator]]
key = "my-gpu"
name = "My GPU"
kind = "gpu"
architecture = "blackwell"
fp32_tflops = "unknown"
fp16_bf16_tflops = "unknown"
tf32_tflops = "unknown"
memory_bandwidth_gbs = "unknown"
memory_gb = 96
year = "unknown"
source = "my notes"
as_of = 2026-01-01
"""

MY_T4_RATE = """
[[cu_rate]]
accelerator = "t4"
as_of = 2026-03-09
cu_per_hour = 1.25
source = "my Colab"
"""


def row(text: str, first_cell: str) -> list[str]:
    """The cells of the plain-table row that starts with `first_cell`."""
    for line in text.splitlines():
        if line.startswith(first_cell + "  "):
            return re.split(r"\s{2,}", line.strip())
    raise AssertionError(f"no row '{first_cell}' in:\n{text}")


def plans(tmp_path, *args: str, **environ: str):
    out = run_cli(["plans", *args], tmp_path, **environ)
    assert out.code == 0, out.stderr
    return out


# ---- what the table says ---------------------------------------------------------------------------
def test_2021_shows_the_flat_era_free_with_a_k80_and_pro_at_9_99_with_t4_and_p100(tmp_path):
    out = plans(tmp_path, "--as-of", "2021-03-01")
    assert "Colab plans on 2021-03-01 (flat subscriptions)" in out.stdout
    free, pro = row(out.stdout, "Colab Free"), row(out.stdout, "Colab Pro")
    assert free[1] == "$0.00" and "k80" in free[-1].split(", ")
    assert pro[1] == "$9.99" and {"t4", "p100"} <= set(pro[-1].split(", "))
    assert "Colab Pro+" not in out.stdout  # launched 2021-09
    assert "GPU and TPU hours" not in out.stdout
    assert "compute units start 2022-09-29" in out.stdout


def test_default_is_before_tax_and_says_so(tmp_path):
    out = plans(tmp_path)
    assert "USD/month before tax" in out.stdout
    assert "with " not in row(out.stdout, "plan")[2]
    assert "before tax" in out.stdout


def test_country_de_adds_19_percent(tmp_path):
    out = plans(tmp_path, "--country", "DE")
    assert row(out.stdout, "plan")[2] == "with 19 % tax (DE)"
    assert row(out.stdout, "Colab Pro")[1:3] == ["$9.99", "$11.89"]
    assert row(out.stdout, "Colab Pro+")[1:3] == ["$49.99", "$59.49"]


def test_a_country_table_rate_comes_with_its_source_and_the_caveat(tmp_path):
    out = plans(tmp_path, "--country", "germany")
    assert "German VAT act" in out.stdout
    assert "the amount charged can differ" in out.stdout


def test_tax_rate_10_turns_9_99_into_10_99(tmp_path):
    out = plans(tmp_path, "--tax-rate", "10")
    assert row(out.stdout, "Colab Pro")[1:3] == ["$9.99", "$10.99"]
    assert "the amount charged can differ" not in out.stdout  # no country table involved


def test_a_country_without_one_rate_shows_prices_before_tax_and_unknown_with_tax(tmp_path):
    out = plans(tmp_path, "--country", "BR")
    assert row(out.stdout, "Colab Pro")[1:3] == ["$9.99", "unknown"]
    assert "Brazil (BR) has no single national tax rate" in out.stdout
    assert out.stderr == ""


def test_a_tax_rate_below_1_warns_that_it_is_a_percentage(tmp_path):
    out = plans(tmp_path, "--tax-rate", "0.19")
    assert "warning: --tax-rate is a percentage: 0.19 means 0.19 %, not 19 %" in out.stderr
    # A rate that as a fraction would still be under 1 % suggests nothing ('1e-09 means ..., not 1e-07 %').
    assert "--tax-rate is a percentage" not in plans(tmp_path, "--tax-rate", "1e-9").stderr


def test_pro_buys_about_84_t4_hours_on_2026_03_09(tmp_path):
    out = plans(tmp_path, "--as-of", "2026-03-09")
    t4 = row(out.stdout, "t4")
    assert t4[:3] == ["t4", "1.19", "2026-03-09"]
    assert t4[3:5] == ["84.0 h", "504.2 h"]  # Pro 100 CU, Pro+ 600 CU


def test_hours_follow_the_rate_in_force_on_the_date(tmp_path):
    out = plans(tmp_path, "--as-of", "2024-06-01")
    assert row(out.stdout, "t4")[1:4] == ["1.84", "2024-04-23", "54.3 h"]  # 100 / 1.84
    assert row(out.stdout, "v100")[3] == "20.4 h"


def test_an_accelerator_without_a_rate_shows_unknown_hours_and_why(tmp_path):
    out = plans(tmp_path)
    # No rate reported: no day it was reported on, and no source named for a rate (the note says why).
    assert row(out.stdout, "h100")[1:] == ["unknown", "unknown", "unknown", "unknown"]
    assert "CU rates of h100" not in out.stdout and "h100: listed with 'limited capacity'" in out.stdout
    assert row(out.stdout, "tpu-v5e-1")[1:] == ["unknown"] * 4
    assert "tpu-v5e-1: no CU rate for 'tpu-v5e-1' has been reported." in out.stdout


def test_ram_and_session_figures_with_unknown_where_no_source_gives_them(tmp_path):
    out = plans(tmp_path, "--as-of", "2026-03-09", "--format", "markdown").stdout
    line = next(line for line in out.splitlines() if line.startswith("| Colab Pro "))
    pro = [cell.strip() for cell in line.split("|")]
    assert pro[3:7] == ["100", "unknown", "51 GiB", "24 h"]  # RAM as Colab shows it: GiB


def test_free_sessions_come_from_the_one_session_model_the_decision_uses(tmp_path):
    # The 2024-04 reading of a free T4 session (3h20m) and the 2025-09 one of a free TPU v5e-1 (1h30m),
    # not the 12 h published before compute units.
    free = row(plans(tmp_path, "--as-of", "2026-03-09").stdout, "Colab Free")
    assert "12.7 GiB" in free and "1.5-3.3 h (reading)" in free
    flat = row(plans(tmp_path, "--as-of", "2021-03-01").stdout, "Colab Free")
    assert "12 h" in flat


def test_kaggle_after_2026_09_15_offers_two_t4s_and_a_tpu_v5e_8_not_a_p100(tmp_path):
    before = plans(tmp_path, "--as-of", "2026-09-14", "--json")
    after = plans(tmp_path, "--as-of", "2026-09-15", "--json")
    kaggle = [next(p for p in json.loads(out.stdout)["plans"] if p["name"] == "kaggle") for out in (before, after)]
    assert kaggle[0]["accelerators"] == ["p100", "t4"]
    assert kaggle[1]["accelerators"] == ["t4", "tpu-v5e-1"]
    devices = {offer["accelerator"]: offer["devices"] for offer in kaggle[1]["offers"]}
    assert devices == {"t4": 2, "tpu-v5e-1": 8}
    t4 = next(limit for limit in kaggle[1]["sessions"] if "t4" in limit["accelerators"])
    assert t4["hours"] == 9 and t4["basis"] == "assumed"
    assert sorted(r["hours"] for r in t4["readings"]) == [9, 12]
    assert "t4 x2, tpu-v5e-1 x8" in plans(tmp_path, "--as-of", "2026-09-15").stdout


def test_the_k80_has_left_colab_free_by_2022(tmp_path):
    payloads = [json.loads(plans(tmp_path, "--as-of", day, "--json").stdout) for day in ("2021-12-31", "2022-01-01")]
    free = [next(p for p in payload["plans"] if p["name"] == "free") for payload in payloads]
    assert "k80" in free[0]["accelerators"] and "k80" not in free[1]["accelerators"]


@pytest.mark.parametrize(("day", "percent"), [("2020-06-30", 19), ("2020-07-01", 16), ("2020-09-01", 16),
                                              ("2020-12-31", 16), ("2021-01-01", 19)])
def test_germany_charged_16_percent_in_the_second_half_of_2020(tmp_path, day, percent):
    payload = json.loads(plans(tmp_path, "--as-of", day, "--country", "DE", "--json").stdout)
    assert payload["tax"]["percent"] == percent


def test_the_footer_names_sources_and_the_as_of_date(tmp_path):
    out = plans(tmp_path, "--as-of", "2024-06-01")
    assert f"As of 2024-06-01; the catalog covers 2020-02-01 to {NEWEST}." in out.stdout
    assert "Colab Pro: Colab signup page" in out.stdout
    assert "CU rates of t4, v100, a100-40gb, l4: mccormickml.com, 2024-04-23 post (2024-04-23)." in out.stdout


def test_markdown_format_prints_pipe_tables_with_bulleted_notes(tmp_path):
    out = plans(tmp_path, "--format", "markdown")
    assert f"### Colab plans on {NEWEST}" in out.stdout
    assert "| Colab Pro " in out.stdout
    assert "|---" in out.stdout.replace(" ", "").replace(":", "")
    assert f"\n- As of {NEWEST}" in out.stdout


# ---- the user's catalog ------------------------------------------------------------------------------
def test_catalog_toml_in_the_data_folder_is_merged_over_the_shipped_one(tmp_path):
    (tmp_path / "catalog.toml").write_text(MY_T4_RATE)
    out = plans(tmp_path, "--as-of", "2026-03-09")
    assert row(out.stdout, "t4")[1:4] == ["1.25", "2026-03-09", "80.0 h"]
    assert "CU rates of t4: my Colab (2026-03-09)." in out.stdout


def test_catalog_option_wins_over_the_data_folder(tmp_path):
    (tmp_path / "catalog.toml").write_text(BAD_T4)
    mine = tmp_path / "mine.toml"
    mine.write_text(MY_T4_RATE)
    assert row(plans(tmp_path, "--catalog", str(mine)).stdout, "t4")[1] == "1.25"


# ---- JSON ----------------------------------------------------------------------------------------------
def test_json_is_a_versioned_envelope_with_the_date_the_tax_and_per_plan_figures(tmp_path):
    payload = json.loads(plans(tmp_path, "--as-of", "2026-03-09", "--country", "DE", "--json").stdout)
    assert payload["schema"] == "colab-advisor/plans/v1"
    assert payload["as_of"] == "2026-03-09"
    assert payload["tax"]["percent"] == 19 and payload["tax"]["country"] == "DE"
    assert payload["tax"]["source"] and payload["tax"]["as_of"] == "2025-01-01"
    pro = next(plan for plan in payload["plans"] if plan["name"] == "pro")
    assert pro["monthly_price_usd"] == 9.99
    assert pro["monthly_price_with_tax_usd"] == 11.89
    assert pro["cu_included"] == 100
    assert pro["gpu_hours_included"]["t4"] == pytest.approx(84.03, abs=0.01)
    assert pro["ram_gb"] is None and pro["high_ram_gib"] == 51
    assert pro["high_ram_gb"] == 54.76  # 51 x 2**30 / 10**9
    assert pro["source"].startswith("Colab signup page") and pro["as_of"] == "2025-02-01"
    assert payload["cu_rates"]["t4"] == {
        "cu_per_hour": 1.19, "high_ram": None, "note": None,
        "source": "mccormickml.com, 2024-04-23 post updated 2026-03-09", "as_of": "2026-03-09",
        "unconfirmed": False,
    }


def test_json_uses_null_for_unknown_figures_and_for_no_tax(tmp_path):
    payload = json.loads(plans(tmp_path, "--json").stdout)
    assert payload["tax"] is None
    pro = next(plan for plan in payload["plans"] if plan["name"] == "pro")
    assert pro["monthly_price_with_tax_usd"] is None
    assert pro["gpu_hours_included"]["h100"] is None
    assert payload["cu_rates"]["h100"]["cu_per_hour"] is None


def test_json_of_the_flat_era_has_no_hours(tmp_path):
    payload = json.loads(plans(tmp_path, "--as-of", "2021-03-01", "--tax-rate", "10", "--json").stdout)
    assert payload["era"]["name"] == "flat"
    assert payload["tax"] == {"basis": "given", "percent": 10}
    assert [plan["name"] for plan in payload["plans"]] == ["free", "pro"]
    assert all(plan["gpu_hours_included"] is None for plan in payload["plans"])
    assert payload["plans"][1]["monthly_price_with_tax_usd"] == 10.99


# ---- bad input -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--country", "Germny"], "error: --country: unknown country 'Germny'; did you mean 'DE'?"),
        (["--country", "DE", "--tax-rate", "19"], "error: give either --country or --tax-rate, not both"),
        (["--as-of", "xyz"], "error: --as-of: expected a date like 2024-04-23, got 'xyz'"),
        (["--as-of", "2024-02-30"], "error: --as-of: expected a date like 2024-04-23, got '2024-02-30'"),
        (["--as-of", "2019-12-31"], "error: the catalog has no data for 2019-12-31: it covers 2020-02-01 to"),
        (["--as-of", "2019-01-01"], "error: the catalog has no data for 2019-01-01: it covers 2020-02-01 to"),
        (["--tax-rate", "150"], "error: --tax-rate: expected a percentage from 0 to below 100"),
        (["--tax-rate", "ten"], "error: --tax-rate: expected a number"),
        (["--format", "html"], "error: Invalid value for '--format'"),
        (["--catalog", "/nonexistent/catalog.toml"], "error: Invalid value for '--catalog'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, args, message):
    out = run_cli(["plans", *args], tmp_path)
    assert out.code == 2
    assert out.stderr.startswith(message)
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr
    assert out.stdout == ""


@pytest.mark.parametrize("command", ["plans", "hardware"])
def test_a_malformed_catalog_file_names_the_file_the_entry_and_the_field(tmp_path, command):
    (tmp_path / "catalog.toml").write_text(BAD_T4)
    out = run_cli([command], tmp_path)
    assert out.code == 2
    assert out.stderr == (
        f"error: {tmp_path / 'catalog.toml'}: accelerator 't4' field 'fp32_tflops': "
        "expected TFLOP/s from 0.001 to 1e+06, got 'fast'\n"
    )


@pytest.mark.parametrize("command", ["plans", "hardware"])
def test_help_shows_an_example(tmp_path, capsys, command):
    # Help text goes through Click's own echo, straight to the process's stdout.
    assert run_cli([command, "--help"], tmp_path).code == 0
    assert f"Example: colab-advisor {command}" in capsys.readouterr().out


# ---- hardware ------------------------------------------------------------------------------------------
def test_hardware_lists_every_accelerator_with_unknown_for_missing_figures(tmp_path):
    mine = tmp_path / "mine.toml"
    mine.write_text(MY_GPU, encoding="utf-8")
    out = run_cli(["hardware", "--catalog", str(mine)], tmp_path)
    assert out.code == 0, out.stderr
    assert row(out.stdout, "my-gpu")[2:8] == ["gpu", "unknown", "unknown", "unknown", "unknown", "96"]
    # The G4's datasheet figures (FP32 120 TFLOP/s, 1,597 GB/s; RTX PRO 6000 Blackwell Server Edition).
    g4 = row(out.stdout, "g4")
    assert g4[2:] == ["gpu", "120", "479.8", "239.9", "1597", "96", "2025", "from 2026-03-09"]
    t4 = row(out.stdout, "t4")
    assert t4[2:9] == ["gpu", "8.1", "65", "unknown", "320", "16", "2018"]
    assert row(out.stdout, "v100")[-1] == "2020-09-03 to 2026-03-08"  # rapidsai-csp-utils#34 saw one on Pro
    assert row(out.stdout, "tpu-v2-8")[-1] == "until 2025-09-30"


def test_hardware_footer_names_each_source(tmp_path):
    out = run_cli(["hardware"], tmp_path)
    assert "t4: NVIDIA T4 datasheet (as of 2026-01-01)." in out.stdout
    assert "laptop-cpu: assumed figures, not published ones." in out.stdout


def test_hardware_json_has_numbers_and_nulls_with_sources(tmp_path):
    mine = tmp_path / "mine.toml"
    mine.write_text(MY_GPU, encoding="utf-8")
    out = run_cli(["hardware", "--json", "--catalog", str(mine)], tmp_path)
    payload = json.loads(out.stdout)
    assert payload["schema"] == "colab-advisor/hardware/v2"
    by_key = {a["key"]: a for a in payload["accelerators"]}
    assert by_key["a100-40gb"]["tf32_tflops"] == 156
    assert by_key["my-gpu"]["fp32_tflops"] is None and by_key["my-gpu"]["memory_gb"] == 96
    assert by_key["l4"]["colab_from"] == "2024-04-15" and by_key["l4"]["colab_until"] is None
    # Offered on the catalog date: the T4 of Colab Free; not the V100, gone from Colab's list by 2026-03-09.
    assert "t4" in payload["offered_on_as_of"] and "v100" not in payload["offered_on_as_of"]
    assert set(payload["offered_on_as_of"]) <= set(by_key)
    assert all(a["source"] and a["as_of"] for a in payload["accelerators"])


def test_hardware_markdown(tmp_path):
    out = run_cli(["hardware", "--format", "markdown"], tmp_path)
    assert out.code == 0
    assert out.stdout.startswith("### Accelerators") and "| t4 " in out.stdout


def _toml_value(name: str, value) -> str:
    if name in ("as_of", "colab_from", "colab_until"):
        return value  # an ISO day: a bare TOML date
    if isinstance(value, list):
        return "[" + ", ".join(json.dumps(item) for item in value) + "]"
    return "true" if value is True else "false" if value is False else json.dumps(value)


def test_every_accelerator_of_the_hardware_json_reads_back_as_the_same_catalog_entry(tmp_path):
    """The JSON gives every field under its catalog name: copied into a catalog file, each entry loads
    back equal to the shipped one (clocks, architecture and borrowed readings included)."""
    from pricing import load_catalog

    payload = json.loads(run_cli(["hardware", "--json"], tmp_path).stdout)
    shipped = load_catalog()
    assert {"architecture", "boost_clock_mhz", "matmul_clock_from", "l2_cache_mb"} <= set(payload["accelerators"][0])
    for entry in payload["accelerators"]:
        lines = ["[[accelerator]]"] + [f"{name} = {_toml_value(name, value)}" for name, value in entry.items()
                                       if value is not None]
        mine = tmp_path / "mine.toml"
        mine.write_text("\n".join(lines) + "\n", encoding="utf-8")
        assert load_catalog(override=mine).accelerator(entry["key"]) == shipped.accelerator(entry["key"]), entry["key"]


def test_hardware_dates_a_gpu_colab_handed_out_by_its_offers_when_the_entry_has_no_window(tmp_path):
    out = run_cli(["hardware", "--format", "markdown"], tmp_path)
    rows = {line.split("|")[1].strip(): line for line in out.stdout.splitlines() if line.startswith("| ")}
    # offers.toml: the K80 last reported on Free about 2021; the P100 on Pro from 2019-11-01 to 2022-12-31.
    assert "reported until 2021-12-31" in rows["k80"]
    assert "reported 2019-11-01 to 2022-12-31" in rows["p100"]
    assert "unknown" in rows["rtx-4090"].split("|")[-2]  # never on Colab: no offer, no window


def test_plans_name_whose_reading_stands_in_for_a_session_length_a_plan_does_not_publish(tmp_path):
    text = " ".join(run_cli(["plans"], tmp_path, COLUMNS="100").stdout.split())
    # Pay As You Go publishes none: the free tier's T4 reading of 2024-04 (3.33 h) stands in for it.
    assert "Colab Pay As You Go publishes no session length for t4" in text
    assert "3.3 h is assumed from Colab runtime panel on a free-tier T4 session" in text
    assert "Colab Pro publishes no session length" not in text  # Pro publishes 24 h
