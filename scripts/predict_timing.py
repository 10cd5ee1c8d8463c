"""How long `predict` takes: the first profile of a workload, then its start with the profile cached.

    python scripts/predict_timing.py [--workload resnet50] [--runs 10]

In an empty data folder, the first `colab-advisor predict --workload W` compiles W's training step
on this CPU at two batch sizes (timed once); each later run reads the cached profile (the median
of --runs fresh processes, after one untimed run). Targets: first ResNet-50 profile <= 30 s,
cached start <= 0.5 s.
"""

from __future__ import annotations

import argparse
import sys

from _common import data_folder, environment, median, target_line, wall_times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", default="resnet50")
    parser.add_argument("--runs", type=int, default=10)
    options = parser.parse_args()
    command = [sys.executable, "-m", "advisor", "predict", "--workload", options.workload]
    with data_folder() as home:
        environ = environment(home)
        (first,) = wall_times(command, 1, environ, warm=False)
        cached = wall_times(command, options.runs, environ)
        bare = median(wall_times([sys.executable, "-c", "pass"], options.runs, environ))
    middle = median(cached)
    print(f"{sys.executable} ({sys.version.split()[0]}), workload {options.workload}")
    print(target_line("first run (profiles on this CPU)", first, 30.0))
    print(target_line(f"cached, median of {options.runs} (bare python {bare:.3f} s)", middle, 0.5))
    return 0 if first <= 30 and middle <= 0.5 else 1


if __name__ == "__main__":
    sys.exit(main())
