"""A generated history for every corpus flow: each step's diff reports exactly its edit.

Versions, built deterministically from the real flow: v1 changes a parameter, v2
retargets a Success branch, v3 adds an action, v4 removes one, v5 moves every block
(layout only), v6 re-points every ARN to another account, Region and instance (no
change). Every pair of consecutive versions is diffed.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from flowops.diff import FlowDiff, diff_flows
from flowops.model import FlowDocument, parse_document_text
from tests.corpus import corpus_params

pytestmark = pytest.mark.corpus

ADDED_ID = "flowops-test-added"
_ACCOUNT_ARN = re.compile(r"^(arn:aws:[a-z0-9-]+):[a-z0-9-]+:\d{12}:(instance/[^/]+)?")


def parse(data: dict[str, Any]) -> FlowDocument:
    return parse_document_text(json.dumps(data))


def _ids(data: dict[str, Any]) -> list[str]:
    return sorted({a["Identifier"] for a in data["Actions"]})


def _first(data: dict[str, Any], ident: str) -> dict[str, Any]:
    action: dict[str, Any] = next(a for a in data["Actions"] if a["Identifier"] == ident)
    return action


def edit_parameter(data: dict[str, Any]) -> tuple[dict[str, Any], tuple[str, str] | None]:
    out = copy.deepcopy(data)
    for ident in _ids(out):
        params = _first(out, ident).get("Parameters") or {}
        for key in sorted(params):
            if isinstance(params[key], str):
                params[key] += " (edited)"
                return out, (ident, key)
    return out, None


def retarget(data: dict[str, Any]) -> tuple[dict[str, Any], tuple[str, str, str] | None]:
    out = copy.deepcopy(data)
    ids = _ids(out)
    for ident in ids:
        transitions = _first(out, ident).get("Transitions") or {}
        old = transitions.get("NextAction")
        if isinstance(old, str) and old:
            new = next((i for i in ids if i != old), None)
            if new is None:
                return out, None
            transitions["NextAction"] = new
            return out, (ident, old, new)
    return out, None


def add_action(data: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(data)
    out["Actions"].append(
        {
            "Identifier": ADDED_ID,
            "Type": "MessageParticipant",
            "Parameters": {"Text": "added by the test"},
            "Transitions": {"NextAction": out["StartAction"] or _ids(out)[0]},
        }
    )
    return out


def remove_action(data: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    out = copy.deepcopy(data)
    candidates = [i for i in _ids(out) if i not in (out["StartAction"], ADDED_ID)]
    if not candidates:
        return out, None
    victim = candidates[-1]
    out["Actions"] = [a for a in out["Actions"] if a["Identifier"] != victim]
    return out, victim


def move_everything(data: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(data)
    metadata = out.setdefault("Metadata", {})
    per_action = metadata.setdefault("ActionMetadata", {})
    for ident in _ids(out):
        meta = per_action.setdefault(ident, {})
        position = meta.setdefault("position", {"x": 0, "y": 0})
        position["x"] = (position.get("x") or 0) + 37
    return out


def other_account(value: Any) -> Any:
    if isinstance(value, str):
        return _ACCOUNT_ARN.sub(
            lambda m: (
                f"{m.group(1)}:eu-central-1:999999999999:"
                + ("instance/another-instance" if m.group(2) else "")
            ),
            value,
        )
    if isinstance(value, dict):
        return {k: other_account(v) for k, v in value.items()}
    if isinstance(value, list):
        return [other_account(v) for v in value]
    return value


def diff(old: dict[str, Any], new: dict[str, Any]) -> FlowDiff | None:
    return diff_flows(parse(old), parse(new), key="flow:corpus")


def only_action(result: FlowDiff | None) -> Any:
    assert result is not None and result.semantic
    assert not result.metadata and not result.content and result.start_action is None
    (action,) = result.actions
    return action


@pytest.mark.parametrize("path", corpus_params())
def test_history_of_corpus_flow(path: Path) -> None:
    v0: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))

    v1, param = edit_parameter(v0)
    if param is None:
        assert diff(v0, v1) is None
    else:
        action = only_action(diff(v0, v1))
        assert (action.identifier, action.status) == (param[0], "changed")
        assert [(c.path, c.change) for c in action.parameters] == [(param[1], "changed")]
        assert action.parameters[0].new == action.parameters[0].old + " (edited)"
        assert action.branches == ()

    v2, branch = retarget(v1)
    if branch is not None:
        action = only_action(diff(v1, v2))
        assert action.identifier == branch[0] and action.parameters == ()
        assert [(b.branch, b.label, b.change, b.old, b.new) for b in action.branches] == [
            ("next", "Success", "retargeted", branch[1], branch[2])
        ]

    v3 = add_action(v2)
    action = only_action(diff(v2, v3))
    assert (action.identifier, action.status, action.type) == (
        ADDED_ID,
        "added",
        "MessageParticipant",
    )

    v4, victim = remove_action(v3)
    if victim is not None:
        action = only_action(diff(v3, v4))
        assert (action.identifier, action.status) == (victim, "removed")

    v5 = move_everything(v4)
    moved = diff(v4, v5)
    assert moved is not None and not moved.semantic and moved.status == "layout"
    assert set(moved.layout.actions) == set(_ids(v5))

    v6 = other_account(v5)
    assert diff(v5, v6) is None
