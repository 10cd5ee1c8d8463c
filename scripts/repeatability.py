"""Does `measure` give the same figure when run again, and does it say so when it cannot?

Runs `colab-advisor measure` --runs times back to back, each a whole fresh process as a user runs
it, and prints each run's python- and device-loop medians, other programs' CPU share as the
record gives it, the load average around the run, and the process's wall time. With --hogs N,
N processes spin on the CPU for the whole time, and every run should come out flagged.
Targets (medium preset, float32, an otherwise idle machine): python-loop medians within +-5 % of
their median; device loop <= python loop x 1.05 in every run; with a hog, interference flagged in
every run; `measure` <= 12 s and `measure --quick` <= 5 s wall (median).
Usage: python scripts/repeatability.py [--runs 5] [--hogs 0] [--quick] [--preset medium]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import _common

SPIN = "while True: pass"
SPREAD_TARGET = 0.05
DEVICE_TARGET = 1.05


def measure_once(options: argparse.Namespace, home: str) -> tuple[dict, float]:
    command = [sys.executable, "-m", "advisor", "measure", "--preset", options.preset, "--json", "--no-save",
               "--no-progress", *(["--quick"] if options.quick else [])]
    environ = {**os.environ, "COLAB_ADVISOR_HOME": home, "PYTHONPATH": _common.ROOT}
    # As an installed package is: its bytecode cached after the first run, not compiled every time.
    environ.pop("PYTHONDONTWRITEBYTECODE", None)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=_common.ROOT, env=environ, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - start
    return json.loads(done.stdout)["measurement"], wall


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--hogs", type=int, default=0, help="CPU-spinning processes alongside (default none)")
    parser.add_argument("--quick", action="store_true", help="time `measure --quick` instead")
    parser.add_argument("--preset", default="medium")
    options = parser.parse_args()
    hogs = [subprocess.Popen([sys.executable, "-c", SPIN]) for _ in range(options.hogs)]
    rows = []
    try:
        with tempfile.TemporaryDirectory() as home:
            for _ in range(options.runs):
                load_before = os.getloadavg()[0]
                record, wall = measure_once(options, home)
                rows.append((record, wall, load_before, os.getloadavg()[0]))
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()

    pythons = [r["summary"]["python_loop"]["median"] for r, *_ in rows]
    centre = statistics.median(pythons)
    print(f"{sys.executable} -m advisor measure --preset {options.preset}{' --quick' if options.quick else ''}, "
          f"{options.runs} runs, {options.hogs} CPU hog(s), {os.cpu_count()} logical cores")
    print(f"{'run':>3} {'python ms':>10} {'vs median':>10} {'device ms':>10} {'dev/py':>7} {'others':>7} "
          f"{'flagged':>8} {'load before/after':>18} {'wall s':>7}")
    for number, (record, wall, before, after) in enumerate(rows, 1):
        python, device = record["summary"]["python_loop"]["median"], record["summary"]["device_loop"]["median"]
        found = record.get("interference") or {}
        share = f"{found['others_cpu_share']:.0%}" if found else "?"
        print(f"{number:>3} {python * 1e3:10.3f} {(python / centre - 1):+10.1%} {device * 1e3:10.3f} "
              f"{device / python:7.3f} {share:>7} {found.get('flagged', '?')!s:>8} "
              f"{before:8.2f} / {after:<7.2f} {wall:7.2f}")
    worst = max(abs(p / centre - 1) for p in pythons)
    device_ok = sum(r["summary"]["device_loop"]["median"] <= DEVICE_TARGET * r["summary"]["python_loop"]["median"]
                    for r, *_ in rows)
    flagged = sum(bool((r.get("interference") or {}).get("flagged")) for r, *_ in rows)
    walls = [wall for _, wall, *_ in rows]
    print(f"python-loop medians within +-{SPREAD_TARGET:.0%} of their median: worst {worst:.1%}  "
          f"{_common.verdict(worst <= SPREAD_TARGET)}")
    print(f"device loop <= python loop x {DEVICE_TARGET}: {device_ok} of {len(rows)}  "
          f"{_common.verdict(device_ok == len(rows))}")
    expected_flags = len(rows) if options.hogs else 0
    print(f"flagged for interference: {flagged} of {len(rows)} (expected {expected_flags})  "
          f"{_common.verdict(flagged == expected_flags)}")
    limit = 5.0 if options.quick else 12.0
    print(f"wall time, median of {len(rows)}: {statistics.median(walls):.2f} s (target <= {limit:g} s)  "
          f"{_common.verdict(statistics.median(walls) <= limit)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
