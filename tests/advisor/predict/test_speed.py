import pytest

from advisor.predict import speed
from pricing import load_catalog

CATALOG = load_catalog()


def acc(key):
    return CATALOG.accelerator(key)


@pytest.mark.parametrize(
    ("key", "dtype", "tflops"),
    [
        ("a100-40gb", "float32", 156.0),  # JAX's default precision multiplies float32 in TF32
        ("t4", "float32", 8.1),
        ("t4", "float16", 65.0),
        ("t4", "bfloat16", 8.1),  # no native bf16 before Ampere
        ("h100", "bfloat16", 989.0),
        ("tpu-v5e-1", "float32", 197.0),  # one bf16 pass at default precision
        ("k80", "float16", 4.37),
    ],
)
def test_peak_follows_what_jax_uses_for_the_dtype(key, dtype, tflops):
    assert speed.peak_flops(acc(key), dtype) == pytest.approx(tflops * 1e12)


def test_unknown_specs_give_no_prediction():
    assert speed.predict(speed.analytic_profile("medium"), acc("g4")) is None


def test_prediction_band_brackets_the_centre():
    p = speed.predict(speed.analytic_profile("large", "bfloat16"), acc("h100"))
    assert p.low < p.seconds < p.high
    assert p.basis == speed.BASIS_PREDICTED


def test_roofline_matches_the_h100_reference_run():
    # benchmarks/reference/large-bfloat16.json: 3.81 ms per python-loop step on an H100.
    profile = speed.StepProfile(flops=1.895e12, bytes=4.2e9, batch_size=4096, dtype="bfloat16", source="reference")
    assert speed.predict(profile, acc("h100")).seconds == pytest.approx(3.81e-3, rel=0.15)


def test_analytic_profile_counts_forward_and_backward_matmuls():
    profile = speed.analytic_profile("medium")
    layers = [(784, 512), (512, 32), (32, 512), (512, 784)]
    assert profile.flops == pytest.approx(3 * sum(2 * 256 * a * b for a, b in layers))
    assert profile.batch_size == 256


def test_memory_bound_steps_are_limited_by_bandwidth():
    profile = speed.StepProfile(flops=1e6, bytes=1e9, batch_size=1, dtype="float32", source="test")
    t4 = acc("t4")
    expected = 1e9 / (t4.memory_bandwidth_gbs * 1e9 * speed.BANDWIDTH_EFFICIENCY[1]) + speed.STEP_OVERHEAD_SECONDS[1]
    assert speed.predict(profile, t4).seconds == pytest.approx(expected)
