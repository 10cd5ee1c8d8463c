"""Summary statistics of timing samples. Pure Python so records can be read without numpy."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

# pyperf's threshold: above this relative spread a single figure hides too much.
UNSTABLE_RELATIVE_STD = 0.10


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def mad(values: Sequence[float]) -> float:
    """Median absolute deviation: a spread that one outlier sample cannot inflate."""
    centre = statistics.median(values)
    return statistics.median(abs(v - centre) for v in values)


def mean(values: Sequence[float]) -> float:
    return statistics.fmean(values)


def std(values: Sequence[float]) -> float:
    return statistics.stdev(values) if len(values) > 1 else 0.0


def relative_std(values: Sequence[float]) -> float:
    centre = mean(values)
    return std(values) / centre if centre > 0 else math.inf


def round_significant(value: float, digits: int = 6) -> float:
    """Timer readings carry no more than ~6 significant digits; dropping the rest keeps tokens short."""
    if value == 0 or not math.isfinite(value):
        return value
    return float(f"{value:.{digits}g}")


def ratio_interval(
    numerator: Sequence[float], denominator: Sequence[float]
) -> tuple[float, float, float]:
    """Ratio of medians with a conservative band from each side's median +/- MAD-based spread.

    Returns (ratio, low, high). The band is wide on purpose: it answers "could the difference be
    noise?", not "what is the exact speedup?".
    """
    num, den = median(numerator), median(denominator)
    num_spread, den_spread = _spread(numerator), _spread(denominator)
    ratio = num / den
    low = max(num - num_spread, 0.0) / (den + den_spread)
    high = (num + num_spread) / max(den - den_spread, 1e-300)
    return ratio, low, high


def _spread(values: Sequence[float]) -> float:
    # 1.4826 * MAD estimates the standard deviation of normal data; two of them cover ~95 %.
    return 2 * 1.4826 * mad(values) if len(values) > 1 else 0.0
