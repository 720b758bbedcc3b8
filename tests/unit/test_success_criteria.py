"""Success criteria in environment files: parsing, per-flow over defaults, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowops.config import Bound, load_environment
from flowops.errors import BadInputError

BASE = """\
region: us-east-1
account_id: "111111111111"
instance: flowops-sandbox
endpoint_url: sandbox
"""

SUCCESS = """\
success:
  defaults:
    min_contacts: 50
    outcomes:
      DROPPED: {at_most: 5}
  flows:
    Main Inbound:
      confidence: 0.9
      avg_flow_time_at_most: 90
      outcomes:
        TRANSFERRED_TO_QUEUE: {at_most: 40, at_least: 10}
        DROPPED: {at_most: 2}
"""


def env_file(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "dev.yaml"
    path.write_text(BASE + extra, encoding="utf-8")
    return path


def test_criteria_per_flow_else_defaults(tmp_path: Path) -> None:
    env = load_environment(str(env_file(tmp_path, SUCCESS)))
    main = env.criteria_for("Main Inbound")
    assert main is not None
    assert main.confidence == 0.9 and main.avg_flow_time_at_most == 90
    assert main.min_contacts == 100  # a flow's own criteria do not inherit the defaults
    assert main.outcomes == (
        Bound("DROPPED", at_most=2),
        Bound("TRANSFERRED_TO_QUEUE", at_most=40, at_least=10),
    )
    other = env.criteria_for("Billing")
    assert other is not None and other.where == "$.success.defaults"
    assert other.min_contacts == 50 and other.outcomes == (Bound("DROPPED", at_most=5),)


def test_no_success_section_means_no_criteria(tmp_path: Path) -> None:
    assert load_environment(str(env_file(tmp_path, ""))).criteria_for("Main Inbound") is None


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        ("success:\n  defaults:\n    min_contacts: 0\n", "$.success.defaults.min_contacts"),
        (
            "success:\n  defaults:\n    outcomes:\n      'hung up!': {at_most: 5}\n",
            "$.success.defaults.outcomes",
        ),
        (
            "success:\n  flows:\n    Main:\n      outcomes:\n        DROPPED: {at_most: 150}\n",
            "$.success.flows.Main.outcomes.DROPPED.at_most",
        ),
        ("success:\n  defaults:\n    confidence: 1.5\n", "$.success.defaults.confidence"),
        ("success:\n  defaults:\n    max_time: 3\n", "'max_time'"),
        (
            "success:\n  defaults:\n    outcomes:\n      DROPPED: {at_most: 5, at_least: 9}\n",
            "$.success.defaults.outcomes.DROPPED: at_least 9",
        ),
    ],
)
def test_bad_criteria_name_file_and_field(tmp_path: Path, extra: str, needle: str) -> None:
    path = env_file(tmp_path, extra)
    with pytest.raises(BadInputError) as caught:
        load_environment(str(path))
    message = str(caught.value)
    assert str(path) in message and needle in message, message
