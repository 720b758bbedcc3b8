"""Property tests: any well-formed flow lints without crashing, and the structural rules
agree with the graph module on what is dangling, duplicated and unreachable."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from flowops.graph import build_flow_graph, reachable_from_start
from flowops.lint import lint_document
from flowops.model.action_types import KNOWN_TYPES
from flowops.model.parse import document_from_data

TYPES = sorted(KNOWN_TYPES) + ["SomeFutureBlock"]
IDS = ["a", "b", "c", "d", "e", "f"]
TARGETS = st.sampled_from([*IDS, "", "$end", "ghost"])
ERROR_TYPES = st.sampled_from(
    ["NoMatchingError", "NoMatchingCondition", "QueueAtCapacity", "InputTimeLimitExceeded"]
)
PARAM_VALUES = st.one_of(
    st.text(max_size=8),
    st.sampled_from(
        [
            "True",
            "Enabled",
            "30",
            "arn:aws:connect:us-east-1:111122223333:instance/x/queue/y",
            "$.Attributes.x",
        ]
    ),
)


@st.composite
def actions(draw: st.DrawFn) -> dict[str, Any]:
    transitions: dict[str, Any] = {}
    if draw(st.booleans()):
        transitions["NextAction"] = draw(TARGETS)
    if draw(st.booleans()):
        transitions["Errors"] = [
            {"NextAction": draw(TARGETS), "ErrorType": draw(ERROR_TYPES)}
            for _ in range(draw(st.integers(0, 3)))
        ]
    if draw(st.booleans()):
        transitions["Conditions"] = [
            {
                "NextAction": draw(TARGETS),
                "Condition": {
                    "Operator": draw(st.sampled_from(["Equals", "NumberLessThan"])),
                    "Operands": [draw(st.sampled_from(["1", "50", "True", "x", "101"]))],
                },
            }
            for _ in range(draw(st.integers(0, 3)))
        ]
    keys = st.sampled_from(
        ["Text", "StoreInput", "FlowLoggingBehavior", "InvocationTimeLimitSeconds", "QueueId"]
    )
    params: dict[str, Any] = draw(st.dictionaries(keys, PARAM_VALUES, max_size=3))
    if draw(st.booleans()):
        params["Attributes"] = draw(st.dictionaries(st.sampled_from(["pin", "x"]), PARAM_VALUES))
    return {
        "Identifier": draw(st.sampled_from(IDS)),
        "Type": draw(st.sampled_from(TYPES)),
        "Parameters": params,
        "Transitions": transitions,
    }


@st.composite
def flows(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "Version": "2019-10-30",
        "StartAction": draw(st.sampled_from([*IDS, ""])),
        "Actions": draw(st.lists(actions(), min_size=1, max_size=8)),
        "Metadata": {"type": draw(st.sampled_from(["contactFlow", "customerQueue"]))},
    }


@settings(max_examples=300, deadline=None)
@given(flows())
def test_lint_never_crashes_and_structure_matches_the_graph(data: dict[str, Any]) -> None:
    doc = document_from_data(data, source="generated.json")
    findings = lint_document(doc)
    graph = build_flow_graph(doc.flow)
    by_rule: dict[str, list[str]] = {}
    for finding in findings:
        by_rule.setdefault(finding.rule, []).append(finding.action or "")
    assert len(by_rule.get("FL102", [])) == len(graph.graph["dangling"])
    assert sorted(by_rule.get("FL103", [])) == sorted(doc.flow.duplicate_identifiers())
    assert ("FL101" in by_rule) == (doc.flow.start_action not in graph)
    if doc.flow.start_action in graph:
        unreachable = set(graph) - reachable_from_start(graph)
        assert set(by_rule.get("FL104", [])) == unreachable


@given(
    st.dictionaries(
        st.sampled_from(IDS), st.lists(st.sampled_from(IDS), max_size=4), max_size=len(IDS)
    )
)
@settings(max_examples=200, deadline=None)
def test_strongly_connected_components_agree_with_networkx(
    adjacency: dict[str, list[str]],
) -> None:
    import networkx as nx

    from flowops.graph.cycles import strongly_connected_components

    graph = nx.DiGraph()
    graph.add_nodes_from(adjacency)
    graph.add_edges_from((s, t) for s, targets in adjacency.items() for t in targets)
    # Targets that are not keys are nodes too (reached, with no successors of their own).
    ours = {frozenset(c) for c in strongly_connected_components(adjacency)}
    assert ours == {frozenset(c) for c in nx.strongly_connected_components(graph)}
