"""Flow graphs: each flow's action graph, and a cross-flow dependency graph.

``action_graph`` is the plain-Python graph of one flow (edges with their branch types, runtime
successors, dangling transitions) that lint and layout read: it imports nothing, so
``flowops lint`` starts fast. ``build_flow_graph`` turns it into a networkx
MultiDiGraph for the renderers and diff; promote orders its steps and diff finds impact
with the cross-flow graph. networkx is imported by the functions that build one.
Parse once, build once, read many times.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from flowops.model.action_types import (
    FLOW_REFERENCE_CONTAINERS,
    FLOW_REFERENCE_KEYS,
    LEAVES_FLOW_ON_SUCCESS,
)
from flowops.model.document import FlowDocument
from flowops.model.types import Action, Flow
from flowops.schemas import stamp

if TYPE_CHECKING:
    import networkx as nx

#: How a transition leaves an action: its Success/NextAction, a condition, or an error.
BranchType = Literal["next", "condition", "error"]


@dataclass(frozen=True, slots=True)
class Dangling:
    """A transition whose target is not an action of the flow."""

    source: str
    target: str
    branch: BranchType
    label: str


class Edge(NamedTuple):
    """A transition between two actions of a flow (a named tuple: cheap to build).

    ``key`` is the transition's position among all transitions of the flow (action
    order; NextAction, then conditions, then errors). ``attrs`` are the edge attributes
    of ``build_flow_graph``: ``branch``, ``label``, ``operator``/``operands``/``index``
    for conditions, ``error_type`` for errors, ``after_exit`` for NextAction.
    """

    key: int
    source: str
    target: str
    attrs: Mapping[str, Any]

    @property
    def branch(self) -> BranchType:
        branch: BranchType = self.attrs["branch"]
        return branch


@dataclass(frozen=True, slots=True)
class ActionGraph:
    """One flow's action graph in plain Python (no networkx).

    ``nodes`` maps each identifier to the first action that has it (as ``Flow.action``
    does), in file order; ``edges`` are the transitions between existing actions;
    ``successors`` gives each action's runtime successors (targets of edges without
    ``after_exit``, first occurrence order, no repeats), the table every reachability
    walk reads; ``dangling`` are transitions to missing actions. An empty target
    (``""``, unconnected in the designer) makes no edge and is not dangling.
    """

    start: str
    nodes: Mapping[str, Action]
    edges: tuple[Edge, ...]
    successors: Mapping[str, tuple[str, ...]]
    dangling: tuple[Dangling, ...]

    def __contains__(self, node: object) -> bool:
        return node in self.nodes


# Attributes shared by every edge of a branch type (read-only: build_flow_graph copies them).
_NEXT: Mapping[str, Any] = MappingProxyType(
    {"after_exit": False, "branch": "next", "label": "Success"}
)
_AFTER_EXIT: Mapping[str, Any] = MappingProxyType(
    {"after_exit": True, "branch": "next", "label": "Success"}
)
_ERRORS: dict[str, Mapping[str, Any]] = {}


def _error_attrs(error_type: str) -> Mapping[str, Any]:
    return MappingProxyType({"error_type": error_type, "branch": "error", "label": error_type})


def action_graph(flow: Flow) -> ActionGraph:
    """The plain action graph of ``flow`` (see ``ActionGraph``).

    A NextAction of an action that leaves the flow on success (TransferContactToQueue,
    TransferToFlow) is an edge with ``after_exit``: exports keep it, but it only repeats
    an error path, so it is not a runtime successor.
    """
    nodes: dict[str, Action] = {}
    for action in flow.actions:
        nodes.setdefault(action.identifier, action)
    runtime: dict[str, dict[str, None]] = {ident: {} for ident in nodes}
    edges: list[Edge] = []
    dangling: list[Dangling] = []
    key = 0
    for action in flow.actions:
        source = action.identifier
        t = action.transitions
        out: list[tuple[str, Mapping[str, Any]]] = []
        if t.next_action is not None:
            out.append(
                (t.next_action, _AFTER_EXIT if action.type in LEAVES_FLOW_ON_SUCCESS else _NEXT)
            )
        for i, cond in enumerate(t.conditions):
            label = f"{cond.operator} {', '.join(map(str, cond.operands))}".strip()
            condition: dict[str, Any] = {
                "operator": cond.operator,
                "operands": cond.operands,
                "index": i,
                "branch": "condition",
                "label": label,
            }
            out.append((cond.next_action, condition))
        for err in t.errors:
            attrs = _ERRORS.get(err.error_type)
            if attrs is None:
                attrs = _ERRORS[err.error_type] = _error_attrs(err.error_type)
            out.append((err.next_action, attrs))
        successors = runtime[source]
        for target, attrs in out:
            key += 1
            if target not in nodes:
                if target != "":
                    dangling.append(Dangling(source, target, attrs["branch"], attrs["label"]))
                continue
            if attrs is not _AFTER_EXIT:
                successors[target] = None
            edges.append(Edge(key - 1, source, target, attrs))
    return ActionGraph(
        start=flow.start_action,
        nodes=nodes,
        edges=tuple(edges),
        successors={node: tuple(targets) for node, targets in runtime.items()},
        dangling=tuple(dangling),
    )


def build_flow_graph(flow: Flow) -> nx.MultiDiGraph:
    """``action_graph`` as a networkx MultiDiGraph: nodes are action identifiers
    (attribute ``action``); edges carry the ``Edge.attrs`` of the transitions, keyed by
    ``Edge.key``. ``graph.graph`` holds ``start`` (the StartAction), ``dangling``
    (transitions to missing actions) and ``successors`` (runtime successors).
    """
    import networkx as nx

    plain = action_graph(flow)
    graph = nx.MultiDiGraph(
        start=plain.start, dangling=list(plain.dangling), successors=plain.successors
    )
    # Nodes and edges go straight into networkx's dicts, exactly as add_nodes_from and
    # MultiDiGraph.add_edge store them (succ[u][v][key] and pred[v][u] share one key
    # dict): their per-item checks and view objects cost more than parsing the flow.
    nodes, succ, pred = graph._node, graph._succ, graph._pred
    for ident, action in plain.nodes.items():
        nodes[ident] = {"action": action}
        succ[ident] = {}
        pred[ident] = {}
    for edge in plain.edges:
        keydict = succ[edge.source].get(edge.target)
        if keydict is None:
            keydict = succ[edge.source][edge.target] = pred[edge.target][edge.source] = {}
        keydict[edge.key] = dict(edge.attrs)
    return graph


def runtime_successors(graph: nx.MultiDiGraph, node: str) -> Iterator[str]:
    """Targets a contact can really reach from ``node`` (ignores ``after_exit`` edges)."""
    for _, target, data in graph.out_edges(node, data=True):
        if not data.get("after_exit"):
            yield target


def reachable_from_start(graph: nx.MultiDiGraph) -> set[str]:
    """Actions reachable from StartAction along runtime edges."""
    start = graph.graph.get("start")
    if not start or start not in graph:
        return set()
    seen = {start}
    stack = [start]
    while stack:
        node = stack.pop()
        for target in runtime_successors(graph, node):
            if target not in seen:
                seen.add(target)
                stack.append(target)
    return seen


# --- references to other flows --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FlowReference:
    """A place in a flow that names another flow or module."""

    action: str
    parameter: str  # dotted path inside Parameters, e.g. "EventHooks.CustomerQueue"
    value: str


def _walk(value: Any, path: str, in_container: bool) -> Iterator[tuple[str, str]]:
    if isinstance(value, Mapping):
        for key, sub in value.items():
            sub_path = f"{path}.{key}" if path else str(key)
            if isinstance(sub, str):
                if key in FLOW_REFERENCE_KEYS or in_container or _names_a_flow(sub):
                    yield sub_path, sub
            else:
                yield from _walk(sub, sub_path, in_container or key in FLOW_REFERENCE_CONTAINERS)
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            if isinstance(sub, str):
                if in_container or _names_a_flow(sub):
                    yield f"{path}[{i}]", sub
            else:
                yield from _walk(sub, f"{path}[{i}]", in_container)


#: A symbolic flow or module reference (``flowops.refs`` grammar: ``kind[#form][@q]:name``).
_FLOW_SYMBOL = re.compile(r"^(?P<kind>flow|module)(?:#(?:id|arn))?(?:@[^:\s]+)?:(?P<name>\S.*)$")


def _names_a_flow(value: str) -> bool:
    """A symbolic flow/module reference, wherever it sits (attribute values included)."""
    return _FLOW_SYMBOL.match(value) is not None


def flow_references(flow: Flow) -> list[FlowReference]:
    """Every parameter that names a flow or module: transfers, modules, event hooks, and
    any other value holding a symbolic ``flow:``/``module:`` reference (flow or contact
    attributes, task and callback settings), so dependency order sees them all."""
    refs: list[FlowReference] = []
    for action in flow.actions:
        for path, value in _walk(action.parameters, "", False):
            if value:
                refs.append(FlowReference(action.identifier, path, value))
    return refs


Resolver = Callable[[str], str | None]


def default_resolver(names: Iterable[str]) -> Resolver:
    """Resolve symbolic references (``flow:Name``, ``module:Name``) and plain names."""
    known = set(names)

    def resolve(value: str) -> str | None:
        found = _FLOW_SYMBOL.match(value)
        if found is not None:
            plain = f"{found['kind']}:{found['name']}"
            return plain if plain in known else found["name"] if found["name"] in known else None
        return value if value in known else None

    return resolve


def build_dependency_graph(
    docs: Mapping[str, FlowDocument], resolve: Resolver | None = None
) -> nx.MultiDiGraph:
    """Flows and modules as nodes; an edge A -> B when A transfers to or invokes B.

    Keys of ``docs`` are node names. ``resolve`` maps a reference value (ARN, symbolic
    reference, placeholder) to a key of ``docs`` or None (an external or unknown
    target, recorded on the node as ``unresolved``).
    """
    import networkx as nx

    resolver = resolve or default_resolver(docs)
    graph = nx.MultiDiGraph()
    for key, doc in docs.items():
        graph.add_node(key, kind=doc.info.kind, type=doc.info.type, unresolved=[])
    for key, doc in docs.items():
        for ref in flow_references(doc.flow):
            target = resolver(ref.value)
            if target is None or target not in graph:
                graph.nodes[key]["unresolved"].append(ref)
                continue
            graph.add_edge(
                key, target, action=ref.action, parameter=ref.parameter, label=ref.parameter
            )
    return graph


def dependency_order(graph: nx.MultiDiGraph) -> list[list[str]]:
    """Dependencies first: a list of groups (strongly connected components).

    A group with more than one member is a cycle of transfers; promote creates its
    missing members first and fills their content afterwards.
    """
    import networkx as nx

    condensed = nx.condensation(graph)
    order: list[list[str]] = []
    for component in reversed(list(nx.topological_sort(condensed))):
        members = sorted(condensed.nodes[component]["members"])
        order.append(members)
    return order


def impacted_by(graph: nx.MultiDiGraph, changed: Iterable[str]) -> set[str]:
    """Flows that transfer to or invoke any changed flow, directly or indirectly."""
    import networkx as nx

    out: set[str] = set()
    for node in changed:
        if node in graph:
            out |= nx.ancestors(graph, node)
    return out - set(changed)


# --- rendering --------------------------------------------------------------------------


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;").replace("\n", " ")


MERMAID_CLASS_DEFS = (
    "  classDef added fill:#d4f8d4,stroke:#2a2",
    "  classDef removed fill:#f8d4d4,stroke:#a22",
    "  classDef changed fill:#fff3c4,stroke:#b80",
)


def mermaid_body(
    graph: nx.MultiDiGraph, *, prefix: str = "", styles: Mapping[str, str] | None = None
) -> tuple[list[str], list[str]]:
    """Node and edge lines of a flowchart, and its ``class`` lines, ids made unique by
    ``prefix`` so several flows can share one diagram (one subgraph each)."""
    ids: dict[str, str] = {}

    def node_id(node: str) -> str:
        return ids.setdefault(node, f"{prefix}n{len(ids)}")

    lines: list[str] = []
    start = graph.graph.get("start")
    if start and start in graph:
        lines.append(f"  {prefix}start((Start)) --> {node_id(start)}")
    for node, data in graph.nodes(data=True):
        action = data.get("action")
        label = f"{action.type}<br/>{node}" if action is not None else node
        lines.append(f'  {node_id(node)}["{_mermaid_text(label)}"]')
    for source, target, data in graph.edges(data=True):
        label = _mermaid_text(str(data.get("label", data.get("branch", ""))))
        arrow = "-.->" if data.get("branch") == "error" else "-->"
        lines.append(f"  {ids[source]} {arrow}|{label}| {ids[target]}")
    classes = [f"  class {ids[node]} {cls}" for node, cls in (styles or {}).items() if node in ids]
    return lines, classes


def to_mermaid(graph: nx.MultiDiGraph, *, styles: Mapping[str, str] | None = None) -> str:
    """A Mermaid flowchart; ``styles`` maps a node to a class (added, removed, changed)."""
    body, classes = mermaid_body(graph, styles=styles)
    lines = ["flowchart TD", *body]
    if styles:
        lines.extend(MERMAID_CLASS_DEFS)
        lines.extend(classes)
    return "\n".join(lines) + "\n"


def _dot_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _dot_quote(text: str) -> str:
    return '"' + _dot_escape(text) + '"'


def to_dot(graph: nx.MultiDiGraph) -> str:
    """Graphviz DOT text."""
    lines = ["digraph flow {", "  rankdir=LR;"]
    for node, data in graph.nodes(data=True):
        action = data.get("action")
        # DOT's own line break (\n) goes between the escaped parts, not through them.
        label = (
            f"{_dot_escape(action.type)}\\n{_dot_escape(node)}"
            if action is not None
            else _dot_escape(node)
        )
        lines.append(f'  {_dot_quote(node)} [label="{label}"];')
    for source, target, data in graph.edges(data=True):
        style = ",style=dashed" if data.get("branch") == "error" else ""
        label = _dot_quote(str(data.get("label", "")))
        lines.append(f"  {_dot_quote(source)} -> {_dot_quote(target)} [label={label}{style}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


#: Edge attributes whose JSON name differs (the output's names are kept as published).
_JSON_NAMES = {"branch": "kind"}


def to_json(graph: nx.MultiDiGraph) -> str:
    """Nodes and edges as stable JSON (for tools)."""
    nodes = []
    for node, data in graph.nodes(data=True):
        action = data.get("action")
        item: dict[str, Any] = {"id": node}
        if action is not None:  # an action of a flow graph
            item["type"] = action.type
        else:  # a flow or module of a dependency graph
            item["type"] = data.get("type")
            if "kind" in data:
                item["kind"] = data["kind"]
            if data.get("unresolved"):
                item["unresolved"] = sorted({ref.value for ref in data["unresolved"]})
        nodes.append(item)
    edges = [
        {
            "source": s,
            "target": t,
            **{
                k: (list(v) if isinstance(v, tuple) else v)
                for k, v in sorted((_JSON_NAMES.get(k, k), v) for k, v in d.items())
            },
        }
        for s, t, d in graph.edges(data=True)
    ]
    dangling = [
        {"source": d.source, "target": d.target, "kind": d.branch, "label": d.label}
        for d in graph.graph.get("dangling", [])
    ]
    payload = {
        "start": graph.graph.get("start"),
        "nodes": nodes,
        "edges": edges,
        "dangling": dangling,
    }
    return json.dumps(stamp("graph", payload), indent=2, ensure_ascii=False) + "\n"
