"""Does `measure` give the same figure when run again, and does it say so when it cannot?

Runs `colab-advisor measure` --runs times back to back, each a whole fresh process as a user runs
it, and prints each run's python- and device-loop medians, other programs' CPU share as the
record gives it, the load average around the run, and the process's wall time. With --hogs N,
N processes spin on the CPU for the whole time, and every run should come out flagged.
Targets (medium preset, float32, an otherwise idle machine): python-loop medians within +-5 % of
their median; device loop <= python loop x 1.05 in every run; with a hog, interference flagged in
every run; `measure` <= 12 s and `measure --quick` <= 5 s wall (median).
With several --presets and --dtypes, every combination runs --runs times (one run of each in turn),
each with a table of its own; the device-loop target holds for each.
Usage: python scripts/repeatability.py [--runs 5] [--hogs 0] [--quick] [--presets medium ...]
       [--dtypes float32 ...] [--batch-size N]
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


def measure_once(options: argparse.Namespace, home: str, preset: str, dtype: str) -> tuple[dict, float]:
    command = [sys.executable, "-m", "advisor", "measure", "--preset", preset, "--dtype", dtype, "--json",
               "--no-save", "--no-progress", *(["--quick"] if options.quick else []),
               *(["--batch-size", str(options.batch_size)] if options.batch_size else [])]
    environ = {**os.environ, "COLAB_ADVISOR_HOME": home, "PYTHONPATH": _common.ROOT}
    # As an installed package is: its bytecode cached after the first run, not compiled every time.
    environ.pop("PYTHONDONTWRITEBYTECODE", None)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=_common.ROOT, env=environ, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - start
    return json.loads(done.stdout)["measurement"], wall


def report(options: argparse.Namespace, preset: str, dtype: str, rows: list) -> bool:
    """Print one combination's runs and verdicts; whether its device loop met the target in every run."""
    pythons = [r["summary"]["python_loop"]["median"] for r, *_ in rows]
    centre = statistics.median(pythons)
    batch = f" --batch-size {options.batch_size}" if options.batch_size else ""
    print(f"\n{sys.executable} -m advisor measure --preset {preset} --dtype {dtype}{batch}"
          f"{' --quick' if options.quick else ''}, {len(rows)} runs, {options.hogs} CPU hog(s), "
          f"{os.cpu_count()} logical cores")
    print(f"{'run':>3} {'python ms':>10} {'vs median':>10} {'device ms':>10} {'dev/py':>7} {'slower':>7} "
          f"{'others':>7} {'flagged':>8} {'load before/after':>18} {'wall s':>7}")
    for number, (record, wall, before, after) in enumerate(rows, 1):
        python, device = record["summary"]["python_loop"]["median"], record["summary"]["device_loop"]["median"]
        found = record.get("interference") or {}
        share = f"{found['others_cpu_share']:.0%}" if found else "?"
        slower = "yes" if record.get("device_loop_slower") else "no"
        print(f"{number:>3} {python * 1e3:10.3f} {(python / centre - 1):+10.1%} {device * 1e3:10.3f} "
              f"{device / python:7.3f} {slower:>7} {share:>7} {found.get('flagged', '?')!s:>8} "
              f"{before:8.2f} / {after:<7.2f} {wall:7.2f}")
    worst = max(abs(p / centre - 1) for p in pythons)
    ratios = sorted(r["summary"]["device_loop"]["median"] / r["summary"]["python_loop"]["median"] for r, *_ in rows)
    device_ok = sum(ratio <= DEVICE_TARGET for ratio in ratios)
    flagged = sum(bool((r.get("interference") or {}).get("flagged")) for r, *_ in rows)
    walls = [wall for _, wall, *_ in rows]
    print(f"python-loop medians within +-{SPREAD_TARGET:.0%} of their median: worst {worst:.1%}  "
          f"{_common.verdict(worst <= SPREAD_TARGET)}")
    print(f"device loop <= python loop x {DEVICE_TARGET}: {device_ok} of {len(rows)} (dev/py median "
          f"{statistics.median(ratios):.3f}, worst {ratios[-1]:.3f})  {_common.verdict(device_ok == len(rows))}")
    expected_flags = len(rows) if options.hogs else 0
    print(f"flagged for interference: {flagged} of {len(rows)} (expected {expected_flags})  "
          f"{_common.verdict(flagged == expected_flags)}")
    limit = 5.0 if options.quick else 12.0
    print(f"wall time, median of {len(rows)}: {statistics.median(walls):.2f} s (target <= {limit:g} s)  "
          f"{_common.verdict(statistics.median(walls) <= limit)}")
    return device_ok == len(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--hogs", type=int, default=0, help="CPU-spinning processes alongside (default none)")
    parser.add_argument("--quick", action="store_true", help="time `measure --quick` instead")
    parser.add_argument("--presets", nargs="+", default=["medium"])
    parser.add_argument("--dtypes", nargs="+", default=["float32"])
    parser.add_argument("--batch-size", type=int, default=None, help="instead of each preset's own")
    options = parser.parse_args()
    combinations = [(preset, dtype) for preset in options.presets for dtype in options.dtypes]
    results: dict[tuple[str, str], list] = {combination: [] for combination in combinations}
    hogs = [subprocess.Popen([sys.executable, "-c", SPIN]) for _ in range(options.hogs)]
    try:
        with tempfile.TemporaryDirectory() as home:
            for _ in range(options.runs):
                for preset, dtype in combinations:  # in turn, so a drifting machine hits all alike
                    load_before = os.getloadavg()[0]
                    record, wall = measure_once(options, home, preset, dtype)
                    results[preset, dtype].append((record, wall, load_before, os.getloadavg()[0]))
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
    met = sum(report(options, preset, dtype, rows) for (preset, dtype), rows in results.items())
    if len(combinations) > 1:
        print(f"\ndevice loop <= python loop x {DEVICE_TARGET} in every run: {met} of {len(combinations)} "
              f"combinations  {_common.verdict(met == len(combinations))}")
    return 0

if __name__ == "__main__":
    sys.exit(main())
