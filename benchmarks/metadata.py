"""What machine a measurement ran on: host facts from the standard library, device facts from JAX."""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
from importlib import metadata as importlib_metadata
from typing import Any

from .result import Environment

PACKAGES = ("jax", "jaxlib", "flax", "optax", "numpy", "colab-advisor")


def host_cpu() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def ram_bytes() -> int | None:
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return None


def in_colab(environ: dict[str, str] | None = None) -> bool:
    environ = dict(os.environ) if environ is None else environ
    return "google.colab" in sys.modules or "COLAB_RELEASE_TAG" in environ or "COLAB_GPU" in environ


def package_versions() -> dict[str, str]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            continue
    return versions


def device_memory_bytes(device: Any) -> int | None:
    try:
        memory = device.memory_stats()
    except Exception:
        return None
    if not memory:
        return None
    limit = memory.get("bytes_limit")
    return int(limit) if limit else None


def describe(devices: list[Any], tool_version: str) -> Environment:
    first = devices[0]
    return Environment(
        platform=str(first.platform),
        device_kind=str(first.device_kind),
        device_count=len(devices),
        device_memory_bytes=device_memory_bytes(first),
        host_cpu=host_cpu(),
        logical_cores=os.cpu_count() or 1,
        ram_bytes=ram_bytes(),
        os=f"{platform.system()} {platform.release()}",
        python=platform.python_version(),
        versions=package_versions(),
        in_colab=in_colab(),
        timestamp=dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        tool_version=tool_version,
    )
