"""The harness the project's own checks share: run them from the repository root.

A temporary data folder, the environment a command runs in, running the CLI in a process of its own,
timing whole processes, medians, and the PASS/FAIL line a target gets. Standard library only.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def target_line(what: str, value: float, target: float, unit: str = "s", *, at_least: bool = False) -> str:
    """'recommend median 0.21 s (target <= 0.3 s): PASS'."""
    ok = value >= target if at_least else value <= target
    sign = ">=" if at_least else "<="
    return f"{what} {value:.3g} {unit} (target {sign} {target:g} {unit}): {verdict(ok)}"


@contextlib.contextmanager
def data_folder(prefix: str = "colab-advisor-") -> Iterator[str]:
    """An empty data folder, removed afterwards: a user's own catalog or results never change a figure."""
    with tempfile.TemporaryDirectory(prefix=prefix) as home:
        yield home


def environment(home: str, **extra: str) -> dict[str, str]:
    """The environment a command runs in: the data folder, this tree on the path, the bytecode cache on
    (an installed package has its bytecode compiled), the CPU for JAX."""
    environ = {**os.environ, "COLAB_ADVISOR_HOME": home, "PYTHONPATH": ROOT, "JAX_PLATFORMS": "cpu", **extra}
    environ.pop("PYTHONDONTWRITEBYTECODE", None)
    return environ


def cli(args: Sequence[str], home: str, *, check: bool = True, **extra: str) -> subprocess.CompletedProcess[str]:
    """`python -m advisor ARGS` in a process of its own, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "advisor", *args], cwd=ROOT, env=environment(home, **extra),
                          capture_output=True, text=True, check=check)


def wall_times(command: Sequence[str], runs: int, environ: dict[str, str], *, warm: bool = True) -> list[float]:
    """Wall seconds of `command` as a whole process, `runs` times, after one untimed run when `warm`."""
    if warm:
        subprocess.run(list(command), cwd=ROOT, env=environ, check=True, capture_output=True)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(list(command), cwd=ROOT, env=environ, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def median(values: Sequence[float]) -> float:
    return statistics.median(values)
