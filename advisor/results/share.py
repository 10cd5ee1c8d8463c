"""Paste tokens: one line that carries a Measurement from a Colab notebook to another machine.

Token format, version 1::

    ca1:<body>.<check>

- ``ca1:``  the prefix: ``ca`` for colab-advisor, then the token format version, then a colon.
- ``body``  base64url without padding of the zlib-compressed (level 9) compact JSON of
  ``Measurement.to_dict(include_summary=False)``. The summary is left out because readers
  recompute it; the record itself goes whole, so ``decode_token(encode_token(m)) == m``.
- ``check`` the first 12 hex digits of the SHA-256 of the body's text.

A default run gives a line of about 1.2 kB: short enough to copy out of a notebook cell.

Everything read here comes from elsewhere and is treated as untrusted:

- it is parsed only as JSON, and then checked field by field by ``Measurement.from_dict``;
- sizes are capped before any work: a token at ``MAX_TOKEN_CHARS``, a file or pasted text at
  ``MAX_INPUT_CHARS``, and decompression stops at ``MAX_JSON_BYTES`` (no zip bombs);
- the check is verified before anything is decompressed, so a line cut short or altered in
  copy-paste is refused whole, never half-read;
- whitespace anywhere in a token is ignored, because notebooks and terminals wrap long lines.

Every refusal is an AdvisorError (token and file problems) or a ResultError (a record that does
not pass validation), each with a one-line message.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import zlib
from pathlib import Path
from typing import Any

from benchmarks.result import Measurement, ResultError
from benchmarks.validation import loads

from ..errors import AdvisorError
from ..files import read_regular_file
from .store import Store

TOKEN_VERSION = 1
TOKEN_PREFIX = f"ca{TOKEN_VERSION}:"
CHECK_HEX_DIGITS = 12

# A default run's token is ~1.2 kB; these leave ample room and still bound the work done.
MAX_TOKEN_CHARS = 64 * 1024
MAX_INPUT_CHARS = 1024 * 1024
MAX_JSON_BYTES = 1024 * 1024

MEASURE_ENVELOPE_KIND = "colab-advisor/measure"
MEASURE_ENVELOPE_VERSION = 1

_TOKEN_HEAD = re.compile(r"ca(\d{1,6}):")
_BODY = re.compile(r"[A-Za-z0-9_-]+")
_CHECK = re.compile(rf"[0-9a-f]{{{CHECK_HEX_DIGITS}}}")
_ALTERED = "the token is incomplete or altered — copy the whole line (from 'ca1:' to its end) and try again"


# ---- tokens ------------------------------------------------------------------------------------
def encode_token(m: Measurement) -> str:
    """One line that `decode_token` turns back into exactly `m`."""
    # Plain json on a plain dict: the notebook carries this function alone, without the package.
    compact = json.dumps(m.to_dict(include_summary=False), separators=(",", ":"), allow_nan=False)
    body = base64.urlsafe_b64encode(zlib.compress(compact.encode("utf-8"), 9)).rstrip(b"=").decode("ascii")
    return f"{TOKEN_PREFIX}{body}.{_check(body)}"


def decode_token(text: str) -> Measurement:
    """The Measurement a token carries; refuses anything incomplete, altered, oversized or invalid."""
    if not isinstance(text, str):
        raise AdvisorError("not a colab-advisor token: expected text")
    if len(text) > MAX_INPUT_CHARS:
        raise AdvisorError(f"the token is too long ({len(text):,} characters): refused")
    token = "".join(text.split())
    if len(token) > MAX_TOKEN_CHARS:
        raise AdvisorError(f"the token is too long ({len(token):,} characters; at most {MAX_TOKEN_CHARS:,}): refused")
    head = _TOKEN_HEAD.match(token)
    if head is None:
        raise AdvisorError(f"not a colab-advisor token: a token starts with {TOKEN_PREFIX}")
    version = int(head.group(1))
    if version > TOKEN_VERSION:
        raise AdvisorError(
            f"this token was made by a newer colab-advisor (token format ca{version}:, this one reads "
            f"{TOKEN_PREFIX}): upgrade colab-advisor"
        )
    if head.group(0) != TOKEN_PREFIX:
        raise AdvisorError(f"not a colab-advisor token: a token starts with {TOKEN_PREFIX}")
    body, dot, check = token[head.end():].rpartition(".")
    if not dot or not _BODY.fullmatch(body) or not _CHECK.fullmatch(check) or _check(body) != check:
        raise AdvisorError(_ALTERED)
    try:
        compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        raise AdvisorError(_ALTERED) from None
    return Measurement.from_json(_inflate(compressed))


def is_token(text: str) -> bool:
    """Whether `text` looks like a token of any version (it may still be refused when decoded)."""
    return _TOKEN_HEAD.match(text.lstrip()) is not None


def _check(body: str) -> str:
    return hashlib.sha256(body.encode("ascii")).hexdigest()[:CHECK_HEX_DIGITS]


def _inflate(compressed: bytes) -> str:
    """Decompress at most MAX_JSON_BYTES; refuse a stream that would give more, or is cut short."""
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(compressed, MAX_JSON_BYTES)
    except zlib.error:
        raise AdvisorError(_ALTERED) from None
    if inflater.unconsumed_tail or len(data) >= MAX_JSON_BYTES:
        raise AdvisorError(f"the token's content is larger than {MAX_JSON_BYTES // 1024} kB: refused")
    if not inflater.eof or inflater.unused_data:
        raise AdvisorError(_ALTERED)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise AdvisorError("the token's content is not text: refused") from None


# ---- files, pasted text, references ------------------------------------------------------------
def load_result(source: str, stdin_text: str | None) -> Measurement:
    """A Measurement from a token, a file (raw result JSON, `measure --json` output, or a token), or `-`.

    `-` reads `stdin_text`, which may hold a token or JSON.
    """
    if not source.strip():  # a file, a token or -: no stored id here (that is compare's)
        raise AdvisorError("an empty reference: give a result file, a token, or - to read standard input")
    if source == "-":
        if stdin_text is None or not stdin_text.strip():
            raise AdvisorError("nothing on standard input: `-` reads a token or a result file piped in")
        return parse_result_text(stdin_text, origin="standard input")
    path = _existing_path(source)
    if path is not None:
        return read_result_file(path)
    if is_token(source):
        return decode_token(source)
    raise AdvisorError(f"no file {_shown(source)}, and it is not a token (a token starts with {TOKEN_PREFIX})")


def resolve(ref: str, store: Store, stdin_text: str | None = None) -> Measurement:
    """What `compare A B ...` accepts: `-`, a file, a token, or a stored id / id prefix / 'latest'."""
    refuse_empty(ref)
    if ref == "-" or _existing_path(ref) is not None or is_token(ref):
        return load_result(ref, stdin_text)
    if "/" in ref or "\\" in ref or ref.endswith((".json", ".txt")):
        raise AdvisorError(f"no file {_shown(ref)}")
    return store.find(ref).measurement


def refuse_empty(ref: str) -> None:
    """An empty reference names nothing: it must never match every stored id."""
    if not ref.strip():
        raise AdvisorError(
            "an empty reference: give an id from `colab-advisor history`, 'latest', a result file or a token"
        )


def read_result_file(path: Path) -> Measurement:
    if path.is_dir():
        raise AdvisorError(f"{_shown(str(path))} is a folder; give a result file, a token or -")
    try:
        raw = read_regular_file(path, MAX_INPUT_CHARS)
    except AdvisorError as exc:
        raise AdvisorError(f"{_shown(str(path))}: {exc}") from None
    except OSError as exc:
        raise AdvisorError(f"cannot read {_shown(str(path))}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AdvisorError(f"{_shown(str(path))} is not a text file: expected a result JSON or a token") from None
    return parse_result_text(text, origin=_shown(str(path)))


def parse_result_text(text: str, origin: str) -> Measurement:
    """Text that holds a token, a result JSON, or the `measure --json` envelope."""
    if len(text) > MAX_INPUT_CHARS:
        raise AdvisorError(f"{origin} is too large for a result ({len(text):,} characters): refused")
    stripped = text.strip().lstrip("\ufeff").strip()
    if not stripped:
        raise AdvisorError(f"{origin} is empty: expected a result JSON or a token")
    if is_token(stripped):
        return decode_token(stripped)
    if not stripped.startswith("{"):
        raise AdvisorError(f"{origin} holds neither a result JSON nor a token (a token starts with {TOKEN_PREFIX})")
    try:
        return Measurement.from_dict(_unwrap(loads(stripped), origin))
    except ResultError as exc:
        raise ResultError(f"{origin}: {_first_line(exc)}") from None


def _unwrap(data: Any, origin: str) -> Any:
    """The measurement inside a `measure --json` envelope; any other data as it is."""
    if not isinstance(data, dict):
        return data
    schema = data.get("schema")
    if not isinstance(schema, str) or not schema.startswith("colab-advisor/") or schema.startswith(
        "colab-advisor/measurement/"
    ):
        return data
    envelope = re.fullmatch(rf"{re.escape(MEASURE_ENVELOPE_KIND)}/v(\d{{1,6}})", schema)
    if envelope is None:
        raise AdvisorError(
            f"{origin} holds the output of another command ({_shown(schema)}), not a measurement: "
            "use a file from `measure --output FILE` or `measure --json`"
        )
    if int(envelope.group(1)) > MEASURE_ENVELOPE_VERSION:
        raise AdvisorError(f"{origin} was made by a newer colab-advisor ({_shown(schema)}): upgrade colab-advisor")
    if "measurement" not in data:
        raise ResultError("not a valid result: field 'measurement' is missing")
    return data["measurement"]


def _existing_path(ref: str) -> Path | None:
    """`ref` as a path when something exists there; names the OS cannot even look up are not paths."""
    if not ref or ref == "-":
        return None
    try:
        path = Path(ref)
        return path if path.exists() else None
    except (OSError, ValueError):
        return None


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _shown(text: str, limit: int = 80) -> str:
    """Outside text fit for a one-line message: quoted, control characters escaped, shortened."""
    shown = repr(text)
    # The end of a long path (the file name) says the most; keep it and the start.
    return shown if len(shown) <= limit else f"{shown[:24]}...{shown[-(limit - 27):]}"
