"""The Measurement record and its versioned JSON form.

Imports neither jax nor numpy: commands that only read results (recommend, compare, history)
must start without loading JAX. `from_dict` treats its input as untrusted: it checks types,
finiteness and ranges, and refuses anything it cannot vouch for with a one-line ResultError.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import math
from dataclasses import dataclass, field
from typing import Any

from . import stats
from .config import Config
from .interference import Interference
from .validation import (
    ResultError,
    first_line,
    loads,
    parse_instant,
)

SCHEMA_KIND = "colab-advisor/measurement"
SCHEMA_VERSION = 1
SCHEMA = f"{SCHEMA_KIND}/v{SCHEMA_VERSION}"

# A step whose python loop is this much slower than its device loop spends its time dispatching.
DISPATCH_BOUND_OVERHEAD_PCT = 30.0
LOOPS = ("python", "device")
# A device loop slower than this many times the python loop is no fair figure of the hardware:
# one dispatch per step did better, so no loop form that fuses steps beat it.
DEVICE_LOOP_TOLERANCE = 1.05
BOUNDS = ("compute", "memory", "dispatch", "unknown")


@dataclass(frozen=True)
class Timing:
    """Seconds per training step, one value per sample; each sample ran `steps_per_sample` steps."""

    loop: str
    steps_per_sample: int
    warmup_steps: int
    samples: tuple[float, ...]

    @property
    def median(self) -> float:
        return stats.median(self.samples)

    @property
    def mad(self) -> float:
        return stats.mad(self.samples)

    @property
    def mean(self) -> float:
        return stats.mean(self.samples)

    @property
    def std(self) -> float:
        return stats.std(self.samples)

    @property
    def min(self) -> float:
        return min(self.samples)

    @property
    def max(self) -> float:
        return max(self.samples)

    @property
    def relative_std(self) -> float:
        return stats.relative_std(self.samples)

    @property
    def sample_seconds(self) -> float:
        return self.median * self.steps_per_sample

    def summary(self) -> dict[str, float]:
        return {
            "median": self.median,
            "mad": self.mad,
            "mean": self.mean,
            "std": self.std,
            "min": self.min,
            "max": self.max,
        }


@dataclass(frozen=True)
class Ceiling:
    """What the same device and dtype reach on a large matmul and a large copy."""

    matmul_flops_per_second: float | None
    matmul_size: int
    copy_bytes_per_second: float | None
    copy_bytes: int

    @property
    def ridge_intensity(self) -> float | None:
        """FLOPs per byte above which a step can be compute-bound on this device."""
        if self.matmul_flops_per_second and self.copy_bytes_per_second:
            return self.matmul_flops_per_second / self.copy_bytes_per_second
        return None


@dataclass(frozen=True)
class Environment:
    platform: str
    device_kind: str
    device_count: int
    device_memory_bytes: int | None
    host_cpu: str
    logical_cores: int
    ram_bytes: int | None
    os: str
    python: str
    versions: dict[str, str]
    in_colab: bool
    timestamp: str  # UTC, ISO 8601
    tool_version: str

    @property
    def moment(self) -> dt.datetime:
        """When it was measured, in UTC: what orders records, whatever offset their text carries."""
        return parse_instant(self.timestamp) or dt.datetime.min.replace(tzinfo=dt.timezone.utc)

    @property
    def device_label(self) -> str:
        count = f"{self.device_count}x " if self.device_count > 1 else ""
        if self.platform == "cpu":
            # JAX calls every CPU "cpu"; the host's model name says more.
            return f"{count}CPU {self.host_cpu} ({self.logical_cores} logical cores)"
        return f"{count}{self.device_kind} ({self.platform})"


# How a fingerprint's starting point was drawn. Scheme 1: JAX's random numbers and Flax's
# initialisers, which change between releases. Scheme 2: parameters and data from NumPy's raw PCG64
# stream, the same under every release. Records without the field are scheme 1.
LEGACY_FINGERPRINT_SCHEME = 1
FINGERPRINT_SCHEME = 2
# Different hardware sums in different orders, and TPUs multiply float32 in bfloat16 passes by
# default; a few % covers that, a different model or batch it does not.
FINGERPRINT_REL_TOL = 0.02


@dataclass(frozen=True)
class Fingerprint:
    """Loss after `steps` steps from the fixed seed: equal on machines that compute the same thing."""

    steps: int
    loss: float
    scheme: int = LEGACY_FINGERPRINT_SCHEME

    def comparable_with(self, other: Fingerprint) -> bool:
        """Whether the two started from the same parameters and data, so their losses can be compared."""
        return self.steps == other.steps and self.scheme == other.scheme

    def agrees_with(self, other: Fingerprint, rel_tol: float = FINGERPRINT_REL_TOL) -> bool:
        return self.comparable_with(other) and math.isclose(self.loss, other.loss, rel_tol=rel_tol)


@dataclass(frozen=True)
class Measurement:
    config: Config
    environment: Environment
    batch_size: int  # what actually ran, after fitting to devices and memory
    oom_retries: int
    compile_seconds: dict[str, float]  # per loop
    python_loop: Timing
    device_loop: Timing
    flops_per_step: float | None
    bytes_per_step: float | None
    ceiling: Ceiling | None
    fingerprint: Fingerprint
    warnings: tuple[str, ...] = field(default=())
    # Other programs' share of the CPU over the timed loops; None in records made before it was kept.
    interference: Interference | None = None
    # The device loop ran slower than DEVICE_LOOP_TOLERANCE times the python loop: its figures are
    # not the hardware's, and the derived ones come from the python loop instead.
    device_loop_slower: bool = False

    # ---- derived figures -------------------------------------------------------------------
    @property
    def step_seconds(self) -> float:
        """What an ordinary training loop sees per step."""
        return self.python_loop.median

    @property
    def samples_per_second(self) -> float:
        return self.batch_size / self.python_loop.median

    @property
    def device_samples_per_second(self) -> float:
        return self.batch_size / self.device_loop.median

    @property
    def fastest_loop(self) -> Timing:
        """The loop whose figures say what the hardware reached: the device loop unless it was slower."""
        return self.python_loop if self.device_loop_slower else self.device_loop

    @property
    def dispatch_overhead_pct(self) -> float:
        python, device = self.python_loop.median, self.device_loop.median
        return max(0.0, (python - device) / python * 100.0)

    @property
    def achieved_flops_per_second(self) -> float | None:
        if self.flops_per_step is None:
            return None
        return self.flops_per_step / self.fastest_loop.median

    @property
    def arithmetic_intensity(self) -> float | None:
        if self.flops_per_step is None or not self.bytes_per_step:
            return None
        return self.flops_per_step / self.bytes_per_step

    @property
    def pct_of_matmul_ceiling(self) -> float | None:
        achieved = self.achieved_flops_per_second
        if achieved is None or self.ceiling is None or not self.ceiling.matmul_flops_per_second:
            return None
        return achieved / self.ceiling.matmul_flops_per_second * 100.0

    @property
    def bound(self) -> str:
        if self.dispatch_overhead_pct >= DISPATCH_BOUND_OVERHEAD_PCT:
            return "dispatch"
        intensity = self.arithmetic_intensity
        ridge = self.ceiling.ridge_intensity if self.ceiling else None
        if intensity is None or ridge is None:
            return "unknown"
        return "compute" if intensity >= ridge else "memory"

    @functools.cached_property
    def id(self) -> str:
        """Content address: the same record always gets the same id, on any machine."""
        # Cached: the record is frozen, and listing thousands of results asks for each id twice.
        canonical = json.dumps(self.to_dict(include_summary=False), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:10]

    # ---- JSON form -------------------------------------------------------------------------
    def to_dict(self, include_summary: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "schema": SCHEMA,
            "config": self.config.to_dict(),
            "environment": _plain(self.environment),
            "batch_size": self.batch_size,
            "oom_retries": self.oom_retries,
            "compile_seconds": dict(self.compile_seconds),
            "python_loop": _timing_dict(self.python_loop),
            "device_loop": _timing_dict(self.device_loop),
            "flops_per_step": self.flops_per_step,
            "bytes_per_step": self.bytes_per_step,
            "ceiling": _plain(self.ceiling) if self.ceiling else None,
            "fingerprint": _fingerprint_dict(self.fingerprint),
            "warnings": list(self.warnings),
        }
        if self.interference is not None:
            # Only when present: older records keep their content address.
            out["interference"] = _plain(self.interference)
        if self.device_loop_slower:
            out["device_loop_slower"] = True  # likewise only when set
        if include_summary:
            # Derived figures for readers of the JSON; from_dict recomputes them and ignores these.
            out["summary"] = {
                "step_seconds": self.step_seconds,
                "samples_per_second": self.samples_per_second,
                "dispatch_overhead_pct": self.dispatch_overhead_pct,
                "achieved_flops_per_second": self.achieved_flops_per_second,
                "pct_of_matmul_ceiling": self.pct_of_matmul_ceiling,
                "arithmetic_intensity": self.arithmetic_intensity,
                "bound": self.bound,
                "device_loop_slower": self.device_loop_slower,
                "python_loop": self.python_loop.summary(),
                "device_loop": self.device_loop.summary(),
            }
        return out

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)

    @classmethod
    def from_dict(cls, data: Any, now: dt.datetime | None = None) -> Measurement:
        """A record from elsewhere, checked field by field; `now` (UTC) bounds its timestamp."""
        try:
            from .record_form import parse_measurement

            return parse_measurement(data, now)
        except ResultError:
            raise
        except (ValueError, TypeError, OverflowError, RecursionError) as exc:
            # A check that itself trips over hostile data still refuses it, with one line.
            raise ResultError(f"not a valid result ({type(exc).__name__}: {first_line(exc)[:80]})") from None

    @classmethod
    def from_json(cls, text: str, now: dt.datetime | None = None) -> Measurement:
        return cls.from_dict(loads(text), now)


# ---- serialisation helpers --------------------------------------------------------------------
def _plain(obj: Any) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in obj.__dataclass_fields__}


def _fingerprint_dict(fingerprint: Fingerprint) -> dict[str, Any]:
    out = _plain(fingerprint)
    # Old records never had the field; leaving it out keeps their content address (the id) unchanged.
    if fingerprint.scheme == LEGACY_FINGERPRINT_SCHEME:
        del out["scheme"]
    return out


def _timing_dict(timing: Timing) -> dict[str, Any]:
    out = _plain(timing)
    out["samples"] = list(timing.samples)
    return out
