"""The entry point of `colab-advisor` and `python -m advisor`.

What is true of every command is settled here, once, before the command line is even imported:

- Ctrl-C is taken over before the command line's imports, which take a noticeable moment on a busy
  machine: an interrupt then still ends as every other one does, not in a traceback.
- Output never fails on the terminal's encoding: a character the stream cannot encode is written as
  a plain stand-in (see `terminal`). A closed output (`>&-`) is a stream that discards, a closed
  input (`<&-`) an empty one.
- `COLAB_ADVISOR_HOME=~/x` means the folder in the home, as a shell would have expanded it.
- A filesystem error no command foresaw still ends in one line and exit status 2, and a reader that
  goes away (`| head`) ends the command quietly.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import TextIO

from . import terminal

EXIT_USAGE = 2
# What a shell reports for a process ended by SIGPIPE (128 + 13): the reader went away.
EXIT_BROKEN_PIPE = 141
HOME_VARIABLE = "COLAB_ADVISOR_HOME"


def _null(mode: str) -> TextIO:
    # Lives as long as the process: it stands for a standard stream.
    return open(os.devnull, mode, encoding="utf-8")


def prepare_streams() -> None:
    """Streams that never raise on encoding; in place of a closed one, a sink (or an empty input)."""
    if sys.stdin is None:
        sys.stdin = _null("r")
    if sys.stdout is None:
        sys.stdout = _null("w")
    if sys.stderr is None:
        sys.stderr = _null("w")
    for stream in (sys.stdout, sys.stderr):
        terminal.never_fail_on_encoding(stream)


def expand_home_variable(environ: dict[str, str] | os._Environ[str]) -> None:
    value = environ.get(HOME_VARIABLE)
    if value and value.startswith("~"):
        environ[HOME_VARIABLE] = os.path.expanduser(value)


def _one_line(exc: BaseException) -> str:
    from .files import filesystem_error, shown_path

    if isinstance(exc, RecursionError):
        return "a path (or an input) is nested too deeply to handle"
    name = getattr(exc, "filename", None)
    if isinstance(name, (str, bytes)):
        return str(filesystem_error(exc, f"cannot use {shown_path(os.fsdecode(name))}"))
    return str(filesystem_error(exc, "a file could not be used"))


def _quiet_broken_pipe() -> int:
    # Python flushes stdout again at exit: point it at a sink so that flush cannot fail too.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, AttributeError, ValueError):
        pass
    return EXIT_BROKEN_PIPE


def run() -> int:
    prepare_streams()
    expand_home_variable(os.environ)
    pressed: list[int] = []
    try:
        previous = signal.signal(signal.SIGINT, lambda signum, frame: pressed.append(signum))
    except ValueError:  # not the main thread: leave Ctrl-C as it is
        previous = None
    from .cli import main, report_interrupted

    if previous is not None:
        signal.signal(signal.SIGINT, previous)
    if pressed:
        return report_interrupted(sys.stderr)
    try:
        status = main()
    except BrokenPipeError:
        return _quiet_broken_pipe()
    except (OSError, RecursionError) as exc:
        if "--debug" in sys.argv[1:]:
            raise
        sys.stderr.write(f"error: {terminal.plain(_one_line(exc))}\n")
        status = EXIT_USAGE
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        return _quiet_broken_pipe()
    except (OSError, ValueError):
        pass
    # The command is over and its status decided: an interrupt while the interpreter (and JAX)
    # shut down would only print a traceback over it.
    if previous is not None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    return status


if __name__ == "__main__":
    sys.exit(run())
