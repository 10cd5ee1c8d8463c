"""The Measurement record and its versioned JSON form.

Imports neither jax nor numpy: commands that only read results (recommend, compare, history)
must start without loading JAX. `from_dict` treats its input as untrusted: it checks types,
finiteness and ranges, and refuses anything it cannot vouch for with a one-line ResultError.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from . import stats
from .config import BenchmarkError, Config

SCHEMA_KIND = "colab-advisor/measurement"
SCHEMA_VERSION = 1
SCHEMA = f"{SCHEMA_KIND}/v{SCHEMA_VERSION}"

# A step whose python loop is this much slower than its device loop spends its time dispatching.
DISPATCH_BOUND_OVERHEAD_PCT = 30.0
LOOPS = ("python", "device")
BOUNDS = ("compute", "memory", "dispatch", "unknown")


class ResultError(BenchmarkError):
    """A result file or token that cannot be accepted; the message is one line."""


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
    def dispatch_overhead_pct(self) -> float:
        python, device = self.python_loop.median, self.device_loop.median
        return max(0.0, (python - device) / python * 100.0)

    @property
    def achieved_flops_per_second(self) -> float | None:
        if self.flops_per_step is None:
            return None
        return self.flops_per_step / self.device_loop.median

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

    @property
    def id(self) -> str:
        """Content address: the same record always gets the same id, on any machine."""
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
                "python_loop": self.python_loop.summary(),
                "device_loop": self.device_loop.summary(),
            }
        return out

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)

    @classmethod
    def from_dict(cls, data: Any) -> Measurement:
        return _parse_measurement(data)

    @classmethod
    def from_json(cls, text: str) -> Measurement:
        try:
            data = json.loads(text, parse_constant=_reject_constant)
        except (ValueError, RecursionError) as exc:
            raise ResultError(f"not a valid result: the JSON does not parse ({_first_line(exc)})") from None
        return cls.from_dict(data)


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


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a finite number")


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


# ---- validation of untrusted input ------------------------------------------------------------
def _printable(text: str) -> bool:
    # Records are shown in terminals: escape sequences from elsewhere must not reach them.
    return not any(ord(c) < 32 or 127 <= ord(c) < 160 for c in text)


class _Reader:
    """Reads typed fields out of a mapping, naming the full path of any field it refuses."""

    def __init__(self, data: Any, path: str) -> None:
        if not isinstance(data, dict):
            raise ResultError(f"not a valid result: '{path or 'record'}' must be an object")
        self.data, self.path = data, path

    def _where(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def _fail(self, key: str, expected: str) -> ResultError:
        return ResultError(f"not a valid result: field '{self._where(key)}' {expected}")

    def get(self, key: str) -> Any:
        if key not in self.data:
            raise ResultError(f"not a valid result: field '{self._where(key)}' is missing")
        return self.data[key]

    def number(self, key: str, *, positive: bool = False, optional: bool = False) -> float | None:
        value = self.data.get(key) if optional else self.get(key)
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise self._fail(key, "must be a finite number")
        if positive and value <= 0:
            raise self._fail(key, "must be positive")
        if not positive and value < 0:
            raise self._fail(key, "must not be negative")
        return float(value)

    def integer(self, key: str, *, minimum: int = 0, optional: bool = False) -> int | None:
        value = self.data.get(key) if optional else self.get(key)
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self._fail(key, f"must be an integer >= {minimum}")
        return value

    def text(self, key: str, *, max_length: int = 200) -> str:
        value = self.get(key)
        if not isinstance(value, str) or len(value) > max_length:
            raise self._fail(key, f"must be a string of at most {max_length} characters")
        if not _printable(value):
            raise self._fail(key, "must not hold control characters")
        return value

    def instant(self, key: str) -> str:
        value = self.text(key, max_length=40)
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            raise self._fail(key, "must be an ISO 8601 time with a UTC offset, like 2026-11-26T23:34:08+00:00")
        return value

    def flag(self, key: str) -> bool:
        value = self.get(key)
        if not isinstance(value, bool):
            raise self._fail(key, "must be true or false")
        return value

    def child(self, key: str) -> _Reader:
        return _Reader(self.get(key), self._where(key))


def _check_schema(value: Any) -> None:
    match = re.fullmatch(rf"{re.escape(SCHEMA_KIND)}/v(\d+)", value) if isinstance(value, str) else None
    if match is None:
        raise ResultError(f"not a colab-advisor measurement (schema {value!r}, expected {SCHEMA!r})")
    version = int(match.group(1))
    if version > SCHEMA_VERSION:
        raise ResultError(
            f"this result was made by a newer colab-advisor (schema v{version}, this one reads "
            f"v{SCHEMA_VERSION}): upgrade colab-advisor"
        )


def _parse_timing(reader: _Reader, loop: str) -> Timing:
    samples = reader.get("samples")
    if not isinstance(samples, list) or not 1 <= len(samples) <= 10_000:
        raise reader._fail("samples", "must be a list of 1 to 10000 numbers")
    for value in samples:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
            raise reader._fail("samples", "must hold only positive finite numbers")
    if reader.text("loop") != loop:
        raise reader._fail("loop", f"must be '{loop}'")
    return Timing(
        loop=loop,
        steps_per_sample=int(reader.integer("steps_per_sample", minimum=1)),  # type: ignore[arg-type]
        warmup_steps=int(reader.integer("warmup_steps")),  # type: ignore[arg-type]
        samples=tuple(float(v) for v in samples),
    )


def _parse_environment(reader: _Reader) -> Environment:
    versions = reader.get("versions")
    if not isinstance(versions, dict) or len(versions) > 50 or not all(
        isinstance(k, str) and isinstance(v, str) and len(k) < 50 and len(v) < 100 and _printable(k + v)
        for k, v in versions.items()
    ):
        raise reader._fail("versions", "must map package names to version strings")
    return Environment(
        platform=reader.text("platform", max_length=20),
        device_kind=reader.text("device_kind"),
        device_count=int(reader.integer("device_count", minimum=1)),  # type: ignore[arg-type]
        device_memory_bytes=reader.integer("device_memory_bytes", minimum=1, optional=True),
        host_cpu=reader.text("host_cpu"),
        logical_cores=int(reader.integer("logical_cores", minimum=1)),  # type: ignore[arg-type]
        ram_bytes=reader.integer("ram_bytes", minimum=1, optional=True),
        os=reader.text("os"),
        python=reader.text("python", max_length=50),
        versions=dict(versions),
        in_colab=reader.flag("in_colab"),
        timestamp=reader.instant("timestamp"),
        tool_version=reader.text("tool_version", max_length=40),
    )


def _parse_measurement(data: Any) -> Measurement:
    root = _Reader(data, "")
    _check_schema(root.get("schema"))
    config_data = root.get("config")
    if not isinstance(config_data, dict):
        raise root._fail("config", "must be an object")
    try:
        config = Config.from_dict(config_data)
    except (BenchmarkError, TypeError) as exc:
        raise ResultError(f"not a valid result: field 'config': {_first_line(exc)}") from None
    compile_reader = root.child("compile_seconds")
    compile_seconds = {loop: float(compile_reader.number(loop)) for loop in LOOPS}  # type: ignore[arg-type]
    ceiling = None
    if root.get("ceiling") is not None:
        c = root.child("ceiling")
        ceiling = Ceiling(
            matmul_flops_per_second=c.number("matmul_flops_per_second", positive=True, optional=True),
            matmul_size=int(c.integer("matmul_size", minimum=1)),  # type: ignore[arg-type]
            copy_bytes_per_second=c.number("copy_bytes_per_second", positive=True, optional=True),
            copy_bytes=int(c.integer("copy_bytes", minimum=1)),  # type: ignore[arg-type]
        )
    fp = root.child("fingerprint")
    warnings = root.get("warnings")
    if not isinstance(warnings, list) or len(warnings) > 50 or not all(
        isinstance(w, str) and len(w) <= 500 and _printable(w) for w in warnings
    ):
        raise root._fail("warnings", "must be a list of short strings")
    return Measurement(
        config=config,
        environment=_parse_environment(root.child("environment")),
        batch_size=int(root.integer("batch_size", minimum=1)),  # type: ignore[arg-type]
        oom_retries=int(root.integer("oom_retries")),  # type: ignore[arg-type]
        compile_seconds=compile_seconds,
        python_loop=_parse_timing(root.child("python_loop"), "python"),
        device_loop=_parse_timing(root.child("device_loop"), "device"),
        flops_per_step=root.number("flops_per_step", positive=True, optional=True),
        bytes_per_step=root.number("bytes_per_step", positive=True, optional=True),
        ceiling=ceiling,
        fingerprint=Fingerprint(
            steps=int(fp.integer("steps", minimum=1)),  # type: ignore[arg-type]
            loss=float(fp.number("loss")),  # type: ignore[arg-type]
            scheme=int(fp.integer("scheme", minimum=1, optional=True) or LEGACY_FINGERPRINT_SCHEME),
        ),
        warnings=tuple(warnings),
    )
