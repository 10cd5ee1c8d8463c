"""Write the AutoEncoder presets' kernel profiles that ship with the package.

    PYTHONPATH=. python scripts/preset_profiles.py [--check]

Profiles every preset in every dtype on this CPU with the profiler `predict --workload` uses and
writes benchmarks/reference/profile-ae-<preset>-<dtype>.json (kernel pairings included, so reading
one needs no diff). With --check, writes nothing and exits 1 if a shipped file differs from a fresh
profile in its kernels or memory analysis.
"""

from __future__ import annotations

import argparse
import json
import sys

from _common import verdict

from advisor.encoding import dumps
from advisor.predict.presets import shipped_path
from advisor.predict.profiles import parse_profile
from benchmarks.config import DTYPES, PRESETS
from benchmarks.workloads.profile import profile


def fresh(preset: str, dtype: str) -> dict:
    data = profile(f"ae-{preset}", dtype)
    found = parse_profile({**data, "pairs": None}, f"ae-{preset}", dtype)
    data.pop("profile_seconds", None)
    return {**data, "pairs": list(found.pairs)}


def comparable(data: dict) -> dict:
    return {"at": {batch: {k: v for k, v in entry.items() if k in ("kernels", "memory")}
                   for batch, entry in data["at"].items()}, "batches": data["batches"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the shipped files; write nothing")
    args = parser.parse_args()
    same = True
    for preset in PRESETS:
        for dtype in DTYPES:
            data, path = fresh(preset, dtype), shipped_path(preset, dtype)
            if args.check:
                shipped = json.loads(path.read_text(encoding="utf-8"))
                match = comparable(shipped) == comparable(json.loads(dumps(data, compact=True)))
                same &= match
                print(f"{path.name}: {'matches' if match else 'DIFFERS'}")
            else:
                path.write_text(dumps(data, compact=True) + "\n", encoding="utf-8")
                print(f"wrote {path.name}")
    if args.check:
        print(f"shipped profiles match a fresh profile -> {verdict(same)}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
