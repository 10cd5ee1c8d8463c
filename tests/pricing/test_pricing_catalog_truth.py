"""What the catalog says about plans and dates (the sourced facts, each checked on the
day before and after where it has a date): RAM in GiB and GB, fallbacks, devices, leaving dates,
dated tax, the one session model and the free-tier readings."""

from __future__ import annotations

from datetime import date

import pytest

from pricing import load_catalog


# ---- RAM: stored as the GiB Colab shows, handed to decisions in decimal GB -----------------------
def test_free_s_12_7_gib_is_13_64_decimal_gb_so_a_13_gb_job_fits():
    free = load_catalog(date(2026, 3, 9)).plan("free")
    assert free.ram_gib == 12.7  # what Colab's panel shows, labelled "GB"
    assert free.ram_gb == 13.64  # 12.7 x 1.073741824 = 13.636
    assert free.ram_for("t4") == 13.64 and free.ram_for("t4") > 13


def test_the_80_gb_a100_comes_with_167_gib_of_system_ram_and_12_vcpus():
    pro = load_catalog().plan("pro")
    offer = pro.offer("a100-80gb")
    assert (offer.ram_gib, offer.vcpus, offer.high_ram_only) == (167.1, 12, True)
    assert pro.ram_for("a100-80gb") == 179.42  # 167.1 x 1.073741824
    assert pro.ram_for("a100-40gb") == 89.12  # about 83 GiB on A100 runtimes
    assert pro.ram_for("t4") is None  # the standard runtime's RAM on Pro: no source gives it
    assert pro.high_ram_gb == 54.76  # 51 GiB


# ---- fallbacks and device counts -------------------------------------------------------------------
def test_reported_fallbacks_are_typed_and_sourced():
    pro = load_catalog().plan("pro")
    assert pro.fallback("a100-40gb").accelerator == "l4"
    assert "#5342" in pro.fallback("a100-40gb").source and pro.fallback("a100-40gb").as_of == date(2025, 5, 14)
    assert pro.fallback("h100").accelerator == "g4" and "#5976" in pro.fallback("h100").source
    assert pro.fallback("t4") is None


def test_kaggle_gives_two_t4s_and_eight_v5e_chips_per_runtime():
    kaggle = load_catalog(date(2026, 9, 15)).plan("kaggle")
    assert (kaggle.devices("t4"), kaggle.devices("tpu-v5e-1")) == (2, 8)
    assert kaggle.free_hours_per_week("gpu") == 30 and kaggle.free_hours_per_week("tpu") == 20
    assert load_catalog(date(2026, 3, 9)).plan("pro").devices("t4") == 1


# ---- accelerators leave --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("plan", "key", "last_day"),
    [("free", "k80", date(2021, 12, 31)), ("free", "p4", date(2020, 12, 31)),
     ("free", "tpu-v2-8", date(2025, 9, 30)), ("kaggle", "p100", date(2026, 9, 14)),
     ("pro", "v100", date(2026, 3, 8))],
)
def test_an_accelerator_leaves_a_plan_after_its_last_reported_day(plan, key, last_day):
    after = date.fromordinal(last_day.toordinal() + 1)
    assert key in load_catalog(last_day).plan(plan).accelerators
    assert key not in load_catalog(after).plan(plan).accelerators


def test_colab_s_2026_menu():
    offered = {key for plan in load_catalog(date(2026, 9, 1)).plans if plan.is_colab for key in plan.accelerators}
    assert offered - {"colab-cpu"} == {"t4", "l4", "a100-40gb", "a100-80gb", "h100", "g4", "tpu-v5e-1", "tpu-v6e-1"}


# ---- tax by date -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("day", "rate"), [(date(2020, 6, 30), 0.19), (date(2020, 7, 1), 0.16),
                                            (date(2020, 12, 31), 0.16), (date(2021, 1, 1), 0.19)])
def test_germany_s_vat_follows_the_date(day, rate):
    assert load_catalog(day).tax_rate_for("DE").rate == rate
    assert load_catalog().tax_rate_for("DE", day).rate == rate


# ---- one session model -----------------------------------------------------------------------------
def test_a_free_t4_session_is_the_3h20m_reading_not_the_12_h_of_the_flat_era():
    catalog = load_catalog(date(2026, 3, 9))
    limit = catalog.session_hours("free", "t4")
    assert (round(limit.hours, 2), limit.basis, limit.as_of) == (3.33, "reading", date(2024, 4, 1))
    assert catalog.session_hours("free", "colab-cpu").hours == 12  # the published figure
    assert load_catalog(date(2021, 3, 1)).session_hours("free", "t4").hours == 12  # before compute units


def test_a_free_tpu_v5e_session_is_its_own_1h30m_reading():
    limit = load_catalog(date(2025, 10, 1)).session_hours("free", "tpu-v5e-1")
    assert (limit.hours, limit.basis) == (1.5, "reading")


def test_kaggle_keeps_both_session_readings_and_assumes_the_shorter():
    limit = load_catalog(date(2026, 9, 20)).session_hours("kaggle", "t4")
    assert (limit.hours, limit.basis, limit.assumed) == (9, "assumed", True)
    assert sorted(reading.hours for reading in limit.readings) == [9, 12]


def test_a_plan_without_a_published_session_assumes_free_s():
    limit = load_catalog(date(2026, 3, 9)).session_hours("pay-as-you-go", "l4")
    assert limit.assumed and round(limit.hours, 2) == 3.33
    assert load_catalog(date(2026, 3, 9)).session_hours("pro", "l4").hours == 24


def test_free_tier_readings_are_typed_and_dated():
    readings = load_catalog().free_tier_readings
    assert [(r.accelerator, r.session_minutes, r.as_of) for r in readings] == [
        ("t4", 200, date(2024, 4, 1)), ("tpu-v2-8", 210, date(2025, 9, 22)), ("tpu-v5e-1", 90, date(2025, 9, 22))]
