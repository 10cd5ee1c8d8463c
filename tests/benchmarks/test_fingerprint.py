"""The loss fingerprint depends on the computation only: not on the JAX, Flax or NumPy release."""

import math

import jax.numpy as jnp
import numpy as np
import pytest

from benchmarks import Config, Fingerprint, Measurement, ResultError, run
from benchmarks.config import PRESETS
from benchmarks.model import fingerprint_loss, host_uniform, make_batches
from benchmarks.result import FINGERPRINT_SCHEME, LEGACY_FINGERPRINT_SCHEME
from tests.benchmarks import fingerprints
from tests.benchmarks.numpy_autoencoder import dense_fingerprint
from tests.helpers import make_measurement


def test_host_uniform_turns_each_raw_draw_into_two_24_bit_fractions():
    first, second = (int(r) for r in np.random.PCG64([7, 0]).random_raw(2))
    by_hand = [first >> 40, (first >> 8) & 0xFFFFFF, second >> 40]  # high 24 bits, then the next 24
    values = host_uniform(np.random.PCG64([7, 0]), (3,), 0.0, 1.0)
    assert values.dtype == np.float32
    assert values.tolist() == [v / 2**24 for v in by_hand]


def test_host_uniform_stays_in_its_range():
    values = host_uniform(np.random.PCG64(0), (10_000,), -0.5, 0.5)
    assert values.min() >= -0.5 and values.max() < 0.5
    assert abs(float(values.mean())) < 0.01


def test_the_first_batches_are_the_same_however_many_are_drawn():
    preset = PRESETS["small"]
    few = make_batches(preset, 4, 2, np.float32, 0)
    many = make_batches(preset, 4, 5, np.float32, 0)
    assert np.array_equal(few, many[:2])


@pytest.mark.parametrize(
    ("preset", "expected"), [("small", fingerprints.SMALL), ("medium", fingerprints.MEDIUM)]
)
def test_the_fingerprint_matches_the_expected_value(preset, expected):
    spec = PRESETS[preset]
    loss = fingerprint_loss(spec, jnp.dtype("float32"), 0, spec.batch_size, 10)
    assert math.isclose(loss, expected, rel_tol=fingerprints.CPU_REL_TOL)


def test_the_expected_value_is_what_the_independent_implementation_gives():
    reference = dense_fingerprint([64, 32, 8], batch=256, steps=10, batches=64)
    assert reference == pytest.approx(fingerprints.SMALL, rel=1e-12)


def test_a_run_records_the_new_scheme_and_the_expected_fingerprint():
    m = run(Config(preset="small", budget_seconds=0.2, min_samples=1, max_samples=2, probe_ceiling=False))
    assert m.fingerprint.scheme == FINGERPRINT_SCHEME == 2
    assert math.isclose(m.fingerprint.loss, fingerprints.SMALL, rel_tol=fingerprints.CPU_REL_TOL)
    assert Measurement.from_json(m.to_json()).fingerprint == m.fingerprint


def test_a_record_without_a_scheme_reads_as_the_old_scheme_and_keeps_its_id():
    old = make_measurement()
    data = old.to_dict()
    assert "scheme" not in data["fingerprint"]
    again = Measurement.from_dict(data)
    assert again.fingerprint.scheme == LEGACY_FINGERPRINT_SCHEME
    assert again.id == "d951b78114"  # what this record's id was before fingerprints had a scheme


def test_fingerprints_of_different_schemes_never_agree():
    old = Fingerprint(steps=10, loss=0.1, scheme=1)
    new = Fingerprint(steps=10, loss=0.1, scheme=2)
    assert not old.comparable_with(new) and not old.agrees_with(new)
    assert new.agrees_with(Fingerprint(steps=10, loss=0.101, scheme=2))
    assert not new.agrees_with(Fingerprint(steps=10, loss=0.11, scheme=2))


def test_a_bad_scheme_is_refused():
    data = make_measurement().to_dict()
    data["fingerprint"]["scheme"] = 0
    with pytest.raises(ResultError, match=r"fingerprint\.scheme"):
        Measurement.from_dict(data)
