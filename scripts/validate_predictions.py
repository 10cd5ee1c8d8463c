"""Check the per-kernel speed predictor on publishers it was not fitted on (leave one publisher out).

    PYTHONPATH=. python scripts/validate_predictions.py [--home DIR] [--write]

For every row of benchmarks/reference/published.toml it predicts the step time on the published
accelerator at the published batch (workload profiles are compiled on this CPU the first time, then
cached in --home). Rows pair up within one publisher's table (same source, model, precision, unit):
the predicted speed ratio of each pair is compared with the published one.

Leave one publisher out: the matmul and convolution efficiencies (per architecture and precision,
see advisor/predict/model.py), one bandwidth efficiency per precision (at most 1, shared by every
architecture) and the bytes a memory-bound kernel moves per FLOP of a GPU's FP32 cores (one figure;
0, no such term, is among the trials) are fitted (a robust fit: each row's log error from its table's median, squared up
to 10 % and linear beyond) on every publisher but one and the held-out publisher's ratios are scored,
for each publisher in turn. Each held-out ratio is checked against a 10-90 % band whose sigmas come
from the held-out residuals of the *other* publishers only; a group with no training rows, or with
training rows from one publisher only, takes the wider unfitted band. --write refits on every publisher and writes
benchmarks/reference/speed-model.json with the sigmas from all held-out residuals.

Targets: median |ratio error| <= 12 %, worst pair <= 1.5x, >= 80 % of held-out ratios inside their
band, every T4 pair within 20 %.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from _common import ROOT, verdict

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from advisor.predict import model as speed_model
from advisor.predict import physics
from advisor.predict.fit import max_batch
from advisor.predict.presets import predict_preset
from advisor.predict.profiles import accelerator_plan_dtype, load_profile
from pricing import load_catalog

PUBLISHED = Path(ROOT) / "benchmarks" / "reference" / "published.toml"
REFERENCES = Path(ROOT) / "benchmarks" / "reference"
SHRINK = 0.5  # weight of the pull of each group's efficiencies toward the pooled ones (log space)
# Log errors beyond this count linearly in the fit (a Huber loss): a publisher's outlying runs (a
# framework's slow path that no row states) then pull the efficiencies no harder than a plain 10 %
# disagreement would, once it is past. A run that states its convolution layout (`layout`) is
# predicted in it (physics.conv_layout_slowdown).
HUBER = 0.1
# How much wider than the pooled held-out error the band of an architecture and precision is where no
# fit checked against a second publisher exists (widest_unfitted).
UNFITTED_WIDER = 1.5
GRID = np.exp(np.linspace(-0.8, 0.8, 33))
# Where the fit of the cores' bytes per FLOP starts (advisor/predict/model.py core_flops); 0, no such
# term, is tried in every sweep.
CORE_START = 0.3
# Units that are throughputs (samples per second, or a score proportional to them within its table);
# any other unit is a time for the same work on every row of its table (a run, an epoch).
THROUGHPUT_UNITS = ("samples/s", "score")
Z = speed_model.Z_90


@dataclass
class Row:
    entry: dict
    acc: object
    group: str
    table: tuple  # rows of one table pair up
    published: float  # seconds per step (samples/s rows) or minutes per run
    flops_dot: np.ndarray
    flops_conv: np.ndarray
    bytes: np.ndarray
    launches: int
    peak: float
    clock: float
    bandwidth: float
    cached: np.ndarray  # per kernel: the bytes that come from the L2 cache (speed_model.cached_per_kernel)
    conv_slowdown: float  # the run's stated layout on this card (physics.conv_layout_slowdown)
    cores: float  # the card's FP32 (CUDA-core) rate in FLOP/s at boost; 0 where no such term applies

    def seconds(self, eff: tuple[float, float, float], launch: float, overhead: float, core: float,
                clock: float | None = None) -> float:
        dot, conv, bw = eff
        clock = self.clock if clock is None else clock
        compute = (self.flops_dot / (self.peak * clock * dot)
                   + self.flops_conv * self.conv_slowdown / (self.peak * clock * conv))
        memory = (self.bytes - self.cached) / (self.bandwidth * bw) + self.cached / (
            self.bandwidth * bw * speed_model.L2_SPEEDUP)
        if self.cores and core:
            memory = memory + self.bytes / (self.cores * core)
        return float(np.maximum(compute, memory).sum()) + self.launches * launch + overhead


@dataclass
class Fitted:
    """Efficiencies per group, the pooled ones, and the bytes a memory-bound kernel moves per FP32 FLOP
    of the card's cores (speed_model.core_rate)."""

    params: dict
    pooled: dict
    core: float


def rows_of(entries: list[dict], catalog, home: Path) -> list[Row]:
    found = []
    for entry in entries:
        acc = catalog.accelerator(entry["accelerator"])
        planned = load_profile(entry["model"], accelerator_plan_dtype(entry["dtype"]), home)
        planned_all = planned.work(entry["batch"])
        work = [k for k in planned_all if k.kind != "convert"]
        peak = physics.matrix_path(acc, entry["dtype"]).flops
        if peak is None or not acc.memory_bandwidth_gbs:
            raise SystemExit(f"{acc.key}: the catalog lacks a spec the predictor needs")
        try:
            slowdown = physics.conv_layout_slowdown(acc, entry["dtype"], entry.get("layout"))
        except ValueError as exc:
            raise SystemExit(f"{PUBLISHED.name}: {entry['publisher']} {entry['model']} on {acc.key}: {exc}") from None
        published = entry["batch"] / entry["value"] if entry["unit"] in THROUGHPUT_UNITS else entry["value"]
        # A table pairs rows of one precision class: mixed precision is bfloat16 where a GPU has it and
        # float16 elsewhere, and one publisher's AMP column compares the two.
        table = (entry["publisher"], entry["source"], entry["model"], physics.precision(entry["dtype"]), entry["unit"])
        found.append(Row(entry, acc, speed_model.error_group(acc, entry["dtype"]), table,
                         published,
                         np.array([k.flops if k.kind == "dot" else 0.0 for k in work]),
                         np.array([k.flops if k.kind == "conv" else 0.0 for k in work]),
                         np.array([speed_model.accelerator_bytes(k, entry["dtype"]) for k in work]),
                         len(work), peak, physics.clock(acc).centre, acc.memory_bandwidth_gbs * 1e9,
                         np.array([c for k, c in zip(planned_all, speed_model.cached_per_kernel(
                             planned_all, acc), strict=True) if k.kind != "convert"]),
                         slowdown, speed_model.core_flops(acc)))
    return found


def efficiency_of(row: Row, fitted: Fitted) -> tuple[float, float, float]:
    return fitted.params.get(row.group) or fitted.pooled[physics.precision(row.entry["dtype"])]


def predicted(row: Row, fitted: Fitted, model: speed_model.SpeedModel) -> float:
    return row.seconds(efficiency_of(row, fitted), model.launch_seconds, model.step_overhead_seconds[1], fitted.core)


def clock_sigma(row: Row, fitted: Fitted, model: speed_model.SpeedModel) -> float:
    """The part of the card's clock band that reaches this step (speed_model.clock_share_of): its clock's
    sigma times how much of the step's time scales with the clock."""
    clock = physics.clock(row.acc)
    if clock.low >= 1.0:
        return 0.0
    eff = efficiency_of(row, fitted)
    fast = row.seconds(eff, model.launch_seconds, model.step_overhead_seconds[1], fitted.core, 1.0)
    slow = row.seconds(eff, model.launch_seconds, model.step_overhead_seconds[1], fitted.core, clock.low)
    return speed_model.clock_share_of(fast, slow, clock.low) * clock.sigma


def huber(error: float) -> float:
    """Squared up to HUBER in log space, linear beyond: a row far off pulls no harder than a plain miss."""
    return error * error if abs(error) <= HUBER else 2 * HUBER * abs(error) - HUBER * HUBER


def objective(rows: list[Row], fitted: Fitted, model) -> float:
    """Robust log errors of each row against its table's median (ratios, not levels), plus the pull."""
    by_table: dict[tuple, list[float]] = {}
    for row in rows:
        by_table.setdefault(row.table, []).append(math.log(predicted(row, fitted, model) / row.published))
    total = sum(sum(huber(r - statistics.median(rs)) for r in rs) for rs in by_table.values() if len(rs) > 1)
    for group, eff in fitted.params.items():
        prior = fitted.pooled[group.split("/")[1]]
        total += SHRINK * sum(math.log(e / p) ** 2 for e, p in zip(eff, prior, strict=True))
    return total


def fit(rows: list[Row], model) -> tuple[Fitted, float]:
    """Efficiencies per group found in `rows`, the pooled ones and the cores' bytes per FLOP, and the
    level scale applied to all."""
    pooled = {"full": (0.8, 0.75, 0.8), "half": (0.8, 0.75, 0.8)}
    groups = sorted({r.group for r in rows})
    fitted = Fitted({g: pooled[g.split("/")[1]] for g in groups}, pooled, CORE_START)
    params = fitted.params
    for _sweep in range(3):
        for group in groups:
            for index in range(2):  # matmul and convolution efficiencies: per group
                base = params[group]
                scores = []
                for factor in GRID:
                    trial = list(base)
                    trial[index] = min(1.0, base[index] * factor)
                    params[group] = tuple(trial)
                    scores.append((objective(rows, fitted, model), tuple(trial)))
                params[group] = min(scores)[1]
        for precision in ("full", "half"):  # bandwidth: one physical fraction per precision, at most 1
            members = [g for g in groups if g.endswith(precision)]
            base_bw = pooled[precision][2]
            scores = []
            for factor in GRID:
                bw = min(1.0, base_bw * factor)
                for g in members:
                    params[g] = (*params[g][:2], bw)
                pooled[precision] = (*pooled[precision][:2], bw)
                scores.append((objective(rows, fitted, model), bw))
            bw = min(scores)[1]
            for g in members:
                params[g] = (*params[g][:2], bw)
            pooled[precision] = (*pooled[precision][:2], bw)
        # The cores' bytes per FLOP: one figure for every GPU; 0 (no such term) is among the trials.
        base_core = fitted.core or CORE_START
        scores = []
        for core in (0.0, *(base_core * factor for factor in GRID)):
            fitted.core = core
            scores.append((objective(rows, fitted, model), core))
        fitted.core = min(scores)[1]
        for precision in ("full", "half"):  # the pool follows the fitted groups (geometric mean)
            members = [params[g] for g in groups if g.endswith(precision)]
            if members:
                pooled[precision] = tuple(math.exp(statistics.mean(math.log(m[i]) for m in members)) for i in range(3))
    # The level: one scale on every rate so absolute step times are right on average.
    level = math.exp(statistics.mean(math.log(predicted(r, fitted, model) / r.published)
                                     for r in rows if r.entry["unit"] == "samples/s"))
    scale = lambda e: (min(1.0, e[0] * level), min(1.0, e[1] * level), min(1.0, e[2] * level))  # noqa: E731
    return Fitted({g: scale(e) for g, e in params.items()}, {p: scale(e) for p, e in pooled.items()},
                  fitted.core * level), level


def pairs(rows: list[Row], fitted: Fitted, model) -> list[dict]:
    by_table: dict[tuple, list[Row]] = {}
    for row in rows:
        by_table.setdefault(row.table, []).append(row)
    found = []
    for members in by_table.values():
        times = [predicted(r, fitted, model) for r in members]
        for i in range(len(members)):
            for j in range(i + 1, len(members)):
                a, b = members[i], members[j]
                batch_a, batch_b = a.entry["batch"], b.entry["batch"]
                published = (batch_a / a.published) / (batch_b / b.published)  # a's throughput over b's
                ratio = (batch_a / times[i]) / (batch_b / times[j])
                found.append({"a": a, "b": b, "published": published, "predicted": ratio,
                              "log_error": math.log(ratio / published)})
    return found


def sigmas(held_out: list[dict]) -> tuple[dict, float]:
    """Per group: sqrt(mean of half the squared log error) over held-out pairs touching it."""
    shares: dict[str, list[float]] = {}
    for p in held_out:
        for row in (p["a"], p["b"]):
            shares.setdefault(row.group, []).append(p["log_error"] ** 2 / 2)
    everything = [p["log_error"] ** 2 / 2 for p in held_out]
    pooled = math.sqrt(statistics.mean(everything)) if everything else 0.2
    return {g: math.sqrt(statistics.mean(v)) for g, v in shares.items() if len(v) >= 3}, pooled


def widest_unfitted(table: dict, pooled: float, precision: str) -> float:
    """The sigma of a group without a fit checked by a second publisher: UNFITTED_WIDER times the pooled
    held-out sigma, and never narrower than any fitted group's of the same precision ('full' or 'half'),
    so that an unfitted band is always the wider one."""
    return max([pooled * UNFITTED_WIDER] + [s for g, s in table.items() if g.endswith("/" + precision)])


def sigma_of(group: str, table: dict, pooled: float, fitted: bool) -> float:
    if fitted:
        return table.get(group, pooled)
    return max(table.get(group, pooled) * UNFITTED_WIDER, widest_unfitted(table, pooled, group.split("/")[-1]))


def publishers_of(rows: list[Row]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for row in rows:
        found.setdefault(row.group, set()).add(row.entry["publisher"])
    return found


def leave_one_out(rows: list[Row], model) -> tuple[list[dict], list[float]]:
    """Held-out pairs (ratio errors) and held-out rows' absolute log errors, one publisher out at a time."""
    publishers = sorted({r.entry["publisher"] for r in rows})
    held: dict[str, list[dict]] = {}
    absolute: list[float] = []
    cores: dict[str, float] = {}
    for publisher in publishers:
        train = [r for r in rows if r.entry["publisher"] != publisher]
        fitted, _ = fit(train, model)
        cores[publisher] = fitted.core
        absolute += [math.log(predicted(r, fitted, model) / r.published) for r in rows
                     if r.entry["publisher"] == publisher and r.entry["unit"] == "samples/s"]
        found = pairs([r for r in rows if r.entry["publisher"] == publisher], fitted, model)
        sources = publishers_of(train)
        for p in found:
            p["publisher"] = publisher
            # a group fitted on one publisher only counts as unfitted: nothing checked it against another
            p["fitted"] = tuple(r.group in fitted.params and len(sources.get(r.group, ())) > 1
                                for r in (p["a"], p["b"]))
            p["clock_sigma"] = tuple(clock_sigma(r, fitted, model) for r in (p["a"], p["b"]))
        held[publisher] = found
    for publisher, found in held.items():  # bands from the other publishers' held-out residuals only
        table, pooled = sigmas([p for other, ps in held.items() if other != publisher for p in ps])
        for p in found:
            sa = sigma_of(p["a"].group, table, pooled, p["fitted"][0])
            sb = sigma_of(p["b"].group, table, pooled, p["fitted"][1])
            p["sigma"] = math.sqrt(sa ** 2 + sb ** 2 + p["clock_sigma"][0] ** 2 + p["clock_sigma"][1] ** 2)
            p["inside"] = abs(p["log_error"]) <= Z * p["sigma"]
    print("cores' bytes per FLOP, fitted without each publisher: "
          + ", ".join(f"{publisher} {core:.3g}" for publisher, core in cores.items()))
    return [p for found in held.values() for p in found], absolute


def report(held: list[dict]) -> bool:
    print(f"{'publisher':<16} {'model':<15} {'dtype':<8} {'a':<16} {'b':<16} {'published':>9} {'predicted':>9} "
          f"{'error':>7} {'band x/÷':>8}")
    for p in sorted(held, key=lambda p: (p["publisher"], p["a"].entry["model"], p["a"].entry["dtype"])):
        a, b = p["a"].entry, p["b"].entry
        print(f"{p['publisher']:<16} {a['model']:<15} {a['dtype']:<8} {a['accelerator']:<16} {b['accelerator']:<16} "
              f"{p['published']:9.2f} {p['predicted']:9.2f} {math.exp(p['log_error']) - 1:+7.1%} "
              f"{math.exp(Z * p['sigma']):8.2f}{'' if p['inside'] else '  outside'}")
    errors = [abs(math.exp(p["log_error"]) - 1) for p in held]
    worst = max(held, key=lambda p: abs(p["log_error"]))
    inside = sum(p["inside"] for p in held) / len(held)
    median = statistics.median(errors)
    t4 = [p for p in held if "t4" in (p["a"].acc.key, p["b"].acc.key)]
    t4_ok = all(abs(math.exp(p["log_error"]) - 1) <= 0.20 for p in t4)
    print(f"\nleave-one-publisher-out, {len(held)} held-out pairs:")
    for publisher in sorted({p["publisher"] for p in held}):
        mine = [p for p in held if p["publisher"] == publisher]
        errs = [abs(math.exp(p["log_error"]) - 1) for p in mine]
        worst_mine = max(abs(p["log_error"]) for p in mine)
        print(f"  {publisher:<16} {len(mine):3d} pairs, median |ratio error| {statistics.median(errs):.1%}, "
              f"worst {math.exp(worst_mine):.2f}x, inside band {sum(p['inside'] for p in mine) / len(mine):.0%}")
    print(f"  median |ratio error| {median:.1%} (target <= 12 %) {verdict(median <= 0.12)}")
    print(f"  worst pair {math.exp(abs(worst['log_error'])):.3f}x ({worst['a'].acc.key} vs {worst['b'].acc.key}, "
          f"{worst['a'].entry['model']} {worst['a'].entry['dtype']}, {worst['publisher']}) (target <= 1.5x) "
          f"{verdict(math.exp(abs(worst['log_error'])) <= 1.5)}")
    print(f"  inside the 10-90 % band: {inside:.0%} (target >= 80 %) {verdict(inside >= 0.8)}")
    print(f"  T4 pairs ({len(t4)}), target each within 20 % {verdict(t4_ok and bool(t4))}:")
    for p in t4:
        print(f"    {p['a'].acc.key} vs {p['b'].acc.key} {p['a'].entry['model']} {p['a'].entry['dtype']} "
              f"({p['publisher']}): {math.exp(p['log_error']) - 1:+.1%}")
    l4 = [p for p in held if "l4" in (p["a"].acc.key, p["b"].acc.key)]
    print(f"  L4 pairs ({len(l4)}):")
    for p in l4:
        print(f"    {p['a'].acc.key} vs {p['b'].acc.key} {p['a'].entry['model']} {p['a'].entry['dtype']} "
              f"({p['publisher']}): {math.exp(p['log_error']) - 1:+.1%}")
    return median <= 0.12 and math.exp(abs(worst["log_error"])) <= 1.5 and inside >= 0.8 and t4_ok


def write_model(rows: list[Row], held: list[dict], absolute: list[float], model) -> None:
    fitted, level = fit(rows, model)
    params, pooled = fitted.params, fitted.pooled
    table, pooled_sigma = sigmas(held)
    own = statistics.mean(table.get(r.group, pooled_sigma) ** 2 for r in rows)
    level = math.sqrt(max(0.0, statistics.mean(e ** 2 for e in absolute) - own))
    spread = {}
    for precision in ("full", "half"):
        # the pooled efficiencies stand in for an architecture's own: the held-out error plus how far
        # the fitted architectures' efficiencies lie apart, and never narrower than the validation's band
        members = [e for g, e in params.items() if g.endswith(precision)]
        logs = [statistics.pvariance([math.log(m[i]) for m in members]) for i in range(3)] if len(members) > 1 else [0]
        spread[precision] = max(math.sqrt(pooled_sigma ** 2 + statistics.mean(logs)),
                                widest_unfitted(table, pooled_sigma, precision))
    data = {
        "schema": speed_model.MODEL_SCHEMA,
        "note": "written by scripts/validate_predictions.py --write: efficiencies fitted on every publisher of "
                "benchmarks/reference/published.toml; sigmas from leave-one-publisher-out residuals "
                "(groups with fewer than 3 held-out pairs take the pooled sigma)",
        "publishers": sorted({r.entry["publisher"] for r in rows}),
        "rows": len(rows),
        "level": round(level, 4),
        "efficiency": {g: [round(x, 4) for x in e] for g, e in sorted(params.items())},
        "sigma": {g: round(table.get(g, pooled_sigma), 4) for g in sorted(params)},
        "pooled": {p: [round(x, 4) for x in e] for p, e in pooled.items()},
        "sigma_unfitted": {p: round(s, 4) for p, s in spread.items()},
        "sigma_level": round(level, 4),
        "core_bytes_per_flop": round(fitted.core, 4),
        "launch_seconds": model.launch_seconds,
        "step_overhead_seconds": list(model.step_overhead_seconds),
        "single_publisher": {g: next(iter(ps)) for g, ps in sorted(publishers_of(rows).items()) if len(ps) == 1},
    }
    speed_model.MODEL_PATH.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"\nwrote {speed_model.MODEL_PATH.relative_to(ROOT)}")


def references(catalog) -> None:
    """The H100 AutoEncoder runs against the shipped preset profiles' predictions."""
    print("\nH100 AutoEncoder references (python-loop step, measured vs predicted from the shipped profile):")
    acc = catalog.accelerator("h100")
    for path in sorted(REFERENCES.glob("[a-z]*-[bf]*.json")):
        if path.name.startswith(("profile-", "speed-")):
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        preset, dtype, batch = data["config"]["preset"], data["config"]["dtype"], data["batch_size"]
        measured = data["summary"]["python_loop"]["median"]
        speed = predict_preset(preset, dtype, batch, acc)
        inside = speed.low <= measured <= speed.high
        print(f"  {preset:<7} {dtype:<9} measured {measured * 1e3:7.3f} ms   predicted {speed.seconds * 1e3:7.3f} ms "
              f"[{speed.low * 1e3:.3f}, {speed.high * 1e3:.3f}]  {'inside' if inside else 'OUTSIDE'}")


def memory_fit(entries: list[dict], catalog, home: Path) -> None:
    """Largest batch predicted to fit against the batch each published run used (which did fit)."""
    print("\nLargest batch that fits, predicted vs the batch the published run used (a lower bound):")
    values = []
    for entry in entries:
        if entry["unit"] != "samples/s" or "batch_note" in entry:
            continue
        profile = load_profile(entry["model"], accelerator_plan_dtype(entry["dtype"]), home)
        values.append((max_batch(profile, catalog.accelerator(entry["accelerator"])) / entry["batch"], entry))
    values.sort(key=lambda v: v[0])
    below = [v for v in values if v[0] < 1.0]
    print(f"  {len(values)} runs: predicted / published batch median {statistics.median(v[0] for v in values):.2f}, "
          f"range {values[0][0]:.2f}-{values[-1][0]:.2f}; predicted below the published batch in {len(below)}")
    for ratio, entry in below:
        print(f"    {entry['publisher']} {entry['model']} {entry['dtype']} on {entry['accelerator']}: "
              f"published {entry['batch']}, predicted {ratio * entry['batch']:.0f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=None, help="data folder holding the profile cache")
    parser.add_argument("--write", action="store_true", help="refit on every publisher and write the model file")
    args = parser.parse_args()
    home = args.home or Path(os.environ.get("COLAB_ADVISOR_HOME") or Path.home() / ".colab-advisor-validation")
    entries = tomllib.loads(PUBLISHED.read_text(encoding="utf-8"))["measurement"]
    catalog = load_catalog()
    model = speed_model.speed_model()
    rows = rows_of(entries, catalog, home)
    held, absolute = leave_one_out(rows, model)
    ok = report(held)
    print(f"  absolute step time, {len(absolute)} held-out rows: median |error| "
          f"{statistics.median(abs(math.exp(e) - 1) for e in absolute):.1%}")
    if args.write:
        write_model(rows, held, absolute, model)
        speed_model.speed_model.cache_clear()
    references(catalog)
    memory_fit(entries, catalog, home)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
