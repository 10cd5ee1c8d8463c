"""The history: measurements kept in the data folder, imported ones among them."""

from __future__ import annotations

from benchmarks.result import Measurement

from ..files import not_saved
from .store import Store, StoredMeasurement


def import_result(store: Store, measurement: Measurement) -> tuple[StoredMeasurement, bool]:
    """Keep `measurement` in the history; (its entry, True) when one with the same id was there already.

    Ids are content addresses, so the same result imported twice is kept once.
    """
    existing = store.with_id(measurement.id)  # by file name: the id is in it
    if existing is not None:
        return existing, True
    try:
        # Exclusive: of many imports of one result at once, exactly one is told it imported it.
        path, created = store.save_new(measurement, imported=True)
    except (OSError, RecursionError) as exc:
        raise not_saved(exc, store.home) from None
    return StoredMeasurement(path, measurement, imported=True), not created
