"""Do repeated measurements of one machine give answers whose stated ranges cover each other?

    python scripts/local_spread_audit.py [--runs 6] [--option pay-as-you-go:a100-40gb]

Each run measures this machine afresh (`measure --quick`, the medium preset) in a data folder of its own,
then asks `recommend --json` (100 epochs of 60,000 samples, no setup time, as of 2026-06-01) for the
speed-up of one option over this machine, with its 10-90 % range. Target: every run's range covers every other run's
centre. Run on a quiet machine and on a busy one: a busy run must say so and widen its range.
"""

from __future__ import annotations

import argparse
import json
import sys

from _common import cli, data_folder, target_line


def one_run(option: str) -> tuple[float, float, float, float, float]:
    with data_folder() as home:
        cli(["measure", "--quick", "--no-progress", "--preset", "medium"], home)
        done = cli(["recommend", "--model", "deep", "--epochs", "100", "--setup-minutes", "0", "--as-of", "2026-06-01",
                    "--json"], home)
    payload = json.loads(done.stdout)
    chosen = next(o for o in payload["options"] if o["key"] == option)
    figure = payload["local_figure"]
    band = chosen["speedup_band"]
    return chosen["speedup"], band["low"], band["high"], figure["seconds_per_step"], figure["interference_share"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=6)
    parser.add_argument("--option", default="pay-as-you-go:a100-40gb")
    options = parser.parse_args()
    runs = [one_run(options.option) for _ in range(options.runs)]
    print(f"{options.runs} fresh quick measurements; speed-up of {options.option} over this machine")
    print(f"{'run':>3}  {'step':>9}  {'others':>6}  {'speed-up':>8}  {'10-90 % range':>15}")
    for i, (centre, low, high, step, busy) in enumerate(runs):
        print(f"{i:>3}  {step * 1e3:>7.2f}ms  {busy:>6.0%}  {centre:>7.2f}x  {low:>6.2f}x-{high:>6.2f}x")
    misses = sum(1 for i, (_, low, high, _, _) in enumerate(runs) for j, (other, *_rest) in enumerate(runs)
                 if i != j and not low <= other <= high)
    pairs = len(runs) * (len(runs) - 1)
    print(target_line(f"pairs where one run's range misses another's centre (of {pairs})", misses, 0, ""))
    return 0 if misses == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
