"""Criteria may name outcome types beyond the sandbox's list (Connect's own vocabulary is
unconfirmed), but a name no contact reported never passes a gate: a misspelt outcome has
a share of 0 %, which would meet any "at most"."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowops.config import Bound, Criteria, load_environment_file
from flowops.deploy.measure import Variant, _checks, _verdict
from flowops.errors import BadInputError


def _variant(outcomes: dict[str, int]) -> Variant:
    return Variant("candidate", "Main", "arn:flow", outcomes, 30.0, 60.0)


def _criteria(*bounds: Bound) -> Criteria:
    return Criteria("$.success.defaults", min_contacts=10, outcomes=bounds)


def test_a_name_no_contact_reported_is_unclear_not_a_pass() -> None:
    new = _variant({"ENDED_FLOW": 40, "DROPPED": 2})
    criteria = _criteria(Bound("DROPED", at_most=5))  # misspelt
    checks = _checks(new, criteria)
    assert [c.status for c in checks] == ["unclear"]
    assert "no contact reported outcome 'DROPED'" in checks[0].detail
    assert "DROPPED, ENDED_FLOW" in checks[0].detail
    assert _verdict(checks, criteria, new) == "unclear"


def test_a_known_name_with_no_contacts_passes_and_a_reported_custom_name_is_judged() -> None:
    new = _variant({"ENDED_FLOW": 40, "SelfServed": 10})
    criteria = _criteria(Bound("FLOW_ERROR", at_most=5), Bound("SelfServed", at_least=10))
    checks = _checks(new, criteria)
    assert [c.status for c in checks] == ["pass", "pass"]
    assert _verdict(checks, criteria, new) == "pass"


def _env_file(tmp_path: Path, outcome: str) -> Path:
    path = tmp_path / "staging.yaml"
    path.write_text(
        "name: staging\nregion: us-east-1\naccount_id: '222222222222'\ninstance: x\n"
        f"success:\n  defaults:\n    outcomes:\n      {outcome}:\n        at_most: 5\n",
        encoding="utf-8",
    )
    return path


def test_config_accepts_an_outcome_name_of_connects_and_refuses_a_malformed_one(
    tmp_path: Path,
) -> None:
    env = load_environment_file(_env_file(tmp_path, "SOME_CONNECT_OUTCOME"))
    criteria = env.criteria_for("Main")
    assert criteria is not None
    assert [b.outcome for b in criteria.outcomes] == ["SOME_CONNECT_OUTCOME"]
    with pytest.raises(BadInputError, match="outcomes"):
        load_environment_file(_env_file(tmp_path, "'not a name!'"))
