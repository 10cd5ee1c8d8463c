"""Check the per-kernel speed predictor against published measurements.

    PYTHONPATH=. python scripts/validate_predictions.py [--home DIR] [--all]

For every entry of benchmarks/reference/published.toml it predicts the step time on the
published accelerator at the published batch (profiles are compiled on this CPU the first time,
then cached in the data folder). Entries pair up within one model and precision against a
reference accelerator (A100 80 GB PCIe for the Lambda rows, the T4 for the LLM fine-tune): the
predicted speed ratio is compared with the published one. Prints every pair, then the summary
over the "validate" half (the "calibrate" half fitted kernels.EFFICIENCY), then the H100
AutoEncoder references predicted from a CPU profile.

Targets: median |error| <= 20 %, no ratio off by more than 2x, >= 12 pairs, the published ratio
inside the predicted band in >= 80 % of pairs, and the four H100 references inside their bands.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
from pathlib import Path

from _common import ROOT, verdict

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from advisor.predict import kernels
from advisor.predict.fit import max_batch
from advisor.predict.profiles import load_profile
from pricing import load_catalog

PUBLISHED = Path(ROOT) / "benchmarks" / "reference" / "published.toml"
REFERENCES = Path(ROOT) / "benchmarks" / "reference"
REFERENCE_ACCELERATOR = {"samples/s": "a100-80gb", "minutes": "t4"}


def predicted_seconds(entry: dict, catalog, home: Path) -> tuple[float, float, float]:
    profile = load_profile(entry["model"], entry["dtype"], home)
    acc = catalog.accelerator(entry["accelerator"])
    speed = kernels.predict_kernels(profile.work(entry["batch"]), acc, entry["dtype"], entry["model"])
    if speed is None:
        raise SystemExit(f"{acc.key}: the catalog lacks a spec the predictor needs")
    return speed.seconds, speed.low, speed.high


def speed_of(entry: dict) -> float:
    """Published speed as samples per second (or runs per minute), higher is faster."""
    return entry["value"] if entry["unit"] == "samples/s" else 1.0 / entry["value"]


def predicted_speed(entry: dict, seconds: float) -> float:
    return entry["batch"] / seconds if entry["unit"] == "samples/s" else 1.0 / seconds


def pairs(entries: list[dict], catalog, home: Path) -> list[dict]:
    groups: dict[tuple, list[dict]] = {}
    for entry in entries:
        key = (entry["model"], entry["dtype"], entry["unit"])
        groups.setdefault(key, []).append(entry)
    found = []
    for (model, dtype, unit), members in groups.items():
        reference = next(e for e in members if e["accelerator"] == REFERENCE_ACCELERATOR[unit])
        ref_seconds = predicted_seconds(reference, catalog, home)[0]
        for entry in members:
            if entry is reference:
                continue
            seconds = predicted_seconds(entry, catalog, home)[0]
            published = speed_of(entry) / speed_of(reference)
            predicted = predicted_speed(entry, seconds) / predicted_speed(reference, ref_seconds)
            low, high = predicted / kernels.BAND_FACTOR, predicted * kernels.BAND_FACTOR
            found.append({"model": model, "dtype": dtype, "accelerator": entry["accelerator"],
                          "reference": reference["accelerator"], "role": entry["role"],
                          "published": published, "predicted": predicted, "low": low, "high": high,
                          "error": predicted / published - 1.0, "inside": low <= published <= high})
    return found


def summary(rows: list[dict], label: str) -> bool:
    if not rows:
        print(f"{label}: no pairs")
        return False
    errors = [abs(r["error"]) for r in rows]
    worst = max(max(r["predicted"] / r["published"], r["published"] / r["predicted"]) for r in rows)
    inside = sum(r["inside"] for r in rows) / len(rows)
    median = statistics.median(errors)
    ok = median <= 0.20 and worst <= 2.0 and len(rows) >= 12 and inside >= 0.8
    print(f"{label}: {len(rows)} pairs, median |error| {median:.1%}, worst {worst:.2f}x, "
          f"published inside the band in {inside:.0%} -> {verdict(ok)}")
    return ok


def references(catalog, home: Path) -> bool:
    """The H100 AutoEncoder runs against predictions from this CPU's profile of the same step."""
    print("\nH100 AutoEncoder references (python-loop step, measured vs predicted from a CPU profile):")
    acc, all_inside = catalog.accelerator("h100"), True
    for path in sorted(REFERENCES.glob("*-*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        preset, dtype, batch = data["config"]["preset"], data["config"]["dtype"], data["batch_size"]
        measured = data["summary"]["python_loop"]["median"]
        profile = load_profile(f"ae-{preset}", dtype, home)
        speed = kernels.predict_kernels(profile.work(batch), acc, dtype, f"ae-{preset}")
        inside = speed.low <= measured <= speed.high
        all_inside &= inside
        print(f"  {preset:<7} {dtype:<9} measured {measured * 1e3:7.3f} ms   predicted {speed.seconds * 1e3:7.3f} ms "
              f"[{speed.low * 1e3:.3f}, {speed.high * 1e3:.3f}]  {'inside' if inside else 'OUTSIDE'}")
    print(f"  all four inside their bands -> {verdict(all_inside)}")
    return all_inside


def fit(entries: list[dict], catalog, home: Path) -> None:
    """Fit kernels.EFFICIENCY and kernels.BAND_FACTOR on the calibration half; print them.

    1. Per generation, (dot, convolution, bandwidth) fractions by coordinate search, minimising the
       squared log error of the speed ratios against the reference (an Ampere card, whose
       generation keeps its starting values).
    2. One scale for every generation, minimising the squared log error of absolute step times:
       ratios fix the generations relative to each other, the published times fix the level.
    3. The band: the 90th percentile of the calibration half's ratio errors.
    """
    rows = []
    for entry in entries:
        if entry["role"] != "calibrate" or entry["unit"] != "samples/s":
            continue
        acc = catalog.accelerator(entry["accelerator"])
        work = load_profile(entry["model"], entry["dtype"], home).work(entry["batch"])
        rows.append({"entry": entry, "acc": acc, "work": work, "published": entry["batch"] / entry["value"]})
    reference = {(r["entry"]["model"], r["entry"]["dtype"]): r for r in rows
                 if r["acc"].key == REFERENCE_ACCELERATOR["samples/s"]}

    def seconds(row: dict) -> float:
        return kernels.kernel_seconds(row["work"], row["acc"], row["entry"]["dtype"]) + kernels.STEP_OVERHEAD_SECONDS[1]

    def ratio_errors(generation: str | None = None) -> list[float]:
        errors = []
        for row in rows:
            ref = reference[(row["entry"]["model"], row["entry"]["dtype"])]
            if row is ref or (generation and kernels.generation(row["acc"]) != generation):
                continue
            predicted = seconds(ref) / seconds(row)
            published = ref["published"] / row["published"]
            errors.append(math.log(predicted / published))
        return errors

    compute_grid = [0.05 * step for step in range(2, 21)]
    bandwidth_grid = [0.05 * step for step in range(4, 41)]
    anchor = kernels.generation(catalog.accelerator(REFERENCE_ACCELERATOR["samples/s"]))
    for generation in sorted({kernels.generation(r["acc"]) for r in rows} - {anchor}):
        for _ in range(3):
            for index, grid in enumerate((compute_grid, compute_grid, bandwidth_grid)):
                scores = []
                for value in grid:
                    trial = list(kernels.EFFICIENCY[generation])
                    trial[index] = value
                    kernels.EFFICIENCY[generation] = tuple(trial)
                    scores.append((sum(e * e for e in ratio_errors(generation)), tuple(trial)))
                kernels.EFFICIENCY[generation] = min(scores)[1]
    start = dict(kernels.EFFICIENCY)
    scores = []
    for scale in [0.05 * step for step in range(10, 61)]:
        for generation, (dot, conv, bandwidth) in start.items():
            kernels.EFFICIENCY[generation] = (min(1.0, dot * scale), min(1.0, conv * scale), bandwidth * scale)
        scores.append((sum(math.log(seconds(r) / r["published"]) ** 2 for r in rows), scale))
    scale = min(scores)[1]
    for generation, (dot, conv, bandwidth) in start.items():
        kernels.EFFICIENCY[generation] = (min(1.0, dot * scale), min(1.0, conv * scale), bandwidth * scale)
    fitted = {r_generation for r_generation in (kernels.generation(r["acc"]) for r in rows)}
    for generation in kernels.EFFICIENCY:
        if generation not in fitted and generation != "other":
            kernels.EFFICIENCY[generation] = kernels.EFFICIENCY[anchor]  # no published rows
    kernels.EFFICIENCY["other"] = tuple(
        statistics.mean(kernels.EFFICIENCY[g][i] for g in fitted) for i in range(3))  # type: ignore[assignment]
    errors = sorted(abs(e) for e in ratio_errors())
    kernels.BAND_FACTOR = math.exp(errors[int(0.9 * (len(errors) - 1))])
    print("EFFICIENCY = {")
    for generation, (dot, conv, bandwidth) in kernels.EFFICIENCY.items():
        print(f'    "{generation}": ({dot:.2f}, {conv:.2f}, {bandwidth:.2f}),')
    print(f"}}  # common scale {scale:.2f}")
    print(f"BAND_FACTOR = {kernels.BAND_FACTOR:.2f}  # 90th percentile of {len(errors)} calibration ratio errors")


def memory_fit(entries: list[dict], catalog, home: Path) -> None:
    """Largest batch predicted to fit against the batch each published run used (which did fit).

    The published batch is the largest of a ladder that fitted, so the true limit lies between it
    and the next rung: a prediction at or somewhat above it is right, one below it is too cautious.
    """
    print("\nLargest batch that fits, predicted vs the batch the published run used (a lower bound):")
    ratios = {"calibrate": [], "validate": []}
    for entry in entries:
        if entry["unit"] != "samples/s" or "batch_note" in entry:
            continue
        profile = load_profile(entry["model"], entry["dtype"], home)
        predicted = max_batch(profile, catalog.accelerator(entry["accelerator"]))
        ratios[entry["role"]].append(predicted / entry["batch"])
    for role, values in ratios.items():
        values.sort()
        below = sum(v < 1.0 for v in values)
        print(f"  {role:<9} {len(values)} runs: predicted / published batch median {statistics.median(values):.2f}, "
              f"range {values[0]:.2f}-{values[-1]:.2f}; predicted below the published batch in {below}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=None, help="data folder holding the profile cache")
    parser.add_argument("--fit", action="store_true",
                        help="fit the efficiencies on the calibration half first, and print them")
    args = parser.parse_args()
    home = args.home or Path(os.environ.get("COLAB_ADVISOR_HOME") or Path.home() / ".colab-advisor-validation")
    entries = tomllib.loads(PUBLISHED.read_text(encoding="utf-8"))["measurement"]
    catalog = load_catalog()
    if args.fit:
        print("Efficiencies fitted on the calibration half (paste into advisor/predict/kernels.py):")
        fit(entries, catalog, home)
        print()
    rows = pairs(entries, catalog, home)
    print(f"{'model':<15} {'dtype':<8} {'accelerator':<16} {'vs':<10} {'role':<9} {'published':>9} "
          f"{'predicted':>9} {'band':>13} {'error':>7}")
    for r in sorted(rows, key=lambda r: (r["role"], r["model"], r["dtype"], r["accelerator"])):
        print(f"{r['model']:<15} {r['dtype']:<8} {r['accelerator']:<16} {r['reference']:<10} {r['role']:<9} "
              f"{r['published']:9.2f} {r['predicted']:9.2f} {r['low']:6.2f}-{r['high']:<6.2f} {r['error']:+7.1%}"
              f"{'' if r['inside'] else '  outside'}")
    print()
    summary([r for r in rows if r["role"] == "calibrate"], "calibration half (fitted on)")
    ok = summary([r for r in rows if r["role"] == "validate"], "validation half (reported)")
    ok &= references(catalog, home)
    memory_fit(entries, catalog, home)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
