"""The data folder: saved measurements (the history), written atomically.

Each measurement is one file, `results/<UTC time>-<id>.json`. The name carries what lookups need
(when, and the content address), so finding the newest measurement or a known id reads a few files,
not thousands. A file that cannot be read for any reason costs only itself: it is skipped with one
warning naming it.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from benchmarks.result import Measurement

from ..errors import AdvisorError
from ..files import (
    atomic_write,
    create_new,
    expand_home,
    filesystem_error,
    read_regular_file,
    remove_stale_temp_files,
    shown_path,
)
from .checked import Entry, Listed, cache_entry, cacheable, checked_record, file_key, read_cache, write_cache

RESULTS_DIR = "results"
# Results that came through `import` are kept under names ending so: they never stand for this machine.
IMPORTED_SUFFIX = ".imported.json"
MAX_RESULT_BYTES = 1024 * 1024
_NAME = re.compile(r"(\d{8}T\d{6})-([0-9a-f]{10})(\.imported)?\.json")


class NoLocalMeasurement(AdvisorError):
    """Nothing measured on this machine yet (of the preset asked for)."""

    def __init__(self, message: str, preset: str | None = None) -> None:
        super().__init__(message)
        self.preset = preset


def _one_line(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return repr(text)[1:-1][:200]  # the reason may quote the file: escaped, never raw


@dataclass(frozen=True)
class StoredMeasurement:
    path: Path
    measurement: Measurement
    imported: bool = False  # came through `import`, not measured here

    @property
    def id(self) -> str:
        return self.measurement.id


def file_name(measurement: Measurement, imported: bool = False) -> str:
    # Digits of the UTC time and the content hash only: a record from elsewhere must never steer
    # where the file goes, and names sort as the measurements happened.
    suffix = IMPORTED_SUFFIX if imported else ".json"
    return f"{measurement.environment.moment:%Y%m%dT%H%M%S}-{measurement.id}{suffix}"


class Store:
    """Measurements as one JSON file each under `<home>/results/`; a bad file costs only itself."""

    def __init__(self, home: Path | str) -> None:
        self.home = expand_home(str(home))
        self.results = self.home / RESULTS_DIR

    def save(self, measurement: Measurement, *, imported: bool = False) -> Path:
        """Keep `measurement`; OSError (or RecursionError, for a path too deep) when it cannot be written."""
        path = self.results / file_name(measurement, imported)
        atomic_write(path, measurement.to_json())
        remove_stale_temp_files(self.results)
        return path

    def save_new(self, measurement: Measurement, *, imported: bool = False) -> tuple[Path, bool]:
        """Keep `measurement` unless its file is there already: (its path, whether this call wrote it).

        Exclusive: of many processes saving the same result at once, exactly one is told it wrote it.
        """
        path = self.results / file_name(measurement, imported)
        created = create_new(path, measurement.to_json())
        if created:
            remove_stale_temp_files(self.results)
        return path, created

    # ---- reading ----------------------------------------------------------------------------
    def _names(self) -> list[str]:
        return [item.name for item in self._listing(with_keys=False)]

    def _listing(self, *, with_keys: bool = True) -> list[Listed]:
        """The result files, by name, with the key each is cached under when `with_keys`."""
        items = []
        try:
            with os.scandir(self.results) as listing:
                for item in listing:
                    name = item.name
                    if not name.endswith(".json") or name.startswith("."):
                        continue
                    key = None
                    if with_keys:
                        try:
                            key = file_key(item.stat())
                        except OSError:
                            key = None
                    items.append(Listed(name, key))
        except (FileNotFoundError, NotADirectoryError):
            return []
        except (OSError, RecursionError) as exc:
            raise filesystem_error(exc, f"cannot read the data folder {shown_path(self.results)}") from None
        return sorted(items, key=lambda item: item.name)

    def _read(self, name: str) -> StoredMeasurement:
        path = self.results / name
        if path.is_symlink():  # the store writes no links: one here points somewhere it does not own
            raise AdvisorError("a link, not a result this store wrote: not followed")
        text = read_regular_file(path).decode("utf-8")
        return StoredMeasurement(path, Measurement.from_json(text), imported=name.endswith(IMPORTED_SUFFIX))

    def _read_all(self, names: list[str]) -> tuple[list[StoredMeasurement], list[str]]:
        entries, warnings = [], []
        for name in names:
            try:
                entries.append(self._read(name))
            except Exception as exc:  # any reason at all: one bad file must not cost the others
                warnings.append(f"skipped {repr(name)[1:-1]}: {_one_line(exc)}")
        return entries, warnings

    def load_all(self) -> tuple[list[StoredMeasurement], list[str]]:
        """All readable measurements, oldest first by UTC time, and one warning per file skipped.

        Records checked before come from the cache of checked records while their files are unchanged
        (see `checked`); the cache never admits a record its file would not.
        """
        started = time.time()
        listing = self._listing()
        cached = read_cache(self.home, listing)
        entries, warnings = [], []
        keep: dict[str, Entry] = {}
        dirty = False  # whether the cache on disk differs from what it should now hold
        for item in listing:
            hit = cached.get(item.name)
            found = self._cached(item, hit)
            if found is None:
                dirty = dirty or hit is not None
                read, problems = self._read_all([item.name])
                warnings.extend(problems)
                if not read:
                    continue
                found, hit = read[0], None
            entries.append(found)
            # Only files named by their content's id are cached: the id is what ties an entry to its file.
            match = _NAME.fullmatch(item.name)
            named_right = match is not None and match.group(2) == found.id
            if item.key is not None and named_right and cacheable(item.key, started):
                keep[item.name] = hit or cache_entry(item.key, found.measurement)
        if dirty or keep.keys() != cached.keys():
            write_cache(self.home, keep)
        entries.sort(key=lambda e: (e.measurement.environment.moment, e.id))
        return entries, warnings

    def _cached(self, item: Listed, hit: Entry | None) -> StoredMeasurement | None:
        """The file's record from the cache, when its key still matches and the record passes every check."""
        if hit is None or item.key is None or hit.key != item.key:
            return None
        match = _NAME.fullmatch(item.name)
        m = checked_record(hit, match.group(2)) if match else None
        if m is None:
            return None
        return StoredMeasurement(self.results / item.name, m, imported=item.name.endswith(IMPORTED_SUFFIX))

    def _newest(self, wanted: Callable[[StoredMeasurement], bool]) -> StoredMeasurement | None:
        """The newest measurement `wanted` accepts, reading files newest first by their names."""
        names = self._names()
        named = sorted((n for n in names if _NAME.fullmatch(n)), reverse=True)
        # A file named otherwise (copied in by hand) says nothing about its time: read it anyway.
        unnamed, _ = self._read_all([n for n in names if not _NAME.fullmatch(n)])
        candidates = [e for e in unnamed if wanted(e)]
        for name in named:
            found, _ = self._read_all([name])
            if not found:
                continue
            if file_name(found[0].measurement, found[0].imported) != name:
                # A name that does not tell its content's time cannot order the rest: read them all.
                candidates = [e for e in self.load_all()[0] if wanted(e)]
                break
            if wanted(found[0]):
                candidates.append(found[0])
                break
        return max(candidates, key=lambda e: (e.measurement.environment.moment, e.id), default=None)

    def local_entries(self, preset: str | None = None) -> list[StoredMeasurement]:
        """Measurements made on this machine (never imported ones), oldest first, of `preset` if given."""
        return self.local_entries_and_skipped(preset)[0]

    def local_entries_and_skipped(self, preset: str | None = None) -> tuple[list[StoredMeasurement], list[str]]:
        """`local_entries`, and one warning per stored file that could not be read (as `load_all`)."""
        entries, skipped = self.load_all()
        mine = [e for e in entries if _is_local(e) and (preset is None or e.measurement.config.preset == preset)]
        return mine, skipped

    def latest_local(self, preset: str | None = None) -> StoredMeasurement:
        """The newest measurement made on this machine (never an imported one), of `preset` if given."""
        found = self._newest(lambda e: _is_local(e) and (preset is None or e.measurement.config.preset == preset))
        if found is None:
            which, flag = (f" of the {preset} preset", f" --preset {preset}") if preset else ("", "")
            raise NoLocalMeasurement(f"no measurement{which} of this machine yet: run `colab-advisor measure{flag}` "
                                     "(about 10 s), or give --local-device NAME to estimate from specs", preset)
        return found

    def with_id(self, measurement_id: str) -> StoredMeasurement | None:
        """The stored measurement with exactly this id, found by file name; None if there is none."""
        for name in self._names():
            match = _NAME.fullmatch(name)
            if match and match.group(2) == measurement_id:
                found, _ = self._read_all([name])
                if found and found[0].id == measurement_id:
                    return found[0]
        return None

    def find(self, ref: str) -> StoredMeasurement:
        """A measurement by id (or unique id prefix), or 'latest': the newest one made on this machine."""
        if not ref.strip():
            raise AdvisorError("an empty reference: give an id from `colab-advisor history`, or 'latest'")
        names = self._names()
        if not names:
            raise AdvisorError("no measurement stored yet: run `colab-advisor measure` (about 15 s)")
        if ref == "latest":
            found = self._newest(_is_local)
            if found is None:
                raise AdvisorError(
                    "no measurement of this machine yet ('latest' never means an imported one): run "
                    "`colab-advisor measure` (about 15 s), or give an id from `colab-advisor history`"
                )
            return found
        candidates = [
            n for n in names if not (match := _NAME.fullmatch(n)) or match.group(2).startswith(ref)
        ]
        entries, _ = self._read_all(candidates)
        matches = {e.id: e for e in entries if e.id.startswith(ref)}
        if len(matches) == 1:
            return next(iter(matches.values()))
        if not matches:
            raise AdvisorError(f"no stored measurement with id {ref[:40]!r}; `colab-advisor history` lists them")
        raise AdvisorError(f"id {ref[:40]!r} matches {len(matches)} measurements; give more characters")


def _is_local(entry: StoredMeasurement) -> bool:
    return not entry.imported and not entry.measurement.environment.in_colab
