"""Why an option cannot be chosen, in words."""

from advisor.decide.facts import BLOCK_FREE_QUOTA, BLOCK_MONTH, BLOCK_RAM, Blocker
from advisor.render.blockers import blockers_text


def test_a_month_s_hours_and_a_free_quota_short_of_the_same_need_say_the_need_once():
    said = blockers_text([Blocker(BLOCK_MONTH, have=730.5, need=1000.0), Blocker(BLOCK_FREE_QUOTA, have=25.0,
                                                                                  need=1000.0)])
    assert said == "needs 1,000.0 h a month; a month has 730.5 h and the free quota is 25.0 h"


def test_different_needs_and_other_blockers_keep_their_own_clauses():
    said = blockers_text([Blocker(BLOCK_RAM, have=12.7, need=40.0), Blocker(BLOCK_MONTH, have=730.5, need=1000.0),
                          Blocker(BLOCK_FREE_QUOTA, have=25.0, need=900.0)])
    assert said == ("RAM too small: 12.7 GB, the job needs 40 GB; needs 1,000.0 h a month; a month has 730.5 h; "
                    "needs 900.0 h a month; the free quota is 25.0 h")


def test_a_large_ram_need_reads_as_the_user_gave_it():
    said = blockers_text([Blocker(BLOCK_RAM, have=54.77, need=1234.5)])
    assert said == "RAM too small: 54.8 GB, the job needs 1,234.5 GB"
