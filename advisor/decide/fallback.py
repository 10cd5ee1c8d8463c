"""Colab guarantees no GPU: what the chosen plan gives on the accelerator users report getting instead,
and whether the choice still holds there."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from .facts import UNKNOWN_RAM
from .options import Option


@dataclass(frozen=True)
class FallbackAnswer:
    """Colab guarantees no GPU: what the chosen plan gives when users report getting another one."""

    chosen: Option
    fallback: Option  # the same plan on the accelerator users report getting instead
    holds: bool  # on the fallback no option outside the plan that is sure to be handed out is better
    source: str
    as_of: date
    rival: Option | None = None  # where it does not hold: the option outside the plan that is then best


def _falls_back(option: Option, as_of: date) -> bool:
    if option.plan is None or option.accelerator is None:
        return False
    reported = option.plan.fallback(option.accelerator.key)
    return reported is not None and reported.as_of <= as_of


def fallback_answer(best: Option | None, local: Option, options: Sequence[Option],
                    as_of: date) -> FallbackAnswer | None:
    """The chosen option's reported fallback on `as_of`, if any, and whether the choice holds on it."""
    if best is None or best.plan is None or best.accelerator is None:
        return None
    reported = best.plan.fallback(best.accelerator.key)
    if reported is None or reported.as_of > as_of:  # not yet reported on the date asked about
        return None
    instead = next((o for o in options if o.plan == best.plan and o.accelerator is not None
                    and o.accelerator.key == reported.accelerator), None)
    if instead is None:
        return None
    # An option whose accelerator is itself reported to fall back (the same GPU on another plan, or an
    # A100 beside a G4) is no surer an alternative than the choice: only the others are compared.
    # The chosen plan's own other accelerators count too: on a fallback, switching within the plan is the
    # first thing to weigh.
    outside = [o for o in (local, *options) if o.usable and o.key not in (best.key, instead.key)
               and not _falls_back(o, as_of)]
    # As in the choice itself: an option whose RAM no source gives stands only where none is known to fit.
    if any(o.usable and UNKNOWN_RAM not in o.unknowns for o in (local, *options)):
        outside = [o for o in outside if UNKNOWN_RAM not in o.unknowns]
    # Another plan's option on the fallback's own accelerator at no lower price is the same GPU for the
    # same money (its value may differ by a session-length assumption): not a better choice.
    better = [o for o in outside if (o.value or 0.0) > (instead.value or 0.0) + 0.01
              and not (o.accelerator == instead.accelerator and (o.cost or 0.0) >= (instead.cost or 0.0) - 0.005)]
    # The most valuable; between equals (to the cent), the chosen plan's own.
    rival = max(better, key=lambda o: (round(o.value or 0.0, 2), o.plan == best.plan), default=None)
    holds = instead.usable and rival is None
    return FallbackAnswer(best, instead, holds, reported.source, reported.as_of, None if holds else rival)
