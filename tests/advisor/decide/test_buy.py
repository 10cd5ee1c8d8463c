"""Buy a GPU or rent: the card's time, its electricity, and the months after which buying costs less."""

import math
from datetime import date

import pytest

from advisor.decide import Workload
from advisor.decide.buy import BuyQuestion, parse_buy
from advisor.decide.engine import recommend
from advisor.decide.sources import Sources
from advisor.decide.tax import TaxBasis
from advisor.errors import AdvisorError
from pricing import load_catalog
from tests.helpers import make_measurement

CATALOG = load_catalog(date(2026, 6, 1))
LOCAL = Sources(local=make_measurement(step=0.010))
HEAVY = Workload(model="deep", epochs=100, epoch_seconds=300.0, runs_per_month=20, hour_value=20.0,
                 hour_value_given=True)


def test_the_break_even_is_the_price_over_what_owning_saves_a_month_by_hand():
    rec = recommend(HEAVY, LOCAL, CATALOG, TaxBasis("none"), buy=BuyQuestion("rtx-4090", 1599.0, 0.15))
    answer = rec.buy
    # Electricity by hand: 20 runs of the card's run time at 450 W and $0.15 a kWh.
    assert answer.watts == 450
    assert answer.electricity_usd_per_month == pytest.approx(20 * answer.run_hours * 0.450 * 0.15)
    assert answer.owning_usd_per_month == pytest.approx(answer.electricity_usd_per_month
                                                        + 20 * answer.run_hours * 20.0)
    # Renting: the Colab option's bill plus its waiting, a month.
    rent = answer.against.cost + 20 * answer.against.run_hours * 20.0
    assert answer.renting_usd_per_month == pytest.approx(rent)
    saving = rent - answer.owning_usd_per_month
    expected = 1599.0 / saving if saving > 0 and 1599.0 / saving <= 36 else None
    assert answer.months == (pytest.approx(expected) if expected is not None else None)
    assert 0 <= answer.p_within_horizon <= 1


def test_a_card_that_saves_nothing_never_pays_for_itself():
    # A free option faster than the card at no cost: owning only adds electricity.
    cheap = Workload(model="deep", epochs=10, epoch_seconds=30.0, runs_per_month=1, hour_value=0.0,
                     hour_value_given=True)
    rec = recommend(cheap, LOCAL, CATALOG, TaxBasis("none"), buy=BuyQuestion("rtx-3060", 329.0, 0.3))
    assert rec.buy.months is None and rec.buy.p_within_horizon == 0.0


def test_a_card_bought_against_a_dearer_option_breaks_even_sooner():
    slow_rent = recommend(HEAVY, LOCAL, CATALOG, TaxBasis("none"), buy=BuyQuestion("rtx-4090", 1599.0, 0.15))
    pricey = recommend(HEAVY, LOCAL, CATALOG, TaxBasis("none"), buy=BuyQuestion("rtx-4090", 3198.0, 0.15))
    if slow_rent.buy.months is not None and pricey.buy.months is not None:
        assert pricey.buy.months == pytest.approx(2 * slow_rent.buy.months)


@pytest.mark.parametrize(("text", "parsed"), [("rtx-4090:1599", ("rtx-4090", 1599.0)),
                                              ("rtx-4090:$1,599", ("rtx-4090", 1599.0))])
def test_buy_reads_accelerator_and_price(text, parsed):
    assert parse_buy(text) == parsed


@pytest.mark.parametrize("text", ["rtx-4090", ":1599", "rtx-4090:cheap", "rtx-4090:nan", "rtx-4090:1599:3"])
def test_a_malformed_buy_is_one_line(text):
    with pytest.raises(AdvisorError, match="--buy"):
        parse_buy(text)


@pytest.mark.parametrize(("price", "kwh", "watts"), [(0.0, 0.1, None), (-5.0, 0.1, None), (math.inf, 0.1, None),
                                                     (100.0, -0.1, None), (100.0, 0.1, 0.0), (1e12, 0.1, None),
                                                     (0.004, 0.1, None), (100.0, 0.1, 1e-300), (100.0, math.nan, None)])
def test_numbers_out_of_range_are_refused(price, kwh, watts):
    with pytest.raises(AdvisorError):
        BuyQuestion("rtx-4090", price, kwh, watts)


def test_a_typed_minus_zero_electricity_price_is_zero():
    assert str(BuyQuestion("rtx-4090", 1599.0, -0.0).kwh_price_usd) == "0.0"


def test_buying_needs_an_electricity_price_and_a_gpu():
    with pytest.raises(AdvisorError, match="--kwh-price"):
        recommend(HEAVY, LOCAL, CATALOG, TaxBasis("none"), buy=BuyQuestion("rtx-4090", 1599.0))
    with pytest.raises(AdvisorError, match="not a GPU"):
        recommend(HEAVY, LOCAL, CATALOG, TaxBasis("none"), buy=BuyQuestion("tpu-v5e-1", 1599.0, 0.1))


@pytest.mark.parametrize("workload", [
    Workload(model="deep", epochs=100, epoch_seconds=100.0),  # Kaggle's free P100 is the choice
    Workload(model="deep", epochs=10),  # this machine is the choice
    HEAVY,  # a paid Colab plan is the choice
])
def test_owning_is_weighed_against_what_the_verdict_chose(workload):
    rec = recommend(workload, LOCAL, CATALOG, TaxBasis("none"), buy=BuyQuestion("rtx-4090", 1599.0, 0.3))
    assert rec.buy.against.key == rec.best.key
    # Renting by hand: the chosen option's money and its waiting, a month.
    best = rec.best
    assert rec.buy.renting_usd_per_month == pytest.approx(
        best.cost / workload.months + workload.runs_per_month * best.run_hours * workload.hour_value)


def test_the_three_cases_above_are_kaggle_this_machine_and_colab():
    kinds = []
    for workload in (Workload(model="deep", epochs=100, epoch_seconds=100.0), Workload(model="deep", epochs=10), HEAVY):
        best = recommend(workload, LOCAL, CATALOG, TaxBasis("none")).best
        kinds.append("local" if best.is_local else "colab" if best.is_colab else "other")
    assert kinds == ["other", "local", "colab"]


def test_when_nothing_can_do_the_job_the_recommendation_stands_and_owning_is_weighed_against_nothing():
    from advisor.render.verdict import buy_sentence

    # 10 runs of 1,000 epochs of 28 h on this machine: more hours than any month has, here or on any Colab GPU.
    huge = Workload(model="deep", epochs=1000, epoch_seconds=100_000.0, runs_per_month=10)
    rec = recommend(huge, LOCAL, CATALOG, TaxBasis("none"), buy=BuyQuestion("rtx-4090", 1599.0, 0.3))
    assert rec.best is None and rec.buy.against is None and rec.buy.months is None
    assert buy_sentence(rec) == ("Buy or rent: your own rtx-4090 at $1,599 is not weighed against renting: nothing "
                                 "here can do this job to compare it with.")


def test_the_sentence_s_monthly_costs_leave_out_the_price_and_say_so():
    # An $8,500 card that costs less a month to run than renting, yet not by enough to pay for itself
    # within 36 months: the sentence must not read as "cheaper a month, yet never cheaper".
    import re

    from advisor.render.verdict import buy_sentence

    rec = recommend(HEAVY, LOCAL, CATALOG, TaxBasis("none"), buy=BuyQuestion("rtx-4090", 8500.0, 0.15))
    answer = rec.buy
    assert answer.owning_usd_per_month < answer.renting_usd_per_month
    assert 8500.0 / (answer.renting_usd_per_month - answer.owning_usd_per_month) > 36
    text = buy_sentence(rec)
    owning, renting = (float(v.replace(",", "")) for v in re.search(
        r"owning costs \$([\d,.]+) a month before the card's price, against \$([\d,.]+) on", text).groups())
    assert owning == pytest.approx(answer.owning_usd_per_month, abs=0.5)
    assert renting == pytest.approx(answer.renting_usd_per_month, abs=0.5)
    assert "buying does not cost less within 36 months" in text
