import json
import os
import stat
import subprocess
import sys

import pytest

import benchmarks
from advisor import __version__
from advisor.results.store import Store
from tests.advisor.cli_helpers import run_cli
from tests.helpers import make_measurement

FAST = ["measure", "--preset", "small", "--budget", "0.3", "--no-progress"]


@pytest.fixture
def fake_run(monkeypatch):
    """Replaces the benchmark with a canned record; for tests about the command, not the timing."""
    calls = []

    def run(config, progress=None, **kwargs):
        calls.append(config)
        return make_measurement(preset=config.preset, dtype=config.dtype)

    monkeypatch.setattr(benchmarks, "run", run)
    return calls


def test_measure_prints_the_figures_and_stores_the_result(tmp_path):
    out = run_cli(FAST, tmp_path)
    assert out.code == 0, out.stderr
    for label in ("step time, python loop", "dispatch overhead", "share of matmul ceiling", "fingerprint"):
        assert label in out.stdout
    (entry,), warnings = Store(tmp_path).load_all()
    assert warnings == []
    assert entry.measurement.config.preset == "small"
    assert f"saved as {entry.id}" in out.stdout


def test_json_output_is_a_versioned_envelope_holding_the_record(tmp_path, fake_run):
    out = run_cli([*FAST, "--json"], tmp_path)
    payload = json.loads(out.stdout)
    assert payload["schema"] == "colab-advisor/measure/v1"
    assert payload["measurement"]["schema"] == "colab-advisor/measurement/v1"
    assert payload["saved_to"].startswith(str(tmp_path))


def test_markdown_format_prints_pipe_tables(tmp_path, fake_run):
    out = run_cli([*FAST, "--format", "markdown"], tmp_path)
    assert "| figure" in out.stdout and "|---" in out.stdout.replace(" ", "").replace(":", "")


def test_markdown_format_writes_only_the_tables_to_stdout_and_the_notes_to_stderr(tmp_path, fake_run):
    out = run_cli([*FAST, "--format", "markdown"], tmp_path)
    lines = [line for line in out.stdout.splitlines() if line.strip()]
    assert all(line.startswith(("### ", "|")) for line in lines), lines
    (entry,), _ = Store(tmp_path).load_all()
    assert f"saved as {entry.id}" in out.stderr and "logical cores" in out.stderr


def test_the_timing_table_counts_timings_not_samples(tmp_path, fake_run):
    out = run_cli([*FAST, "--format", "markdown"], tmp_path)
    [header] = [line for line in out.stdout.splitlines() if line.startswith("| loop")]
    cells = [cell.strip() for cell in header.strip("|").split("|")]
    assert cells[-2:] == ["timings", "steps per timing"]
    assert "samples/s" in out.stdout  # the throughput keeps its data samples


def test_share_prints_only_the_token_and_says_where_it_saved(tmp_path, fake_run):
    out = run_cli([*FAST, "--share"], tmp_path)
    (line,) = out.stdout.splitlines()
    assert line.startswith("ca1:")
    (entry,), _ = Store(tmp_path).load_all()
    assert out.stderr.strip() == f"saved as {entry.id} in {entry.path.parent}"


def test_help_explains_mad_once(tmp_path):
    # Typer prints help straight to the process's stdout; a subprocess sees it as a user would.
    done = subprocess.run([sys.executable, "-m", "advisor", "measure", "--help"], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "200", "COLAB_ADVISOR_HOME": str(tmp_path)}, check=True)
    assert " ".join(done.stdout.split()).count("MAD is the median absolute deviation") == 1


def test_no_save_leaves_the_history_empty(tmp_path, fake_run):
    assert run_cli([*FAST, "--no-save"], tmp_path).code == 0
    assert Store(tmp_path).load_all() == ([], [])


def test_output_writes_the_record_to_a_file(tmp_path, fake_run):
    target = tmp_path / "result.json"
    assert run_cli([*FAST, "--no-save", "--output", str(target)], tmp_path).code == 0
    assert benchmarks.Measurement.from_json(target.read_text()) == make_measurement(preset="small")


def test_output_never_overwrites_a_stored_result(tmp_path, fake_run):
    stored = Store(tmp_path).save(make_measurement(step=0.02))
    before = stored.read_bytes()
    for flags in ([], ["--no-save"]):
        for target in (stored, stored.parent / "copy.json"):
            out = run_cli([*FAST, *flags, "--output", str(target)], tmp_path)
            assert out.code == 2 and out.stderr.count("\n") == 1 and "folder of stored results" in out.stderr
    assert stored.read_bytes() == before and not fake_run  # refused before measuring
    assert [s.measurement for s in Store(tmp_path).load_all()[0]] == [make_measurement(step=0.02)]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_output_never_replaces_a_device_or_a_pipe(tmp_path, fake_run):
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    out = run_cli([*FAST, "--no-save", "--output", str(pipe)], tmp_path)
    assert out.code == 2 and "not a regular file" in out.stderr and out.stderr.count("\n") == 1
    assert stat.S_ISFIFO(pipe.stat().st_mode) and not fake_run  # still a pipe; refused before measuring


def test_quick_uses_a_short_budget(tmp_path, fake_run):
    run_cli(["measure", "--quick", "--no-progress"], tmp_path)
    assert fake_run[0].budget_seconds == benchmarks.config.QUICK_BUDGET_SECONDS


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--preset", "huge"], "error: unknown preset 'huge'"),
        (["--dtype", "float64"], "error: unknown dtype 'float64'"),
        (["--device", "cuda"], "error: unknown device 'cuda'"),
        (["--device", "tpu"], "error: no tpu device on this machine"),
        (["--batch-size", "0"], "error: batch size must be a positive integer"),
        (["--batch-size", "many"], "error: --batch-size: expected a whole number"),
        (["--budget", "-1"], "error: budget must be a positive number"),
        (["--format", "html"], "error: Invalid value for '--format'"),
        (["--output", "/nonexistent/folder/x.json"], "error: --output /nonexistent/folder/x.json: folder"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, args, message):
    out = run_cli(["measure", "--no-progress", "--no-save", *args], tmp_path)
    assert out.code == 2
    assert out.stderr.startswith(message)
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr


def test_an_unknown_command_is_one_line_and_exit_2(tmp_path):
    out = run_cli(["measur"], tmp_path)
    assert out.code == 2 and out.stderr.count("\n") == 1


def test_an_unwritable_data_folder_still_prints_the_result_with_a_warning(tmp_path, fake_run):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    out = run_cli(FAST, blocked)
    assert out.code == 0
    assert "step time, python loop" in out.stdout
    assert "warning: could not save to" in out.stderr


def test_ctrl_c_exits_130_and_writes_nothing(tmp_path, monkeypatch):
    def interrupted(config, progress=None, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(benchmarks, "run", interrupted)
    target = tmp_path / "out.json"
    out = run_cli([*FAST, "--output", str(target)], tmp_path / "home")
    assert out.code == 130
    assert not target.exists() and not (tmp_path / "home").exists()


def test_an_existing_output_file_survives_a_failed_run(tmp_path, monkeypatch):
    target = tmp_path / "out.json"
    target.write_text("precious")

    def broken(config, progress=None, **kwargs):
        raise benchmarks.BenchmarkError("no gpu device on this machine")

    monkeypatch.setattr(benchmarks, "run", broken)
    assert run_cli([*FAST, "--output", str(target)], tmp_path).code == 2
    assert target.read_text() == "precious"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_version(tmp_path):
    assert run_cli(["--version"], tmp_path).stdout.strip() == f"colab-advisor {__version__}"


def test_help_shows_an_example(tmp_path, capsys):
    # Help text goes through Click's own echo, straight to the process's stdout.
    assert run_cli(["measure", "--help"], tmp_path).code == 0
    assert "Example: colab-advisor measure" in capsys.readouterr().out


def test_module_entry_point_runs(tmp_path):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "advisor", "--version"], capture_output=True, text=True,
                          env={**os.environ, "COLAB_ADVISOR_HOME": str(tmp_path)}, check=False)
    assert done.returncode == 0 and done.stdout.startswith("colab-advisor ")


def test_no_command_prints_the_help(tmp_path):
    out = run_cli([], tmp_path)
    assert out.code == 0
    assert "Commands:" in out.stdout and "recommend" in out.stdout and out.stderr == ""


def test_a_device_loop_slower_than_the_python_loop_is_not_shown_as_a_speed(tmp_path, monkeypatch):
    def run(config, progress=None, **kwargs):
        return make_measurement(step=0.010, device_step=0.020, device_loop_slower=True)

    monkeypatch.setattr(benchmarks, "run", run)
    out = run_cli(["measure", "--no-progress", "--no-save"], tmp_path)
    assert out.code == 0, out.stderr
    assert "20.00 ms" not in out.stdout.split("step time over repeated timings")[0]
    assert "slower than the python loop: not shown" in out.stdout
    assert "achieved, python loop" in out.stdout and "achieved, device loop" not in out.stdout
    assert "device (slower, not used)" in out.stdout
    overhead = next(line for line in out.stdout.splitlines() if line.startswith("dispatch overhead"))
    assert "not shown (no device loop)" in overhead and "%" not in overhead
