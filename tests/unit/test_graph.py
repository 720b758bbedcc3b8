"""flowops.graph: per-flow action graph, cross-flow dependencies, renderers, ``flowops graph``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from flowops.cli.main import app
from flowops.graph import (
    action_graph,
    build_dependency_graph,
    build_flow_graph,
    default_resolver,
    dependency_order,
    flow_references,
    impacted_by,
    reachable_from_start,
    runtime_successors,
    to_dot,
    to_json,
    to_mermaid,
)
from flowops.model import FlowDocument, load_document, parse_document_text

MENU = Path(__file__).resolve().parents[1] / "fixtures" / "flows" / "menu.json"
runner = CliRunner()


def _doc(name: str, actions: list[dict[str, Any]], start: str | None = None) -> FlowDocument:
    content = {
        "Version": "2019-10-30",
        "StartAction": start if start is not None else actions[0]["Identifier"],
        "Actions": actions,
        "Metadata": {"name": name, "type": "contactFlow"},
    }
    return parse_document_text(json.dumps(content), source=f"{name}.json")


def _transfer(identifier: str, target: str, nxt: str = "bye") -> dict[str, Any]:
    return {
        "Identifier": identifier,
        "Type": "TransferToFlow",
        "Parameters": {"ContactFlowId": target},
        "Transitions": {
            "NextAction": nxt,
            "Errors": [{"NextAction": nxt, "ErrorType": "NoMatchingError"}],
        },
    }


BYE = {"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}


def test_edges_carry_their_kind_label_and_attributes() -> None:
    graph = build_flow_graph(load_document(MENU).flow)
    assert graph.graph["start"] == "greet"
    edges = {(s, t, d["branch"], d["label"]) for s, t, d in graph.edges(data=True)}
    assert ("greet", "menu", "next", "Success") in edges
    assert ("menu", "sales", "condition", "Equals 1") in edges
    assert ("menu", "bye", "error", "InputTimeLimitExceeded") in edges
    condition = next(d for s, t, d in graph.edges(data=True) if d["branch"] == "condition")
    assert condition["operator"] == "Equals" and condition["operands"] == ("1",)
    assert graph.nodes["menu"]["action"].type == "GetParticipantInput"


def test_transfer_next_action_is_after_exit_and_not_a_runtime_edge() -> None:
    doc = _doc(
        "t",
        [
            {
                "Identifier": "x",
                "Type": "TransferContactToQueue",
                "Transitions": {
                    "NextAction": "sorry",
                    "Errors": [{"NextAction": "bye", "ErrorType": "QueueAtCapacity"}],
                },
            },
            {
                "Identifier": "sorry",
                "Type": "MessageParticipant",
                "Parameters": {"Text": "s"},
                "Transitions": {"NextAction": "bye"},
            },
            BYE,
        ],
    )
    graph = build_flow_graph(doc.flow)
    after = [d for s, t, d in graph.edges(data=True) if s == "x" and t == "sorry"]
    assert after and after[0]["after_exit"] is True
    assert list(runtime_successors(graph, "x")) == ["bye"]
    assert reachable_from_start(graph) == {"x", "bye"}


def test_dangling_targets_are_recorded_and_empty_targets_ignored() -> None:
    doc = _doc(
        "d",
        [
            {
                "Identifier": "a",
                "Type": "MessageParticipant",
                "Parameters": {},
                "Transitions": {
                    "NextAction": "$end",
                    "Errors": [{"NextAction": "", "ErrorType": "NoMatchingError"}],
                },
            },
        ],
    )
    graph = build_flow_graph(doc.flow)
    assert graph.number_of_edges() == 0
    (dangling,) = graph.graph["dangling"]
    assert (dangling.source, dangling.target, dangling.branch) == ("a", "$end", "next")


def test_reachability_with_missing_start_is_empty() -> None:
    doc = _doc("s", [BYE], start="nowhere")
    assert reachable_from_start(build_flow_graph(doc.flow)) == set()


def _docs() -> dict[str, FlowDocument]:
    return {
        "Main": _doc("Main", [_transfer("t1", "flow:Sales"), _transfer("t2", "flow:Support"), BYE]),
        "Sales": _doc("Sales", [_transfer("t", "flow:Common"), BYE]),
        "Support": _doc("Support", [_transfer("t", "flow:Common"), BYE]),
        "Common": _doc("Common", [_transfer("t", "arn:aws:connect:external"), BYE]),
        "Loop A": _doc("Loop A", [_transfer("t", "Loop B"), BYE]),
        "Loop B": _doc("Loop B", [_transfer("t", "Loop A"), BYE]),
    }


def test_flow_references_find_transfer_targets() -> None:
    refs = flow_references(_docs()["Main"].flow)
    assert [(r.action, r.parameter, r.value) for r in refs] == [
        ("t1", "ContactFlowId", "flow:Sales"),
        ("t2", "ContactFlowId", "flow:Support"),
    ]


def test_dependency_graph_edges_and_unresolved_references() -> None:
    graph = build_dependency_graph(_docs())
    assert set(graph.successors("Main")) == {"Sales", "Support"}
    assert set(graph.successors("Sales")) == {"Common"}
    unresolved = graph.nodes["Common"]["unresolved"]
    assert [r.value for r in unresolved] == ["arn:aws:connect:external"]
    resolve = default_resolver(["Main"])
    assert resolve("flow:Main") == "Main" and resolve("Main") == "Main" and resolve("x") is None


def test_dependency_order_puts_dependencies_first_and_groups_cycles() -> None:
    order = dependency_order(build_dependency_graph(_docs()))
    position = {name: i for i, group in enumerate(order) for name in group}
    assert position["Common"] < position["Sales"] < position["Main"]
    assert position["Common"] < position["Support"] < position["Main"]
    assert ["Loop A", "Loop B"] in order


def test_impacted_by_lists_transitive_callers_only() -> None:
    graph = build_dependency_graph(_docs())
    assert impacted_by(graph, ["Common"]) == {"Sales", "Support", "Main"}
    assert impacted_by(graph, ["Main"]) == set()
    assert impacted_by(graph, ["Loop A"]) == {"Loop B"}
    assert impacted_by(graph, ["unknown"]) == set()


def test_renderers() -> None:
    graph = build_flow_graph(load_document(MENU).flow)
    mermaid = to_mermaid(graph, styles={"menu": "changed"})
    assert mermaid.startswith("flowchart TD\n") and "start((Start))" in mermaid
    assert "-.->|NoMatchingError|" in mermaid and "class " in mermaid
    dot = to_dot(graph)
    assert dot.startswith("digraph flow {") and '"greet" -> "menu"' in dot and "style=dashed" in dot
    # Type and identifier on two lines: DOT's \n escape, not an escaped backslash.
    assert '"greet" [label="MessageParticipant\\ngreet"];' in dot
    data = json.loads(to_json(graph))
    assert data["start"] == "greet"
    assert {n["id"] for n in data["nodes"]} == {"greet", "menu", "sales", "bye"}
    assert any(e["kind"] == "condition" and e["operands"] == ["1"] for e in data["edges"])


@pytest.mark.parametrize(
    ("fmt", "marker"), [("mermaid", "flowchart TD"), ("dot", "digraph"), ("json", '"start"')]
)
def test_graph_command_prints_each_format(fmt: str, marker: str) -> None:
    result = runner.invoke(app, ["graph", str(MENU), "--format", fmt])
    assert result.exit_code == 0, result.stderr
    assert marker in result.stdout


def test_graph_command_bad_input_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text("[1]", encoding="utf-8")
    result = runner.invoke(app, ["graph", str(bad)])
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert "x.json" in result.stderr
    assert runner.invoke(app, ["graph", str(MENU), "--format", "png"]).exit_code == 2


@pytest.mark.corpus
def test_every_corpus_flow_graphs_and_renders_in_every_format() -> None:
    from tests.corpus import corpus_files

    files = corpus_files()
    if not files:
        pytest.skip("corpus not found (needs ../shared)")
    for path in files:
        doc = load_document(path)
        graph = build_flow_graph(doc.flow)
        data = json.loads(to_json(graph))
        assert len(data["nodes"]) == len(doc.flow.identifiers), path
        assert to_mermaid(graph).startswith("flowchart TD") and to_dot(graph).endswith("}\n")
        # The plain graph's successor table equals the networkx edges.
        table = action_graph(doc.flow).successors
        for node in graph:
            assert set(table[node]) == set(runtime_successors(graph, node)), (path, node)


def test_graph_command_on_a_folder_prints_the_cross_flow_graph() -> None:
    flows = Path(__file__).resolve().parents[2] / "flows"
    result = runner.invoke(app, ["graph", str(flows), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    kinds = {n["id"]: n.get("kind") for n in data["nodes"]}
    assert kinds["flow:Main Inbound"] == "flow" and kinds["module:Authenticate Caller"] == "module"
    edges = {(e["source"], e["target"], e["label"]) for e in data["edges"]}
    assert ("flow:Main Inbound", "module:Authenticate Caller", "FlowModuleId") in edges
    assert ("flow:Main Inbound", "flow:Customer Queue", "EventHooks.CustomerQueue") in edges
    mermaid = runner.invoke(app, ["graph", str(flows)]).stdout
    assert mermaid.startswith("flowchart TD") and "|FlowModuleId|" in mermaid
