"""A user's catalog file replaces or adds entries, and is checked like the shipped data."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pricing import CatalogError, cu_rate, load_catalog

NEW_ACCELERATOR = """
[[accelerator]]
key = "rtx-5090"
name = "NVIDIA GeForce RTX 5090"
kind = "gpu"
aliases = ["RTX 5090"]
fp32_tflops = 104.8
memory_gb = 32
source = "NVIDIA RTX 5090 specifications"
as_of = 2026-01-01
"""

T4_WITH = """
[[accelerator]]
key = "t4"
name = "NVIDIA T4"
kind = "gpu"
source = "NVIDIA T4 datasheet"
as_of = 2026-01-01
{field}
"""


def reading(accelerator: str = "t4", as_of: str = "2026-03-09", rate: str = "1.25", source: str = "my Colab") -> str:
    lines = ["[[cu_rate]]", f'accelerator = "{accelerator}"', f"as_of = {as_of}", f"cu_per_hour = {rate}"]
    if source:
        lines.append(f'source = "{source}"')
    return "\n".join(lines) + "\n"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "catalog.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_for(path: Path) -> str:
    with pytest.raises(CatalogError) as caught:
        load_catalog(override=path)
    return str(caught.value)


def test_an_override_replaces_a_cu_reading_with_the_same_date(tmp_path):
    path = write(tmp_path, reading())
    rate = load_catalog(override=path).cu_rate("t4")
    assert (rate.value, rate.source) == (1.25, "my Colab")


def test_a_newer_reading_extends_the_coverage_to_its_date(tmp_path):
    path = write(tmp_path, reading(as_of="2026-11-02", rate="1.3"))
    catalog = load_catalog(date(2026, 11, 2), override=path)
    assert catalog.coverage.last == date(2026, 11, 2)
    assert catalog.cu_rate("t4").value == 1.3
    assert catalog.cu_rate("t4", date(2026, 11, 1)).value == 1.19


def test_an_override_leaves_the_shipped_catalog_alone(tmp_path):
    path = write(tmp_path, reading())
    load_catalog(override=path)
    assert cu_rate("t4").value == 1.19


def test_an_override_adds_an_accelerator(tmp_path):
    catalog = load_catalog(override=write(tmp_path, NEW_ACCELERATOR))
    added = catalog.accelerator("RTX 5090")
    assert (added.key, added.fp32_tflops, added.memory_bandwidth_gbs) == ("rtx-5090", 104.8, None)
    assert catalog.match_device_kind("NVIDIA GeForce RTX 5090").key == "rtx-5090"
    assert catalog.accelerator("t4").fp32_tflops == 8.1


def test_an_override_entry_replaces_the_whole_shipped_entry(tmp_path):
    catalog = load_catalog(override=write(tmp_path, T4_WITH.format(field="memory_gb = 15")))
    t4 = catalog.accelerator("t4")
    assert (t4.memory_gb, t4.fp32_tflops) == (15, None)


def test_a_bad_number_names_file_entry_and_field(tmp_path):
    path = write(tmp_path, T4_WITH.format(field="memory_gb = -3"))
    assert error_for(path) == (
        f"{path}: accelerator 't4' field 'memory_gb': expected GB from 0.01 to 100000, got -3"
    )


def test_a_misspelt_field_is_refused_with_a_suggestion(tmp_path):
    path = write(tmp_path, T4_WITH.format(field="memroy_gb = 15"))
    assert error_for(path) == f"{path}: accelerator 't4' field 'memroy_gb': unknown field (did you mean 'memory_gb'?)"


def test_a_missing_source_is_refused(tmp_path):
    path = write(tmp_path, reading(source=""))
    assert error_for(path) == f"{path}: cu_rate 't4' (2026-03-09) field 'source' is missing"


def test_a_bad_date_is_refused(tmp_path):
    path = write(tmp_path, reading(as_of='"March"'))
    expected = "cu_rate 't4' (March) field 'as_of': expected a date like 2026-03-09, got 'March'"
    assert error_for(path) == f"{path}: {expected}"


def test_a_reading_for_an_unknown_accelerator_suggests_the_right_one(tmp_path):
    path = write(tmp_path, reading(accelerator="t5"))
    message = error_for(path)
    assert message.startswith(f"{path}: cu_rate 't5' (2026-03-09) field 'accelerator': unknown accelerator 't5'")
    assert "did you mean 't4'" in message


def test_a_plan_offering_an_unknown_accelerator_is_refused(tmp_path):
    plan = """
[[plan]]
name = "pro"
display_name = "Colab Pro"
era = "compute-units"
valid_from = 2022-09-29
monthly_price_usd = 9.99
cu_included = 100
accelerators = ["t4", "a1000"]
source = "x"
as_of = 2026-01-01
"""
    message = error_for(write(tmp_path, plan))
    assert "plan 'pro' (from 2022-09-29) field 'accelerators': unknown accelerator 'a1000'" in message


def test_an_unknown_section_is_refused_with_a_suggestion(tmp_path):
    path = write(tmp_path, '[[plans]]\nname = "pro"\n')
    assert error_for(path).startswith(f"{path}: unknown section 'plans' (did you mean 'plan'?)")


def test_a_file_that_is_not_toml_is_refused(tmp_path):
    path = write(tmp_path, "this is = = not toml")
    assert error_for(path).startswith(f"{path}: not valid TOML:")


def test_a_missing_file_is_refused(tmp_path):
    path = tmp_path / "nowhere.toml"
    assert error_for(path) == f"{path}: no such catalog file"


def test_the_same_entry_twice_in_one_file_is_refused(tmp_path):
    path = write(tmp_path, reading() * 2)
    assert error_for(path) == f"{path}: cu_rate 't4' (2026-03-09) appears twice"


SAME_CHIP = """
[[accelerator]]
key = "my-v100"
name = "My V100 PCIe"
kind = "gpu"
architecture = "{architecture}"
power_limit_watts = {watts}
boost_clock_mhz = 1380
matmul_clock_from = "{card}"
{extra}
source = "mine"
as_of = 2026-01-01
"""


def same_chip(tmp_path, card="v100-pcie", architecture="volta", watts=250, extra=""):
    return write(tmp_path, SAME_CHIP.format(card=card, architecture=architecture, watts=watts, extra=extra))


def test_a_borrowed_clock_reading_is_the_named_card_s_own():
    catalog = load_catalog()
    # The V100S takes the V100 PCIe's 1,252 MHz (bradrlaw/ai-server #32): same GV100 chip, same 250 W.
    assert (catalog.accelerator("v100s").matmul_clock_mhz, catalog.accelerator("v100s").matmul_clock_from) == (
        1252, "v100-pcie")


def test_a_borrowed_clock_reading_names_another_card_of_the_same_chip_and_power_limit(tmp_path):
    mine = load_catalog(override=same_chip(tmp_path)).accelerator("my-v100")
    assert (mine.matmul_clock_mhz, mine.matmul_clock_from) == (1252, "v100-pcie")
    assert "unknown accelerator 'v100-pcei' (did you mean 'v100-pcie'" in error_for(same_chip(tmp_path, "v100-pcei"))
    assert "names the card itself" in error_for(same_chip(tmp_path, "my-v100"))
    assert "'v100-pcie' (as pricing/data/accelerators.toml gives it) has power_limit_watts 250, this card 300" \
        in error_for(same_chip(tmp_path, watts=300))
    assert "has architecture volta, this card turing" in error_for(same_chip(tmp_path, architecture="turing"))
    assert "'colab-cpu' (as pricing/data/accelerators.toml gives it) has kind cpu, this card gpu" in error_for(
        same_chip(tmp_path, "colab-cpu"))
    assert "'v100s' (as pricing/data/accelerators.toml gives it) has no clock reading of its own to lend" in \
        error_for(same_chip(tmp_path, "v100s", watts=250))
    assert "'v100' (as pricing/data/accelerators.toml gives it) has power_limit_watts 300" in error_for(
        same_chip(tmp_path, "v100"))


def test_a_figure_beside_a_borrowed_reading_must_be_that_reading(tmp_path):
    agreeing = load_catalog(override=same_chip(tmp_path, extra="matmul_clock_mhz = 1252"))
    assert agreeing.accelerator("my-v100").matmul_clock_mhz == 1252
    message = error_for(same_chip(tmp_path, extra="matmul_clock_mhz = 700"))
    assert "field 'matmul_clock_mhz': 700 is not the 1252 MHz reading of 'v100-pcie'" in message


def test_a_borrower_follows_the_card_it_borrows_from_when_that_card_is_overridden(tmp_path):
    catalog = load_catalog()
    v100_pcie = catalog.accelerator("v100-pcie")
    entry = f"""
[[accelerator]]
key = "v100-pcie"
name = "{v100_pcie.name}"
kind = "gpu"
architecture = "volta"
power_limit_watts = {{watts}}
boost_clock_mhz = 1380
matmul_clock_mhz = 1100
source = "my own reading"
as_of = 2026-01-01
"""
    mine = load_catalog(override=write(tmp_path, entry.format(watts=250)))
    assert (mine.accelerator("v100s").matmul_clock_mhz, mine.accelerator("v100-pcie").matmul_clock_mhz) == (1100, 1100)
    # The shipped V100S borrows only from a 250 W V100 PCIe: the error names the file that changed it.
    path = write(tmp_path, entry.format(watts=300))
    assert f"'v100-pcie' (as {path} gives it) has power_limit_watts 300, this card 250" in error_for(path)


def test_a_clock_contradicting_its_boost_or_a_kind_contradicting_its_architecture_is_refused(tmp_path):
    def t4(field):
        return error_for(write(tmp_path, T4_WITH.format(field=field)))

    assert "expected base_clock_mhz at most boost_clock_mhz" in t4("base_clock_mhz = 2000\nboost_clock_mhz = 1590")
    assert "expected boost_clock_mhz beside sustained_clock_mhz" in t4("sustained_clock_mhz = 900")
    assert "expected boost_clock_mhz beside matmul_clock_mhz" in t4("matmul_clock_mhz = 900")
    assert "expected an architecture of its kind (gpu), not tpu" in t4('architecture = "tpu"')
    tpu = T4_WITH.replace('kind = "gpu"', 'kind = "tpu"')
    assert "expected an architecture of its kind (tpu), not hopper" in error_for(
        write(tmp_path, tpu.format(field='architecture = "hopper"')))
    assert "expected no base_clock_mhz on a tpu" in error_for(
        write(tmp_path, tpu.format(field="base_clock_mhz = 900\nboost_clock_mhz = 1000")))
