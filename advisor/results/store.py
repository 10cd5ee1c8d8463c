"""The data folder: saved measurements (the history), written atomically."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from benchmarks.result import Measurement, ResultError

from ..errors import AdvisorError

RESULTS_DIR = "results"
# Results that came through `import` are kept under names ending so: they never stand for this machine.
IMPORTED_SUFFIX = ".imported.json"


class NoLocalMeasurement(AdvisorError):
    """Nothing measured on this machine yet (of the preset asked for)."""

    def __init__(self, preset: str | None = None) -> None:
        which = f" of the {preset} preset" if preset else ""
        flag = f" --preset {preset}" if preset else ""
        super().__init__(
            f"no measurement{which} of this machine yet: run `colab-advisor measure{flag}` (about 10 s), "
            "or give --local-device NAME to estimate from specs"
        )
        self.preset = preset


def atomic_write(path: Path, text: str) -> None:
    """Write to a temp file in the same folder, then rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@dataclass(frozen=True)
class StoredMeasurement:
    path: Path
    measurement: Measurement
    imported: bool = False  # came through `import`, not measured here

    @property
    def id(self) -> str:
        return self.measurement.id


class Store:
    """Measurements as one JSON file each under `<home>/results/`; a bad file costs only itself."""

    def __init__(self, home: Path) -> None:
        self.home = Path(home)
        self.results = self.home / RESULTS_DIR

    def save(self, measurement: Measurement, *, imported: bool = False) -> Path:
        # The name is made of digits and the content hash only: a record from elsewhere must never
        # steer where the file goes, whatever its timestamp says.
        stamp = "".join(c for c in measurement.environment.timestamp[:19] if c.isdigit())
        suffix = IMPORTED_SUFFIX if imported else ".json"
        path = self.results / f"{stamp[:8]}T{stamp[8:14]}-{measurement.id}{suffix}"
        atomic_write(path, measurement.to_json())
        return path

    def _files(self) -> Iterator[Path]:
        if self.results.is_dir():
            yield from sorted(p for p in self.results.glob("*.json") if not p.name.startswith("."))

    def load_all(self) -> tuple[list[StoredMeasurement], list[str]]:
        """All readable measurements, oldest first, and one warning per file that could not be read."""
        entries, warnings = [], []
        for path in self._files():
            try:
                measurement = Measurement.from_json(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, ResultError) as exc:
                warnings.append(f"skipped {path.name}: {str(exc).splitlines()[0]}")
                continue
            entries.append(StoredMeasurement(path, measurement, imported=path.name.endswith(IMPORTED_SUFFIX)))
        entries.sort(key=lambda e: e.measurement.environment.timestamp)
        return entries, warnings

    def local_entries(self, preset: str | None = None) -> list[StoredMeasurement]:
        """Measurements made on this machine (never imported ones), oldest first, of `preset` if given."""
        local = self._local()
        if preset is not None:
            local = [e for e in local if e.measurement.config.preset == preset]
        return local

    def latest_local(self, preset: str | None = None) -> StoredMeasurement:
        """The newest measurement made on this machine (never an imported one), of `preset` if given."""
        local = self.local_entries(preset)
        if not local:
            raise NoLocalMeasurement(preset)
        return local[-1]

    def _local(self) -> list[StoredMeasurement]:
        entries, _ = self.load_all()
        return [e for e in entries if not e.imported and not e.measurement.environment.in_colab]

    def find(self, ref: str) -> StoredMeasurement:
        """A measurement by id (or unique id prefix), or 'latest': the newest one made on this machine."""
        entries, _ = self.load_all()
        if not entries:
            raise AdvisorError("no measurement stored yet: run `colab-advisor measure` (about 15 s)")
        if ref == "latest":
            local = self._local()
            if not local:
                raise AdvisorError(
                    "no measurement of this machine yet ('latest' never means an imported one): run "
                    "`colab-advisor measure` (about 15 s), or give an id from `colab-advisor history`"
                )
            return local[-1]
        matches = [e for e in entries if e.id.startswith(ref)]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise AdvisorError(f"no stored measurement with id '{ref}'; `colab-advisor history` lists them")
        raise AdvisorError(f"id '{ref}' matches {len(matches)} measurements; give more characters")
