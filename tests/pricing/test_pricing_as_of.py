"""The catalog answers as of a date, and refuses dates it does not cover."""

from __future__ import annotations

from datetime import date

import pytest

from pricing import CatalogError, load_catalog


def test_pro_plus_includes_500_cu_the_day_before_2025_05_12():
    assert load_catalog(date(2025, 5, 11)).plan("pro-plus").cu_included == 500


def test_pro_plus_includes_600_cu_from_2025_05_12():
    assert load_catalog(date(2025, 5, 12)).plan("pro-plus").cu_included == 600


def test_flat_era_in_2021_has_free_pro_and_pro_plus():
    catalog = load_catalog(date(2021, 11, 1))
    assert catalog.era.name == "flat"
    assert [plan.name for plan in catalog.plans] == ["free", "pro", "pro-plus"]


def test_flat_era_free_tier_hands_out_k80():
    assert "k80" in load_catalog(date(2021, 3, 1)).plan("free").accelerators


def test_flat_era_plans_have_no_compute_units():
    plan = load_catalog(date(2021, 3, 1)).plan("pro")
    assert plan.cu_included is None
    assert plan.extra_cu_price_usd is None
    assert plan.monthly_price_usd == 9.99


def test_compute_unit_era_starts_2022_09_29_with_four_plans():
    catalog = load_catalog(date(2022, 9, 29))
    assert catalog.era.name == "compute-units"
    assert [plan.name for plan in catalog.plans] == ["free", "pay-as-you-go", "pro", "pro-plus"]


def test_pro_concurrent_sessions_drop_to_one_in_2021_07():
    assert load_catalog(date(2021, 6, 30)).plan("pro").concurrent_sessions == "up to 3"
    assert load_catalog(date(2021, 7, 1)).plan("pro").concurrent_sessions == "1 High-RAM"


def test_free_tier_gains_tpu_v5e_in_2025_09():
    assert "tpu-v5e-1" not in load_catalog(date(2025, 8, 31)).plan("free").accelerators
    assert "tpu-v5e-1" in load_catalog(date(2025, 9, 1)).plan("free").accelerators


def test_plan_accelerators_follow_colab_availability():
    assert "l4" not in load_catalog(date(2024, 4, 14)).plan("pro").accelerators
    assert "l4" in load_catalog(date(2024, 4, 15)).plan("pro").accelerators
    assert "v100" not in load_catalog(date(2026, 3, 9)).plan("pro").accelerators


def test_default_date_is_the_newest_entry():
    catalog = load_catalog()
    assert catalog.as_of == catalog.coverage.last
    assert not catalog.beyond_coverage and catalog.requested == catalog.as_of


def test_a_date_before_colab_pro_raises_with_the_coverage():
    newest = load_catalog().coverage.last.isoformat()
    with pytest.raises(CatalogError, match=rf"no data for 2019-06-01: it covers 2020-02-01 to {newest} "):
        load_catalog(date(2019, 6, 1))


def test_a_date_after_the_newest_entry_answers_with_the_newest_data_and_says_so():
    newest = load_catalog()
    later = load_catalog(date(2030, 1, 1))
    assert later.as_of == newest.as_of == newest.coverage.last
    assert later.requested == date(2030, 1, 1) and later.beyond_coverage
    assert not newest.beyond_coverage
    assert [p.name for p in later.plans] == [p.name for p in newest.plans]


def test_a_date_before_the_first_era_raises_with_the_coverage():
    with pytest.raises(CatalogError, match=r"no data for 2019-01-01: it covers 2020-02-01 to"):
        load_catalog(date(2019, 1, 1))


def test_a_plan_not_yet_offered_says_when_it_starts():
    with pytest.raises(CatalogError, match=r"'pay-as-you-go' was not offered on 2021-03-01 .*2022-09-29"):
        load_catalog(date(2021, 3, 1)).plan("payg")
