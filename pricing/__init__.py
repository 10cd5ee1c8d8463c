"""Colab plans by era, accelerator specs, compute-unit burn rates and tax rates, as data and pure functions.

The catalog ships as TOML files in ``pricing/data/``; every entry names its ``source`` and ``as_of``
date, and a figure no source gives is ``None`` (shown as "unknown", see ``figure_text``).

Loading
    ``load_catalog(as_of=None, override=None) -> Catalog``: the catalog as of a date (default: its
    newest entry), optionally with a user TOML file (same format as the shipped files) whose entries
    replace or add to the shipped ones. A date outside ``catalog.coverage`` (2020-02-01, the Colab Pro
    launch, to the newest entry) or a malformed file raises ``CatalogError`` with a one-line message.

Catalog (frozen)
    ``as_of``, ``coverage``, ``era``, ``plans`` (in force on ``as_of``), ``accelerators``,
    ``cu_rates`` (every dated reading), ``taxes``, ``free_tier_estimate``, ``eras``, ``files``;
    lookups ``plan(name, as_of=None)``, ``accelerator(name)``, ``match_device_kind(device_kind)``,
    ``cu_rate(accelerator, as_of=None, *, high_ram=False)``, ``cu_rate_history(accelerator)``,
    ``hours_included(plan, accelerator, as_of=None, *, high_ram=False)``, ``tax_rate_for(country)``,
    ``plans_on(day)``, ``era_on(day)``. A misspelt name raises ``CatalogError`` with "did you mean ...?".

Functions
    ``cu_rate``, ``hours_included``, ``tax_rate_for`` and ``match_device_kind`` do the same lookups on
    the shipped catalog (or on ``catalog=``); ``monthly_cost(plan, cu_used, tax_rate) -> Cost`` prices
    a month: subscription, extra CU at the Pay As You Go price, tax and total.
"""

from pricing.catalog import Catalog, cu_rate, hours_included, load_catalog, match_device_kind, tax_rate_for
from pricing.costs import Cost, Purchase, cheapest_packs, horizon_cost, monthly_cost
from pricing.errors import CatalogError
from pricing.model import (
    TAX_CAVEAT,
    UNKNOWN,
    Accelerator,
    Coverage,
    CuPack,
    CuReading,
    Era,
    FreeTierEstimate,
    Plan,
    Rate,
    TaxRate,
    figure_text,
)

__all__ = [
    "TAX_CAVEAT",
    "UNKNOWN",
    "Accelerator",
    "Catalog",
    "CatalogError",
    "Cost",
    "Coverage",
    "CuPack",
    "CuReading",
    "Era",
    "FreeTierEstimate",
    "Plan",
    "Purchase",
    "Rate",
    "TaxRate",
    "cheapest_packs",
    "cu_rate",
    "figure_text",
    "horizon_cost",
    "hours_included",
    "load_catalog",
    "match_device_kind",
    "monthly_cost",
    "tax_rate_for",
]
