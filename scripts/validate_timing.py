"""Does `measure` report the step time an independent stopwatch sees?

Runs the benchmark (python loop), then times the very same step in a plain jitted loop for at
least --seconds, and prints both. The independent figure is given two ways: total time / steps
over the whole run, and the median of its ~0.25 s chunks (robust to other programs stealing the
CPU for a moment, as on a shared machine). A shared machine's speed also drifts over a minute,
so the two are interleaved: --rounds rounds of (measure, then seconds/rounds of plain loop), and
the medians of the reported figures are set against all the independent steps together.
Target: within 3 %.
Usage: python scripts/validate_timing.py [--preset medium] [--dtype float32] [--seconds 20] [--rounds 4]
"""

from __future__ import annotations

import argparse
import statistics
import time

import _common
import jax
import jax.numpy as jnp

from benchmarks import Config, run
from benchmarks.model import make_train_step

CHUNK_STEPS_TARGET_SECONDS = 0.25


def independent_timing(preset_name: str, dtype: str, batch_size: int, seconds: float) -> tuple[float, list[float], int]:
    """(total seconds, per-step time of each chunk, steps) of a plain loop of jitted steps."""
    preset = Config(preset=preset_name, dtype=dtype).preset_spec
    train_step, params, opt_state, _ = make_train_step(preset, jnp.dtype(dtype), 0)
    step = jax.jit(train_step, donate_argnums=(1,))  # as the benchmark: see runner._measure_once
    keys = jax.random.split(jax.random.key(0), preset.steps_per_dispatch)
    batches = [jax.random.uniform(k, preset.input_shape(batch_size)).astype(dtype) for k in keys]
    start = time.perf_counter()
    for i in range(20):  # compile and settle
        params, opt_state, loss = step(params, opt_state, batches[i % len(batches)])
    jax.block_until_ready(loss)
    per_step = (time.perf_counter() - start) / 20
    chunk = max(1, round(CHUNK_STEPS_TARGET_SECONDS / per_step))
    chunks, steps = [], 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        chunk_start = time.perf_counter()
        for _ in range(chunk):
            params, opt_state, loss = step(params, opt_state, batches[steps % len(batches)])
            steps += 1
        jax.block_until_ready(loss)
        chunks.append((time.perf_counter() - chunk_start) / chunk)
    return time.perf_counter() - start, chunks, steps


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--preset", default="medium")
    parser.add_argument("--dtype", default="float32")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()

    reported, total_seconds, total_steps, chunks = [], 0.0, 0, []
    for round_number in range(1, args.rounds + 1):
        measured = run(Config(preset=args.preset, dtype=args.dtype))
        seconds, round_chunks, steps = independent_timing(
            args.preset, args.dtype, measured.batch_size, args.seconds / args.rounds
        )
        reported.append(measured.python_loop.median)
        total_seconds, total_steps, chunks = total_seconds + seconds, total_steps + steps, chunks + round_chunks
        chunk_median = statistics.median(round_chunks)
        print(f"round {round_number}: measure {measured.python_loop.median * 1e3:.3f} ms/step, "
              f"plain loop {seconds / steps * 1e3:.3f} ms/step (median chunk {chunk_median * 1e3:.3f})")
    ours = statistics.median(reported)
    print(f"preset {args.preset}, {args.dtype}, batch {measured.batch_size}, {measured.environment.device_label}")
    print(f"measure, median of {args.rounds} reported python-loop medians : {ours * 1e3:8.3f} ms/step")
    independent = (("total time / steps", total_seconds / total_steps), ("median of chunks", statistics.median(chunks)))
    for label, value in independent:
        gap = (ours - value) / value * 100
        print(f"independent {total_seconds:.0f} s, {label:20}: {value * 1e3:8.3f} ms/step  gap {gap:+6.2f} %  "
              f"within 3 %: {_common.verdict(abs(gap) <= 3)}")


if __name__ == "__main__":
    main()
