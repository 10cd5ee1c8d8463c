"""What every command shares: the environment it touches, the app, the options declared once, the
progress bar, Ctrl-C, reading standard input, and the entry point that turns errors into exit codes."""

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

from .. import __version__
from ..errors import AdvisorError, user_errors
from ..files import filesystem_error
from ..policy import APP_NAME, STDIN_LIMIT_BYTES, data_home, tax_rate_looks_like_a_fraction
from ..render.table import render_tables, terminal_text, terminal_width
from ..render.usage import usage_message

if TYPE_CHECKING:
    from ..render.table import Table

EXIT_OK = 0
EXIT_USAGE = 2  # bad input of any kind, as click uses it
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for Ctrl-C


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
        return data_home(self.environ, Path(typer.get_app_dir(APP_NAME)))

    # Everything printed passes through terminal_text: text from a record or a file never steers the terminal.
    def out(self, text: str) -> None:
        self.stdout.write(terminal_text(text.rstrip("\n"), keep_newlines=True) + "\n")

    def warn(self, text: str) -> None:
        from ..render.table import wrap

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


FORMAT_OPTION = typer.Option(Format.table, "--format", help="table or markdown.")
CATALOG_OPTION = typer.Option(
    None, "--catalog", metavar="FILE", exists=True, dir_okay=False,
    help="Your catalog file, merged over the shipped one (default: catalog.toml in the data folder).",
)


AS_OF_OPTION = typer.Option(None, "--as-of", metavar="DATE",
                            help="Date, like 2024-04-23 (default: the catalog's newest entry).")
COUNTRY_OPTION = typer.Option(None, "--country", metavar="CC",
                              help="Add this country's standard VAT/GST rate (DE, JP, ...).")
TAX_RATE_OPTION = typer.Option(None, "--tax-rate", metavar="PCT", help="Add this tax, in percent (8.7 for 8.7 %).")


def warn_small_tax_rate(env: Env, tax_rate: float | None) -> None:
    if tax_rate_looks_like_a_fraction(tax_rate):
        env.warn(f"--tax-rate is a percentage: {tax_rate:g} means {tax_rate:g} %, not {tax_rate * 100:g} %")


def show(env: Env, tables: Sequence[Table], fmt: str) -> None:
    """Tables on stdout; in markdown only the tables, what is said about them on stderr."""
    if fmt == "markdown":
        markdown_tables(env, tables)
    else:
        env.out(render_tables(tables, fmt, terminal_width(env.environ)))


def env_of(ctx: typer.Context) -> Env:
    return ctx.find_root().obj  # type: ignore[no-any-return]


def _version(ctx: typer.Context, value: bool) -> None:
    if value:
        env_of(ctx).out(f"{APP_NAME} {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for errors."),
) -> None:
    """Does a paid Colab plan pay off for your training workload? Measure, price, decide."""


def format_name(fmt: Format | str) -> str:
    """The format's name: Typer has already refused anything but table or markdown."""
    return fmt.value if isinstance(fmt, Format) else fmt


@contextmanager
def progress_bar(env: Env, enabled: bool) -> Iterator[Callable[[str, float], None] | None]:
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
def ctrl_c_flag() -> Iterator[Callable[[], bool]]:
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


def markdown_tables(env: Env, tables: Sequence[Table], extra_notes: Sequence[str] = ()) -> None:
    """Only the tables on stdout, ready to paste; what is said about them goes to stderr."""
    env.out(render_tables([dataclasses.replace(t, notes=()) for t in tables], "markdown"))
    for note in [n for t in tables for n in t.notes] + list(extra_notes):
        env.note(note)


def stdin_text(env: Env, refs: list[str]) -> str | None:
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
        env.stderr.write(f"error: {usage_message(exc.format_message())}{where}\n")  # type: ignore[attr-defined]
        return EXIT_USAGE
    except (typer.Abort, KeyboardInterrupt, Interrupted):
        return report_interrupted(env.stderr)
    except (*user_errors(), OSError, RecursionError) as exc:
        if "--debug" in args:
            traceback.print_exc(file=env.stderr)
        if isinstance(exc, (OSError, RecursionError)):
            exc = filesystem_error(exc, "a file or folder")
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        env.stderr.write(f"error: {terminal_text(message)}\n")
        return EXIT_USAGE
    return result if isinstance(result, int) else EXIT_OK
