"""How the timed loops share the budget: interleaved, so a drifting machine treats them alike."""

import pytest

from benchmarks import Config
from benchmarks.runner import _Loop, time_loops


class DriftingMachine:
    """A fake clock on a machine that runs at full speed until `slow_after` seconds, then at half."""

    def __init__(self, slow_after):
        self.now, self.slow_after = 0.0, slow_after

    def clock(self):
        return self.now

    def loop(self, name, step_seconds, steps_per_call):
        def call():
            slowdown = 1.0 if self.now < self.slow_after else 2.0
            self.now += step_seconds * steps_per_call * slowdown
            return None

        return _Loop(name, call, steps_per_call)


def test_equal_loops_come_out_equal_when_the_machine_slows_midway():
    machine = DriftingMachine(slow_after=2.5)
    loops = [machine.loop("python", 0.010, 1), machine.loop("device", 0.010, 16)]
    config = Config(min_samples=5, max_samples=50)
    (python, device), _ = time_loops(loops, config, budget=5.0, clock=machine.clock, report=lambda f: None)
    # Timed one after the other, the second loop would see only the slow half: a 2x "difference".
    assert device.median / python.median == pytest.approx(1.0, rel=0.05)
    assert len(python.samples) == len(device.samples) >= 5


def test_each_loop_keeps_its_own_calibration():
    machine = DriftingMachine(slow_after=1e9)
    loops = [machine.loop("python", 0.004, 1), machine.loop("device", 0.003, 16)]
    (python, device), notes = time_loops(loops, Config(), budget=2.0, clock=machine.clock, report=lambda f: None)
    assert python.median == pytest.approx(0.004) and device.median == pytest.approx(0.003)
    # One call measures 4 ms, so 1.2 x 0.1 s / 4 ms = 30 calls a sample; one 16-step dispatch takes
    # 48 ms, so 1.2 x 0.1 s / 48 ms -> 3 dispatches. Calibration spent 1 + 30 calls and 1 + 3 dispatches.
    assert python.steps_per_sample == 30 and device.steps_per_sample == 48
    assert python.warmup_steps == 31 and device.warmup_steps == 64
    assert notes == []


def test_a_short_budget_still_takes_the_minimum_samples():
    machine = DriftingMachine(slow_after=1e9)
    loops = [machine.loop("python", 0.01, 1), machine.loop("device", 0.01, 8)]
    # Calibration alone takes about half of the budget, a round of samples a third of it.
    (python, device), _ = time_loops(loops, Config(min_samples=3), budget=1.0, clock=machine.clock,
                                     report=lambda f: None)
    assert len(python.samples) == len(device.samples) == 3
