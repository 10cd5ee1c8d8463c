"""`measure`: time the AutoEncoder benchmark on this machine."""

from __future__ import annotations

from pathlib import Path

import typer

from ..policy import DEFAULT_BUDGET_SECONDS, DEFAULT_DEVICE, DEFAULT_DTYPE, DEFAULT_PRESET, QUICK_BUDGET_SECONDS
from ..render.table import envelope, render_tables, terminal_width
from .door import (
    FORMAT_OPTION,
    JSON_OPTION,
    Format,
    app,
    ctrl_c_flag,
    env_of,
    format_name,
    markdown_tables,
    progress_bar,
)


@app.command(epilog="Example: colab-advisor measure --preset medium --dtype bfloat16 --budget 10")
def measure(
    ctx: typer.Context,
    preset: str = typer.Option(DEFAULT_PRESET, help="AutoEncoder preset: small, medium, large or conv."),
    batch_size: int = typer.Option(None, "--batch-size", help="Batch size (default: the preset's)."),
    dtype: str = typer.Option(DEFAULT_DTYPE, help="float32, bfloat16 or float16."),
    device: str = typer.Option(DEFAULT_DEVICE, help="auto, cpu, gpu or tpu."),
    budget: float = typer.Option(None, help=f"Seconds of timing (default {DEFAULT_BUDGET_SECONDS:g}; "
                                            f"{QUICK_BUDGET_SECONDS:g} with --quick)."),
    quick: bool = typer.Option(False, "--quick", help="A short run: fewer samples, rougher figures."),
    json_out: bool = JSON_OPTION,
    fmt: Format = FORMAT_OPTION,
    output: Path = typer.Option(None, "--output", dir_okay=False, help="Also write the result's JSON to this file."),
    no_save: bool = typer.Option(False, "--no-save", help="Do not store the result in the history."),
    no_progress: bool = typer.Option(False, "--no-progress", help="No progress bar."),
    share: bool = typer.Option(False, "--share", help="Print one line to paste into `colab-advisor import`."),
) -> None:
    """Measure AutoEncoder training speed on this machine's accelerator (or CPU).

    The step time is timed several times over; each timing runs many steps. The table gives the
    median of those timings and their spread: MAD is the median absolute deviation, the typical
    distance of one timing from the median (robust to the odd slow one), next to mean, std, min and max.
    """
    from ..render.measurement import measurement_tables
    from ..results.measure import measure as run_measure
    from ..results.measure import measure_config
    from ..results.store import Store

    env = env_of(ctx)
    fmt_name = format_name(fmt)
    config = measure_config(preset=preset, batch_size=batch_size, dtype=dtype, device=device, budget=budget,
                            quick=quick)
    # Held until the command ends: an interrupt after the save cannot undo it, and must not claim it did.
    should_stop = ctx.with_resource(ctrl_c_flag())
    with progress_bar(env, not no_progress) as progress:
        outcome = run_measure(config, store=None if no_save else Store(env.home()), output=output, progress=progress,
                              should_stop=should_stop, home=env.home())
    m = outcome.measurement
    saved = f"saved as {m.id} in {outcome.saved_to.parent}" if outcome.saved_to else None
    if share:
        from ..results.share import encode_token

        env.out(encode_token(m))
        if saved:
            env.note(saved)
    elif json_out:
        env.out(envelope("measure", {
            "id": m.id,
            "saved_to": str(outcome.saved_to) if outcome.saved_to else None,
            "measurement": m.to_dict(),
        }))
    elif fmt_name == "markdown":
        markdown_tables(env, measurement_tables(m), [saved] if saved else [])
    else:
        env.out(render_tables(measurement_tables(m), fmt_name, terminal_width(env.environ)))
        if saved:
            env.out(f"\n{saved}")
    for note in (*m.warnings, *outcome.warnings):
        env.warn(note)
