"""Properties of the diff over generated flows and random edits.

* diff(a, a) is empty;
* diff(b, a) is the mirror of diff(a, b): what a -> b adds, b -> a removes; every
  parameter and branch change appears with old and new swapped; re-created pairs invert.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from flowops.diff import FlowDiff, diff_flows, diff_trees
from flowops.model import FlowDocument, parse_document_text

TYPES = (
    "MessageParticipant",
    "GetParticipantInput",
    "UpdateContactAttributes",
    "DisconnectParticipant",
)
TEXTS = ("hi", "hello", "bye", "arn:aws:connect:us-east-1:111111111111:instance/i/queue/q1")
ERRORS = ("NoMatchingError", "NoMatchingCondition", "InputTimeLimitExceeded")


@st.composite
def flows(draw: st.DrawFn) -> dict[str, Any]:
    n = draw(st.integers(1, 7))
    ids = [f"a{i}" for i in range(n)]
    target = st.sampled_from(ids)
    actions = []
    for ident in ids:
        type_ = draw(st.sampled_from(TYPES))
        params: dict[str, Any] = draw(
            st.dictionaries(
                st.sampled_from(("Text", "Lang", "Attributes")), st.sampled_from(TEXTS), max_size=2
            )
        )
        if draw(st.booleans()) and "Attributes" in params:
            params["Attributes"] = {"k": params["Attributes"]}
        transitions: dict[str, Any] = {}
        if type_ != "DisconnectParticipant":
            transitions["NextAction"] = draw(target)
            errs = draw(st.lists(st.sampled_from(ERRORS), unique=True, max_size=2))
            transitions["Errors"] = [{"NextAction": draw(target), "ErrorType": e} for e in errs]
            if type_ == "GetParticipantInput":
                digits = draw(st.lists(st.sampled_from("123"), max_size=3))
                transitions["Conditions"] = [
                    {
                        "NextAction": draw(target),
                        "Condition": {"Operator": "Equals", "Operands": [d]},
                    }
                    for d in digits
                ]
        actions.append(
            {"Identifier": ident, "Type": type_, "Parameters": params, "Transitions": transitions}
        )
    layout = {i: {"position": {"x": draw(st.integers(0, 9)), "y": 0}} for i in ids}
    return {
        "Version": "2019-10-30",
        "StartAction": draw(target),
        "Metadata": {"name": "Gen", "ActionMetadata": layout},
        "Actions": actions,
    }


@st.composite
def edited(draw: st.DrawFn, data: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``data`` after 0-4 random edits of every kind the engine knows."""
    out = copy.deepcopy(data)
    for _ in range(draw(st.integers(0, 4))):
        actions = out["Actions"]
        ids = [a["Identifier"] for a in actions]
        op = draw(
            st.sampled_from(("param", "retarget", "add", "remove", "recreate", "move", "start"))
        )
        victim = draw(st.sampled_from(actions))
        if op == "param":
            victim["Parameters"][draw(st.sampled_from(("Text", "Lang")))] = draw(
                st.sampled_from(TEXTS)
            )
        elif op == "retarget" and victim["Transitions"].get("NextAction"):
            victim["Transitions"]["NextAction"] = draw(st.sampled_from(ids))
        elif op == "add":
            new_id = f"n{len(ids)}x{draw(st.integers(0, 99))}"
            if new_id not in ids:
                actions.append(
                    {
                        "Identifier": new_id,
                        "Type": "MessageParticipant",
                        "Parameters": {"Text": "new"},
                        "Transitions": {"NextAction": draw(st.sampled_from(ids))},
                    }
                )
        elif op == "remove" and len(actions) > 1 and victim["Identifier"] != out["StartAction"]:
            actions.remove(victim)
        elif op == "recreate":
            old_id, new_id = victim["Identifier"], victim["Identifier"] + "r"
            if new_id not in ids:
                victim["Identifier"] = new_id
                for a in actions:
                    t = a["Transitions"]
                    for branch in [t, *t.get("Errors", []), *t.get("Conditions", [])]:
                        if branch.get("NextAction") == old_id:
                            branch["NextAction"] = new_id
                if out["StartAction"] == old_id:
                    out["StartAction"] = new_id
        elif op == "move":
            meta = out["Metadata"]["ActionMetadata"].setdefault(
                victim["Identifier"], {"position": {"x": 0, "y": 0}}
            )
            meta["position"]["y"] += 10
        elif op == "start":
            out["StartAction"] = draw(st.sampled_from(ids))
    return out


def doc(data: dict[str, Any]) -> FlowDocument:
    return parse_document_text(json.dumps(data))


def facts(diff: FlowDiff | None, mirror: bool = False) -> set[tuple[Any, ...]]:
    """Every reported fact, normalized so that a diff and its mirror give the same set."""
    if diff is None:
        return set()
    swap = {"added": "removed", "removed": "added"}
    out: set[tuple[Any, ...]] = set()

    def add(*fact: Any) -> None:
        out.add(_norm(fact))

    def side(old: Any, new: Any) -> tuple[Any, Any]:
        return (new, old) if mirror else (old, new)

    for a in diff.actions:
        status = swap.get(a.status, a.status) if mirror else a.status
        if a.status == "recreated":
            add("recreated", *side(a.old_identifier, a.identifier))
            ident = side(a.old_identifier, a.identifier)[1]
        else:
            add("action", a.identifier, status)
            ident = a.identifier
        if a.old_type:
            add("type", ident, *side(a.old_type, a.type))
        for c in a.parameters:
            change = swap.get(c.change, c.change) if mirror else c.change
            add("param", ident, c.path, change, *side(c.old, c.new))
        for b in a.branches:
            change = swap.get(b.change, b.change) if mirror else b.change
            add("branch", ident, b.branch, b.label, change, *side(b.old, b.new))
        if a.conditions_reordered:
            add("reordered", ident)
    if diff.start_action:
        add("start", *side(*diff.start_action))
    add("semantic", diff.semantic)
    return out


def _norm(fact: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(json.dumps(x) if not isinstance(x, str | bool | type(None)) else x for x in fact)


@settings(max_examples=100, deadline=None)
@given(flows())
def test_diff_of_a_flow_with_itself_is_empty(data: dict[str, Any]) -> None:
    assert diff_flows(doc(data), doc(copy.deepcopy(data)), key="flow:Gen") is None
    assert diff_trees({"flow:Gen": doc(data)}, {"flow:Gen": doc(data)}).flows == ()


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_reverse_diff_is_the_mirror(data: st.DataObject) -> None:
    a = data.draw(flows())
    b = data.draw(edited(a))
    forward = diff_flows(doc(a), doc(b), key="flow:Gen")
    backward = diff_flows(doc(b), doc(a), key="flow:Gen")
    assert (forward is None) == (backward is None)
    assert facts(forward) == facts(backward, mirror=True)
    if forward is not None and backward is not None:
        assert forward.semantic == backward.semantic
        assert bool(forward.layout) == bool(backward.layout)
