"""Buy a GPU or rent: after how many months a card of your own costs less than what the verdict chose.

Both sides are counted as a month costs the user: money plus waiting (hours x hour value). The other
side is the recommendation's choice (a Colab plan, Kaggle, or this machine; where nothing can do the
job, there is nothing to weigh owning against), draw by draw; buying is the card's price once, then
its electricity and its own waiting each month. The card's speed comes from the same predictor and
the same draws as every Colab option, so their shared error cancels. Months to break even are
price / (what renting costs a month - what owning costs a month), where that difference is positive.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from pricing import Accelerator, Catalog

from ..errors import AdvisorError
from .facts import BLOCK_MEMORY, BLOCK_MONTH, BLOCK_NO_RIVAL, Blocker, Fact
from .options import Candidate, Option, Scenario
from .sources import Sources
from .timing import deep_step, epoch_from_step
from .uncertainty import band
from .workload import HOURS_PER_MONTH

HORIZON_MONTHS = 36
MAX_PRICE_USD = 1_000_000.0
MAX_KWH_PRICE_USD = 10.0
MAX_WATTS = 10_000.0
MIN_PRICE_USD = 0.01  # a price is paid in cents: less rounds to $0.00
MIN_WATTS = 1.0
_FIELDS = {"--buy price": "price_usd", "--kwh-price": "kwh_price_usd", "--watts": "watts"}


@dataclass(frozen=True)
class BuyQuestion:
    accelerator: str
    price_usd: float
    kwh_price_usd: float | None = None
    watts: float | None = None

    def __post_init__(self) -> None:
        # Free electricity is a price; a card costs at least a cent and draws at least a watt.
        for flag, value, least, top in (("--buy price", self.price_usd, MIN_PRICE_USD, MAX_PRICE_USD),
                                        ("--kwh-price", self.kwh_price_usd, 0.0, MAX_KWH_PRICE_USD),
                                        ("--watts", self.watts, MIN_WATTS, MAX_WATTS)):
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value) \
                    or not least <= value <= top:
                low = "0 or more" if least == 0 else f"{least:g} or more"
                raise AdvisorError(f"{flag}: expected a number {low} and at most {top:,.0f}, got {value!r}")
            object.__setattr__(self, _FIELDS[flag], value + 0.0)  # a typed -0 is 0, never shown as '$-0.00'


def parse_buy(text: str) -> tuple[str, float]:
    """'rtx-4090:1599' -> ('rtx-4090', 1599.0)."""
    name, sep, price = text.rpartition(":")
    try:
        value = float(price.replace(",", "").lstrip("$"))
    except ValueError:
        value = math.nan
    if not sep or not name.strip() or ":" in name or not math.isfinite(value):
        raise AdvisorError(f"--buy: expected ACCELERATOR:PRICE like rtx-4090:1599, got '{text}'")
    return name.strip(), value


@dataclass(frozen=True)
class BuyAnswer:
    """The card's time for the job, its electricity, and the months after which buying costs less."""

    accelerator: Accelerator
    price_usd: float
    kwh_price_usd: float
    watts: float
    watts_given: bool
    against: Option | None  # the verdict's choice at the user's volume and hour value; None: nothing can do the job
    run_hours: float | None
    run_hours_band: tuple[float, float] | None
    monthly_hours: float | None
    electricity_usd_per_month: float | None
    owning_usd_per_month: float | None  # electricity plus waiting, central
    renting_usd_per_month: float | None  # that option's money plus waiting, central
    months: float | None  # central break-even; None: never within HORIZON_MONTHS
    months_band: tuple[float | None, float | None] | None  # 10-90 % of the draws; None ends: never
    p_within_horizon: float | None
    blockers: tuple[Blocker, ...] = ()
    provenance: Fact | None = None


def buy_answer(question: BuyQuestion, scenario: Scenario, sources: Sources, catalog: Catalog,
               against: Option | None, notes: list[Fact]) -> BuyAnswer:
    if scenario.workload.model != "deep":
        raise AdvisorError("--buy weighs a GPU for a deep model; boosting runs on the CPU")
    acc = catalog.accelerator(question.accelerator)
    if acc.kind != "gpu":
        raise AdvisorError(f"--buy {acc.key}: not a GPU one can buy; name a catalog GPU (see `colab-advisor hardware`)")
    watts = question.watts if question.watts is not None else acc.power_limit_watts
    if watts is None:
        raise AdvisorError(f"--buy {acc.key}: the catalog has no power figure for it; give --watts W")
    if question.kwh_price_usd is None:
        raise AdvisorError("--buy needs --kwh-price: what a kWh of electricity costs you, in USD")
    base = dict(accelerator=acc, price_usd=question.price_usd, kwh_price_usd=question.kwh_price_usd, watts=watts,
                watts_given=question.watts is not None, against=against)
    if against is None or against.run_draws is None or against.value_draws is None:
        # Nothing here can do the job: the recommendation stands, and owning is not weighed against anything.
        return BuyAnswer(**base, run_hours=None, run_hours_band=None, monthly_hours=None,  # type: ignore[arg-type]
                         electricity_usd_per_month=None, owning_usd_per_month=None, renting_usd_per_month=None,
                         months=None, months_band=None, p_within_horizon=None, blockers=(Blocker(BLOCK_NO_RIVAL),))
    step = deep_step(acc, scenario.basis, sources, catalog, notes)
    if step is None:
        return BuyAnswer(**base, run_hours=None, run_hours_band=None, monthly_hours=None,  # type: ignore[arg-type]
                         electricity_usd_per_month=None, owning_usd_per_month=None, renting_usd_per_month=None,
                         months=None, months_band=None, p_within_horizon=None,
                         blockers=(Blocker("speed_unknown", subject=acc.key),))
    named = sources.named.accelerators.get(acc.key) if sources.named is not None else None
    blockers = []
    if named is not None and named.fits is False:
        blockers.append(Blocker(BLOCK_MEMORY, named.max_batch, sources.named.batch_size, acc.key))  # type: ignore[union-attr]
    card = Candidate(f"buy:{acc.key}", None, acc, epoch_from_step(step.speed, scenario.basis), step.error)
    w = scenario.workload
    runs = w.runs_per_month
    epochs = scenario.epoch_draws(card)
    assert epochs is not None and card.epoch is not None
    run = w.epochs * epochs / 3600
    run_centre = w.epochs * card.epoch.seconds / 3600
    if runs * run_centre > HOURS_PER_MONTH:
        blockers.append(Blocker(BLOCK_MONTH, HOURS_PER_MONTH, runs * run_centre))
    energy = runs * run * watts / 1000 * question.kwh_price_usd
    owning = energy + runs * run * w.hour_value
    # What that option costs a month, draw by draw: its value is hours saved x hour value - money.
    money = (w.months * runs * (scenario.local_run - against.run_draws) * w.hour_value - against.value_draws)
    renting = money / w.months + runs * against.run_draws * w.hour_value
    saving = renting - owning
    months = np.where(saving > 1e-9, question.price_usd / np.maximum(saving, 1e-12), np.inf)
    centre_energy = runs * run_centre * watts / 1000 * question.kwh_price_usd
    centre_owning = centre_energy + runs * run_centre * w.hour_value
    centre_renting = (against.cost or 0.0) / w.months + runs * (against.run_hours or 0.0) * w.hour_value
    centre_saving = centre_renting - centre_owning
    centre_months = question.price_usd / centre_saving if centre_saving > 1e-9 else math.inf
    low, high = (float(v) for v in np.percentile(np.where(np.isfinite(months), months, 1e12), [10, 90]))

    def within(value: float) -> float | None:
        return value if value <= HORIZON_MONTHS else None

    return BuyAnswer(
        **base, run_hours=run_centre, run_hours_band=band(run), monthly_hours=runs * run_centre,  # type: ignore[arg-type]
        electricity_usd_per_month=centre_energy, owning_usd_per_month=centre_owning,
        renting_usd_per_month=centre_renting, months=within(centre_months), months_band=(within(low), within(high)),
        p_within_horizon=float(np.mean(months <= HORIZON_MONTHS)), blockers=tuple(blockers),
        provenance=step.provenance,
    )
