"""One bad record never breaks the tool: each abuse is refused in one line, or costs only its own file.

Every case runs on real files in a temporary data folder, through the command line.
"""

from __future__ import annotations

import json
import os
import threading
import time
import zlib
from pathlib import Path

import pytest

from advisor.results.share import encode_token
from advisor.results.store import Store
from tests.advisor.cli_helpers import Outcome, run_cli
from tests.advisor.results.test_share import token_with_payload
from tests.helpers import make_environment, make_measurement

GOOD = make_measurement(step=0.010)
OTHER = make_measurement(step=0.020, environment=make_environment(timestamp="2026-11-21T10:00:00+00:00"))


def nested(depth: int) -> object:
    value: object = 0
    for _ in range(depth):
        value = [value]
    return value


def mutated(path: tuple[str, ...], value: object) -> dict:
    data = GOOD.to_dict()
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


# (what, the record's JSON text): every one of these must be refused.
HOSTILE_TEXTS = {
    "lone surrogate in a text field": json.dumps(mutated(("environment", "device_kind"), "T4")).replace(
        '"device_kind": "T4"', '"device_kind": "\\ud800"'),
    "integer of 400 digits": json.dumps(mutated(("batch_size",), 0)).replace(
        '"batch_size": 0', '"batch_size": ' + "9" * 400),
    "1e999 in config": json.dumps(mutated(("config", "budget_seconds"), 1.0)).replace(
        '"budget_seconds": 1.0', '"budget_seconds": 1e999'),
    "schema version of 5000 digits": json.dumps(mutated(("schema",), "colab-advisor/measurement/v" + "1" * 5000)),
    "a sample of 5e-324": json.dumps(mutated(("python_loop", "samples"), [5e-324])),
    "samples of 1e308": json.dumps(mutated(("python_loop", "samples"), [1e308, 1e308])),
    "config.seed nested 600 deep": json.dumps(mutated(("config", "seed"), nested(600))),
    "a boolean preset": json.dumps(mutated(("config", "preset"), True)),
    "a string seed": json.dumps(mutated(("config", "seed"), "zero")),
    "an escape code in config": json.dumps(mutated(("config", "dtype"), "float32\x1b[2J")),
    "a 500 kB config value": json.dumps(mutated(("config", "device"), "x" * 500_000)),
    "an unknown config field": json.dumps(mutated(("config", "payload"), "x")),
    "right-to-left override in the device": json.dumps(mutated(("environment", "device_kind"), "T4\u202e")),
    "zero-width space in the device": json.dumps(mutated(("environment", "device_kind"), "T\u200b4")),
    "line separator in the device": json.dumps(mutated(("environment", "device_kind"), "T4\u2028x")),
    "OSC title sequence in the CPU": json.dumps(mutated(("environment", "host_cpu"), "\x1b]0;owned\x07")),
    "year 9999": json.dumps(mutated(("environment", "timestamp"), "9999-12-31T23:00:00-09:00")),
    "a timestamp two days ahead": json.dumps(mutated(("environment", "timestamp"), "2099-01-01T00:00:00+00:00")),
}


def one_line_error(out: Outcome) -> str:
    assert out.code == 2, out
    assert out.stdout == ""
    assert out.stderr.startswith("error: ") and out.stderr.count("\n") == 1, out.stderr
    assert "Traceback" not in out.stderr and "\x1b" not in out.stderr and "\u202e" not in out.stderr
    return out.stderr


@pytest.mark.parametrize("what", sorted(HOSTILE_TEXTS))
def test_a_hostile_result_file_is_refused_by_import_and_nothing_is_stored(tmp_path, what):
    path = tmp_path / "result.json"
    path.write_text(HOSTILE_TEXTS[what], encoding="utf-8")
    one_line_error(run_cli(["import", str(path)], tmp_path / "home"))
    assert not (tmp_path / "home" / "results").exists() or not list((tmp_path / "home" / "results").iterdir())


@pytest.mark.parametrize("what", sorted(HOSTILE_TEXTS))
def test_a_hostile_token_is_refused_by_import(tmp_path, what):
    token = token_with_payload(zlib.compress(HOSTILE_TEXTS[what].encode("utf-8", "surrogatepass")))
    one_line_error(run_cli(["import", token], tmp_path))


@pytest.fixture
def home_with_every_hostile_file(tmp_path) -> Path:
    store = Store(tmp_path)
    store.save(GOOD)
    store.save(OTHER)
    for i, what in enumerate(sorted(HOSTILE_TEXTS)):
        (store.results / f"20261101T0000{i:02d}-{i:010x}.json").write_text(HOSTILE_TEXTS[what], encoding="utf-8")
    return tmp_path


def test_history_lists_the_good_results_and_names_each_bad_file_once(home_with_every_hostile_file):
    out = run_cli(["history"], home_with_every_hostile_file)
    assert out.code == 0
    assert GOOD.id in out.stdout and OTHER.id in out.stdout
    warnings = out.stderr.splitlines()
    assert len(warnings) == len(HOSTILE_TEXTS)
    assert all(line.startswith("warning: skipped 20261101T0000") for line in warnings)
    assert "\x1b" not in out.stderr and "\u202e" not in out.stderr


def test_history_json_names_the_skipped_files(home_with_every_hostile_file):
    out = run_cli(["history", "--json"], home_with_every_hostile_file)
    payload = json.loads(out.stdout)
    assert {m["id"] for m in payload["measurements"]} == {GOOD.id, OTHER.id}
    assert len(payload["skipped"]) == len(HOSTILE_TEXTS)


def test_compare_and_recommend_still_work_beside_bad_files(home_with_every_hostile_file):
    home = home_with_every_hostile_file
    compared = run_cli(["compare", "latest", GOOD.id], home)
    assert compared.code == 0 and OTHER.id in compared.stdout and GOOD.id in compared.stdout
    advised = run_cli(["recommend", "--model", "deep", "--epochs", "10", "--samples", "60000", "--preset", "medium"],
                      home)
    assert advised.code == 0, advised.stderr


def test_a_stored_file_with_a_lone_surrogate_costs_only_itself(tmp_path):
    store = Store(tmp_path)
    store.save(GOOD)
    (store.results / "20261120T000000-badbadbad0.json").write_text(
        HOSTILE_TEXTS["lone surrogate in a text field"], encoding="utf-8")
    out = run_cli(["history"], tmp_path)
    assert out.code == 0 and GOOD.id in out.stdout
    assert out.stderr.startswith("warning: skipped 20261120T000000-badbadbad0.json")


# ---- what reaches the terminal or a markdown table ----------------------------------------------
def test_markdown_cells_escape_pipes_backticks_stars_underscores_and_angle_brackets(tmp_path):
    odd = make_measurement(environment=make_environment(
        platform="gpu", device_kind="A|B `x` *y* _z_ <script>"))
    Store(tmp_path).save(odd)
    out = run_cli(["history", "--format", "markdown"], tmp_path)
    row = next(line for line in out.stdout.splitlines() if odd.id in line)
    assert r"A\|B \`x\` \*y\* \_z\_ &lt;script>" in row
    assert row.count("|") - row.count(r"\|") == len(row.split(" | ")) + 1  # escaped pipes split no cell


# ---- files that are not regular files ------------------------------------------------------------
def finishes_within(seconds: float, call) -> object:
    outcome: dict[str, object] = {}
    worker = threading.Thread(target=lambda: outcome.setdefault("value", call()), daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"still running after {seconds} s"
    return outcome["value"]


needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")


@needs_fifo
def test_import_of_a_fifo_is_refused_at_once(tmp_path):
    fifo = tmp_path / "result.json"
    os.mkfifo(fifo)
    out = finishes_within(5, lambda: run_cli(["import", str(fifo)], tmp_path / "home"))
    assert "not a regular file" in one_line_error(out)  # type: ignore[arg-type]


@needs_fifo
def test_a_fifo_as_catalog_is_refused_at_once(tmp_path):
    fifo = tmp_path / "catalog.toml"
    os.mkfifo(fifo)
    out = finishes_within(5, lambda: run_cli(["plans", "--catalog", str(fifo)], tmp_path))
    assert "not a regular file" in one_line_error(out)  # type: ignore[arg-type]


@needs_fifo
def test_a_fifo_lying_in_results_is_skipped_with_a_warning(tmp_path):
    store = Store(tmp_path)
    store.save(GOOD)
    os.mkfifo(store.results / "20261120T000000-fifofifo00.json")
    out = finishes_within(5, lambda: run_cli(["history"], tmp_path))
    assert out.code == 0 and GOOD.id in out.stdout  # type: ignore[attr-defined]
    assert "not a regular file" in out.stderr  # type: ignore[attr-defined]


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_catalog_dev_zero_is_refused_at_once(tmp_path):
    out = finishes_within(5, lambda: run_cli(["plans", "--catalog", "/dev/zero"], tmp_path))
    assert "not a regular file" in one_line_error(out)  # type: ignore[arg-type]


def test_a_200_mb_catalog_is_refused_by_its_size_before_reading(tmp_path):
    huge = tmp_path / "catalog.toml"
    with huge.open("wb") as handle:
        handle.truncate(200 * 1024 * 1024)  # sparse: costs no disk, reads as 200 MB of zeros
    start = time.perf_counter()
    message = one_line_error(run_cli(["plans", "--catalog", str(huge)], tmp_path))
    assert "209,715,200 bytes is larger than a catalog may be" in message
    assert time.perf_counter() - start < 5


def test_a_catalog_override_dated_2099_is_refused(tmp_path):
    path = tmp_path / "catalog.toml"
    path.write_text('[[cu_rate]]\naccelerator = "t4"\nas_of = 2099-01-01\ncu_per_hour = 1.2\nsource = "me"\n')
    assert "2099-01-01 is after today" in one_line_error(run_cli(["plans", "--catalog", str(path)], tmp_path))


def test_a_catalog_name_with_an_escape_sequence_is_refused_without_printing_it(tmp_path):
    path = tmp_path / "catalog.toml"
    path.write_text('[[accelerator]]\nkey = "t4"\nname = "T4\\u001b]0;owned\\u0007"\nkind = "gpu"\n'
                    'source = "me"\nas_of = 2026-01-01\n')
    assert "(found U+001B)" in one_line_error(run_cli(["hardware", "--catalog", str(path)], tmp_path))


# ---- time ------------------------------------------------------------------------------------------
def test_results_are_ordered_by_their_utc_time_not_their_text(tmp_path):
    # 10:30 at +09:00 is 01:30 UTC: earlier than 05:00 UTC although its text sorts later.
    tokyo = make_measurement(step=0.03, environment=make_environment(timestamp="2026-11-21T10:30:00+09:00"))
    utc = make_measurement(step=0.04, environment=make_environment(timestamp="2026-11-21T05:00:00+00:00"))
    store = Store(tmp_path)
    store.save(utc)
    store.save(tokyo)
    assert [e.measurement for e in store.load_all()[0]] == [tokyo, utc]
    assert store.find("latest").measurement == utc
    history = run_cli(["history", "--json"], tmp_path)
    assert [m["id"] for m in json.loads(history.stdout)["measurements"]] == [tokyo.id, utc.id]


# ---- interrupted saves -----------------------------------------------------------------------------
def test_a_temp_file_older_than_an_hour_is_removed_at_the_next_save_and_a_fresh_one_kept(tmp_path):
    store = Store(tmp_path)
    store.save(GOOD)
    stale = store.results / ".20261120T000000-aaaaaaaaaa.json.x1.tmp"
    fresh = store.results / ".20261120T000000-bbbbbbbbbb.json.x2.tmp"
    for path in (stale, fresh):
        path.write_text("{half a rec")
    two_hours_ago = time.time() - 7200
    os.utime(stale, (two_hours_ago, two_hours_ago))
    store.save(OTHER)
    assert not stale.exists() and fresh.exists()
    assert run_cli(["history"], tmp_path).stderr == ""  # temp files are never read as results


# ---- scale: lookups read what they need ----------------------------------------------------------
@pytest.fixture
def counted_reads(monkeypatch):
    reads: list[str] = []
    original = Store._read

    def counting(self, name):
        reads.append(name)
        return original(self, name)

    monkeypatch.setattr(Store, "_read", counting)
    return reads


def many(count: int) -> list:
    return [make_measurement(step=0.001 * (i + 1), environment=make_environment(
        timestamp=f"2026-11-{1 + i // 24:02d}T{i % 24:02d}:00:00+00:00")) for i in range(count)]


def test_import_finds_a_duplicate_by_file_name_reading_one_file(tmp_path, counted_reads):
    store = Store(tmp_path)
    records = many(30)
    for m in records:
        store.save(m)
    counted_reads.clear()
    again = run_cli(["import", encode_token(records[7])], tmp_path)
    assert again.stdout.startswith(f"already in the history as {records[7].id}")
    assert len(counted_reads) == 1


def test_latest_and_latest_local_read_only_the_newest_files(tmp_path, counted_reads):
    store = Store(tmp_path)
    records = many(30)
    for m in records:
        store.save(m)
    counted_reads.clear()
    assert store.find("latest").measurement == records[-1]
    assert store.latest_local().measurement == records[-1]
    assert len(counted_reads) == 2
