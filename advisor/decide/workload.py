"""The workload a recommendation is for: what the user trains, how often, and what their time is worth."""

from __future__ import annotations

import math
from dataclasses import dataclass

from benchmarks import PRESETS

from ..errors import AdvisorError

MODELS = ("deep", "boosting")
DEFAULT_RUNS_PER_MONTH = 4.0
DEFAULT_HOUR_VALUE = 10.0
DEFAULT_SETUP_MINUTES = 3.0


@dataclass(frozen=True)
class Workload:
    model: str
    epochs: int
    epoch_seconds: float | None = None
    samples: int | None = None
    preset: str | None = None
    runs_per_month: float = DEFAULT_RUNS_PER_MONTH
    hour_value: float = DEFAULT_HOUR_VALUE
    hour_value_given: bool = False
    ram_gb: float | None = None
    setup_minutes: float = DEFAULT_SETUP_MINUTES

    def __post_init__(self) -> None:
        if self.model not in MODELS:
            raise AdvisorError(f"--model: expected one of {', '.join(MODELS)}, got '{self.model}'")
        checks = [
            ("--epochs", self.epochs, True),
            ("--epoch-seconds", self.epoch_seconds, True),
            ("--samples", self.samples, True),
            ("--runs-per-month", self.runs_per_month, True),
            ("--hour-value", self.hour_value, False),
            ("--ram-gb", self.ram_gb, True),
            ("--setup-minutes", self.setup_minutes, False),
        ]
        for flag, value, strictly in checks:
            if value is None:
                continue
            if not math.isfinite(value) or value < 0 or (strictly and value == 0):
                need = "a positive number" if strictly else "a number >= 0"
                raise AdvisorError(f"{flag}: expected {need}, got {value:g}")
        if self.epoch_seconds is None and self.samples is None:
            raise AdvisorError("say how big an epoch is: --epoch-seconds S, or --samples N with --preset P")
        if self.epoch_seconds is not None and self.samples is not None:
            raise AdvisorError("give either --epoch-seconds or --samples, not both")
        if self.samples is not None and self.preset is None:
            raise AdvisorError("--samples needs --preset: the benchmark preset that resembles your model")
        if self.preset is not None and self.preset not in PRESETS:
            raise AdvisorError(f"--preset: unknown preset '{self.preset}'; choose one of: {', '.join(PRESETS)}")
