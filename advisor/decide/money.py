"""Money as it is paid, for many draws at once: the same rules as pricing.horizon_cost, on arrays.

pricing.horizon_cost prices one month's usage; the decision prices hundreds of draws at many
volumes, so this module applies the same rules (subscriptions monthly, CU granted at the start of a
month, whole packs for the rest, CU usable for the plan's expiry and spent oldest first) to numpy
arrays. tests/advisor/decide/test_money.py holds the two against each other on random inputs.
"""

from __future__ import annotations

import math

import numpy as np

from pricing import CuPack, Plan
from pricing.costs import cu_validity_months

EPS = 1e-9


def pack_cost(need: np.ndarray, packs: tuple[CuPack, ...]) -> tuple[np.ndarray, np.ndarray]:
    """The cheapest whole packs giving at least `need` CU, elementwise: (USD, CU bought). The catalog sells
    at most two pack sizes (its schema holds to that), as pricing.costs.cheapest_packs assumes too."""
    need = np.ceil(np.maximum(need, 0.0) - EPS)  # packs hold whole CU: a fraction of one needs one more
    if not packs or not np.any(need > EPS):
        return np.zeros_like(need), np.zeros_like(need)
    small, large = sorted(packs, key=lambda p: p.cu)[0], sorted(packs, key=lambda p: p.cu)[-1]
    best_usd = np.full_like(need, np.inf)
    best_cu = np.zeros_like(need)
    if small is large:
        count = np.ceil(need / small.cu - EPS)
        return np.where(need > EPS, count * small.usd, 0.0), np.where(need > EPS, count * small.cu, 0.0)
    # With two sizes, the cheapest uses few large packs (when they cost more per CU) or nearly all
    # large packs (when they cost less): a few counts at that end cover every optimum.
    spare = math.ceil(large.cu / small.cu) + 1
    top = np.ceil(need / large.cu - EPS)
    if large.usd / large.cu >= small.usd / small.cu:
        candidates = [np.full_like(need, float(k)) for k in range(spare + 1)]
    else:
        candidates = [np.maximum(top - k, 0.0) for k in range(spare + 1)]
    for k_large in candidates:
        k_large = np.minimum(k_large, top)
        rest = np.maximum(need - k_large * large.cu, 0.0)
        k_small = np.ceil(rest / small.cu - EPS)
        usd = k_large * large.usd + k_small * small.usd
        better = usd < best_usd - EPS
        best_usd = np.where(better, usd, best_usd)
        best_cu = np.where(better, k_large * large.cu + k_small * small.cu, best_cu)
    return np.where(need > EPS, best_usd, 0.0), np.where(need > EPS, best_cu, 0.0)


def horizon_costs(plan: Plan, monthly_cu: np.ndarray, months: int, packs: tuple[CuPack, ...],
                  tax_fraction: float | None) -> np.ndarray:
    """USD paid over `months` of `plan` using `monthly_cu` each month; before tax where the rate is unknown."""
    monthly_cu = np.asarray(monthly_cu, dtype=float)
    subscription = (plan.monthly_price_usd or 0.0) * months
    packs_usd = np.zeros_like(monthly_cu)
    if plan.cu_included is not None:
        validity = cu_validity_months(plan)
        lots: list[tuple[int, np.ndarray]] = []  # (last usable month, CU left), oldest first
        for month in range(months):
            lots = [(last, left) for last, left in lots if last >= month]
            if plan.cu_included:
                lots.append((month + validity - 1, np.full_like(monthly_cu, plan.cu_included)))
            need = monthly_cu.copy()
            for _, left in lots:
                used = np.minimum(left, need)
                left -= used
                need -= used
            usd, got = pack_cost(need, packs)
            packs_usd += usd
            lots.append((month + validity - 1, np.maximum(got - np.maximum(need, 0.0), 0.0)))
    return (subscription + packs_usd) * (1.0 + (tax_fraction or 0.0))
