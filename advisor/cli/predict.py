"""`predict`: a well-known model's step time on each accelerator, from its kernels and their specs."""

from __future__ import annotations

from pathlib import Path

import typer

from ..policy import DEFAULT_DTYPE, replaced_warning, user_catalog
from ..render.table import envelope, render_table, terminal_width
from .door import CATALOG_OPTION, FORMAT_OPTION, JSON_OPTION, Format, app, env_of, format_name


@app.command(epilog="Example: colab-advisor predict --workload resnet50 --dtype bfloat16 --accelerators t4,l4")
def predict(
    ctx: typer.Context,
    workload: str = typer.Option(
        None, "--workload", metavar="NAME",
        help="resnet50, resnet50-cifar, bert-base-128/384/512, bert-large-384, gpt2-small, vit-b16, "
             "mistral-7b-qlora-512, ae-small/medium/large/conv.",
    ),
    preset: str = typer.Option(None, "--preset", help="An AutoEncoder preset instead: small, medium, large or conv."),
    batch_size: int = typer.Option(None, "--batch-size", help="Samples per step (default: the workload's)."),
    dtype: str = typer.Option(DEFAULT_DTYPE, help="float32, bfloat16 or float16."),
    accelerators: str = typer.Option(
        None, "--accelerators", metavar="A,B",
        help="Catalog accelerators, comma-separated (default: the GPUs Colab's plans offer on the catalog's date)."
    ),
    relative_to: str = typer.Option(None, "--relative-to", metavar="ACC",
                                    help="Also show each accelerator's speed over this one's, with its range."),
    catalog_file: Path = CATALOG_OPTION,
    json_out: bool = JSON_OPTION,
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Predicted step time of a well-known model on each accelerator, and the largest batch that fits."""
    from pricing import load_catalog

    from ..predict.profiles import accelerator_plan_dtype, needs_profiling
    from ..predict.workload import check_request, predict_workload, workload_name
    from ..render.predict import prediction_payload, prediction_table, profiling_notice, warning_text

    env = env_of(ctx)
    name = workload_name(workload, preset)
    override = user_catalog(env.home(), catalog_file)
    catalog = load_catalog(override=override)
    chosen = accelerators.split(",") if accelerators is not None else None
    check_request(name, dtype, batch_size, chosen, catalog, relative_to)  # before a first profile compiles
    if needs_profiling(name, accelerator_plan_dtype(dtype), env.home()):
        env.note(profiling_notice(name, accelerator_plan_dtype(dtype), dtype))
    prediction = predict_workload(name, dtype, batch_size, chosen, catalog, env.home(), relative_to=relative_to)
    if json_out:
        env.out(envelope("predict", prediction_payload(prediction)))
    else:
        env.out(render_table(prediction_table(prediction), format_name(fmt), terminal_width(env.environ)))
    for note in prediction.warnings:
        env.warn(warning_text(note))
    if replaced := replaced_warning(override):
        env.warn(replaced)
