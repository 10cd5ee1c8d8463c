"""What the hardware can do (matmul unit per dtype, sustained clock) and the one preset predictor."""

import dataclasses
import itertools
import json
import math
from pathlib import Path

import pytest

from advisor.predict import physics, speed
from advisor.predict.presets import predict_preset
from advisor.predict.workload import predict_workload
from pricing import load_catalog

CATALOG = load_catalog()
REFERENCE = Path(__file__).resolve().parents[3] / "benchmarks" / "reference"


def acc(key):
    return CATALOG.accelerator(key)


@pytest.mark.parametrize(
    ("key", "dtype", "tflops", "unit"),
    [
        ("a100-40gb", "float32", 156.0, "tf32"),  # JAX's default precision multiplies float32 in TF32
        ("t4", "float32", 8.1, "fp32"),  # no TF32 before Ampere
        ("t4", "float16", 65.0, "tensor"),
        ("t4", "bfloat16", 8.1, "fp32"),  # no native bf16 before Ampere
        ("h100", "bfloat16", 989.0, "tensor"),
        ("tpu-v5e-1", "float32", 197.0, "tpu"),  # one bf16 pass at default precision
        ("k80", "float16", 4.37, "fp32"),  # Kepler has no FP16 arithmetic
        ("p100", "float16", 18.7, "packed-half"),  # two FP16 per FP32 lane, no tensor cores
        ("gtx-1080-ti", "float16", 11.3, "fp32"),  # FP16 at 1/64 rate: FP32 at best
        ("v100", "bfloat16", 15.7, "fp32"),
    ],
)
def test_each_dtype_runs_on_the_unit_the_architecture_has(key, dtype, tflops, unit):
    path = physics.matrix_path(acc(key), dtype)
    assert path.flops == pytest.approx(tflops * 1e12)
    assert path.unit == unit


@pytest.mark.parametrize(
    ("key", "dtype", "code"),
    [("k80", "float16", physics.NO_HALF_HARDWARE), ("p4", "float16", physics.SLOW_HALF),
     ("p100", "float16", physics.PACKED_HALF), ("t4", "float32", physics.NO_TF32),
     ("t4", "bfloat16", physics.NO_NATIVE_BF16)],
)
def test_a_slower_path_than_the_peak_says_why(key, dtype, code):
    assert code in [c.code for c in physics.matrix_path(acc(key), dtype).caveats]


@pytest.mark.parametrize(
    ("key", "dtype", "layout", "slowdown"),
    [
        # Two published float32 measurements, NHWC over NCHW: a V100 1.64x (pytorch/pytorch#44943:
        # 2.76 s against 1.68 s) and a TITAN RTX 2.41x (pytorch/pytorch#50036: 2.346 s against 0.974 s);
        # their geometric mean, worked by hand, is 1.990.
        ("v100", "float32", "channels-last", 1.990),
        ("t4", "float32", "channels-last", 1.990),  # Turing: no tensor cores for float32 either
        ("p100", "float32", "channels-last", 1.990),
        ("k80", "float32", "channels-last", 2.0),  # the same report's K80: 4x against 2x its old time
        ("v100", "float16", "channels-last", 1.0),  # tensor cores: NHWC is their native layout
        ("a100-40gb", "float32", "channels-last", 1.0),  # TF32 runs on tensor cores
        ("v100", "float32", "channels-first", 1.0),
        ("v100", "float32", None, 1.0),  # a JAX step: XLA picks NCHW for float32 convolutions
        ("tpu-v5e-1", "float32", "channels-last", 1.0),
    ],
)
def test_a_stated_channels_last_layout_slows_convolutions_only_without_tensor_cores(key, dtype, layout, slowdown):
    assert physics.conv_layout_slowdown(acc(key), dtype, layout) == pytest.approx(slowdown, abs=5e-4)


def test_an_unknown_layout_is_refused():
    with pytest.raises(ValueError, match="NHWC"):
        physics.conv_layout_slowdown(acc("v100"), "float32", "NHWC")


def test_every_published_layout_is_one_the_predictor_knows():
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    rows = tomllib.loads((REFERENCE / "published.toml").read_text(encoding="utf-8"))["measurement"]
    stated = [row for row in rows if "layout" in row]
    assert stated  # GPU-Insights states channels-last for its ResNet-50
    for row in stated:
        physics.conv_layout_slowdown(acc(row["accelerator"]), row["dtype"], row["layout"])


def test_ampere_float32_takes_the_tf32_path_without_a_caveat():
    assert physics.matrix_path(acc("a100-40gb"), "float32").caveats == ()


def test_the_t4_at_70_watts_runs_at_its_reported_sustained_clock_with_a_band_down_to_base():
    clock = physics.clock(acc("t4"))
    # About 900 MHz seen under load (mlcommons/inference_results_v0.5#20); 585 base, 1590 boost.
    assert clock.centre == pytest.approx(900 / 1590)
    assert clock.low == pytest.approx(585 / 1590)
    assert clock.caveats[0].code == physics.SUSTAINED_CLOCK
    from advisor.render.predict import caveat_text

    said = caveat_text(clock.caveats[0], "t4")  # the words say how far the band reaches, not only the reading
    assert "runs at 900 MHz" in said and "down to its 585 MHz base clock" in said


def test_a_power_limited_card_without_a_reading_takes_the_mean_of_base_and_boost():
    clock = physics.clock(acc("p4"))
    # P4 datasheet: 75 W, 810 MHz base, 1063 MHz boost; no clock under load is published.
    assert clock.centre == pytest.approx(math.sqrt(810 * 1063) / 1063)
    assert clock.caveats[0].code == physics.POWER_LIMITED
    # The clock's own 10-90 % band reaches from base to boost.
    z90 = 1.2815515655446004
    assert clock.centre * math.exp(z90 * clock.sigma) == pytest.approx(1.0)
    assert clock.centre / math.exp(z90 * clock.sigma) == pytest.approx(810 / 1063)


def test_the_l4_clock_lies_between_its_reading_under_a_sustained_tensor_core_load_and_boost():
    clock = physics.clock(acc("l4"))
    # 1,009 MHz under continuous BF16 matmuls at 72 W (a floor for a training step); 2,040 MHz boost.
    assert clock.centre == pytest.approx(math.sqrt(1009 * 2040) / 2040)
    assert clock.low == pytest.approx(1009 / 2040)
    assert clock.caveats[0].code == physics.MATMUL_CLOCK
    z90 = 1.2815515655446004
    assert clock.centre * math.exp(z90 * clock.sigma) == pytest.approx(1.0)
    assert clock.centre / math.exp(z90 * clock.sigma) == pytest.approx(1009 / 2040)


def test_a_250_watt_v100_pcie_lies_between_its_reading_under_load_and_boost():
    clock = physics.clock(acc("v100-pcie"))
    # A V100-PCIE-32GB at its 250 W limit fell to 1,252 MHz through SDXL runs (bradrlaw/ai-server
    # pull request #32); 1,380 MHz boost (V100 datasheet, PCIe).
    assert clock.centre == pytest.approx(math.sqrt(1252 * 1380) / 1380)
    assert clock.low == pytest.approx(1252 / 1380)
    assert dict(clock.caveats[0].figures) == {"matmul_mhz": 1252, "boost_mhz": 1380}


def test_a_borrowed_clock_reading_says_whose_it_is():
    clock = physics.clock(acc("v100s"))
    # The V100 PCIe's 1,252 MHz floor; the V100S's 1,601 MHz boost (16.4 TFLOP/s over 5,120 x 2 FLOP).
    assert clock.centre == pytest.approx(math.sqrt(1252 * 1601) / 1601)
    assert dict(clock.caveats[0].figures)["read_on"] == "v100-pcie"
    assert "read_on" not in dict(physics.clock(acc("l4")).caveats[0].figures)


def test_a_300_watt_rtx_6000_ada_can_feed_only_part_of_its_tensor_peak_at_the_l4_s_energy_per_flop():
    # The L4 delivered 121 TFLOP/s x 1,009/2,040 = 59.85 TFLOP/s of BF16 at its 72 W limit: 1.203 pJ a FLOP.
    # 300 W at 1.203 pJ buys 249.4 TFLOP/s of the RTX 6000 Ada's 364.2: 0.685 of its peak.
    joules = 72 / (121e12 * 1009 / 2040)
    share = 300 / joules / 364.2e12
    assert share == pytest.approx(0.6847, abs=1e-4)
    clock = physics.clock(acc("rtx-6000-ada"))
    assert clock.low == pytest.approx(share) and clock.centre == pytest.approx(math.sqrt(share))
    figures = dict(clock.caveats[0].figures)
    assert clock.caveats[0].code == physics.POWER_BUDGET and figures["reference"] == "l4"
    assert figures["low_mhz"] == round(share * 2505)


@pytest.mark.parametrize("key", ["rtx-4090", "rtx-4070", "a100-40gb", "h100", "g4"])
def test_a_card_whose_power_limit_feeds_its_tensor_peak_or_with_no_reading_to_scale_keeps_its_clock(key):
    # The 450 W RTX 4090 runs FP16 with FP32 accumulation at 165.2 TFLOP/s: 450 W at 1.203 pJ buys 374;
    # the 200 W RTX 4070 needs 70 W for its 58.3. Ampere, Hopper and Blackwell have no card read under
    # continuous matmuls at its power limit: nothing to scale from.
    assert physics.power_budget(acc(key)) is None
    assert physics.clock(acc(key)).centre == 1.0


def test_a_card_s_own_reading_comes_before_a_scaled_one():
    # The V100S borrows the V100 PCIe's reading (same chip, same 250 W), not a share scaled by power.
    assert physics.clock(acc("v100s")).caveats[0].code == physics.MATMUL_CLOCK
    assert physics.clock(acc("l4")).caveats[0].code == physics.MATMUL_CLOCK


def test_more_watts_never_lower_a_power_budgeted_clock():
    card = acc("rtx-6000-ada")
    lows = [physics.clock(dataclasses.replace(card, power_limit_watts=w)).low for w in (100, 200, 300, 400, 500, 800)]
    assert all(a <= b for a, b in itertools.pairwise(lows)) and lows[-1] == 1.0


def test_a_card_read_at_or_above_its_boost_clock_runs_at_the_peaks_as_given():
    # A GeForce card may hold more than its rated boost under load; the peaks assume boost, so the
    # prediction stays at boost and no caveat calls the reading "below" it.
    above = dataclasses.replace(acc("rtx-4090"), sustained_clock_mhz=2700)
    assert (physics.clock(above).centre, physics.clock(above).low, physics.clock(above).caveats) == (1.0, 1.0, ())


def test_a_published_clock_reading_gives_a_narrower_band_than_none():
    reading = acc("t4")
    unread = dataclasses.replace(reading, sustained_clock_mhz=None)
    assert physics.clock(unread).caveats[0].code == physics.POWER_LIMITED
    assert physics.clock(reading).sigma < physics.clock(unread).sigma


def test_a_high_power_card_holds_its_boost_clock():
    assert physics.clock(acc("a100-40gb")).centre == 1.0


def test_the_k80_runs_at_its_published_base_clock():
    assert physics.clock(acc("k80")).centre == pytest.approx(560 / 875)


def test_a_gpu_without_its_figures_is_unknown_and_says_which_are_missing():
    blank = dataclasses.replace(acc("g4"), fp32_tflops=None, tf32_tflops=None, memory_bandwidth_gbs=None)
    assert speed.predict(speed.preset_profile("medium"), blank) is None
    assert set(physics.missing_for_prediction(blank, "float32")) == {"fp32_tflops", "memory_bandwidth_gbs"}


def test_the_t4_is_slower_than_its_peaks_alone_would_say():
    # Against the V100 in FP16: datasheet tensor peaks 65 vs 125 (1.9x), bandwidth 320 vs 900 GB/s.
    t4 = predict_preset("large", "float16", 4096, acc("t4"))
    v100 = predict_preset("large", "float16", 4096, acc("v100"))
    assert t4.seconds / v100.seconds > 125 / 65


@pytest.mark.parametrize("name", ["large-bfloat16", "large-float32", "medium-bfloat16", "medium-float32"])
def test_the_h100_reference_runs_fall_inside_the_band(name):
    data = json.loads((REFERENCE / f"{name}.json").read_text())
    measured = data["summary"]["python_loop"]["median"]
    p = predict_preset(data["config"]["preset"], data["config"]["dtype"], data["batch_size"], acc("h100"))
    assert p.low <= measured <= p.high


def test_recommend_and_predict_price_a_preset_with_the_same_predictor(tmp_path):
    via_recommend = speed.predict(speed.preset_profile("medium"), acc("t4"))
    row = predict_workload("ae-medium", "float32", None, ["t4"], CATALOG, tmp_path).rows[0]
    assert row.speed.seconds == via_recommend.seconds
    assert not (tmp_path / "profiles").exists()  # the shipped profile: nothing compiled or cached


def test_predictions_carry_their_error_and_the_group_that_shares_it():
    t4 = speed.predict(speed.preset_profile("medium"), acc("t4"))
    rtx = speed.predict(speed.preset_profile("medium"), acc("rtx-2080-ti"))
    a100 = speed.predict(speed.preset_profile("medium", "bfloat16"), acc("a100-40gb"))
    assert t4.error_group == rtx.error_group == "turing/full"
    assert a100.error_group == "ampere/half"
    assert t4.sigma > rtx.sigma > 0  # the T4's unknown clock under its power limit widens its error
    scaled = t4.scaled(10.0)
    assert (scaled.sigma, scaled.error_group) == (t4.sigma, t4.error_group)


def test_a_generation_without_published_rows_gets_a_wider_band_and_says_so():
    # No publisher in benchmarks/reference/published.toml ran a Kepler GPU in half precision: its FP32 units'
    # efficiencies (fitted on the K80's float32 rows) are taken, said so, with the wider band.
    fitted = speed.predict(speed.preset_profile("medium", "float16"), acc("v100"))
    unfitted = speed.predict(speed.preset_profile("medium", "float16"), acc("k80"))
    borrowed = [c for c in unfitted.caveats if c.code == "fp32-units-efficiency"]
    assert borrowed and dict(borrowed[0].figures)["group"] == "kepler/full"
    assert unfitted.sigma > fitted.sigma


@pytest.mark.parametrize("dtype", ["float32", "bfloat16", "float16"])
def test_every_unfitted_band_is_at_least_as_wide_as_every_fitted_one(dtype):
    # "Otherwise a wider band": an architecture without a fit checked on two publishers (a TPU, an Apple
    # GPU, Blackwell) must not come out surer than any fitted card, over the whole catalog.
    from advisor.predict import model as speed_model

    catalog = load_catalog()
    fitted, unfitted = {}, {}
    for card in catalog.accelerators:
        if card.kind == "cpu" or physics.matrix_path(card, dtype).flops is None:
            continue
        eff = speed_model.efficiency(card, dtype)
        (fitted if eff.fitted and not eff.publisher else unfitted)[card.key] = eff.sigma
    assert fitted and unfitted
    assert min(unfitted.values()) >= max(fitted.values()), (min(unfitted.items(), key=lambda kv: kv[1]),
                                                            max(fitted.items(), key=lambda kv: kv[1]))


def test_the_k80_in_float32_is_fitted_on_its_published_rows():
    # The TensorFlow team's 2017 tables and a 2020 Colab post both timed a K80 in float32.
    k80 = speed.predict(speed.preset_profile("medium"), acc("k80"))
    assert k80.error_group == "kepler/full"
    assert "unfitted-architecture" not in [c.code for c in k80.caveats]


def test_a_cpu_described_by_its_spec_sheet_is_estimated_from_its_fp32_peak():
    p = speed.predict(speed.preset_profile("medium"), acc("laptop-cpu"), speed.BASIS_ESTIMATE)
    assert p.low < p.seconds < p.high and p.basis == speed.BASIS_ESTIMATE


def test_a_step_of_no_known_preset_cannot_be_predicted():
    profile = speed.StepProfile(1e9, 1e6, 8, "float32", "made up", None)
    assert speed.predict(profile, acc("t4")) is None


@pytest.mark.parametrize("preset", ["small", "medium", "large", "conv"])
def test_a_clock_below_boost_never_makes_a_step_or_its_fast_end_faster_than_at_boost(preset):
    """Only compute-bound kernels slow down with the clock, so only their share of the clock's band reaches
    the step: a throttled card's centre and fast end are never faster than the same card at boost."""
    from advisor.predict.presets import preset_batch

    throttled = [a for a in CATALOG.accelerators if a.kind == "gpu" and physics.clock(a).low < 1.0]
    assert {"t4", "l4", "k80", "v100-pcie", "v100s"} <= {a.key for a in throttled}
    for card in throttled:
        at_boost = dataclasses.replace(card, sustained_clock_mhz=None, matmul_clock_mhz=None, matmul_clock_from=None,
                                       power_limit_watts=None)
        for dtype in ("float32", "bfloat16"):
            slow = predict_preset(preset, dtype, preset_batch(preset), card)
            fast = predict_preset(preset, dtype, preset_batch(preset), at_boost)
            assert slow.seconds >= fast.seconds * (1 - 1e-9), (card.key, dtype)
            assert slow.low >= fast.low * (1 - 1e-9), (card.key, dtype)


def test_half_precision_on_a_kepler_computes_no_faster_and_the_caveat_says_only_memory_gains():
    from advisor.render.predict import caveat_text

    k80 = acc("k80")
    assert physics.matrix_path(k80, "float16").flops == physics.matrix_path(k80, "float32").flops
    half = predict_preset("conv", "float16", 256, k80)
    full = predict_preset("conv", "float32", 256, k80)
    assert half.seconds <= full.seconds  # the same arithmetic rate, half the bytes
    text = caveat_text(physics.matrix_path(k80, "float16").caveats[0], "k80")
    assert "no faster arithmetic, only half the memory traffic" in text and "no speed-up" not in text


def test_float16_on_a_tpu_is_taken_at_its_bfloat16_peak_and_says_so():
    tpu = acc("tpu-v5e-1")
    half, brain = physics.matrix_path(tpu, "float16"), physics.matrix_path(tpu, "bfloat16")
    assert half.flops == brain.flops == 197e12  # the v5e's published bf16 peak
    assert [c.code for c in half.caveats] == [physics.TPU_FLOAT16] and brain.caveats == ()


def test_the_power_budget_caveat_says_the_share_and_whose_energy_per_flop_it_rests_on():
    from advisor.render.predict import caveat_text

    text = caveat_text(physics.clock(acc("rtx-6000-ada")).caveats[0], "rtx-6000-ada")
    assert "300 W power limit feeds its tensor cores about 68 % of their peak" in text
    assert "the l4 (same architecture)" in text and "a floor of 1715 MHz" in text
    # A 1 W card (a user's entry, as low as the catalog allows) is not said to get "0 %".
    starved = dataclasses.replace(acc("rtx-6000-ada"), power_limit_watts=1)
    assert "feeds its tensor cores under 1 % of their peak" in caveat_text(physics.clock(starved).caveats[0], "x")
