"""The setup sentence: said only where session setup gives back most of what a barely faster option saves."""

import re

from advisor.decide import Workload
from advisor.decide.engine import recommend
from advisor.decide.sources import Sources
from advisor.decide.tax import TaxBasis
from advisor.render.verdict import verdict_sentences
from pricing import load_catalog
from tests.helpers import make_measurement

CATALOG = load_catalog()
FAST_HERE = Sources(local=make_measurement(step=0.002))


def _setup_sentences(setup_minutes):
    # One 5-minute epoch here, a run a bit faster on Kaggle's T4s once their session is set up.
    work = Workload(model="deep", epochs=1, epoch_seconds=300.0, hour_value=10.0, hour_value_given=True,
                    setup_minutes=setup_minutes)
    rec = recommend(work, FAST_HERE, CATALOG, TaxBasis("none"))
    return rec, [s for s in verdict_sentences(rec) if s.startswith("Setup")]


def test_setup_that_takes_most_of_the_saving_is_said_with_its_share():
    rec, (sentence,) = _setup_sentences(3.0)
    assert not rec.best.is_local and rec.best.speedup < 1.5
    share = int(re.search(r"takes (\d+) % of the time its speed saves a run", sentence).group(1))
    # 3 min of setup against the 5 min this machine takes less the option's compute: more than half of it.
    compute = rec.best.run_hours * 60 - 3.0
    assert 50 <= share <= 100 and abs(share - round(100 * 3.0 / (5.0 - compute))) <= 1


def test_no_setup_is_never_said_to_eat_the_gain():
    _, sentences = _setup_sentences(0.0)
    assert sentences == []
