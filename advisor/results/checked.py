"""A cache of checked records, so listing thousands of stored results does not re-read thousands of files.

One file, `<home>/cache/checked-results.cache`, maps each result file's name to the key it had when
it was read (size, modification and change times in nanoseconds, inode) and the record it held.
The cache is a shortcut, never an authority:

- an entry is used only for a file whose key still matches; any change to the file reads it again;
- only files named by the store (`<time>-<id>.json`) are cached, and an entry's text must hash to
  the id in its file's name: it is then that record's canonical text, and no other record can be
  passed off under the name (a file named otherwise, copied in by hand, is read every time);
- the cache is read as hostile input, like any file from outside: capped in size (it may never be
  larger than the files it stands for), an integer longer than any record needs refused from its
  text, and every record in it passes the same depth and range checks and the same validation
  (`Measurement.from_dict`) a file's record passes. Whatever fails is read from the file instead;
- a damaged, foreign or newer cache is ignored whole and rebuilt;
- files refused when read are never cached: they are read (and refused) again each time;
- a file changed within the last second is not cached yet: a second change in the same clock tick
  could leave its key unchanged.

Writing the cache is best effort (atomic, and skipped quietly where the data folder is read-only).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from benchmarks.result import Measurement
from benchmarks.validation import MAX_RECORD_CHARS, structure_problem

from ..errors import AdvisorError
from ..files import atomic_write, read_regular_file, remove_stale_temp_files

CACHE_DIR = "cache"
CACHE_FILE = "checked-results.cache"
CACHE_SCHEMA = "colab-advisor/checked-results/v1"
# Room for the cache's own framing beyond the records it holds.
CACHE_OVERHEAD_BYTES = 64 * 1024
# A file changed more recently than this may change again within one tick of the clock.
RACY_SECONDS = 1.0

Key = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode


@dataclass(frozen=True)
class Listed:
    """A result file as listed: its name and the key its content is cached under."""

    name: str
    key: Key | None  # None: could not be looked at (read anyway, so the reason is reported)


def file_key(info: os.stat_result) -> Key:
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def cache_path(home: Path) -> Path:
    return Path(home) / CACHE_DIR / CACHE_FILE


# No integer in a record needs more digits than this; a longer one is refused from its text, before
# int() converts it (some Pythons convert a long integer in quadratic time).
MAX_INTEGER_DIGITS = 20
_HEADER = json.dumps({"schema": CACHE_SCHEMA}, separators=(",", ":"))


@dataclass(frozen=True)
class Entry:
    """One cached record: its file's key, its canonical JSON text and that text's content address."""

    key: Key
    text: str


def canonical_text(m: Measurement) -> str:
    """The text a record's id is the hash of (see `Measurement.id`)."""
    return json.dumps(m.to_dict(include_summary=False), sort_keys=True, separators=(",", ":"), allow_nan=False)


def content_id(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:10]


def read_cache(home: Path, listing: list[Listed]) -> dict[str, Entry]:
    """The cache's entries for the files listed, not yet checked; empty if the cache cannot be used.

    Format: a header line, then one line per file: name, TAB, the key's four integers, TAB, the record.
    """
    budget = sum(item.key[0] for item in listing if item.key is not None) + CACHE_OVERHEAD_BYTES
    try:
        text = read_regular_file(cache_path(home), limit=budget, what="the cache").decode("utf-8")
    except (OSError, AdvisorError, ValueError):
        return {}
    lines = text.split("\n")
    if lines[0] != _HEADER:
        return {}
    wanted = {item.name for item in listing}
    entries = {}
    for line in lines[1:]:
        name, tab, rest = line.partition("\t")
        numbers, tab2, record = rest.partition("\t")
        key = numbers.split(" ")
        if not (tab and tab2 and name in wanted and len(key) == 4 and all(_is_count(part) for part in key)):
            continue
        entries[name] = Entry(tuple(int(part) for part in key), record)  # type: ignore[arg-type]
    return entries


def _is_count(text: str) -> bool:
    # ASCII digits only: str.isdigit() also takes '²', which int() then refuses.
    return 0 < len(text) <= MAX_INTEGER_DIGITS and text.isascii() and text.isdigit()


def _bounded_int(digits: str) -> int:
    if len(digits) > MAX_INTEGER_DIGITS:
        raise ValueError("an integer too long for a record")
    return int(digits)


def checked_record(entry: Entry, expected_id: str) -> Measurement | None:
    """The record a cache entry holds, if it passes every check its file's record would; else None.

    `expected_id`, the id its file's name carries: the entry's text must hash to it, which makes it
    that record's canonical text (the file was checked to hold that record when it was cached), so
    the id need not be computed again.
    """
    if len(entry.text) > MAX_RECORD_CHARS:  # the cap a file's text meets
        return None
    text_id = content_id(entry.text)
    if text_id != expected_id:
        return None
    try:
        record = json.loads(entry.text, parse_int=_bounded_int)
        if type(record) is not dict or structure_problem(record) is not None:
            return None
        measurement = Measurement.from_dict(record)
    except Exception:  # any refusal at all means: read the file instead
        return None
    vars(measurement)["id"] = text_id  # the hash of its canonical text: see `Measurement.id`
    return measurement


def cacheable(key: Key, started: float) -> bool:
    """Whether a file with this key has been still long enough that its key identifies its content."""
    newest = max(key[1], key[2]) / 1e9
    return newest <= started - RACY_SECONDS


def cache_entry(key: Key, m: Measurement) -> Entry:
    return Entry(key, canonical_text(m))


def write_cache(home: Path, entries: dict[str, Entry]) -> None:
    """Replace the cache with `entries`; a data folder that cannot take it keeps no cache, silently."""
    lines = [_HEADER]
    for name, entry in sorted(entries.items()):
        if name.isprintable() and "\t" not in name:  # a name that would break the line format is not cached
            lines.append(f"{name}\t{' '.join(str(part) for part in entry.key)}\t{entry.text}")
    with contextlib.suppress(OSError, RecursionError, ValueError):
        atomic_write(cache_path(home), "\n".join(lines))
        remove_stale_temp_files(cache_path(home).parent)
