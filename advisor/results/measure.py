"""`measure`: run the benchmark, keep the result, and never lose it to a bad path."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import benchmarks
from benchmarks import Config, Measurement
from benchmarks.config import DEFAULT_BUDGET_SECONDS, QUICK_BUDGET_SECONDS

from .. import __version__
from ..errors import AdvisorError
from ..files import atomic_write, check_new_file, not_saved, not_written, shown_path
from .store import Store


@dataclass(frozen=True)
class MeasureOutcome:
    measurement: Measurement
    saved_to: Path | None
    written_to: Path | None
    warnings: tuple[str, ...]


# A quick run still takes a median of several samples, so its figure is not one lucky timing.
QUICK_MIN_SAMPLES = 3


def measure_config(
    *, preset: str, batch_size: int | None, dtype: str, device: str, budget: float | None, quick: bool
) -> Config:
    """The benchmark configuration `measure` runs: `--quick` trades samples for time."""
    if budget is None:
        budget = QUICK_BUDGET_SECONDS if quick else DEFAULT_BUDGET_SECONDS
    extra = {"min_samples": QUICK_MIN_SAMPLES} if quick else {}
    return Config(preset=preset, batch_size=batch_size, dtype=dtype, device=device, budget_seconds=budget, **extra)


def check_output_path(output: Path, home: Path | None = None) -> None:
    """Refuse a bad --output before minutes of measuring, not after; and one inside the data folder's
    stored results (`home`), which would overwrite a saved measurement or sit among them as a copy."""
    check_new_file(output, "--output")
    if home is not None:
        results = Store(home).results
        try:
            inside = Path(output).resolve().is_relative_to(results.resolve())
        except (OSError, RuntimeError, ValueError):
            inside = False
        if inside:
            raise AdvisorError(f"--output {shown_path(Path(output))}: that is the folder of stored results "
                               f"({shown_path(results)}); write the copy somewhere else")


def measure(
    config: Config,
    *,
    store: Store | None,
    output: Path | None = None,
    progress: Callable[[str, float], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    home: Path | None = None,
) -> MeasureOutcome:
    """Run and keep the result; `should_stop` (Ctrl-C) is asked between samples and once more before
    anything is written, so an interrupted run raises benchmarks.Interrupted and leaves no file. `home`
    (the data folder, saved to or not) keeps --output away from the stored results."""
    if output is not None:
        check_output_path(output, home if home is not None else (store.home if store is not None else None))
    measurement = benchmarks.run(config, progress=progress, tool_version=__version__, should_stop=should_stop)
    if should_stop is not None and should_stop():
        raise benchmarks.Interrupted("the run was interrupted before its result was saved")
    warnings = []
    written_to = None
    if output is not None:
        try:
            atomic_write(output, measurement.to_json())
            written_to = output
        except (OSError, RecursionError) as exc:
            warnings.append(str(not_written(exc, output, "--output")))
    saved_to = None
    if store is not None:
        try:
            saved_to = store.save(measurement)
        except (OSError, RecursionError) as exc:
            # Whatever the data folder does, the figure just measured is still shown.
            warnings.append(str(not_saved(exc, store.home, shown=True)))
    return MeasureOutcome(measurement, saved_to, written_to, tuple(warnings))


def first_measurement(
    store: Store, preset: str | None, progress: Callable[[str, float], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> MeasureOutcome:
    """A quick measurement of this machine, saved, for a command that needs one and finds none."""
    from benchmarks import DEFAULT_PRESET

    config = measure_config(preset=preset or DEFAULT_PRESET, batch_size=None, dtype="float32", device="auto",
                            budget=None, quick=True)
    return measure(config, store=store, progress=progress, should_stop=should_stop)
