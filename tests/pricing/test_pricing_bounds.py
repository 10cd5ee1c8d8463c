"""Validation refuses what makes no sense, so the work any accepted catalog causes stays bounded:
figures with physical bounds, capped entry counts, a byte-order mark read, a non-file catalog refused,
and packs priced in closed form (checked against a brute force)."""

from __future__ import annotations

import math
import os
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pricing import CatalogError, CuPack, cheapest_packs, load_catalog, user_catalog

ACCELERATOR = """
[[accelerator]]
key = "my-gpu"
name = "My GPU"
kind = "gpu"
{field}
source = "my notes"
as_of = 2026-01-01
"""

PLAN = """
[[plan]]
name = "mine"
display_name = "Mine"
era = "compute-units"
valid_from = 2026-01-01
accelerators = {accelerators}
{field}
source = "my notes"
as_of = 2026-01-01
"""


def write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "catalog.toml"
    path.write_text(text, encoding=encoding)
    return path


def error_for(path: Path) -> str:
    with pytest.raises(CatalogError) as caught:
        load_catalog(override=path)
    assert "\n" not in str(caught.value)
    return str(caught.value)


# ---- figures out of any physical range -----------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "field"),
    [
        (ACCELERATOR.format(field="fp32_tflops = 1e-300"), "fp32_tflops"),
        (ACCELERATOR.format(field="fp16_bf16_tflops = 5e-324"), "fp16_bf16_tflops"),
        (ACCELERATOR.format(field="memory_bandwidth_gbs = 1e-300"), "memory_bandwidth_gbs"),
        (ACCELERATOR.format(field="memory_gb = 1e300"), "memory_gb"),
        (PLAN.format(accelerators='["t4"]', field="max_session_hours = 1e-300"), "max_session_hours"),
        (PLAN.format(accelerators='["t4"]', field="ram_gib = 5e-324"), "ram_gib"),
        (PLAN.format(accelerators='["t4"]', field="monthly_price_usd = 5e-324"), "monthly_price_usd"),
        (PLAN.format(accelerators='["t4"]', field="cu_included = 1e-300"), "cu_included"),
        ('[[cu_rate]]\naccelerator = "t4"\nas_of = 2026-03-09\ncu_per_hour = 5e-324\nsource = "x"\n', "cu_per_hour"),
        ('[[free_tier_reading]]\naccelerator = "t4"\nsession_minutes = 1e-300\nsource = "x"\nas_of = 2026-01-01\n',
         "session_minutes"),
    ],
)
def test_a_figure_outside_its_physical_range_is_refused(tmp_path, text, field):
    path = write(tmp_path, text)
    assert f"field '{field}': expected" in error_for(path)


def test_a_figure_at_its_bounds_is_accepted(tmp_path):
    path = write(tmp_path, ACCELERATOR.format(field="fp32_tflops = 0.001\nmemory_gb = 0.01"))
    assert load_catalog(override=path).accelerator("my-gpu").fp32_tflops == 0.001


def test_a_plan_listing_more_accelerators_than_any_plan_offers_is_refused(tmp_path):
    many = "[" + ", ".join(['"t4"'] * 65) + "]"
    path = write(tmp_path, PLAN.format(accelerators=many, field=""))
    assert "field 'accelerators': expected a list of at most 64 accelerator names" in error_for(path)


@pytest.mark.parametrize("packs", ["[{ cu = 100.5, usd = 9.99 }]",
                                   "[{ cu = 1, usd = 1 }, { cu = 2, usd = 2 }, { cu = 3, usd = 3 }]"])
def test_packs_are_whole_cu_and_at_most_two_sizes(tmp_path, packs):
    text = (f'[[era]]\nname = "compute-units"\ntitle = "compute units"\nvalid_from = 2022-09-29\n'
            f'cu_price_usd = 0.0999\ncu_packs = {packs}\nsource = "x"\nas_of = 2022-09-29\n')
    assert "field 'cu_packs': expected" in error_for(write(tmp_path, text))


# ---- what every entry must carry -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("section", "body"),
    [
        ("accelerator", 'key = "my-gpu"\nname = "My GPU"\nkind = "gpu"\n'),
        ("cu_rate", 'accelerator = "t4"\nas_of = 2026-03-09\ncu_per_hour = 1.2\n'),
        ("tax", 'country = "ZZ"\nname = "Nowhere"\nrate_percent = 10\n'),
        ("offer", 'plan = "pro"\naccelerator = "t4"\n'),
        ("free_tier_reading", 'accelerator = "t4"\nsession_minutes = 100\n'),
    ],
)
def test_the_loader_refuses_an_entry_without_a_source_or_dated_after_today(tmp_path, section, body):
    dated = body if "as_of" in body else body + "as_of = 2026-01-01\n"
    assert "field 'source' is missing" in error_for(write(tmp_path, f"[[{section}]]\n{dated}"))
    future = dated.replace("2026-03-09", "2099-01-01").replace("2026-01-01", "2099-01-01")
    message = error_for(write(tmp_path, f"[[{section}]]\n{future}source = \"mine\"\n"))
    assert "field 'as_of': 2099-01-01 is after today" in message


def test_a_fallback_needs_its_own_source_and_date(tmp_path):
    text = '[[offer]]\nplan = "pro"\naccelerator = "h100"\nfallback = "g4"\nsource = "x"\nas_of = 2026-01-01\n'
    assert "expected a fallback with its fallback_source and fallback_as_of" in error_for(write(tmp_path, text))


def test_an_offer_for_an_accelerator_the_plan_never_lists_is_refused(tmp_path):
    text = '[[offer]]\nplan = "free"\naccelerator = "h100"\nsource = "x"\nas_of = 2026-01-01\n'
    assert "plan 'free' never lists 'h100'" in error_for(write(tmp_path, text))


def test_overlapping_tax_rates_of_one_country_are_refused(tmp_path):
    text = '[[tax]]\ncountry = "DE"\nname = "Germany"\nrate_percent = 7\nvalid_from = 2020-10-01\n' \
           'source = "x"\nas_of = 2020-10-01\n'
    assert "overlaps" in error_for(write(tmp_path, text))


# ---- the file itself -----------------------------------------------------------------------------
def test_a_byte_order_mark_is_read_as_utf_8(tmp_path):
    path = write(tmp_path, '[[cu_rate]]\naccelerator = "t4"\nas_of = 2026-03-09\ncu_per_hour = 1.25\n'
                           'source = "my Colab"\n', encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert load_catalog(override=path).cu_rate("t4").value == 1.25


def test_a_catalog_toml_that_is_a_folder_is_refused_not_skipped(tmp_path):
    (tmp_path / "catalog.toml").mkdir()
    with pytest.raises(CatalogError) as caught:
        user_catalog(tmp_path)
    assert str(caught.value) == f"{tmp_path / 'catalog.toml'}: not a regular file (a folder, FIFO or device): " \
                                "refused; move it away"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_catalog_toml_that_is_a_fifo_is_refused_without_waiting(tmp_path):
    os.mkfifo(tmp_path / "catalog.toml")
    with pytest.raises(CatalogError, match="not a regular file"):
        user_catalog(tmp_path)


def test_a_data_folder_without_catalog_toml_has_none_and_a_file_is_found(tmp_path):
    assert user_catalog(tmp_path) is None
    (tmp_path / "catalog.toml").write_text("")
    assert user_catalog(tmp_path) == tmp_path / "catalog.toml"


# ---- packs in closed form ------------------------------------------------------------------------
def brute_force(cu: float, packs: tuple[CuPack, ...]) -> float:
    """Least USD for at least `cu` CU: dynamic programming over every whole amount (independent)."""
    need = math.ceil(cu - 1e-9)
    if need <= 0:
        return 0.0
    top = need + int(max(pack.cu for pack in packs))
    cost = [0.0] + [math.inf] * top
    for amount in range(1, top + 1):
        cost[amount] = min(cost[amount - int(p.cu)] + p.usd for p in packs if p.cu <= amount) \
            if any(p.cu <= amount for p in packs) else math.inf
    return min(cost[need:])


packs_strategy = st.lists(
    st.builds(CuPack, st.integers(1, 60).map(float), st.integers(1, 5000).map(lambda cents: cents / 100)),
    min_size=1, max_size=2, unique_by=lambda pack: pack.cu,
).map(tuple)


@settings(max_examples=300, deadline=None)
@given(st.floats(0, 400, allow_nan=False), packs_strategy)
def test_cheapest_packs_matches_a_brute_force(cu, packs):
    usd, chosen = cheapest_packs(cu, packs)
    assert usd == pytest.approx(brute_force(cu, packs), abs=1e-6)
    assert sum(pack.cu * count for pack, count in chosen.items()) + 1e-9 >= cu
    assert sum(pack.usd * count for pack, count in chosen.items()) == pytest.approx(usd)


def test_cheapest_packs_for_a_huge_need_is_computed_not_looped():
    colab = (CuPack(100.0, 9.99), CuPack(500.0, 49.99))
    usd, chosen = cheapest_packs(1e12, colab)  # 1e10 packs of 100: looping once per pack would hang
    assert chosen == {CuPack(100.0, 9.99): 10**10}
    assert usd == pytest.approx(9.99e10)


def test_cheapest_packs_refuses_what_the_schema_does():
    with pytest.raises(CatalogError):
        cheapest_packs(10, (CuPack(100.5, 9.99),))


def test_the_shipped_catalog_loads_on_its_newest_day():
    catalog = load_catalog()
    assert catalog.as_of == catalog.coverage.last and catalog.as_of <= date.today()


any_float = st.floats(allow_nan=False, allow_infinity=False)


@settings(max_examples=40, deadline=None)
@given(st.one_of(any_float, st.floats(1e-4, 2e4)), st.one_of(any_float, st.floats(1e-3, 1e4)))
def test_any_accepted_rate_and_session_give_finite_hours(tmp_path_factory, rate, hours):
    text = (f'[[cu_rate]]\naccelerator = "t4"\nas_of = 2026-03-09\ncu_per_hour = {rate!r}\nsource = "x"\n'
            f'[[plan]]\nname = "mine"\ndisplay_name = "Mine"\nera = "compute-units"\nvalid_from = 2026-01-01\n'
            f'cu_included = 100\naccelerators = ["t4"]\nmax_session_hours = {hours!r}\nsource = "x"\n'
            f'as_of = 2026-01-01\n')
    path = write(tmp_path_factory.mktemp("catalog"), text)
    try:
        catalog = load_catalog(date(2026, 3, 9), override=path)
    except CatalogError:
        return  # refused: nothing to compute with
    included = catalog.hours_included("mine", "t4")
    session = catalog.session_hours("mine", "t4").hours
    assert math.isfinite(included) and 0.01 <= included <= 1e8  # 100 CU over 1e-3..1e4 CU an hour
    assert math.isfinite(session) and 1 / 60 <= session <= 8766
    assert math.isfinite(included / session)
