"""Reading a Measurement's JSON form: every field checked for type, finiteness and range.

Imports neither jax nor numpy, like result.py, whose `Measurement.from_dict` calls `parse_measurement`.
The generic checks live in validation.py; the plausible ranges of a measurement's figures live here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .interference import SOURCES as INTERFERENCE_SOURCES
from .interference import Interference
from .result import (
    LEGACY_FINGERPRINT_SCHEME,
    LOOPS,
    SCHEMA_KIND,
    SCHEMA_VERSION,
    Ceiling,
    Environment,
    Fingerprint,
    Measurement,
    Timing,
)
from .validation import (
    MAX_BATCH_SIZE,
    MAX_SAMPLES,
    MAX_STEPS,
    Reader,
    check_schema,
    parse_config,
    text_problem,
)

# Plausible ranges: wide enough for any real machine, narrow enough that derived figures stay finite.
MIN_STEP_SECONDS = 1e-10
MAX_STEP_SECONDS = 1e4
MAX_COMPILE_SECONDS = 1e5
MAX_PER_STEP = 1e21  # FLOPs or bytes of one step
MAX_RATE = 1e20  # FLOP/s or bytes/s of one device
MAX_DEVICES = 2**20
MAX_LOSS = 1e30
MAX_CORES = float(MAX_DEVICES)  # CPU seconds a process used per wall second
MAX_LOAD_AVERAGE = 1e6


def _parse_timing(reader: Reader, loop: str) -> Timing:
    samples = reader.get("samples")
    if not isinstance(samples, list) or not 1 <= len(samples) <= MAX_SAMPLES:
        raise reader.fail("samples", f"must be a list of 1 to {MAX_SAMPLES} numbers")
    for value in samples:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
            MIN_STEP_SECONDS <= value <= MAX_STEP_SECONDS
        ):
            raise reader.fail(
                "samples", f"must hold only step times from {MIN_STEP_SECONDS:g} to {MAX_STEP_SECONDS:g} s"
            )
    if reader.text("loop") != loop:
        raise reader.fail("loop", f"must be '{loop}'")
    return Timing(
        loop=loop,
        steps_per_sample=int(reader.integer("steps_per_sample", minimum=1)),  # type: ignore[arg-type]
        warmup_steps=int(reader.integer("warmup_steps")),  # type: ignore[arg-type]
        samples=tuple(float(v) for v in samples),
    )


def _parse_versions(reader: Reader) -> dict[str, str]:
    versions = reader.get("versions")
    if not isinstance(versions, dict) or len(versions) > 50 or not all(
        isinstance(k, str) and isinstance(v, str) and len(k) < 50 and len(v) < 100
        and text_problem(k) is None and text_problem(v) is None
        for k, v in versions.items()
    ):
        raise reader.fail("versions", "must map package names to version strings of printable text")
    return dict(versions)


def _parse_environment(reader: Reader, now: dt.datetime | None) -> Environment:
    return Environment(
        platform=reader.text("platform", max_length=20),
        device_kind=reader.text("device_kind"),
        device_count=int(reader.integer("device_count", minimum=1, maximum=MAX_DEVICES)),  # type: ignore[arg-type]
        device_memory_bytes=reader.integer("device_memory_bytes", minimum=1, optional=True),
        host_cpu=reader.text("host_cpu"),
        logical_cores=int(reader.integer("logical_cores", minimum=1, maximum=MAX_DEVICES)),  # type: ignore[arg-type]
        ram_bytes=reader.integer("ram_bytes", minimum=1, optional=True),
        os=reader.text("os"),
        python=reader.text("python", max_length=50),
        versions=_parse_versions(reader),
        in_colab=reader.flag("in_colab"),
        timestamp=reader.instant("timestamp", now),
        tool_version=reader.text("tool_version", max_length=40),
    )


def parse_measurement(data: Any, now: dt.datetime | None = None) -> Measurement:
    root = Reader(data, "")
    check_schema(root.get("schema"), SCHEMA_KIND, SCHEMA_VERSION)
    config = parse_config(root.get("config"))
    compile_reader = root.child("compile_seconds")
    compile_seconds = {
        loop: float(compile_reader.number(loop, high=MAX_COMPILE_SECONDS))  # type: ignore[arg-type]
        for loop in LOOPS
    }
    ceiling = None
    if root.get("ceiling") is not None:
        c = root.child("ceiling")
        ceiling = Ceiling(
            matmul_flops_per_second=c.number("matmul_flops_per_second", low=1.0, high=MAX_RATE, optional=True),
            matmul_size=int(c.integer("matmul_size", minimum=1)),  # type: ignore[arg-type]
            copy_bytes_per_second=c.number("copy_bytes_per_second", low=1.0, high=MAX_RATE, optional=True),
            copy_bytes=int(c.integer("copy_bytes", minimum=1)),  # type: ignore[arg-type]
        )
    fp = root.child("fingerprint")
    return Measurement(
        config=config,
        environment=_parse_environment(root.child("environment"), now),
        batch_size=int(root.integer("batch_size", minimum=1, maximum=MAX_BATCH_SIZE)),  # type: ignore[arg-type]
        oom_retries=int(root.integer("oom_retries", maximum=1000)),  # type: ignore[arg-type]
        compile_seconds=compile_seconds,
        python_loop=_parse_timing(root.child("python_loop"), "python"),
        device_loop=_parse_timing(root.child("device_loop"), "device"),
        flops_per_step=root.number("flops_per_step", high=MAX_PER_STEP, positive=True, optional=True),
        bytes_per_step=root.number("bytes_per_step", high=MAX_PER_STEP, positive=True, optional=True),
        ceiling=ceiling,
        fingerprint=Fingerprint(
            steps=int(fp.integer("steps", minimum=1, maximum=MAX_STEPS)),  # type: ignore[arg-type]
            loss=float(fp.number("loss", high=MAX_LOSS)),  # type: ignore[arg-type]
            scheme=int(fp.integer("scheme", minimum=1, maximum=1000, optional=True) or LEGACY_FINGERPRINT_SCHEME),
        ),
        warnings=root.text_list("warnings", max_items=50, max_length=500),
        interference=_parse_interference(root),
        device_loop_slower=root.data.get("device_loop_slower") is not None and root.flag("device_loop_slower"),
    )


def _parse_interference(root: Reader) -> Interference | None:
    if root.data.get("interference") is None:
        return None
    reader = root.child("interference")
    return Interference(
        others_cpu_share=float(reader.number("others_cpu_share", high=1.0)),  # type: ignore[arg-type]
        own_cores=float(reader.number("own_cores", high=MAX_CORES)),  # type: ignore[arg-type]
        load_average=reader.number("load_average", high=MAX_LOAD_AVERAGE, optional=True),
        source=reader.choice("source", INTERFERENCE_SOURCES),
        flagged=reader.flag("flagged"),
    )
