"""An unknown name's error lists the known ones, a dozen at most, and counts the rest."""

from pricing.names import did_you_mean


def _known(count):
    names = [f"name{i:02d}" for i in range(count)]
    return did_you_mean("thing", "zzz", [(n, n) for n in names], names)


def test_one_name_past_the_dozen_is_listed_rather_than_counted():
    said = _known(13)
    assert said.endswith("name11, name12") and "more" not in said


def test_more_names_are_counted():
    said = _known(20)
    assert "name11" in said and "name12" not in said and said.endswith("and 8 more")
