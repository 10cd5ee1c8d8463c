"""measure --share, import, history, compare and recommend through the command line."""

import json
import re
from pathlib import Path

import pytest

import benchmarks
from advisor.results.share import encode_token
from advisor.results.store import Store
from tests.advisor.cli_helpers import run_cli
from tests.helpers import make_environment, make_measurement

COLAB = make_measurement(step=0.001, environment=make_environment(
    platform="gpu", device_kind="Tesla T4", in_colab=True, timestamp="2026-11-21T10:00:00+00:00"))


@pytest.fixture
def home(tmp_path):
    Store(tmp_path).save(make_measurement(step=0.010))
    return tmp_path


def test_measure_share_prints_one_importable_line(tmp_path, monkeypatch):
    monkeypatch.setattr(benchmarks, "run", lambda config, progress=None, **kw: COLAB)
    out = run_cli(["measure", "--share", "--no-save", "--no-progress"], tmp_path)
    assert out.code == 0
    (line,) = out.stdout.splitlines()
    assert line.startswith("ca1:")
    imported = run_cli(["import", line], tmp_path)
    assert imported.code == 0 and imported.stdout.startswith(f"imported {COLAB.id}")


def test_import_from_stdin_and_twice_is_one_entry(home):
    token = encode_token(COLAB)
    assert run_cli(["import", "-"], home, stdin=token + "\n").code == 0
    again = run_cli(["import", token], home)
    assert again.stdout.startswith("already in the history as")
    assert len(Store(home).load_all()[0]) == 2


def test_an_altered_token_is_refused_in_one_line(home):
    token = encode_token(COLAB)
    out = run_cli(["import", token[:-30] + token[-29:]], home)
    assert out.code == 2
    assert "the token is incomplete or altered" in out.stderr and out.stderr.count("\n") == 1


@pytest.mark.parametrize("command", [["import", ""], ["import", "  "]])
def test_an_empty_import_names_only_what_import_takes(home, command):
    out = run_cli(command, home)
    assert out.code == 2 and out.stderr.count("\n") == 1
    assert "a result file, a token, or -" in out.stderr and "latest" not in out.stderr  # import takes no id


def test_history_lists_local_and_colab_results(home):
    run_cli(["import", encode_token(COLAB)], home)
    table = run_cli(["history"], home).stdout
    assert "this machine" in table and "Colab" in table and "Tesla T4" in table
    payload = json.loads(run_cli(["history", "--json"], home).stdout)
    assert payload["schema"] == "colab-advisor/history/v1" and len(payload["measurements"]) == 2


def test_compare_shows_the_speedup_of_the_colab_result(home):
    run_cli(["import", encode_token(COLAB)], home)
    local_id = Store(home).latest_local().id
    out = run_cli(["compare", local_id, COLAB.id, "--format", "markdown"], home)
    assert out.code == 0, out.stderr
    assert "10.0x faster" in out.stdout and out.stdout.lstrip().startswith(("|", "#"))


def test_compare_needs_two_results(home):
    out = run_cli(["compare", "latest"], home)
    assert out.code == 2 and "at least two" in out.stderr


def test_recommend_reads_the_latest_local_measurement(home):
    out = run_cli(["recommend", "--model", "deep", "--epochs", "100", "--epoch-seconds", "100",
                   "--as-of", "2021-03-01", "--tax-rate", "6.3"], home)
    assert out.code == 0, out.stderr
    first = out.stdout.splitlines()[0]
    assert first.startswith("Use Colab: Colab Free · k80 runs this about") and "for $0" in first
    pro = next(line for line in out.stdout.splitlines() if line.startswith("Colab Pro:"))
    assert "at 4 runs a month" in pro and "On expected values it pays off from" in pro
    assert "$10.62" in out.stdout and "assumptions" in out.stdout and "time per run\n" in out.stdout


def test_recommend_uses_a_colab_token_as_measured(home):
    out = run_cli(["recommend", "--model", "deep", "--epochs", "100", "--epoch-seconds", "100",
                   "--colab", encode_token(COLAB), "--json"], home)
    payload = json.loads(out.stdout)
    assert payload["schema"] == "colab-advisor/recommendation/v1"
    t4 = next(o for o in payload["options"] if o["key"] == "free:t4")
    # Per run, setup included: 100 epochs of 100 s here against 100 of 10 s there plus 3 min of setup.
    assert t4["basis"] == "measured" and t4["speedup"] == pytest.approx(100 * 100 / (100 * 10 + 3 * 60))


def test_recommend_with_no_measure_and_no_measurement_says_how_to_make_one(tmp_path):
    out = run_cli(["recommend", "--model", "deep", "--epochs", "10", "--no-measure"], tmp_path)
    assert out.code == 2 and "run `colab-advisor measure" in out.stderr and out.stderr.count("\n") == 1


@pytest.mark.slow
def test_the_headline_command_measures_this_machine_first_when_nothing_is_stored(tmp_path):
    out = run_cli(["recommend", "--model", "deep", "--epochs", "100"], tmp_path)
    assert out.code == 0, out.stderr
    assert "measuring one now" in out.stderr and "saved" in out.stderr
    (stored,) = Store(tmp_path).load_all()[0]
    assert stored.measurement.config.preset == "medium"
    assert "60,000 samples" in out.stdout  # the default epoch, stated as an assumption
    again = run_cli(["recommend", "--model", "deep", "--epochs", "100"], tmp_path)
    assert "measuring" not in again.stderr and again.stdout == out.stdout


def test_recommend_plot_without_matplotlib_is_a_one_line_hint(home, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    out = run_cli(["recommend", "--model", "deep", "--epochs", "100", "--epoch-seconds", "100",
                   "--plot", str(home / "costs.png")], home)
    assert out.code == 0
    assert " ".join(out.stderr.split()) == (
        "warning: --plot needs matplotlib: pip install matplotlib (from a clone of colab-advisor: pip install "
        "'.[plot]')"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--epochs", "0", "--epoch-seconds", "100"], "error: --epochs: expected a whole number from 1"),
        (["--epochs", "99999999999"], "error: --epochs: expected a whole number from 1 to 100,000"),
        (["--epochs", "10", "--epoch-seconds", "-1"], "error: --epoch-seconds: expected a number from 0.001"),
        (["--epochs", "10", "--epoch-seconds", "1e308"], "error: --epoch-seconds: expected a number"),
        (["--epochs", "10", "--runs-per-month", "1e12"], "error: --runs-per-month: expected a number"),
        (["--epochs", "10", "--months", "0"], "error: --months: expected a whole number from 1 to 36, got 0"),
        (["--epochs", "10", "--runs-per-month", "1e400"],
         "error: --runs-per-month: expected a number from 0.001 to 10,000, got a number too large to hold"),
        (["--epochs", "10", "--epoch-seconds", "1", "--runs-per-month", "0"], "error: --runs-per-month"),
        (["--epochs", "10", "--epoch-seconds", "1", "--hour-value", "-3"], "error: --hour-value"),
        (["--epochs", "10", "--samples", "1000"], "error: --samples needs --preset"),
        (["--epochs", "10", "--epoch-seconds", "1", "--local-device", "m9"], "error: unknown accelerator 'm9'"),
        (["--epochs", "10", "--epoch-seconds", "1", "--as-of", "2019-01-01"], "error: the catalog has no data"),
        (["--epochs", "ten", "--epoch-seconds", "1"], "error: --epochs: expected a whole number"),
    ],
)
def test_recommend_bad_input_is_one_line_and_exit_2(home, args, message):
    out = run_cli(["recommend", "--model", "deep", *args], home)
    assert out.code == 2
    assert out.stderr.startswith(message) and out.stderr.count("\n") == 1


def test_recommend_plot_draws_monthly_cost_against_runs(home):
    pytest.importorskip("matplotlib")  # an optional extra; the test extra installs it
    target = home / "costs.png"
    out = run_cli(["recommend", "--model", "deep", "--epochs", "100", "--epoch-seconds", "100",
                   "--as-of", "2021-03-01", "--plot", str(target)], home)
    assert out.code == 0, out.stderr
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and target.stat().st_size > 10_000


def test_non_utf8_standard_input_is_refused_in_one_line(home):
    import io

    from advisor.cli import Env, main

    env = Env(stdout=io.StringIO(), stderr=io.StringIO(),
              stdin=io.TextIOWrapper(io.BytesIO(b"\x80\xff not text"), encoding="utf-8"),
              environ={"COLAB_ADVISOR_HOME": str(home)})
    assert main(["import", "-"], env) == 2
    assert env.stderr.getvalue() == "error: standard input is not UTF-8 text: paste the token or the result JSON\n"


@pytest.mark.parametrize(("name", "message"), [(".", "is a directory"), ("costs.txt", "give a file ending in .png")])
def test_recommend_plot_refuses_a_folder_or_an_unknown_format(home, name, message):
    out = run_cli(["recommend", "--model", "deep", "--epochs", "10", "--epoch-seconds", "10",
                   "--plot", str(home / name)], home)
    assert out.code == 2 and message in out.stderr and out.stderr.count("\n") == 1


def test_local_latest_means_this_machine_not_an_imported_colab_result(home):
    run_cli(["import", encode_token(COLAB)], home)  # newer than the local measurement
    out = run_cli(["recommend", "--model", "deep", "--epochs", "100", "--epoch-seconds", "100",
                   "--local", "latest", "--json"], home)
    payload = json.loads(out.stdout)
    local = next(o for o in payload["options"] if o["key"] == "local")
    assert "CPU" in local["basis_detail"] or local["basis_detail"] == "your timing (--epoch-seconds)"
    t4 = next(o for o in payload["options"] if o["key"] == "free:t4")
    assert t4["speedup"] > 5  # against the 10 ms CPU step, not against the T4 itself


def test_local_and_local_device_together_are_refused(home):
    out = run_cli(["recommend", "--model", "deep", "--epochs", "10", "--epoch-seconds", "10",
                   "--local", "latest", "--local-device", "apple-m1"], home)
    assert out.code == 2 and "not both" in out.stderr


def test_ram_a_plan_does_not_publish_shows_as_unknown(home):
    out = run_cli(["recommend", "--model", "deep", "--epochs", "10", "--epoch-seconds", "10",
                   "--ram-gb", "8", "--all"], home)
    assert out.code == 0
    assert "RAM unknown" in out.stdout  # Pay As You Go publishes no RAM figure


def test_a_date_past_the_catalog_answers_with_its_newest_data_and_says_so(home):
    import datetime as dt

    from pricing import load_catalog

    newest = load_catalog().as_of
    later = min(newest + dt.timedelta(days=30), dt.date.today())
    if later <= newest:
        pytest.skip("the catalog is dated today: no later day to ask for")
    out = run_cli(["recommend", "--model", "deep", "--epochs", "100", "--as-of", later.isoformat()], home)
    assert out.code == 0, out.stderr
    assert f"The catalog ends on {newest}" in out.stdout and later.isoformat() in out.stdout
    plans = run_cli(["plans", "--as-of", later.isoformat()], home)
    assert plans.code == 0 and f"You asked for {later}; the catalog ends on" in plans.stdout


def test_import_history_and_compare_use_the_same_words_for_where_a_result_came_from(home, tmp_path_factory):
    elsewhere = make_measurement(step=0.02, environment=make_environment(timestamp="2026-11-22T10:00:00+00:00"))
    imported = run_cli(["import", encode_token(elsewhere)], home).stdout
    assert imported.rstrip().endswith("; where: elsewhere (imported)")
    assert run_cli(["import", encode_token(COLAB)], home).stdout.rstrip().endswith("; where: Colab")
    history = json.loads(run_cli(["history", "--json"], home).stdout)["measurements"]
    assert [item["where"] for item in history] == ["this machine", "Colab", "elsewhere (imported)"]
    reference = str(Path(benchmarks.__file__).parent / "reference" / "medium-float32.json")
    compared = json.loads(run_cli(["compare", "latest", elsewhere.id, COLAB.id, reference, "--json"], home).stdout)
    assert [row["where"] for row in compared["rows"]] == [
        "this machine", "elsewhere (imported)", "Colab", "shipped reference"]


def test_recommend_names_where_the_colab_result_came_from(home):
    out = run_cli(["recommend", "--model", "deep", "--epochs", "100", "--epoch-seconds", "100",
                   "--colab", encode_token(COLAB), "--json"], home)
    t4 = next(o for o in json.loads(out.stdout)["options"] if o["key"] == "free:t4")
    assert "from Colab on Tesla T4" in t4["basis_detail"] and out.stderr == ""
    elsewhere = make_measurement(step=0.001, environment=make_environment(
        platform="gpu", device_kind="Tesla T4", in_colab=False, timestamp="2026-11-22T10:00:00+00:00"))
    out = run_cli(["recommend", "--model", "deep", "--epochs", "100", "--epoch-seconds", "100",
                   "--colab", encode_token(elsewhere)], home)
    assert out.code == 0 and "was not measured in Colab (elsewhere (imported))" in " ".join(out.stderr.split())


@pytest.mark.parametrize(("args", "message"), [
    (["--model", "forest", "--epochs", "10"], "error: Invalid value for '--model'"),
    (["--model", "deep", "--epochs", "10", "--catalog", "/nonexistent/catalog.toml"],
     "error: Invalid value for '--catalog'"),
    (["--model", "deep", "--epochs", "10", "--as-of", "20240423"], "error: --as-of: expected a date like 2024-04-23"),
])
def test_choices_and_paths_are_checked_before_anything_runs(home, args, message):
    out = run_cli(["recommend", *args], home)
    assert out.code == 2 and out.stderr.startswith(message) and out.stderr.count("\n") == 1


@pytest.mark.parametrize("command", [["history"], ["compare", "latest", "benchmarks/reference/medium-float32.json"]])
def test_markdown_puts_only_the_table_on_stdout_and_its_notes_on_stderr(home, command):
    run_cli(["import", encode_token(COLAB)], home)  # two results: history has a hint to give
    out = run_cli([*command, "--format", "markdown"], home)
    assert out.code == 0, out.stderr
    body = [line for line in out.stdout.splitlines() if line]
    assert body and all(line.startswith(("|", "### ")) for line in body)
    assert out.stderr.strip()  # the notes: history's hint, compare's reading of the speedup


def _catalog_with_plan_named(home: Path, display_name: str) -> None:
    """The shipped Colab Pro plan of 2021-07, renamed in the user's catalog."""
    shipped = (Path(__file__).resolve().parents[3] / "pricing" / "data" / "plans.toml").read_text(encoding="utf-8")
    start = shipped.index('[[plan]]\nname = "pro"\ndisplay_name = "Colab Pro"\nera = "flat"\nvalid_from = 2021-07-01')
    entry = shipped[start:shipped.index("\n[[plan]]", start + 1)]
    renamed = entry.replace('display_name = "Colab Pro"', f"display_name = {json.dumps(display_name)}")
    (home / "catalog.toml").write_text(renamed, encoding="utf-8")


@pytest.mark.parametrize("name", ["Pro $\\frac{x$", "$x^{$", "_hidden $$", "Pro \\$ $\\sqrt{2}$"])
def test_a_plan_name_matplotlib_would_read_as_a_formula_is_drawn_as_text(home, name):
    pytest.importorskip("matplotlib")
    _catalog_with_plan_named(home, name)
    target = home / "costs.png"
    out = run_cli(["recommend", "--model", "deep", "--epochs", "100", "--epoch-seconds", "100",
                   "--as-of", "2021-08-01", "--plot", str(target)], home)
    assert out.code == 0, out.stderr
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_text_leaves_no_dollar_unescaped_and_no_label_hidden():
    from advisor.render.plot import plot_text

    assert plot_text("Pro $\\frac{x$") == "Pro \\$\\frac{x\\$"
    assert plot_text("_nolegend_") == " _nolegend_"  # matplotlib hides labels that start with '_'
    assert plot_text("Colab Pro \u00b7 t4") == "Colab Pro \u00b7 t4"


def test_every_option_with_all_still_fits_the_terminal_and_a_wide_one_gets_every_column(home):
    args = ["recommend", "--model", "deep", "--epochs", "200", "--epoch-seconds", "300", "--all", "--as-of",
            "2026-06-01"]
    narrow = run_cli(args, home, COLUMNS="100")
    assert narrow.code == 0, narrow.stderr
    assert max(len(line) for line in narrow.stdout.splitlines()) <= 100
    assert "Left out to fit 100 columns:" in " ".join(narrow.stdout.split())
    wide = run_cli(args, home, COLUMNS="300")
    header = next(line for line in wide.stdout.splitlines() if line.startswith("option"))
    assert "net value" in header and "hours saved" in header
    payload = json.loads(run_cli([*args, "--json"], home).stdout)
    rows = {re.split(r"\s{2,}", line.strip())[0].removeprefix("→ ") for line in narrow.stdout.splitlines()}
    assert {option["label"] for option in payload["options"]} <= rows  # every option is a row


@pytest.mark.parametrize(("message", "short"), [
    ("Invalid value for '--epochs': Input should be a valid integer, unable to parse string as an integer",
     "--epochs: expected a whole number"),
    ("Invalid value for '--epochs': 'ten' is not a valid integer.", "--epochs: expected a whole number, got 'ten'"),
    ("Invalid value for '--epochs': 'ten' is not a valid int.", "--epochs: expected a whole number, got 'ten'"),
    ("Invalid value for '--tax-rate': 'abc' is not a valid float.", "--tax-rate: expected a number, got 'abc'"),
    ("Invalid value for '--model': 'forest' is not one of 'deep', 'boosting'.",
     "Invalid value for '--model': 'forest' is not one of 'deep', 'boosting'."),
])
def test_click_s_words_for_an_unparsable_number_are_shortened_in_either_click(message, short):
    from advisor.render.usage import usage_message

    assert usage_message(message) == short


@pytest.mark.parametrize("columns", ["60", "80"])
def test_every_option_with_all_fits_a_narrow_terminal_with_hour_scale_bands(home, columns):
    # A long job's times read in hours with their band ("150.2 h (76.8 h-290.7 h)"): the column wraps.
    args = ["recommend", "--model", "deep", "--epochs", "100", "--epoch-seconds", "20000", "--all", "--as-of",
            "2026-06-01"]
    done = run_cli(args, home, COLUMNS=columns)
    assert done.code == 0, done.stderr
    assert max(len(line) for line in done.stdout.splitlines()) <= int(columns)
