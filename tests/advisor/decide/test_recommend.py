"""The recommendation engine on real records and the shipped catalog."""

import dataclasses
from datetime import date

import pytest

from advisor.decide import Sources, Workload, recommend
from advisor.decide.tax import TaxBasis
from advisor.errors import AdvisorError
from advisor.predict.speed import BASIS_ESTIMATE, BASIS_MEASURED, BASIS_PREDICTED
from pricing import load_catalog
from tests.helpers import make_environment, make_measurement

FLAT_ERA = date(2021, 3, 1)
NO_TAX = TaxBasis("none")
# A laptop-class CPU run of the medium preset: 10 ms a step, 200 GFLOP/s matmul ceiling, 8 GB RAM.
LOCAL = make_measurement(step=0.010)
REFERENCE = Workload(model="deep", epochs=100, epoch_seconds=100.0)


def advise(workload=REFERENCE, sources=Sources(local=LOCAL), as_of=FLAT_ERA, tax=NO_TAX):
    return recommend(workload, sources, load_catalog(as_of), tax)


def option(rec, key):
    return next(o for o in rec.options if o.key == key)


def test_reference_case_deep_moves_to_colab_and_free_is_enough():
    rec = advise(tax=TaxBasis("given", 0.063))
    free = option(rec, "free:k80")
    assert free.speedup > 5 and free.epoch.basis == BASIS_PREDICTED
    assert rec.verdict[0].startswith("Use Colab: Colab Free · k80 runs this about")
    assert rec.best is free
    assert option(rec, "pro:t4").cost == pytest.approx(10.62, abs=0.005)  # $9.99 + 6.3 %, the blog's charge
    assert rec.verdict[1].startswith("Free is enough at 4 runs a month; Colab Pro · t4 pays off from")
    assert rec.break_even_runs > 4 and rec.break_even_hour_value > 10


def test_break_even_figures_are_where_the_answer_flips():
    rec = advise()
    at = dataclasses.replace(REFERENCE, runs_per_month=rec.break_even_runs)
    below = dataclasses.replace(REFERENCE, runs_per_month=rec.break_even_runs - 1)
    assert advise(at).best.plan.name == "pro"
    assert advise(below).best.plan.name == "free"
    richer = dataclasses.replace(REFERENCE, hour_value=rec.break_even_hour_value * 1.01, hour_value_given=True)
    assert advise(richer).best.plan.name == "pro"


def test_reference_case_boosting_stays_local_on_the_numbers():
    rec = advise(dataclasses.replace(REFERENCE, model="boosting"))
    cpu = option(rec, "free:colab-cpu")
    # 200 GFLOP/s measured here against one 70 GFLOP/s Colab core: Colab is slower, no special case.
    assert cpu.speedup == pytest.approx(0.07e12 * 0.8 / 2e11, rel=1e-6)
    assert rec.best is rec.local
    assert rec.verdict[0].startswith("Stay on this machine")


def test_boosting_that_needs_more_ram_than_this_machine_goes_to_high_ram():
    rec = advise(dataclasses.replace(REFERENCE, model="boosting", ram_gb=20))
    assert rec.local.ram_fits is False
    assert option(rec, "free:colab-cpu").ram_fits is False  # 12.72 GB
    assert rec.best.key == "pro:colab-cpu" and rec.best.ram_fits is True  # High-RAM 25.51 GB
    assert "lacks the RAM" in rec.verdict[0]


def test_ram_beyond_every_plan_is_an_answer_not_an_error():
    rec = advise(dataclasses.replace(REFERENCE, ram_gb=500))
    assert all(o.ram_fits is False for o in rec.options)
    assert rec.verdict[0].startswith("Nothing fits: the job needs 500 GB")


def test_a_colab_measurement_replaces_the_prediction_for_its_device():
    colab = make_measurement(step=0.001, environment=make_environment(
        platform="gpu", device_kind="Tesla T4", in_colab=True, timestamp="2026-11-21T10:00:00+00:00"))
    rec = advise(sources=Sources(local=LOCAL, colab=colab), as_of=date(2026, 9, 1))
    t4 = option(rec, "free:t4")
    assert t4.epoch.basis == BASIS_MEASURED
    assert t4.speedup == pytest.approx(10.0)
    assert option(rec, "pro:l4").epoch.basis == BASIS_PREDICTED
    assert rec.warnings == ()


def test_a_colab_measurement_of_another_preset_warns_and_uses_the_ratio():
    colab = make_measurement(step=0.001, preset="conv", environment=make_environment(
        platform="gpu", device_kind="Tesla T4", in_colab=True))
    rec = advise(sources=Sources(local=LOCAL, colab=colab), as_of=date(2026, 9, 1))
    assert option(rec, "free:t4").speedup == pytest.approx(10.0)
    assert any("only its speed ratio is used" in w for w in rec.warnings)


def test_runs_longer_than_a_free_session_need_several_and_checkpointing():
    long = dataclasses.replace(REFERENCE, epoch_seconds=3000.0)
    rec = advise(long, as_of=date(2026, 9, 1))
    free = option(rec, "free:t4")
    assert free.sessions > 1 and free.needs_checkpointing
    assert any("needs checkpointing" in n for n in free.notes)
    assert any("checkpointing" in a.text for a in rec.assumptions)


def test_paid_cu_beyond_the_allowance_are_bought_and_stated():
    heavy = dataclasses.replace(REFERENCE, epoch_seconds=3000.0, runs_per_month=30)
    rec = advise(heavy, as_of=date(2026, 9, 1))
    pro = option(rec, "pro:a100-40gb")
    assert pro.cu_per_month > 100
    assert pro.cost == pytest.approx(9.99 + (pro.cu_per_month - 100) * 0.0999)
    assert any("beyond the 100 included" in n for n in pro.notes)


def test_samples_and_preset_size_the_epoch_from_the_measurement():
    rec = advise(Workload(model="deep", epochs=10, samples=25600, preset="medium"))
    assert rec.local.epoch.seconds == pytest.approx(100 * 0.010)  # 100 steps of 256 at 10 ms


def test_without_a_measurement_specs_give_a_labelled_estimate():
    catalog = load_catalog(FLAT_ERA)
    rec = recommend(REFERENCE, Sources(local_device=catalog.accelerator("laptop-cpu")), catalog, NO_TAX)
    assert option(rec, "free:k80").epoch.basis == BASIS_ESTIMATE
    assert any("laptop-cpu" in a.text for a in rec.assumptions)


def test_without_any_measurement_it_says_how_to_make_one():
    with pytest.raises(AdvisorError, match=r"run `colab-advisor measure` \(about 15 s\)"):
        advise(sources=Sources())


def test_every_figure_names_its_basis_and_assumptions_name_sources():
    rec = advise(as_of=date(2026, 9, 1))
    assert {o.epoch.basis for o in rec.options if o.epoch} <= {BASIS_PREDICTED, BASIS_MEASURED}
    assert all(a.source for a in rec.assumptions)
    assert any("t4 burns 1.19 CU per hour" in a.text and a.as_of == "2026-03-09" for a in rec.assumptions)
    assert any("default" in a.text for a in rec.assumptions)  # the hour value is stated as a default


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"epochs": 0}, "--epochs: expected a positive number"),
        ({"epoch_seconds": -5.0}, "--epoch-seconds: expected a positive number"),
        ({"runs_per_month": 0}, "--runs-per-month: expected a positive number"),
        ({"hour_value": -1.0}, "--hour-value: expected a number >= 0"),
        ({"model": "forest"}, "--model: expected one of deep, boosting"),
        ({"epoch_seconds": None}, "say how big an epoch is"),
        ({"samples": 100}, "either --epoch-seconds or --samples"),
    ],
)
def test_bad_workloads_are_refused_in_one_line(changes, message):
    with pytest.raises(AdvisorError, match=message) as info:
        dataclasses.replace(REFERENCE, **changes)
    assert "\n" not in str(info.value)
