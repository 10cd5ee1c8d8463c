"""Money as it is paid: subscriptions by the month, CU in whole packs that expire. Hand-computed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pricing import CatalogError, CuPack, cheapest_packs, horizon_cost, load_catalog

CATALOG = load_catalog()
PAYG = CATALOG.plan("pay-as-you-go")
PRO = CATALOG.plan("pro")
PACKS = CATALOG.era.cu_packs  # 100 CU for 9.99, 500 CU for 49.99 (Colab's signup page)


def test_the_catalog_sells_the_two_published_packs():
    assert {(p.cu, p.usd) for p in PACKS} == {(100.0, 9.99), (500.0, 49.99)}


def test_a_little_pay_as_you_go_use_still_costs_a_whole_pack():
    bill = horizon_cost(PAYG, 33.8, 1, PACKS)
    assert bill.subtotal_usd == pytest.approx(9.99)  # not 33.8 x 0.0999 = 3.38
    assert bill.packs_bought == 1
    assert bill.cu_unused == pytest.approx(100 - 33.8)


def test_a_pack_lasts_about_three_months_then_the_next_is_bought():
    # 33.8 + 33.8 + 32.4 of the first pack; month 3 needs 1.4 more: a second pack.
    bill = horizon_cost(PAYG, 33.8, 3, PACKS)
    assert bill.packs_bought == 2 and bill.subtotal_usd == pytest.approx(19.98)
    # Four months: the first pack expires after month 3 with nothing left; the second covers months 3-4.
    assert horizon_cost(PAYG, 33.8, 4, PACKS).subtotal_usd == pytest.approx(19.98)


def test_small_packs_beat_the_big_one_when_five_cost_less():
    usd, chosen = cheapest_packs(450, PACKS)
    assert usd == pytest.approx(5 * 9.99) and chosen == {CuPack(100.0, 9.99): 5}


def test_a_big_pack_wins_where_it_is_cheaper():
    packs = (CuPack(100, 10.0), CuPack(500, 40.0))
    usd, chosen = cheapest_packs(430, packs)
    assert usd == pytest.approx(40.0) and chosen == {CuPack(500, 40.0): 1}
    usd, chosen = cheapest_packs(520, packs)
    assert usd == pytest.approx(50.0)  # 500 + 100


def test_pro_is_paid_every_month_and_its_cu_roll_over_for_90_days():
    assert horizon_cost(PRO, 0, 3, PACKS).subtotal_usd == pytest.approx(3 * 9.99)
    # 150 CU a month: month 1 buys one pack (50 left), month 2 uses 100 + 50 left, month 3 buys one.
    bill = horizon_cost(PRO, 150, 3, PACKS)
    assert bill.packs_bought == 2
    assert bill.subtotal_usd == pytest.approx(3 * 9.99 + 2 * 9.99)


def test_each_charge_is_taxed_and_paid_to_the_cent():
    # 19 % (Germany): Pro+ $49.99 is charged $59.49 (59.4881) a month, so three months are $178.47, not
    # the $178.46 of 3 x 49.99 x 1.19 = 178.4643; a 100-CU pack ($9.99) is charged $11.89 (11.8881), so
    # five are $59.45, not $59.44 (59.4405).
    pro_plus = CATALOG.plan("pro-plus")
    assert pro_plus.monthly_price_usd == 49.99
    assert horizon_cost(pro_plus, 0, 3, PACKS, 0.19).total_usd == 178.47
    five = horizon_cost(PAYG, 450, 1, PACKS, 0.19)
    assert five.packs == ((CuPack(100.0, 9.99), 5),) and five.total_usd == 59.45
    # Pro at 150 CU a month for two months: two subscriptions and one pack (month 2 uses the pack's
    # 50 left over), three charges of $11.89.
    assert horizon_cost(PRO, 150, 2, PACKS, 0.19).total_usd == pytest.approx(3 * 11.89, abs=1e-9)


def test_half_a_cent_of_tax_is_rounded_up_as_a_bill_is():
    # $9.99 at 50 % is $14.985, charged $14.99 (a binary float holds 14.98499...); $49.99 is $74.99.
    from pricing import monthly_cost

    assert horizon_cost(PRO, 0, 1, PACKS, 0.5).total_usd == 14.99
    assert horizon_cost(CATALOG.plan("pro-plus"), 0, 2, PACKS, 0.5).total_usd == 149.98
    assert monthly_cost(PRO, 0.0, 0.5).total_usd == 14.99 and monthly_cost(PRO, 0.0, 0.5).tax_usd == 5.0


def test_tax_multiplies_the_money_paid_and_unknown_tax_is_none():
    assert horizon_cost(PRO, 0, 1, PACKS, 0.063).total_usd == pytest.approx(10.62, abs=0.005)  # the blog's charge
    unknown = horizon_cost(PRO, 0, 1, PACKS, None)
    assert unknown.total_usd is None and unknown.subtotal_usd == pytest.approx(9.99)


def test_bad_horizons_are_refused():
    with pytest.raises(CatalogError):
        horizon_cost(PAYG, 10, 0, PACKS)
    with pytest.raises(CatalogError):
        horizon_cost(PAYG, float("nan"), 1, PACKS)


@given(st.floats(0, 5000), st.integers(1, 24), st.floats(0, 0.3))
def test_packs_always_cover_the_need_and_a_free_plan_costs_nothing(cu, months, tax):
    bill = horizon_cost(PAYG, cu, months, PACKS, tax)
    assert bill.cu_bought + 1e-6 >= cu * months
    # Never more than one spare pack's worth per month bought: packs are bought only when needed.
    assert bill.packs_usd <= (cu * months / 100 + months) * 9.99 + 1e-6
    free = horizon_cost(CATALOG.plan("free"), cu, months, PACKS, tax)
    assert free.total_usd == 0.0


@given(st.floats(0, 3000), st.floats(0, 3000), st.integers(1, 12))
def test_more_cu_never_costs_less(a, b, months):
    low, high = sorted((a, b))
    cheaper, dearer = (horizon_cost(PRO, cu, months, PACKS).subtotal_usd for cu in (low, high))
    assert cheaper <= dearer + 1e-9


@given(st.floats(0, 5000), st.integers(1, 36), st.sampled_from([None, 0.0, 0.077, 0.1, 0.19, 0.5]),
       st.sampled_from(["pay-as-you-go", "pro", "pro-plus"]))
def test_every_sum_of_money_is_whole_cents(cu, months, tax, plan):
    bill = horizon_cost(CATALOG.plan(plan), cu, months, PACKS, tax)
    for value in (bill.subscription_usd, bill.packs_usd, bill.subtotal_usd, bill.total_usd):
        if value is not None:
            assert value == round(value, 2), value
