"""Money on arrays agrees with pricing's one-at-a-time purchase, on random plans, packs and usage."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.decide.money import horizon_costs, pack_cost
from pricing import CuPack, horizon_cost, load_catalog
from pricing.costs import cheapest_packs

PACKS = st.lists(st.tuples(st.integers(1, 1000), st.floats(0.5, 100)), min_size=1, max_size=2, unique_by=lambda p: p[0])


@settings(max_examples=200, deadline=None)
@given(PACKS, st.lists(st.floats(0, 5000), min_size=1, max_size=20))
def test_the_cheapest_packs_on_arrays_are_the_search_one_value_at_a_time(packs, needs):
    sold = tuple(CuPack(float(cu), round(usd, 2)) for cu, usd in packs)
    usd, _ = pack_cost(np.array(needs), sold)
    expected = [cheapest_packs(need, sold)[0] if need > 1e-9 else 0.0 for need in needs]
    assert usd == pytest.approx(expected, abs=1e-6)


PLANS = [p for p in load_catalog().plans if p.uses_compute_units and p.monthly_price_usd is not None]


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(PLANS), st.lists(st.floats(0, 3000), min_size=1, max_size=10), st.integers(1, 12),
       st.one_of(st.none(), st.floats(0, 0.3)))
def test_a_horizon_on_arrays_costs_what_pricing_charges(plan, monthly, months, tax):
    packs = load_catalog().era.cu_packs
    got = horizon_costs(plan, np.array(monthly), months, packs, tax)
    for cu, value in zip(monthly, got, strict=True):
        bill = horizon_cost(plan, cu, months, packs, tax)
        assert value == pytest.approx(bill.total_usd if bill.total_usd is not None else bill.subtotal_usd, abs=1e-6)
