"""Ctrl-C during `measure`: exit 130, one line saying nothing was saved, and nothing on disk."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def interrupted_measure(home: Path, after_seconds: float) -> subprocess.CompletedProcess[str]:
    # A budget of 5 s keeps the run going well past the last moment tried, even on a fast machine.
    env = {**os.environ, "COLAB_ADVISOR_HOME": str(home), "PYTHONPATH": str(ROOT), "JAX_PLATFORMS": "cpu"}
    process = subprocess.Popen(
        [sys.executable, "-m", "advisor", "measure", "--quick", "--budget", "5", "--preset", "small", "--no-progress"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        # As in a terminal, whatever started the tests: a background job inherits SIGINT ignored.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    time.sleep(after_seconds)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process is a POSIX matter")
@pytest.mark.parametrize("after_seconds", [0.8, 2.0, 3.5])
def test_ctrl_c_during_measure_exits_130_saving_nothing(tmp_path, after_seconds):
    done = interrupted_measure(tmp_path, after_seconds)
    assert done.returncode == 130, done.stderr[-500:]
    assert done.stderr.splitlines()[-1] == "interrupted: nothing was saved"
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    results = tmp_path / "results"
    assert not results.exists() or list(results.iterdir()) == []  # no result, no temp file
