import copy
import dataclasses
import json
import math

import pytest

from benchmarks import SCHEMA, Config, Measurement, ResultError
from tests.helpers import make_environment, make_measurement


def test_json_round_trip_is_exact():
    original = make_measurement(step=0.0123457, spread=0.01)
    again = Measurement.from_json(original.to_json())
    assert again == original
    assert again.to_json() == original.to_json()


def test_record_names_its_schema_and_version():
    assert make_measurement().to_dict()["schema"] == SCHEMA == "colab-advisor/measurement/v1"


def test_id_depends_on_content_only():
    assert make_measurement().id == make_measurement().id
    assert make_measurement(step=0.02).id != make_measurement().id


def test_derived_figures_come_from_the_samples():
    m = make_measurement(step=0.010, device_step=0.008)
    assert m.samples_per_second == pytest.approx(25600)
    assert m.dispatch_overhead_pct == pytest.approx(20.0)
    assert m.achieved_flops_per_second == pytest.approx(1.09e9 / 0.008)
    assert m.pct_of_matmul_ceiling == pytest.approx(1.09e9 / 0.008 / 2e11 * 100)


def test_bound_is_dispatch_when_the_python_loop_is_much_slower():
    assert make_measurement(step=0.010, device_step=0.005).bound == "dispatch"


def test_bound_compares_intensity_with_the_ridge_point():
    # ridge = 2e11 / 6e9 = 33 FLOP/B
    assert make_measurement(bytes_per_step=1.09e9 / 16).bound == "memory"
    assert make_measurement(bytes_per_step=1.09e9 / 100).bound == "compute"
    assert make_measurement(flops_per_step=None).bound == "unknown"


def test_cpu_label_names_the_host_cpu():
    m = make_measurement()
    assert m.environment.device_label == "CPU Test CPU @ 2.00GHz (2 logical cores)"
    gpu = make_environment(platform="gpu", device_kind="Tesla T4", device_count=2)
    assert gpu.device_label == "2x Tesla T4 (gpu)"


def _mutated(path, value):
    data = make_measurement().to_dict()
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("schema",), "colab-advisor/measurement/v2", "newer colab-advisor.*upgrade colab-advisor"),
        (("schema",), "something/else/v1", "not a colab-advisor measurement"),
        (("batch_size",), 0, "'batch_size' must be an integer from 1 to"),
        (("batch_size",), True, "'batch_size' must be an integer"),
        (("python_loop", "samples"), [0.01, -1.0], "'python_loop.samples' must hold only step times"),
        (("python_loop", "samples"), [], "'python_loop.samples' must be a list"),
        (("device_loop", "loop"), "python", "'device_loop.loop' must be 'device'"),
        (("flops_per_step",), -5, "'flops_per_step' must be positive"),
        (("flops_per_step",), "many", "'flops_per_step' must be a finite number"),
        (("environment", "device_count"), KeyError, "'environment.device_count' is missing"),
        (("environment", "in_colab"), "yes", "'environment.in_colab' must be true or false"),
        (("config", "preset"), "huge", "field 'config.preset' must be one of: small"),
        (("fingerprint",), [1, 2], "'fingerprint' must be an object"),
    ],
)
def test_untrusted_records_are_refused_with_the_field_named(path, value, message):
    with pytest.raises(ResultError, match=message) as info:
        Measurement.from_dict(_mutated(path, value))
    assert "\n" not in str(info.value)


def test_infinite_numbers_in_json_are_refused():
    text = make_measurement().to_json().replace('"flops_per_step": 1090000000.0', '"flops_per_step": Infinity')
    with pytest.raises(ResultError, match="does not parse"):
        Measurement.from_json(text)


def test_a_non_object_is_refused():
    with pytest.raises(ResultError, match="must be an object"):
        Measurement.from_dict([1, 2, 3])


def test_the_summary_is_recomputed_not_trusted():
    data = make_measurement().to_dict()
    forged = copy.deepcopy(data)
    forged["summary"]["samples_per_second"] = 1e12
    assert Measurement.from_dict(forged).samples_per_second == Measurement.from_dict(data).samples_per_second
    assert math.isfinite(json.loads(make_measurement().to_json())["summary"]["step_seconds"])


@pytest.mark.parametrize("stamp", ["/tmp/evil/x", "2026-11-20", "yesterday", "2026-11-20T10:00:00\x00"])
def test_a_timestamp_must_be_an_iso_time_with_an_offset(stamp):
    with pytest.raises(ResultError, match=r"'environment\.timestamp'"):
        Measurement.from_dict(_mutated(("environment", "timestamp"), stamp))


def test_terminal_escapes_in_text_fields_are_refused():
    with pytest.raises(ResultError, match=r"'environment\.host_cpu' must not hold control or invisible characters"):
        Measurement.from_dict(_mutated(("environment", "host_cpu"), "CPU\x1b[2J"))
    with pytest.raises(ResultError, match="'warnings'"):
        Measurement.from_dict(_mutated(("warnings",), ["\x1b]0;title\x07"]))


def test_every_config_field_is_one_the_record_validation_checks():
    from benchmarks.validation import CONFIG_FIELDS

    assert {f.name for f in dataclasses.fields(Config)} == CONFIG_FIELDS
