"""The answer at other volumes: from how many runs a month, and above which hour value, a plan pays
off; and what a month costs against runs, for the plot. The same draws as the answer itself."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .options import LOCAL, Candidate, Option, Scenario
from .workload import HOURS_PER_MONTH, LIMITS

BREAK_EVEN_MAX_RUNS = int(LIMITS["--runs-per-month"])
CURVE_POINTS = 60
# How finely a break-even volume is stated, in runs a month (`--runs-per-month` takes fractions).
RUNS_STEP = 0.01
# Expected values are compared to the cent, as the choice ranks them: a plan pays off only where it is a
# cent or more ahead.
TIE_USD = 0.005


def volume_grid(top: int) -> np.ndarray:
    """Run counts to look at: every count up to 24, then about 8 % apart, up to `top`; crossings between
    two of them are found to the exact run by bisection."""
    small = np.arange(1, min(top, 24) + 1, dtype=float)
    if top <= 24:
        return small
    large = np.unique(np.round(np.geomspace(24, top, 80)))
    return np.unique(np.concatenate([small, large]))


class Scan:
    """Expected values of a plan's option and of the best free option at many volumes, with the same draws.

    `free` are the options that cost nothing and that no volume-independent blocker rules out (RAM,
    memory, an unknown speed or price): at another volume, one that is over its quota here may fit.
    """

    def __init__(self, scenario: Scenario, option: Candidate | None, free: Sequence[Candidate],
                 local_ok: bool = True, alternatives: Sequence[Candidate] = ()) -> None:
        self.scenario = scenario
        self.option = option
        self.free = free
        self.local_ok = local_ok
        # The plan's other accelerators: at another volume another of them may be its best, so the
        # plan pays off from the first volume at which any of them beats the free options.
        self.alternatives = alternatives

    def expected(self, candidate: Candidate | None, runs: np.ndarray) -> np.ndarray:
        """Mean value at each volume; -inf where the option cannot do the month (centre past a
        month's hours, or never within its free quota)."""
        s = self.scenario
        if candidate is None:
            values = np.zeros((len(runs), s.draws.count))
            central = s.local_run_centre
        else:
            got = s.value_at(candidate, runs)
            timed = s.run_draws(candidate)
            if got is None or timed is None:
                return np.full(len(runs), -np.inf)
            values = got
            central_run = s.run_draws(candidate, central=True)
            assert central_run is not None
            central = float(central_run[0][0])
            quota = s.quota_draws(candidate.plan, candidate.accelerator)  # type: ignore[arg-type]
            if quota is not None:
                if float(np.ptp(quota)) > 0:  # uncertain (Colab Free): out only where no draw fits
                    fits = (runs[:, None] * timed[0][None, :] <= quota[None, :] + 1e-9).any(axis=1)
                else:  # published or given: the central month decides, as for the option itself
                    fits = runs * central <= quota[0] + 1e-9
                values = np.where(fits[:, None], values, -np.inf)
        mean = values.mean(axis=1)
        return np.where(runs * central > HOURS_PER_MONTH, -np.inf, mean)

    def gap(self, runs: np.ndarray) -> np.ndarray:
        """Expected value of the plan's option less the best free option's, per volume (+inf where
        nothing free can do the month at all, -inf where the option cannot)."""
        mine = np.max(np.vstack([self.expected(self.option, runs),
                                 *(self.expected(c, runs) for c in self.alternatives)]), axis=0)
        here = self.expected(None, runs) if self.local_ok else np.full(len(runs), -np.inf)
        theirs = np.max(np.vstack([here, *(self.expected(c, runs) for c in self.free)]), axis=0)
        with np.errstate(invalid="ignore"):
            gap = np.round(mine, 2) - np.round(theirs, 2)
        gap = np.where(np.isneginf(mine), -np.inf, gap)
        return np.where(np.isneginf(theirs) & ~np.isneginf(mine), np.inf, gap)

    def pays(self, runs: float) -> bool:
        return bool(self.gap(np.array([float(runs)]))[0] > TIE_USD)


def _first_true(scan: Scan, low: int, high: int, want: bool) -> int:
    """The smallest n in (low, high] with pays(n) == want, given pays(low) != want and pays(high) == want."""
    while high - low > 1:
        mid = (low + high) // 2
        if scan.pays(mid) == want:
            high = mid
        else:
            low = mid
    return high


def _crossing(scan: Scan, low: float, high: float, want: bool) -> float:
    """Where pays() turns to `want` between two volumes a run apart (pays(low) != want, pays(high) ==
    want), to RUNS_STEP of a run, by bisection as `_first_true`: `--runs-per-month` takes fractions."""
    steps = round((high - low) / RUNS_STEP)
    below, above = 0, steps
    while above - below > 1:
        mid = (below + above) // 2
        if scan.pays(round(low + mid * RUNS_STEP, 2)) == want:
            above = mid
        else:
            below = mid
    return round(low + above * RUNS_STEP, 2)


def runs_break_even(scan: Scan) -> tuple[float | None, float | None]:
    """From how many runs a month the option pays off, and up to how many: (from, until), on a grid of
    volumes refined to RUNS_STEP of a run at each crossing. (None, None) where it never does."""
    grid = volume_grid(BREAK_EVEN_MAX_RUNS)
    pays = scan.gap(grid) > TIE_USD
    if not pays.any():
        return None, None
    first = int(np.argmax(pays))
    whole = 1 if first == 0 else _first_true(scan, int(grid[first - 1]), int(grid[first]), True)
    start = _crossing(scan, whole - 1.0, float(whole), True)
    after = pays[first:]
    if after.all():
        return start, None
    stop_index = first + int(np.argmin(after))
    stop = _first_true(scan, int(grid[stop_index - 1]), int(grid[stop_index]), False)
    if np.isneginf(scan.gap(np.array([float(stop)]))[0]) and not pays[stop_index:].any():
        return start, None  # past the last paying volume the option cannot do a month's work: nothing to weigh
    return start, round(_crossing(scan, stop - 1.0, float(stop), False) - RUNS_STEP, 2)


def hour_value_break_even(options: Sequence[Option], baseline: Option | None) -> float | None:
    """The hour value above which the plan beats the baseline's expected value at the user's volume by a
    cent or more (values are compared to the cent, as the choice ranks them). An option's value is
    linear in the hour value (hours saved x hour value - expected cost), so each of the plan's options
    gets that lead at one exact value, and the plan pays off from the lowest of them, on whichever
    option it runs there. The baseline costs nothing: at any positive hour value it is the free option
    that saves the most hours, whatever the hour value."""
    if baseline is None:
        return None
    crossings = []
    for option in options:
        if option.expected_cost is None or option.hours_saved is None:
            continue
        extra_hours = option.hours_saved - (baseline.hours_saved or 0.0)
        if extra_hours > 1e-9:
            lead = option.expected_cost - (baseline.expected_cost or 0.0) + 2 * TIE_USD
            crossings.append(max(0.0, lead / extra_hours))
    value = min(crossings, default=None)
    if value is None or value > LIMITS["--hour-value"]:
        return None
    return math.ceil(round(value * 100, 6)) / 100  # to the cent, rounded up: above it the plan pays off


def curves(scenario: Scenario, choices: dict[str, Option], beyond: float | None
            ) -> tuple[tuple[str, tuple[tuple[float, float], ...]], ...]:
    """What a month costs in money plus waiting (hours x hour value), expected, against runs a month:
    one curve for this machine and one per plan on its chosen option. The lowest curve is the best
    choice, so curves cross where the choice flips."""
    w = scenario.workload
    top = max(10.0, 2 * w.runs_per_month, 1.25 * (beyond or 0))
    runs = np.array([top * (i + 1) / CURVE_POINTS for i in range(CURVE_POINTS)])
    waiting_here = w.months * runs * float(np.mean(scenario.local_run)) * w.hour_value
    candidates = {c.key: c for c in scenario.candidates}
    out = []
    for key in [LOCAL, *(o.key for o in choices.values())]:
        scan = Scan(scenario, candidates.get(key), [])  # type: ignore[arg-type]
        expected = scan.expected(candidates.get(key), runs)
        line = tuple((float(r), float((here - v) / w.months)) for r, here, v in zip(runs, waiting_here, expected,
                                                                                     strict=True)
                     if np.isfinite(v))
        out.append((key, line))
    return tuple(out)


