"""Colab Free's hours a month: a log-normal of the users' reports made by the date asked about."""

from __future__ import annotations

import math
from datetime import date

import pytest

from advisor.decide.free_tier import READINGS, default_free_hours


def test_a_past_date_sees_only_the_reports_made_by_then():
    early_2021 = default_free_hours(date(2021, 3, 1))
    assert [r.as_of for r in early_2021.readings] == ["2020-07", "2020-12"]
    # 4 h sessions every 1.5 days and 3 h every 8 days: 81.1 h and 11.4 h a month, median their geometric mean.
    assert early_2021.median == pytest.approx(math.sqrt((4.0 * 30.4 / 1.5) * (3.0 * 30.4 / 8.0)))


def test_with_fewer_than_two_reports_by_the_date_every_report_is_used():
    assert default_free_hours(date(2020, 3, 1)).readings == READINGS
    assert default_free_hours().readings == READINGS
    assert default_free_hours(date(2026, 9, 27)).readings == READINGS
