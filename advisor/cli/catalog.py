"""`plans`, `hardware` and `units`: what the catalog says, on a date."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import typer

from ..dates import parse_day
from ..policy import user_catalog
from ..render.table import Table, envelope, render_tables, terminal_width
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
    env_of,
    format_name,
    warn_small_tax_rate,
)


@app.command(epilog="Example: colab-advisor plans --as-of 2024-04-23 --country DE")
def plans(
    ctx: typer.Context,
    as_of: str = AS_OF_OPTION,
    country: str = COUNTRY_OPTION,
    tax_rate: float = TAX_RATE_OPTION,
    catalog_file: Path = CATALOG_OPTION,
    json_out: bool = JSON_OPTION,
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Colab plans on a date: price, compute units, GPU hours they buy, RAM, session length."""
    from ..decide.tax import priced_catalog
    from ..render.catalog import plans_payload, plans_tables

    env = env_of(ctx)
    catalog, tax = priced_catalog(parse_day(as_of), env.home(), catalog_file, country=country, tax_rate=tax_rate)
    warn_small_tax_rate(env, tax_rate)
    _answer(env, "plans", json_out, fmt, lambda: plans_payload(catalog, tax), lambda: plans_tables(catalog, tax))


@app.command(epilog="Example: colab-advisor hardware --format markdown")
def hardware(
    ctx: typer.Context,
    catalog_file: Path = CATALOG_OPTION,
    json_out: bool = JSON_OPTION,
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Accelerators in the catalog: peak TFLOP/s, memory bandwidth and size, when Colab offered them."""
    from pricing import load_catalog

    from ..render.catalog import hardware_payload, hardware_tables

    env = env_of(ctx)
    catalog = load_catalog(override=user_catalog(env.home(), catalog_file))
    _answer(env, "hardware", json_out, fmt, lambda: hardware_payload(catalog), lambda: hardware_tables(catalog))


@app.command(epilog="Example: colab-advisor units --balance 250 --country DE")
def units(
    ctx: typer.Context,
    balance: float = typer.Option(None, "--balance", metavar="CU",
                                  help="Compute units you have (default: the plan's monthly units, else 100 CU)."),
    plan: str = typer.Option(None, "--plan", metavar="NAME",
                             help="Only this plan's accelerators; its monthly CU without --balance."),
    as_of: str = typer.Option(None, "--as-of", metavar="DATE",
                              help="Day the units are bought, like 2024-04-23 (default: today, at the "
                                   "catalog's newest rates)."),
    country: str = COUNTRY_OPTION,
    tax_rate: float = TAX_RATE_OPTION,
    catalog_file: Path = CATALOG_OPTION,
    json_out: bool = JSON_OPTION,
    fmt: Format = FORMAT_OPTION,
) -> None:
    """How long compute units last: CU an hour per accelerator, the hours they buy, an hour's cost, expiry."""
    from ..decide.tax import priced_catalog
    from ..decide.units import units as units_answer
    from ..render.units import units_payload, units_tables

    env = env_of(ctx)
    day = parse_day(as_of)
    catalog, tax = priced_catalog(day, env.home(), catalog_file, country=country, tax_rate=tax_rate)
    warn_small_tax_rate(env, tax_rate)
    # Units bought today, unless the question is about another day.
    answer = units_answer(catalog, tax, balance=balance, plan=plan, bought_on=day or date.today())
    _answer(env, "units", json_out, fmt, lambda: units_payload(answer), lambda: units_tables(answer))


def _answer(env: Env, command: str, json_out: bool, fmt: Format, payload: Callable[[], dict[str, Any]],
            tables: Callable[[], Sequence[Table]]) -> None:
    """The command's JSON envelope, or its tables in the chosen format at the terminal's width."""
    if json_out:
        env.out(envelope(command, payload()))
    else:
        env.out(render_tables(tables(), format_name(fmt), terminal_width(env.environ)))
