"""Tables for measurements: what `measure`, `history` and `compare` show."""

from __future__ import annotations

from benchmarks import Measurement
from benchmarks.result import Timing

from .table import Table, percent, scaled, seconds


def measurement_tables(m: Measurement) -> list[Table]:
    env = m.environment
    config = m.config
    ceiling = m.ceiling
    # A device loop slower than one dispatch per step is no speed the hardware had: say so instead.
    slower = "slower than the python loop: not shown" if m.device_loop_slower else None
    summary = Table(
        title=f"{config.preset} AutoEncoder, {config.dtype}, batch {m.batch_size} on {env.device_label}",
        headers=("figure", "value"),
        rows=[
            ("step time, python loop (median)", seconds(m.python_loop.median)),
            ("step time, device loop (median)", slower or seconds(m.device_loop.median)),
            ("throughput, python loop", f"{m.samples_per_second:,.0f} samples/s"),
            ("throughput, device loop", slower or f"{m.device_samples_per_second:,.0f} samples/s"),
            # The overhead is the two loops' difference: with no device loop to show, there is none to give.
            ("dispatch overhead", "not shown (no device loop)" if slower else percent(m.dispatch_overhead_pct, 1)),
            ("compile time (python / device loop)",
             f"{m.compile_seconds['python']:.2f} s / {m.compile_seconds['device']:.2f} s"),
            ("FLOPs per step (XLA)", scaled(m.flops_per_step, "FLOP")),
            ("bytes per step (XLA)", scaled(m.bytes_per_step, "B")),
            (f"achieved, {m.fastest_loop.loop} loop", scaled(m.achieved_flops_per_second, "FLOP/s")),
            ("matmul ceiling (same device, dtype)",
             scaled(ceiling.matmul_flops_per_second if ceiling else None, "FLOP/s")),
            ("share of matmul ceiling", percent(m.pct_of_matmul_ceiling)),
            ("copy bandwidth ceiling", scaled(ceiling.copy_bytes_per_second if ceiling else None, "B/s")),
            ("arithmetic intensity",
             "unknown" if m.arithmetic_intensity is None else f"{m.arithmetic_intensity:.1f} FLOP/B"),
            ("bound by", m.bound),
            (f"loss after {m.fingerprint.steps} steps (fingerprint)", f"{m.fingerprint.loss:.6g}"),
            ("other programs' CPU share while timed", _interference(m)),
        ],
    )
    # "timings", not "samples": next to samples/s, a sample is a data point, and these are not.
    spread = Table(
        title="step time over repeated timings (each timing runs many steps)",
        headers=("loop", "median", "MAD", "mean", "std", "min", "max", "timings", "steps per timing"),
        rows=[
            (_loop_label(m, t), seconds(t.median), seconds(t.mad), seconds(t.mean), seconds(t.std),
             seconds(t.min), seconds(t.max), str(len(t.samples)), str(t.steps_per_sample))
            for t in (m.python_loop, m.device_loop)
        ],
        notes=[
            f"{env.host_cpu}, {env.logical_cores} logical cores; jax {env.versions.get('jax', '?')}; "
            f"{env.timestamp}; id {m.id}",
        ],
    )
    return [summary, spread]


def _loop_label(m: Measurement, timing: Timing) -> str:
    return f"{timing.loop} (slower, not used)" if timing is m.device_loop and m.device_loop_slower else timing.loop


def _interference(m: Measurement) -> str | None:
    found = m.interference
    if found is None:
        return None  # a record from before the share was kept
    load = f", load {found.load_average:.1f}" if found.load_average is not None else ""
    return f"{found.others_cpu_share:.0%}{load}{' (flagged)' if found.flagged else ''}"
