"""The data folder and the files the user names, when the filesystem says no.

Each class of failure ends in one line and exit status 2, or, where a measurement was just made, in
the measurement shown and a warning that it could not be kept. Never a traceback, never a lost figure.
"""

from __future__ import annotations

import errno
import io
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import benchmarks
from advisor import __main__ as entry
from advisor.errors import AdvisorError
from advisor.files import atomic_write, check_new_file, create_new, filesystem_error
from advisor.results.history import import_result
from advisor.results.share import encode_token, resolve
from advisor.results.store import Store
from tests.advisor.cli_helpers import run_cli
from tests.helpers import make_environment, make_measurement

ROOT = Path(__file__).resolve().parents[3]
LOCAL = make_measurement(step=0.010)
OTHER = make_measurement(step=0.002, environment=make_environment(timestamp="2026-11-21T10:00:00+00:00"))
# Longer than any filesystem's limit on one name (255 bytes on ext4, APFS, NTFS).
TOO_LONG = "x" * 300
MEASURE = ["measure", "--preset", "small", "--budget", "0.3", "--no-progress"]


def python_m_advisor(args: list[str], home: str | Path, cwd: Path = ROOT,
                     **environ: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLAB_ADVISOR_HOME": str(home), "COLUMNS": "100", "PYTHONPATH": str(ROOT), **environ}
    return subprocess.run([sys.executable, "-m", "advisor", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120, check=False)


def assert_one_line_error(stderr: str, code: int, *fragments: str) -> None:
    assert code == 2, stderr
    assert stderr.startswith("error: ") and stderr.count("\n") == 1 and "Traceback" not in stderr, stderr
    for fragment in fragments:
        assert fragment in stderr


@pytest.fixture
def fake_run(monkeypatch):
    monkeypatch.setattr(benchmarks, "run", lambda config, progress=None, **kw: make_measurement(preset=config.preset))


# ---- a data folder that cannot be read -------------------------------------------------------
def test_a_data_folder_that_cannot_be_listed_is_one_line(tmp_path, monkeypatch):
    Store(tmp_path).save(LOCAL)
    real_scandir = os.scandir

    def refuse(path=".", *args):
        if str(path).startswith(str(tmp_path)):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path, *args)

    monkeypatch.setattr(os, "scandir", refuse)
    with pytest.raises(AdvisorError, match=r"cannot read the data folder .*: permission denied$"):
        Store(tmp_path).load_all()
    out = run_cli(["history"], tmp_path)
    assert_one_line_error(out.stderr, out.code, "permission denied")


@pytest.mark.parametrize("command", [
    ["plans"], ["hardware"], ["history"], ["predict", "--preset", "small"],
    ["recommend", "--model", "deep", "--epochs", "10", "--no-measure"],
])
def test_a_data_folder_the_filesystem_refuses_is_one_line_in_every_command(tmp_path, command):
    # Running as any user, a name over the filesystem's limit is refused as an unreadable folder is.
    out = python_m_advisor(command, tmp_path / TOO_LONG)
    assert_one_line_error(out.stderr, out.returncode, "too long")


def test_a_filesystem_error_no_command_foresaw_is_one_line_at_the_entry_point(monkeypatch, capsys):
    import advisor.cli

    def denied():
        raise PermissionError(errno.EACCES, "Permission denied", "/data/colab-advisor/catalog.toml")

    monkeypatch.setattr(advisor.cli, "main", denied)
    monkeypatch.setattr(sys, "argv", ["colab-advisor", "plans"])
    assert entry.run() == 2
    assert capsys.readouterr().err == "error: cannot use /data/colab-advisor/catalog.toml: permission denied\n"


# ---- names the filesystem cannot hold ----------------------------------------------------------
def test_an_over_long_output_name_is_refused_before_measuring(tmp_path, monkeypatch):
    ran = []
    monkeypatch.setattr(benchmarks, "run", lambda *a, **k: ran.append(1))
    out = run_cli([*MEASURE, "--output", str(tmp_path / f"{TOO_LONG}.json")], tmp_path)
    assert_one_line_error(out.stderr, out.code, "--output", "too long")
    assert ran == []


def test_an_over_long_plot_name_is_one_line(tmp_path):
    out = python_m_advisor(["recommend", "--model", "deep", "--epochs", "10", "--local-device", "colab-cpu",
                            "--plot", str(tmp_path / f"{TOO_LONG}.png")], tmp_path)
    assert_one_line_error(out.stderr, out.returncode, "too long")


def test_check_new_file_names_the_flag_and_the_reason(tmp_path):
    with pytest.raises(AdvisorError, match=r"^--plot .*: the file name is too long for the filesystem"):
        check_new_file(tmp_path / f"{TOO_LONG}.png", "--plot", (".png",))
    with pytest.raises(AdvisorError, match=r"^--plot .*: give a file ending in .png, .svg$"):
        check_new_file(tmp_path / "costs.txt", "--plot", (".png", ".svg"))
    with pytest.raises(AdvisorError, match="is a folder"):
        check_new_file(tmp_path, "--output")
    check_new_file(tmp_path / "fine.json", "--output")  # a good name passes


@settings(max_examples=200, deadline=None)
@given(name=st.text(min_size=1, max_size=400))
def test_any_name_given_to_write_is_accepted_or_refused_in_one_line(tmp_path_factory, name):
    folder = tmp_path_factory.getbasetemp()
    try:
        check_new_file(folder / name, "--output")
    except AdvisorError as exc:
        assert "\n" not in str(exc) and str(exc).startswith("--output ")


def test_an_over_long_name_still_writes_atomically_up_to_the_limit(tmp_path):
    # The temp file carries only the start of the name: a name at the limit still gets its temp file.
    target = tmp_path / ("y" * 250 + ".json")
    atomic_write(target, "whole")
    assert target.read_text() == "whole" and [p.name for p in tmp_path.iterdir()] == [target.name]


# ---- a data folder too deep, or one that cannot be written: the figure is still shown --------------
def test_a_data_folder_too_deep_for_python_keeps_the_measurement_on_screen(tmp_path, fake_run):
    deep = tmp_path.joinpath(*(["d"] * 3000))
    out = run_cli(MEASURE, deep)
    assert out.code == 0, out.stderr
    assert "step time, python loop" in out.stdout
    assert "could not save to" in out.stderr and "the result is shown but not stored" in out.stderr


@pytest.mark.slow
def test_a_data_folder_deeper_than_pythons_recursion_limit_is_made_and_used(tmp_path, fake_run):
    # Deeper than the recursion limit, shorter than the longest path the OS takes.
    deep = tmp_path.joinpath(*(["d"] * (sys.getrecursionlimit() + 200)))
    try:
        out = run_cli(MEASURE, deep)
        assert out.code == 0, out.stderr
        (entry,), _ = Store(deep).load_all()
        assert f"saved as {entry.id}" in out.stdout
    finally:
        remove_deep(tmp_path / "d")


def remove_deep(top: Path) -> None:
    """Remove a folder tree too deep for shutil.rmtree and os.walk (which recurse once per level)."""
    stack, order = [top], []
    while stack:
        folder = stack.pop()
        order.append(folder)
        with os.scandir(folder) as listing:
            for item in listing:
                if item.is_dir(follow_symlinks=False):
                    stack.append(Path(item.path))
                else:
                    os.unlink(item.path)
    for folder in reversed(order):  # every folder after all it held
        folder.rmdir()


def test_a_recursion_error_while_saving_keeps_the_measurement_on_screen(tmp_path, fake_run, monkeypatch):
    def too_deep(self, measurement, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(Store, "save", too_deep)
    out = run_cli(MEASURE, tmp_path)
    assert out.code == 0 and "step time, python loop" in out.stdout
    assert "the path is too deep to resolve" in out.stderr


def test_a_data_folder_that_is_a_file_keeps_the_measurement_on_screen(tmp_path, fake_run):
    home = tmp_path / "home"
    home.write_text("not a folder")
    out = run_cli(MEASURE, home)
    assert out.code == 0 and "step time, python loop" in out.stdout
    assert "could not save to" in out.stderr and "saved as" not in out.stdout


def test_filesystem_errors_read_as_one_line_of_what_and_why():
    assert str(filesystem_error(OSError(errno.ENAMETOOLONG, "File name too long"), "--plot x")) == (
        "--plot x: the name is too long for the filesystem"
    )
    assert str(filesystem_error(OSError(errno.ENOSPC, "No space left on device"), "saving")) == (
        "saving: No space left on device"
    )
    assert str(filesystem_error(RecursionError(), "saving")) == "saving: the path is too deep to resolve"


# ---- COLAB_ADVISOR_HOME='~/x' --------------------------------------------------------------------
def test_a_tilde_in_the_data_folder_means_the_home(tmp_path):
    cwd = tmp_path / "here"
    cwd.mkdir()
    out = python_m_advisor(["import", encode_token(LOCAL)], "~/advisor-data", cwd=cwd, HOME=str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert len(list((tmp_path / "advisor-data" / "results").glob("*.json"))) == 1
    assert not (cwd / "~").exists()


def test_a_store_given_a_tilde_path_uses_the_home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert Store("~/x").home == tmp_path / "x"


# ---- empty references ---------------------------------------------------------------------------
@pytest.mark.parametrize("args", [
    ["compare", "", "latest"],
    ["compare", "latest", " "],
    ["recommend", "--model", "deep", "--epochs", "10", "--local", ""],
    ["recommend", "--model", "deep", "--epochs", "10", "--colab", ""],
    ["import", ""],
])
def test_an_empty_reference_is_refused_not_matched_to_every_id(tmp_path, args):
    Store(tmp_path).save(LOCAL)  # one stored result: an empty prefix would match it alone
    out = run_cli(args, tmp_path)
    assert_one_line_error(out.stderr, out.code, "empty reference")


@given(ref=st.text(alphabet=" \t\n\r\x0b\x0c", max_size=5))
def test_a_blank_reference_never_resolves(tmp_path_factory, ref):
    store = Store(tmp_path_factory.getbasetemp() / "blank")
    with pytest.raises(AdvisorError, match="empty reference"):
        resolve(ref, store)


# ---- many imports of one token at once ---------------------------------------------------------
def test_many_threads_importing_one_result_store_one_file_and_one_says_imported(tmp_path):
    store = Store(tmp_path)
    start = threading.Barrier(20)
    said: list[bool] = []

    def importer():
        start.wait()
        said.append(import_result(Store(tmp_path), OTHER)[1])

    threads = [threading.Thread(target=importer) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(said) == [False] + [True] * 19
    assert len(list(store.results.iterdir())) == 1


@pytest.mark.slow
def test_fifty_processes_importing_one_token_keep_one_file_and_one_says_imported(tmp_path):
    token = encode_token(OTHER)
    env = {**os.environ, "COLAB_ADVISOR_HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    children = [subprocess.Popen([sys.executable, "-m", "advisor", "import", token], cwd=ROOT, env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(50)]
    outputs = [child.communicate(timeout=300) for child in children]
    assert [child.returncode for child in children] == [0] * 50, [err for _, err in outputs if err][:3]
    verbs = [out.split(" ")[0] for out, _ in outputs]
    assert verbs.count("imported") == 1 and verbs.count("already") == 49
    assert len(list((tmp_path / "results").iterdir())) == 1


def test_create_new_writes_once_and_never_replaces(tmp_path):
    target = tmp_path / "one.json"
    assert create_new(target, "first") is True
    assert create_new(target, "second") is False
    assert target.read_text() == "first" and [p.name for p in tmp_path.iterdir()] == ["one.json"]


def test_a_closed_standard_output_is_a_sink_not_an_attribute_error(monkeypatch):
    monkeypatch.setattr(sys, "stdout", None)
    entry.prepare_streams()
    sys.stdout.write("nowhere\n")  # would raise AttributeError on None
    assert isinstance(sys.stdout, io.TextIOBase)


# ---- a file the data folder may hold (catalog.toml) ---------------------------------------------
@pytest.mark.parametrize("kind", ["folder", "fifo"])
def test_a_catalog_toml_that_is_no_file_is_refused_in_one_line(tmp_path, kind):
    from tests.advisor.cli_helpers import run_cli

    target = tmp_path / "catalog.toml"
    target.mkdir() if kind == "folder" else os.mkfifo(target)
    out = run_cli(["plans"], tmp_path)
    assert out.code == 2 and "not a regular file" in out.stderr and out.stderr.count("\n") == 1
