"""``flowops doctor``'s permission table is docs/aws.md's, and every action it names is
probed by one call (except ``ds:``, which Connect's API cannot reach)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from flowops.connect import doctor

DOCS = Path(__file__).resolve().parents[2] / "docs" / "aws.md"


def statements() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for block in re.findall(r"```json\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.DOTALL):
        data: Any = json.loads(block)
        for statement in data.get("Statement", [data]) if isinstance(data, dict) else []:
            if isinstance(statement, dict) and "Sid" in statement:
                found[statement["Sid"]] = set(statement["Action"])
    return found


def test_each_command_needs_exactly_what_docs_aws_md_grants() -> None:
    docs = statements()
    assert set(docs) == set(doctor.STATEMENTS)  # a new statement in the docs needs a line here
    for sid, actions in doctor.STATEMENTS.items():
        assert set(actions) == docs[sid], sid
    for command, sids in doctor.COMMAND_STATEMENTS.items():
        granted = set().union(*(docs[sid] for sid in sids))
        assert set(doctor.COMMAND_ACTIONS[command]) == granted, command


def test_every_action_has_a_probe() -> None:
    named = {
        *(a for acts in doctor.COMMAND_ACTIONS.values() for a in acts),
        *doctor.ALIAS_ACTIONS,
        *doctor.LEX_ACTIONS,
        *doctor.PROBE_ACTIONS,
    }
    assert named - set(doctor.PROBES) == {"ds:DescribeDirectories"}
    assert set(doctor.PROBES) <= named
