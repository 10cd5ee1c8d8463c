"""Lookups forgive spelling, suggest on a miss, and match measured devices."""

from __future__ import annotations

import pytest

from pricing import CatalogError, load_catalog, match_device_kind, tax_rate_for

CATALOG = load_catalog()


@pytest.mark.parametrize("spelling", ["pro-plus", "Pro+", "pro plus", "Colab Pro+"])
def test_a_plan_is_found_by_any_usual_spelling(spelling):
    assert CATALOG.plan(spelling).name == "pro-plus"


def test_a_misspelt_plan_gets_a_suggestion_and_the_valid_names():
    with pytest.raises(CatalogError) as caught:
        CATALOG.plan("por")
    assert str(caught.value) == (
        "unknown plan 'por'; did you mean 'pro'? Known: free, kaggle, pay-as-you-go, pro, pro-plus"
    )


def test_an_ambiguous_accelerator_prefix_suggests_both_variants():
    with pytest.raises(CatalogError, match=r"did you mean 'a100-40gb' or 'a100-80gb'"):
        CATALOG.accelerator("a100")


def test_a_hopeless_name_lists_the_valid_names_only():
    with pytest.raises(CatalogError) as caught:
        CATALOG.plan("zzzz")
    assert str(caught.value) == "unknown plan 'zzzz'. Known: free, kaggle, pay-as-you-go, pro, pro-plus"


def test_lookup_errors_are_one_line():
    with pytest.raises(CatalogError) as caught:
        CATALOG.accelerator("t5")
    assert "\n" not in str(caught.value)
    assert "did you mean 't4'" in str(caught.value)


@pytest.mark.parametrize(
    ("device_kind", "key"),
    [
        ("Tesla T4", "t4"),
        ("NVIDIA A100-SXM4-40GB", "a100-40gb"),
        ("NVIDIA A100-SXM4-80GB", "a100-80gb"),
        ("NVIDIA H100 80GB HBM3", "h100"),
        ("NVIDIA H100 PCIe", "h100-pcie"),
        ("NVIDIA L4", "l4"),
        ("Tesla V100-SXM2-16GB", "v100"),
        ("TPU v5 lite", "tpu-v5e-1"),
        ("TPU v6 lite", "tpu-v6e-1"),
        ("TPU v2", "tpu-v2-8"),
        ("Apple M1 Pro", "apple-m1-pro"),
        # Device names as GPU-Insights' table records them: one chip, two editions, two entries.
        ("NVIDIA RTX PRO 6000 Blackwell Workstation Edition", "rtx-pro-6000-ws"),
        ("NVIDIA RTX PRO 6000 Blackwell Server Edition", "g4"),
        ("NVIDIA GeForce RTX 4090 D", "rtx-4090-d"),
        ("NVIDIA GeForce RTX 4090", "rtx-4090"),
        ("NVIDIA RTX A5500", "rtx-a5500"),
        ("NVIDIA A2", "a2"),
    ],
)
def test_a_measured_device_kind_matches_its_catalog_entry(device_kind, key):
    assert match_device_kind(device_kind).key == key


@pytest.mark.parametrize("device_kind", ["cpu", "", "NVIDIA GeForce RTX 5080"])
def test_an_unknown_device_kind_matches_nothing(device_kind):
    assert match_device_kind(device_kind) is None


def test_tax_rate_by_code_in_any_case():
    assert tax_rate_for("de").rate == pytest.approx(0.19)


def test_tax_rate_by_alias():
    assert tax_rate_for("UK").country == "GB"


def test_us_has_no_single_rate_and_says_state_tax_varies():
    us = tax_rate_for("US")
    assert us.rate is None  # no federal VAT, but state sales tax: 0 % would understate the bill
    assert "state" in us.note


def test_an_unknown_country_suggests_and_asks_for_the_rate_itself():
    with pytest.raises(CatalogError) as caught:
        tax_rate_for("Germny")
    assert str(caught.value).startswith("unknown country 'Germny'; did you mean 'DE'? Known: BR, CA, DE")
    assert str(caught.value).endswith("give the tax rate itself")
    known = str(caught.value).split("Known: ")[1].split(";")[0].split(", ")
    assert len(known) == len(set(known))  # Germany's three rates over time are one country to the reader


def test_the_free_tier_estimate_is_a_sourced_assumption():
    estimate = CATALOG.free_tier_estimate
    assert (estimate.accelerator, estimate.session_minutes, estimate.session_cu) == ("t4", 200, 6)
    assert "3h20m" in estimate.statement
    assert estimate.source



def test_an_unknown_accelerator_s_error_names_a_dozen_known_ones_and_counts_the_rest():
    with pytest.raises(CatalogError) as caught:
        load_catalog().accelerator("nope")
    message = str(caught.value)
    listed, more = message.split("Known: ")[1].split(" and ")
    total = len(load_catalog().accelerators)
    assert len(listed.split(", ")) == 12 and more == f"{total - 12} more"
    assert len(message) <= 200


@pytest.mark.parametrize(("printed", "key"), [
    ("GeForce GTX 1080 Ti", "gtx-1080-ti"),  # an older nvidia-smi leaves out 'NVIDIA'
    ("GeForce RTX 3080", "rtx-3080"),
    ("NVIDIA Tesla T4", "t4"),
    ("Tesla K80", "k80"),
])
def test_a_name_as_a_driver_prints_it_is_found_with_or_without_its_vendor_words(printed, key):
    assert load_catalog().accelerator(printed).key == key


def test_no_two_accelerators_share_a_spelling_once_vendor_words_are_dropped():
    # The vendor-free fallback must never pick one card for another's name.
    from pricing.catalog import _strip_vendor
    from pricing.names import normalise

    owner: dict[str, str] = {}
    for acc in load_catalog().accelerators:
        for spelling in (acc.key, acc.name, *acc.aliases):
            stripped = _strip_vendor(normalise(spelling))
            assert owner.setdefault(stripped, acc.key) == acc.key, (spelling, owner[stripped], acc.key)


def test_every_nvidia_card_is_found_by_its_name_without_nvidia():
    catalog = load_catalog()
    for acc in catalog.accelerators:
        if acc.name.startswith("NVIDIA "):
            assert catalog.accelerator(acc.name.removeprefix("NVIDIA ")).key == acc.key
