"""The AutoEncoder training microbenchmark.

Importing this package does not import JAX: `run` loads the runner (and JAX) on first call, so
code that only reads results stays fast to start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .config import DEFAULT_PRESET, DEVICES, DTYPES, PRESETS, BenchmarkError, Config, Interrupted, Preset
from .result import SCHEMA, Ceiling, Environment, Fingerprint, Measurement, ResultError, Timing

if TYPE_CHECKING:
    from .runner import Progress


def run(config: Config, *, progress: Progress | None = None, **kwargs: Any) -> Measurement:
    """Measure `config` on the local devices. See `benchmarks.runner.run`."""
    from .runner import run as _run

    return _run(config, progress=progress, **kwargs)


__all__ = [
    "DEFAULT_PRESET",
    "DEVICES",
    "DTYPES",
    "PRESETS",
    "SCHEMA",
    "BenchmarkError",
    "Ceiling",
    "Config",
    "Environment",
    "Fingerprint",
    "Interrupted",
    "Measurement",
    "Preset",
    "ResultError",
    "Timing",
    "run",
]
