"""Mermaid pictures of changed flows: added, removed and changed actions styled apart.

A flow's picture is its new graph (``flowops.graph.build_flow_graph``) plus the removed
actions of the old one, drawn with the edges they had, so a reviewer sees what went
away and where. ``flowops.graph.to_mermaid`` draws it with ``styles``. Several flows
go into one diagram as one subgraph each.
"""

from __future__ import annotations

import networkx as nx

from flowops.diff.branches import branch_map
from flowops.diff.result import FlowDiff, TreeDiff
from flowops.graph import MERMAID_CLASS_DEFS, build_flow_graph, mermaid_body, to_mermaid


def _pairs(diff: FlowDiff) -> dict[str, str]:
    """Old identifier -> new identifier for every action present on both sides."""
    assert diff.old is not None and diff.new is not None
    removed = {a.identifier for a in diff.actions if a.status == "removed"}
    pairs = {
        a.identifier: a.identifier for a in diff.old.flow.actions if a.identifier not in removed
    }
    for action in diff.actions:
        if action.status == "recreated" and action.old_identifier:
            pairs.pop(action.old_identifier, None)
            pairs[action.old_identifier] = action.identifier
    return pairs


def flow_diff_graph(diff: FlowDiff) -> tuple[nx.MultiDiGraph, dict[str, str]]:
    """The graph to draw and the style class of each node (added, removed, changed)."""
    if diff.new is None:
        assert diff.old is not None
        graph = build_flow_graph(diff.old.flow)
        return graph, dict.fromkeys(graph.nodes, "removed")
    graph = build_flow_graph(diff.new.flow)
    if diff.old is None:
        return graph, dict.fromkeys(graph.nodes, "added")
    styles: dict[str, str] = {}
    for action in diff.actions:
        if action.status == "added":
            styles[action.identifier] = "added"
        elif action.status == "changed" or (action.status == "recreated" and action.semantic):
            styles[action.identifier] = "changed"
    pairs = _pairs(diff)
    removed = [a for a in diff.old.flow.actions if a.identifier not in pairs]
    for old_action in removed:
        if old_action.identifier not in graph:
            graph.add_node(old_action.identifier, action=old_action)
            styles[old_action.identifier] = "removed"
    removed_ids = {a.identifier for a in removed}
    for source in diff.old.flow.actions:
        for (branch, label), target in branch_map(source).items():
            if source.identifier in removed_ids or target in removed_ids:
                start = pairs.get(source.identifier, source.identifier)
                end = pairs.get(target, target)
                if start in graph and end in graph:
                    # an edge that survives only in the old flow: say so on its label
                    shown = label if source.identifier in removed_ids else f"was {label}"
                    graph.add_edge(start, end, branch=branch, label=shown)
    return graph, styles


def flow_mermaid(diff: FlowDiff) -> str:
    """One flow's picture as a Mermaid flowchart."""
    graph, styles = flow_diff_graph(diff)
    return to_mermaid(graph, styles=styles)


def render_mermaid(diff: TreeDiff) -> str:
    """Every semantically changed flow in one flowchart, one subgraph per flow."""
    flows = [f for f in diff.flows if f.semantic]
    lines = ["flowchart TD"]
    if not flows:
        lines.append('  nochange["no semantic change"]')
        return "\n".join(lines) + "\n"
    lines.extend(MERMAID_CLASS_DEFS)
    classes: list[str] = []
    for i, flow in enumerate(flows):
        title = flow.key.replace('"', "#quot;")
        graph, styles = flow_diff_graph(flow)
        body, flow_classes = mermaid_body(graph, prefix=f"f{i}", styles=styles)
        lines.append(f'  subgraph f{i}["{title} ({flow.status})"]')
        lines.extend("  " + line for line in body)
        lines.append("  end")
        classes.extend(flow_classes)
    lines.extend(classes)
    return "\n".join(lines) + "\n"
