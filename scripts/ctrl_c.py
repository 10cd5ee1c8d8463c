"""Ctrl-C at random moments of `measure --quick`: how often it ends as promised.

Each try starts `python -m advisor measure --quick --preset small` in a fresh data folder, sends
SIGINT at a random moment in the first 3/4 of an uninterrupted run (the last moments come after the
result is saved, which an interrupt cannot undo, and a run's length varies), and checks: exit
status 130, the last line of stderr is "interrupted: nothing was saved", no traceback, and the
data folder holds no result and no temp file.

    python scripts/ctrl_c.py --tries 20
"""

from __future__ import annotations

import argparse
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from _common import ROOT, data_folder, environment, verdict, wall_times

COMMAND = [sys.executable, "-m", "advisor", "measure", "--quick", "--preset", "small", "--no-progress"]


def full_run_seconds() -> float:
    """The shorter of two uninterrupted runs."""
    times = []
    for _ in range(2):
        with data_folder() as home:
            times += wall_times(COMMAND, 1, environment(home), warm=False)
    return min(times)


def ctrl_c_as_in_a_terminal() -> None:
    # A job a shell started in the background inherits SIGINT ignored, and so would each try.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def wait_for_exec(pid: int) -> None:
    """Until the child runs Python: a signal sent between fork and exec is lost with the old image."""
    cmdline = Path(f"/proc/{pid}/cmdline")
    deadline = time.perf_counter() + 5
    while cmdline.exists() and b"advisor" not in cmdline.read_bytes() and time.perf_counter() < deadline:
        time.sleep(0.001)


def one_try(moment: float) -> tuple[str, str]:
    with data_folder() as home:
        process = subprocess.Popen(COMMAND, cwd=ROOT, env=environment(home), stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, preexec_fn=ctrl_c_as_in_a_terminal)
        started = time.perf_counter()
        wait_for_exec(process.pid)
        time.sleep(max(0.0, moment - (time.perf_counter() - started)))
        sent = time.time()
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=300)
        files = [p for p in Path(home).rglob("*") if p.is_file()]
        left = sorted(p.name for p in files)
        last = stderr.splitlines()[-1] if stderr.strip() else ""
        detail = f"exit {process.returncode}, last line {last!r}, files left {left}"
        if process.returncode == 0 and files and all(p.stat().st_mtime <= sent for p in files):
            return "late", detail + " (saved before the signal was sent)"
        ok = (process.returncode == 130 and last == "interrupted: nothing was saved"
              and "Traceback" not in stderr and not left)
        return ("ok" if ok else "BAD"), detail


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tries", type=int, default=20)
    parser.add_argument("--seed", type=int, default=None)
    options = parser.parse_args()
    rng = random.Random(options.seed)
    whole = full_run_seconds()
    print(f"an uninterrupted run takes {whole:.1f} s; SIGINT at random moments in [0, {0.75 * whole:.1f}] s")
    outcomes = []
    for i in range(options.tries):
        moment = rng.uniform(0, 0.75 * whole)
        outcome, detail = one_try(moment)
        outcomes.append(outcome)
        print(f"  try {i + 1:>2}: SIGINT at {moment:5.2f} s: {outcome:<4} ({detail})")
    good, late = outcomes.count("ok"), outcomes.count("late")
    # A signal sent after the result was saved cannot be acted on; it is reported, not counted as a try.
    print(f"exit 130, one line, nothing saved: {good} of {options.tries - late} "
          f"({late} sent after the save): {verdict(good == options.tries - late)}")
    return 0 if good == options.tries - late else 1


if __name__ == "__main__":
    sys.exit(main())
