"""Comparing measurements: like with like, speedups only where they are significant."""

from __future__ import annotations

import dataclasses
import json

import pytest

from advisor.errors import AdvisorError
from advisor.render.compare import (
    comparison_notes,
    comparison_payload,
    comparison_table,
    excluded_text,
    speedup_text,
)
from advisor.render.table import envelope, render_table
from advisor.render.words import figure as times
from advisor.results.compare import Speedup, compare
from benchmarks import Fingerprint, Timing
from tests.helpers import make_environment, make_measurement

MACBOOK = make_environment(host_cpu="Apple M1", logical_cores=8)


def with_samples(m, *samples: float):
    return dataclasses.replace(m, python_loop=dataclasses.replace(m.python_loop, samples=samples))


def column(table, name: str) -> list:
    index = list(table.headers).index(name)
    return [row[index] for row in table.rows]


def test_a_steady_tenfold_difference_is_ten_times_faster():
    result = compare([make_measurement(step=0.1), make_measurement(step=0.01)])
    speedup = result.rows[1].speedup
    assert speedup.ratio == pytest.approx(10.0)
    assert speedup.significant
    assert speedup_text(speedup) == "10.0x faster"
    assert column(comparison_table(result), "speedup") == ["baseline", "10.0x faster"]


def test_a_slower_device_is_called_slower():
    result = compare([make_measurement(step=0.01), make_measurement(step=0.02)])
    assert speedup_text(result.rows[1].speedup) == "2.00x slower"


def test_overlapping_noisy_samples_are_not_significant():
    noisy_a = with_samples(make_measurement(), 0.010, 0.012, 0.009, 0.011, 0.0105, 0.0095)
    noisy_b = with_samples(make_measurement(), 0.0102, 0.0118, 0.0092, 0.0108, 0.0099, 0.0112)
    speedup = compare([noisy_a, noisy_b]).rows[1].speedup
    assert speedup.low <= 1.0 <= speedup.high
    assert not speedup.significant
    assert speedup_text(speedup) == "not significant"


def test_a_measurement_against_itself_is_not_significant_and_the_notes_say_it_is_the_same_result():
    m = make_measurement(spread=0.05)
    assert speedup_text(compare([m, m]).rows[1].speedup) == "not significant"
    assert f"{m.id} is named more than once: the same result, compared with itself" in comparison_notes(compare([m, m]))
    assert not any("more than once" in note for note in comparison_notes(compare([m, make_measurement(step=0.02)])))


def test_a_small_steady_difference_is_significant_pyperf_style():
    assert speedup_text(Speedup(1.11, 1.05, 1.18)) == "1.11x faster"
    assert speedup_text(Speedup(1.11, 0.99, 1.18)) == "not significant"
    assert speedup_text(Speedup(0.5, 0.45, 0.55)) == "2.00x slower"


@pytest.mark.parametrize(("ratio", "shown"), [(1.111, "1.11"), (10.04, "10.0"), (123.4, "123"), (25_000, "25,000"),
                                              (26_730, "26,700"), (2.5e9, "2.5e+09")])
def test_ratios_keep_about_three_significant_digits(ratio, shown):
    assert times(ratio) == shown


def test_the_band_comes_from_the_spreads_of_both_sides():
    slow = with_samples(make_measurement(), 0.100, 0.102, 0.098, 0.101, 0.099)
    fast = with_samples(make_measurement(), 0.0100, 0.0102, 0.0098, 0.0101, 0.0099)
    result = compare([slow, fast])
    speedup = result.rows[1].speedup
    assert speedup.low < speedup.ratio < speedup.high
    assert column(comparison_table(result), "band")[1] == f"{times(speedup.low)}x – {times(speedup.high)}x"
    # Slower: the band reads in the speedup's words, 10x slower within 0.0098/0.102 .. 0.0102/0.098.
    back = compare([fast, slow]).rows[1].speedup
    assert speedup_text(back) == f"{times(1 / back.ratio)}x slower"
    assert column(comparison_table(compare([fast, slow])), "band")[1] == (
        f"{times(1 / back.high)}x – {times(1 / back.low)}x slower")
    assert 1 / back.high < 1 / back.ratio < 1 / back.low


def test_a_different_preset_is_left_out_with_a_note():
    conv = make_measurement(preset="conv")
    result = compare([make_measurement(), make_measurement(step=0.02), conv])
    assert [row.measurement.id for row in result.rows] == [make_measurement().id, make_measurement(step=0.02).id]
    [excluded] = result.excluded
    assert excluded.measurement == conv
    assert excluded_text(excluded, result).startswith(
        f"{conv.id} (conv, float32, batch 256) left out: compare only the same preset and dtype")
    assert excluded_text(excluded, result) in comparison_table(result).notes


def test_a_different_dtype_is_left_out_with_a_note():
    result = compare([make_measurement(), make_measurement(dtype="bfloat16")])
    assert len(result.rows) == 1
    note = comparison_notes(result)[0]
    assert "(medium, bfloat16, batch 256) left out: compare only the same preset and dtype" in note


def test_a_different_batch_size_is_left_out_with_a_note():
    result = compare([make_measurement(), make_measurement(batch_size=128)])
    assert len(result.rows) == 1
    assert "left out: compare only the same batch size" in excluded_text(result.excluded[0], result)


def test_the_group_is_the_first_measurements():
    result = compare([make_measurement(preset="conv"), make_measurement(), make_measurement(preset="conv", step=0.02)])
    assert (result.preset, result.dtype, result.batch_size) == ("conv", "float32", 256)
    assert len(result.rows) == 2 and len(result.excluded) == 1


def test_fingerprints_that_agree_and_one_that_differs():
    base = make_measurement(loss=0.1058)
    close = make_measurement(step=0.02, loss=0.1060)
    other = make_measurement(step=0.03, loss=0.2)
    result = compare([base, close, other])
    assert [row.fingerprint_agrees for row in result.rows] == [None, True, False]
    assert column(comparison_table(result), "fingerprint") == ["loss 0.1058 (baseline)", "agrees (0.106)",
                                                               "DIFFERS (0.2)"]
    assert any("did not train the same way" in note for note in comparison_notes(result))


def test_an_unstable_measurement_gets_a_note():
    shaky = with_samples(make_measurement(), 0.01, 0.02, 0.01, 0.03, 0.01)
    result = compare([make_measurement(), shaky])
    assert any(note.startswith(f"{shaky.id} is unstable") for note in comparison_notes(result))


def test_an_unstable_shipped_reference_is_not_sent_to_be_measured_again():
    shaky = with_samples(make_measurement(), 0.01, 0.02, 0.01, 0.03, 0.01)
    result = compare([make_measurement(), shaky], origins=["this machine", "shipped reference"])
    [note] = [note for note in comparison_notes(result) if note.startswith(shaky.id)]
    assert "measure again" not in note and note.endswith("a shipped reference, kept as it was measured")


def test_fingerprints_of_another_scheme_are_not_compared_but_the_speeds_are():
    new = make_measurement(fingerprint=Fingerprint(steps=10, loss=0.0999, scheme=2))
    old = make_measurement(step=0.005, loss=0.1058)
    result = compare([new, old])
    assert [row.fingerprint_agrees for row in result.rows] == [None, None]
    assert column(comparison_table(result), "fingerprint") == ["loss 0.0999 (baseline)", "not compared (0.1058)"]
    assert result.rows[1].speedup.significant
    assert not any("did not train the same way" in note for note in comparison_notes(result))
    assert any(note.startswith(f"fingerprint of {old.id} not compared") for note in comparison_notes(result))


def test_epoch_times_reproduce_a_laptop_against_colab_table():
    # MNIST-sized epoch, 60000 samples at batch 256: ~100 s on the CPU, ~75 s on the laptop GPU, ~8 s on Colab.
    cpu = make_measurement(step=100 / 60000 * 256, environment=MACBOOK)
    laptop_gpu = make_measurement(step=75 / 60000 * 256, environment=dataclasses.replace(
        MACBOOK, platform="METAL", device_kind="Apple M1"))
    colab_gpu = make_measurement(step=8 / 60000 * 256, environment=make_environment(
        platform="gpu", device_kind="Tesla T4", in_colab=True))
    result = compare([cpu, laptop_gpu, colab_gpu], epoch_samples=60000,
                     origins=["this machine", "elsewhere (imported)", "Colab"])
    table = comparison_table(result)
    assert column(table, "device") == ["CPU Apple M1 (8 logical cores)", "Apple M1 (METAL)", "Tesla T4 (gpu)"]
    assert column(table, "where") == ["this machine", "elsewhere (imported)", "Colab"]
    assert column(table, "epoch (60,000 samples)") == ["100.00 s", "75.00 s", "8.00 s"]
    assert column(table, "speedup") == ["baseline", "1.33x faster", "12.5x faster"]
    assert column(table, "compile") == ["300.00 ms"] * 3
    assert "Tesla T4" in render_table(table, "markdown")


def test_the_payload_is_json_ready_and_says_what_was_left_out():
    conv = make_measurement(preset="conv")
    result = compare([make_measurement(step=0.1), make_measurement(step=0.01), conv], epoch_samples=1000)
    document = json.loads(envelope("compare", comparison_payload(result)))
    assert document["schema"] == "colab-advisor/compare/v1"
    assert document["group"] == {"preset": "medium", "dtype": "float32", "batch_size": 256}
    assert document["baseline"] == make_measurement(step=0.1).id
    first, second = document["rows"]
    assert first["speedup"] is None
    assert second["speedup"]["text"] == "10.0x faster" and second["speedup"]["significant"] is True
    assert second["fingerprint"]["agrees_with_baseline"] is True
    assert second["epoch_seconds"] == pytest.approx(1000 / 25600)
    assert document["excluded"] == [{"id": conv.id, "reason": excluded_text(result.excluded[0], result)}]


def test_nothing_to_compare_is_a_user_error():
    with pytest.raises(AdvisorError, match="nothing to compare"):
        compare([])


@pytest.mark.parametrize("samples", [0, -1, 10**10 + 1, 10**20])
def test_an_epoch_of_no_samples_or_more_than_any_dataset_is_a_user_error(samples):
    with pytest.raises(AdvisorError, match="--epoch-samples: expected a whole number from 1 to 10,000,000,000"):
        compare([make_measurement()], epoch_samples=samples)


def test_a_single_sample_per_side_still_compares():
    one = dataclasses.replace(make_measurement(), python_loop=Timing("python", 20, 40, (0.02,)))
    assert speedup_text(compare([one, make_measurement(step=0.01)]).rows[1].speedup) == "2.00x faster"
