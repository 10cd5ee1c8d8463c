"""The one error type a user can cause, and the other packages' equivalents it stands for."""

from __future__ import annotations

from benchmarks.config import BenchmarkError


class AdvisorError(Exception):
    """A problem the user can fix. The message is one line; the CLI prints it and exits 2."""


class MissingExtra(AdvisorError):
    """An optional feature whose extra is not installed: a warning where the main result still stands."""


def user_errors() -> tuple[type[Exception], ...]:
    """Every exception type whose message is meant for the user, not a traceback."""
    from pricing import CatalogError

    return (AdvisorError, BenchmarkError, CatalogError)
