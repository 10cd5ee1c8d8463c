"""The history: importing results and listing what is stored."""

from __future__ import annotations

import json

import pytest

from advisor.errors import AdvisorError
from advisor.render.history import history_payload, history_table, when
from advisor.render.table import envelope, render_table
from advisor.results.history import import_result
from advisor.results.origin import REFERENCE_FOLDER, origin
from advisor.results.store import Store
from benchmarks import Measurement
from tests.helpers import make_environment, make_measurement

COLAB = make_measurement(
    step=0.001,
    environment=make_environment(platform="gpu", device_kind="Tesla T4", in_colab=True,
                                 timestamp="2026-11-21T08:30:00+00:00"),
)
LOCAL = make_measurement(step=0.01)


def test_an_imported_result_is_stored_and_comes_back_equal(tmp_path):
    store = Store(tmp_path)
    entry, already_present = import_result(store, COLAB)
    assert already_present is False
    assert entry.path.is_file() and entry.measurement == COLAB
    [again], warnings = store.load_all()
    assert again.measurement == COLAB and warnings == []


def test_importing_the_same_result_twice_keeps_one_copy(tmp_path):
    store = Store(tmp_path)
    first, _ = import_result(store, COLAB)
    second, already_present = import_result(store, COLAB)
    assert already_present is True
    assert second.path == first.path
    assert len(list(store.results.glob("*.json"))) == 1


def test_a_result_measured_here_is_recognised_when_imported(tmp_path):
    store = Store(tmp_path)
    store.save(LOCAL)
    _, already_present = import_result(store, LOCAL)
    assert already_present is True


def test_a_corrupt_entry_costs_neither_an_import_nor_the_rest_of_the_history(tmp_path):
    store = Store(tmp_path)
    store.save(LOCAL)
    (store.results / "20261120T000000-broken.json").write_text('{"schema": "colab-advisor/measurement/v1", "con')
    import_result(store, COLAB)
    entries, warnings = store.load_all()
    table = history_table(entries)
    assert [row[0] for row in table.rows] == [LOCAL.id, COLAB.id]
    assert history_payload(entries, warnings)["skipped"] == warnings
    assert warnings[0].startswith("skipped 20261120T000000-broken.json")


def test_a_store_that_cannot_be_written_says_how_to_move_it(tmp_path):
    home = tmp_path / "home"
    home.write_text("a file where the data folder should be")
    with pytest.raises(AdvisorError, match="COLAB_ADVISOR_HOME"):
        import_result(Store(home), COLAB)


def test_history_rows_say_what_ran_where_and_how_fast(tmp_path):
    store = Store(tmp_path)
    store.save(LOCAL)
    import_result(store, COLAB)
    table = history_table(store.load_all()[0])
    assert list(table.headers) == ["id", "when", "where", "device", "preset", "dtype", "batch", "step time",
                                   "throughput (samples/s)"]
    assert [list(row) for row in table.rows] == [
        [LOCAL.id, "2026-11-20 10:00 UTC", "this machine", "CPU Test CPU @ 2.00GHz (2 logical cores)", "medium",
         "float32", "256", "10.00 ms", "25,600"],
        [COLAB.id, "2026-11-21 08:30 UTC", "Colab", "Tesla T4 (gpu)", "medium", "float32", "256", "1.00 ms",
         "256,000"],
    ]
    assert "compare" in table.notes[0]


def test_an_empty_history_says_how_to_fill_it():
    table = history_table([])
    assert table.rows == []
    assert "colab-advisor measure" in table.notes[0] and "import" in table.notes[0]
    assert "colab-advisor measure" in render_table(table)


def test_the_history_payload_is_json_ready(tmp_path):
    store = Store(tmp_path)
    entry, _ = import_result(store, COLAB)
    document = json.loads(envelope("history", history_payload([entry])))
    assert document["schema"] == "colab-advisor/history/v1"
    [item] = document["measurements"]
    assert item["id"] == COLAB.id
    assert item["where"] == "Colab"
    assert item["samples_per_second"] == pytest.approx(256_000)
    assert item["file"] == str(entry.path)
    assert document["skipped"] == []


@pytest.mark.parametrize(
    ("timestamp", "shown"),
    [
        ("2026-11-20T10:00:00+00:00", "2026-11-20 10:00 UTC"),
        ("2026-11-20T12:00:00+02:00", "2026-11-20 10:00 UTC"),
        ("2026-11-20T10:00:00", "2026-11-20 10:00"),
        ("yesterday", "yesterday"),
    ],
)
def test_when_shows_minutes_in_utc_and_unreadable_stamps_as_they_are(timestamp, shown):
    assert when(timestamp) == shown


def test_a_result_imported_from_elsewhere_never_reads_as_this_machine(tmp_path):
    store = Store(tmp_path)
    elsewhere = make_measurement(step=0.02, environment=make_environment(timestamp="2026-11-22T10:00:00+00:00"))
    store.save(LOCAL)
    import_result(store, elsewhere)
    entries, _ = store.load_all()
    assert [row[2] for row in history_table(entries).rows] == ["this machine", "elsewhere (imported)"]
    assert [item["where"] for item in history_payload(entries)["measurements"]] == ["this machine",
                                                                                    "elsewhere (imported)"]
    assert store.latest_local().measurement == LOCAL
    assert store.find("latest").measurement == LOCAL


def test_only_imported_results_stored_means_no_latest_of_this_machine(tmp_path):
    store = Store(tmp_path)
    import_result(store, make_measurement(step=0.02))
    with pytest.raises(AdvisorError, match="no measurement of this machine yet"):
        store.find("latest")
    with pytest.raises(AdvisorError, match="no measurement of this machine yet"):
        store.latest_local()


def test_a_shipped_reference_reads_as_one_wherever_it_is_kept(tmp_path):
    reference = Measurement.from_json((REFERENCE_FOLDER / "large-float32.json").read_text(encoding="utf-8"))
    store = Store(tmp_path)
    entry, _ = import_result(store, reference)
    assert history_table([entry]).rows[0][2] == "shipped reference"
    assert origin(reference, imported=False) == "shipped reference"


def test_a_link_in_the_results_folder_is_not_followed(tmp_path):
    store = Store(tmp_path)
    store.save(LOCAL)
    outside = tmp_path / "elsewhere.json"
    outside.write_text(LOCAL.to_json(), encoding="utf-8")  # a valid result, yet outside the store
    (store.results / "20261120T000000-link.json").symlink_to(outside)
    entries, warnings = store.load_all()
    assert [e.measurement.id for e in entries] == [LOCAL.id]
    assert warnings == ["skipped 20261120T000000-link.json: a link, not a result this store wrote: not followed"]
