"""The catalog as shipped is complete, consistent and sourced."""

from __future__ import annotations

import dataclasses
from datetime import date
from importlib import resources
from itertools import groupby, pairwise

import pytest

from pricing import load_catalog
from pricing.loader import SHIPPED_FILES, shipped_data, tomllib

DATA = shipped_data()
RECORDS = [*DATA.eras, *DATA.plans, *DATA.accelerators, *DATA.taxes, *DATA.free_tier_readings]
# A free tier and Pay As You Go cost nothing a month and include no CU; a US rate of 0 is real.
ZERO_ALLOWED = {"monthly_price_usd", "cu_included", "rate"}


def _label(record: object) -> str:
    return f"{type(record).__name__} {getattr(record, 'key', None) or getattr(record, 'name', '')}"


@pytest.mark.parametrize("record", [*RECORDS, *DATA.cu_readings], ids=_label)
def test_every_number_is_positive(record):
    for field in dataclasses.fields(record):
        value = getattr(record, field.name)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            assert value > 0 or (value == 0 and field.name in ZERO_ALLOWED), f"{field.name} = {value}"


def test_every_plan_offers_only_catalogued_accelerators():
    keys = {accelerator.key for accelerator in DATA.accelerators}
    for plan in DATA.plans:
        assert set(plan.accelerators) <= keys, plan


def test_every_cu_reading_is_for_a_catalogued_accelerator():
    keys = {accelerator.key for accelerator in DATA.accelerators}
    assert {reading.accelerator for reading in DATA.cu_readings} <= keys


def test_plan_versions_follow_each_other_without_overlap():
    for name, versions in groupby(DATA.plans, key=lambda plan: plan.name):
        versions = list(versions)
        for plan in versions:
            assert plan.valid_to is None or plan.valid_from <= plan.valid_to, plan
        for earlier, later in pairwise(versions):
            assert earlier.valid_to is not None and earlier.valid_to < later.valid_from, name


def test_eras_are_contiguous_from_the_colab_pro_launch():
    flat, compute_units = DATA.eras
    assert flat.valid_from == date(2020, 2, 1)
    assert flat.valid_to == date(2022, 9, 28)
    assert compute_units.valid_from == date(2022, 9, 29)
    assert compute_units.valid_to is None


def test_colab_windows_are_ordered():
    for accelerator in DATA.accelerators:
        if accelerator.colab_from and accelerator.colab_until:
            assert accelerator.colab_from <= accelerator.colab_until, accelerator.key


def test_accelerator_kinds_are_gpu_tpu_or_cpu():
    assert {accelerator.kind for accelerator in DATA.accelerators} == {"gpu", "tpu", "cpu"}


def _dates_in(value: object) -> list[date]:
    if isinstance(value, date):
        return [value]
    if isinstance(value, dict):
        return [day for inner in value.values() for day in _dates_in(inner)]
    if isinstance(value, list):
        return [day for inner in value for day in _dates_in(inner)]
    return []


def _raw_entries() -> list[dict]:
    folder = resources.files("pricing") / "data"
    out = []
    for name in SHIPPED_FILES:
        for content in tomllib.loads((folder / name).read_text(encoding="utf-8")).values():
            out.extend(content if isinstance(content, list) else [content])
    return out


def test_coverage_runs_from_the_pro_launch_to_the_newest_dated_entry_of_the_files():
    # Read from the TOML files themselves, not from the loader: the newest as_of or valid_from.
    newest = max(entry[name] for entry in _raw_entries() for name in ("as_of", "valid_from") if name in entry)
    assert DATA.coverage.first == date(2020, 2, 1)
    assert DATA.coverage.last == newest
    assert all(day <= DATA.coverage.last for entry in _raw_entries() for day in _dates_in(entry.get("as_of")))


def test_every_covered_day_has_plans():
    for day in (date(2020, 2, 1), date(2022, 9, 28), date(2022, 9, 29), DATA.coverage.last):
        assert {plan.name for plan in load_catalog(day).plans} >= {"free", "pro"}


def test_figures_no_source_gives_stay_unknown():
    catalog = load_catalog()
    assert catalog.accelerator("colab-cpu").memory_bandwidth_gbs is None
    assert catalog.accelerator("g4").memory_gb == 96
    assert catalog.accelerator("tpu-v5e-1").fp32_tflops is None
    assert catalog.accelerator("a100-80gb").memory_bandwidth_gbs == 1935  # the lower of its two variants
    assert catalog.accelerator("t4").tf32_tflops is None
    assert catalog.accelerator("apple-m1").year is None
    assert catalog.plan("pro").ram_gb is None
    assert catalog.tax_rate_for("BR").rate is None


def test_illustrative_figures_are_marked_as_assumptions():
    laptop = load_catalog().accelerator("laptop-cpu")
    assert laptop.assumption is True
    assert "assumption" in laptop.source
    assert [a.key for a in DATA.accelerators if a.assumption] == ["laptop-cpu"]


def test_every_shipped_gpu_and_tpu_names_its_architecture():
    # Without one, a prediction takes the entry's figures as given and says the catalog names none:
    # right for a user's own entry, never for a shipped one.
    unnamed = [a.key for a in DATA.accelerators if a.kind in ("gpu", "tpu") and a.architecture is None]
    assert unnamed == []


def test_no_colab_plan_hands_out_an_accelerator_before_or_after_its_colab_window():
    # The accelerator's window (hardware) and each plan's offer dates (plans) describe the same history.
    by_key = {a.key: a for a in DATA.accelerators}
    for plan in (p for p in DATA.plans if p.provider == "colab"):
        for offer in plan.offers:
            acc = by_key[offer.accelerator]
            if offer.first_reported and acc.colab_from:
                assert offer.first_reported >= acc.colab_from, (plan.name, acc.key)
            if offer.last_reported and acc.colab_until:
                assert offer.last_reported <= acc.colab_until, (plan.name, acc.key)
