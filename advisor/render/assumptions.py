"""What a recommendation takes for granted, and what the engine noticed, in words."""

from __future__ import annotations

import math
from collections.abc import Sequence

from ..decide.facts import Fact
from ..decide.uncertainty import Z90
from .catalog import TAX_CAVEAT
from .words import UNKNOWN, count, dollars, hours, share

PERCENT_BAND = "10-90 %"


def assumption_text(a: Fact) -> str:
    f = a.figures
    kind = a.kind
    if kind == "epoch_size_default":
        model = f"{f['preset']} (predicted here)" if f["named"] else f"the {f['preset']} AutoEncoder"
        timed = (f"predicted from the '{f['device']}' specs" if f.get("device")
                 else "timed from this machine's measurement")
        if f["named"]:  # a well-known model's own dataset is rarely 60,000 samples: say it is only a default
            return (f"An epoch is {f['samples']:,} samples of {model}, {timed}: a default, not that model's usual "
                    "dataset; give --samples N (your dataset's size) or --epoch-seconds (your own timing).")
        return (f"An epoch is {f['samples']:,} samples (MNIST-sized) of {model}, {timed}: give --epoch-seconds "
                "(your own timing) or --samples N.")
    if kind == "named_workload":
        here = (f"here from the '{f['device']}' specs like any accelerator" if f.get("device")
                else "here from the matmul and copy ceilings measured on this machine")
        return (f"{f['workload']} is predicted per kernel of its training step at batch {f['batch']}: {here}, on "
                "each accelerator from its datasheet peaks with efficiencies fitted on published benchmarks; a batch "
                "that does not fit an accelerator's memory rules it out.")
    if kind == "hour_value":
        if f["given"]:
            return f"An hour of waiting is worth {dollars(f['usd'])} (your --hour-value)."
        return f"An hour of waiting is worth {dollars(f['usd'])}, a default: set --hour-value to your own figure."
    if kind == "setup":
        return (f"Each Colab session costs {f['minutes']:g} min of setup (reinstalling libraries, uploading data), "
                "and a connected runtime burns CU during it.")
    if kind == "epoch_timed":
        machine = f"the machine described as '{f['device']}'" if f["device"] else "the machine that was measured"
        return f"Your {f['seconds']:g} s per epoch was timed on {machine}."
    if kind == "speed_model":
        level = math.exp(Z90 * f["sigma_level"])
        return (f"Predicted speeds come from one per-kernel model: each kernel of the step at its device's "
                f"matrix or memory roof (tensor cores, TF32 and power-limited clocks where they apply; on a GPU, "
                f"memory time includes its FP32 cores' time to issue the transfers), with "
                f"efficiencies fitted per architecture and precision on {count(f['rows'], 'published row')} from "
                f"{', '.join(f['publishers'])}; bands come from errors on publishers held out of the fit. Every "
                f"prediction shares one level error (x/{level:.2f} at 10-90 %), which cancels between two "
                "predicted options: the ratio between two accelerators is surer than either time.")
    if kind == "local_spread":
        busy = (f", widened for other programs' {share(f['interference'])} of the CPU"
                if f["interference"] >= 0.10 else "")
        return (f"This machine's step is the median of {count(f['count'], 'measurement')}; a next run may fall "
                f"within {f['low'] * 1e3:.3g}-{f['high'] * 1e3:.3g} ms ({PERCENT_BAND}): the spread of its timings and "
                f"this machine's run-to-run scatter{busy}. Every option is compared draw by draw with the same draws.")
    if kind == "local_from_specs":
        return f"This machine is described by the catalog's '{f['device']}' specs, not measured."
    if kind == "no_gpu_guarantee":
        return "No plan guarantees a GPU type; Free and the flat-era plans are shown with the GPU they handed out most."
    if kind == "boosting_on_cpu":
        return ("Boosting runs on the host CPU: Colab's runtime has 2 vCPUs on one physical core; speed scales with "
                "this machine's measured matmul rate against that core's peak.")
    if kind == "free_hours_given":
        return f"Colab Free gives {hours(f['hours'])} of GPU time a month (your --free-gpu-hours); past it, the work " \
               "stays here."
    if kind == "free_hours_readings":
        return (f"Colab Free's GPU time a month is unpublished and dynamic: from {count(f['readings'], 'user report')} "
                f"below it is taken as {hours(f['median'])} a month ({hours(f['low'])}-{hours(f['high'])}, "
                f"{PERCENT_BAND}); in a draw where the month needs more, Free is not counted on and the work stays "
                "here. Set --free-gpu-hours to your own reading.")
    if kind == "free_reading":
        return (f"Report: a free GPU session of about {hours(f['session_hours'])}, then "
                f"{count(f['wait_days'], 'day')} without one: about {hours(f['monthly_hours'])} a month.")
    if kind == "free_session":
        return f"A free GPU session lasts about {f['minutes']:g} min (one reading, not a published limit)."
    if kind == "money_as_paid":
        packs = ", ".join(f"{cu:g} CU for {dollars(usd)}" for cu, usd in f["packs"]) or UNKNOWN
        return (f"Money is counted as paid over {count(f['months'], 'month')}: subscriptions monthly, CU in whole "
                f"packs ({packs}), usable about 90 days (three months), oldest first; CU unused by then are lost. "
                "Beyond a plan's CU the session falls back to free-tier limits and loses High-RAM unless packs are "
                "bought.")
    if kind == "cu_rate":
        return f"{f['accelerator']} burns {f['cu_per_hour']:g} CU per hour."
    if kind == "checkpointing":
        return "Runs longer than a session need checkpointing; runtimes can also die mid-run."
    if kind == "session_assumed":
        return "Where a plan publishes no session length, a run is split as on Colab Free (never a longer session)."
    if kind == "other_provider":
        weekly = UNKNOWN if f["hours_per_week"] is None else f"{f['hours_per_week']:g}"
        readings = f.get("session_readings") or ()
        if readings:
            assumed = [h for h, a in readings if a] or [min(h for h, _ in readings)]
            session = (f"sessions up to {' or '.join(dict.fromkeys(f'{h:g} h' for h, _ in readings))} by different "
                       "readings "
                       f"({assumed[0]:g} h assumed)")
        else:
            limit = f["session_hours"]
            session = f"sessions up to {UNKNOWN if limit is None else f'{limit:g} h'}"
        return f"{f['plan']}: {weekly} GPU hours a week, {session}."
    if kind == "data_parallel":
        return (f"{f['plan']} gives {f['devices']} {f['accelerator']}s: predicted as one data-parallel job, each "
                f"batch split over them as the benchmark does (a batch smaller than their count leaves the rest "
                f"idle), with no cost for combining gradients (a bound); a script that uses one GPU gets one of "
                f"them.")
    if kind == "tax_country":
        return TAX_CAVEAT
    return kind


def _readings_line(readings: Sequence[Fact]) -> str:
    """The free-tier reports in one line: each one's month with its date, the sources together."""
    each = ", ".join(f"{hours(r.get('monthly_hours'))} ({r.as_of})" for r in readings)
    sources = "; ".join(str(r.source) for r in readings)
    return (f"The reports, as a free session's hours times the sessions a month the wait between them allows: "
            f"{each}. [{sources}]")


def sourced(a: Fact) -> str:
    """An assumption's sentence with its source and date."""
    source = f" [{a.source}{', ' + a.as_of if a.as_of else ''}]" if a.source else ""
    return f"{assumption_text(a)}{source}"


def assumption_lines(assumptions: Sequence[Fact]) -> list[str]:
    out = []
    readings = [a for a in assumptions if a.kind == "free_reading"]
    for a in assumptions:
        if a.kind == "free_reading":
            if a is readings[0]:
                out.append(_readings_line(readings))
            continue
        out.append(sourced(a))
    return out


def note_text(note: Fact) -> str:
    f = note.figures
    if note.kind == "colab_other_config":
        return (f"the Colab result ({f['colab_preset']}, {f['colab_dtype']}) measured another preset or dtype than "
                f"this machine's ({f['local_preset']}, {f['local_dtype']}): only its speed per sample is used")
    if note.kind == "result_skipped":
        return f"{f['warning']} (not counted for this machine)"
    if note.kind == "local_not_from_here":
        return f"--local {f['id']} is a result from {f['where']}, not from this machine: the comparison is against " \
               "that device"
    if note.kind == "colab_not_from_colab":
        return (f"--colab {f['id']} was not measured in Colab ({f['where']}): its device's speed is used as measured, "
                "though a Colab runtime may differ")
    if note.kind == "memory_unchecked":
        return (f"whether batch {f['batch']} of {f['workload']} fits a device's memory is not checked: its step has "
                "no memory plan to size a batch by (see `colab-advisor predict`), so no option is ruled out for it")
    if note.kind == "named_drops_colab":
        return f"--colab measured the AutoEncoder, not {f['workload']}: with --workload it is not used"
    if note.kind == "profile_cache":
        from ..predict.profiles import ProfileWarning
        from .predict import warning_text

        return warning_text(ProfileWarning(f["warning"], f["subject"], f["reason"]))
    if "text" in f:
        return str(f["text"])
    return note.kind
