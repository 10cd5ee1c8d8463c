"""Commands that do not measure never load the numerical stack: they must start in a blink."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
HEAVY = ("jax", "jaxlib", "numpy", "flax", "optax")

# Runs the CLI in-process, then reports which heavy modules ended up loaded.
PROBE = """
import io, json, sys
from advisor.cli import Env, main
env = Env(stdout=io.StringIO(), stderr=io.StringIO())
code = main(sys.argv[1:], env)
print(json.dumps({"code": code, "loaded": [m for m in HEAVY if m in sys.modules]}))
""".replace("HEAVY", repr(HEAVY))


def run_python(args: list[str], home: Path) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "COLAB_ADVISOR_HOME": str(home), "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=environ, capture_output=True, text=True, check=False)


def imported_modules(importtime_log: str) -> set[str]:
    """Module names from `python -X importtime` output ('import time: self | cumulative | name')."""
    names = set()
    for line in importtime_log.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip())
    return names


@pytest.mark.parametrize(
    "args",
    [["plans"], ["plans", "--as-of", "2021-03-01", "--country", "DE", "--json"], ["hardware"], ["--version"]],
)
def test_commands_that_do_not_measure_leave_jax_and_numpy_unloaded(tmp_path, args):
    done = run_python(["-c", PROBE, *args], tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report == {"code": 0, "loaded": []}


@pytest.mark.parametrize("args", [["plans"], ["hardware"], ["--version"]])
def test_the_module_entry_point_imports_no_heavy_module(tmp_path, args):
    done = run_python(["-X", "importtime", "-m", "advisor", *args], tmp_path)
    assert done.returncode == 0, done.stderr
    modules = imported_modules(done.stderr)
    assert "advisor.cli" in modules  # the log was read correctly
    assert {name.split(".")[0] for name in modules} & set(HEAVY) == set()


@pytest.mark.parametrize("args", [["history"], ["compare", "latest", "latest"]])
def test_commands_that_read_results_leave_jax_and_numpy_unloaded(tmp_path, args):
    from advisor.results.store import Store
    from tests.helpers import make_measurement

    Store(tmp_path).save(make_measurement())
    done = run_python(["-c", PROBE, *args], tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"code": 0, "loaded": []}


@pytest.mark.parametrize(
    "args",
    [
        ["recommend", "--model", "deep", "--epochs", "100", "--epoch-seconds", "100"],
        ["recommend", "--model", "boosting", "--epochs", "100", "--epoch-seconds", "100", "--json"],
    ],
)
def test_recommend_draws_with_numpy_but_never_loads_jax(tmp_path, args):
    from advisor.results.store import Store
    from tests.helpers import make_measurement

    Store(tmp_path).save(make_measurement())
    done = run_python(["-c", PROBE, *args], tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"code": 0, "loaded": ["numpy"]}
