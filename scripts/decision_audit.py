"""Audit the decision over random workloads: does the choice have the highest expected value, and do the
verdict, the plan lines, the table and the JSON ever contradict each other?

    python scripts/decision_audit.py [--cases 200] [--seed 1] [--local FILE | --local-device NAME]

Workloads are drawn at random (epochs, epoch seconds, runs a month, hour value, free GPU hours) on three
dates (2021-03-01, 2023-06-01, 2026-06-01) and five countries (KR, US, DE, BR, JP). Targets: 0 cases where
the chosen option's expected value trails another eligible option's by more than $20, 0 contradictions.
The table also counts paid verdicts and times each recommendation in this process.
"""

from __future__ import annotations

import argparse
import math
import random
import re
import sys
import time
from datetime import date

import _common

from advisor.decide import Workload
from advisor.decide.engine import CANNOT_TELL, DOES_NOT_PAY_OFF, PAYS_OFF, recommend
from advisor.decide.sources import Sources
from advisor.decide.tax import tax_basis
from advisor.render.recommendation import breakdown_table, recommendation_payload
from advisor.render.verdict import label, plan_sentence, verdict_sentences
from advisor.render.words import ratio, share
from benchmarks.result import Measurement
from pricing import load_catalog

DATES = (date(2021, 3, 1), date(2023, 6, 1), date(2026, 6, 1))
COUNTRIES = ("KR", "US", "DE", "BR", "JP")
TRAIL_USD = 20.0


def random_workload(rng: random.Random) -> Workload:
    return Workload(
        model="deep", epochs=rng.randint(1, 1000),
        epoch_seconds=round(math.exp(rng.uniform(math.log(5), math.log(3600))), 1),
        runs_per_month=rng.choice([0.5, 1, 2, 4, 8, 12, 20, 25, 40, 60]),
        hour_value=rng.choice([0.0, 2.0, 5.0, 10.0, 25.0, 50.0, 100.0, 1000.0, 10_000.0]), hour_value_given=True,
        setup_minutes=rng.choice([0.0, 3.0, 10.0]), months=rng.choice([1, 1, 1, 3, 6]),
        free_gpu_hours=rng.choice([None, None, None, 10.0, 50.0]),
    )


def contradictions(rec) -> list[str]:
    found = []
    table = breakdown_table(rec)
    rows = {row[0].removeprefix("→ "): row for row in table.rows}
    payload = recommendation_payload(rec)
    verdict = " ".join(verdict_sentences(rec))
    arrowed = [row[0] for row in table.rows if row[0].startswith("→ ")]
    if (rec.best is None) != (not arrowed) or (rec.best and arrowed != [f"→ {label(rec.best)}"]):
        found.append("arrow and choice differ")
    if payload["best"] != (rec.best.key if rec.best else None):
        found.append("JSON best and choice differ")
    for answer in rec.plan_answers:
        if answer.option is None:
            continue
        if label(answer.option) not in rows or f" on {answer.option.accelerator.key}" not in plan_sentence(rec, answer):
            found.append(f"plan line and table differ for {answer.plan.name}")
        ahead = rec.baseline is None or answer.option.value > rec.baseline.value
        if (answer.status == PAYS_OFF and not ahead) or (answer.status == DOES_NOT_PAY_OFF and ahead):
            found.append(f"{answer.plan.name} status against the expected values")
        if answer.status not in (PAYS_OFF, DOES_NOT_PAY_OFF, CANNOT_TELL) and answer.option is not None:
            found.append(f"{answer.plan.name} has an option yet no status")
    if rec.best is not None and not rec.best.is_local and rec.best.speedup is not None:
        speed = rows[label(rec.best)][table.headers.index("speed")]
        shown = ratio(rec.best.speedup if rec.best.speedup >= 1 else 1 / rec.best.speedup)
        if speed != ratio(rec.best.speedup) or f"about {shown}" not in verdict:
            found.append("verdict and table speed-ups differ")
    lead = next((s for s in verdict_sentences(rec) if not s.startswith("No option is known to have")), "")
    if rec.best is not None and lead.startswith("Pay for") == rec.best.costs_nothing:
        found.append("pay verdict on a free choice, or the reverse")
    for option in (rec.local, *rec.options):
        if re.search(rf"{re.escape(label(option))}(?![\w-])", verdict) and label(option) not in rows:
            found.append(f"the verdict names {label(option)}, which the table does not show")
    by_label = {o["label"]: o for o in payload["options"]}
    for name, row in rows.items():
        cell = row[table.headers.index("best")]
        if cell != "-" and cell != share(by_label[name]["p_plan_best"]):
            found.append(f"the table's share for {name} is not its JSON p_plan_best")
    for hours in re.findall(r"buys ([\d,.]+) h less waiting", verdict):
        if float(hours.replace(",", "")) > 730.5 * rec.workload.months:
            found.append("more hours saved than the horizon has")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--local", help="a result file standing for this machine (default: --local-device)")
    parser.add_argument("--local-device", default="laptop-cpu")
    options = parser.parse_args()
    rng = random.Random(options.seed)
    catalogs = {day: load_catalog(day) for day in DATES}
    trailing, contradicted, paid, free_chosen, unsure = [], [], 0, 0, 0
    seconds = []
    for case in range(options.cases):
        day, country = rng.choice(DATES), rng.choice(COUNTRIES)
        catalog = catalogs[day]
        if options.local:
            with open(options.local, encoding="utf-8") as handle:
                sources = Sources(local=Measurement.from_json(handle.read()))
        else:
            sources = Sources(local_device=catalog.accelerator(options.local_device))
        workload = random_workload(rng)
        start = time.perf_counter()
        rec = recommend(workload, sources, catalog, tax_basis(catalog, country=country))
        seconds.append(time.perf_counter() - start)
        if rec.best is None:
            continue
        eligible = [o for o in (rec.local, *rec.options) if o.usable]
        known = [o for o in eligible if "ram" not in o.unknowns] or eligible
        top = max(o.value for o in known)
        if top - rec.best.value > TRAIL_USD:
            trailing.append((case, workload, top - rec.best.value))
        found = contradictions(rec)
        if found:
            contradicted.append((case, found))
        paid += not rec.best.costs_nothing
        free_chosen += rec.best.costs_nothing and not rec.best.is_local
        unsure += not rec.sure
    ordered = sorted(seconds)
    print(f"{options.cases} random workloads, seed {options.seed}, dates {', '.join(map(str, DATES))}, "
          f"countries {', '.join(COUNTRIES)}")
    print(f"paid verdicts {paid}, free-option verdicts {free_chosen}, 'cannot tell' {unsure}")
    print(_common.target_line("cases where the choice trails another option by more than $20", len(trailing), 0, ""))
    print(_common.target_line("cases with a contradiction", len(contradicted), 0, ""))
    print(f"recommend in this process: median {_common.median(seconds) * 1e3:.0f} ms, "
          f"max {ordered[-1] * 1e3:.0f} ms")
    for case, found in contradicted[:10]:
        print(f"  case {case}: {'; '.join(found)}")
    for case, workload, gap in trailing[:10]:
        print(f"  case {case}: trails by ${gap:,.2f}: {workload}")
    return 0 if not trailing and not contradicted else 1


if __name__ == "__main__":
    sys.exit(main())
