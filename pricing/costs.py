"""What a month on a plan costs for a given CU usage."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from pricing.errors import CatalogError
from pricing.model import CuPack, Plan, TaxRate

CENT = Decimal("0.01")

# Colab's smallest CU purchase: 100 CU for 9.99 USD, valid 90 days (plans.toml, Pay As You Go notes).
SMALLEST_PACK_CU = 100.0
MAX_PACK_KINDS = 2
DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class Cost:
    """A month's bill on `plan`, in USD. `tax_usd`/`total_usd` are None when the tax rate is unknown.

    Extra CU are priced per CU at the Pay As You Go rate: Colab sells them in packs (100 or 500 CU)
    that stay valid 90 days, so over a few months the unused part of a pack is spent later. A month
    that needs any extra CU costs at least its share of the smallest pack (100 CU every 90 days).
    """

    plan: str
    cu_used: float
    cu_included: float | None
    extra_cu: float
    extra_cu_price_usd: float | None
    subscription_usd: float | None
    extra_cu_usd: float
    subtotal_usd: float | None
    tax_rate: float | None
    tax_usd: float | None
    total_usd: float | None
    tax_source: str | None
    notes: tuple[str, ...]


def _fraction(tax_rate: float | TaxRate) -> tuple[float | None, str | None]:
    if isinstance(tax_rate, TaxRate):
        return tax_rate.rate, f"{tax_rate.name} ({tax_rate.source})"
    if isinstance(tax_rate, bool) or not isinstance(tax_rate, (int, float)) or not 0 <= tax_rate < 1:
        raise CatalogError(f"tax rate must be a fraction from 0 to below 1 (0.10 for 10 %), got {tax_rate!r}")
    return float(tax_rate), None


def monthly_cost(plan: Plan, cu_used: float, tax_rate: float | TaxRate = 0.0) -> Cost:
    """The month's subscription, the extra CU bought beyond the plan's CU, the tax and the total.

    `tax_rate` is a fraction (0.10 for 10 %) or a catalog `TaxRate`. Plans without CU accounting (the
    flat-subscription era, the free tier) cost their flat price whatever `cu_used` is.
    """
    if isinstance(cu_used, bool) or not isinstance(cu_used, (int, float)) or not math.isfinite(cu_used) or cu_used < 0:
        raise CatalogError(f"CU used must be a number >= 0, got {cu_used!r}")
    rate, tax_source = _fraction(tax_rate)
    notes: list[str] = []
    subscription = plan.monthly_price_usd
    if subscription is None:
        notes.append(f"the monthly price of '{plan.name}' is unknown")
    extra_cu = 0.0
    extra_cu_usd = 0.0
    if plan.cu_included is None:
        if cu_used > 0:
            notes.append(f"'{plan.name}' has no compute units: the usage is not billed")
    else:
        extra_cu = max(0.0, float(cu_used) - plan.cu_included)
        if extra_cu > 0:
            if plan.extra_cu_price_usd is None:
                raise CatalogError(f"plan '{plan.name}' has no price for extra compute units in the catalog")
            validity_months = (plan.cu_expiry_days or 90) / DAYS_PER_MONTH
            billed_cu = max(extra_cu, SMALLEST_PACK_CU / validity_months)
            extra_cu_usd = billed_cu * plan.extra_cu_price_usd
            notes.append(f"{extra_cu:g} CU beyond the {plan.cu_included:g} included, at Pay As You Go prices")
            if billed_cu > extra_cu:
                notes.append(
                    f"billed as {billed_cu:.1f} CU a month: the smallest pack is {SMALLEST_PACK_CU:g} CU, "
                    f"valid {plan.cu_expiry_days or 90} days"
                )
    subtotal = None if subscription is None else subscription + extra_cu_usd
    if rate is None:
        notes.append("the tax rate is unknown, so the total is too")
    if rate is None or subtotal is None:
        tax = total = None
    elif extra_cu_usd:  # extra CU priced per CU: an estimate of the month, not one charge
        tax = subtotal * rate
        total = subtotal + tax
    else:  # the subscription alone: one charge, paid to the cent
        total = charged(subtotal, rate)
        tax = round(total - subtotal, 2)
    return Cost(
        plan=plan.name,
        cu_used=float(cu_used),
        cu_included=plan.cu_included,
        extra_cu=extra_cu,
        extra_cu_price_usd=plan.extra_cu_price_usd,
        subscription_usd=subscription,
        extra_cu_usd=extra_cu_usd,
        subtotal_usd=subtotal,
        tax_rate=rate,
        tax_usd=tax,
        total_usd=total,
        tax_source=tax_source,
        notes=tuple(notes),
    )


# ---- money as it is paid over a horizon ---------------------------------------------------------
@dataclass(frozen=True)
class Purchase:
    """What `months` of a plan cost when CU are bought as Colab sells them.

    Subscriptions are paid every month and grant their CU at the start of it; CU beyond what the
    plan grants come in whole packs. CU (granted or bought) stay usable for the plan's expiry (90 days,
    about three months including the one they came in) and are spent oldest first; what is unused when
    it expires, or when the horizon ends, is lost. `total_usd` is what is paid: each month's
    subscription and each pack a charge of its own, taxed and rounded to the cent (None when the tax
    rate is unknown); `subtotal_usd` is the price before tax.
    """

    plan: str
    months: int
    cu_needed: float
    subscription_usd: float
    packs: tuple[tuple[CuPack, int], ...]  # each pack size and how many were bought
    packs_usd: float
    cu_granted: float
    cu_bought: float
    cu_unused: float
    subtotal_usd: float
    tax_rate: float | None
    total_usd: float | None

    @property
    def packs_bought(self) -> int:
        return sum(count for _, count in self.packs)


def cheapest_packs(cu: float, packs: tuple[CuPack, ...]) -> tuple[float, dict[CuPack, int]]:
    """The cheapest whole packs that give at least `cu` units: (USD, {pack: count}).

    Closed form, whatever `cu` is: with the pack of the lowest price per CU `a` and the other `b`, an
    optimal purchase exists with fewer than a.cu / gcd(a.cu, b.cu) of `b` (that many `b` hold as many
    CU as b.cu / gcd `a`, which cost no more), so only those counts of `b` are tried, each topped up
    with `a`. Pack sizes are whole CU and there are at most two (as Colab sells them; the catalog's
    schema holds to both).
    """
    if cu <= 0:
        return 0.0, {}
    if not packs:
        raise CatalogError("the catalog sells no CU packs in this era")
    if len(packs) > MAX_PACK_KINDS or any(pack.cu != int(pack.cu) or pack.cu < 1 for pack in packs):
        raise CatalogError(f"CU packs must be at most {MAX_PACK_KINDS} sizes of whole CU")
    need = math.ceil(cu - 1e-9)  # whole packs of whole CU: a fraction of a CU needs one more
    best = min(packs, key=lambda pack: (pack.usd / pack.cu, -pack.cu))
    other = next((pack for pack in packs if pack != best), None)

    def top_up(rest: int) -> int:
        return -(-rest // int(best.cu)) if rest > 0 else 0

    choice = (top_up(need) * best.usd, top_up(need), 0)
    if other is not None:
        tries = min(-(-need // int(other.cu)), int(best.cu) // math.gcd(int(best.cu), int(other.cu)) - 1)
        for count in range(1, tries + 1):
            with_best = top_up(need - count * int(other.cu))
            usd = with_best * best.usd + count * other.usd
            if usd < choice[0] - 1e-9:
                choice = (usd, with_best, count)
    usd, best_count, other_count = choice
    chosen = {pack: count for pack, count in ((best, best_count), (other, other_count)) if pack and count}
    return usd, chosen


def charged(usd: float, tax_fraction: float | None) -> float:
    """One charge as it is paid: its price with tax, to the cent, half a cent rounded up, in decimal
    arithmetic on the figures as written ($9.99 at 50 % is $14.99: 14.985 is 14.98499... as a float);
    before tax where the rate is unknown."""
    price = Decimal(repr(float(usd))) * (1 + Decimal(repr(float(tax_fraction or 0.0))))
    return float(price.quantize(CENT, rounding=ROUND_HALF_UP))


def cu_validity_months(plan: Plan) -> int:
    """Months a CU stays usable, counting the one it came in: 90 days is about three."""
    return max(1, round((plan.cu_expiry_days or 90) / DAYS_PER_MONTH))


def horizon_cost(
    plan: Plan, monthly_cu: float, months: int, packs: tuple[CuPack, ...], tax_rate: float | TaxRate | None = 0.0
) -> Purchase:
    """The money paid for `months` of `plan` using `monthly_cu` CU each month. `tax_rate` None: unknown."""
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise CatalogError(f"months must be a whole number >= 1, got {months!r}")
    if not math.isfinite(monthly_cu) or monthly_cu < 0:
        raise CatalogError(f"CU per month must be a number >= 0, got {monthly_cu!r}")
    if plan.monthly_price_usd is None:
        raise CatalogError(f"the monthly price of '{plan.name}' is unknown")
    subscription = plan.monthly_price_usd * months
    bought: dict[CuPack, int] = {}
    packs_usd = granted = bought_cu = unused = 0.0
    if plan.cu_included is not None:
        validity = cu_validity_months(plan)
        lots: list[list[float]] = []  # [last usable month, CU left], oldest first
        for month in range(months):
            unused += sum(cu for last, cu in lots if last < month)
            lots = [lot for lot in lots if lot[0] >= month]
            if plan.cu_included:
                lots.append([month + validity - 1, plan.cu_included])
                granted += plan.cu_included
            need = monthly_cu
            for lot in lots:
                used = min(lot[1], need)
                lot[1] -= used
                need -= used
            if need > 1e-9:
                usd, chosen = cheapest_packs(need, packs)
                packs_usd += usd
                got = sum(pack.cu * count for pack, count in chosen.items())
                bought_cu += got
                for pack, count in chosen.items():
                    bought[pack] = bought.get(pack, 0) + count
                lots.append([month + validity - 1, got - need])
        unused += sum(cu for _, cu in lots)
    subtotal = subscription + packs_usd
    if tax_rate is None:
        rate = None
    else:
        rate, _ = _fraction(tax_rate)
    # Each month's subscription and each pack is a charge of its own, taxed and paid to the cent.
    total = None if rate is None else round(months * charged(plan.monthly_price_usd, rate) + sum(
        count * charged(pack.usd, rate) for pack, count in bought.items()), 2)
    return Purchase(
        # Sums of prices in cents, held to the cent (a float sum of 9.99s drifts past it).
        plan=plan.name, months=months, cu_needed=monthly_cu * months, subscription_usd=round(subscription, 2),
        packs=tuple(sorted(bought.items(), key=lambda item: item[0].cu)), packs_usd=round(packs_usd, 2),
        cu_granted=granted, cu_bought=bought_cu, cu_unused=max(0.0, unused), subtotal_usd=round(subtotal, 2),
        tax_rate=rate, total_usd=total,
    )
