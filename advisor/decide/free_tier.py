"""Colab Free's GPU hours a month: unpublished, so a distribution built from what users reported.

Google publishes no free-tier limit (Colab FAQ, "usage limits"). Users report how long a free GPU
session lasted and how long they waited after hitting the limit; a month is then sessions x hours.
Each reading is kept with its source and date; the default figure is their log-normal summary, and
`--free-gpu-hours` replaces it with the user's own reading.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import date

from .uncertainty import Z90


@dataclass(frozen=True)
class FreeReading:
    """One report: hours of free GPU a session gave, and the days waited before the next one."""

    session_hours: float
    wait_days: float
    source: str
    as_of: str

    @property
    def monthly_hours(self) -> float:
        return self.session_hours * 30.4 / (1 + self.wait_days)


READINGS = (
    FreeReading(4.0, 0.5, "googlecolab/colabtools#1438 (about 4 h of training, then over 12 h without a GPU)",
                "2020-07"),
    FreeReading(3.0, 7.0, "googlecolab/colabtools#1407 and #1780 (limited for 7-8 days after a few hours)",
                "2020-12"),
    FreeReading(7.0, 1.0, "googlecolab/colabtools#2071 (6-8 h of rendering, then limited)", "2021-06"),
    FreeReading(1.0, 14.0, "googlecolab/colabtools#1523 (1 h, then no GPU for two weeks)", "2021-06"),
    FreeReading(3.33, 1.0, "Colab runtime panel on a free T4 ('this runtime will last 3h20m'); "
                "SociallyIneptWeeb/LanguageLeapAI#30 ('usually the next day you can use it again')", "2024-04"),
)


@dataclass(frozen=True)
class FreeHours:
    """A log-normal of Colab Free GPU hours a month: its median and sigma, from the readings."""

    median: float
    sigma: float
    readings: tuple[FreeReading, ...]

    @property
    def band(self) -> tuple[float, float]:
        spread = math.exp(Z90 * self.sigma)
        return self.median / spread, self.median * spread


def default_free_hours(as_of: date | None = None) -> FreeHours:
    """The readings' log-normal, from those reported by `as_of` (a decision dated in the past sees no
    later report); all of them where fewer than two were reported by then."""
    known = READINGS if as_of is None else tuple(r for r in READINGS if r.as_of <= as_of.isoformat()[:7])
    used = known if len(known) >= 2 else READINGS
    logs = [math.log(r.monthly_hours) for r in used]
    return FreeHours(math.exp(statistics.fmean(logs)), statistics.stdev(logs), used)
