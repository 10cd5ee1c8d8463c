"""Uncertain figures as distributions, drawn together.

Every uncertain input is a log-normal factor around its central figure, drawn from one seeded stream
per *error group*: figures that share an assumption share a group, so they move together in every
draw and the assumption cancels when two options are compared. This machine's step is one group,
each predictor error group is one, a measurement made in Colab is one, and Colab Free's hours a month
are one. The same draws serve every option, every number of runs and every hour value, so the
answer is deterministic for given inputs.

The widths come from measured error: the spread of this machine's repeated timings and their
run-to-run scatter, the predictor's validation error, the spread of the free-tier readings.
"""

from __future__ import annotations

import math
import statistics
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# A 10-90 % band of a log-normal spans exp(+-Z90 x sigma).
Z90 = 1.2815515655446004
DRAWS = 512
SEED = 20_26_11_30

# Run-to-run scatter of one machine's step time, as a log-normal sigma: six fresh quick measurements
# of one 2-core machine spanned 12.2-16.5 ms; the expected range of six normal draws is 2.53 sigma, so
# sigma = ln(16.5 / 12.2) / 2.53 = 0.12. A later run differs from one earlier run by sqrt(2) times that.
RUN_TO_RUN_SIGMA = 0.12
# A MAD of normal data is 0.6745 sigma.
MAD_TO_SIGMA = 1.4826
# Other programs took this share of the CPU while the loops ran: each 10 % of it widens the figure by
# 0.1 in log terms. A run at 78 % interference gave 4.7x where a quiet one minutes later gave 1.8x, a
# factor of 2.6 = exp(0.96): a sigma of about the share itself covers it at the 10-90 % level.
INTERFERENCE_SIGMA_PER_SHARE = 1.0

LOCAL_GROUP = "local"
FREE_HOURS_GROUP = "free-hours"


@dataclass(frozen=True)
class ErrorTerm:
    """A figure's uncertainty: a log-normal sigma, and the group whose draw it shares."""

    group: str
    sigma: float

    def band(self, centre: float) -> tuple[float, float]:
        spread = math.exp(Z90 * self.sigma)
        return centre / spread, centre * spread


def sigma_from_band(centre: float, low: float, high: float) -> float:
    """The sigma whose 10-90 % band is the wider side of (low, high) around centre."""
    if centre <= 0 or low <= 0 or high <= 0:
        return 0.0
    return max(math.log(high / centre), math.log(centre / low), 0.0) / Z90


def timing_sigma(median: float, mad: float) -> float:
    """The within-run spread of one measurement's timings, as a log sigma."""
    return MAD_TO_SIGMA * mad / median if median > 0 else 0.0


def local_sigma(medians: Sequence[float], within: Sequence[float], interference: Sequence[float]) -> float:
    """How far the next run of this machine may fall from the figure made of `medians`.

    Between runs: the scatter of the stored medians where there are three or more, else the
    machine-typical RUN_TO_RUN_SIGMA; the figure is their median, so a new run differs from it by
    sqrt(1 + 1/n) of that scatter. Within runs: each run's own timing spread, averaged. Interference:
    the largest share of the CPU other programs took during any of the runs.
    """
    n = len(medians)
    if n >= 3:
        logs = [math.log(m) for m in medians if m > 0]
        between = max(statistics.stdev(logs), RUN_TO_RUN_SIGMA / 2) if len(logs) >= 3 else RUN_TO_RUN_SIGMA
    else:
        between = RUN_TO_RUN_SIGMA
    spread = between * math.sqrt(1 + 1 / max(n, 1))
    own = math.sqrt(sum(w * w for w in within) / max(len(within), 1)) / math.sqrt(max(n, 1))
    busy = max(interference, default=0.0) * INTERFERENCE_SIGMA_PER_SHARE
    return math.sqrt(spread * spread + own * own + busy * busy)


class Draws:
    """Seeded standard-normal draws, one array per error group, the same for every option."""

    def __init__(self, count: int = DRAWS, seed: int = SEED) -> None:
        self.count = count
        self.seed = seed
        self._normals: dict[str, np.ndarray] = {}

    def normal(self, group: str) -> np.ndarray:
        if group not in self._normals:
            # Each group's stream depends on its name alone: adding an option never moves another's draws.
            rng = np.random.default_rng([self.seed, zlib.crc32(group.encode())])
            z = rng.standard_normal(self.count)
            self._normals[group] = z - z.mean()  # centred: the median draw is the central figure
        return self._normals[group]

    def factor(self, terms: ErrorTerm | Sequence[ErrorTerm]) -> np.ndarray:
        """Multiplicative factors exp(sum of sigma x z) over the terms' groups."""
        log = np.zeros(self.count)
        for term in (terms,) if isinstance(terms, ErrorTerm) else terms:
            if term.sigma > 0:
                log = log + term.sigma * self.normal(term.group)
        return np.exp(log)


Errors = tuple[ErrorTerm, ...]


def band(values: np.ndarray) -> tuple[float, float]:
    """The 10-90 % range of draws."""
    low, high = np.percentile(values, [10, 90])
    return float(low), float(high)
