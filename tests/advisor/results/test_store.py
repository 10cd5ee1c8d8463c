import os

import pytest

from advisor.errors import AdvisorError
from advisor.files import atomic_write
from advisor.results.store import Store
from tests.helpers import make_environment, make_measurement


def test_saved_measurements_come_back_oldest_first(tmp_path):
    store = Store(tmp_path)
    newer = make_measurement(environment=make_environment(timestamp="2026-11-21T10:00:00+00:00"))
    older = make_measurement(step=0.02)
    store.save(newer)
    store.save(older)
    entries, warnings = store.load_all()
    assert [e.measurement for e in entries] == [older, newer]
    assert warnings == []


def test_a_corrupt_entry_is_skipped_with_a_warning_and_costs_nothing_else(tmp_path):
    store = Store(tmp_path)
    store.save(make_measurement())
    (store.results / "20261120T000000-broken.json").write_text('{"schema": "colab-advisor/measurement/v1", "con')
    entries, warnings = store.load_all()
    assert len(entries) == 1
    assert len(warnings) == 1 and warnings[0].startswith("skipped 20261120T000000-broken.json")


def test_find_by_latest_and_by_id_prefix(tmp_path):
    store = Store(tmp_path)
    first = make_measurement()
    second = make_measurement(environment=make_environment(timestamp="2026-11-22T10:00:00+00:00"))
    store.save(first)
    store.save(second)
    assert store.find("latest").measurement == second
    assert store.find(first.id[:6]).measurement == first


def test_find_in_an_empty_store_says_how_to_make_a_measurement(tmp_path):
    with pytest.raises(AdvisorError, match="run `colab-advisor measure`"):
        Store(tmp_path).find("latest")


def test_a_failed_write_leaves_the_old_file_and_no_temp_file(tmp_path, monkeypatch):
    target = tmp_path / "data.json"
    target.write_text("old")

    def crash(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        atomic_write(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["data.json"]


def test_a_saved_file_is_named_by_its_utc_time_and_id_only(tmp_path):
    odd = make_measurement(environment=make_environment(timestamp="2026-11-20T10:00:00-07:00"))
    path = Store(tmp_path).save(odd)
    assert path.parent == tmp_path / "results"
    assert path.name == f"20261120T170000-{odd.id}.json"  # 10:00 at UTC-7 is 17:00 UTC
