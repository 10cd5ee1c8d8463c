"""What a recommendation takes for granted, each with its source and date."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pricing import TAX_CAVEAT, Catalog, figure_text

from ..predict import speed as speeds

if TYPE_CHECKING:
    from .options import Option
    from .sources import Sources
    from .tax import TaxBasis
    from .workload import Workload

REFERENCE_RUNS = "H100 reference runs shipped in benchmarks/reference (2026-11)"


@dataclass(frozen=True)
class Assumption:
    text: str
    source: str
    as_of: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "source": self.source, "as_of": self.as_of}


def collect_assumptions(
    workload: Workload, sources: Sources, catalog: Catalog, tax: TaxBasis, options: Sequence[Option], preset: str
) -> tuple[Assumption, ...]:
    out = []
    model = f"{preset} (predicted here)" if sources.named is not None else f"the {preset} AutoEncoder"
    if workload.sized_by_default:
        out.append(Assumption(
            f"An epoch is {workload.epoch_samples:,} samples (MNIST-sized) of {model}, timed from this machine's "
            "measurement: give --epoch-seconds (your own timing) or --samples N.",
            "colab-advisor default",
        ))
    if sources.named is not None:
        out.append(Assumption(
            f"{preset} is predicted per kernel of its training step at batch {sources.named.batch_size}: here from "
            "the matmul and copy ceilings measured on this machine, on each accelerator from its datasheet peaks "
            "with efficiencies fitted on published benchmarks; a batch that does not fit an accelerator's memory "
            "rules it out.",
            "benchmarks/reference/published.toml (Lambda GPU benchmarks and others)",
        ))
    if workload.hour_value_given:
        out.append(Assumption(f"An hour of waiting is worth ${workload.hour_value:g} (your --hour-value).", "you"))
    else:
        out.append(Assumption(
            f"An hour of waiting is worth ${workload.hour_value:g}, a default: set --hour-value to your own figure.",
            "colab-advisor default",
        ))
    out.append(Assumption(
        f"Each Colab session costs {workload.setup_minutes:g} min of setup (reinstalling libraries, uploading data), "
        "and a connected runtime burns CU during it.",
        "googlecolab/colabtools#5729 (CU burn while idle); --setup-minutes", "2025-12",
    ))
    if workload.epoch_seconds is not None:
        machine = (f"the machine described as '{sources.local_device.key}'" if sources.local is None
                   and sources.local_device is not None else "the machine that was measured")
        out.append(Assumption(f"Your {workload.epoch_seconds:g} s per epoch was timed on {machine}.", "you"))
    used = {o.accelerator.key for o in options if o.accelerator is not None and o.epoch is not None}
    kinds = {o.epoch.basis for o in options if o.epoch is not None}
    if speeds.BASIS_PREDICTED in kinds or speeds.BASIS_ESTIMATE in kinds:
        c, b, o = speeds.COMPUTE_EFFICIENCY, speeds.BANDWIDTH_EFFICIENCY, speeds.STEP_OVERHEAD_SECONDS
        out.append(Assumption(
            f"Predicted speeds use a roofline: {c[1]:.0%} of peak compute ({c[0]:.0%}-{c[2]:.0%}), {b[1]:.0%} of peak "
            f"bandwidth ({b[0]:.0%}-{b[2]:.0%}), plus {o[1] * 1e6:.0f} us per step ({o[0] * 1e6:.0f}-{o[2] * 1e6:.0f}) "
            "for launching work; the band in the table spans these ranges.",
            REFERENCE_RUNS,
        ))
    if sources.local is None and sources.local_device is not None:
        out.append(Assumption(
            f"This machine is described by the catalog's '{sources.local_device.key}' specs, not measured.",
            sources.local_device.source, sources.local_device.as_of.isoformat(),
        ))
    if workload.model == "deep":
        out.append(Assumption(
            "No plan guarantees a GPU type; Free and the flat-era plans are shown with the GPU they handed out most.",
            "googlecolab/colabtools#2434, #4205",
        ))
    else:
        out.append(Assumption(
            "Boosting runs on the host CPU: Colab's runtime has 2 vCPUs on one physical core; speed scales with "
            "this machine's measured matmul rate against that core's peak.",
            catalog.accelerator("colab-cpu").source, catalog.accelerator("colab-cpu").as_of.isoformat(),
        ))
    estimate = catalog.free_tier_estimate
    if workload.free_gpu_hours is not None:
        out.append(Assumption(
            f"Colab Free gives {workload.free_gpu_hours:g} h of GPU time a month (your --free-gpu-hours); past it "
            "Free is not counted on.", "you",
        ))
    elif workload.model == "deep":
        out.append(Assumption(
            "Colab Free's GPU time a month is unpublished, dynamic and not guaranteed: a verdict for Free holds only "
            "while Colab keeps giving the hours it needs (set --free-gpu-hours to your own reading).",
            "googlecolab/colabtools#2434, #4205; Colab FAQ",
        ))
    if estimate is not None and catalog.era.name == "compute-units":
        out.append(Assumption(
            f"A free GPU session lasts about {estimate.session_minutes:g} min: {estimate.statement}",
            estimate.source, estimate.as_of.isoformat(),
        ))
    if catalog.era.name == "compute-units":
        packs = ", ".join(f"{pack.cu:g} CU for ${pack.usd:g}" for pack in catalog.era.cu_packs) or "unknown"
        out.append(Assumption(
            f"Money is counted as paid over {workload.months} month(s): subscriptions monthly, CU in whole packs "
            f"({packs}), usable about 90 days (three months), oldest first; CU unused by then are lost. Beyond a "
            "plan's CU the session falls back to free-tier limits and loses High-RAM unless packs are bought.",
            f"{catalog.era.source}; googlecolab/colabtools#4369, #4395, #3617", catalog.era.as_of.isoformat(),
        ))
        for key in sorted(used):
            rate = catalog.cu_rate(key, catalog.as_of)
            if rate.value is not None:
                out.append(Assumption(
                    f"{key} burns {rate.value:g} CU per hour.", rate.source or "catalog",
                    rate.as_of.isoformat() if rate.as_of else None,
                ))
    if any(o.needs_checkpointing for o in options):
        out.append(Assumption(
            "Runs longer than a session need checkpointing; runtimes can also die mid-run.",
            "googlecolab/colabtools#6101, #4430",
        ))
    if any(o.session_assumed for o in options):
        out.append(Assumption(
            "Where a plan publishes no session length, a run is split as on Colab Free (never a longer session).",
            "colab-advisor rule: an unknown never counts in an option's favour",
        ))
    kaggle = [o.plan for o in options if o.plan is not None and not o.plan.is_colab]
    for plan in dict.fromkeys(kaggle):
        out.append(Assumption(
            f"{plan.display_name}: {figure_text(plan.gpu_hours_per_week)} GPU hours a week, sessions up to "
            f"{figure_text(plan.max_session_hours, 'h')}; shown beside Colab, never chosen for it.",
            plan.source, plan.as_of.isoformat(),
        ))
    if tax.country is not None:
        out.append(Assumption(TAX_CAVEAT, tax.country.source, tax.country.as_of.isoformat()))
    return tuple(out)
