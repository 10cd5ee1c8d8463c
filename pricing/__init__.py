"""Colab plans by era, accelerator specs, compute-unit burn rates and tax rates, as data and pure functions.

The catalog ships as TOML files in ``pricing/data/``; every entry names its ``source`` and ``as_of``
date, and a figure no source gives is ``None``. Nothing here builds a sentence for a user.

Loading
    ``load_catalog(as_of=None, override=None) -> Catalog``: the catalog as of a date (default: its
    newest entry), optionally with a user TOML file (same format as the shipped files) whose entries
    replace or add to the shipped ones. A date outside ``catalog.coverage`` (2020-02-01, the Colab Pro
    launch, to the newest entry) or a malformed file raises ``CatalogError`` with a one-line message.
    ``user_catalog(folder) -> Path | None``: ``catalog.toml`` in the data folder, refused when it is
    not a regular file.

Catalog (frozen)
    ``as_of``, ``coverage``, ``era``, ``plans`` (in force on ``as_of``, each narrowed to the
    accelerators it handed out then), ``accelerators``, ``cu_rates`` (every dated reading), ``taxes``
    (every dated rate), ``free_tier_readings``, ``eras``, ``files``; lookups ``plan(name, as_of=None)``,
    ``accelerator(name)``, ``match_device_kind(device_kind)``, ``cu_rate(accelerator, as_of=None, *,
    high_ram=False)``, ``cu_rate_history(accelerator)``, ``hours_included(plan, accelerator, as_of=None,
    *, high_ram=False)``, ``tax_rate_for(country, on=None)``, ``session_hours(plan, accelerator) ->
    SessionLimit``, ``plans_on(day)``, ``era_on(day)``.

Plan (frozen)
    RAM as Colab shows it (``ram_gib``, ``high_ram_gib``) and in decimal GB for decisions
    (``ram_gb``, ``high_ram_gb``, ``ram_for(accelerator)``); ``offer(accelerator)``,
    ``devices(accelerator)`` (2 for Kaggle's T4 x2), ``fallback(accelerator)`` (A100 -> L4, G4 -> L4, H100 -> G4),
    ``free_hours_per_week(kind)``, ``session_readings``.

Functions
    ``cu_rate``, ``hours_included``, ``tax_rate_for`` and ``match_device_kind`` do the same lookups on
    the shipped catalog (or on ``catalog=``); ``monthly_cost(plan, cu_used, tax_rate) -> Cost`` prices
    a month; ``cheapest_packs``, ``horizon_cost`` price CU as they are sold; ``gib_to_gb`` converts.
"""

from pricing.catalog import Catalog, cu_rate, hours_included, load_catalog, match_device_kind, tax_rate_for
from pricing.costs import Cost, Purchase, cheapest_packs, horizon_cost, monthly_cost
from pricing.errors import CatalogError
from pricing.loader import user_catalog
from pricing.model import (
    ASSUMED,
    PUBLISHED,
    READING,
    UNKNOWN,
    Accelerator,
    Coverage,
    CuPack,
    CuReading,
    Era,
    Fallback,
    FreeTierEstimate,
    FreeTierReading,
    Offer,
    Plan,
    Rate,
    SessionLimit,
    SessionReading,
    TaxRate,
    gib_to_gb,
)

__all__ = [
    "ASSUMED",
    "PUBLISHED",
    "READING",
    "UNKNOWN",
    "Accelerator",
    "Catalog",
    "CatalogError",
    "Cost",
    "Coverage",
    "CuPack",
    "CuReading",
    "Era",
    "Fallback",
    "FreeTierEstimate",
    "FreeTierReading",
    "Offer",
    "Plan",
    "Purchase",
    "Rate",
    "SessionLimit",
    "SessionReading",
    "TaxRate",
    "cheapest_packs",
    "cu_rate",
    "gib_to_gb",
    "horizon_cost",
    "hours_included",
    "load_catalog",
    "match_device_kind",
    "monthly_cost",
    "tax_rate_for",
    "user_catalog",
]
