"""What a recommendation takes for granted, as typed facts with their source and date.

Each assumption is a Fact: a kind and the figures its sentence needs. advisor/render/assumptions.py
words them; `--json` carries them as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pricing import Catalog

from ..predict import speed as speeds
from .facts import Fact, fact

if TYPE_CHECKING:
    from .options import Option, Scenario
    from .sources import Sources
    from .tax import TaxBasis
    from .workload import Workload

SOURCE_DEFAULT = "colab-advisor default"
SOURCE_YOU = "you"
SOURCE_RULE = "colab-advisor rule: an unknown never counts in an option's favour"
SOURCE_NO_GUARANTEE = "googlecolab/colabtools#2434, #4205"
SOURCE_IDLE_BURN = "googlecolab/colabtools#5729 (CU burn while idle); --setup-minutes"
SOURCE_FALLBACK = "googlecolab/colabtools#4369, #4395, #3617"
SOURCE_CHECKPOINT = "googlecolab/colabtools#6101, #4430"
SOURCE_FREE_FAQ = "Colab FAQ (usage limits are not published); googlecolab/colabtools#2434, #4205"
SOURCE_PREDICTOR = "benchmarks/reference/published.toml (Lambda GPU benchmarks and others)"


def collect_assumptions(workload: Workload, sources: Sources, catalog: Catalog, tax: TaxBasis,
                        options: Sequence[Option], scenario: Scenario) -> tuple[Fact, ...]:
    out: list[Fact] = []
    preset = scenario.basis.preset
    named = sources.named is not None
    described = sources.local_device.key if sources.local is None and sources.local_device is not None else None
    if workload.sized_by_default:
        out.append(fact("epoch_size_default", SOURCE_DEFAULT, samples=workload.epoch_samples, preset=preset,
                        named=named, device=described))
    if sources.named is not None:
        out.append(fact("named_workload", SOURCE_PREDICTOR, workload=preset, batch=sources.named.batch_size,
                        device=described))
    out.append(fact("hour_value", SOURCE_YOU if workload.hour_value_given else SOURCE_DEFAULT,
                    usd=workload.hour_value, given=workload.hour_value_given))
    out.append(fact("setup", SOURCE_IDLE_BURN, "2025-12", minutes=workload.setup_minutes))
    if workload.epoch_seconds is not None:
        out.append(fact("epoch_timed", SOURCE_YOU, seconds=workload.epoch_seconds, device=described))
    kinds = {o.epoch.basis for o in options if o.epoch is not None}
    if speeds.BASIS_PREDICTED in kinds or speeds.BASIS_ESTIMATE in kinds:
        from ..predict.model import model_facts

        model = model_facts()
        out.append(fact("speed_model", model.source, publishers=model.publishers, rows=model.rows,
                        fitted=model.fitted_groups, sigma_level=model.sigma_level))
    figure = sources.local_figure
    if figure is not None:
        out.append(fact("local_spread", SOURCE_DEFAULT, sigma=figure.sigma, count=figure.count,
                        interference=figure.interference_share, low=figure.low, high=figure.high,
                        seconds=figure.seconds))
    if sources.local is None and sources.local_device is not None:
        out.append(fact("local_from_specs", sources.local_device.source, sources.local_device.as_of.isoformat(),
                        device=sources.local_device.key))
    if workload.model == "deep":
        out.append(fact("no_gpu_guarantee", SOURCE_NO_GUARANTEE))
    else:
        cpu = catalog.accelerator("colab-cpu")
        out.append(fact("boosting_on_cpu", cpu.source, cpu.as_of.isoformat()))
    if workload.free_gpu_hours is not None:
        out.append(fact("free_hours_given", SOURCE_YOU, hours=workload.free_gpu_hours))
    elif scenario.free_hours is not None:
        free = scenario.free_hours
        low, high = free.band
        out.append(fact("free_hours_readings", SOURCE_FREE_FAQ, median=free.median, low=low, high=high,
                        readings=len(free.readings)))
        for reading in free.readings:
            out.append(fact("free_reading", reading.source, reading.as_of, session_hours=reading.session_hours,
                            wait_days=reading.wait_days, monthly_hours=reading.monthly_hours))
    estimate = catalog.free_tier_estimate
    if estimate is not None and catalog.era.name == "compute-units":
        out.append(fact("free_session", estimate.source, estimate.as_of.isoformat(),
                        minutes=estimate.session_minutes))
    if catalog.era.name == "compute-units":
        packs = tuple((pack.cu, pack.usd) for pack in catalog.era.cu_packs)
        out.append(fact("money_as_paid", f"{catalog.era.source}; {SOURCE_FALLBACK}", catalog.era.as_of.isoformat(),
                        months=workload.months, packs=packs))
        used = sorted({o.accelerator.key for o in options if o.accelerator is not None and o.epoch is not None
                       and o.plan is not None and o.plan.uses_compute_units})
        for key in used:
            rate = catalog.cu_rate(key, catalog.as_of)
            if rate.value is not None:
                out.append(fact("cu_rate", rate.source or "catalog", rate.as_of.isoformat() if rate.as_of else None,
                                accelerator=key, cu_per_hour=rate.value))
    for o in options:
        if o.devices > 1 and o.accelerator is not None and o.plan is not None:
            out.append(fact("data_parallel", SOURCE_DEFAULT, plan=o.plan.display_name, devices=o.devices,
                            accelerator=o.accelerator.key))
    if any(o.needs_checkpointing for o in options):
        out.append(fact("checkpointing", SOURCE_CHECKPOINT))
    if any(o.session_assumed for o in options):
        out.append(fact("session_assumed", SOURCE_RULE))
    for plan in dict.fromkeys(o.plan for o in options if o.plan is not None and not o.plan.is_colab):
        sessions = sorted({(r.hours, r.assumed) for r in plan.session_readings}) if plan.session_readings else ()
        out.append(fact("other_provider", plan.source, plan.as_of.isoformat(), plan=plan.display_name,
                        hours_per_week=plan.free_hours_per_week("gpu"), session_hours=plan.max_session_hours,
                        session_readings=tuple(sessions)))
    if tax.country is not None:
        out.append(fact("tax_country", tax.country.source, tax.country.as_of.isoformat(),
                        country=tax.country.country))
    return tuple(out)
