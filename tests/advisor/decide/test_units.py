"""`units`: what a balance of compute units buys, figures computed by hand from the facts file
(CU rates: mccormickml.com 2024-04-23 and 2026-03-09; 9.99 USD per 100 CU; units valid 90 days)."""

from __future__ import annotations

import json
import math
from datetime import date

import pytest

from advisor.decide.tax import tax_basis
from advisor.decide.units import BALANCE, PLAN_UNITS, SMALLEST_PACK, units
from advisor.errors import AdvisorError
from advisor.render.table import envelope, render_tables
from advisor.render.units import units_payload, units_tables
from pricing import load_catalog

MARCH_2026 = load_catalog(date(2026, 3, 9))


def line(answer, key):
    return next(each for each in answer.lines if each.accelerator == key)


def test_100_cu_buy_84_t4_hours_at_1_19_cu_an_hour():
    answer = units(MARCH_2026, tax_basis(MARCH_2026), balance=100)
    assert answer.balance_basis == BALANCE
    assert line(answer, "t4").cu_per_hour == 1.19
    assert line(answer, "t4").hours == pytest.approx(84.03, abs=0.005)  # 100 / 1.19
    assert line(answer, "l4").hours == pytest.approx(58.48, abs=0.005)  # 100 / 1.71
    assert line(answer, "a100-40gb").hours == pytest.approx(18.52, abs=0.005)  # 100 / 5.40


def test_a_plan_s_monthly_units_are_the_balance_when_none_is_given():
    answer = units(MARCH_2026, tax_basis(MARCH_2026), plan="Pro+")
    assert (answer.balance_cu, answer.balance_basis, answer.plan) == (600, PLAN_UNITS, "pro-plus")
    assert line(answer, "g4").hours == pytest.approx(68.89, abs=0.005)  # 600 / 8.71


def test_with_neither_balance_nor_plan_the_answer_is_for_the_smallest_pack():
    answer = units(MARCH_2026, tax_basis(MARCH_2026))
    assert (answer.balance_cu, answer.balance_basis) == (100, SMALLEST_PACK)


def test_an_hour_costs_its_cu_at_the_pay_as_you_go_price_with_the_tax_asked_for():
    answer = units(MARCH_2026, tax_basis(MARCH_2026, country="DE"), balance=100)
    t4 = line(answer, "t4")
    assert t4.usd_per_hour == pytest.approx(1.19 * 0.0999)  # 0.1189 USD before tax
    assert t4.usd_per_hour_taxed == pytest.approx(1.19 * 0.0999 * 1.19)  # German VAT 19 %
    unknown_rate = units(MARCH_2026, tax_basis(MARCH_2026, country="US"), balance=100)
    assert line(unknown_rate, "t4").usd_per_hour_taxed is None  # no single US rate: unknown, not zero
    from advisor.render.units import units_tables

    # ... and no column of 'unknown' beside the known prices before tax; Germany's has its own column.
    assert [h for h in units_tables(unknown_rate)[0].headers if h.startswith("USD/hour")] == ["USD/hour before tax"]
    assert len([h for h in units_tables(answer)[0].headers if h.startswith("USD/hour")]) == 2


def test_units_bought_on_the_date_expire_90_days_later():
    answer = units(MARCH_2026, tax_basis(MARCH_2026), balance=100)
    assert (answer.bought_on, answer.expiry_days, answer.expires_on) == (date(2026, 3, 9), 90, date(2026, 6, 7))
    later = units(MARCH_2026, tax_basis(MARCH_2026), balance=100, bought_on=date(2026, 11, 30))
    assert later.expires_on == date(2027, 2, 28)


def test_an_unknown_rate_buys_unknown_hours():
    answer = units(MARCH_2026, tax_basis(MARCH_2026), balance=100)
    assert {"h100", "tpu-v5e-1"} <= {each.accelerator for each in answer.lines if each.hours is None}


def test_rates_follow_the_date_asked_for():
    april_2024 = load_catalog(date(2024, 4, 23))
    answer = units(april_2024, tax_basis(april_2024), balance=100)
    assert line(answer, "t4").hours == pytest.approx(54.35, abs=0.005)  # 100 / 1.84
    assert line(answer, "v100").hours == pytest.approx(20.37, abs=0.005)  # 100 / 4.91
    assert "g4" not in {each.accelerator for each in answer.lines}  # on Colab from 2026-03-09


@pytest.mark.parametrize(
    ("day", "kwargs", "message"),
    [
        (date(2021, 5, 1), {}, "compute units did not exist on 2021-05-01; they start 2022-09-29"),
        (date(2026, 3, 9), {"plan": "free"}, "--plan: 'free' includes no compute units"),
        (date(2026, 3, 9), {"plan": "free", "balance": 100.0},
         "--plan: 'free' includes no compute units on 2026-03-09 and spends none, so no balance buys hours on it"),
        (date(2026, 3, 9), {"plan": "por"}, "--plan: unknown plan 'por'"),
        (date(2026, 3, 9), {"balance": -1.0}, "--balance: expected a number of CU from 0"),
        (date(2026, 3, 9), {"balance": math.nan}, "--balance: expected a number of CU from 0"),
        (date(2026, 3, 9), {"balance": 1e300}, "--balance: expected a number of CU from 0"),
    ],
)
def test_what_cannot_be_answered_is_one_line(day, kwargs, message):
    catalog = load_catalog(day)
    with pytest.raises(AdvisorError) as caught:
        units(catalog, tax_basis(catalog), **kwargs)
    assert str(caught.value).startswith(message) and "\n" not in str(caught.value)


def test_json_objects_carry_accelerator_cu_per_hour_and_hours():
    payload = json.loads(envelope("units", units_payload(units(MARCH_2026, tax_basis(MARCH_2026), balance=100))))
    assert payload["schema"] == "colab-advisor/units/v1"
    t4 = next(each for each in payload["accelerators"] if each["accelerator"] == "t4")
    assert (t4["cu_per_hour"], t4["hours"]) == (1.19, 84.03)
    assert payload["expires_on"] == "2026-06-07"


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_the_table_fits_100_columns(fmt):
    answer = units(MARCH_2026, tax_basis(MARCH_2026, country="DE"), balance=100)
    text = render_tables(units_tables(answer), fmt, 100)
    assert "84.0 h" in text and "2026-06-07" in text
    if fmt == "table":
        assert max(len(row) for row in text.splitlines()) <= 100


def notes_of(answer) -> str:
    return " ".join(" ".join(units_tables(answer)[0].notes).split())


def test_units_bought_on_the_calendar_s_last_days_expire_after_it_without_a_traceback():
    answer = units(MARCH_2026, tax_basis(MARCH_2026), balance=100, bought_on=date(9999, 12, 31))
    assert answer.expires_on is None and units_payload(answer)["expires_on"] is None
    assert "Units bought on 9999-12-31 expire after the calendar's last day (90 days)" in notes_of(answer)


def test_the_title_names_the_day_asked_about_and_a_day_past_the_catalog_says_so():
    answer = units(MARCH_2026, tax_basis(MARCH_2026), balance=100, bought_on=date(2026, 11, 30))
    assert units_tables(answer)[0].title == "What 100 CU buy on 2026-11-30"
    assert "The catalog ends on 2026-03-09: rates for 2026-11-30 are those of that day." in notes_of(answer)
    same_day = units(MARCH_2026, tax_basis(MARCH_2026), balance=100)
    assert "The catalog ends" not in notes_of(same_day)


def test_a_plan_whose_own_units_cost_less_than_pay_as_you_go_says_what_they_cost():
    may_2025 = load_catalog(date(2025, 5, 12))
    answer = units(may_2025, tax_basis(may_2025), plan="pro-plus")
    # Pro+ is $49.99 for 600 CU from 2025-05-12: $0.0833 a unit, against $0.0999 Pay As You Go.
    assert answer.plan_usd_per_cu == pytest.approx(49.99 / 600)
    assert "one of Colab Pro+'s own units costs $0.0833" in notes_of(answer)
    pro = units(may_2025, tax_basis(may_2025), plan="pro")  # $9.99 for 100 CU: the same price, no note
    assert "own units cost" not in notes_of(pro)


def test_every_rate_s_caveat_is_a_note_known_rates_included():
    october_2022 = load_catalog(date(2022, 10, 7))
    answer = units(october_2022, tax_basis(october_2022), balance=100)
    assert line(answer, "a100-40gb").cu_per_hour == 13.08
    assert "a100-40gb: only the High-RAM rate was reported." in notes_of(answer)


def test_a_large_balance_reads_in_whole_numbers_with_separators():
    answer = units(MARCH_2026, tax_basis(MARCH_2026), balance=1_000_000)
    table = units_tables(answer)[0]
    assert table.title == "What 1,000,000 CU buy on 2026-03-09"
    t4 = next(row for row in table.rows if row[0] == "t4")
    assert t4[2] == "840,336 h"  # 1,000,000 / 1.19
