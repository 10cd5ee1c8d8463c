"""Our two loops against PyTorch (eager, torch.compile) and Keras 3 (TensorFlow and JAX backends).

Each peer runs in a process of its own (scripts/peer_worker.py), never next to another runtime's
thread pools, on the same model, batch, optimizer, data and thread count. First each peer runs
alone (the only worker alive) for a standalone figure; then all workers start, and over --rounds
rounds each in turn trains for --seconds/--rounds while the others wait idle, the order rotating
every round, so a shared machine's drift hits all alike. Each also runs alone on one thread. A peer
whose interleaved figure strays more than 1.5x from its standalone one, or whose standalone figure
is over 1.5x its one-thread figure (more threads, far slower: its pool spins on cores another
program holds), is a broken measurement and is left out of the verdicts.

Every peer gets the same cores: each worker pins itself to the first --threads cores it may use
(os.sched_setaffinity) before its framework starts, PyTorch gets torch.set_num_threads, XLA (ours,
Keras on JAX) its thread-pool flags. Each peer's cores actually used (CPU seconds per wall second
in its turns) are printed, and two peers whose cores differ materially are not compared.

The peers need torch and keras >= 3 (tensorflow-cpu for the keras-tensorflow peer), which the
package never does: install them into an environment of their own and name its interpreter with
--peer-python.
Targets on a CPU, at 1 thread and at all cores: our python loop >= 1.3x PyTorch eager (and
Keras/TensorFlow fit), >= 1.0x torch.compile and Keras/JAX fit.
Usage: python scripts/peers.py --peer-python ENV/bin/python [--threads N] [--seconds 24] [--rounds 4]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import asdict

import _common

from benchmarks import PRESETS

WORKER = os.path.join(_common.ROOT, "scripts", "peer_worker.py")
PEERS = ("ours", "torch-eager", "torch-compile", "keras-tensorflow", "keras-jax")
DEFAULT_PEERS = ("ours", "torch-eager", "torch-compile", "keras-jax")
PLAUSIBLE_DRIFT = 1.5
# Two peers that used cores differing by more than this share of the cores granted are not compared.
CORES_TOLERANCE = 0.15
TARGETS = (  # (our loop, peer, at least this many times faster)
    ("ours-python", "torch-eager", 1.3),
    ("ours-python", "torch-compile", 1.0),
    ("ours-python", "keras-tensorflow", 1.3),
    ("ours-python", "keras-jax", 1.0),
    ("ours-device", "torch-eager", 1.3),
    ("ours-device", "torch-compile", 1.0),
    ("ours-device", "keras-jax", 1.0),
)


class Worker:
    def __init__(self, peer: str, python: str, spec: dict, batch: int, threads: int) -> None:
        self.peer = peer
        environ = {**os.environ, "PYTHONPATH": _common.ROOT, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONUNBUFFERED": "1"}
        # XLA's CPU backend (ours, Keras on JAX) sizes its pools from the machine unless told; the
        # worker also pins itself to `threads` cores, which bounds every framework alike.
        environ["XLA_FLAGS"] = (f"{environ.get('XLA_FLAGS', '')} "
                                f"--xla_cpu_multi_thread_eigen={'true' if threads > 1 else 'false'} "
                                f"intra_op_parallelism_threads={threads}").strip()
        self.process = subprocess.Popen(
            [python, WORKER, peer, json.dumps(spec), str(batch), str(threads)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=environ,
        )
        self.versions = self._answer()["ready"]

    def _answer(self) -> dict:
        # Frameworks print banners of their own; the worker's answers are the JSON lines.
        for line in self.process.stdout:  # type: ignore[union-attr]
            if line.startswith("{"):
                answer = json.loads(line)
                if "error" in answer:
                    raise RuntimeError(f"{self.peer}: {answer['error']}")
                return answer
        raise RuntimeError(f"{self.peer} worker ended early (exit {self.process.wait()}); is its framework installed?")

    def run(self, seconds: float) -> tuple[dict[str, float], float]:
        """Median seconds a step of each loop, and the CPU seconds per wall second the worker used."""
        self.process.stdin.write(f"run {seconds}\n")  # type: ignore[union-attr]
        self.process.stdin.flush()  # type: ignore[union-attr]
        answer = self._answer()
        return {loop: statistics.median(v) for loop, v in answer["loops"].items()}, answer["cores"]

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.write("quit\n")  # type: ignore[union-attr]
            self.process.stdin.close()  # type: ignore[union-attr]
            self.process.wait(timeout=60)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--preset", default="medium", choices=[p for p, s in PRESETS.items() if s.kind == "dense"])
    parser.add_argument("--seconds", type=float, default=24.0, help="interleaved training time per peer")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--peer-python", default=sys.executable, help="interpreter with torch, tensorflow, keras")
    parser.add_argument("--peers", nargs="+", default=list(DEFAULT_PEERS), choices=PEERS)
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)), help="cores and threads for "
                        "every peer (default: all cores; 1 is steadier on a machine that others share)")
    args = parser.parse_args()
    if not 1 <= args.threads <= len(os.sched_getaffinity(0)):
        parser.error(f"--threads must be from 1 to {len(os.sched_getaffinity(0))}, the cores this process may use")
    spec = asdict(PRESETS[args.preset])
    batch, threads = spec["batch_size"], args.threads
    share = args.seconds / args.rounds
    python_for = {peer: sys.executable if peer == "ours" else args.peer_python for peer in args.peers}

    standalone: dict[str, float] = {}
    single: dict[str, float] = {}  # alone on one thread: what more threads must not be far slower than
    versions: dict[str, str] = {}
    for peer in args.peers:  # alone: the only worker alive
        for count, into in [(threads, standalone), *([(1, single)] if threads > 1 else [])]:
            worker = Worker(peer, python_for[peer], spec, batch, count)
            try:
                alone, _ = worker.run(share)
                versions.update(worker.versions)
            finally:
                worker.close()
            into.update(alone)
            print(f"alone, {count} thread(s): " + ", ".join(f"{k} {v * 1e3:.2f} ms" for k, v in alone.items()),
                  file=sys.stderr)
    if threads == 1:
        single = standalone

    rounds: dict[str, list[float]] = {}
    cores: dict[str, list[float]] = {}
    load: list[float] = []
    workers = [Worker(peer, python_for[peer], spec, batch, threads) for peer in args.peers]
    try:
        for number in range(args.rounds):
            turn = number % len(workers)
            for worker in workers[turn:] + workers[:turn]:
                medians, used = worker.run(share)
                for loop, value in medians.items():
                    rounds.setdefault(loop, []).append(value)
                    cores.setdefault(loop, []).append(used)
                load.append(os.getloadavg()[0])
            print(f"round {number + 1} of {args.rounds} done", file=sys.stderr)
    finally:
        for worker in workers:
            worker.close()

    interleaved = {loop: statistics.median(values) for loop, values in rounds.items()}
    # Broken measurements look like this: a figure that moved between its own runs, or one that more
    # threads made far slower (thread pools spinning on cores another program holds).
    plausible = {loop: 1 / PLAUSIBLE_DRIFT <= interleaved[loop] / standalone[loop] <= PLAUSIBLE_DRIFT
                 and standalone[loop] <= PLAUSIBLE_DRIFT * single[loop] for loop in interleaved}
    print(f"preset {args.preset}, batch {batch}, Adam, float32, {threads} threads, {args.rounds} rounds of "
          f"{share:g} s each, load average {min(load):.1f}-{max(load):.1f}, {time.strftime('%Y-%m-%d %H:%M')}")
    print("versions: " + ", ".join(f"{k} {v}" for k, v in sorted(versions.items())))
    print(f"{'':18}{'1 thread':>10}{'alone ms':>10}{'rounds ms':>11}{'cores':>7}{'plausible':>11}"
          f"{'ours python':>13}{'ours device':>13}")
    for loop, value in interleaved.items():
        faster = "" if loop.startswith("ours") else (
            f"{value / interleaved['ours-python']:12.2f}x{value / interleaved['ours-device']:12.2f}x"
            if "ours-python" in interleaved else "")
        print(f"{loop:18}{single[loop] * 1e3:10.2f}{standalone[loop] * 1e3:10.2f}{value * 1e3:11.2f}"
              f"{statistics.median(cores[loop]):7.2f}"
              f"{'yes' if plausible[loop] else 'NO':>11}{faster}")
    print(f"(cores: CPU seconds per wall second in the peer's turns, of {threads} granted; ours python / ours "
          "device: how many times faster than the peer our loop is)")
    used = {loop: statistics.median(values) for loop, values in cores.items()}
    for ours, peer, target in TARGETS:
        if ours not in interleaved or peer not in interleaved:
            continue
        if not (plausible[ours] and plausible[peer]):
            print(f"{ours} vs {peer}: not compared, a figure is implausible")
            continue
        if abs(used[ours] - used[peer]) > CORES_TOLERANCE * threads:
            print(f"{ours} vs {peer}: not compared, they used unequal cores ({used[ours]:.2f} vs {used[peer]:.2f})")
            continue
        ratio = interleaved[peer] / interleaved[ours]
        print(f"{ours} vs {peer}: {ratio:.2f}x at {used[ours]:.2f} vs {used[peer]:.2f} cores, target >= {target}x: "
              f"{_common.verdict(ratio >= target)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
