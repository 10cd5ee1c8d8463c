"""The command line. The only module that knows about Typer, the terminal and exit codes.

Each command parses its options, calls one library function, and renders the result.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import typer

from benchmarks.config import Interrupted

from . import __version__
from .dates import parse_day
from .decide.workload import DEFAULT_HOUR_VALUE, DEFAULT_MONTHS, DEFAULT_RUNS_PER_MONTH, DEFAULT_SETUP_MINUTES
from .errors import AdvisorError, MissingExtra, user_errors
from .render.table import envelope, render_tables, terminal_text, terminal_width

if TYPE_CHECKING:
    from .decide.sources import Sources
    from .render.table import Table

EXIT_OK = 0
EXIT_USAGE = 2  # bad input of any kind, as click uses it
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for Ctrl-C

APP_NAME = "colab-advisor"


def _click_exception(name: str) -> type[Exception]:
    # Newer Typer vendors Click privately, older Typer uses Click itself; the public BadParameter
    # derives from the right UsageError/ClickException in both.
    return next(c for c in typer.BadParameter.__mro__ if c.__name__ == name)


UsageError = _click_exception("UsageError")


@dataclass
class Env:
    """Everything outside the process the CLI touches, so tests can replace it."""

    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))

    def home(self) -> Path:
        override = self.environ.get("COLAB_ADVISOR_HOME")
        return Path(override) if override else Path(typer.get_app_dir(APP_NAME))

    # Everything printed passes through terminal_text: text from a record or a file never steers the terminal.
    def out(self, text: str) -> None:
        self.stdout.write(terminal_text(text.rstrip("\n"), keep_newlines=True) + "\n")

    def warn(self, text: str) -> None:
        from .render.table import terminal_width, wrap

        self.stderr.write(wrap(f"warning: {terminal_text(text)}", terminal_width(self.environ), "  ") + "\n")

    def note(self, text: str) -> None:
        """Said beside the output, on stderr, so stdout holds only what is meant to be copied."""
        self.stderr.write(text + "\n")

    def interactive(self) -> bool:
        return bool(getattr(self.stderr, "isatty", lambda: False)())


app = typer.Typer(
    name=APP_NAME,
    help="Does a paid Colab plan pay off for your training workload? Measure, price, decide.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


# Options several commands share, declared once so they read and behave the same everywhere.
JSON_OPTION = typer.Option(False, "--json", help="Print a versioned JSON envelope.")
class Format(str, Enum):
    table = "table"
    markdown = "markdown"


class Model(str, Enum):
    deep = "deep"
    boosting = "boosting"


FORMAT_OPTION = typer.Option(Format.table, "--format", help="table or markdown.")
CATALOG_OPTION = typer.Option(
    None, "--catalog", metavar="FILE", exists=True, dir_okay=False,
    help="Your catalog file, merged over the shipped one (default: catalog.toml in the data folder).",
)


def _env(ctx: typer.Context) -> Env:
    return ctx.find_root().obj  # type: ignore[no-any-return]


def _version(ctx: typer.Context, value: bool) -> None:
    if value:
        _env(ctx).out(f"{APP_NAME} {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for errors."),
) -> None:
    """Does a paid Colab plan pay off for your training workload? Measure, price, decide."""


def _check_format(fmt: Format | str) -> str:
    """The format's name: Typer has already refused anything but table or markdown."""
    return fmt.value if isinstance(fmt, Format) else fmt


@contextmanager
def _progress_bar(env: Env, enabled: bool) -> Iterator[Callable[[str, float], None] | None]:
    if not (enabled and env.interactive()):
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description:<12}"), BarColumn(), TimeElapsedColumn(),
        console=Console(file=env.stderr), transient=True,
    ) as bar:
        task = bar.add_task("starting", total=1.0)
        yield lambda phase, fraction: bar.update(task, description=phase, completed=fraction)


@contextmanager
def _ctrl_c_flag() -> Iterator[Callable[[], bool]]:
    """Ctrl-C sets a flag the run asks for between samples, so it never lands inside JAX.

    A second Ctrl-C raises KeyboardInterrupt at once, for a run stuck in a long compile.
    """
    pressed = threading.Event()

    def on_sigint(signum: int, frame: object) -> None:
        if pressed.is_set():
            raise KeyboardInterrupt
        pressed.set()

    try:
        previous = signal.signal(signal.SIGINT, on_sigint)
    except ValueError:  # not the main thread (an embedding program): Ctrl-C stays as it was
        yield pressed.is_set
        return
    try:
        yield pressed.is_set
    finally:
        signal.signal(signal.SIGINT, previous)


# ---- measure -----------------------------------------------------------------------------------
@app.command(
    epilog="Example: colab-advisor measure --preset medium --dtype bfloat16 --budget 10",
)
def measure(
    ctx: typer.Context,
    preset: str = typer.Option("medium", help="AutoEncoder preset: small, medium, large or conv."),
    batch_size: int = typer.Option(None, "--batch-size", help="Batch size (default: the preset's)."),
    dtype: str = typer.Option("float32", help="float32, bfloat16 or float16."),
    device: str = typer.Option("auto", help="auto, cpu, gpu or tpu."),
    budget: float = typer.Option(None, help="Seconds of timing (default 6; 1 with --quick)."),
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
    from .render.measurement import measurement_tables
    from .results.measure import measure as run_measure
    from .results.measure import measure_config
    from .results.store import Store

    env = _env(ctx)
    fmt = _check_format(fmt)
    config = measure_config(preset=preset, batch_size=batch_size, dtype=dtype, device=device, budget=budget,
                            quick=quick)
    # Held until the command ends: an interrupt after the save cannot undo it, and must not claim it did.
    should_stop = ctx.with_resource(_ctrl_c_flag())
    with _progress_bar(env, not no_progress) as progress:
        outcome = run_measure(config, store=None if no_save else Store(env.home()), output=output, progress=progress,
                              should_stop=should_stop)
    m = outcome.measurement
    saved = f"saved as {m.id} in {outcome.saved_to.parent}" if outcome.saved_to else None
    if share:
        from .results.share import encode_token

        env.out(encode_token(m))
        if saved:
            env.note(saved)
    elif json_out:
        env.out(envelope("measure", {
            "id": m.id,
            "saved_to": str(outcome.saved_to) if outcome.saved_to else None,
            "measurement": m.to_dict(),
        }))
    elif fmt == "markdown":
        _markdown_tables(env, measurement_tables(m), [saved] if saved else [])
    else:
        env.out(render_tables(measurement_tables(m), fmt, terminal_width(env.environ)))
        if saved:
            env.out(f"\n{saved}")
    for note in (*m.warnings, *outcome.warnings):
        env.warn(note)


def _markdown_tables(env: Env, tables: Sequence[Table], extra_notes: Sequence[str] = ()) -> None:
    """Only the tables on stdout, ready to paste; what is said about them goes to stderr."""
    env.out(render_tables([dataclasses.replace(t, notes=()) for t in tables], "markdown"))
    for note in [n for t in tables for n in t.notes] + list(extra_notes):
        env.note(note)


# ---- plans and hardware ------------------------------------------------------------------------
def _catalog_file(env: Env, given: Path | None) -> Path | None:
    """The user's catalog: --catalog, else catalog.toml in the data folder when there is one."""
    if given is not None:
        return given
    default = env.home() / "catalog.toml"
    return default if default.is_file() else None


@app.command(
    epilog="Example: colab-advisor plans --as-of 2024-04-23 --country DE",
)
def plans(
    ctx: typer.Context,
    as_of: str = typer.Option(
        None, "--as-of", metavar="DATE", help="Date, like 2024-04-23 (default: the catalog's newest entry)."
    ),
    country: str = typer.Option(
        None, "--country", metavar="CC", help="Add this country's standard VAT/GST rate (DE, JP, ...)."
    ),
    tax_rate: float = typer.Option(None, "--tax-rate", metavar="PCT", help="Add this tax, in percent (8.7 for 8.7 %)."),
    catalog_file: Path = CATALOG_OPTION,
    json_out: bool = JSON_OPTION,
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Colab plans on a date: price, compute units, GPU hours they buy, RAM, session length."""
    from pricing import load_catalog

    from .decide.tax import tax_basis
    from .render.catalog import plans_payload, plans_tables

    env = _env(ctx)
    fmt = _check_format(fmt)
    day = parse_day(as_of)
    catalog = load_catalog(day, override=_catalog_file(env, catalog_file))
    tax = tax_basis(catalog, country=country, percent=tax_rate)
    _warn_small_tax_rate(env, tax_rate)
    if json_out:
        env.out(envelope("plans", plans_payload(catalog, tax)))
    else:
        env.out(render_tables(plans_tables(catalog, tax), fmt, terminal_width(env.environ)))


@app.command(
    epilog="Example: colab-advisor hardware --format markdown",
)
def hardware(
    ctx: typer.Context,
    catalog_file: Path = CATALOG_OPTION,
    json_out: bool = JSON_OPTION,
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Accelerators in the catalog: peak TFLOP/s, memory bandwidth and size, when Colab offered them."""
    from pricing import load_catalog

    from .render.catalog import hardware_payload, hardware_tables

    env = _env(ctx)
    fmt = _check_format(fmt)
    catalog = load_catalog(override=_catalog_file(env, catalog_file))
    if json_out:
        env.out(envelope("hardware", hardware_payload(catalog)))
    else:
        env.out(render_tables(hardware_tables(catalog), fmt, terminal_width(env.environ)))


# ---- the Colab round trip ------------------------------------------------------------------------
STDIN_LIMIT_BYTES = 1024 * 1024


def _stdin_text(env: Env, refs: list[str]) -> str | None:
    """Standard input, read once, capped, and decoded here rather than by the locale's codec."""
    if "-" not in refs:
        return None
    stream = getattr(env.stdin, "buffer", None)
    data = stream.read(STDIN_LIMIT_BYTES + 1) if stream is not None else env.stdin.read(STDIN_LIMIT_BYTES + 1)
    if len(data) > STDIN_LIMIT_BYTES:
        raise AdvisorError(f"standard input is over {STDIN_LIMIT_BYTES // 1024} kB: not a result, refused")
    if isinstance(data, bytes):
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise AdvisorError("standard input is not UTF-8 text: paste the token or the result JSON") from None
    return data


def _warn_small_tax_rate(env: Env, tax_rate: float | None) -> None:
    if tax_rate is not None and 0 < tax_rate < 1:
        env.warn(f"--tax-rate is a percentage: {tax_rate:g} means {tax_rate:g} %, not {tax_rate * 100:g} %")


@app.command(
    name="import",
    epilog="Example: colab-advisor import 'ca1:eNq...'   (or a result file, or - for standard input)",
)
def import_(
    ctx: typer.Context,
    source: str = typer.Argument(..., metavar="TOKEN|FILE|-", help="A share token, a result file, or - to read one."),
) -> None:
    """Store a result measured elsewhere (in Colab: `measure --share`) in the history."""
    from .results.history import import_result
    from .results.origin import origin
    from .results.share import load_result
    from .results.store import Store

    env = _env(ctx)
    m = load_result(source, _stdin_text(env, [source]))
    entry, already = import_result(Store(env.home()), m)
    verb = "already in the history as" if already else "imported"
    where = origin(m, imported=entry.imported)
    # "where:" as history and compare head the column, in the same words.
    env.out(f"{verb} {m.id}: {m.config.preset}, {m.config.dtype} on {m.environment.device_label}; where: {where}")


@app.command(epilog="Example: colab-advisor history --format markdown")
def history(
    ctx: typer.Context,
    json_out: bool = JSON_OPTION,
    fmt: Format = FORMAT_OPTION,
) -> None:
    """List stored measurements: id, when, where, device, preset, dtype, throughput."""
    from .render.history import history_payload, history_table
    from .render.table import render_table
    from .results.store import Store

    env = _env(ctx)
    fmt = _check_format(fmt)
    entries, warnings = Store(env.home()).load_all()
    for warning in warnings:
        env.warn(warning)
    if json_out:
        env.out(envelope("history", history_payload(entries, warnings)))
    elif fmt == "markdown":
        _markdown_tables(env, [history_table(entries)])
    else:
        env.out(render_table(history_table(entries), fmt, terminal_width(env.environ)))


@app.command(epilog="Example: colab-advisor compare latest 3f2a9c 'ca1:eNq...' --format markdown")
def compare(
    ctx: typer.Context,
    refs: list[str] = typer.Argument(..., metavar="A B ...", help="History ids, result files or share tokens."),
    epoch_samples: int = typer.Option(None, "--epoch-samples", help="Also show seconds per epoch of N samples."),
    json_out: bool = JSON_OPTION,
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Side by side: step time, throughput, speedup with its band, compile time, fingerprints."""
    from .render.compare import comparison_payload, comparison_table
    from .render.table import render_table
    from .results.compare import compare as compare_results
    from .results.origin import origin_in
    from .results.share import resolve
    from .results.store import Store

    env = _env(ctx)
    fmt = _check_format(fmt)
    if len(refs) < 2:
        raise AdvisorError("compare needs at least two results (history ids, files or tokens)")
    if epoch_samples is not None and epoch_samples <= 0:
        raise AdvisorError(f"--epoch-samples: expected a positive number, got {epoch_samples}")
    store = Store(env.home())
    stdin_text = _stdin_text(env, refs)
    measurements = [resolve(ref, store, stdin_text) for ref in refs]
    comparison = compare_results(measurements, epoch_samples=epoch_samples,
                                 origins=[origin_in(store, m) for m in measurements])
    if json_out:
        env.out(envelope("compare", comparison_payload(comparison)))
    elif fmt == "markdown":
        _markdown_tables(env, [comparison_table(comparison)])
    else:
        env.out(render_table(comparison_table(comparison), fmt, terminal_width(env.environ)))


# ---- predict -------------------------------------------------------------------------------------
@app.command(
    epilog="Example: colab-advisor predict --workload resnet50 --dtype bfloat16 --accelerators t4,l4,a100-40gb",
)
def predict(
    ctx: typer.Context,
    workload: str = typer.Option(
        None, "--workload", metavar="NAME",
        help="resnet50, bert-base-128/384/512, bert-large-384, gpt2-small, vit-b16, ae-small/medium/large/conv.",
    ),
    preset: str = typer.Option(None, "--preset", help="An AutoEncoder preset instead: small, medium, large or conv."),
    batch_size: int = typer.Option(None, "--batch-size", help="Samples per step (default: the workload's)."),
    dtype: str = typer.Option("float32", help="float32, bfloat16 or float16."),
    accelerators: str = typer.Option(
        None, "--accelerators", metavar="A,B", help="Catalog accelerators, comma-separated (default: Colab's GPUs)."
    ),
    catalog_file: Path = CATALOG_OPTION,
    json_out: bool = JSON_OPTION,
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Predicted step time of a well-known model on each accelerator, and the largest batch that fits."""
    from benchmarks.config import DTYPES
    from pricing import load_catalog

    from .predict.profiles import profile_path
    from .predict.workload import predict_workload, workload_name
    from .render.predict import prediction_payload, prediction_table
    from .render.table import render_table

    env = _env(ctx)
    fmt = _check_format(fmt)
    name = workload_name(workload, preset)
    catalog = load_catalog(override=_catalog_file(env, catalog_file))
    chosen = accelerators.split(",") if accelerators is not None else None
    if dtype in DTYPES and not profile_path(name, dtype, env.home()).is_file():
        env.stderr.write(f"profiling {name} ({dtype}) on this CPU, once: compiling its training step...\n")
    prediction = predict_workload(name, dtype, batch_size, chosen, catalog, env.home())
    if json_out:
        env.out(envelope("predict", prediction_payload(prediction)))
    else:
        env.out(render_table(prediction_table(prediction), fmt, terminal_width(env.environ)))
    for note in prediction.warnings:
        env.warn(note)


# ---- recommend -----------------------------------------------------------------------------------
PLOT_SUFFIXES = (".png", ".svg", ".pdf")


def _check_plot_path(path: Path) -> None:
    if path.is_dir():
        raise AdvisorError(f"--plot {path} is a folder; give a file name like costs.png")
    if path.suffix.lower() not in PLOT_SUFFIXES:
        raise AdvisorError(f"--plot {path}: give a file ending in {', '.join(PLOT_SUFFIXES)}")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise AdvisorError(f"--plot {path}: folder {parent} does not exist")

@app.command(
    epilog="Example: colab-advisor recommend --model deep --epochs 100 --country DE",
)
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
    ram_gb: float = typer.Option(None, "--ram-gb", help="Peak RAM the job needs, in GB."),
    setup_minutes: float = typer.Option(DEFAULT_SETUP_MINUTES, "--setup-minutes",
                                        help="Setup per Colab session (reinstalls, uploads)."),
    months: int = typer.Option(DEFAULT_MONTHS, "--months", help="Months you will pay for (packs last 90 days)."),
    free_gpu_hours: float = typer.Option(None, "--free-gpu-hours", metavar="H",
                                         help="Colab Free GPU hours a month you can count on (default: unknown)."),
    local: str = typer.Option(None, "--local", metavar="FILE|ID|latest",
                              help="This machine's measurement (default: the median of those stored)."),
    local_device: str = typer.Option(None, "--local-device", metavar="NAME",
                                     help="No measurement: estimate this machine from the catalog's specs."),
    colab: str = typer.Option(None, "--colab", metavar="TOKEN|FILE|ID", help="A measurement made inside Colab."),
    no_measure: bool = typer.Option(False, "--no-measure", help="Never measure this machine first."),
    as_of: str = typer.Option(None, "--as-of", metavar="DATE", help="Price as of this date, like 2021-03-01."),
    country: str = typer.Option(None, "--country", metavar="CC", help="Add this country's standard VAT/GST rate."),
    tax_rate: float = typer.Option(None, "--tax-rate", metavar="PCT", help="Add this tax, in percent."),
    catalog_file: Path = CATALOG_OPTION,
    plot: Path = typer.Option(None, "--plot", metavar="FILE.png", dir_okay=False,
                              help="Draw money plus waiting a month against runs (matplotlib)."),
    every: bool = typer.Option(False, "--all", help="Every accelerator of every plan, every column."),
    json_out: bool = JSON_OPTION,
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Colab or this machine, and which plan pays off, for your workload."""
    from pricing import load_catalog

    from .decide import Workload, cost_curves, gather_sources, tax_basis
    from .decide import recommend as advise
    from .decide.sources import with_named
    from .render.plot import plot_costs
    from .render.recommendation import recommendation_payload, render_recommendation
    from .results.measure import first_measurement
    from .results.store import NoLocalMeasurement, Store

    env = _env(ctx)
    fmt = _check_format(fmt)
    workload = Workload(
        model=model.value, epochs=epochs, epoch_seconds=epoch_seconds, samples=samples, preset=preset,
        runs_per_month=runs_per_month, hour_value=DEFAULT_HOUR_VALUE if hour_value is None else hour_value,
        hour_value_given=hour_value is not None, ram_gb=ram_gb, setup_minutes=setup_minutes, months=months,
        free_gpu_hours=free_gpu_hours, named=named,
    )
    if plot is not None:
        _check_plot_path(plot)
    catalog = load_catalog(parse_day(as_of), override=_catalog_file(env, catalog_file))
    tax = tax_basis(catalog, country=country, percent=tax_rate)
    _warn_small_tax_rate(env, tax_rate)
    store = Store(env.home())
    stdin_text = _stdin_text(env, [r for r in (local, colab) if r is not None])

    def gather() -> Sources:
        return gather_sources(store, catalog, local=local, local_device=local_device, colab=colab, preset=preset,
                              stdin_text=stdin_text)

    try:
        sources = gather()
    except NoLocalMeasurement as missing:
        if no_measure or local is not None:
            raise
        which = missing.preset or "medium"
        how_long = "minutes on a CPU" if which == "large" else "a few seconds"
        env.warn(f"no measurement of this machine yet: measuring one now (a --quick run of the {which} preset, "
                 f"{how_long}; --no-measure skips this)")
        with _ctrl_c_flag() as should_stop, _progress_bar(env, True) as progress:
            outcome = first_measurement(store, missing.preset, progress, should_stop)
        where = f" in {outcome.saved_to.parent}" if outcome.saved_to else " (not saved)"
        env.warn(f"measured this machine: {outcome.measurement.id}, saved{where}")
        sources = gather()
    sources = with_named(sources, workload.named, catalog, env.home())
    result = advise(workload, sources, catalog, tax)
    width = terminal_width(env.environ)
    if json_out:
        env.out(envelope("recommendation", recommendation_payload(result)))
    else:
        env.out(render_recommendation(result, fmt, every, width))
    for warning in result.warnings:
        env.warn(warning)
    if plot is not None:
        beyond = max((a.runs.centre or 0.0 for a in result.plan_answers), default=0.0)
        try:
            plot_costs(result, cost_curves(workload, sources, catalog, tax, beyond), plot)
        except MissingExtra as exc:
            env.warn(str(exc))


# ---- entry point -------------------------------------------------------------------------------
def report_interrupted(stderr: TextIO) -> int:
    """Ctrl-C, whenever it comes: one line, and the shell's status for it."""
    stderr.write("interrupted: nothing was saved\n")
    return EXIT_INTERRUPTED


def main(argv: list[str] | None = None, env: Env | None = None) -> int:
    """Run the CLI; return the exit status instead of raising SystemExit."""
    env = env or Env()
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        command = typer.main.get_command(app)
        if not args:
            # A bare command asks for help; Click versions differ in how (and where) they print it.
            env.out(command.get_help(typer.Context(command, info_name=APP_NAME)))
            return EXIT_OK
        result = command.main(args=args, prog_name=APP_NAME, standalone_mode=False, obj=env)
    except typer.Exit as exc:
        return exc.exit_code
    except UsageError as exc:
        ctx = getattr(exc, "ctx", None)
        if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:
            env.out(ctx.get_help())  # a bare command asks for help; newer Click calls that an error
            return EXIT_OK
        where = f" (see: {ctx.command_path} --help)" if ctx else ""
        env.stderr.write(f"error: {exc.format_message()}{where}\n")  # type: ignore[attr-defined]
        return EXIT_USAGE
    except (typer.Abort, KeyboardInterrupt, Interrupted):
        return report_interrupted(env.stderr)
    except user_errors() as exc:
        if "--debug" in args:
            traceback.print_exc(file=env.stderr)
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        env.stderr.write(f"error: {terminal_text(message)}\n")
        return EXIT_USAGE
    return result if isinstance(result, int) else EXIT_OK
