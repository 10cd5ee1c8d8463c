"""How long the commands that do not measure take to start, against a bare interpreter.

Run from the repository root: python scripts/startup.py [--runs N]. Each command runs N times in a
fresh process (after one untimed run that warms the bytecode cache) with an empty data folder, and
the table shows the minimum and median wall time of each. `recommend` reads a shipped reference
result, so it needs no measurement of this machine; `history` lists the shipped reference results,
imported first. Targets: `plans`, `history`, `units` and `recommend` <= 0.3 s (median).
"""

from __future__ import annotations

import argparse
import glob
import os
import sys

from _common import ROOT, cli, data_folder, environment, median, target_line, wall_times

TARGET_SECONDS = 0.3
TARGETED = ("colab-advisor plans", "colab-advisor history", "colab-advisor units", "colab-advisor recommend")

COMMANDS = {
    "python -c pass": ["-c", "pass"],
    "colab-advisor --version": ["-m", "advisor", "--version"],
    "colab-advisor plans": ["-m", "advisor", "plans"],
    "colab-advisor hardware": ["-m", "advisor", "hardware"],
    "colab-advisor units": ["-m", "advisor", "units"],
    "colab-advisor history": ["-m", "advisor", "history"],
    "colab-advisor recommend": ["-m", "advisor", "recommend", "--model", "deep", "--epochs", "100",
                                "--epoch-seconds", "100", "--local", "benchmarks/reference/medium-float32.json"],
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="timed runs per command (default 10)")
    options = parser.parse_args()
    with data_folder() as home:
        for reference in sorted(glob.glob(os.path.join(ROOT, "benchmarks", "reference", "*.json"))):
            if not os.path.basename(reference).startswith(("profile-", "speed-model")):
                cli(["import", reference], home)
        environ = environment(home)
        results = {label: wall_times([sys.executable, *args], options.runs, environ)
                   for label, args in COMMANDS.items()}
    baseline = median(results["python -c pass"])
    width = max(len(label) for label in results)
    print(f"{sys.executable} ({sys.version.split()[0]}), {options.runs} runs each")
    print(f"{'command':<{width}}  {'min':>8}  {'median':>8}  {'over bare':>9}")
    failed = False
    for label, times in results.items():
        middle = median(times)
        line = ""
        if label in TARGETED:
            line = "  " + target_line("median", middle, TARGET_SECONDS)
            failed |= middle > TARGET_SECONDS
        print(f"{label:<{width}}  {min(times):>7.3f}s  {middle:>7.3f}s  {middle - baseline:>8.3f}s{line}")
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} logical cores")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
