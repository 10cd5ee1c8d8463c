"""The history: measurements kept in the data folder, imported ones among them."""

from __future__ import annotations

from benchmarks.result import Measurement

from ..errors import AdvisorError
from .store import Store, StoredMeasurement


def import_result(store: Store, measurement: Measurement) -> tuple[StoredMeasurement, bool]:
    """Keep `measurement` in the history; (its entry, True) when one with the same id was there already.

    Ids are content addresses, so the same result imported twice is kept once.
    """
    existing = store.with_id(measurement.id)  # by file name: the id is in it
    if existing is not None:
        return existing, True
    try:
        path = store.save(measurement, imported=True)
    except OSError as exc:
        raise AdvisorError(
            f"could not save to {store.home} ({exc.strerror or exc}): set COLAB_ADVISOR_HOME to a writable folder"
        ) from None
    return StoredMeasurement(path, measurement, imported=True), False
