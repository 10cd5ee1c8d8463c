"""The one vocabulary for figures: each reads the same wherever it appears, in bounded digits."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from advisor.render.words import (
    count,
    dollars,
    duration,
    figure_text,
    gb,
    hours,
    money,
    ratio,
    ratio_band,
    seconds,
    share,
    with_article,
)


def test_a_missing_figure_reads_unknown():
    assert figure_text(None, "GB/s") == "unknown"
    assert (money(None), duration(None), hours(None), ratio(None), share(None)) == ("unknown",) * 5


def test_a_figure_reads_with_its_unit_and_without_trailing_zeros():
    assert (figure_text(1.19, "CU/h"), figure_text(16.0, "GB"), figure_text(2014)) == ("1.19 CU/h", "16 GB", "2014")


@pytest.mark.parametrize(("value", "text"), [(0.5, "30 min"), (1.25, "1.2 h"), (2400.0, "2,400.0 h"),
                                             (840_336.13, "840,336 h"), (1.25e7, "12,500,000 h"), (3e13, "3e+13 h")])
def test_durations_read_in_minutes_below_an_hour(value, text):
    assert duration(value) == text


@pytest.mark.parametrize(("value", "text"), [(1.44, "1.4x"), (12.6, "13x"), (31_400.0, "31,000x"),
                                             (183_456.0, "180,000x"), (3.14e9, "3.1e+09x"), (0.0039, "0.0039x"),
                                             (0.052, "0.052x"), (0.63, "0.6x")])
def test_ratios_keep_two_or_three_digits(value, text):
    assert ratio(value) == text


def test_a_band_that_reads_as_its_centre_is_left_out():
    assert ratio_band(8.1, 8.14) == "" and ratio_band(5.2, 11.0) == " (5.2x-11x)"


def test_money_in_sentences_drops_cents_above_a_hundred_dollars():
    assert (dollars(10.625), dollars(1234.4), money(-3.0)) == ("$10.62", "$1,234", "-$3.00")


def test_counts_agree_in_number():
    assert (count(1, "run"), count(3, "run"), count(1328, "run")) == ("1 run", "3 runs", "1,328 runs")


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_no_figure_ever_prints_more_than_a_few_dozen_characters(value):
    for words in (money, dollars, duration, hours, ratio, share):
        text = words(value)
        assert len(text) <= 24 and ("unknown" in text or not math.isnan(value))


@pytest.mark.parametrize(("key", "text"), [("l4", "an l4"), ("h100", "an h100"), ("a100-80gb", "an a100-80gb"),
                                           ("g4", "a g4"), ("t4", "a t4"), ("tpu-v5e-1", "a tpu-v5e-1")])
def test_an_accelerator_key_takes_the_article_its_first_letter_is_read_with(key, text):
    assert with_article(key) == text


def test_a_run_under_a_minute_reads_in_seconds_not_zero_minutes():
    assert (duration(40 / 3600), duration(0.0)) == ("40 s", "0 s")


@pytest.mark.parametrize(("value", "text"), [(11.14, "$11.14"), (11.141, "$11.15"), (663.08, "$664"), (99.996, "$100"),
                                             (5705.07, "$5,706")])
def test_a_threshold_in_dollars_is_never_shown_below_itself(value, text):
    from advisor.render.words import dollars_up

    assert dollars_up(value) == text


@pytest.mark.parametrize(("value", "significant", "text"), [
    (1000.0, 6, "1,000 GB"), (1234.5, 6, "1,234.5 GB"), (0.001, 6, "0.001 GB"), (54.77, 3, "54.8 GB"),
    (1234.5, 3, "1,234 GB"), (10_000.0, 6, "10,000 GB"), (12.7, 3, "12.7 GB"), (None, 6, "unknown"),
])
def test_memory_reads_in_plain_digits(value, significant, text):
    assert gb(value, significant) == text


@given(st.floats(min_value=1e-3, max_value=1e4, allow_nan=False))
def test_memory_never_reads_in_exponent_notation_and_keeps_its_value(value):
    text = gb(value)
    assert "e" not in text.split()[0]
    assert float(text.split()[0].replace(",", "")) == pytest.approx(value, rel=1e-5)


@pytest.mark.parametrize(("value", "text"), [(2.5, "2.50 s"), (0.0123, "12.30 ms"), (4.2e-5, "42.0 µs"),
                                             (1e-9, "1 ns"), (1.5e-10, "0.15 ns")])
def test_a_step_time_keeps_its_digits_down_to_a_tenth_of_a_nanosecond(value, text):
    assert seconds(value) == text
