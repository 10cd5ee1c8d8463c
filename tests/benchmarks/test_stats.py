import math

import pytest

from benchmarks import stats


def test_mad_ignores_one_wild_sample():
    assert stats.mad([1.0, 1.1, 0.9, 1.0, 50.0]) == pytest.approx(0.1)


def test_std_of_one_sample_is_zero():
    assert stats.std([3.0]) == 0.0


def test_relative_std_is_std_over_mean():
    assert math.isclose(stats.relative_std([1.0, 3.0]), math.sqrt(2) / 2)


def test_round_significant_keeps_six_digits():
    assert stats.round_significant(0.0123456789) == 0.0123457
    assert stats.round_significant(0.0) == 0.0


def test_ratio_interval_brackets_the_ratio_and_is_tight_for_steady_samples():
    ratio, low, high = stats.ratio_interval([2.0, 2.0, 2.0], [1.0, 1.0, 1.0])
    assert (ratio, low, high) == (2.0, 2.0, 2.0)
    ratio, low, high = stats.ratio_interval([2.0, 2.2, 1.8], [1.0, 1.1, 0.9])
    assert low < ratio < high
