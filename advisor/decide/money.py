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
from pricing.costs import charged, cu_validity_months

EPS = 1e-9


def pack_cost(need: np.ndarray, packs: tuple[CuPack, ...], tax_fraction: float | None = 0.0
              ) -> tuple[np.ndarray, np.ndarray]:
    """The cheapest whole packs giving at least `need` CU, elementwise: (USD paid, CU bought), each pack a
    charge taxed and rounded to the cent. The catalog sells at most two pack sizes (its schema holds to
    that), as pricing.costs.cheapest_packs assumes too."""
    need = np.ceil(np.maximum(need, 0.0) - EPS)  # packs hold whole CU: a fraction of one needs one more
    if not packs or not np.any(need > EPS):
        return np.zeros_like(need), np.zeros_like(need)
    # As pricing.costs.cheapest_packs: with `best` the pack of the lowest price per CU and `other` the
    # other, an optimum holds fewer than best.cu / gcd of `other`, each count topped up with `best`.
    best = min(packs, key=lambda pack: (pack.usd / pack.cu, -pack.cu))
    other = next((pack for pack in packs if pack != best), None)
    best_count = np.ceil(need / best.cu - EPS)
    other_count = np.zeros_like(need)
    usd = best_count * best.usd
    if other is not None:
        tries = min(int(best.cu) // math.gcd(int(best.cu), int(other.cu)) - 1,
                    int(np.ceil(need.max() / other.cu)))
        for count in range(1, tries + 1):
            rest = np.maximum(need - count * other.cu, 0.0)
            with_best = np.ceil(rest / best.cu - EPS)
            price = with_best * best.usd + count * other.usd
            fits = count <= np.ceil(need / other.cu - EPS)  # never more of `other` than the need alone takes
            better = fits & (price < usd - EPS)
            usd = np.where(better, price, usd)
            best_count = np.where(better, with_best, best_count)
            other_count = np.where(better, count, other_count)
    paid = best_count * charged(best.usd, tax_fraction)
    got = best_count * best.cu
    if other is not None:
        paid = paid + other_count * charged(other.usd, tax_fraction)
        got = got + other_count * other.cu
    return np.where(need > EPS, paid, 0.0), np.where(need > EPS, got, 0.0)


def horizon_costs(plan: Plan, monthly_cu: np.ndarray, months: int, packs: tuple[CuPack, ...],
                  tax_fraction: float | None) -> np.ndarray:
    """USD paid over `months` of `plan` using `monthly_cu` each month, each charge (a month's subscription,
    a pack) taxed and rounded to the cent; before tax where the rate is unknown."""
    monthly_cu = np.asarray(monthly_cu, dtype=float)
    subscription = charged(plan.monthly_price_usd or 0.0, tax_fraction) * months
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
            usd, got = pack_cost(need, packs, tax_fraction)
            packs_usd += usd
            lots.append((month + validity - 1, np.maximum(got - np.maximum(need, 0.0), 0.0)))
    return np.round(subscription + packs_usd, 2)
