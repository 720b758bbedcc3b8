"""The diff engine: ARN-neutral values, action matching, renames, impact, value paths."""

from __future__ import annotations

import json
from typing import Any

from flowops.diff import (
    diff_flows,
    diff_trees,
    find_renames,
    match_actions,
    neutral_arn,
    neutralize,
)
from flowops.diff.values import value_changes
from flowops.model import FlowDocument, parse_document_text
from flowops.model.types import Flow

DEV_QUEUE = "arn:aws:connect:us-east-1:111111111111:instance/i-dev/queue/q-1"


def action(
    ident: str, type_: str = "MessageParticipant", nxt: str | None = None, **params: Any
) -> dict[str, Any]:
    out: dict[str, Any] = {"Identifier": ident, "Type": type_, "Parameters": params}
    out["Transitions"] = {"NextAction": nxt} if nxt else {}
    return out


def content(
    start: str, *actions: dict[str, Any], name: str = "F", settings: Any = None
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "Version": "2019-10-30",
        "StartAction": start,
        "Metadata": {"name": name},
        "Actions": list(actions),
    }
    if settings is not None:
        data["Settings"] = settings
    return data


def doc(data: dict[str, Any]) -> FlowDocument:
    return parse_document_text(json.dumps(data))


def flow(data: dict[str, Any]) -> Flow:
    return doc(data).flow


def test_neutral_arn_ignores_partition_region_account_and_instance() -> None:
    other = "arn:aws-us-gov:connect:us-gov-west-1:222222222222:instance/i-prod/queue/q-1"
    assert neutral_arn(DEV_QUEUE) == neutral_arn(other)
    assert neutral_arn(DEV_QUEUE) != neutral_arn(DEV_QUEUE.replace("q-1", "q-2"))
    lam = "arn:aws:lambda:us-east-1:111111111111:function:lookup"
    assert neutral_arn(lam) == neutral_arn(lam.replace("111111111111", "333333333333"))
    assert neutral_arn(lam) != neutral_arn(lam.replace("lookup", "other"))
    assert neutral_arn("queue:Support") == "queue:Support"
    assert neutralize({"a": [DEV_QUEUE, 3]}) == {"a": [neutral_arn(DEV_QUEUE), 3]}


def test_value_changes_speak_in_readable_paths_with_original_values() -> None:
    old = {"Messages": [{"Text": "a"}], "QueueId": DEV_QUEUE}
    new = {
        "Messages": [{"Text": "b"}],
        "QueueId": DEV_QUEUE.replace("111111111111", "999999999999"),
    }
    changes = value_changes(old, new, neutralize)
    assert [(c.path, c.change, c.old, c.new) for c in changes] == [
        ("Messages[0].Text", "changed", "a", "b")
    ]
    assert value_changes(old, new, lambda v: v)[1].old == DEV_QUEUE


def test_chain_of_recreated_blocks_is_matched() -> None:
    old = flow(
        content(
            "a1",
            action("a1", nxt="b1", Text="x"),
            action("b1", nxt="end", Text="y"),
            action("end", "DisconnectParticipant"),
        )
    )
    new = flow(
        content(
            "a2",
            action("a2", nxt="b2", Text="x"),
            action("b2", nxt="end", Text="y"),
            action("end", "DisconnectParticipant"),
        )
    )
    matching = match_actions(old, new, neutralize)
    assert matching.recreated == {"a1": "a2", "b1": "b2"}
    assert matching.removed == () and matching.added == ()
    mirror = match_actions(new, old, neutralize)
    assert mirror.recreated == {"a2": "a1", "b2": "b1"}


def test_ambiguous_recreation_is_left_as_add_and_remove() -> None:
    old = flow(
        content(
            "s",
            action("s", "DisconnectParticipant"),
            action("x1", "DisconnectParticipant"),
            action("x2", "DisconnectParticipant"),
        )
    )
    new = flow(
        content(
            "s",
            action("s", "DisconnectParticipant"),
            action("y1", "DisconnectParticipant"),
            action("y2", "DisconnectParticipant"),
        )
    )
    matching = match_actions(old, new, neutralize)
    assert matching.recreated == {}
    assert set(matching.removed) == {"x1", "x2"} and set(matching.added) == {"y1", "y2"}


def test_same_block_in_another_place_is_not_recreated() -> None:
    old = flow(
        content(
            "m",
            action("m", "Compare", nxt="a"),
            action("a", nxt="end", Text="t"),
            action("end", "DisconnectParticipant"),
            action("k", nxt="end", Text="other"),
        )
    )
    # 'a' disappears; an identical block 'b' appears, but reached from 'k' instead of 'm'
    new = flow(
        content(
            "m",
            action("m", "Compare", nxt="end"),
            action("b", nxt="end", Text="t"),
            action("end", "DisconnectParticipant"),
            action("k", nxt="b", Text="other"),
        )
    )
    matching = match_actions(old, new, neutralize)
    assert matching.recreated == {}
    assert matching.removed == ("a",) and matching.added == ("b",)


def test_recreated_start_action_does_not_move_start() -> None:
    old = doc(content("a1", action("a1", "DisconnectParticipant")))
    new = doc(content("a2", action("a2", "DisconnectParticipant")))
    diff = diff_flows(old, new, key="flow:F")
    assert diff is not None and diff.start_action is None and not diff.semantic
    assert [(a.identifier, a.old_identifier, a.status) for a in diff.actions] == [
        ("a2", "a1", "recreated")
    ]


def test_module_settings_change_is_a_content_change() -> None:
    settings: dict[str, list[Any]] = {
        "InputParameters": [],
        "OutputParameters": [],
        "Transitions": [],
    }
    changed = {**settings, "InputParameters": [{"Name": "lang"}]}
    end = action("e", "EndFlowModuleExecution")
    diff = diff_flows(
        doc(content("e", end, settings=settings)),
        doc(content("e", end, settings=changed)),
        key="module:F",
    )
    assert diff is not None and diff.semantic
    assert [(c.path, c.change) for c in diff.content] == [("Settings.InputParameters[0]", "added")]


def tree(*docs: FlowDocument) -> dict[str, FlowDocument]:
    return {f"{d.info.kind}:{d.info.name}": d for d in docs}


def test_renamed_flow_is_found_by_identical_content() -> None:
    old = tree(doc(content("a", action("a", "DisconnectParticipant"), name="Old name")))
    new = tree(doc(content("a", action("a", "DisconnectParticipant"), name="New name")))
    assert find_renames(old, new) == {"flow:Old name": "flow:New name"}
    diff = diff_trees(old, new)
    (only,) = diff.flows
    assert (
        only.status == "renamed" and only.old_key == "flow:Old name" and only.key == "flow:New name"
    )
    assert diff.has_changes


def test_renamed_flow_is_found_by_document_id_even_when_edited() -> None:
    def document(name: str, text: str) -> FlowDocument:
        return doc(
            {
                "flowops": 1,
                "name": name,
                "kind": "flow",
                "id": "arn:aws:connect:us-east-1:1:instance/i/contact-flow/f-1",
                "content": content("a", action("a", Text=text)),
            }
        )

    old, new = tree(document("Before", "hi")), tree(document("After", "hello"))
    diff = diff_trees(old, new)
    (only,) = diff.flows
    assert only.status == "renamed"
    assert [(c.path, c.old, c.new) for c in only.metadata] == [("name", "Before", "After")]
    assert [(c.path, c.old, c.new) for a in only.actions for c in a.parameters] == [
        ("Text", "hi", "hello")
    ]


def test_flows_with_different_content_and_no_id_are_added_and_removed() -> None:
    old = tree(doc(content("a", action("a", Text="1"), name="X")))
    new = tree(doc(content("a", action("a", Text="2"), name="Y")))
    diff = diff_trees(old, new)
    assert sorted((f.key, f.status) for f in diff.flows) == [
        ("flow:X", "removed"),
        ("flow:Y", "added"),
    ]


def test_impact_lists_direct_and_indirect_callers() -> None:
    module = content(
        "e",
        action("e", "EndFlowModuleExecution"),
        name="Survey",
        settings={"InputParameters": [], "OutputParameters": [], "Transitions": []},
    )
    caller = content(
        "i", action("i", "InvokeFlowModule", FlowModuleId="module:Survey"), name="Main"
    )
    root = content("t", action("t", "TransferToFlow", ContactFlowId="flow:Main"), name="Root")
    other = content("d", action("d", "DisconnectParticipant"), name="Other")
    changed = dict(module)
    changed["Actions"] = [action("e", "EndFlowModuleExecution", Note="x")]
    old = tree(doc(module), doc(caller), doc(root), doc(other))
    new = tree(doc(changed), doc(caller), doc(root), doc(other))
    diff = diff_trees(old, new)
    (only,) = diff.flows
    assert only.key == "module:Survey"
    assert only.impacted_by == ("flow:Main", "flow:Root")
    assert diff.unchanged == 3


def test_impact_of_a_removed_flow_names_its_remaining_callers() -> None:
    target = doc(content("d", action("d", "DisconnectParticipant"), name="Target"))
    caller = doc(
        content("t", action("t", "TransferToFlow", ContactFlowId="flow:Target"), name="Caller")
    )
    diff = diff_trees(tree(target, caller), tree(caller))
    (only,) = diff.flows
    assert only.status == "removed" and only.impacted_by == ("flow:Caller",)


def test_layout_only_tree_diff_has_no_semantic_change() -> None:
    data = content("a", action("a", "DisconnectParticipant"))
    moved = json.loads(json.dumps(data))
    moved["Metadata"]["ActionMetadata"] = {"a": {"position": {"x": 1, "y": 2}}}
    diff = diff_trees(tree(doc(data)), tree(doc(moved)))
    (only,) = diff.flows
    assert only.status == "layout" and only.layout.actions == ("a",)
    assert not diff.has_changes and diff.counts()["layout"] == 1
