"""Properties of the decision over random workloads, on the shipped catalog of several dates."""

import dataclasses
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.decide import Sources, Workload, cost_curves, recommend
from advisor.decide.tax import TaxBasis
from advisor.render.recommendation import verdict_sentences
from pricing import load_catalog
from tests.helpers import make_measurement

DATES = [date(2021, 3, 1), date(2021, 10, 1), date(2024, 4, 23), None]
CATALOGS = {day: load_catalog(day) for day in DATES}
LOCAL = Sources(local=make_measurement(step=0.010))
NO_TAX = TaxBasis("none")
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

workloads = st.builds(
    Workload,
    model=st.sampled_from(["deep", "deep", "boosting"]),
    epochs=st.integers(1, 300),
    epoch_seconds=st.floats(1, 3600),
    runs_per_month=st.floats(0.5, 60),
    hour_value=st.floats(0, 200),
    ram_gb=st.one_of(st.none(), st.floats(1, 100)),
    setup_minutes=st.floats(0, 30),
    months=st.integers(1, 6),
)


def advise(workload, day, tax=NO_TAX):
    return recommend(workload, LOCAL, CATALOGS[day], tax)


@SETTINGS
@given(workloads, st.sampled_from(DATES), st.floats(0, 0.3))
def test_tax_never_changes_a_zero_cost(workload, day, rate):
    plain, taxed = advise(workload, day), advise(workload, day, TaxBasis("given", rate))
    for before, after in zip((plain.local, *plain.options), (taxed.local, *taxed.options), strict=True):
        if before.cost == 0:
            assert after.cost == 0
        if before.cost is not None and after.cost is not None:
            assert abs(after.cost - before.cost * (1 + rate)) < 1e-6


@SETTINGS
@given(workloads, st.sampled_from(DATES))
def test_an_unknown_never_wins_unnamed_and_an_unpriced_option_never_wins(workload, day):
    rec = advise(workload, day)
    if rec.best is None:
        return
    assert rec.best.cost is not None and rec.best.usable
    assert set(rec.best.unknowns) <= set(rec.depends_on)
    if rec.best.unknowns:
        assert "This rests on what no source gives" in " ".join(verdict_sentences(rec))


@SETTINGS
@given(workloads, st.sampled_from(DATES))
def test_the_chosen_option_is_never_beaten_clearly(workload, day):
    rec = advise(workload, day)
    if rec.best is None:
        return
    for other in rec.options:
        if other.usable and other.is_colab:
            # No usable Colab option's whole value band lies above the chosen one's.
            assert other.value_band[0] <= rec.best.value_band[1] + 1e-6 or other.value <= rec.best.value


@SETTINGS
@given(workloads, st.sampled_from(DATES), st.floats(0, 100), st.floats(0, 100))
def test_a_higher_hour_value_never_makes_a_slower_option_win_at_equal_cost(workload, day, low, high):
    low, high = sorted((low, high))
    a = advise(dataclasses.replace(workload, hour_value=low), day)
    b = advise(dataclasses.replace(workload, hour_value=high), day)
    if a.best is None or b.best is None or a.best.cost != b.best.cost or a.tied_with or b.tied_with:
        return
    assert b.best.run_hours <= a.best.run_hours + 1e-9


@SETTINGS
@given(workloads.filter(lambda w: w.model == "deep"), st.sampled_from(DATES[:2]))
def test_in_the_flat_era_more_runs_never_make_pro_lose_ground_to_free(workload, day):
    # Flat subscriptions cost the same at any volume, so the value a faster plan adds grows with runs.
    def gap(rec):
        free = next(o for o in rec.options if o.plan.name == "free")
        pro = next(o for o in rec.options if o.plan.name == "pro")
        if not (free.usable and pro.usable) or pro.run_hours > free.run_hours:
            return None
        return pro.value - free.value

    now = gap(advise(workload, day))
    later = gap(advise(dataclasses.replace(workload, runs_per_month=workload.runs_per_month * 2), day))
    if now is not None and later is not None:
        assert later >= now - 1e-6


@SETTINGS
@given(workloads.filter(lambda w: w.model == "deep"), st.sampled_from(DATES))
def test_each_stated_break_even_is_where_the_plan_starts_to_beat_the_free_baseline(workload, day):
    rec = advise(workload, day)
    for plan_answer in rec.plan_answers:
        runs = plan_answer.runs.centre
        if runs is None or rec.baseline is None or plan_answer.option is None:
            continue

        def gap(n, key=plan_answer.option.key):
            again = advise(dataclasses.replace(workload, runs_per_month=n), day)
            mine = next(o for o in again.options if o.key == key)
            base = next(o for o in (again.local, *again.options) if o.key == rec.baseline.key)
            return mine.value - base.value

        assert gap(runs) > 0
        if runs > 1:
            assert gap(runs - 1) <= 1e-9


def test_the_plot_lines_cross_at_the_stated_break_even():
    workload = Workload(model="deep", epochs=100, epoch_seconds=100.0)
    rec = advise(workload, date(2021, 3, 1))
    (pro,) = rec.plan_answers
    runs = pro.runs.centre
    curves = cost_curves(workload, LOCAL, CATALOGS[date(2021, 3, 1)], NO_TAX, runs)
    free_line = dict(curves[rec.baseline.label])
    pro_line = dict(curves[pro.option.label])
    below = [r for r in pro_line if r < runs - 1]
    above = [r for r in pro_line if r > runs]
    # Money plus waiting: Pro's line lies above Free's before the break-even and below it after.
    assert all(pro_line[r] > free_line[r] for r in below)
    assert all(pro_line[r] < free_line[r] for r in above)
