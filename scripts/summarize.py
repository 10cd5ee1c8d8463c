"""One short table from result files: python scripts/summarize.py RESULT.json [...]

Reads the JSON that `colab-advisor measure --output FILE` writes (or the --json envelope).
Standard library and the project's record reader only: no JAX needed.
"""

from __future__ import annotations

import json
import sys

import _common  # noqa: F401 - puts the repository on sys.path

from benchmarks import Measurement


def load(path: str) -> Measurement:
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    return Measurement.from_dict(data.get("measurement", data))


def row(m: Measurement) -> list[str]:
    ceiling = m.ceiling.matmul_flops_per_second if m.ceiling else None
    achieved = m.achieved_flops_per_second
    return [
        m.config.preset, m.config.dtype, str(m.batch_size),
        f"{m.python_loop.median * 1e3:.3f}", f"{m.device_loop.median * 1e3:.3f}",
        f"{m.dispatch_overhead_pct:.1f}",
        "?" if achieved is None else f"{achieved / 1e12:.1f}",
        "?" if ceiling is None else f"{ceiling / 1e12:.1f}",
        "?" if m.pct_of_matmul_ceiling is None else f"{m.pct_of_matmul_ceiling:.0f}",
        m.bound, f"{m.compile_seconds['python'] + m.compile_seconds['device']:.1f}",
        f"{m.fingerprint.loss:.5g}",
    ]


def main(paths: list[str]) -> None:
    headers = ["preset", "dtype", "batch", "py ms", "dev ms", "disp %", "TFLOP/s", "ceil", "% ceil", "bound",
               "compile s", "fingerprint"]
    rows = [row(load(p)) for p in paths]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    first = load(paths[0]).environment
    print(f"{first.device_label}; jax {first.versions.get('jax', '?')}")
    print("  ".join(h.rjust(w) for h, w in zip(headers, widths, strict=False)))
    for r in rows:
        print("  ".join(c.rjust(w) for c, w in zip(r, widths, strict=False)))


if __name__ == "__main__":
    main(sys.argv[1:])
