"""Paste tokens and result files: what `measure --share`, `import` and `compare` read."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import json
import random
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.errors import AdvisorError
from advisor.render.table import envelope
from advisor.results.share import (
    MAX_JSON_BYTES,
    MAX_TOKEN_CHARS,
    TOKEN_PREFIX,
    decode_token,
    encode_token,
    load_result,
    resolve,
)
from advisor.results.store import Store
from benchmarks import DTYPES, PRESETS, Fingerprint, Measurement, ResultError, Timing
from benchmarks.stats import round_significant
from tests.helpers import make_environment, make_measurement

USER_ERRORS = (AdvisorError, ResultError)
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def colab_measurement(samples_per_loop: int = 20, seed: int = 1) -> Measurement:
    """What a default `measure` run on a Colab T4 records: six-digit samples, real-looking strings."""
    rng = random.Random(seed)
    environment = make_environment(
        platform="gpu",
        device_kind="Tesla T4",
        device_memory_bytes=15_835_398_144,
        host_cpu="Intel(R) Xeon(R) CPU @ 2.20GHz",
        logical_cores=2,
        ram_bytes=13_609_451_520,
        os="Linux 6.1.123+",
        python="3.11.13",
        versions={"jax": "0.5.3", "jaxlib": "0.5.3", "flax": "0.10.6", "optax": "0.2.5", "numpy": "2.0.2",
                  "colab-advisor": "0.1.0"},
        in_colab=True,
        timestamp="2026-11-20T10:03:27+00:00",
    )

    def samples(centre: float) -> tuple[float, ...]:
        return tuple(round_significant(centre * (1 + rng.gauss(0, 0.02))) for _ in range(samples_per_loop))

    return dataclasses.replace(
        make_measurement(environment=environment),
        python_loop=Timing("python", steps_per_sample=640, warmup_steps=1280, samples=samples(0.00123456)),
        device_loop=Timing("device", steps_per_sample=512, warmup_steps=1024, samples=samples(0.00098765)),
        compile_seconds={"python": 0.8123, "device": 1.234},
        flops_per_step=1.08954e9,
        bytes_per_step=6.71237e7,
        fingerprint=Fingerprint(steps=10, loss=0.1058123),
        warnings=("python loop is unstable: std is 12% of the mean; close other programs, raise --budget, "
                  "and run again",),
    )


ORIGINAL = colab_measurement()
TOKEN = encode_token(ORIGINAL)


def token_with_payload(payload: bytes, prefix: str = TOKEN_PREFIX) -> str:
    """A token around any compressed payload, with a correct check: what a forger could make."""
    body = base64.urlsafe_b64encode(payload).rstrip(b"=").decode()
    return f"{prefix}{body}.{hashlib.sha256(body.encode()).hexdigest()[:12]}"


def assert_refused(call, *args) -> Exception:
    with pytest.raises(USER_ERRORS) as info:
        call(*args)
    assert "\n" not in str(info.value)
    return info.value


# ---- the token -------------------------------------------------------------------------------------
def test_a_token_gives_back_exactly_the_measurement():
    assert decode_token(TOKEN) == ORIGINAL
    assert decode_token(TOKEN).id == ORIGINAL.id


def test_a_token_is_one_copyable_line_with_the_versioned_prefix():
    assert TOKEN.startswith("ca1:")
    assert "\n" not in TOKEN and " " not in TOKEN
    body, check = TOKEN[len("ca1:"):].rsplit(".", 1)
    assert set(body) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert len(check) == 12 and set(check) <= set("0123456789abcdef")


def test_a_default_run_fits_in_under_2_kB():
    assert len(TOKEN) < 2000


def test_even_a_run_with_the_most_samples_stays_under_3_kB():
    assert len(encode_token(colab_measurement(samples_per_loop=50))) < 3000


def test_the_same_measurement_always_gives_the_same_token():
    assert encode_token(colab_measurement()) == TOKEN


@st.composite
def measurements(draw) -> Measurement:
    printable = st.characters(blacklist_categories=("Cc", "Cs", "Cf", "Zl", "Zp", "Co", "Cn"))
    short_text = st.text(printable, max_size=40)
    seconds = st.floats(min_value=1e-7, max_value=1e3, allow_nan=False, allow_infinity=False)
    environment = make_environment(
        host_cpu=draw(st.text(printable, max_size=120)),
        device_kind=draw(short_text),
        os=draw(short_text),
        in_colab=draw(st.booleans()),
        timestamp=draw(st.datetimes(max_value=dt.datetime(2026, 1, 1), timezones=st.just(dt.timezone.utc))).isoformat(),
        versions=draw(st.dictionaries(st.text(printable, max_size=20), st.text(printable, max_size=30), max_size=8)),
    )
    return make_measurement(
        preset=draw(st.sampled_from(sorted(PRESETS))),
        dtype=draw(st.sampled_from(DTYPES)),
        loss=draw(st.floats(min_value=0, max_value=1e6, allow_nan=False)),
        environment=environment,
        batch_size=draw(st.integers(min_value=1, max_value=1 << 20)),
        python_loop=Timing("python", draw(st.integers(1, 10**6)), draw(st.integers(0, 10**6)),
                           tuple(draw(st.lists(seconds, min_size=1, max_size=60)))),
        flops_per_step=draw(st.none() | seconds),
        ceiling=None if draw(st.booleans()) else make_measurement().ceiling,
        warnings=tuple(draw(st.lists(st.text(printable, max_size=200), max_size=3))),
    )


@SETTINGS
@given(measurements())
def test_any_valid_measurement_round_trips_exactly(m):
    assert decode_token(encode_token(m)) == m


@SETTINGS
@given(st.data())
def test_whitespace_anywhere_in_a_pasted_token_is_ignored(data):
    token = TOKEN
    for _ in range(data.draw(st.integers(1, 6))):
        at = data.draw(st.integers(0, len(token)))
        token = token[:at] + data.draw(st.sampled_from([" ", "\n", "\r\n", "\t", "  \n  "])) + token[at:]
    assert decode_token(token) == ORIGINAL


def test_every_token_cut_short_is_refused_as_incomplete():
    for length in range(len("ca1:"), len(TOKEN)):
        with pytest.raises(AdvisorError, match="incomplete or altered — copy the whole line"):
            decode_token(TOKEN[:length])


def mutate(token: str, data) -> str:
    kind = data.draw(st.sampled_from(["flip", "delete", "insert", "truncate", "swap", "duplicate"]))
    char = data.draw(st.characters(codec="utf-8") | st.sampled_from("AZaz09-_.:="))
    if not token:
        return char
    at = data.draw(st.integers(0, len(token) - 1))
    if kind == "flip":
        return token[:at] + char + token[at + 1:]
    if kind == "delete":
        return token[:at] + token[at + 1:]
    if kind == "insert":
        return token[:at] + char + token[at:]
    if kind == "truncate":
        return token[:at]
    if kind == "swap":
        return token[:at] + token[at + 1: at + 2] + token[at: at + 1] + token[at + 2:]
    return token[:at] + token[at:] * 2


@SETTINGS
@given(st.data())
def test_a_mutated_token_is_refused_or_decodes_to_the_original(data):
    token = TOKEN
    for _ in range(data.draw(st.integers(1, 3))):
        token = mutate(token, data)
    try:
        decoded = decode_token(token)
    except USER_ERRORS as exc:
        assert "\n" not in str(exc)
        return
    assert decoded == ORIGINAL


@SETTINGS
@given(st.text(max_size=300) | st.text(max_size=300).map(lambda t: TOKEN_PREFIX + t))
def test_random_text_is_refused_with_a_one_line_message(text):
    assert_refused(decode_token, text)


def test_a_token_from_a_newer_version_says_to_upgrade():
    newer = "ca2:" + TOKEN[len("ca1:"):]
    with pytest.raises(AdvisorError, match=r"newer colab-advisor.*upgrade colab-advisor"):
        decode_token(newer)


def test_text_without_the_prefix_is_not_a_token():
    with pytest.raises(AdvisorError, match="not a colab-advisor token: a token starts with ca1:"):
        decode_token(TOKEN[len("ca1:"):])


def test_an_oversized_token_is_refused_before_it_is_decoded(monkeypatch):
    monkeypatch.setattr(zlib, "decompressobj", lambda: pytest.fail("decompressed an oversized token"))
    huge = TOKEN_PREFIX + "A" * MAX_TOKEN_CHARS + ".000000000000"
    with pytest.raises(AdvisorError, match="too long"):
        decode_token(huge)


def test_a_zip_bomb_with_a_valid_check_is_refused():
    bomb = token_with_payload(zlib.compress(b" " * (MAX_JSON_BYTES * 8), 9))
    assert len(bomb) < MAX_TOKEN_CHARS  # it passes the size cap on the token itself
    with pytest.raises(AdvisorError, match="larger than 1024 kB"):
        decode_token(bomb)


def test_a_payload_just_under_the_cap_is_read_as_json():
    padded = json.dumps(ORIGINAL.to_dict(include_summary=False)) + " " * (MAX_JSON_BYTES - 10_000)
    assert decode_token(token_with_payload(zlib.compress(padded.encode(), 9))) == ORIGINAL


def test_bytes_after_the_compressed_stream_are_refused():
    payload = zlib.compress(json.dumps(ORIGINAL.to_dict()).encode()) + b"extra"
    with pytest.raises(AdvisorError, match="incomplete or altered"):
        decode_token(token_with_payload(payload))


def test_a_well_formed_token_of_something_else_is_refused_as_a_result():
    with pytest.raises(ResultError, match="does not parse"):
        decode_token(token_with_payload(zlib.compress(b"__import__('os')")))
    with pytest.raises(ResultError, match="must be an object"):
        decode_token(token_with_payload(zlib.compress(b"[1, 2]")))
    with pytest.raises(AdvisorError, match="not text"):
        decode_token(token_with_payload(zlib.compress(b"\xff\xfe")))


def test_a_token_carrying_a_newer_record_schema_says_to_upgrade():
    data = ORIGINAL.to_dict(include_summary=False) | {"schema": "colab-advisor/measurement/v9"}
    with pytest.raises(ResultError, match="upgrade colab-advisor"):
        decode_token(token_with_payload(zlib.compress(json.dumps(data).encode())))


def test_a_token_with_an_invalid_field_names_the_field():
    data = ORIGINAL.to_dict(include_summary=False)
    data["batch_size"] = -3
    with pytest.raises(ResultError, match="'batch_size' must be an integer from 1 to"):
        decode_token(token_with_payload(zlib.compress(json.dumps(data).encode())))


# ---- files and standard input ----------------------------------------------------------------------
def test_a_result_file_from_measure_output_is_read(tmp_path):
    path = tmp_path / "result.json"
    path.write_text(ORIGINAL.to_json())
    assert load_result(str(path), None) == ORIGINAL


def test_the_measure_json_envelope_is_read(tmp_path):
    path = tmp_path / "measure.json"
    path.write_text(envelope("measure", {"id": ORIGINAL.id, "saved_to": None, "measurement": ORIGINAL.to_dict()}))
    assert load_result(str(path), None) == ORIGINAL


def test_a_file_holding_a_wrapped_token_is_read(tmp_path):
    path = tmp_path / "token.txt"
    path.write_text("\n".join(TOKEN[i:i + 76] for i in range(0, len(TOKEN), 76)) + "\n")
    assert load_result(str(path), None) == ORIGINAL


def test_a_token_can_be_given_directly():
    assert load_result(TOKEN, None) == ORIGINAL


@pytest.mark.parametrize("text", [f"  {TOKEN}\n", ORIGINAL.to_json(), "\ufeff" + ORIGINAL.to_json()])
def test_standard_input_may_hold_a_token_or_json(text):
    assert load_result("-", text) == ORIGINAL


@pytest.mark.parametrize("stdin", [None, "", "  \n"])
def test_empty_standard_input_says_what_to_pipe(stdin):
    with pytest.raises(AdvisorError, match="nothing on standard input"):
        load_result("-", stdin)


def test_a_missing_file_that_is_no_token_is_refused(tmp_path):
    with pytest.raises(AdvisorError, match=r"no file .* and it is not a token"):
        load_result(str(tmp_path / "nope.json"), None)


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(AdvisorError, match="is a folder"):
        load_result(str(tmp_path), None)


def test_an_oversized_file_is_refused_unread(tmp_path):
    path = tmp_path / "big.json"
    path.write_text("{" + " " * (2 << 20) + "}")
    with pytest.raises(AdvisorError, match="too large"):
        load_result(str(path), None)


def test_a_binary_file_is_refused(tmp_path):
    path = tmp_path / "model.pkl"
    path.write_bytes(b"\x80\x04\x95\xff\x00pickle")
    with pytest.raises(AdvisorError, match="not a text file"):
        load_result(str(path), None)


def test_the_output_of_another_command_is_refused(tmp_path):
    path = tmp_path / "plans.json"
    path.write_text(envelope("plans", {"plans": []}))
    with pytest.raises(AdvisorError, match="output of another command"):
        load_result(str(path), None)


def test_a_newer_measure_envelope_says_to_upgrade(tmp_path):
    path = tmp_path / "measure.json"
    path.write_text(json.dumps({"schema": "colab-advisor/measure/v2", "measurement": ORIGINAL.to_dict()}))
    with pytest.raises(AdvisorError, match="upgrade colab-advisor"):
        load_result(str(path), None)


def test_an_invalid_file_names_the_file_and_the_field(tmp_path):
    data = ORIGINAL.to_dict()
    data["python_loop"]["samples"] = [0.01, float("inf")]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))  # writes Infinity, which JSON does not have
    with pytest.raises(ResultError, match=r"bad.json': not a valid result: the JSON does not parse"):
        load_result(str(path), None)
    data["python_loop"]["samples"] = [0.01, -1]
    path.write_text(json.dumps(data))
    with pytest.raises(ResultError, match=r"bad.json': .*'python_loop.samples' must hold only step times"):
        load_result(str(path), None)


@SETTINGS
@given(data=st.data(), as_envelope=st.booleans())
def test_a_mutated_result_file_is_read_or_refused_but_never_crashes(tmp_path, data, as_envelope):
    text = ORIGINAL.to_json() if not as_envelope else envelope("measure", {"measurement": ORIGINAL.to_dict()})
    for _ in range(data.draw(st.integers(1, 4))):
        text = mutate(text, data)
    path = tmp_path / "mutated.json"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        load_result(str(path), None)
    except USER_ERRORS as exc:
        assert "\n" not in str(exc)


@SETTINGS
@given(data=st.data())
def test_a_file_holding_a_mutated_token_is_refused_or_equal_to_the_original(tmp_path, data):
    token = mutate(TOKEN, data)
    path = tmp_path / "token.txt"
    path.write_text(token, encoding="utf-8", errors="surrogatepass")
    try:
        assert load_result(str(path), None) == ORIGINAL
    except USER_ERRORS as exc:
        assert "\n" not in str(exc)


@SETTINGS
@given(st.binary(max_size=400))
def test_random_bytes_on_standard_input_are_refused(raw):
    text = raw.decode("utf-8", errors="replace")
    try:
        load_result("-", text)
    except USER_ERRORS as exc:
        assert "\n" not in str(exc)
    else:
        pytest.fail("random bytes were accepted as a measurement")


# ---- references for compare ------------------------------------------------------------------------
def stored(tmp_path) -> tuple[Store, Measurement]:
    store = Store(tmp_path / "home")
    kept = make_measurement()
    store.save(kept)
    return store, kept


def test_a_reference_may_be_a_file_a_token_or_a_stored_id(tmp_path):
    store, kept = stored(tmp_path)
    path = tmp_path / "result.json"
    path.write_text(ORIGINAL.to_json())
    assert resolve(str(path), store, None) == ORIGINAL
    assert resolve(TOKEN, store, None) == ORIGINAL
    assert resolve(kept.id[:6], store, None) == kept
    assert resolve("latest", store, None) == kept
    assert resolve("-", store, TOKEN) == ORIGINAL


def test_an_existing_file_wins_over_an_id_of_the_same_name(tmp_path, monkeypatch):
    store, kept = stored(tmp_path)
    monkeypatch.chdir(tmp_path)
    (tmp_path / kept.id).write_text(ORIGINAL.to_json())
    assert resolve(kept.id, store, None) == ORIGINAL


def test_an_unknown_reference_points_to_history(tmp_path):
    store, _ = stored(tmp_path)
    with pytest.raises(AdvisorError, match="colab-advisor history"):
        resolve("ffffffffff", store, None)
    with pytest.raises(AdvisorError, match=r"no file 'results/x.json'"):
        resolve("results/x.json", store, None)
