"""The command line: the only package that knows about Typer, the terminal and exit codes.

Each command parses its options, calls one library function, and renders the result.
"""

from . import catalog, measure, predict, recommend, results  # noqa: F401  (registers the commands)
from .door import EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, Env, app, main, report_interrupted

__all__ = ["EXIT_INTERRUPTED", "EXIT_OK", "EXIT_USAGE", "Env", "app", "main", "report_interrupted"]
