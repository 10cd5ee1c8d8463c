"""The cache of checked records: a shortcut for unchanged files, never an authority over them."""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.results import checked
from advisor.results.checked import cache_path
from advisor.results.store import Store
from tests.helpers import make_environment, make_measurement

FIRST = make_measurement(step=0.010)
SECOND = make_measurement(step=0.002, environment=make_environment(timestamp="2026-11-21T10:00:00+00:00"))
THIRD = make_measurement(step=0.004, environment=make_environment(timestamp="2026-11-22T10:00:00+00:00"))


@pytest.fixture
def settled(monkeypatch):
    """Every file counts as long settled: the tests need not wait out the clock's tick."""
    monkeypatch.setattr(checked, "RACY_SECONDS", -3600.0)


@pytest.fixture
def store(tmp_path, settled):
    store = Store(tmp_path)
    for m in (FIRST, SECOND, THIRD):
        store.save(m)
    return store


@pytest.fixture
def reads(monkeypatch):
    """The names of the files actually opened and checked, as listings happen."""
    opened: list[str] = []
    real = Store._read

    def counting(self, name):
        opened.append(name)
        return real(self, name)

    monkeypatch.setattr(Store, "_read", counting)
    return opened


def cache_lines(store: Store) -> list[str]:
    return cache_path(store.home).read_text().split("\n")


def test_a_second_listing_reads_no_file_and_gives_the_same_records(store, reads):
    first, _ = store.load_all()
    assert len(reads) == 3
    again, warnings = Store(store.home).load_all()
    assert len(reads) == 3  # all three came from the cache
    assert [e.measurement for e in again] == [FIRST, SECOND, THIRD] == [e.measurement for e in first]
    assert [e.id for e in again] == [FIRST.id, SECOND.id, THIRD.id] and warnings == []
    assert [e.path for e in again] == [e.path for e in first]


def test_a_file_changed_after_caching_is_read_again_and_refused_if_bad(store, reads):
    store.load_all()
    path = next(store.results.glob(f"*-{SECOND.id}.json"))
    path.write_text('{"schema": "colab-advisor/measurement/v1", "config": ')
    entries, warnings = store.load_all()
    assert [e.measurement for e in entries] == [FIRST, THIRD]
    assert len(warnings) == 1 and warnings[0].startswith(f"skipped {path.name}")


def test_a_cached_record_made_invalid_is_ignored_and_the_file_read(store, reads):
    store.load_all()
    lines = cache_lines(store)
    # Make one cached record say something no file may: a control character in the device name.
    lines[1] = lines[1].replace('"host_cpu":"Test CPU', '"host_cpu":"\\u001b[2JTest CPU')
    cache_path(store.home).write_text("\n".join(lines))
    reads.clear()
    entries, warnings = store.load_all()
    assert [e.measurement for e in entries] == [FIRST, SECOND, THIRD] and warnings == []
    assert len(reads) == 1  # only the file whose cached record was refused
    assert "\\u001b" not in cache_path(store.home).read_text()  # and the cache rebuilt from it


def test_a_cached_record_that_is_valid_but_not_the_files_is_not_believed(store, reads):
    store.load_all()
    lines = cache_lines(store)
    second = next(i for i, line in enumerate(lines) if SECOND.id in line.split("\t")[0])
    third = next(i for i, line in enumerate(lines) if THIRD.id in line.split("\t")[0])
    # Under the second file's name and key, the third file's (valid) record.
    name, key, _ = lines[second].split("\t")
    lines[second] = "\t".join([name, key, lines[third].split("\t")[2]])
    cache_path(store.home).write_text("\n".join(lines))
    reads.clear()
    entries, _ = store.load_all()
    assert [e.measurement for e in entries] == [FIRST, SECOND, THIRD]
    assert reads == [name]


@pytest.mark.parametrize("damage", [
    lambda text: text[: len(text) // 2],  # cut short
    lambda text: "",  # emptied
    lambda text: text.replace("checked-results/v1", "checked-results/v9"),  # a newer tool's
    lambda text: "\x00\xff" * 100,  # not text
    lambda text: text + "\n" + "x" * 2_000_000,  # grown past what its files could need
    lambda text: text.replace(str(FIRST.id), "0" * 10),  # renamed entries
    lambda text: text.replace("\t", " "),  # its format broken
    lambda text: text.replace("\t", "\t\u00b2", 2),  # a digit int() does not read, in a key
    lambda text: text.replace("\t", "\t" + "9" * 50 + " ", 2),  # a key of a size no file has
    lambda text: text.replace('"batch_size":256', '"batch_size":' + "9" * 5000),  # a number to choke a parser
])
def test_a_damaged_cache_is_ignored_and_rebuilt(store, reads, damage):
    store.load_all()
    path = cache_path(store.home)
    path.write_bytes(damage(path.read_text()).encode("utf-8", errors="surrogateescape"))
    entries, warnings = store.load_all()
    assert [e.measurement for e in entries] == [FIRST, SECOND, THIRD] and warnings == []
    reads.clear()
    store.load_all()
    assert reads == []  # rebuilt: the next listing is served from it again


def test_a_cache_that_is_a_folder_or_a_fifo_is_ignored(store):
    path = cache_path(store.home)
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)  # opening a FIFO without a writer would wait forever
    entries, _ = store.load_all()
    assert len(entries) == 3
    path.unlink(missing_ok=True)
    path.mkdir()
    assert len(store.load_all()[0]) == 3


def test_a_file_refused_is_never_cached(store):
    (store.results / "20261101T000000-broken.json").write_text("{")
    store.load_all()
    names = [line.split("\t")[0] for line in cache_lines(store)[1:]]
    assert len(names) == 3 and "20261101T000000-broken.json" not in names


def test_a_file_changed_within_the_last_second_is_not_cached_yet(tmp_path, monkeypatch):
    store = Store(tmp_path)
    store.save(FIRST)
    store.load_all()
    assert not cache_path(tmp_path).exists() or len(cache_lines(store)) == 1


def test_a_data_folder_that_cannot_take_a_cache_still_lists(store, monkeypatch):
    cache_path(store.home).parent.parent.joinpath("cache").write_text("a file where the cache folder goes")
    entries, warnings = store.load_all()
    assert len(entries) == 3 and warnings == []


def test_each_cached_record_is_the_text_its_id_is_the_hash_of(store):
    store.load_all()
    for line in cache_lines(store)[1:]:
        name, key, record = line.split("\t")
        assert name.split("-")[1].startswith(checked.content_id(record))
        assert len(key.split(" ")) == 4
        # An independent reading of the id: the record's canonical JSON, hashed as Measurement.id says.
        data = json.loads(record)
        canonical = json.dumps(data, sort_keys=True, separators=(",", ":"))
        assert canonical == record


def test_a_file_not_named_by_its_id_is_read_every_time(store, reads):
    path = next(store.results.glob(f"*-{SECOND.id}.json"))
    path.rename(store.results / "copied-by-hand.json")
    store.load_all()
    reads.clear()
    entries, _ = store.load_all()
    assert reads == ["copied-by-hand.json"] and len(entries) == 3


edits = st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 40), st.text(max_size=8)), max_size=4)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=edits)
def test_any_edit_of_the_cache_leaves_the_listing_as_the_files_say(store, edits):
    store.load_all()
    path = cache_path(store.home)
    text = path.read_text()
    for where, cut, insert in edits:
        at = int(where * len(text))
        text = text[:at] + insert + text[at + cut:]
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    entries, warnings = store.load_all()
    assert [e.measurement for e in entries] == [FIRST, SECOND, THIRD] and warnings == []
    assert [e.id for e in entries] == [FIRST.id, SECOND.id, THIRD.id]


def test_a_forged_entry_that_hashes_to_its_name_is_still_checked_as_a_file_would_be(store, reads):
    # Whoever can write the data folder can name a file after any hash: the record must pass anyway.
    hostile = FIRST.to_dict(include_summary=False)
    hostile["environment"]["host_cpu"] = "\x1b[2J\x1b]0;owned\x07 CPU"
    text = json.dumps(hostile, sort_keys=True, separators=(",", ":"))
    name = f"20261101T000000-{checked.content_id(text)}.json"
    (store.results / name).write_text(SECOND.to_json())  # a valid record, under the forged name
    store.load_all()
    info = (store.results / name).stat()
    lines = [line for line in cache_lines(store) if not line.startswith(name)]
    key = " ".join(str(part) for part in (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino))
    cache_path(store.home).write_text("\n".join([*lines, f"{name}\t{key}\t{text}"]))
    reads.clear()
    entries, _ = store.load_all()
    assert reads == [name]
    assert all("\x1b" not in e.measurement.environment.host_cpu for e in entries)
