"""`recommend` as one call: the catalog, the tax, the sources of speed, then the recommendation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from benchmarks.result import Measurement

from ..errors import AdvisorError
from ..results.store import NoLocalMeasurement, Store
from .buy import BuyQuestion
from .engine import Recommendation, recommend
from .sources import Sources, gather_sources, with_named
from .tax import priced_catalog
from .workload import Workload


@dataclass(frozen=True)
class Question:
    """What `recommend` is asked: the workload, where its speed figures come from, which prices."""

    workload: Workload
    local: str | None = None
    local_device: str | None = None
    colab: str | None = None
    measure_if_missing: bool = True
    as_of: date | None = None
    country: str | None = None
    tax_rate: float | None = None
    catalog_file: Path | None = None
    curves: bool = False
    buy: BuyQuestion | None = None


def advise(question: Question, home: Path, *, stdin_text: str | None = None,
           measure_first: Callable[[Store, str | None], Measurement] | None = None) -> Recommendation:
    """The recommendation for `question`. With no measurement of this machine stored, `measure_first`
    (when given, and when the question names no --local) is called once to make one."""
    catalog, tax = priced_catalog(question.as_of, home, question.catalog_file, country=question.country,
                                  tax_rate=question.tax_rate)
    store = Store(home)
    workload = question.workload

    def gather(fresh: Measurement | None = None) -> Sources:
        return gather_sources(store, catalog, local=question.local, local_device=question.local_device,
                              colab=question.colab, preset=workload.preset, stdin_text=stdin_text, fresh=fresh)

    if workload.model == "boosting" and question.local_device is not None:
        device = catalog.accelerator(question.local_device)
        if device.kind != "cpu":
            raise AdvisorError(f"--local-device {device.key} is a {device.kind.upper()}: --model boosting compares "
                               "CPUs, so name this machine's CPU (`colab-advisor hardware` lists them)")
    try:
        sources = gather()
    except NoLocalMeasurement as missing:
        if not question.measure_if_missing or question.local is not None or measure_first is None:
            raise
        sources = gather(measure_first(store, missing.preset))
    extra = (catalog.accelerator(question.buy.accelerator).key,) if question.buy is not None else ()
    sources = with_named(sources, workload.named, catalog, home, extra)
    return recommend(workload, sources, catalog, tax, curves=question.curves, buy=question.buy)
