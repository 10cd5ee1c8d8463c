"""The command line's defaults and rules, as named constants and small functions the CLI reads.

The CLI holds no policy of its own: what a flag defaults to, where the data folder and the user's
catalog live, how much standard input is read, which plot files can be written.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from benchmarks.config import DEFAULT_BUDGET_SECONDS, DEFAULT_PRESET, DTYPES, PRESETS, QUICK_BUDGET_SECONDS

from .errors import AdvisorError

APP_NAME = "colab-advisor"
HOME_VARIABLE = "COLAB_ADVISOR_HOME"
CATALOG_FILE = "catalog.toml"
DEFAULT_DTYPE = "float32"
DEFAULT_DEVICE = "auto"
# Presets whose first measurement takes minutes on a CPU rather than seconds.
SLOW_ON_CPU = ("large",)
STDIN_LIMIT_BYTES = 1024 * 1024
PLOT_SUFFIXES = (".png", ".svg", ".pdf")
# A recommendation's workload, where the user says nothing.
DEFAULT_RUNS_PER_MONTH = 4.0
DEFAULT_HOUR_VALUE = 10.0
DEFAULT_SETUP_MINUTES = 3.0
DEFAULT_MONTHS = 1

__all__ = [
    "APP_NAME",
    "CATALOG_FILE",
    "DEFAULT_BUDGET_SECONDS",
    "DEFAULT_DEVICE",
    "DEFAULT_DTYPE",
    "DEFAULT_HOUR_VALUE",
    "DEFAULT_MONTHS",
    "DEFAULT_PRESET",
    "DEFAULT_RUNS_PER_MONTH",
    "DEFAULT_SETUP_MINUTES",
    "DTYPES",
    "PRESETS",
    "QUICK_BUDGET_SECONDS",
    "SLOW_ON_CPU",
    "STDIN_LIMIT_BYTES",
    "check_plot_path",
    "data_home",
    "preset_or_default",
    "tax_rate_looks_like_a_fraction",
    "user_catalog",
]


def data_home(environ: Mapping[str, str], default: Path) -> Path:
    """The data folder: $COLAB_ADVISOR_HOME (with ~ expanded) or the platform's app folder."""
    override = environ.get(HOME_VARIABLE)
    if override is None or override == "":
        return default
    return Path(os.path.expanduser(override))


def user_catalog(home: Path, given: Path | None) -> Path | None:
    """The user's catalog: --catalog, else catalog.toml in the data folder when there is one."""
    if given is not None:
        return given
    default = home / CATALOG_FILE
    try:
        exists = default.exists()
    except OSError:
        return None
    if exists and not default.is_file():
        raise AdvisorError(f"{default} is not a regular file: move it away or make it a catalog file")
    return default if exists else None


def check_plot_path(path: Path) -> None:
    if path.is_dir():
        raise AdvisorError(f"--plot {path} is a folder; give a file name like costs.png")
    if path.suffix.lower() not in PLOT_SUFFIXES:
        raise AdvisorError(f"--plot {path}: give a file ending in {', '.join(PLOT_SUFFIXES)}")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise AdvisorError(f"--plot {path}: folder {parent} does not exist")


def tax_rate_looks_like_a_fraction(tax_rate: float | None) -> bool:
    """--tax-rate is a percentage; 0 < rate < 1 was probably meant as a fraction."""
    return tax_rate is not None and 0 < tax_rate < 1


def preset_or_default(preset: str | None) -> str:
    return preset or DEFAULT_PRESET
