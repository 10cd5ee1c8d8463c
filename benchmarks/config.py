"""Benchmark presets and the run configuration. Pure Python: no jax, no numpy."""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass
from typing import Any

DTYPES = ("float32", "bfloat16", "float16")
DEVICES = ("auto", "cpu", "gpu", "tpu")

# A sample shorter than this is dominated by timer and dispatch jitter.
MIN_SAMPLE_SECONDS = 0.1
DEFAULT_BUDGET_SECONDS = 6.0
QUICK_BUDGET_SECONDS = 1.0
MAX_BUDGET_SECONDS = 3600.0


class BenchmarkError(Exception):
    """A problem the user can fix (bad preset, absent device, ...); carries a one-line message."""


class Interrupted(Exception):
    """The caller asked a run to stop (Ctrl-C); raised at a point where no JAX call is in flight."""


@dataclass(frozen=True)
class Preset:
    """One AutoEncoder shape. `dense` presets encode with Linear layers, `conv` ones with Conv."""

    name: str
    kind: str  # "dense" or "conv"
    description: str
    features: int  # input width (dense) or image side (conv, square, one channel)
    hidden: tuple[int, ...]  # encoder widths (dense) or channels (conv); decoder mirrors them
    latent: int
    batch_size: int
    # Steps fused into one dispatch in the device loop; also the number of distinct batches.
    steps_per_dispatch: int
    learning_rate: float = 1e-3

    def input_shape(self, batch_size: int) -> tuple[int, ...]:
        if self.kind == "conv":
            return (batch_size, self.features, self.features, 1)
        return (batch_size, self.features)

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["hidden"] = list(self.hidden)
        return out


PRESETS: dict[str, Preset] = {
    preset.name: preset
    for preset in (
        Preset(
            name="small",
            kind="dense",
            description="tabular-sized dense AE, 64-32-8-32-64 (dispatch-bound on most hardware)",
            features=64,
            hidden=(32,),
            latent=8,
            batch_size=256,
            steps_per_dispatch=64,
        ),
        Preset(
            name="medium",
            kind="dense",
            description="MNIST-sized dense AE, 784-512-32-512-784",
            features=784,
            hidden=(512,),
            latent=32,
            batch_size=256,
            steps_per_dispatch=16,
        ),
        Preset(
            name="large",
            kind="dense",
            description="compute-heavy dense AE, 784-4096x3-256-4096x3-784 (made for accelerators)",
            features=784,
            hidden=(4096, 4096, 4096),
            latent=256,
            batch_size=4096,
            steps_per_dispatch=8,
        ),
        Preset(
            name="conv",
            kind="conv",
            description="convolutional AE on 28x28 images, 2 strided convs + mirrored transposed convs",
            features=28,
            hidden=(32, 64),
            latent=32,
            batch_size=256,
            steps_per_dispatch=8,
        ),
    )
}
DEFAULT_PRESET = "medium"


def _choose(value: str, options: tuple[str, ...] | list[str], what: str) -> str:
    if value in options:
        return value
    close = difflib.get_close_matches(value, options, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    raise BenchmarkError(f"unknown {what} '{value}'{hint}; choose one of: {', '.join(options)}")


@dataclass(frozen=True)
class Config:
    """Everything that decides what a run measures. Stored whole in every result."""

    preset: str = DEFAULT_PRESET
    batch_size: int | None = None  # None: the preset's
    dtype: str = "float32"
    device: str = "auto"
    budget_seconds: float = DEFAULT_BUDGET_SECONDS
    seed: int = 0
    fingerprint_steps: int = 10
    warmup_steps: int = 3
    min_samples: int = 5
    max_samples: int = 50
    probe_ceiling: bool = True

    def __post_init__(self) -> None:
        _choose(self.preset, list(PRESETS), "preset")
        _choose(self.dtype, DTYPES, "dtype")
        _choose(self.device, DEVICES, "device")
        if self.batch_size is not None and self.batch_size <= 0:
            raise BenchmarkError(f"batch size must be a positive integer, got {self.batch_size}")
        if not 0 < self.budget_seconds <= MAX_BUDGET_SECONDS:
            raise BenchmarkError(
                f"budget must be a positive number of seconds up to {MAX_BUDGET_SECONDS:g}, got {self.budget_seconds}"
            )
        if self.fingerprint_steps <= 0 or self.min_samples <= 0 or self.max_samples < self.min_samples:
            raise BenchmarkError("fingerprint steps and sample counts must be positive")

    @property
    def preset_spec(self) -> Preset:
        return PRESETS[self.preset]

    @property
    def effective_batch_size(self) -> int:
        return self.batch_size if self.batch_size is not None else self.preset_spec.batch_size

    def to_dict(self) -> dict[str, Any]:
        # Every field is a plain scalar: a flat copy, without asdict's deep copies.
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Config:
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})
