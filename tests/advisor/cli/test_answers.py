"""The questions people ask, at the command line: units, buy or rent, Kaggle, the GPU you really get.

Each answer comes as text that fits 100 columns and as JSON."""

import json
import re

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


# What users report getting instead (googlecolab/colabtools): A100 -> L4 (#5342, #5719, #6013), G4 -> L4
# (#6013, 2026-06-08), H100 -> G4 (#5976).
REPORTED_INSTEAD = {"a100-40gb": "l4", "a100-80gb": "l4", "g4": "l4", "h100": "g4"}


@pytest.mark.parametrize("as_of", ["2026-06-01", "2026-09-01"])
def test_a_chosen_premium_gpu_names_its_reported_fallback(home, as_of):
    args = ["recommend", "--model", "deep", "--epochs", "200", "--epoch-seconds", "300", "--runs-per-month", "25",
            "--hour-value", "10000", "--as-of", as_of, "--json"]
    payload = json.loads(run_cli(args, home).stdout)
    chosen = payload["best"].rsplit(":", 1)[1]
    assert chosen in REPORTED_INSTEAD  # at $10,000 an hour a premium GPU is the answer
    reported_by = {"g4": "2026-06-08"}.get(chosen, "2026-05-01")
    if as_of < reported_by:  # not yet reported on the date asked about
        assert payload["fallback"] is None
    else:
        assert payload["fallback"]["fallback"].endswith(":" + REPORTED_INSTEAD[chosen])
        assert isinstance(payload["fallback"]["holds"], bool)


def test_the_verdict_reads_the_fallback_with_the_right_articles(home):
    args = ["recommend", "--model", "deep", "--epochs", "200", "--epoch-seconds", "300", "--runs-per-month", "25",
            "--hour-value", "10000", "--as-of", "2026-09-01"]
    out = " ".join(run_cli(args, home).stdout.split())
    assert "users report getting an l4 when a g4 is chosen" in out


# With the measurement of the home fixture, on 2026-09-01: Pay As You Go · g4 with the fallback beaten by Kaggle,
# Pay As You Go · a100-40gb beaten the same way, and Pay As You Go · g4 holding.
@pytest.mark.parametrize("workload", [
    ["--epochs", "100", "--epoch-seconds", "300", "--runs-per-month", "25", "--hour-value", "3"],
    ["--epochs", "100", "--epoch-seconds", "600", "--runs-per-month", "25", "--hour-value", "2"],
    ["--epochs", "200", "--epoch-seconds", "300", "--runs-per-month", "25", "--hour-value", "50"],
])
def test_the_fallback_is_weighed_only_against_options_that_do_not_fall_back_themselves(home, workload):
    args = ["recommend", "--model", "deep", *workload, "--as-of", "2026-09-01"]
    payload = json.loads(run_cli([*args, "--all", "--json"], home).stdout)
    fallback = payload["fallback"]
    assert fallback is not None  # each of these picks an A100 or a G4
    out = " ".join(run_cli(args, home).stdout.split())
    if fallback["holds"]:
        assert fallback["rival"] is None and "is still the best choice" in out
        return
    rival = next(o for o in payload["options"] if o["key"] == fallback["rival"])
    assert rival["key"].split(":")[1] not in REPORTED_INSTEAD  # an A100, G4 or H100 may not be handed out either
    # another plan's L4 at no lower price is the same GPU for the same money, not a better choice
    assert rival["accelerator"] != fallback["fallback"].split(":")[1] or rival["cost_usd"] < fallback["cost_usd"]
    assert f"{rival['label']} would then be the better choice" in out


def test_a_fallback_beaten_by_a_free_option_names_it(home):
    args = ["recommend", "--model", "deep", "--epochs", "100", "--epoch-seconds", "300", "--runs-per-month", "25",
            "--hour-value", "3", "--as-of", "2026-09-01"]
    payload = json.loads(run_cli([*args, "--json"], home).stdout)
    assert payload["best"] == "pay-as-you-go:g4"
    assert payload["fallback"]["holds"] is False
    assert payload["fallback"]["rival"] == "kaggle:p100"  # $0 beats $9.99 for an L4 at $3 an hour
    assert "Kaggle (not Colab) · p100 would then be the better choice" in " ".join(run_cli(args, home).stdout.split())


def test_a_named_workload_on_a_described_machine_needs_no_measurement(tmp_path):
    args = ["recommend", "--model", "deep", "--epochs", "10", "--local-device", "rtx-3090", "--workload", "ae-small",
            "--samples", "30000", "--no-measure", "--as-of", "2026-06-01"]
    out = run_cli(args, tmp_path, COLUMNS="100")
    assert out.code == 0, out.stderr
    assert "here from the 'rtx-3090' specs" in " ".join(out.stdout.split())
    payload = json.loads(run_cli([*args, "--json"], tmp_path).stdout)
    assert payload["workload"]["samples"] == 30000
    assert not any((tmp_path / "results").glob("*"))  # nothing was measured


def test_a_speed_ratio_made_mostly_of_session_setup_says_so(tmp_path):
    args = ["recommend", "--model", "deep", "--epochs", "100", "--local-device", "t4", "--no-measure", "--as-of",
            "2026-06-01"]
    # The medium AutoEncoder's 100 epochs take seconds on a T4, so 3 min of setup a session is most of a run.
    said = " ".join(run_cli(args, tmp_path, COLUMNS="100").stdout.split())
    assert "3 min of session setup is most of its run" in said
    said = " ".join(run_cli([*args, "--setup-minutes", "0"], tmp_path, COLUMNS="100").stdout.split())
    assert "session setup" not in said.split("Colab Pro")[0]


def test_when_this_machine_cannot_do_the_job_the_verdict_gives_the_reason_it_cannot(home):
    # The stored measurement's machine has about 25 GB of RAM; the job asks for 60 GB.
    said = " ".join(run_cli(["recommend", "--model", "deep", "--epochs", "100", "--epoch-seconds", "100", "--ram-gb",
                             "60", "--as-of", "2026-06-01"], home, COLUMNS="100").stdout.split())
    assert "this machine cannot do it (RAM too small:" in said and "the job needs 60 GB)" in said


# With the measurement of the home fixture, on 2026-09-01 and 40 GB of RAM: Pro+ · g4, whose fallback (an L4)
# has a rival; options of unknown RAM (Pay As You Go's, Kaggle's) would be cheaper.
@pytest.mark.parametrize("workload", [
    ["--epochs", "300", "--epoch-seconds", "1200", "--runs-per-month", "40", "--hour-value", "10"],
    ["--epochs", "100", "--epoch-seconds", "5000", "--runs-per-month", "40", "--hour-value", "3"],
])
def test_a_fallback_s_rival_is_never_an_option_of_unknown_ram_where_another_is_known_to_fit(home, workload):
    from advisor.decide.facts import UNKNOWN_RAM

    args = ["recommend", "--model", "deep", *workload, "--ram-gb", "40", "--as-of", "2026-09-01", "--json"]
    payload = json.loads(run_cli(args, home).stdout)
    assert payload["fallback"] is not None and payload["fallback"]["rival"] is not None
    by_key = {o["key"]: o for o in payload["options"]}
    known = [o for o in payload["options"] if o["usable"] and UNKNOWN_RAM not in o["unknowns"]]
    assert not known or UNKNOWN_RAM not in by_key[payload["fallback"]["rival"]]["unknowns"]


def test_a_plan_s_break_even_volume_is_the_plan_s_whatever_volume_is_asked_about(home):
    """'Pays off from N runs a month' counts every accelerator of the plan, so N does not move with the
    volume the user asked about, and at N the plan's best option beats the free ones, a hundredth of a
    run below N not (--runs-per-month takes fractions)."""
    def ask(runs):
        args = ["recommend", "--model", "deep", "--epochs", "100", "--epoch-seconds", "100", "--hour-value", "1",
                "--runs-per-month", str(runs), "--as-of", "2026-09-01", "--json"]
        return json.loads(run_cli(args, home).stdout)

    def pro_ahead(payload):
        options = [o for o in payload["options"] if o["usable"] and o["expected_value_usd"] is not None]
        free = max(o["expected_value_usd"] for o in options if not o["cost_usd"])
        # to the cent, as the choice ranks them
        return round(max(o["expected_value_usd"] for o in options if o["plan"] == "pro"), 2) - round(free, 2)

    found = {runs: next(p for p in ask(runs)["plans"] if p["plan"] == "pro")["break_even"]["runs_from"]
             for runs in (5, 60)}
    assert found[5] == found[60] is not None
    start = found[5]
    assert pro_ahead(ask(start)) > 0 >= pro_ahead(ask(round(start - 0.01, 2)))


def test_an_option_chosen_only_because_its_ram_is_unknown_is_said_to_be_unverified(home):
    args = ["recommend", "--model", "deep", "--epochs", "100", "--epoch-seconds", "100", "--ram-gb", "10000",
            "--as-of", "2026-09-01"]
    payload = json.loads(run_cli([*args, "--json"], home).stdout)
    best = next(o for o in payload["options"] if o["key"] == payload["best"])
    assert "ram" in best["unknowns"]  # nothing offers 10 TB; only an option of unpublished RAM might
    first = " ".join(run_cli(args, home, COLUMNS="100").stdout.split()).split(". ")[0]
    assert first.startswith("No option is known to have the 10,000 GB of RAM this job needs")
    assert "holds only if it has enough" in first


@pytest.mark.parametrize("ram", [None, "53"])
def test_a_plan_is_pointed_to_pay_as_you_go_only_where_that_option_may_be_chosen(home, ram):
    # Pay As You Go's RAM is not published: for a job that states its RAM, an option known to fit is
    # never traded for it (it stands only where nothing is known to fit).
    from advisor.decide.facts import UNKNOWN_RAM

    args = ["recommend", "--model", "deep", "--epochs", "100", "--epoch-seconds", "100", "--as-of", "2026-09-01",
            *(["--ram-gb", ram] if ram else []), "--json"]
    payload = json.loads(run_cli(args, home).stdout)
    by_key = {o["key"]: o for o in payload["options"]}
    alike = [p for p in payload["plans"] if p["cheaper_alike"]]
    if ram is None:
        assert alike  # without a RAM need the same GPU for no more money is pointed to
    for plan in alike:
        chosen, other = by_key[plan["option"]], by_key[plan["cheaper_alike"]]
        assert UNKNOWN_RAM not in other["unknowns"] or UNKNOWN_RAM in chosen["unknowns"]
        assert other["accelerator"] == chosen["accelerator"] and other["cost_usd"] <= chosen["cost_usd"] + 1e-9


@pytest.mark.parametrize(("extra", "expected"), [
    (["--workload", "resnet50"], "--workload goes with --model deep"),
    (["--local-device", "rtx-3060"], "--local-device rtx-3060 is a GPU: --model boosting compares CPUs"),
])
def test_a_boosting_model_refuses_what_only_a_deep_model_can_use(home, extra, expected):
    done = run_cli(["recommend", "--model", "boosting", "--epochs", "10", "--epoch-seconds", "60", "--no-measure",
                    *extra], home)
    assert done.code == 2 and done.stderr.strip().count("\n") == 0
    assert expected in done.stderr and "Traceback" not in done.stderr


def test_a_named_workload_s_default_epoch_is_said_to_be_only_a_default(tmp_path):
    args = ["recommend", "--model", "deep", "--epochs", "10", "--local-device", "rtx-3090", "--workload", "ae-small",
            "--no-measure", "--as-of", "2026-06-01"]
    said = " ".join(run_cli(args, tmp_path, COLUMNS="100").stdout.split())
    assert "An epoch is 60,000 samples of ae-small" in said and "a default, not that model's usual dataset" in said


def test_when_nothing_fits_each_option_s_reason_is_a_sentence_that_says_its_need_once(home):
    said = " ".join(run_cli(["recommend", "--model", "deep", "--epochs", "100", "--epoch-seconds", "2592000",
                             "--as-of", "2026-09-01"], home, COLUMNS="100").stdout.split())
    assert said.startswith("Nothing fits this job") and "This machine: needs" in said
    assert "a month has 730.5 h and the free quota is" in said
    assert "730.5 h; needs" not in said


def test_a_stored_result_that_cannot_be_read_is_named_when_this_machine_s_figure_leaves_it_out(home):
    (home / "results" / "20260101T000000-abcdef0123.json").write_text('{"truncated', encoding="utf-8")
    done = run_cli(["recommend", "--model", "deep", "--epochs", "10", "--epoch-seconds", "60", "--as-of",
                    "2026-06-01"], home)
    assert done.code == 0, done.stderr
    said = " ".join(done.stderr.split())
    assert "skipped 20260101T000000-abcdef0123.json" in said and "(not counted for this machine)" in said


def test_a_typed_minus_zero_is_zero_in_every_sentence(home):
    args = ["recommend", "--model", "deep", "--epochs", "10", "--hour-value", "-0", "--tax-rate", "-0",
            "--setup-minutes", "-0", "--free-gpu-hours", "-0", "--as-of", "2026-06-01"]
    out = run_cli(args, home, COLUMNS="100")
    assert out.code == 0, out.stderr
    text = " ".join(out.stdout.split())
    assert "worth $0.00 (your --hour-value)" in text and "costs 0 min of setup" in text and "with 0 % tax" in text
    assert not re.search(r"(^|[\s$(])-0(\b|\.)", text)
    workload = json.loads(run_cli([*args, "--json"], home).stdout)["workload"]
    assert str(workload["hour_value_usd"]) == "0.0" and str(workload["setup_minutes"]) == "0.0"  # not -0.0


LOCAL_DEVICE_RAM = ["recommend", "--model", "deep", "--local-device", "rtx-4090", "--workload", "ae-medium",
                    "--epochs", "100", "--ram-gb", "20", "--as-of", "2026-06-01"]


@pytest.mark.parametrize(("ram_bytes", "fits"), [(64 * 10**9, True), (16 * 10**9, False)])
def test_a_local_device_s_ram_is_read_from_this_machine(tmp_path, monkeypatch, ram_bytes, fits):
    from benchmarks import metadata

    monkeypatch.setattr(metadata, "ram_bytes", lambda: ram_bytes)
    payload = json.loads(run_cli([*LOCAL_DEVICE_RAM, "--json"], tmp_path).stdout)
    local = next(o for o in payload["options"] if o["key"] == "local")
    assert local["ram_gb"] == pytest.approx(ram_bytes / 1e9) and local["ram_fits"] is fits
    assert local["unknowns"] == [] and local["usable"] is fits


def test_this_machine_s_unknown_ram_is_named_in_the_verdict_not_hidden(tmp_path, monkeypatch):
    from benchmarks import metadata

    monkeypatch.setattr(metadata, "ram_bytes", lambda: None)
    payload = json.loads(run_cli([*LOCAL_DEVICE_RAM, "--json"], tmp_path).stdout)
    local = next(o for o in payload["options"] if o["key"] == "local")
    assert local["ram_fits"] is None and local["unknowns"] == ["local_ram"]
    # A 4090 runs this small step in seconds where every Colab option takes minutes of setup: this machine
    # stays the answer, and the answer says what it rests on.
    assert payload["best"] == "local" and "local_ram" in payload["depends_on"]
    out = " ".join(run_cli(LOCAL_DEVICE_RAM, tmp_path).stdout.split())
    assert "This rests on what no source gives: this machine's RAM (the job needs 20 GB" in out


@pytest.mark.parametrize("args", [
    ["recommend", "--model", "deep", "--epochs", "300", "--epoch-seconds", "60", "--as-of", "2026-10-01"],
    ["recommend", "--model", "deep", "--epochs", "100", "--epoch-seconds", "300", "--runs-per-month", "25",
     "--hour-value", "3", "--as-of", "2026-09-01"],
    BUY,
])
def test_with_every_accelerator_listed_the_plan_shares_add_up_to_what_the_verdict_says(home, args):
    # --all gives each row its own share of the draws; the verdict's share is its plan's, summed over
    # the plan's accelerators, and the line under the table says so with those sums.
    payload = json.loads(run_cli([*args, "--all", "--json"], home).stdout)
    sums: dict[str, float] = {}
    for option in payload["options"]:
        if option["usable"] and option["plan"] is not None:
            sums[option["plan"]] = sums.get(option["plan"], 0.0) + option["p_best"]
    for option in payload["options"]:
        if option["usable"] and option["plan"] is not None:
            assert option["p_plan_best"] == pytest.approx(sums[option["plan"]], abs=1e-9)
    text = " ".join(run_cli([*args, "--all"], home, COLUMNS="100").stdout.split())
    line = re.search(r"A plan's share, as the verdict gives it, is the sum over its accelerators: ([^.]*)\.", text)
    assert line, text
    listed = dict(re.findall(r"((?:Colab|Kaggle)[^,]*?) (\d+) %", line.group(1)))
    chosen = next(o for o in payload["options"] if o["key"] == payload["best"])
    said = re.search(r"best in (\d+) % of the range", text)
    if said:  # the verdict's own share is the chosen plan's, as listed
        assert int(said.group(1)) == round(100 * chosen["p_plan_best"])
        assert int(listed[chosen["label"].split(" · ")[0]]) == round(100 * chosen["p_plan_best"])
