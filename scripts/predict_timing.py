"""How long `predict` takes: the first profile of a workload, then its start with the profile cached.

    PYTHONPATH=. python scripts/predict_timing.py [--workload resnet50] [--runs 10]

In an empty data folder, the first `colab-advisor predict --workload W` compiles W's training step
on this CPU at two batch sizes (timed once); each later run reads the cached profile (the median
of --runs fresh processes, after one untimed run). Targets: first ResNet-50 profile <= 30 s,
cached start <= 0.5 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

from _common import ROOT, verdict


def timed(command: list[str], environ: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=environ, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", default="resnet50")
    parser.add_argument("--runs", type=int, default=10)
    options = parser.parse_args()
    command = [sys.executable, "-m", "advisor", "predict", "--workload", options.workload]
    with tempfile.TemporaryDirectory() as home:
        environ = {**os.environ, "COLAB_ADVISOR_HOME": home, "PYTHONPATH": ROOT}
        first = timed(command, environ)
        timed(command, environ)  # warms the bytecode cache
        cached = [timed(command, environ) for _ in range(options.runs)]
        bare = statistics.median(timed([sys.executable, "-c", "pass"], environ) for _ in range(options.runs))
    median = statistics.median(cached)
    print(f"{sys.executable} ({sys.version.split()[0]}), workload {options.workload}")
    print(f"first run (profiles on this CPU): {first:6.2f} s  (target <= 30 s for resnet50) {verdict(first <= 30)}")
    print(f"cached, median of {options.runs}:       {median:6.3f} s  (min {min(cached):.3f} s; bare python "
          f"{bare:.3f} s)  (target <= 0.5 s) {verdict(median <= 0.5)}")
    return 0 if first <= 30 and median <= 0.5 else 1


if __name__ == "__main__":
    sys.exit(main())
