"""The Colab round trip and the history: `import`, `history`, `compare`."""

from __future__ import annotations

import typer

from ..render.table import envelope
from .door import FORMAT_OPTION, JSON_OPTION, Format, app, env_of, format_name, show, stdin_text


@app.command(name="import",
             epilog="Example: colab-advisor import 'ca1:eNq...'   (or a result file, or - for standard input)")
def import_(
    ctx: typer.Context,
    source: str = typer.Argument(..., metavar="TOKEN|FILE|-", help="A share token, a result file, or - to read one."),
) -> None:
    """Store a result measured elsewhere (in Colab: `measure --share`) in the history."""
    from ..results.history import import_result
    from ..results.origin import origin
    from ..results.share import load_result
    from ..results.store import Store

    env = env_of(ctx)
    m = load_result(source, stdin_text(env, [source]))
    entry, already = import_result(Store(env.home()), m)
    verb = "already in the history as" if already else "imported"
    where = origin(m, imported=entry.imported)
    # "where:" as history and compare head the column, in the same words.
    env.out(f"{verb} {m.id}: {m.config.preset}, {m.config.dtype} on {m.environment.device_label}; where: {where}")


@app.command(epilog="Example: colab-advisor history --format markdown")
def history(ctx: typer.Context, json_out: bool = JSON_OPTION, fmt: Format = FORMAT_OPTION) -> None:
    """List stored measurements: id, when, where, device, preset, dtype, throughput."""
    from ..render.history import history_payload, history_table
    from ..results.store import Store

    env = env_of(ctx)
    entries, warnings = Store(env.home()).load_all()
    for warning in warnings:
        env.warn(warning)
    if json_out:
        env.out(envelope("history", history_payload(entries, warnings)))
    else:
        show(env, [history_table(entries)], format_name(fmt))


@app.command(epilog="Example: colab-advisor compare latest 3f2a9c 'ca1:eNq...' --format markdown")
def compare(
    ctx: typer.Context,
    refs: list[str] = typer.Argument(..., metavar="A B ...", help="History ids, result files or share tokens."),
    epoch_samples: int = typer.Option(None, "--epoch-samples", help="Also show seconds per epoch of N samples."),
    json_out: bool = JSON_OPTION,
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Side by side: step time, throughput, speedup with its band, compile time, fingerprints."""
    from ..render.compare import comparison_payload, comparison_table
    from ..results.compare import compare_refs
    from ..results.store import Store

    env = env_of(ctx)
    comparison = compare_refs(refs, Store(env.home()), stdin_text(env, refs), epoch_samples=epoch_samples)
    if json_out:
        env.out(envelope("compare", comparison_payload(comparison)))
    else:
        show(env, [comparison_table(comparison)], format_name(fmt))
