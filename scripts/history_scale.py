"""How `history`, `import` and `compare latest` scale: 5,000 stored results, whole commands timed.

Builds N valid records (a shipped reference record with its time, samples and batch varied) in a
temporary data folder, then times each command as a user runs it (a fresh `python -m advisor`),
interleaved, and prints the median of the rounds. Target: `history` <= 1 s at 5,000 results.
`history` is timed as a user meets it day to day (the cache of checked records in place) and once
more with the cache removed first (the first listing after an upgrade, or after the cache is damaged).

    python scripts/history_scale.py                     # this tree
    python scripts/history_scale.py --tree . --tree ../other-checkout   # A/B, interleaved
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from _common import ROOT, data_folder, environment, median, verdict

from advisor.results.checked import cache_path
from advisor.results.store import Store
from benchmarks.result import Measurement

REFERENCE = Path(ROOT) / "benchmarks" / "reference" / "medium-float32.json"
HISTORY_TARGET_SECONDS = 1.0


def build_records(count: int) -> list[Measurement]:
    base = json.loads(REFERENCE.read_text(encoding="utf-8"))
    start = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
    records = []
    for i in range(count):
        data = json.loads(json.dumps(base))
        data["environment"]["timestamp"] = (start + dt.timedelta(minutes=7 * i)).isoformat()
        data["environment"]["in_colab"] = i % 3 == 0
        data["batch_size"] = 64 + i % 512
        data["python_loop"]["samples"] = [s * (1 + (i % 97) / 1000) for s in data["python_loop"]["samples"]]
        records.append(Measurement.from_dict(data))
    return records


@contextlib.contextmanager
def without_cache(home: Path) -> Iterator[None]:
    """No cache of checked records for the duration; the same cache as before afterwards, whichever
    tree ran (a tree without the cache would otherwise leave every later tree to rebuild it)."""
    path = cache_path(home)
    saved = path.read_bytes() if path.is_file() else None
    path.unlink(missing_ok=True)
    try:
        yield
    finally:
        if saved is not None:
            path.write_bytes(saved)


def timed(tree: str, args: list[str], home: str) -> float:
    env = {**environment(home), "PYTHONPATH": tree, "COLUMNS": "100"}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "advisor", *args], cwd=tree, env=env,
                          capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{tree}: {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()[:300]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--tree", action="append", help="source tree to time (repeatable; default: this one)")
    options = parser.parse_args()
    trees = [os.path.abspath(t) for t in (options.tree or [ROOT])]

    with data_folder("history-scale-") as home:
        records = build_records(options.count + options.rounds * len(trees))
        stored, extra = records[: options.count], records[options.count:]
        store = Store(Path(home))
        for m in stored:
            store.save(m)
        newcomers = []
        for i, m in enumerate(extra):
            path = Path(home) / f"new-{i}.json"
            path.write_text(m.to_json(), encoding="utf-8")
            newcomers.append((path, m))
        some_id = stored[len(stored) // 2].id
        # Files saved within the last second are not cached yet (their key may still change): let
        # them settle, then list once untimed, as any earlier `history` would have.
        time.sleep(1.5)
        for tree in trees:
            timed(tree, ["history"], home)
        print(f"{options.count:,} results in {home}; {options.rounds} rounds, interleaved over {len(trees)} tree(s)")

        times: dict[tuple[str, str], list[float]] = {}
        for _ in range(options.rounds):
            for tree in trees:
                path, m = newcomers.pop()
                runs = {
                    "history": ["history"],
                    "history (no cache)": ["history"],
                    "import (new)": ["import", str(path)],
                    "import (again)": ["import", str(path)],
                    "compare latest": ["compare", "latest", some_id],
                }
                for name, args in runs.items():
                    if name == "history (no cache)":
                        with without_cache(Path(home)):
                            times.setdefault((tree, name), []).append(timed(tree, args, home))
                    else:
                        times.setdefault((tree, name), []).append(timed(tree, args, home))
                # Back to N results for the next round.
                for leftover in store.results.glob(f"*-{m.id}*.json"):
                    leftover.unlink()

    ok = True
    for tree in trees:
        print(f"\n{tree}")
        for name in ("history", "history (no cache)", "import (new)", "import (again)", "compare latest"):
            values = times[(tree, name)]
            spread = f"(min {min(values):.2f}, max {max(values):.2f})"
            print(f"  {name:<18} median {median(values):.2f} s  {spread}")
        history = median(times[(tree, "history")])
        ok = ok and history <= HISTORY_TARGET_SECONDS
        passed = history <= HISTORY_TARGET_SECONDS
        print(f"  history <= {HISTORY_TARGET_SECONDS:g} s at {options.count:,}: {verdict(passed)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
