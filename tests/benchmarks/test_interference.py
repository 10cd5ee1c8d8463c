"""Other programs' share of the CPU over a timed loop, and its place in the record."""

import copy
import os
import subprocess
import sys
import time

import pytest

from benchmarks import Measurement, ResultError
from benchmarks import interference as interference_module
from benchmarks.interference import Interference, between, snapshot, warning
from tests.helpers import make_measurement

HERTZ = os.sysconf("SC_CLK_TCK")


def _proc_stat(tmp_path, name, user, system, idle, steal=0):
    """A /proc/stat whose first line holds these many seconds, in the kernel's ticks."""
    ticks = [round(v * HERTZ) for v in (user, 0, system, idle, 0, 0, 0, steal)]
    path = tmp_path / name
    path.write_text("cpu  " + " ".join(map(str, ticks)) + " 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n")
    return str(path)


def _snap(tmp_path, name, wall, own, user, system, idle, steal=0):
    stat = _proc_stat(tmp_path, name, user, system, idle, steal)
    return snapshot(clock=lambda: wall, own_cpu=lambda: own, proc_stat=stat)


def test_a_process_alone_on_the_machine_is_not_flagged(tmp_path):
    # 2 cores over 2 s of wall time: 4 core-seconds, of which this process used 1.5, nobody else any.
    start = _snap(tmp_path, "a", wall=10.0, own=3.0, user=100.0, system=20.0, idle=500.0)
    end = _snap(tmp_path, "b", wall=12.0, own=4.5, user=101.2, system=20.3, idle=502.5)
    found = between(start, end, cores=2)
    assert found.others_cpu_share == pytest.approx(0.0, abs=0.005)
    assert found.own_cores == pytest.approx(0.75)
    assert found.source == "proc-stat" and not found.flagged


def test_a_busy_neighbour_shows_as_its_share_of_all_cores(tmp_path):
    # Of 4 core-seconds 3.5 were busy; this process used 1.5, so others took 2 of 4: half the machine.
    start = _snap(tmp_path, "a", wall=0.0, own=0.0, user=100.0, system=20.0, idle=500.0)
    end = _snap(tmp_path, "b", wall=2.0, own=1.5, user=103.0, system=20.5, idle=500.5)
    found = between(start, end, cores=2)
    assert found.others_cpu_share == pytest.approx(0.5)
    assert found.flagged


def test_time_a_hypervisor_stole_counts_as_taken(tmp_path):
    # Nothing else ran in this guest, but the host gave 0.8 of 4 core-seconds to other guests.
    start = _snap(tmp_path, "a", wall=0.0, own=0.0, user=10.0, system=0.0, idle=50.0, steal=1.0)
    end = _snap(tmp_path, "b", wall=2.0, own=1.0, user=11.0, system=0.0, idle=52.2, steal=1.8)
    assert between(start, end, cores=2).others_cpu_share == pytest.approx(0.2)


def test_without_proc_stat_the_load_average_stands_in(tmp_path, monkeypatch):
    monkeypatch.setattr(interference_module, "_load_average", lambda: 3.0)
    missing = str(tmp_path / "absent")
    start = snapshot(clock=lambda: 0.0, own_cpu=lambda: 0.0, proc_stat=missing)
    end = snapshot(clock=lambda: 2.0, own_cpu=lambda: 2.0, proc_stat=missing)
    found = between(start, end, cores=4)
    # Load 3 of which this process is 1 busy core: 2 more runnable threads on 4 cores.
    assert found.others_cpu_share == pytest.approx(0.5)
    assert found.source == "load-average" and found.load_average == 3.0 and found.flagged
    assert "estimated from the load average" in warning(found, 4)


def test_a_span_too_short_to_count_says_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(interference_module, "_load_average", lambda: None)
    start = _snap(tmp_path, "a", wall=0.0, own=0.0, user=1.0, system=0.0, idle=1.0)
    end = _snap(tmp_path, "b", wall=0.05, own=0.05, user=1.05, system=0.0, idle=1.05)
    assert between(start, end, cores=2) is None


def test_the_warning_names_the_share_and_the_load():
    text = warning(Interference(0.45, 0.9, 3.14, "proc-stat", True), 2)
    assert text.startswith("other programs took 45% of the CPU while the loops were timed, load average 3.1 on 2")
    assert warning(Interference(0.01, 0.9, 1.0, "proc-stat", False), 2) is None


SPIN = "import time\nend = time.perf_counter() + {seconds}\nwhile time.perf_counter() < end: pass"


def test_a_real_cpu_hog_is_seen():
    cores = os.cpu_count() or 1
    hogs = [subprocess.Popen([sys.executable, "-c", SPIN.format(seconds=1.5)]) for _ in range(cores)]
    time.sleep(0.3)  # past the hogs' start-up
    start = snapshot()
    time.sleep(0.6)  # this process idles while the hogs hold every core
    found = between(start, snapshot(), cores)
    for hog in hogs:
        hog.wait()
    assert found.source == "proc-stat" and found.own_cores < 0.1
    assert found.others_cpu_share > 0.6 and found.flagged


# ---- in the record -------------------------------------------------------------------------------
def _with_interference(**changes):
    found = Interference(**{"others_cpu_share": 0.3, "own_cores": 0.9, "load_average": 2.2,
                            "source": "proc-stat", "flagged": True, **changes})
    return Measurement(**{**make_measurement().__dict__, "interference": found})


def test_the_record_keeps_the_share_and_the_flag():
    m = _with_interference()
    data = m.to_dict()
    assert data["interference"] == {"others_cpu_share": 0.3, "own_cores": 0.9, "load_average": 2.2,
                                    "source": "proc-stat", "flagged": True}
    assert Measurement.from_json(m.to_json()) == m


def test_a_record_from_before_keeps_its_id_and_reads_as_unknown():
    old = make_measurement()
    data = old.to_dict()
    assert "interference" not in data
    again = Measurement.from_dict(data)
    assert again.interference is None and again.id == old.id


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("others_cpu_share", 1.5, "must be between 0 and 1"),
        ("others_cpu_share", -0.1, "must be between 0 and 1"),
        ("source", "guess", "must be one of: proc-stat, load-average"),
        ("flagged", "yes", "must be true or false"),
        ("load_average", "high", "must be a finite number"),
    ],
)
def test_a_forged_interference_field_is_refused(field, value, message):
    data = copy.deepcopy(_with_interference().to_dict())
    data["interference"][field] = value
    with pytest.raises(ResultError, match=rf"'interference\.{field}' {message}"):
        Measurement.from_dict(data)


def test_a_run_next_to_a_cpu_hog_is_flagged_and_warns():
    from benchmarks import Config, run

    hogs = []

    def start_hogs_when_timing_starts(phase, fraction):
        # Compiling is not timed: the hogs join for the timed loops only, which keeps this test short.
        if phase == "timing loops" and not hogs:
            hogs.extend(subprocess.Popen([sys.executable, "-c", SPIN.format(seconds=30)])
                        for _ in range(os.cpu_count() or 1))

    try:
        m = run(Config(preset="small", budget_seconds=1.0, min_samples=2, max_samples=6, probe_ceiling=False),
                progress=start_hogs_when_timing_starts)
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
    assert hogs, "the run never reported its timing phase"
    assert m.interference.flagged and m.interference.others_cpu_share > 0.3
    assert any(w.startswith("other programs took") for w in m.warnings)
