"""The rule contract and the context every rule reads.

A rule is a class with ``id``, ``name``, default ``severity`` and ``check(ctx)``; its
docstring is its documentation (summary, rationale, *Anti-pattern*, *Best practice*).
The context parses nothing and builds the flow's plain action graph once (no networkx:
lint starts fast); analyses several rules share (reachability) are cached on it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from functools import cached_property
from typing import Any, ClassVar

from flowops.graph import ActionGraph, action_graph
from flowops.graph.cycles import strongly_connected_components
from flowops.lint.finding import Finding, Severity
from flowops.model.action_types import (
    DEFAULT_BRANCH_TYPES,
    KNOWN_TYPES,
    LEAVES_FLOW_ON_SUCCESS,
    OPEN_ENDED_TYPES,
    RESULT_BRANCHES,
    SERVICE_TYPES,
    WAITING_FLOW_TYPES,
)
from flowops.model.document import FlowDocument
from flowops.model.types import Action, Flow


class RuleContext:
    """One flow under lint: its document, flow, the one prebuilt graph and shared analyses."""

    def __init__(self, doc: FlowDocument, graph: ActionGraph | None = None) -> None:
        self.doc = doc
        self.flow: Flow = doc.flow
        self.graph: ActionGraph = graph if graph is not None else action_graph(doc.flow)
        self.file = doc.source
        self.flow_name = doc.name

    @cached_property
    def start_exists(self) -> bool:
        """True when StartAction names an action of the flow."""
        return self.flow.start_action in self.graph

    @cached_property
    def reachable(self) -> frozenset[str]:
        """Actions a contact can reach from StartAction (runtime edges only)."""
        start = self.flow.start_action
        if start not in self.graph:
            return frozenset()
        succ = self.successors
        seen = {start}
        stack = [start]
        while stack:
            for target in succ[stack.pop()]:
                if target not in seen:
                    seen.add(target)
                    stack.append(target)
        return frozenset(seen)

    @property
    def successors(self) -> Mapping[str, tuple[str, ...]]:
        """Runtime successors of every action (``ActionGraph.successors``)."""
        return self.graph.successors

    @cached_property
    def loops(self) -> list[frozenset[str]]:
        """Groups of actions a contact can go round (strongly connected components of
        the runtime edges that hold a cycle), in discovery order."""
        succ = self.successors
        out: list[frozenset[str]] = []
        for component in strongly_connected_components(succ):
            if len(component) == 1 and component[0] not in succ.get(component[0], ()):
                continue
            out.append(frozenset(component))
        return out

    @cached_property
    def closed_loops(self) -> list[tuple[frozenset[str], list[Action]]]:
        """Loops (members and their actions) in which no block can leave the flow by
        itself (``leaves_without_branch``): only their branches can lead a contact out.
        None in queue and hold flows, which loop by design until an agent answers."""
        if self.doc.info.type in WAITING_FLOW_TYPES:
            return []
        out = []
        for members in self.loops:
            actions = [a for m in members if (a := self.flow.action(m)) is not None]
            if len(actions) == len(members) and not any(map(leaves_without_branch, actions)):
                out.append((members, actions))
        return out

    @cached_property
    def type_is_explicit(self) -> bool:
        """False when the flow type was guessed (raw export without ``Metadata.type``)."""
        if self.doc.format == "document":
            return True
        return bool(self.flow.metadata and self.flow.metadata.get("type"))

    def actions(self, *types: str) -> Iterator[Action]:
        """Actions in file order, only the given types when any are named."""
        for action in self.flow.actions:
            if not types or action.type in types:
                yield action

    def finding(
        self,
        rule: Rule,
        action: str | None,
        message: str,
        *,
        severity: Severity | None = None,
        path: str | None = None,
    ) -> Finding:
        """A finding of ``rule`` in this flow; ``severity`` defaults to the rule's."""
        return Finding(
            rule=rule.id,
            severity=severity or rule.severity,
            file=self.file,
            flow=self.flow_name,
            action=action,
            message=message,
            path=path,
        )


def action_path(action: Action, *parts: str | int) -> str:
    """JSON path of an action (or a part of it) inside the flow content."""
    tail = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)
    return f"$.Actions[{action.index}]{tail}"


def leaves_without_branch(action: Action) -> bool:
    """Say whether the action can end or leave the flow without following a branch:
    terminals, transfers and service hand-offs, open-ended blocks, and unknown types
    (assumed to leave)."""
    if action.type not in KNOWN_TYPES:
        return True
    if action.type in LEAVES_FLOW_ON_SUCCESS | SERVICE_TYPES | OPEN_ENDED_TYPES:
        return True
    branching = action.type in DEFAULT_BRANCH_TYPES or action.type in RESULT_BRANCHES
    return (
        not branching and not action.transitions.conditions and not action.transitions.next_action
    )


def loop_names(actions: list[Action]) -> tuple[str, str]:
    """The first action of a loop in file order, and its members named (five at most)."""
    ordered = sorted(actions, key=lambda a: a.index)
    names = ", ".join(repr(a.identifier) for a in ordered[:5])
    more = f" and {len(ordered) - 5} more" if len(ordered) > 5 else ""
    return ordered[0].identifier, names + more


def is_dynamic(value: Any) -> bool:
    """JSONPath references and template placeholders are resolved at run or deploy time."""
    if not isinstance(value, str):
        return False
    return value.startswith("$.") or "${" in value or "%%" in value or value.startswith("!")


class Rule(ABC):
    """Base of every lint rule: stable ``id``, readable ``name``, default ``severity``."""

    id: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]

    @abstractmethod
    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield every finding of this rule in the flow of ``ctx``."""

    @classmethod
    def summary(cls) -> str:
        """First line of the docstring."""
        return (cls.__doc__ or "").strip().splitlines()[0].strip()
