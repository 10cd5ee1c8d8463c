"""Arbitrary JSON and mutated records: parsing accepts a valid Measurement or refuses with the
project's error, and every view renders whatever was accepted."""

from __future__ import annotations

import datetime as dt
import json
import math
import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.errors import user_errors
from advisor.render.compare import comparison_payload, comparison_table
from advisor.render.history import history_payload, history_table
from advisor.render.measurement import measurement_tables
from advisor.render.table import envelope, render_table
from advisor.results.compare import compare
from advisor.results.share import decode_token, encode_token
from advisor.results.store import StoredMeasurement
from benchmarks import Measurement
from tests.advisor.cli_helpers import run_cli
from tests.helpers import make_measurement

VALID = make_measurement().to_dict()
# Categories no accepted text may hold, as the record format states them.
HIDDEN = {"Cc", "Cs", "Cf", "Zl", "Zp", "Co", "Cn"}
LATEST_ACCEPTABLE = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)

numbers = st.one_of(
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([5e-324, 1e308, -1e308, 2**53, 2**53 + 1, 10**400, 0, -1, 1e-10, 1e4]),
)
texts = st.text(st.characters(), max_size=50) | st.sampled_from(
    ["\ud800", "\x1b[2J", "\x1b]0;t\x07", "\u202e", "\u200b", "\u2028", "a|b", "x" * 600])
json_values = st.recursive(
    st.none() | st.booleans() | numbers | texts,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(texts, children, max_size=4),
    max_leaves=30,
)


def deeply_nested(depth: int) -> object:
    value: object = 0
    for _ in range(depth):
        value = [value]
    return value


def paths(data: object, prefix: tuple = ()) -> list[tuple]:
    out = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            out.extend(paths(value, (*prefix, key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            out.extend(paths(value, (*prefix, index)))
    return out


VALID_PATHS = paths(VALID)


@st.composite
def mutated_records(draw) -> object:
    data = json.loads(json.dumps(VALID))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(VALID_PATHS))
        target = data
        try:
            for key in path[:-1]:
                target = target[key]
            current = target[path[-1]]
            if draw(st.booleans()) and isinstance(current, (str, int, float)) and not isinstance(current, bool):
                # A value of the same kind: the mutations most likely to be accepted, and rendered.
                alike = texts if isinstance(current, str) else st.floats(1e-9, 1e4) | st.integers(1, 2**20)
                replacement = draw(alike)
            else:
                replacement = draw(json_values | st.sampled_from([deeply_nested(600), deeply_nested(9)]))
            if isinstance(target, dict) and draw(st.booleans()) and draw(st.booleans()):
                target.pop(path[-1], None)
            else:
                target[path[-1]] = replacement
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation changed the shape: this path is gone
    return data


def as_json_text(data: object) -> str:
    try:
        return json.dumps(data)  # NaN and Infinity written as JavaScript does, surrogates as \ud800
    except (RecursionError, ValueError):
        return "[" * 5000


def check_accepted(m: Measurement) -> None:
    """What 'valid' means, stated independently of the parser's own code."""
    env = m.environment
    texts_in = [env.platform, env.device_kind, env.host_cpu, env.os, env.python, env.tool_version,
                env.timestamp, *env.versions, *env.versions.values(), *m.warnings]
    for text in texts_in:
        assert not any(unicodedata.category(c) in HIDDEN for c in text), repr(text)
        assert len(text) <= 500
    for timing in (m.python_loop, m.device_loop):
        assert timing.samples and all(0 < s <= 1e4 and math.isfinite(s) for s in timing.samples)
    ints = [m.batch_size, m.oom_retries, env.device_count, env.logical_cores, m.fingerprint.steps,
            m.python_loop.steps_per_sample, m.device_loop.steps_per_sample, m.config.seed]
    assert all(isinstance(n, int) and not isinstance(n, bool) and abs(n) <= 2**53 for n in ints)
    assert dt.datetime.fromisoformat(env.timestamp).astimezone(dt.timezone.utc) <= LATEST_ACCEPTABLE
    assert isinstance(m.config.probe_ceiling, bool) and isinstance(m.config.budget_seconds, float)
    assert Measurement.from_json(m.to_json()) == m  # what was accepted is stored and read back as is
    assert decode_token(encode_token(m)) == m


def render_every_view(m: Measurement, home: Path | None = None) -> None:
    entry = StoredMeasurement(Path("results") / f"{m.id}.json", m)
    for fmt in ("table", "markdown"):
        render_table(history_table([entry]), fmt)
        for table in measurement_tables(m):
            render_table(table, fmt)
        render_table(comparison_table(compare([m, m])), fmt)
        render_table(comparison_table(compare([make_measurement(), m])), fmt)
    envelope("history", history_payload([entry]))
    envelope("compare", comparison_payload(compare([m, m])))
    envelope("measure", {"id": m.id, "measurement": m.to_dict()})
    if home is not None:
        # recommend's use of it: as this machine's measurement, through the command line.
        record = home / "local.json"
        record.write_text(m.to_json(), encoding="utf-8")
        out = run_cli(["recommend", "--model", "deep", "--epochs", "3", "--samples", "1000", "--preset",
                       m.config.preset, "--local", str(record)], home)
        assert out.code in (0, 2) and "Traceback" not in out.stderr, out.stderr


def parse_or_refuse(text: str) -> Measurement | None:
    try:
        return Measurement.from_json(text)
    except user_errors() as exc:
        assert "\n" not in str(exc)
        return None


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(json_values)
def test_arbitrary_json_is_refused_with_the_projects_error(data):
    # Random JSON is no measurement: it is refused in one line, never accepted or raised past the user.
    assert parse_or_refuse(as_json_text(data)) is None


@FUZZ
@given(mutated_records())
def test_a_mutated_record_is_either_valid_and_renders_everywhere_or_refused(data):
    m = parse_or_refuse(as_json_text(data))
    if m is not None:
        check_accepted(m)
        render_every_view(m)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutated_records())
def test_recommend_uses_any_accepted_record_without_a_traceback(tmp_path_factory, data):
    m = parse_or_refuse(as_json_text(data))
    if m is not None:
        render_every_view(m, tmp_path_factory.mktemp("home"))
