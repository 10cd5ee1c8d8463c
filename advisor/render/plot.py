"""The `--plot` chart: monthly cost against runs a month, one line per plan. Needs matplotlib."""

from __future__ import annotations

from pathlib import Path

from ..decide.engine import Recommendation
from ..errors import AdvisorError, MissingExtra


def plot_costs(rec: Recommendation, costs_by_runs: dict[str, list[tuple[float, float]]], path: Path) -> None:
    """Monthly cost against runs per month for each plan, break-even marked. Needs matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise MissingExtra("--plot needs matplotlib: pip install 'colab-advisor[plot]'") from None
    figure, axes = plt.subplots(figsize=(7, 4.2))
    for label, points in costs_by_runs.items():
        axes.plot([r for r, _ in points], [c for _, c in points], label=label)
    if rec.break_even_runs is not None:
        axes.axvline(rec.break_even_runs, linestyle="--", color="grey")
        runs = f"{rec.break_even_runs:g} run{'' if rec.break_even_runs == 1 else 's'}"
        axes.annotate(f"break-even: {runs}", (rec.break_even_runs, 0),
                      textcoords="offset points", xytext=(4, 8), fontsize=8)
    axes.axvline(rec.workload.runs_per_month, linestyle=":", color="black")
    axes.set_xlabel("runs per month")
    axes.set_ylabel(f"USD per month ({rec.tax.heading})")
    axes.set_title(f"{rec.workload.model} model, {rec.workload.epochs} epochs a run; catalog as of {rec.as_of}")
    axes.legend(fontsize=8)
    figure.tight_layout()
    try:
        figure.savefig(path, dpi=120)
    except (OSError, ValueError) as exc:
        raise AdvisorError(f"--plot {path}: {getattr(exc, 'strerror', None) or exc}") from None
    finally:
        plt.close(figure)
