"""What a month on a plan costs."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pricing import CatalogError, load_catalog, monthly_cost, tax_rate_for

PRO = load_catalog(date(2026, 3, 15)).plan("pro")


def test_pro_with_150_cu_buys_50_extra_cu_at_pay_as_you_go_prices():
    cost = monthly_cost(PRO, cu_used=150, tax_rate=0.10)
    assert cost.subscription_usd == 9.99
    assert cost.extra_cu == 50
    assert cost.extra_cu_usd == pytest.approx(50 * 0.0999)
    assert cost.subtotal_usd == pytest.approx(14.985)
    assert cost.tax_usd == pytest.approx(1.4985)
    assert cost.total_usd == pytest.approx(16.4835)


def test_usage_within_the_included_cu_costs_the_subscription_only():
    cost = monthly_cost(PRO, cu_used=80, tax_rate=0.0)
    assert (cost.extra_cu, cost.extra_cu_usd, cost.total_usd) == (0.0, 0.0, 9.99)


def test_pay_as_you_go_bills_every_cu():
    payg = load_catalog(date(2026, 3, 15)).plan("pay-as-you-go")
    assert monthly_cost(payg, cu_used=100).total_usd == pytest.approx(9.99)


def test_a_month_needing_a_few_extra_cu_pays_its_share_of_the_smallest_pack():
    payg = load_catalog(date(2026, 3, 15)).plan("pay-as-you-go")
    cost = monthly_cost(payg, cu_used=4)
    # 100 CU for 9.99 USD last 90 days: about 32.9 CU a month is the least one can buy.
    assert cost.total_usd == pytest.approx(9.99 * (365.25 / 12) / 90)
    assert any("smallest pack is 100 CU" in note for note in cost.notes)


def test_flat_era_costs_the_flat_price_with_tax_whatever_the_usage():
    pro_2021 = load_catalog(date(2021, 5, 1)).plan("pro")
    cost = monthly_cost(pro_2021, cu_used=500, tax_rate=0.10)
    assert cost.extra_cu_usd == 0
    assert cost.total_usd == 10.99  # 9.99 x 1.10 = 10.989, charged to the cent
    assert "no compute units" in cost.notes[0]


def test_a_catalog_tax_rate_can_be_passed_and_is_credited():
    cost = monthly_cost(PRO, cu_used=0, tax_rate=tax_rate_for("DE"))
    assert cost.total_usd == 11.89  # 9.99 x 1.19 = 11.8881, charged to the cent
    assert cost.tax_source.startswith("Germany")


def test_an_unknown_tax_rate_leaves_the_total_unknown():
    cost = monthly_cost(PRO, cu_used=0, tax_rate=tax_rate_for("BR"))
    assert (cost.subtotal_usd, cost.tax_usd, cost.total_usd) == (9.99, None, None)


@pytest.mark.parametrize("bad", [10, -0.1, 1.0])
def test_a_tax_rate_outside_0_to_1_is_refused(bad):
    with pytest.raises(CatalogError, match=r"0\.10 for 10 %"):
        monthly_cost(PRO, cu_used=0, tax_rate=bad)


def test_negative_usage_is_refused():
    with pytest.raises(CatalogError, match="CU used must be a number >= 0, got -1"):
        monthly_cost(PRO, cu_used=-1)


@settings(max_examples=60, deadline=None)
@given(cu_used=st.floats(0, 5000), rate=st.floats(0, 0.5))
def test_total_is_subscription_plus_extra_cu_plus_tax(cu_used, rate):
    cost = monthly_cost(PRO, cu_used=cu_used, tax_rate=rate)
    extra_cu = max(0.0, cu_used - 100)
    least = 100 * (365.25 / 12) / 90  # the smallest pack's share of a month
    extra = (max(extra_cu, least) if extra_cu > 0 else 0.0) * 0.0999
    if extra:  # an estimate priced per CU
        assert cost.total_usd == pytest.approx((9.99 + extra) * (1 + rate))
    else:  # the subscription alone, one charge: to the cent, within half a cent of the exact product
        assert cost.total_usd == round(cost.total_usd, 2) and abs(cost.total_usd - 9.99 * (1 + rate)) <= 0.005 + 1e-9
