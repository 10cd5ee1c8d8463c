"""The one JSON encoder every --json, token and cache goes through."""

import dataclasses
import json
import math
from datetime import date
from pathlib import Path

import pytest

from advisor.encoding import dumps


@dataclasses.dataclass(frozen=True)
class Point:
    day: date
    where: Path


def test_dataclasses_dates_and_paths_become_plain_json():
    text = dumps({"p": Point(date(2021, 3, 1), Path("/tmp/x")), "t": (1, 2)})
    assert json.loads(text) == {"p": {"day": "2021-03-01", "where": "/tmp/x"}, "t": [1, 2]}
    assert dumps([1, 2], compact=True) == "[1,2]"


@pytest.mark.parametrize("bad", [math.nan, math.inf, object()])
def test_what_json_cannot_hold_is_refused(bad):
    with pytest.raises((ValueError, TypeError)):
        dumps({"x": bad})
