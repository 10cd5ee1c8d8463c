"""The cost plot: every label inside the picture (matplotlib is an optional extra)."""

import pytest

from advisor.decide import Workload
from advisor.decide.engine import recommend
from advisor.decide.sources import Sources
from advisor.decide.tax import TaxBasis
from advisor.render.plot import _draw
from pricing import load_catalog
from tests.helpers import make_measurement


def test_every_label_of_the_plot_lies_inside_the_figure():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    catalog = load_catalog(load_catalog().as_of)
    # The longest y label there is: a country's tax named in it.
    rec = recommend(Workload(model="deep", epochs=100, epoch_seconds=100.0), Sources(local=make_measurement(step=0.01)),
                    catalog, TaxBasis("country", 0.1, catalog.tax_rate_for("KR")), curves=True)
    figure = _draw(plt, rec)
    try:
        renderer = figure.canvas.get_renderer()
        axes = figure.axes[0]
        for text in (axes.yaxis.label, axes.xaxis.label, axes.title):
            box = text.get_window_extent(renderer)
            assert box.x0 >= 0 and box.y0 >= 0, text.get_text()
            assert box.x1 <= figure.bbox.x1 and box.y1 <= figure.bbox.y1, text.get_text()
    finally:
        plt.close(figure)
