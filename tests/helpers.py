"""Builders of real Measurement records for tests that must not run JAX."""

from __future__ import annotations

import dataclasses

from benchmarks import Ceiling, Config, Environment, Fingerprint, Measurement, Timing


def make_environment(**changes) -> Environment:
    base = Environment(
        platform="cpu",
        device_kind="cpu",
        device_count=1,
        device_memory_bytes=None,
        host_cpu="Test CPU @ 2.00GHz",
        logical_cores=2,
        ram_bytes=8 << 30,
        os="Linux 6.1",
        python="3.11.7",
        versions={"jax": "0.10.2", "flax": "0.12.8"},
        in_colab=False,
        timestamp="2026-11-20T10:00:00+00:00",
        tool_version="0.1.0",
    )
    return dataclasses.replace(base, **changes)


def make_measurement(
    step: float = 0.01,
    device_step: float | None = None,
    spread: float = 0.0,
    preset: str = "medium",
    dtype: str = "float32",
    loss: float = 0.1058,
    **changes,
) -> Measurement:
    device_step = step * 0.9 if device_step is None else device_step
    samples = tuple(step * (1 + spread * k) for k in (-1, 0, 1, 0, 0))
    device_samples = tuple(device_step * (1 + spread * k) for k in (-1, 0, 1, 0, 0))
    environment = changes.pop("environment", None) or make_environment()
    base = Measurement(
        config=Config(preset=preset, dtype=dtype),
        environment=environment,
        batch_size=256,
        oom_retries=0,
        compile_seconds={"python": 0.3, "device": 0.35},
        python_loop=Timing("python", steps_per_sample=20, warmup_steps=40, samples=samples),
        device_loop=Timing("device", steps_per_sample=32, warmup_steps=32, samples=device_samples),
        flops_per_step=1.09e9,
        bytes_per_step=6.7e7,
        ceiling=Ceiling(matmul_flops_per_second=2.0e11, matmul_size=1024, copy_bytes_per_second=6.0e9,
                        copy_bytes=64 << 20),
        fingerprint=Fingerprint(steps=10, loss=loss),
        warnings=(),
    )
    return dataclasses.replace(base, **changes)
