"""The recommendation engine on real records and the shipped catalog: the facts a verdict is made of."""

import dataclasses
from datetime import date

import pytest

from advisor.decide import Workload
from advisor.decide.engine import CANNOT_TELL, DOES_NOT_PAY_OFF, PAYS_OFF, recommend
from advisor.decide.facts import BLOCK_FREE_QUOTA, BLOCK_MONTH, UNKNOWN_FREE_LIMITS, UNKNOWN_RAM
from advisor.decide.sources import Sources, local_figure
from advisor.decide.tax import TaxBasis
from advisor.errors import AdvisorError
from advisor.predict.speed import BASIS_ESTIMATE, BASIS_MEASURED, BASIS_PREDICTED
from benchmarks import Config
from pricing import load_catalog
from tests.helpers import make_environment, make_measurement

FLAT_ERA = date(2021, 3, 1)
NEWEST = load_catalog().as_of
NO_TAX = TaxBasis("none")
# A laptop-class CPU run of the medium preset: 10 ms a step, 200 GFLOP/s matmul ceiling, 8 GiB RAM.
LOCAL = make_measurement(step=0.010)
REFERENCE = Workload(model="deep", epochs=100, epoch_seconds=100.0)


def advise(workload=REFERENCE, sources=None, as_of=FLAT_ERA, tax=NO_TAX, catalog=None):
    catalog = catalog or load_catalog(as_of)
    return recommend(workload, sources or Sources(local=LOCAL), catalog, tax)


def option(rec, key):
    return next(o for o in (rec.local, *rec.options) if o.key == key)


def answer(rec, plan):
    return next(a for a in rec.plan_answers if a.plan.name == plan)


# ---- the reference case (2021, Korea-billed card: $9.99 charged as $10.62) ------------------------------
def test_reference_case_moves_to_colab_free_and_answers_pro():
    rec = advise(tax=TaxBasis("given", 0.063))
    free = option(rec, "free:k80")
    assert free.speedup > 5 and free.epoch.basis == BASIS_PREDICTED
    assert rec.best is free and rec.best.cost == 0
    pro = answer(rec, "pro")
    assert pro.option.cost == pytest.approx(10.62, abs=0.005)  # $9.99 + 6.3 %, the blog's charge
    assert pro.status in (DOES_NOT_PAY_OFF, CANNOT_TELL)
    assert pro.break_even.runs_from > 4 and pro.break_even.hour_value > 10


def test_the_runs_break_even_is_where_pro_starts_to_beat_free_and_it_holds_above():
    rec = advise()
    runs = answer(rec, "pro").break_even.runs_from
    assert answer(rec, "pro").break_even.runs_until is None

    def pro_minus_baseline(n):
        again = advise(dataclasses.replace(REFERENCE, runs_per_month=n))  # values compare to the cent, as ranked
        return round(answer(again, "pro").option.value, 2) - round(again.baseline.value, 2)

    # --runs-per-month takes fractions: the stated volume pays and a hundredth of a run less does not.
    assert pro_minus_baseline(runs) > 0 >= pro_minus_baseline(runs - 0.01)
    assert pro_minus_baseline(2 * runs) > 0


def test_the_hour_value_break_even_is_where_pro_starts_to_beat_free():
    value = answer(advise(), "pro").break_even.hour_value

    def pro_minus_free(hour_value):
        again = advise(dataclasses.replace(REFERENCE, hour_value=hour_value, hour_value_given=True))
        return answer(again, "pro").option.value - option(again, "free:k80").value

    assert pro_minus_free(value * 1.01) > 0 > pro_minus_free(value * 0.99)


@pytest.mark.parametrize("epochs, epoch_seconds, runs", [(100, 1800.0, 25), (200, 600.0, 60), (50, 1800.0, 60),
                                                      (200, 300.0, 25), (100, 100.0, 4)])
def test_each_plan_pays_off_just_above_its_stated_hour_value_and_not_just_below(epochs, epoch_seconds, runs):
    # The threshold holds whichever of its GPUs the plan would run on at that hour value, not only the one
    # it runs on at the user's: re-advising at the hour value either side of it says so.
    workload = Workload(model="deep", epochs=epochs, epoch_seconds=epoch_seconds, runs_per_month=runs,
                        hour_value=50.0, hour_value_given=True)
    rec = advise(workload, as_of=NEWEST)
    checked = 0
    for plan_answer in rec.plan_answers:
        threshold = plan_answer.break_even.hour_value
        if threshold is None or threshold < 0.05:
            continue

        def plan_minus_baseline(hour_value, name=plan_answer.plan.name):  # to the cent, as the choice ranks
            again = advise(dataclasses.replace(workload, hour_value=hour_value), as_of=NEWEST)
            return round(answer(again, name).option.value, 2) - round(again.baseline.value, 2)

        assert plan_minus_baseline(threshold * 1.02) > 0 >= plan_minus_baseline(threshold * 0.98), plan_answer.plan.name
        assert plan_minus_baseline(threshold + 1e-6) > 0, plan_answer.plan.name  # a cent ahead just above it
        checked += 1
    assert checked


def test_the_verdict_for_free_names_the_unpublished_free_limits():
    rec = advise()
    assert UNKNOWN_FREE_LIMITS in rec.depends_on
    assert rec.past_free_limits is not None and rec.past_free_limits.plan.name != "free"


# ---- unknowns never become a verdict -------------------------------------------------------------------
def test_unknown_tax_prices_before_tax_and_free_stays_free():
    us = load_catalog().tax_rate_for("US")  # no single national rate
    rec = advise(Workload(model="deep", epochs=10, epoch_seconds=100.0), as_of=None,
                 tax=TaxBasis("country", None, us))
    assert rec.best.costs_nothing and rec.best.cost == 0
    assert option(rec, "pro:t4").cost == pytest.approx(9.99)  # before tax, labelled so, not "unknown"
    assert rec.tax.unknown


def test_equal_value_goes_to_the_option_that_saves_more_hours():
    # Worth nothing an hour: every free option is worth $0; Free's T4 saves 19 h a month over this machine.
    rec = advise(Workload(model="deep", epochs=20, epoch_seconds=3600.0, runs_per_month=1, hour_value=0.0),
                 as_of=None)
    free = [o for o in (rec.local, *rec.options) if o.usable and o.cost == 0]
    assert rec.best.value == rec.local.value == 0.0
    assert rec.best.hours_saved == max(o.hours_saved for o in free) > 0


def test_an_option_whose_ram_is_unknown_never_beats_a_known_fit_at_equal_value():
    rec = advise(dataclasses.replace(REFERENCE, ram_gb=40), as_of=None)
    assert option(rec, "pay-as-you-go:t4").ram_fits is None
    assert UNKNOWN_RAM in option(rec, "pay-as-you-go:t4").unknowns
    # Pro's High-RAM (51 GiB = 54.8 GB) is known to hold 40 GB: an unknown never wins over it.
    assert option(rec, "pro:t4").ram_fits is True
    assert UNKNOWN_RAM not in rec.best.unknowns and rec.best.ram_fits is True


def test_a100_runtimes_carry_their_own_ram_on_every_paid_plan():
    rec = advise(dataclasses.replace(REFERENCE, ram_gb=60), as_of=None)
    assert option(rec, "pro:t4").ram_fits is False  # 51 GB High-RAM
    assert option(rec, "pro:a100-40gb").ram_fits is True  # A100 runtimes report about 83 GB
    assert option(rec, "pay-as-you-go:a100-40gb").ram_fits is True
    # Only runtimes known to hold 60 GB compete: every A100 runtime, no T4 one.
    assert rec.best.accelerator.key.startswith("a100") and rec.best.ram_fits is True


def test_an_option_that_cannot_be_priced_is_never_chosen():
    rec = advise(as_of=None)
    h100 = option(rec, "pay-as-you-go:h100")
    assert h100.cost is None and not h100.usable
    assert rec.best is not h100


# ---- purchases as they are bought --------------------------------------------------------------------
def test_pay_as_you_go_costs_a_whole_pack_not_the_cu_used():
    rec = advise(as_of=None)
    payg = option(rec, "pay-as-you-go:a100-80gb")
    assert 0 < payg.cu_per_month < 100
    assert payg.cost == pytest.approx(9.99)  # one pack of 100 CU


def test_a_longer_horizon_spreads_a_pack_over_its_90_days():
    light = dataclasses.replace(REFERENCE, months=3)
    rec = advise(light, as_of=None)
    payg = option(rec, "pay-as-you-go:t4")
    assert payg.cu_per_month * 3 < 100
    assert payg.cost == pytest.approx(9.99)  # one pack lasts the three months
    assert option(rec, "pro:t4").cost == pytest.approx(3 * 9.99)


def test_pro_can_win_when_runs_outlast_the_sessions_others_are_assumed_to_have():
    # 10 h of T4 a run: Free's sessions end near 3h20m, Pay As You Go publishes none (Free's is assumed),
    # Pro's last 24 h: only Pro runs it in one session.
    long = Workload(model="deep", epochs=200, epoch_seconds=3600.0, runs_per_month=2, hour_value=20.0)
    rec = advise(long, as_of=None)
    assert option(rec, "pro:t4").sessions == 1
    assert option(rec, "pay-as-you-go:t4").sessions > 1
    assert option(rec, "pro:t4").value > option(rec, "pay-as-you-go:t4").value


# ---- free is finite -----------------------------------------------------------------------------------
def test_a_free_quota_caps_free_and_says_so():
    heavy = Workload(model="deep", epochs=100, epoch_seconds=100.0, runs_per_month=30, free_gpu_hours=1.0)
    rec = advise(heavy, as_of=None)
    free = option(rec, "free:t4")
    assert not free.usable and any(b.kind == BLOCK_FREE_QUOTA for b in free.blockers)
    assert rec.best is not free


def test_kaggle_is_chosen_where_its_published_quota_holds_the_work_and_not_past_it():
    rec = advise(as_of=date(2026, 10, 1))  # Kaggle's two T4s, 30 GPU hours a week
    kaggle = option(rec, "kaggle:t4")
    assert kaggle.devices == 2 and kaggle in rec.alternatives
    assert kaggle.free_quota_hours == pytest.approx(30 * 365.25 / 7 / 12)  # 30 h a week, a month of weeks
    assert rec.best is kaggle
    # Enough runs to need 200 h a month there: past the 130 h that 30 h a week give.
    runs = round(200 / kaggle.run_hours)
    heavy = advise(dataclasses.replace(REFERENCE, runs_per_month=runs), as_of=date(2026, 10, 1))
    assert not option(heavy, "kaggle:t4").usable and heavy.best.key != "kaggle:t4"


# ---- volumes are physical ------------------------------------------------------------------------------
def test_more_than_a_month_of_hours_is_flagged_not_priced():
    rec = advise(Workload(model="deep", epochs=1000, epoch_seconds=3600.0, runs_per_month=1), as_of=None)
    assert not rec.local.usable
    assert any(b.kind == BLOCK_MONTH and b.have == pytest.approx(730.5) for b in rec.local.blockers)
    assert all(not o.usable or o.monthly_hours <= 730.5 for o in rec.options)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"epochs": 0}, "--epochs: expected a whole number from 1"),
        ({"epochs": 99_999_999_999}, "--epochs: expected a whole number from 1 to 100,000"),
        ({"epoch_seconds": -5.0}, "--epoch-seconds"),
        ({"epoch_seconds": 1e308}, "--epoch-seconds"),
        ({"epoch_seconds": float("inf")}, "--epoch-seconds: expected a number"),
        ({"runs_per_month": 1e12}, "--runs-per-month"),
        ({"runs_per_month": 0}, "--runs-per-month"),
        ({"hour_value": -1.0}, "--hour-value"),
        ({"hour_value": 1e9}, "--hour-value"),
        ({"ram_gb": 1e6}, "--ram-gb"),
        ({"setup_minutes": 1e5}, "--setup-minutes"),
        ({"months": 0}, "--months"),
        ({"months": 400}, "--months"),
        ({"free_gpu_hours": 5000.0}, "--free-gpu-hours"),
        ({"model": "forest"}, "--model: expected one of deep, boosting"),
        ({"samples": 100}, "either --epoch-seconds or --samples"),
        ({"epoch_seconds": None, "samples": 100}, "--samples needs --preset"),
    ],
)
def test_bad_workloads_are_refused_in_one_line(changes, message):
    with pytest.raises(AdvisorError, match=message) as info:
        dataclasses.replace(REFERENCE, **changes)
    assert "\n" not in str(info.value)


# ---- the headline works: sizing, a local figure to trust ----------------------------------------------------
def test_with_no_sizing_flag_an_epoch_is_60000_samples_of_the_measured_preset():
    rec = advise(Workload(model="deep", epochs=10))
    # 60,000 / 256 = 234.375 steps at 10 ms.
    assert rec.local.epoch.seconds == pytest.approx(60000 / 256 * 0.010)
    assert any(a.kind == "epoch_size_default" and a.get("samples") == 60_000 for a in rec.assumptions)


def test_samples_and_preset_size_the_epoch_from_the_measurement():
    rec = advise(Workload(model="deep", epochs=10, samples=25600, preset="medium"))
    assert rec.local.epoch.seconds == pytest.approx(100 * 0.010)  # 100 steps of 256 at 10 ms


def test_the_local_figure_is_the_median_of_compatible_runs_and_a_lone_quick_run_is_weak():
    quick = Config(preset="medium", budget_seconds=1.0)
    runs = [make_measurement(step=s) for s in (0.010, 0.011, 0.030)]
    figure = local_figure(runs)
    assert figure.seconds == pytest.approx(0.011) and figure.count == 3 and not figure.weak
    lone = local_figure([make_measurement(step=0.030, config=quick)])
    assert lone.weak and lone.quick == 1
    other_dtype = make_measurement(step=0.001, dtype="bfloat16")
    assert local_figure([*runs, other_dtype]).count == 1  # only the newest one's (preset, dtype, batch)


def test_one_noisy_quick_run_does_not_steer_the_answer_when_others_agree():
    steady = [make_measurement(step=0.010) for _ in range(3)]
    noisy = make_measurement(step=0.030, config=Config(preset="medium", budget_seconds=1.0))
    figure = local_figure([*steady, noisy])
    assert figure.seconds == pytest.approx(0.010)


# ---- dates --------------------------------------------------------------------------------------------------
def test_a_date_past_the_catalog_uses_its_newest_data_and_says_where_it_ends():
    rec = advise(as_of=date(2026, 11, 27))
    assert rec.as_of == NEWEST and rec.requested == date(2026, 11, 27) and rec.beyond_coverage


# ---- other sources of speed -----------------------------------------------------------------------------
def test_a_colab_measurement_replaces_the_prediction_for_its_device():
    colab = make_measurement(step=0.001, environment=make_environment(
        platform="gpu", device_kind="Tesla T4", in_colab=True, timestamp="2026-11-21T10:00:00+00:00"))
    rec = advise(sources=Sources(local=LOCAL, colab=colab), as_of=date(2026, 9, 1))
    t4 = option(rec, "free:t4")
    assert t4.epoch.basis == BASIS_MEASURED
    # 100 epochs of 100 s here; there 10x faster per step plus 3 min of setup a session.
    assert t4.speedup == pytest.approx(100 * 100 / (100 * 10 + 3 * 60))
    assert option(rec, "pro:l4").epoch.basis == BASIS_PREDICTED
    assert rec.notes == ()


def test_without_a_measurement_specs_give_a_labelled_estimate():
    catalog = load_catalog(FLAT_ERA)
    rec = recommend(REFERENCE, Sources(local_device=catalog.accelerator("laptop-cpu")), catalog, NO_TAX)
    assert option(rec, "free:k80").epoch.basis == BASIS_ESTIMATE
    assert any(a.kind == "local_from_specs" and a.get("device") == "laptop-cpu" for a in rec.assumptions)


def test_without_any_measurement_it_says_how_to_make_one():
    with pytest.raises(AdvisorError, match=r"run `colab-advisor measure`"):
        recommend(REFERENCE, Sources(), load_catalog(FLAT_ERA), NO_TAX)


def test_boosting_stays_local_on_the_numbers():
    rec = advise(dataclasses.replace(REFERENCE, model="boosting"))
    cpu = option(rec, "free:colab-cpu")
    # 200 GFLOP/s measured here against one 70 GFLOP/s Colab core at 80 %: Colab is slower, and each
    # run pays 3 min of setup: 100 epochs of 100 s here, 100 s x 2e11 / 5.6e10 an epoch there.
    epoch_there = 100 * 2e11 / (0.07e12 * 0.8)
    assert cpu.speedup == pytest.approx(100 * 100 / (100 * epoch_there + 180), rel=1e-6)
    assert rec.best is rec.local


def test_boosting_that_needs_more_ram_than_this_machine_goes_to_high_ram():
    rec = advise(dataclasses.replace(REFERENCE, model="boosting", ram_gb=20))
    assert rec.local.ram_fits is False
    assert option(rec, "free:colab-cpu").ram_fits is False  # 12.72 GB
    assert rec.best.key == "pro:colab-cpu" and rec.best.ram_fits is True  # High-RAM 25.51 GB


def test_ram_beyond_every_plan_is_an_answer_not_an_error():
    rec = advise(dataclasses.replace(REFERENCE, ram_gb=500))
    assert rec.nothing_fits and rec.best is None


def test_pro_pays_off_where_nothing_free_can_do_the_job():
    rec = advise(dataclasses.replace(REFERENCE, ram_gb=60), as_of=None)
    # Colab Free's 12.7 GiB cannot; Kaggle publishes no RAM figure, so it stays in only as an unknown.
    assert not option(rec, "free:t4").usable
    assert rec.baseline is None or "ram" in rec.baseline.unknowns
    assert answer(rec, "pro").status == PAYS_OFF
    # Pay As You Go gives the same A100 time for no more money and without a subscription.
    assert answer(rec, "pro").cheaper_alike is not None
    assert rec.best.plan.name == "pay-as-you-go"


def test_when_no_colab_option_fits_and_can_be_priced_the_verdict_says_so():
    from advisor.render.verdict import verdict_sentences

    roomy = Sources(local=make_measurement(step=0.010, environment=make_environment(ram_bytes=32 << 30)))
    # 2026-09-01: before the one (unconfirmed) reading of the CPU runtime's rate, 2026-09-27.
    rec = advise(Workload(model="boosting", epochs=100, epoch_seconds=30.0, ram_gb=20), sources=roomy,
                 as_of=date(2026, 9, 1))
    assert rec.best is rec.local  # Free's CPU runtime is too small, the paid ones' CPU rate is unknown
    assert verdict_sentences(rec)[0].startswith("Stay on this machine: no Colab option both fits this job")


def test_two_options_are_worth_the_same_only_when_nine_draws_in_ten_differ_by_under_a_dollar():
    from types import SimpleNamespace

    import numpy as np

    from advisor.decide.engine import _worth_the_same

    base = np.linspace(100.0, 200.0, 100)
    close = SimpleNamespace(value_draws=base + np.r_[np.full(92, 0.5), np.full(8, 30.0)])  # 92 draws within $0.50
    apart = SimpleNamespace(value_draws=base + np.r_[np.full(80, 0.5), np.full(20, 30.0)])  # only 80 within $1
    best = SimpleNamespace(value_draws=base)
    assert _worth_the_same(best, close)
    assert not _worth_the_same(best, apart)
    assert not _worth_the_same(best, SimpleNamespace(value_draws=None))


def test_on_a_reported_fallback_the_chosen_plans_own_other_gpu_is_weighed_first():
    # Pay As You Go's G4, reported to fall back to an L4: its own TPU beats the L4, and is named before
    # another plan's TPU that is worth no more (a subscription for what the plan already offers).
    workload = Workload(model="deep", epochs=10, epoch_seconds=300.0, hour_value=100.0, hour_value_given=True,
                        runs_per_month=25)
    rec = advise(workload, as_of=NEWEST)
    assert rec.best.key == "pay-as-you-go:g4" and rec.fallback.fallback.key == "pay-as-you-go:l4"
    rival = rec.fallback.rival
    assert rival.plan == rec.best.plan and rival.key != rec.best.key
    assert rival.value > rec.fallback.fallback.value
    same_gpu_elsewhere = [o for o in rec.options if o.usable and o.accelerator == rival.accelerator
                          and o.plan != rival.plan]
    assert all(round(o.value, 2) <= round(rival.value, 2) for o in same_gpu_elsewhere)
