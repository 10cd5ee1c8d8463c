"""CU burn rates by date, and the GPU hours a plan's CU buy."""

from __future__ import annotations

from datetime import date

import pytest

from pricing import cu_rate, hours_included, load_catalog

CATALOG = load_catalog()


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2022, 9, 30), 1.96),  # currypurin.com, 2022-09-30
        (date(2022, 10, 7), 1.95),  # colabtools #3128, 2022-10-07
        (date(2023, 3, 1), 1.98),  # fast-stable-diffusion #2126, 2023-03
        (date(2024, 4, 22), 1.86),  # fast-stable-diffusion #2126, 2023-05
        (date(2024, 4, 23), 1.84),  # mccormickml.com, 2024-04-23
        (date(2026, 3, 9), 1.19),  # mccormickml.com, updated 2026-03-09
    ],
)
def test_t4_rate_is_the_latest_reading_on_or_before_the_date(day, expected):
    assert cu_rate("t4", day).value == expected


def test_a_rate_carries_its_reading_date_and_source():
    rate = cu_rate("t4", date(2025, 1, 1))
    assert (rate.as_of, rate.source) == (date(2024, 4, 23), "mccormickml.com, 2024-04-23 post")


def test_t4_high_ram_rate_in_2022():
    rate = cu_rate("t4", date(2023, 1, 1), high_ram=True)
    assert (rate.value, rate.high_ram) == (2.24, True)


def test_a_rate_that_did_not_distinguish_high_ram_says_so():
    rate = cu_rate("t4", date(2026, 4, 1), high_ram=True)
    assert (rate.value, rate.high_ram) == (1.19, None)


def test_a100_standard_rate_in_2022_falls_back_to_the_only_high_ram_figure():
    rate = cu_rate("A100 40GB", date(2023, 1, 1))
    assert (rate.value, rate.high_ram) == (13.08, True)
    assert "only the High-RAM rate" in rate.note


def test_no_reading_before_the_first_one_says_so():
    rate = cu_rate("t4", date(2022, 9, 29))
    assert rate.value is None
    assert "the first is from 2022-09-30" in rate.note


def test_an_unconfirmed_reading_does_not_replace_a_confirmed_one():
    # 2026-09-27: one unconfirmed reading of 1.07 for the T4; the 2026-03-09 1.19 still answers.
    rate = cu_rate("t4", date(2026, 9, 27))
    assert (rate.value, rate.as_of, rate.unconfirmed) == (1.19, date(2026, 3, 9), False)


def test_an_unconfirmed_reading_answers_where_it_is_the_only_one_and_says_so():
    rate = cu_rate("tpu-v6e-1", date(2026, 9, 27))
    assert (rate.value, rate.unconfirmed) == (4.08, True)
    assert cu_rate("colab-cpu", date(2026, 9, 27)).value == 0.08


def test_the_flat_era_has_no_cu_rates():
    rate = cu_rate("t4", date(2021, 5, 1))
    assert rate.value is None
    assert "compute units did not exist" in rate.note


def test_h100_rate_is_unknown():
    rate = cu_rate("h100")
    assert rate.value is None
    assert rate.source == "googlecolab/colabtools#5976"


def test_tpu_v5e_has_no_reported_rate():
    rate = cu_rate("tpu-v5e-1")
    assert (rate.value, rate.as_of) == (None, None)
    assert "no CU rate" in rate.note


def test_a_removed_accelerator_has_no_rate_after_its_removal():
    assert cu_rate("v100", date(2025, 1, 1)).value == 4.91
    removed = cu_rate("v100", date(2026, 3, 9))
    assert removed.value is None
    assert "no longer offered" in removed.note


def test_cu_rate_history_lists_every_reading_in_date_order():
    readings = CATALOG.cu_rate_history("Tesla T4")
    assert [(r.as_of, r.cu_per_hour) for r in readings] == [
        (date(2022, 9, 30), 1.96),
        (date(2022, 10, 7), 1.95),
        (date(2023, 3, 1), 1.98),
        (date(2023, 5, 1), 1.86),
        (date(2024, 4, 23), 1.84),
        (date(2026, 3, 9), 1.19),
        (date(2026, 9, 27), 1.07),
    ]


def test_pro_buys_about_84_t4_hours_in_2026_03():
    assert hours_included("pro", "t4", date(2026, 3, 15)) == pytest.approx(100 / 1.19)
    assert round(hours_included("pro", "t4", date(2026, 3, 15))) == 84


def test_pro_plus_buys_more_a100_hours_after_the_600_cu_change():
    assert hours_included("pro-plus", "a100-40gb", date(2025, 5, 11)) == pytest.approx(500 / 11.77)
    assert hours_included("pro-plus", "a100-40gb", date(2025, 5, 12)) == pytest.approx(600 / 11.77)


def test_hours_are_unknown_when_the_rate_is():
    assert hours_included("pro", "h100") is None


def test_flat_era_plans_include_no_cu_hours():
    assert hours_included("pro", "t4", date(2021, 5, 1)) is None
