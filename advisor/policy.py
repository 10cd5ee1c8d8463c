"""The command line's defaults and rules, as named constants and small functions the CLI reads.

The CLI holds no policy of its own: what a flag defaults to, where the data folder and the user's
catalog live, how much standard input is read, which plot files can be written.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from benchmarks.config import DEFAULT_BUDGET_SECONDS, DEFAULT_PRESET, DTYPES, PRESETS, QUICK_BUDGET_SECONDS

from .files import check_new_file, expand_home

APP_NAME = "colab-advisor"
HOME_VARIABLE = "COLAB_ADVISOR_HOME"
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
    """The data folder: $COLAB_ADVISOR_HOME (`~` meaning a home, not a folder named `~`) or the
    platform's app folder."""
    override = environ.get(HOME_VARIABLE)
    if override is None or override == "":
        return default
    return expand_home(override)


def user_catalog(home: Path, given: Path | None) -> Path | None:
    """The user's catalog: --catalog, else catalog.toml in the data folder when there is one (anything
    else by that name is refused in one line)."""
    if given is not None:
        return given
    from pricing import user_catalog as catalog_in

    return catalog_in(home)


def replaced_warning(path: Path | None) -> str | None:
    """What to warn where a user's catalog replaces shipped accelerators (their figures are then the
    user's, not the sourced ones); None where it replaces none."""
    if path is None:
        return None
    from pricing.loader import replaced_accelerators

    from .render.usage import replaced_text

    keys = replaced_accelerators(path)
    return replaced_text(str(path), keys) if keys else None


def check_plot_path(path: Path) -> None:
    check_new_file(path, "--plot", PLOT_SUFFIXES)


def tax_rate_looks_like_a_fraction(tax_rate: float | None) -> bool:
    """--tax-rate is a percentage; 0.01 <= rate < 1 was probably meant as a fraction (0.19 for 19 %),
    while a rate below 0.01 read as a fraction would still be under 1 %: nothing to suggest."""
    return tax_rate is not None and 0.01 <= tax_rate < 1


def preset_or_default(preset: str | None) -> str:
    return preset or DEFAULT_PRESET
