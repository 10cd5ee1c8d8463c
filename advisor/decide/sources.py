"""Which measurements a recommendation rests on: this machine's, a Colab one, or catalog specs."""

from __future__ import annotations

from pricing import Catalog

from ..errors import AdvisorError
from ..results.share import resolve
from ..results.store import Store
from .engine import Sources

LATEST = "latest"


def gather_sources(
    store: Store,
    catalog: Catalog,
    *,
    local: str | None,
    local_device: str | None,
    colab: str | None,
    preset: str | None,
    stdin_text: str | None = None,
) -> Sources:
    """This machine's measurement (the latest stored one made here unless `local` names another, or specs
    when `local_device` is given) and, where given, a measurement made inside Colab."""
    if local is not None and local_device is not None:
        raise AdvisorError("give either --local (a measurement) or --local-device (specs), not both")
    if local_device is not None:
        local_m = None
    elif local is None or local == LATEST:
        # "latest" means the latest of this machine: an imported result never stands for it.
        local_m = store.latest_local(preset).measurement
    else:
        local_m = resolve(local, store, stdin_text)
    return Sources(
        local=local_m,
        local_device=catalog.accelerator(local_device) if local_device is not None else None,
        colab=resolve(colab, store, stdin_text) if colab is not None else None,
    )
