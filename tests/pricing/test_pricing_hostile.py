"""A catalog file from outside cannot hang, exhaust or steer the tool: each abuse is one clear error."""

from __future__ import annotations

import os
import threading
from datetime import date
from pathlib import Path

import pytest

from pricing import CatalogError, load_catalog

T4_NAMED = """
[[accelerator]]
key = "t4"
name = "{name}"
kind = "gpu"
source = "NVIDIA T4 datasheet"
as_of = 2026-01-01
"""


def reading(as_of: str = "2026-03-09", rate: str = "1.25") -> str:
    return f'[[cu_rate]]\naccelerator = "t4"\nas_of = {as_of}\ncu_per_hour = {rate}\nsource = "my Colab"\n'


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "catalog.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_for(path: Path | str, **kwargs) -> str:
    with pytest.raises(CatalogError) as caught:
        load_catalog(override=path, **kwargs)
    assert "\n" not in str(caught.value)
    return str(caught.value)


def finishes_within(seconds: float, call) -> object:
    """What `call` returned or raised, or a failure if it is still running after `seconds`."""
    outcome: dict[str, object] = {}

    def target() -> None:
        try:
            outcome["value"] = call()
        except Exception as exc:
            outcome["value"] = exc

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"still running after {seconds} s"
    return outcome["value"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_is_refused_at_once_not_waited_on(tmp_path):
    fifo = tmp_path / "catalog.toml"
    os.mkfifo(fifo)
    error = finishes_within(5, lambda: load_catalog(override=fifo))
    assert isinstance(error, CatalogError)
    assert str(error) == f"{fifo}: not a regular file (a folder, FIFO or device): refused"


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_an_endless_device_is_refused_before_reading():
    error = finishes_within(5, lambda: load_catalog(override="/dev/zero"))
    assert isinstance(error, CatalogError) and "not a regular file" in str(error)


def test_a_folder_is_refused(tmp_path):
    assert "not a regular file" in error_for(tmp_path)


def test_a_file_over_one_mebibyte_is_refused_by_its_size(tmp_path):
    path = write(tmp_path, "# padding\n" * 110_000)  # 1,100,000 bytes
    assert error_for(path) == f"{path}: 1,100,000 bytes is larger than a catalog may be (1,048,576)"


def test_more_entries_than_a_catalog_may_hold_are_refused(tmp_path):
    days = [date.fromordinal(date(2021, 1, 1).toordinal() + i).isoformat() for i in range(2001)]
    path = write(tmp_path, "".join(reading(day) for day in days))
    assert error_for(path) == f"{path}: 2,001 entries is more than a catalog may hold (2,000)"


def test_an_override_dated_after_today_is_refused_naming_entry_and_field(tmp_path):
    path = write(tmp_path, reading(as_of="2099-01-01"))
    assert error_for(path, today=date(2026, 11, 27)) == (
        f"{path}: cu_rate 't4' (2099-01-01) field 'as_of': 2099-01-01 is after today (2026-11-27)"
    )


def test_an_override_dated_today_is_accepted_and_becomes_the_newest_date(tmp_path):
    path = write(tmp_path, reading(as_of="2026-11-27"))
    catalog = load_catalog(override=path, today=date(2026, 11, 27))
    assert catalog.as_of == date(2026, 11, 27)


@pytest.mark.parametrize(
    ("rate", "found"),
    [("1e300", "1e+300"), ("1" + "0" * 399, "an integer of more than 60 digits"), ("inf", "inf")],
)
def test_a_huge_number_is_refused_naming_file_entry_and_field(tmp_path, rate, found):
    path = write(tmp_path, reading(rate=rate))
    assert error_for(path) == (
        f"{path}: cu_rate 't4' (2026-03-09) field 'cu_per_hour': expected CU per hour from 0.001 to 10000, got {found}"
    )


def test_an_integer_of_thousands_of_digits_is_refused_not_a_traceback(tmp_path):
    path = write(tmp_path, reading(rate="9" * 5000))
    assert str(path) in error_for(path)


def test_arrays_nested_thousands_deep_are_refused_not_a_traceback(tmp_path):
    path = write(tmp_path, reading().replace("cu_per_hour = 1.25", "cu_per_hour = " + "[" * 5000 + "]" * 5000))
    assert str(path) in error_for(path)


@pytest.mark.parametrize(
    ("escape", "code"),
    [(r"\u001b[31m", "U+001B"), (r"\u001b]0;title\u0007", "U+001B"), (r"\u202e", "U+202E"),
     (r"\u200b", "U+200B"), (r"\u2028", "U+2028"), (r"\ue000", "U+E000")],
)
def test_names_with_terminal_escapes_or_invisible_characters_are_refused(tmp_path, escape, code):
    path = write(tmp_path, T4_NAMED.format(name=f"NVIDIA{escape} T4"))
    message = error_for(path)
    assert message.startswith(f"{path}: accelerator 't4' field 'name': expected text without control or invisible")
    assert f"(found {code})" in message
    assert "\x1b" not in message and "\u202e" not in message
