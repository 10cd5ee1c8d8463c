"""recommend --workload NAME: the workload's own predicted ratios, and its memory fit."""

import dataclasses

import pytest

from advisor.decide import Workload
from advisor.decide.engine import recommend
from advisor.decide.sources import NamedSpeeds, Sources, with_named
from advisor.decide.tax import TaxBasis
from advisor.errors import AdvisorError
from advisor.predict.speed import BASIS_PREDICTED, Speed
from advisor.predict.workload import WorkloadRatio
from pricing import load_catalog
from tests.helpers import make_measurement

CATALOG = load_catalog()
LOCAL = Sources(local=make_measurement(step=0.010))


def named(fits_t4: bool) -> NamedSpeeds:
    """Hand-made predictions: 1 s a step here, 10 ms on every accelerator; the T4 too small or not."""
    step = Speed(0.01, 0.008, 0.012, BASIS_PREDICTED, "test")
    ratios = {key: WorkloadRatio(Speed(1.0, 0.9, 1.2, BASIS_PREDICTED, "here"), step,
                                 fits_t4 if key == "t4" else True, 4 if key == "t4" else 64)
              for plan in CATALOG.plans for key in plan.accelerators}
    return NamedSpeeds("bert-base-128", 32, Speed(1.0, 0.9, 1.2, BASIS_PREDICTED, "here"), ratios)


def test_the_named_workloads_ratio_replaces_the_autoencoders():
    sources = dataclasses.replace(LOCAL, named=named(True))
    rec = recommend(Workload(model="deep", epochs=2, named="bert-base-128"), sources, CATALOG, TaxBasis("none"))
    t4 = next(o for o in rec.options if o.key == "free:t4")
    # 1 s a step here, 10 ms there: 2 x 1,875 steps take 3,750 s here, 37.5 s plus 3 min of setup there.
    assert t4.speedup == pytest.approx(3750 / (37.5 + 180))
    # 60,000 samples at batch 32 is 1,875 steps of 1 s, twice.
    assert rec.local.run_hours == pytest.approx(2 * 1875 * 1.0 / 3600)


def test_an_accelerator_the_workload_does_not_fit_is_ruled_out_and_says_why():
    sources = dataclasses.replace(LOCAL, named=named(False))
    rec = recommend(Workload(model="deep", epochs=2, named="bert-base-128"), sources, CATALOG, TaxBasis("none"))
    t4 = next(o for o in rec.options if o.key == "free:t4")
    assert not t4.usable
    assert [(b.kind, b.have, b.need, b.subject) for b in t4.blockers] == [("device_memory", 4, 32, "t4")]
    assert rec.best.accelerator.key != "t4"


def test_a_preset_workload_is_predicted_on_every_offered_accelerator_from_its_shipped_profile(tmp_path):
    sources = with_named(LOCAL, "ae-small", CATALOG, tmp_path)
    assert sources.named.local.seconds > 0
    assert {"t4", "a100-40gb"} <= set(sources.named.accelerators)
    assert not (tmp_path / "profiles").exists()  # a preset's kernel profile ships with the package


def test_an_unknown_workload_gets_a_suggestion():
    with pytest.raises(AdvisorError, match="did you mean"):
        with_named(LOCAL, "resnet5", CATALOG, None)


def test_a_named_workload_on_a_local_device_is_predicted_from_its_specs_with_no_measurement(tmp_path):
    from advisor.predict.speed import BASIS_ESTIMATE

    device = CATALOG.accelerator("rtx-3090")
    sources = with_named(Sources(local_device=device), "ae-small", CATALOG, tmp_path)
    # The same predictor as for any accelerator: this machine's step is the 3090's predicted step.
    own = with_named(Sources(local_device=device), "ae-small", CATALOG, tmp_path, extra=("rtx-3090",))
    assert sources.named.local.basis == BASIS_ESTIMATE
    assert sources.named.local.seconds == pytest.approx(own.named.accelerators["rtx-3090"].accelerator.seconds)
    with pytest.raises(AdvisorError, match="or give --local-device NAME"):
        with_named(Sources(), "ae-small", CATALOG, tmp_path)


def test_samples_size_a_named_workload_s_epoch():
    sources = dataclasses.replace(LOCAL, named=named(True))
    # 32,000 samples at batch 32: 1,000 steps of 1 s here, twice.
    rec = recommend(Workload(model="deep", epochs=2, named="bert-base-128", samples=32_000), sources, CATALOG,
                    TaxBasis("none"))
    assert rec.local.run_hours == pytest.approx(2 * 1000 * 1.0 / 3600)


def test_kaggles_two_t4s_each_hold_half_the_batch():
    # The T4 holds 4 of the 32 samples here: too few for 16 each as well, so Kaggle's pair is ruled out;
    # where a T4 holds 16, each of the two takes its half and the pair runs while Free's single T4 cannot.
    sources = dataclasses.replace(LOCAL, named=named(False))
    rec = recommend(Workload(model="deep", epochs=2, named="bert-base-128"), sources, CATALOG, TaxBasis("none"))
    assert not next(o for o in rec.options if o.key == "kaggle:t4").usable
    half = named(False)
    half = dataclasses.replace(half, accelerators={**half.accelerators, "t4": dataclasses.replace(
        half.accelerators["t4"], max_batch=16)})
    rec = recommend(Workload(model="deep", epochs=2, named="bert-base-128"), dataclasses.replace(LOCAL, named=half),
                    CATALOG, TaxBasis("none"))
    assert next(o for o in rec.options if o.key == "kaggle:t4").usable
    assert not next(o for o in rec.options if o.key == "free:t4").usable


def test_this_machine_as_a_catalog_gpu_too_small_for_the_batch_is_ruled_out():
    device = CATALOG.accelerator("rtx-2070")
    small = dataclasses.replace(named(True), local_max_batch=8)  # 8 of the 32 samples fit on this card
    sources = Sources(local_device=device, named=small)
    rec = recommend(Workload(model="deep", epochs=2, named="bert-base-128"), sources, CATALOG, TaxBasis("none"))
    assert not rec.local.usable and rec.best is not None and not rec.best.is_local
    (blocker,) = [b for b in rec.local.blockers if b.kind == "device_memory"]
    assert (blocker.have, blocker.need, blocker.subject) == (8, 32, "rtx-2070")
    roomy = Sources(local_device=device, named=dataclasses.replace(named(True), local_max_batch=32))
    rec = recommend(Workload(model="deep", epochs=2, named="bert-base-128"), roomy, CATALOG, TaxBasis("none"))
    assert not any(b.kind == "device_memory" for b in rec.local.blockers)


@pytest.mark.parametrize(("devices", "batch", "share"), [(2, 1, 1.0), (2, 2, 0.5), (2, 3, 2 / 3), (2, 4096, 0.5),
                                                          (8, 4, 1 / 4), (8, 12, 2 / 12), (2, None, 0.5)])
def test_a_batch_split_over_devices_leaves_devices_idle_when_it_is_smaller_than_their_count(devices, batch, share):
    from advisor.decide.timing import data_parallel_share

    assert data_parallel_share(devices, batch) == pytest.approx(share)


@pytest.mark.parametrize(("batch", "faster"), [(1, 1.0), (32, 2.0)])
def test_kaggle_s_two_t4s_halve_a_step_only_when_the_batch_can_be_split(batch, faster):
    sources = dataclasses.replace(LOCAL, named=dataclasses.replace(named(True), batch_size=batch))
    rec = recommend(Workload(model="deep", epochs=2, named="bert-base-128"), sources, CATALOG, TaxBasis("none"))
    one = next(o for o in rec.options if o.key == "free:t4")
    two = next(o for o in rec.options if o.devices == 2 and o.accelerator.key == "t4")
    assert one.epoch.seconds / two.epoch.seconds == pytest.approx(faster)
