"""The one session model: how long a session of an accelerator on a plan lasts, and how that is known.

Both the `plans` view and the decision that splits a run into sessions read this, so they can never
disagree. Rules, in order:

1. Readings on the plan for the accelerator's kind (Kaggle: 12 h documented, 9 h in a 2026 quota
   message): the one marked `assumed` is used, else the shortest; with one reading it is a reading.
2. Otherwise the plan's published longest session.
3. Otherwise Colab Free's on the same date, as an assumption (never a longer session than Free's).
4. Free GPU and TPU time in the compute-unit era is unpublished: on Colab Free, and where Free's
   limit had to be assumed, a free-tier session reading for the accelerator (else for another of
   its kind) shortens the session when it is shorter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pricing.model import ASSUMED, PUBLISHED, READING, Accelerator, FreeTierReading, Plan, SessionLimit

if TYPE_CHECKING:
    from pricing.catalog import Catalog

FREE = "free"


def free_tier_reading(catalog: Catalog, accelerator: Accelerator) -> FreeTierReading | None:
    """The newest free-tier session reading on or before the catalog's date for this accelerator, else
    for another accelerator of its kind; None where there is none."""
    dated = [r for r in catalog.free_tier_readings if r.as_of <= catalog.as_of]
    own = [r for r in dated if r.accelerator == accelerator.key]
    same_kind = [r for r in dated if catalog.accelerator(r.accelerator).kind == accelerator.kind]
    found = own or same_kind
    return found[-1] if found else None


def session_limit(catalog: Catalog, plan: Plan, accelerator: Accelerator) -> SessionLimit:
    readings = [r for r in plan.session_readings if r.covers(accelerator.kind)]
    if readings:
        chosen = next((r for r in readings if r.assumed), None) or min(readings, key=lambda r: r.hours)
        basis = READING if len(readings) == 1 else ASSUMED
        return SessionLimit(plan.name, accelerator.key, chosen.hours, basis, chosen.source, chosen.as_of,
                            tuple(readings))
    if plan.max_session_hours is not None:
        limit = SessionLimit(plan.name, accelerator.key, plan.max_session_hours, PUBLISHED, plan.source, plan.as_of)
    else:
        free = next((p for p in catalog.plans if p.name == FREE and p.is_colab), None)
        hours = free.max_session_hours if free is not None else None
        limit = SessionLimit(plan.name, accelerator.key, hours, ASSUMED,
                             free.source if free is not None else None, free.as_of if free is not None else None)
    free_gpu = (plan.name == FREE or limit.assumed) and plan.is_colab and accelerator.kind != "cpu"
    if not free_gpu or catalog.era.cu_price_usd is None:
        return limit
    reading = free_tier_reading(catalog, accelerator)
    if reading is None or (limit.hours is not None and limit.hours <= reading.session_hours):
        return limit
    basis = ASSUMED if limit.assumed or reading.accelerator != accelerator.key else READING
    return SessionLimit(plan.name, accelerator.key, reading.session_hours, basis, reading.source, reading.as_of,
                        (reading,))
