"""The benchmark run on the CPU with tiny budgets: behaviour, not speed."""

import itertools
import json
import os
import subprocess
import sys
import textwrap

import pytest

from benchmarks import BenchmarkError, Config, Interrupted, Measurement, run, runner
from benchmarks import ceiling as ceiling_module

TINY = {"preset": "small", "budget_seconds": 0.3, "min_samples": 2, "max_samples": 4}


@pytest.fixture(scope="module")
def small_run() -> Measurement:
    return run(Config(**TINY), tool_version="test")


def analytic_dense_flops(widths, batch):
    """Forward + backward matmul FLOPs of a dense stack; the first layer needs no input gradient."""
    layers = list(itertools.pairwise(widths))
    forward = sum(2 * batch * a * b for a, b in layers)
    first_input_grad = 2 * batch * widths[0] * widths[1]
    return 3 * forward - first_input_grad


def test_a_run_records_config_environment_and_both_loops(small_run):
    m = small_run
    assert m.config == Config(**TINY)
    assert m.batch_size == 256 and m.oom_retries == 0
    assert m.environment.platform == "cpu" and m.environment.device_count == 1
    assert m.environment.versions["jax"] and m.environment.tool_version == "test"
    assert m.python_loop.loop == "python" and m.device_loop.loop == "device"
    assert len(m.python_loop.samples) >= 2 and len(m.device_loop.samples) >= 2
    assert m.device_loop.steps_per_sample % 64 == 0  # whole dispatches of 64 scanned steps
    assert m.compile_seconds["python"] > 0 and m.compile_seconds["device"] > 0


def test_each_sample_lasts_long_enough_to_time(small_run):
    for timing in (small_run.python_loop, small_run.device_loop):
        assert timing.sample_seconds >= 0.05  # calibrated to 0.1 s; half of that allows for noise


def test_xla_flops_match_the_analytic_count(small_run):
    analytic = analytic_dense_flops([64, 32, 8, 32, 64], 256)
    # XLA adds the elementwise work (ReLU, Adam, the loss) on top of the matmuls.
    assert analytic <= small_run.flops_per_step <= 1.6 * analytic


def test_ceiling_probe_reports_positive_rates(small_run):
    ceiling = small_run.ceiling
    assert ceiling.matmul_flops_per_second > 1e8 and ceiling.copy_bytes_per_second > 1e7
    assert small_run.pct_of_matmul_ceiling is not None and small_run.bound in ("compute", "memory", "dispatch")


def test_the_record_survives_json(small_run):
    assert Measurement.from_json(small_run.to_json()) == small_run


@pytest.mark.slow
def test_the_loss_fingerprint_is_reproducible_and_seed_dependent(small_run):
    again = run(Config(**TINY, probe_ceiling=False))
    other_seed = run(Config(**TINY, seed=1, probe_ceiling=False))
    assert again.fingerprint == small_run.fingerprint
    assert not other_seed.fingerprint.agrees_with(small_run.fingerprint, rel_tol=1e-6)


@pytest.mark.slow
@pytest.mark.parametrize("extra", [{"preset": "conv", "batch_size": 16}, {"dtype": "bfloat16"}])
def test_other_presets_and_dtypes_train(extra):
    m = run(Config(**{**TINY, **extra, "probe_ceiling": False}))
    assert m.config.dtype == extra.get("dtype", "float32")
    assert 0 < m.fingerprint.loss < 1


def test_an_absent_device_kind_is_a_user_error():
    with pytest.raises(BenchmarkError, match="no tpu device on this machine; available: cpu"):
        runner.select_devices("tpu")


@pytest.mark.slow
def test_out_of_memory_halves_the_batch_and_says_so(monkeypatch):
    real = runner._measure_once
    calls = []

    def first_call_runs_out(config, devices, batch_size, *rest):
        calls.append(batch_size)
        if len(calls) == 1:
            raise RuntimeError("RESOURCE_EXHAUSTED: Out of memory while trying to allocate 1.00GiB")
        return real(config, devices, batch_size, *rest)

    monkeypatch.setattr(runner, "_measure_once", first_call_runs_out)
    m = run(Config(**TINY, probe_ceiling=False))
    assert calls == [256, 128]
    assert m.batch_size == 128 and m.oom_retries == 1
    assert any("out of device memory at batch size 256; halved to 128" in w for w in m.warnings)


def test_other_errors_are_not_mistaken_for_out_of_memory(monkeypatch):
    def broken(*args):
        raise RuntimeError("INTERNAL: something else")

    monkeypatch.setattr(runner, "_measure_once", broken)
    with pytest.raises(RuntimeError, match="something else"):
        run(Config(**TINY, probe_ceiling=False))


class _Compiled:
    def __init__(self, analysis):
        self.analysis = analysis

    def cost_analysis(self):
        if isinstance(self.analysis, Exception):
            raise self.analysis
        return self.analysis


@pytest.mark.parametrize(
    ("analysis", "expected"),
    [
        ({"flops": 10.0, "bytes accessed": 4.0, "transcendentals": 0.0}, {"flops": 10.0, "bytes accessed": 4.0}),
        ([{"flops": 10.0, "bytes accessed": 4.0}], {"flops": 10.0, "bytes accessed": 4.0}),
        (None, {}),
        ([], {}),
        ({"flops": -1.0}, {}),
        (NotImplementedError("no"), {}),
    ],
)
def test_cost_analysis_copes_with_every_shape_jax_returns(analysis, expected):
    assert ceiling_module.cost_of(_Compiled(analysis), _Compiled(None)) == expected


def test_flops_come_from_before_optimisation_and_bytes_from_after():
    # GPU backends turn matmuls into library calls the optimised module's analysis does not count.
    lowered = _Compiled({"flops": 1.9e12, "bytes accessed": 1.5e10})
    compiled = _Compiled({"flops": 1.9e10, "bytes accessed": 4.0e9})
    assert ceiling_module.cost_of(lowered, compiled) == {"flops": 1.9e12, "bytes accessed": 4.0e9}


MULTI_DEVICE = textwrap.dedent(
    """
    import json
    from benchmarks import Config, run
    m = run(Config(preset="small", batch_size={batch}, budget_seconds=0.3, min_samples=2, max_samples=3,
                   probe_ceiling={probe}))
    print(json.dumps(m.to_dict()))
    """
)


def _run_with_devices(count, batch=256, probe=False):
    # JAX_NUM_CPU_DEVICES for JAX >= 0.5.1, the XLA flag for older releases.
    env = {**os.environ, "JAX_NUM_CPU_DEVICES": str(count), "JAX_PLATFORMS": "cpu",
           "XLA_FLAGS": f"--xla_force_host_platform_device_count={count}"}
    done = subprocess.run(
        [sys.executable, "-c", MULTI_DEVICE.format(batch=batch, probe=probe)],
        env=env, capture_output=True, text=True, timeout=300, check=True,
    )
    return Measurement.from_dict(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.slow
def test_all_local_devices_share_the_batch_and_compute_the_same_thing(small_run):
    m = _run_with_devices(4, probe=True)
    assert m.environment.device_count == 4
    assert m.batch_size == 256
    assert m.fingerprint.agrees_with(small_run.fingerprint, rel_tol=1e-3)
    assert m.ceiling.matmul_flops_per_second > 0


@pytest.mark.slow
def test_a_batch_that_does_not_split_evenly_is_rounded_down_with_a_warning():
    m = _run_with_devices(4, batch=254)
    assert m.batch_size == 252
    assert any("rounded to 252" in w for w in m.warnings)


@pytest.mark.parametrize("answers_before_stop", [0, 3, 12])
def test_a_run_asked_to_stop_raises_interrupted_at_the_next_check(answers_before_stop):
    asked = itertools.count()

    def should_stop() -> bool:
        return next(asked) >= answers_before_stop

    with pytest.raises(Interrupted):
        run(Config(**TINY, probe_ceiling=False), should_stop=should_stop)
    # It stopped at the first "yes": it asked exactly once more than the number of "no"s it got.
    assert next(asked) == answers_before_stop + 1


def test_a_run_never_asked_to_stop_finishes_and_was_checked_between_samples():
    asked = itertools.count()
    m = run(Config(**TINY, probe_ceiling=False), should_stop=lambda: next(asked) < 0)
    sampled = len(m.python_loop.samples) + len(m.device_loop.samples)
    assert next(asked) >= sampled + 2
