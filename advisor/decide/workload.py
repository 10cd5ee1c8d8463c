"""The workload a recommendation is for: what the user trains, how often, and what their time is worth."""

from __future__ import annotations

import math
from dataclasses import dataclass

from benchmarks import DEFAULT_PRESET, PRESETS

from ..errors import AdvisorError
from ..policy import DEFAULT_HOUR_VALUE, DEFAULT_MONTHS, DEFAULT_RUNS_PER_MONTH, DEFAULT_SETUP_MINUTES

__all__ = ["DEFAULT_HOUR_VALUE", "DEFAULT_MONTHS", "DEFAULT_RUNS_PER_MONTH", "DEFAULT_SETUP_MINUTES", "LIMITS",
           "Workload"]

MODELS = ("deep", "boosting")
# With no sizing flag an epoch is an MNIST-sized pass: 60,000 samples of the measured preset.
DEFAULT_EPOCH_SAMPLES = 60_000
# A month of wall-clock time: 365.25 days * 24 h / 12.
HOURS_PER_MONTH = 730.5

# Upper bounds of every numeric input: past them a figure is a typo or an attack, not a workload.
LIMITS = {
    "--epochs": 100_000,
    "--epoch-seconds": 30 * 24 * 3600.0,  # a month-long epoch
    "--samples": 10**10,
    "--runs-per-month": 10_000,
    "--hour-value": 10_000.0,
    "--ram-gb": 10_000.0,
    "--setup-minutes": 12 * 60.0,
    "--months": 36,
    "--free-gpu-hours": HOURS_PER_MONTH,
}


# Lower bounds of the figures that must be above 0: smaller ones are typos (a microsecond epoch), and
# they would turn ratios into overflows.
SMALLEST = {"--epoch-seconds": 1e-3, "--runs-per-month": 1e-3, "--ram-gb": 1e-3}
WHOLE = ("--epochs", "--months")  # counted in whole units


def _check_number(flag: str, value: float | int | None, *, strictly_positive: bool) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        raise AdvisorError(f"{flag}: expected a number, got {value!r}")
    limit = LIMITS[flag]
    smallest = SMALLEST.get(flag)
    low_ok = (value >= smallest if smallest else value > 0) if strictly_positive else value >= 0
    if not low_ok or value > limit:
        low = (f"{smallest:g}" if smallest else "above 0") if strictly_positive else "0"
        kind = "a whole number" if flag in WHOLE else "a number"
        if flag in WHOLE:
            low = "1"
        # A figure too large for a float arrives as inf: say what it was, not a word the user never typed.
        got = (("a negative number" if value < 0 else "a number") + " too large to hold") if math.isinf(value) \
            else f"{value:g}"
        raise AdvisorError(f"{flag}: expected {kind} from {low} to {_plain(limit)}, got {got}")


def _plain(value: float) -> str:
    """10000 -> '10,000', 730.5 -> '730.5': a bound as a person writes it."""
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,}"


@dataclass(frozen=True)
class Workload:
    """One training job and how often it runs. Sizes: `epoch_seconds` timed here, or `samples` of a
    `preset`; with neither, the default is DEFAULT_EPOCH_SAMPLES of the measured preset."""

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
    months: int = DEFAULT_MONTHS
    free_gpu_hours: float | None = None  # the user's own reading of Colab's free GPU time a month
    named: str | None = None  # a well-known workload (--workload): its own speed ratios, not the AutoEncoder's

    def __post_init__(self) -> None:
        if self.model not in MODELS:
            raise AdvisorError(f"--model: expected one of {', '.join(MODELS)}, got '{self.model}'")
        for flag, value, strictly in (
            ("--epochs", self.epochs, True),
            ("--epoch-seconds", self.epoch_seconds, True),
            ("--samples", self.samples, True),
            ("--runs-per-month", self.runs_per_month, True),
            ("--hour-value", self.hour_value, False),
            ("--ram-gb", self.ram_gb, True),
            ("--setup-minutes", self.setup_minutes, False),
            ("--months", self.months, True),
            ("--free-gpu-hours", self.free_gpu_hours, False),
        ):
            _check_number(flag, value, strictly_positive=strictly)
        for name in ("hour_value", "setup_minutes", "free_gpu_hours"):  # a typed -0 is 0, never shown as '-0'
            if getattr(self, name) == 0:
                object.__setattr__(self, name, 0.0)
        if int(self.epochs) != self.epochs:
            raise AdvisorError(f"--epochs: expected a whole number, got {self.epochs:g}")
        if int(self.months) != self.months:
            raise AdvisorError(f"--months: expected a whole number, got {self.months:g}")
        if self.epoch_seconds is not None and self.samples is not None:
            raise AdvisorError("give either --epoch-seconds or --samples, not both")
        if self.samples is not None and self.preset is None and self.named is None:
            raise AdvisorError("--samples needs --preset (the benchmark preset that resembles your model) or "
                               "--workload NAME")
        if self.named is not None and self.preset is not None:
            raise AdvisorError("give --workload or --preset, not both")
        if self.named is not None and self.model == "boosting":
            raise AdvisorError("--workload goes with --model deep: a boosting model is compared on CPUs")
        if self.preset is not None and self.preset not in PRESETS:
            raise AdvisorError(f"--preset: unknown preset '{self.preset}'; choose one of: {', '.join(PRESETS)}")

    @property
    def sized_by_default(self) -> bool:
        """No sizing flag: the epoch is DEFAULT_EPOCH_SAMPLES of the measured preset."""
        return self.epoch_seconds is None and self.samples is None

    @property
    def epoch_samples(self) -> int | None:
        if self.samples is not None:
            return self.samples
        return DEFAULT_EPOCH_SAMPLES if self.sized_by_default else None

    def preset_or(self, measured: str | None) -> str:
        """The preset that sizes a step: the user's, else the measured one, else the default."""
        return self.preset or measured or DEFAULT_PRESET
