"""Where a result came from, in the words `import`, `history`, `compare` and `recommend` all use.

Four origins: measured on this machine; measured in Colab; measured elsewhere and imported; one of
the reference runs shipped with the package. A record says whether it ran in Colab; the store
says whether it came through `import`; the shipped references are known by their ids.
"""

from __future__ import annotations

import functools
from pathlib import Path

import benchmarks
from benchmarks.result import Measurement, ResultError

from .store import Store

THIS_MACHINE = "this machine"
COLAB = "Colab"
IMPORTED = "elsewhere (imported)"
REFERENCE = "shipped reference"
ORIGINS = (THIS_MACHINE, COLAB, IMPORTED, REFERENCE)

REFERENCE_FOLDER = Path(benchmarks.__file__).resolve().parent / "reference"


@functools.lru_cache(maxsize=1)
def reference_ids() -> frozenset[str]:
    """The ids of the reference runs shipped in benchmarks/reference."""
    ids = set()
    for path in sorted(REFERENCE_FOLDER.glob("*.json")):
        try:
            ids.add(Measurement.from_json(path.read_text(encoding="utf-8")).id)
        except (OSError, ResultError):
            continue
    return frozenset(ids)


def origin(m: Measurement, *, imported: bool) -> str:
    """The origin of `m`; `imported`: it came from outside this machine's own measurements."""
    if m.id in reference_ids():
        return REFERENCE
    if m.environment.in_colab:
        return COLAB
    return IMPORTED if imported else THIS_MACHINE


def origin_in(store: Store, m: Measurement) -> str:
    """The origin of a result given as an id, a file or a token: as stored, or imported if not in the store."""
    entry = store.with_id(m.id)  # by file name: the id is in it
    return origin(m, imported=entry is None or entry.imported)
