"""What `predict` shows: a workload's step time per accelerator, and the prediction's JSON.

Also the words for the predictor's typed facts (advisor.predict.physics.Caveat codes, missing
catalog fields), used wherever a prediction is explained.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..predict.fit import MAX_BATCH_SEARCHED, USABLE_FRACTION
from ..predict.physics import Caveat
from ..predict.profiles import CACHE_UNREADABLE, CACHE_UNWRITABLE, ProfileWarning
from ..predict.workload import AcceleratorPrediction, Prediction
from . import words
from .table import UNKNOWN, Table, seconds

FIELD_NAMES = {
    "fp32_tflops": "its FP32 peak",
    "fp16_bf16_tflops": "its FP16/BF16 matrix peak",
    "tf32_tflops": "its TF32 peak",
    "memory_bandwidth_gbs": "its memory bandwidth",
    "memory_gb": "its memory size",
}


def _figures(caveat: Caveat) -> dict[str, Any]:
    return dict(caveat.figures)


_CLOCK_BAND = "the centre takes their geometric mean and the band spans both."


def caveat_text(caveat: Caveat, accelerator: str) -> str:
    """One sentence for a typed fact about how a prediction was made."""
    f = _figures(caveat)
    code = caveat.code
    if code == "no-tf32":
        return f"{accelerator}: float32 matmuls run on FP32 units (TF32 exists only from Ampere on)."
    if code == "no-half-hardware":
        return (f"{accelerator}: no FP16 arithmetic on {f.get('architecture', 'this chip')}; half precision is "
                "computed at the FP32 rate: no faster arithmetic, only half the memory traffic.")
    if code == "slow-half":
        return (f"{accelerator}: FP16 runs at 1/64 of the FP32 rate and there are no tensor cores; half precision "
                "is taken at the FP32 rate at best.")
    if code == "packed-half":
        return (f"{accelerator}: FP16 packs two per FP32 lane ({f.get('fp16_tflops')} vs {f.get('fp32_tflops')} "
                "TFLOP/s), without tensor cores.")
    if code == "tpu-float16":
        return (f"{accelerator}: a TPU's matrix units take bfloat16, not float16; float16 is taken at the "
                "bfloat16 peak (as float32 is at default precision), a guess no published run checks: use "
                "bfloat16 on a TPU.")
    if code == "tpu-float32":
        return (f"{accelerator}: float32 matmuls run as one bfloat16 pass at JAX's default precision, so they "
                "are taken at the bfloat16 peak (precision='highest' is several times slower).")
    if code == "no-native-bf16":
        return f"{accelerator}: no native bfloat16 before Ampere; it is computed at the FP32 rate."
    if code == "power-limited":
        return (f"{accelerator}: at its {f.get('watts', 0):g} W power limit the clock under sustained load lies "
                f"between {f.get('base_mhz', 0):g} MHz (base) and {f.get('boost_mhz', 0):g} MHz (boost, which the "
                f"peaks assume); {_CLOCK_BAND}")
    if code == "matmul-clock":
        held = f"held {f.get('matmul_mhz', 0):g} MHz under a sustained tensor-core load at its power limit"
        if f.get("read_on"):
            held = (f"no clock reading of its own; the {f['read_on']} (same chip, same power limit) {held}, taken "
                    "for this card")
        return (f"{accelerator}: {held}; a training step lies between that and the {f.get('boost_mhz', 0):g} MHz "
                f"boost clock its peaks assume: {_CLOCK_BAND}")
    if code == "power-budget":
        fed = float(f.get("share", 0))
        share = "under 1 %" if fed < 0.005 else f"about {words.share(fed)}"
        return (f"{accelerator}: its {f.get('watts', 0):g} W power limit feeds its tensor cores {share} of "
                f"their peak at the energy per FLOP the {f.get('reference', '')} (same architecture) draws under "
                f"continuous matmuls: a floor of {f.get('low_mhz', 0):g} MHz; a training "
                f"step lies between that and the {f.get('boost_mhz', 0):g} MHz boost clock its peaks assume: "
                f"{_CLOCK_BAND}")
    if code == "sustained-clock":
        below = (f" (at its power limit the band reaches down to its {f['low_mhz']:g} MHz base clock)"
                 if f.get("low_mhz") else "")
        return (f"{accelerator}: runs at {f.get('sustained_mhz', 0):g} MHz under sustained load{below}, below the "
                f"{f.get('boost_mhz', 0):g} MHz boost clock its peaks assume.")
    if code == "unfitted-architecture":
        return (f"{accelerator}: no published runs of {f.get('group', 'its architecture')} to fit on; the pooled "
                "efficiencies of the other architectures are used, with a wider band.")
    if code == "single-publisher":
        return (f"{accelerator}: fitted on {f.get('publisher', 'one publisher')}'s runs only; the band is that of "
                "an unfitted architecture.")
    if code == "no-core-rate":
        return (f"{accelerator}: the catalog gives no FP32 rate, so its memory time leaves out the FP32 cores' "
                "time to issue the transfers: the step may run slower than shown.")
    if code == "fp32-units-efficiency":
        return (f"{accelerator}: its half-precision matmuls run on the FP32 units, so the efficiencies fitted on "
                f"{f.get('group', 'its float32 runs')} runs are used; no published run checks them in half "
                "precision, so the band is the wider one.")
    if code == "no-l2-size":
        return (f"{accelerator}: the catalog gives no L2 cache size, so every byte is taken from memory: the "
                "step may run faster than shown.")
    if code == "unknown-architecture":
        return f"{accelerator}: the catalog names no architecture; its figures are used as given."
    if code == "missing-spec":
        return missing_text(accelerator, [str(v) for _, v in caveat.figures])
    return f"{accelerator}: {code}."


def missing_text(accelerator: str, fields: Iterable[str]) -> str:
    names = [FIELD_NAMES.get(name, name) for name in fields]
    if not names:
        return ""
    return f"{accelerator}: unknown, because the catalog has no source for {' or '.join(names)}."


def _band(row: AcceleratorPrediction) -> str:
    if row.speed is None:
        return UNKNOWN
    return f"{seconds(row.speed.low)} – {seconds(row.speed.high)}"


def _max_batch(row: AcceleratorPrediction) -> str:
    if row.max_batch is None:
        return UNKNOWN
    if row.max_batch >= MAX_BATCH_SEARCHED:  # the search stops here: the step fits at least this batch
        return f"≥ {MAX_BATCH_SEARCHED:,}"
    return "does not fit" if row.max_batch == 0 else f"{row.max_batch:,}"


def _throughput(row: AcceleratorPrediction, batch: int) -> str:
    if row.speed is None:
        return UNKNOWN
    rate = batch / row.speed.seconds
    return f"{rate:,.0f} samples/s" if rate >= 100 else f"{rate:.3g} samples/s"


def _ratio(row: AcceleratorPrediction) -> str:
    if row.ratio is None:
        return UNKNOWN
    return f"{_times(row.ratio.centre)} ({_times(row.ratio.low)}–{_times(row.ratio.high)})"


def _times(value: float) -> str:
    """A ratio to two decimals; below 0.1 as the shared vocabulary reads it (0.0039x, never 0.00x)."""
    return words.ratio(value) if value < 0.1 else f"{value:.2f}x"


def explanations(prediction: Prediction) -> list[str]:
    """One line per distinct fact behind the rows: why a path is slower, why a figure is unknown."""
    lines: list[str] = []
    for row in prediction.rows:
        key = row.accelerator.key
        found = list(row.speed.caveats) if row.speed is not None else []
        for caveat in found:
            text = caveat_text(caveat, key)
            if text not in lines:
                lines.append(text)
        if row.speed is None or row.max_batch is None:
            text = missing_text(key, row.missing)
            if text and text not in lines:
                lines.append(text)
    return lines


def prediction_table(prediction: Prediction) -> Table:
    rows = []
    reference = prediction.relative_to
    for row in prediction.rows:
        fits = "" if row.fits is None or row.fits else " (batch does not fit)"
        cells = [
            row.accelerator.key,
            UNKNOWN if row.speed is None else seconds(row.speed.seconds) + fits,
            _band(row),
            _throughput(row, prediction.batch_size),
            _max_batch(row),
            UNKNOWN if row.speed is None else row.speed.basis,
        ]
        if reference is not None:
            cells.insert(3, _ratio(row))
        rows.append(cells)
    headers = ["accelerator", "step time", "band", "throughput", "largest batch", "basis"]
    align = ["left", "right", "left", "right", "right", "left"]
    if reference is not None:
        headers.insert(3, f"vs {reference.key}")
        align.insert(3, "right")
    notes = [*PREDICTION_NOTES, f"Profile compiled on {prediction.profile_source or 'this machine'}."]
    if not prediction.memory_planned:
        notes.append(f"Largest batch: unknown for {prediction.workload}. XLA's CPU plan of its step keeps every "
                     "layer's dequantized weights live until the backward pass, which a GPU run never holds, so "
                     "its memory plan would refuse batches that fit; none is used.")
    if reference is not None:
        notes.append(f"vs {reference.key}: how many times faster than {reference.name}, with the 10-90 % range of "
                     "that ratio (the level error every prediction shares cancels; each card's own error stays, "
                     "even between cards of one chip).")
    return Table(
        title=f"{prediction.description}: {prediction.dtype}, batch {prediction.batch_size}",
        headers=headers,
        rows=rows,
        notes=[*notes, *explanations(prediction)],
        align=align,
        optional=["basis", "band", "largest batch", "throughput"],
    )


def _caveats(row: AcceleratorPrediction) -> list[dict[str, Any]]:
    if row.speed is None:
        return []
    return [{"code": c.code, "figures": dict(c.figures), "text": caveat_text(c, row.accelerator.key)}
            for c in row.speed.caveats]


def prediction_payload(prediction: Prediction) -> dict[str, Any]:
    """What `predict --json` prints inside its envelope."""
    accelerators = []
    for row in prediction.rows:
        speed = row.speed
        ratio = row.ratio
        accelerators.append({
            "accelerator": row.accelerator.key,
            "name": row.accelerator.name,
            "seconds_per_step": None if speed is None else speed.seconds,
            "low": None if speed is None else speed.low,
            "high": None if speed is None else speed.high,
            "sigma": None if speed is None else speed.sigma,
            "shared_sigma": None if speed is None else speed.shared_sigma,
            "error_group": None if speed is None else speed.error_group,
            "samples_per_second": None if speed is None else prediction.batch_size / speed.seconds,
            "ratio": None if ratio is None else ratio.centre,
            "ratio_low": None if ratio is None else ratio.low,
            "ratio_high": None if ratio is None else ratio.high,
            "max_batch": row.max_batch,
            "max_batch_at_search_limit": row.max_batch is not None and row.max_batch >= MAX_BATCH_SEARCHED,
            "fits": row.fits,
            "basis": None if speed is None else speed.basis,
            "detail": None if speed is None else speed.detail,
            "caveats": _caveats(row),
            "missing": list(row.missing),
            "unknown_because": missing_text(row.accelerator.key, row.missing) or None,
        })
    return {
        "workload": prediction.workload,
        "description": prediction.description,
        "dtype": prediction.dtype,
        "batch_size": prediction.batch_size,
        "relative_to": None if prediction.relative_to is None else prediction.relative_to.key,
        "memory_planned": prediction.memory_planned,
        "accelerators": accelerators,
        "profile_compiled_on": prediction.profile_source,
        "notes": list(PREDICTION_NOTES),
    }


def profiling_notice(name: str, dtype: str, asked: str | None = None) -> str:
    """`dtype`: the plan compiled; `asked`: the dtype the user gave, where that plan stands in for it."""
    serves = f", which serves {asked} too" if asked is not None and asked != dtype else ""
    return f"profiling {name} ({dtype}{serves}) on this CPU, once: compiling its training step..."


PREDICTION_NOTES = (
    "Per kernel: each fusion or library call of the step at max(compute, memory) time on the peak of "
    "the unit that runs its dtype, at the clock the card holds, scaled by efficiencies fitted on "
    "published benchmarks, plus a launch cost; a GPU's memory time adds its FP32 cores' time to issue "
    "the transfers. The band is the 10-90 % range of the errors on publishers the fit did not see.",
    f"Largest batch: XLA's memory analysis of the step, against {USABLE_FRACTION:.0%} of the "
    "device memory less 1 GB; planned on the CPU, so treat a batch near the limit as uncertain.",
)


def warning_text(warning: ProfileWarning) -> str:
    if warning.kind == CACHE_UNREADABLE:
        return f"profile cache {warning.subject} unreadable ({warning.reason}); profiled again"
    if warning.kind == CACHE_UNWRITABLE:
        return f"could not cache the profile in {warning.subject} ({warning.reason})"
    return f"{warning.kind}: {warning.subject} ({warning.reason})"
