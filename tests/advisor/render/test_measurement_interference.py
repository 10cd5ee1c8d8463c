"""The measurement table says how much of the CPU other programs took while the loops were timed."""

import dataclasses

from advisor.render.measurement import measurement_tables
from advisor.render.table import render_table
from benchmarks.interference import Interference
from tests.helpers import make_measurement

ROW = "other programs' CPU share while timed"


def _row(m):
    summary = measurement_tables(m)[0]
    return dict(summary.rows)[ROW]


def test_a_disturbed_run_shows_the_share_the_load_and_the_flag():
    m = dataclasses.replace(make_measurement(), interference=Interference(0.45, 0.9, 3.14, "proc-stat", True))
    assert _row(m) == "45%, load 3.1 (flagged)"


def test_a_quiet_run_shows_its_share_unflagged():
    m = dataclasses.replace(make_measurement(), interference=Interference(0.02, 1.0, None, "proc-stat", False))
    assert _row(m) == "2%"


def test_a_record_from_before_says_unknown():
    assert "unknown" in next(line for line in render_table(measurement_tables(make_measurement())[0]).splitlines()
                             if line.startswith(ROW))
