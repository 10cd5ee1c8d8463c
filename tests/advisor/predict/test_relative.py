"""predict relative to one accelerator: each row's speed over the reference's, with the ratio's band."""

from __future__ import annotations

import pytest

from advisor.predict.workload import predict_workload
from advisor.render.predict import prediction_payload, prediction_table
from pricing import load_catalog
from pricing.errors import CatalogError

CATALOG = load_catalog()


def predict(tmp_path, accelerators, relative_to="t4", dtype="float16"):
    return predict_workload("ae-medium", dtype, None, accelerators, CATALOG, tmp_path, relative_to=relative_to)


def test_the_reference_runs_at_exactly_one_times_itself(tmp_path):
    row = predict(tmp_path, ["t4"]).rows[0]
    assert (row.ratio.centre, row.ratio.low, row.ratio.high) == (1.0, 1.0, 1.0)


def test_the_ratio_is_the_reference_step_over_this_step_and_its_band_brackets_it(tmp_path):
    t4, a100 = predict(tmp_path, ["t4", "a100-40gb"]).rows
    assert a100.ratio.centre == pytest.approx(t4.speed.seconds / a100.speed.seconds)
    assert a100.ratio.low < a100.ratio.centre < a100.ratio.high


def test_a_ratio_is_surer_than_the_two_step_times_it_divides(tmp_path):
    t4, a100 = predict(tmp_path, ["t4", "a100-40gb"]).rows
    # Dividing the two bands end to end would treat their shared level error as independent.
    naive = (t4.speed.high / a100.speed.low) / (t4.speed.low / a100.speed.high)
    assert a100.ratio.high / a100.ratio.low < naive


def test_json_carries_the_ratio_fields_beside_the_step_time(tmp_path):
    from tests.advisor.cli.test_catalog import MY_GPU

    mine = tmp_path / "mine.toml"
    mine.write_text(MY_GPU, encoding="utf-8")
    catalog = load_catalog(override=mine)
    payload = prediction_payload(predict_workload("ae-medium", "float16", None, ["t4", "l4", "my-gpu"], catalog,
                                                  tmp_path, relative_to="t4"))
    assert payload["relative_to"] == "t4"
    l4 = payload["accelerators"][1]
    for key in ("ratio", "ratio_low", "ratio_high", "seconds_per_step", "low", "high", "max_batch", "sigma"):
        assert l4[key] is not None
    g4 = payload["accelerators"][2]
    assert g4["ratio"] is None and g4["seconds_per_step"] is None
    assert set(g4["missing"]) == {"fp16_bf16_tflops", "memory_bandwidth_gbs"}
    assert "memory bandwidth" in g4["unknown_because"]


def test_k80_half_precision_says_why_it_is_no_faster(tmp_path):
    payload = prediction_payload(predict(tmp_path, ["k80"]))
    assert "no-half-hardware" in [c["code"] for c in payload["accelerators"][0]["caveats"]]


def test_the_table_gains_a_column_against_the_reference(tmp_path):
    table = prediction_table(predict(tmp_path, ["t4", "a100-40gb"]))
    assert "vs t4" in table.headers
    assert table.rows[0][table.headers.index("vs t4")].startswith("1.00x")


def test_an_unknown_reference_suggests_the_nearest_name(tmp_path):
    with pytest.raises(CatalogError, match="did you mean"):
        predict(tmp_path, ["t4"], relative_to="a100-40")


def test_a_clock_borrowed_from_another_card_is_worded_as_that_card_s(tmp_path):
    payload = prediction_payload(predict(tmp_path, ["v100s", "v100-pcie"]))
    texts = {row["accelerator"]: [c["text"] for c in row["caveats"] if c["code"] == "matmul-clock"]
             for row in payload["accelerators"]}
    assert texts["v100s"] and "no clock reading of its own; the v100-pcie (same chip, same power limit) held " \
        "1252 MHz" in texts["v100s"][0]
    assert texts["v100-pcie"] and texts["v100-pcie"][0].startswith("v100-pcie: held 1252 MHz under a sustained")
