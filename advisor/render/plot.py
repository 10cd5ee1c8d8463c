"""The `--plot` chart: monthly cost against runs a month, one line per plan. Needs matplotlib."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..decide.engine import Recommendation
from ..errors import AdvisorError, MissingExtra
from .catalog import tax_heading
from .verdict import label


def plot_text(text: str) -> str:
    """Text as matplotlib draws it literally: a '$' in a plan name never starts a formula (mathtext),
    and a leading '_' never hides a line from the legend."""
    # Matplotlib reads text with an even number of unescaped '$' as a formula; escaped, there are none.
    escaped = text.replace("$", r"\$")
    return f" {escaped}" if escaped.startswith("_") else escaped


def plot_costs(rec: Recommendation, path: Path) -> None:
    """Money plus waiting a month against runs per month: this machine and each plan on the option
    the engine chose for it, break-evens marked. Needs matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise MissingExtra(
            "--plot needs matplotlib: pip install matplotlib (from a clone of colab-advisor: pip install '.[plot]')"
        ) from None
    # A user's matplotlibrc may hand text to LaTeX, which reads far more than '$' as markup.
    with matplotlib.rc_context({"text.usetex": False}):
        figure = _draw(plt, rec)
        try:
            figure.savefig(path, dpi=120)
        except (OSError, ValueError) as exc:
            raise AdvisorError(f"--plot {path}: {getattr(exc, 'strerror', None) or exc}") from None
        finally:
            plt.close(figure)


def _draw(plt: Any, rec: Recommendation) -> Any:
    figure, axes = plt.subplots(figsize=(7, 4.2))
    for key, points in rec.curves:
        option = rec.option(key)
        name = label(option) if option is not None else key
        axes.plot([r for r, _ in points], [c for _, c in points], label=plot_text(name))
    for answer in rec.plan_answers:
        runs = answer.break_even.runs_from
        if runs is None or answer.option is None:
            continue
        # Where the plan's line crosses the line of the option that costs nothing.
        axes.axvline(runs, linestyle="--", color="grey", linewidth=0.8)
        pays_off = f"{answer.plan.display_name} pays off: {runs:g} run{'' if runs == 1 else 's'}"
        axes.annotate(plot_text(pays_off), (runs, 0), xycoords=("data", "axes fraction"), textcoords="offset points",
                      xytext=(4, 8), fontsize=8, rotation=90)
    axes.axvline(rec.workload.runs_per_month, linestyle=":", color="black")
    axes.set_xlabel("runs per month")
    w = rec.workload
    # Two lines: on one the label outgrows the axis and is cut at both ends.
    axes.set_ylabel(plot_text(f"USD a month, expected:\nmoney ({tax_heading(rec.tax)}) + hours x ${w.hour_value:g}"))
    axes.set_title(plot_text(f"{w.model} model, {w.epochs} epochs a run; catalog as of {rec.as_of}"))
    axes.legend(fontsize=8)
    figure.tight_layout()
    return figure
