"""Click's usage errors in the project's words: one short line a terminal holds."""

from __future__ import annotations

import re

# Click's words for a number it cannot parse run past a terminal line; the same fact, shorter. Newer
# Click: "Input should be a valid integer, unable to parse ..."; older: "'ten' is not a valid integer."
# (or "... valid int.").
_NOT_A_NUMBER = re.compile(r"Invalid value for '(?P<flag>[^']+)': (?:Input should be a valid (?P<new>integer|number)"
                           r"\b.*|(?P<value>'.*') is not a valid (?P<old>integer|int|float)\.?)")


def usage_message(message: str) -> str:
    found = _NOT_A_NUMBER.fullmatch(message)
    if found is None:
        return message
    whole = (found.group("new") or found.group("old")) in ("integer", "int")
    got = f", got {found.group('value')}" if found.group("value") else ""
    return f"{found.group('flag')}: expected {'a whole number' if whole else 'a number'}{got}"


def replaced_text(path: str, keys: tuple[str, ...]) -> str:
    """A user's catalog that replaces shipped accelerators: said wherever their figures are used."""
    names = ", ".join(keys)
    return (f"{path} replaces the shipped {names}: the figures for {'it' if len(keys) == 1 else 'them'} are "
            "yours, not the sourced ones")
