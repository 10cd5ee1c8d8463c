"""Print the loss fingerprints this environment's JAX, Flax and Optax give, against the expected ones.

Run it under each set of versions (the newest, .ci/minimum-versions.txt, .ci/colab-versions.txt):
the figures should agree with each other and with the independent NumPy float64 implementation.

    python scripts/fingerprint.py
"""

from __future__ import annotations

import importlib.metadata
import math
import os

from _common import verdict

os.environ.setdefault("JAX_PLATFORMS", "cpu")

import jax.numpy as jnp

from benchmarks.config import PRESETS
from benchmarks.model import fingerprint_loss
from benchmarks.result import FINGERPRINT_REL_TOL
from tests.benchmarks import fingerprints


def main() -> int:
    versions = ", ".join(f"{name} {importlib.metadata.version(name)}" for name in ("jax", "flax", "optax", "numpy"))
    print(versions)
    ok = True
    for name, expected in (("small", fingerprints.SMALL), ("medium", fingerprints.MEDIUM)):
        preset = PRESETS[name]
        loss = fingerprint_loss(preset, jnp.dtype("float32"), 0, preset.batch_size, 10)
        difference = abs(loss - expected) / expected
        passed = math.isclose(loss, expected, rel_tol=FINGERPRINT_REL_TOL)
        ok &= passed
        print(f"{verdict(passed)}  {name:<6} {loss!r:<22} expected {expected!r}, {difference:.1e} relative "
              f"(tolerance {FINGERPRINT_REL_TOL:.0%})")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
