"""How lag is configured and reported: ``Lag.parse`` with ``list``, the summary line."""

from __future__ import annotations

import pytest

from flowops.deploy.render import lag_line
from flowops.errors import BadInputError
from flowops.sandbox import Lag


def test_list_lag_parses_like_the_others_and_turns_lag_on() -> None:
    lag = Lag.parse("search=2,list=1.5")
    assert (lag.search, lag.list, lag.tags, lag.not_found) == (2.0, 1.5, 0.0, 0.0)
    assert Lag(list=0.1).enabled and not Lag().enabled
    assert Lag.everywhere(1.0).list == 1.0
    with pytest.raises(BadInputError, match="list"):
        Lag.parse("lists=2")  # the message names the valid fields, list among them


@pytest.mark.parametrize(
    ("lag", "line"),
    [
        ({"waited": 0, "reread": 0, "notes": []}, ""),
        ({}, ""),
        ({"waited": 3, "reread": 0}, "3 read(s) waited for Connect to catch up"),
        ({"waited": 1, "reread": 4}, "1 read(s) waited for Connect to catch up"),
        ({"waited": 0, "reread": 4}, ""),  # rereads are routine: in --format json only
    ],
)
def test_the_lag_line_says_what_waited_and_nothing_when_nothing_did(
    lag: dict[str, object], line: str
) -> None:
    assert lag_line(lag) == line
