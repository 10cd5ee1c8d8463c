"""How long the commands that do not measure take to start, against a bare interpreter.

Run from anywhere: python scripts/startup.py [--runs N]. Each command runs N times in a fresh
process (after one untimed run that warms the bytecode cache) with an empty data folder, and the
table shows the minimum and median wall time of each. `recommend` reads a shipped reference
result, so it needs no measurement of this machine; `history` lists the shipped reference results,
imported first. Target: `plans`, `history` and `recommend` <= 0.3 s (median). Standard library only.
"""

from __future__ import annotations

import argparse
import glob
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET_SECONDS = 0.3
TARGETED = ("colab-advisor plans", "colab-advisor history", "colab-advisor recommend")

COMMANDS = {
    "python -c pass": ["-c", "pass"],
    "colab-advisor --version": ["-m", "advisor", "--version"],
    "colab-advisor plans": ["-m", "advisor", "plans"],
    "colab-advisor hardware": ["-m", "advisor", "hardware"],
    "colab-advisor history": ["-m", "advisor", "history"],
    "colab-advisor recommend": ["-m", "advisor", "recommend", "--model", "deep", "--epochs", "100",
                                "--epoch-seconds", "100", "--local", "benchmarks/reference/medium-float32.json"],
}


def wall_times(args: list[str], runs: int, environ: dict[str, str]) -> list[float]:
    command = [sys.executable, *args]
    subprocess.run(command, cwd=ROOT, env=environ, check=True, capture_output=True)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, env=environ, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="timed runs per command (default 10)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        # An empty data folder, so a user's catalog.toml does not change what is timed.
        environ = {**os.environ, "COLAB_ADVISOR_HOME": home, "PYTHONPATH": ROOT}
        # An installed package has its bytecode compiled; without the cache every run compiles ours anew.
        environ.pop("PYTHONDONTWRITEBYTECODE", None)
        for reference in sorted(glob.glob(os.path.join(ROOT, "benchmarks", "reference", "*.json"))):
            subprocess.run([sys.executable, "-m", "advisor", "import", reference], cwd=ROOT, env=environ,
                           check=True, capture_output=True)
        results = {label: wall_times(args, options.runs, environ) for label, args in COMMANDS.items()}
    baseline = statistics.median(results["python -c pass"])
    width = max(len(label) for label in results)
    print(f"{sys.executable} ({sys.version.split()[0]}), {options.runs} runs each")
    print(f"{'command':<{width}}  {'min':>8}  {'median':>8}  {'over bare':>9}")
    for label, times in results.items():
        median = statistics.median(times)
        verdict = ""
        if label in TARGETED:
            verdict = f"  <= {TARGET_SECONDS} s: {'PASS' if median <= TARGET_SECONDS else 'FAIL'}"
        print(f"{label:<{width}}  {min(times):>7.3f}s  {median:>7.3f}s  {median - baseline:>8.3f}s{verdict}")
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} logical cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
