"""A device loop slower than one dispatch per step: flagged in the record, its figures not used."""

import json

import pytest

from benchmarks import Measurement, ResultError
from tests.helpers import make_measurement


def test_a_slower_device_loop_takes_its_figures_from_the_python_loop():
    m = make_measurement(step=0.010, device_step=0.020, device_loop_slower=True)
    assert m.fastest_loop is m.python_loop
    # 1.09 GFLOP a step over the python loop's 10 ms, not the device loop's 20 ms.
    assert m.achieved_flops_per_second == pytest.approx(1.09e11)
    assert m.pct_of_matmul_ceiling == pytest.approx(1.09e11 / 2e11 * 100)
    assert m.dispatch_overhead_pct == 0.0


def test_the_flag_survives_json_and_is_in_the_summary():
    m = make_measurement(step=0.010, device_step=0.020, device_loop_slower=True)
    data = json.loads(m.to_json())
    assert data["device_loop_slower"] is True and data["summary"]["device_loop_slower"] is True
    assert Measurement.from_json(m.to_json()) == m


def test_a_record_without_the_flag_reads_as_unflagged_and_keeps_its_id():
    plain = make_measurement()
    data = plain.to_dict()
    assert "device_loop_slower" not in data
    again = Measurement.from_dict(data)
    assert again.device_loop_slower is False and again.id == plain.id


def test_a_flag_that_is_not_a_boolean_is_refused():
    data = make_measurement().to_dict()
    data["device_loop_slower"] = "yes"
    with pytest.raises(ResultError, match="device_loop_slower"):
        Measurement.from_dict(data)
