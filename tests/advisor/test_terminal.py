"""Every command, under every output encoding and format, as a user runs it: no traceback, exit 0.

`python -m advisor` in a fresh process, with PYTHONIOENCODING set as a C locale, a Windows console
redirected to a file (cp1252) or a modern terminal (utf-8) would have it, over a data folder holding
a measurement from this machine, one from Colab and a device name no legacy code page can spell.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from advisor.results.share import encode_token
from advisor.results.store import Store
from advisor.terminal import GLYPHS, can_encode, glyph, plain
from tests.helpers import make_environment, make_measurement

ROOT = Path(__file__).resolve().parents[2]
ENCODINGS = ("ascii", "cp1252", "utf-8")
FORMATS = {"table": [], "markdown": ["--format", "markdown"], "json": ["--json"]}

LOCAL = make_measurement(step=0.010, environment=make_environment(host_cpu="Ryzen™ 7 — 8 cores → ✓"))
COLAB = make_measurement(step=0.001, environment=make_environment(
    platform="gpu", device_kind="Tesla T4", in_colab=True, timestamp="2026-11-21T10:00:00+00:00"))
ELSEWHERE = make_measurement(step=0.004, environment=make_environment(timestamp="2026-11-22T10:00:00+00:00"))

COMMANDS = {
    "plans": ["plans"],
    "hardware": ["hardware"],
    "history": ["history"],
    "compare": ["compare", LOCAL.id, COLAB.id],
    # Bars, arrows, dots and ranges: the recommendation has every glyph the tool writes.
    "recommend": ["recommend", "--model", "deep", "--epochs", "100", "--no-measure"],
    "predict": ["predict", "--preset", "small"],
}


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("encoding-home")
    store = Store(folder)
    store.save(LOCAL)
    store.save(COLAB, imported=True)
    return folder


def run(args: list[str], home: Path, encoding: str, **kwargs) -> subprocess.CompletedProcess[bytes]:
    env = {
        **os.environ, "PYTHONIOENCODING": encoding, "COLAB_ADVISOR_HOME": str(home), "COLUMNS": "100",
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.run([sys.executable, "-m", "advisor", *args], cwd=ROOT, env=env, capture_output=True,
                          timeout=120, check=False, **kwargs)


def assert_clean(done: subprocess.CompletedProcess[bytes], encoding: str) -> None:
    stderr = done.stderr.decode(encoding, errors="replace")
    assert "Traceback" not in stderr, stderr[-2000:]
    assert done.returncode == 0, stderr[-2000:]
    done.stdout.decode(encoding)  # what was written is text in the stream's own encoding
    if encoding == "ascii":
        assert done.stdout.isascii() and done.stderr.isascii()


# The quick run keeps every command under ascii (every glyph needs its stand-in) and the glyph-richest
# one under cp1252; the slow run has every command under both.
QUICK = {("recommend", "cp1252")}


def quick_or_slow(pairs):
    def marks(pair):
        return () if pair[1] == "ascii" or pair in QUICK else pytest.mark.slow

    return [pytest.param(*pair, marks=marks(pair)) for pair in pairs]


@pytest.mark.parametrize(("command", "encoding"), quick_or_slow(
    [(command, encoding) for command in sorted(COMMANDS) for encoding in ("ascii", "cp1252")]))
def test_each_command_writes_a_table_any_terminal_can_take(home, command, encoding):
    assert_clean(run(COMMANDS[command], home, encoding), encoding)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_format_and_encoding_ends_cleanly(home, command, encoding, fmt):
    assert_clean(run(COMMANDS[command] + FORMATS[fmt], home, encoding), encoding)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_import_says_what_it_stored_in_any_encoding(tmp_path, encoding):
    done = run(["import", encode_token(ELSEWHERE)], tmp_path, encoding)
    assert_clean(done, encoding)
    assert done.stdout.decode(encoding).startswith(f"imported {ELSEWHERE.id}")


def test_the_recommended_option_is_marked_with_an_ascii_arrow_where_the_terminal_has_no_other(home):
    done = run(COMMANDS["recommend"], home, "ascii")
    assert_clean(done, "ascii")
    assert "\n-> " in done.stdout.decode("ascii")
    utf8 = run(COMMANDS["recommend"], home, "utf-8").stdout.decode("utf-8")
    assert "\n\u2192 " in utf8


def test_a_device_name_no_code_page_spells_is_shown_with_question_marks(home):
    done = run(["history", "--format", "markdown"], home, "cp1252")
    assert_clean(done, "cp1252")
    # ™ and — exist in cp1252; → becomes its stand-in; ✓ has none.
    assert "Ryzen\u2122 7 \u2014 8 cores -> ?" in done.stdout.decode("cp1252")


@pytest.mark.slow
@pytest.mark.parametrize("encoding", ENCODINGS)
def test_measure_shows_its_figure_in_any_encoding(tmp_path, encoding):
    done = run(["measure", "--quick", "--preset", "small", "--no-progress"], tmp_path, encoding)
    assert_clean(done, encoding)
    assert "saved as" in done.stdout.decode(encoding)


@pytest.mark.parametrize("command", [
    pytest.param(command, marks=() if command in ("history", "recommend") else pytest.mark.slow)
    for command in sorted(COMMANDS)
])
def test_a_closed_standard_output_ends_the_command_quietly(home, command):
    # The child starts with file descriptor 1 closed, as `colab-advisor plans >&-` does (through a shell:
    # closing it between fork and exec is unsafe in a test process that has started JAX's threads).
    env = {**os.environ, "COLAB_ADVISOR_HOME": str(home), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(["sh", "-c", 'exec "$@" >&-', "sh", sys.executable, "-m", "advisor", *COMMANDS[command]],
                          cwd=ROOT, env=env, stderr=subprocess.PIPE, timeout=120, check=False)
    stderr = done.stderr.decode("utf-8", errors="replace")
    assert "Traceback" not in stderr and done.returncode == 0, stderr[-2000:]


def test_a_reader_that_goes_away_ends_the_listing_quietly(home):
    env = {**os.environ, "COLAB_ADVISOR_HOME": str(home), "PYTHONPATH": str(ROOT)}
    with subprocess.Popen([sys.executable, "-m", "advisor", "plans"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE) as child:
        child.stdout.close()  # the reader is gone before a line is written
        stderr = child.stderr.read().decode("utf-8", errors="replace")
        child.wait(timeout=60)
    assert "Traceback" not in stderr, stderr


# ---- the glyph table ---------------------------------------------------------------------------
def test_each_glyph_has_a_plain_ascii_stand_in():
    for char, stand_in in GLYPHS.items():
        assert not char.isascii() and stand_in.isascii() and stand_in


def test_plain_text_keeps_ascii_and_replaces_everything_else():
    assert plain("9 min (7 min\u201312 min) \u2192 Colab \u00b7 t4 \u2588\u2588 3.0 \u00b5s \u2713") == (
        "9 min (7 min-12 min) -> Colab - t4 ## 3.0 us ?"
    )


class Stream:
    def __init__(self, encoding):
        self.encoding = encoding


def test_a_renderer_can_ask_whether_a_stream_takes_a_glyph():
    assert can_encode(Stream("utf-8"), "\u2192") and not can_encode(Stream("cp1252"), "\u2192")
    assert can_encode(Stream("cp1252"), "\u00b5")  # the micro sign is in the Windows code page
    assert glyph("\u2588", Stream("ascii")) == "#" and glyph("\u2588", Stream("utf-8")) == "\u2588"
    assert can_encode(object(), "\u2192")  # a stream that names no encoding takes text (StringIO)


@pytest.mark.parametrize("args", [["import", "-"], ["compare", "-", "latest"]])
def test_a_closed_standard_input_reads_as_empty(home, args):
    env = {**os.environ, "COLAB_ADVISOR_HOME": str(home), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(["sh", "-c", 'exec "$@" <&-', "sh", sys.executable, "-m", "advisor", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2 and done.stderr == (
        "error: nothing on standard input: `-` reads a token or a result file piped in\n"
    )
