"""`recommend`: Colab or this machine, and which plan pays off, for the user's workload."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from ..dates import parse_day
from ..errors import AdvisorError, MissingExtra
from ..policy import (
    DEFAULT_HOUR_VALUE,
    DEFAULT_MONTHS,
    DEFAULT_RUNS_PER_MONTH,
    DEFAULT_SETUP_MINUTES,
    check_plot_path,
    replaced_warning,
    user_catalog,
)
from ..render.table import envelope, terminal_width

if TYPE_CHECKING:

    pass

from .door import (
    AS_OF_OPTION,
    CATALOG_OPTION,
    COUNTRY_OPTION,
    FORMAT_OPTION,
    JSON_OPTION,
    TAX_RATE_OPTION,
    Env,
    Format,
    app,
    ctrl_c_flag,
    env_of,
    format_name,
    progress_bar,
    stdin_text,
    warn_small_tax_rate,
)


class Model(str, Enum):
    deep = "deep"
    boosting = "boosting"


def _measure_first(env: Env):
    def run(store: object, preset: str | None) -> None:
        from ..policy import SLOW_ON_CPU, preset_or_default
        from ..results.measure import first_measurement

        which = preset_or_default(preset)
        how_long = "minutes on a CPU" if which in SLOW_ON_CPU else "a few seconds"
        env.warn(f"no measurement of this machine yet: measuring one now (a --quick run of the {which} preset, "
                 f"{how_long}; --no-measure skips this)")
        with ctrl_c_flag() as should_stop, progress_bar(env, True) as progress:
            outcome = first_measurement(store, preset, progress, should_stop)
        for warning in outcome.warnings:
            env.warn(warning)
        saved = f"saved in {outcome.saved_to.parent}" if outcome.saved_to else "not saved; used for this answer"
        env.warn(f"measured this machine: {outcome.measurement.id}, {saved}")
        return outcome.measurement

    return run


@app.command(epilog="Example: colab-advisor recommend --model deep --epochs 100 --country DE")
def recommend(
    ctx: typer.Context,
    model: Model = typer.Option(..., "--model", help="deep (uses the accelerator) or boosting (CPU-bound)."),
    epochs: int = typer.Option(..., "--epochs", help="Epochs (or boosting rounds) per training run."),
    epoch_seconds: float = typer.Option(None, "--epoch-seconds", help="Seconds per epoch, as you timed it here."),
    samples: int = typer.Option(None, "--samples", help="Samples per epoch (with --preset): the epoch is timed "
                                "from this machine's measurement (default: 60,000 of the measured preset)."),
    preset: str = typer.Option(None, "--preset", help="The benchmark preset that resembles your model."),
    named: str = typer.Option(None, "--workload", metavar="NAME",
                              help="A well-known model (resnet50, bert-base-128, gpt2-small, vit-b16, ...): "
                                   "its own predicted speeds instead of the AutoEncoder's."),
    runs_per_month: float = typer.Option(DEFAULT_RUNS_PER_MONTH, "--runs-per-month", help="Training runs a month."),
    hour_value: float = typer.Option(None, "--hour-value", metavar="USD",
                                     help=f"What an hour of waiting is worth to you (default {DEFAULT_HOUR_VALUE:g})."),
    ram_gb: float = typer.Option(None, "--ram-gb", help="Peak RAM the job needs, in GB (decimal)."),
    setup_minutes: float = typer.Option(DEFAULT_SETUP_MINUTES, "--setup-minutes",
                                        help="Setup per Colab session (reinstalls, uploads)."),
    months: int = typer.Option(DEFAULT_MONTHS, "--months", help="Months you will pay for (packs last 90 days)."),
    free_gpu_hours: float = typer.Option(None, "--free-gpu-hours", metavar="H",
                                         help="Colab Free GPU hours a month you can count on (default: from "
                                              "users' reports, uncertain)."),
    local: str = typer.Option(None, "--local", metavar="FILE|ID|latest",
                              help="This machine's measurement (default: the median of those stored)."),
    local_device: str = typer.Option(None, "--local-device", metavar="NAME",
                                     help="No measurement: estimate this machine from the catalog's specs."),
    colab: str = typer.Option(None, "--colab", metavar="TOKEN|FILE|ID", help="A measurement made inside Colab."),
    no_measure: bool = typer.Option(False, "--no-measure", help="Never measure this machine first."),
    as_of: str = AS_OF_OPTION,
    country: str = COUNTRY_OPTION,
    tax_rate: float = TAX_RATE_OPTION,
    catalog_file: Path = CATALOG_OPTION,
    plot: Path = typer.Option(None, "--plot", metavar="FILE.png", dir_okay=False,
                              help="Draw money plus waiting a month against runs (matplotlib)."),
    buy: str = typer.Option(None, "--buy", metavar="ACC:PRICE",
                            help="Weigh buying this GPU (a catalog key) at this price in USD, like rtx-4090:1599."),
    kwh_price: float = typer.Option(None, "--kwh-price", metavar="USD", help="What a kWh costs you (with --buy)."),
    watts: float = typer.Option(None, "--watts", metavar="W",
                                help="The card's draw under load (with --buy; default: its power limit)."),
    every: bool = typer.Option(
        False, "--all", help="Every option the decision weighs, each plan's accelerators apart (before compute "
        "units, each plan's most handed-out GPU), in the columns that fit; --json has every figure."),
    json_out: bool = JSON_OPTION,
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Colab or this machine, and which plan pays off, for your workload."""
    from ..decide.buy import BuyQuestion, parse_buy
    from ..decide.service import Question, advise
    from ..decide.workload import Workload
    from ..render.recommendation import ARROW, recommendation_payload, render_recommendation, warnings
    from ..terminal import glyph

    env = env_of(ctx)
    workload = Workload(
        model=model.value, epochs=epochs, epoch_seconds=epoch_seconds, samples=samples, preset=preset,
        runs_per_month=runs_per_month, hour_value=DEFAULT_HOUR_VALUE if hour_value is None else hour_value,
        hour_value_given=hour_value is not None, ram_gb=ram_gb, setup_minutes=setup_minutes, months=months,
        free_gpu_hours=free_gpu_hours, named=named,
    )
    if plot is not None:
        check_plot_path(plot)
    wanted = None
    if buy is not None:
        card, price = parse_buy(buy)
        wanted = BuyQuestion(card, price, kwh_price, watts)
    elif kwh_price is not None or watts is not None:
        raise AdvisorError("--kwh-price and --watts go with --buy ACC:PRICE")
    question = Question(workload, local=local, local_device=local_device, colab=colab,
                        measure_if_missing=not no_measure, as_of=parse_day(as_of), country=country,
                        tax_rate=tax_rate, catalog_file=catalog_file, curves=plot is not None, buy=wanted)
    warn_small_tax_rate(env, tax_rate)
    refs = [r for r in (local, colab) if r is not None]
    result = advise(question, env.home(), stdin_text=stdin_text(env, refs), measure_first=_measure_first(env))
    if json_out:
        env.out(envelope("recommendation", recommendation_payload(result)))
    else:
        arrow = glyph(ARROW, env.stdout)
        env.out(render_recommendation(result, format_name(fmt), every, terminal_width(env.environ), arrow))
    for warning in warnings(result):
        env.warn(warning)
    if replaced := replaced_warning(user_catalog(env.home(), catalog_file)):
        env.warn(replaced)
    if plot is not None:
        from ..render.plot import plot_costs

        try:
            plot_costs(result, plot)
        except MissingExtra as exc:
            env.warn(str(exc))
