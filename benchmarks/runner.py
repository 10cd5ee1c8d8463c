"""Runs the AutoEncoder microbenchmark on the local devices and returns a Measurement."""

from __future__ import annotations

import math
import os
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, NamedSharding
from jax.sharding import PartitionSpec as P

from . import ceiling as ceiling_probe
from . import interference, metadata
from .canonical import canonical_convolutions
from .config import MIN_SAMPLE_SECONDS, BenchmarkError, Config, Interrupted
from .flops import matmul_flops
from .model import make_batches, make_device_loop, make_train_step
from .result import DEVICE_LOOP_TOLERANCE, FINGERPRINT_SCHEME, Fingerprint, Measurement, Timing
from .stats import UNSTABLE_RELATIVE_STD, relative_std, round_significant

Progress = Callable[[str, float], None]
Clock = Callable[[], float]
ShouldStop = Callable[[], bool]

# The timed loops' share of the budget; the ceiling probe takes what is left.
LOOPS_SHARE = 0.85


def _no_progress(phase: str, fraction: float) -> None:
    pass


def _never() -> bool:
    return False


def _stop_if_asked(should_stop: ShouldStop) -> None:
    # Called only between JAX calls: an interrupt acted on here never leaves a computation half done.
    if should_stop():
        raise Interrupted("the run was interrupted")


def select_devices(requested: str) -> list[Any]:
    if requested == "auto":
        return jax.devices()
    try:
        devices = jax.devices(requested)
    except RuntimeError:
        available = sorted({d.platform for d in jax.devices()})
        raise BenchmarkError(
            f"no {requested} device on this machine; available: {', '.join(available)} (try --device auto)"
        ) from None
    if not devices:
        raise BenchmarkError(f"no {requested} device on this machine (try --device auto)")
    return devices


def is_out_of_memory(exc: BaseException) -> bool:
    text = str(exc)
    return "RESOURCE_EXHAUSTED" in text or "out of memory" in text.lower()


@dataclass
class _Loop:
    """One timed loop mode: a callable that advances the training state by `steps_per_call` steps."""

    name: str
    call: Callable[[], Any]  # runs one dispatch, returns something to block on
    steps_per_call: int


def _sample(loop: _Loop, calls: int, clock: Clock) -> float:
    start = clock()
    out = None
    for _ in range(calls):
        out = loop.call()
    jax.block_until_ready(out)
    return clock() - start


def _calibrate(
    loop: _Loop, clock: Clock, should_stop: ShouldStop, step_estimate: float | None = None
) -> tuple[int, int, float]:
    """Calls per sample for >= MIN_SAMPLE_SECONDS, the calls spent finding it, and the last sample's time.

    `step_estimate` (seconds a step, from steps already run) sizes the first try; the loop still
    doubles until a sample lasts long enough, so a wrong estimate costs time, never accuracy.
    """
    calls, warmup_calls = 1, 0
    if step_estimate:
        calls = max(1, math.ceil(1.2 * MIN_SAMPLE_SECONDS / (step_estimate * loop.steps_per_call)))
    # Calibration doubles as warm-up: none of these samples are kept.
    while True:
        _stop_if_asked(should_stop)
        elapsed = _sample(loop, calls, clock)
        warmup_calls += calls
        if elapsed >= MIN_SAMPLE_SECONDS:
            return calls, warmup_calls, elapsed
        calls = max(calls * 2, math.ceil(calls * 1.2 * MIN_SAMPLE_SECONDS / max(elapsed, 1e-9)))


def time_loops(
    loops: list[_Loop], config: Config, budget: float, clock: Clock, report: Callable[[float], None],
    should_stop: ShouldStop = _never, step_estimate: float | None = None,
) -> tuple[list[Timing], list[str]]:
    """Calibrate each loop, then sample them in turn within budget.

    Taking the loops' samples alternately, rather than one loop after the other, lets a shared
    machine's drifting speed hit every loop alike, so their ratio stays fair; each round also
    reverses the order, so neither loop always runs in the other's wake.
    """
    started = clock()
    plans = [_calibrate(loop, clock, should_stop, step_estimate) for loop in loops]
    round_seconds = sum(elapsed for _, _, elapsed in plans)
    samples: list[list[float]] = [[] for _ in loops]
    rounds = 0
    while rounds < config.max_samples:
        spent = clock() - started
        if rounds >= config.min_samples and spent + round_seconds > budget:
            break
        # Slow steps (a large preset on a CPU): settle for fewer samples than a runaway run.
        if rounds >= 2 and spent + round_seconds > 4 * budget:
            break
        round_started = clock()
        order = range(len(loops)) if rounds % 2 == 0 else reversed(range(len(loops)))
        for i in order:
            _stop_if_asked(should_stop)
            calls = plans[i][0]
            elapsed = _sample(loops[i], calls, clock)
            samples[i].append(round_significant(elapsed / (calls * loops[i].steps_per_call)))
        round_seconds = clock() - round_started
        rounds += 1
        report(min(1.0, (clock() - started) / budget))
    timings, notes = [], []
    for loop, (calls, warmup_calls, _), kept in zip(loops, plans, samples, strict=True):
        timings.append(Timing(
            loop=loop.name,
            steps_per_sample=calls * loop.steps_per_call,
            warmup_steps=warmup_calls * loop.steps_per_call,
            samples=tuple(kept),
        ))
        spread = relative_std(kept)
        if spread >= UNSTABLE_RELATIVE_STD:
            notes.append(
                f"{loop.name} loop is unstable: std is {spread:.0%} of the mean; close other programs, "
                "raise --budget, and run again"
            )
    return timings, notes


def _place(tree: Any, sharding: NamedSharding) -> Any:
    return jax.device_put(tree, sharding)


def _measure_once(
    config: Config,
    devices: list[Any],
    batch_size: int,
    progress: Progress,
    clock: Clock,
    should_stop: ShouldStop = _never,
) -> dict[str, Any]:
    preset = config.preset_spec
    dtype = jnp.dtype(config.dtype)
    mesh = Mesh(np.asarray(devices), ("data",))
    replicated = NamedSharding(mesh, P())
    batch_sharding = NamedSharding(mesh, P("data"))
    stack_sharding = NamedSharding(mesh, P(None, "data"))
    steps_per_dispatch = preset.steps_per_dispatch

    model_step, params, opt_state, _ = make_train_step(preset, dtype, config.seed)
    params, opt_state = _place(params, replicated), _place(opt_state, replicated)
    # XLA's CPU backend brings convolutions into its fast layout only outside loops; written in that
    # layout already, the scanned step's gradients run as fast as the single step's (canonical.py).
    train_step = canonical_convolutions(model_step) if devices[0].platform == "cpu" else model_step

    # Drawn on the host from the seed alone, like the parameters, so the fingerprint below depends
    # on the computation and not on the JAX release; it crosses to the devices once.
    data = jax.device_put(make_batches(preset, batch_size, steps_per_dispatch, dtype, config.seed), stack_sharding)
    batches = [jax.device_put(data[i], batch_sharding) for i in range(steps_per_dispatch)]

    progress("compiling", 0.0)
    shardings = dict(in_shardings=(replicated, replicated, batch_sharding), out_shardings=replicated)
    # Only the optimiser state (twice the parameters' size) is donated: with the parameters donated
    # too, jax 0.7.2 on the CPU trains differently from step 2 on, and its loss after 10 steps
    # leaves the independent float64 figure by 9 %; without, every release tried agrees with it.
    donate = {"donate_argnums": (1,)}
    start = clock()
    lowered_step = jax.jit(train_step, **donate, **shardings).lower(params, opt_state, batches[0])
    step = lowered_step.compile()
    compile_python = clock() - start
    shardings["in_shardings"] = (replicated, replicated, stack_sharding)
    start = clock()
    scan = (
        jax.jit(make_device_loop(train_step), **donate, **shardings)
        .lower(params, opt_state, data)
        .compile()
    )
    compile_device = clock() - start
    _stop_if_asked(should_stop)

    # XLA's CPU collectives deadlock when several multi-device executions queue up on a host with
    # fewer cores than simulated devices, so there each dispatch waits for the previous one.
    synchronous = devices[0].platform == "cpu" and len(devices) > 1

    def settle(out: Any) -> Any:
        return jax.block_until_ready(out) if synchronous else out

    # The same seed and data give the same loss on any machine, and under any JAX release, that
    # computes the same thing.
    state = {"params": params, "opt": opt_state}
    loss = None
    started = clock()
    for i in range(config.fingerprint_steps):
        _stop_if_asked(should_stop)
        state["params"], state["opt"], loss = settle(
            step(state["params"], state["opt"], batches[i % steps_per_dispatch])
        )
    fingerprint_loss = float(loss)  # type: ignore[arg-type]
    # The first step also allocates; the rest give a fair first guess of a step's time.
    step_estimate = (clock() - started) / config.fingerprint_steps
    if not math.isfinite(fingerprint_loss):
        raise BenchmarkError(f"training diverged in {config.dtype} (loss {fingerprint_loss}); try --dtype float32")

    counter = {"i": 0}

    def python_call() -> Any:
        i = counter["i"] = (counter["i"] + 1) % steps_per_dispatch
        state["params"], state["opt"], out = settle(step(state["params"], state["opt"], batches[i]))
        return out

    def device_call() -> Any:
        state["params"], state["opt"], out = settle(scan(state["params"], state["opt"], data))
        return out

    cores = os.cpu_count() or 1
    progress("timing loops", 0.05)
    before = interference.snapshot(clock)
    (python_timing, device_timing), notes = time_loops(
        [_Loop("python", python_call, 1), _Loop("device", device_call, steps_per_dispatch)],
        config, config.budget_seconds * LOOPS_SHARE, clock, lambda f: progress("timing loops", 0.05 + 0.85 * f),
        should_stop, step_estimate,
    )
    others = interference.between(before, interference.snapshot(clock), cores)
    others_note = interference.warning(others, cores) if others else None
    floor = matmul_flops(model_step, state["params"], state["opt"], batches[0])
    cost = ceiling_probe.cost_of(lowered_step, step, floor)
    flops_note = []
    if cost.get("flops source") == "jaxpr":
        flops_note.append(
            "XLA's cost analysis on this backend counted far fewer FLOPs than the model's matmuls alone; "
            "FLOPs are counted from the jaxpr instead"
        )
    slower = device_timing.median > DEVICE_LOOP_TOLERANCE * python_timing.median
    if slower:
        # Next to other busy programs the two loops' medians wander apart; the interference warning says so.
        cause = "" if others and others.flagged else ": no loop form that fuses steps beat one dispatch per step here"
        flops_note.append(
            f"the device loop ran slower than the python loop ({device_timing.median * 1e3:.3g} vs "
            f"{python_timing.median * 1e3:.3g} ms a step){cause}; its figures are left out and the "
            "achieved FLOP/s come from the python loop"
        )
    return {
        "compile_seconds": {
            "python": round_significant(compile_python, 4),
            "device": round_significant(compile_device, 4),
        },
        "python_loop": python_timing,
        "device_loop": device_timing,
        "flops_per_step": cost.get("flops"),
        "bytes_per_step": cost.get("bytes accessed"),
        "fingerprint_loss": round_significant(fingerprint_loss, 7),
        "interference": others,
        "device_loop_slower": slower,
        "notes": ([others_note] if others_note else []) + notes + flops_note
        + ([] if cost else ["XLA gave no cost analysis on this backend: FLOP/s unknown"]),
    }


def run(
    config: Config,
    *,
    progress: Progress | None = None,
    clock: Clock = time.perf_counter,
    tool_version: str = "unknown",
    should_stop: ShouldStop | None = None,
) -> Measurement:
    """Measure `config`; `should_stop` is asked between samples and raises Interrupted when it says so."""
    progress = progress or _no_progress
    should_stop = should_stop or _never
    warnings.filterwarnings("ignore", message="Some donated buffers were not usable")
    devices = select_devices(config.device)
    notes: list[str] = []
    requested = config.effective_batch_size
    batch_size = max(len(devices), requested - requested % len(devices))
    if batch_size != requested:
        notes.append(f"batch size {requested} rounded to {batch_size} to split evenly over {len(devices)} devices")
    oom_retries = 0
    while True:
        try:
            figures = _measure_once(config, devices, batch_size, progress, clock, should_stop)
            break
        except Exception as exc:
            if not is_out_of_memory(exc):
                raise
            if batch_size // 2 < len(devices):
                raise BenchmarkError("out of device memory even at the smallest batch size") from None
            oom_retries += 1
            notes.append(f"out of device memory at batch size {batch_size}; halved to {batch_size // 2}")
            batch_size //= 2
    _stop_if_asked(should_stop)
    progress("ceiling", 0.9)
    # A short budget asks for a rough answer: fewer probe samples keep --quick quick.
    repeats = 3 if config.budget_seconds < 2 else ceiling_probe.PROBE_REPEATS
    ceiling = ceiling_probe.probe(devices, config.dtype, clock, repeats) if config.probe_ceiling else None
    _stop_if_asked(should_stop)
    progress("done", 1.0)
    timings: dict[str, Timing] = {k: figures[k] for k in ("python_loop", "device_loop")}
    if any(len(t.samples) < config.min_samples for t in timings.values()):
        notes.append(f"fewer than {config.min_samples} samples fit in the budget: raise --budget")
    return Measurement(
        config=config,
        environment=metadata.describe(devices, tool_version),
        batch_size=batch_size,
        oom_retries=oom_retries,
        compile_seconds=figures["compile_seconds"],
        python_loop=timings["python_loop"],
        device_loop=timings["device_loop"],
        flops_per_step=figures["flops_per_step"],
        bytes_per_step=figures["bytes_per_step"],
        ceiling=ceiling,
        fingerprint=Fingerprint(
            steps=config.fingerprint_steps, loss=figures["fingerprint_loss"], scheme=FINGERPRINT_SCHEME
        ),
        warnings=tuple(notes + figures["notes"]),
        interference=figures["interference"],
        device_loop_slower=figures["device_loop_slower"],
    )
