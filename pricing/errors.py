"""The one error type of the pricing package."""

from __future__ import annotations


class CatalogError(Exception):
    """A problem a user can cause: a bad catalog file, an unknown name, a date the catalog does not cover.

    The message is always one line, so a command-line front end can print it as is.
    """

    def __init__(self, message: str) -> None:
        # Multi-line messages would break the one-line contract that callers rely on.
        super().__init__(" ".join(message.split()))

    @property
    def message(self) -> str:
        return str(self.args[0])
