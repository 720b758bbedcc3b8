"""Branch coverage: which branches (success, each condition, each error) scenarios took.

Branches of actions no path from a flow's start reaches are listed apart and left out of
the percentage (lint's FL104 reports those actions).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from flowops.simulate.branches import branches_of
from flowops.simulate.world import FlowEntry, FlowSet

BranchId = tuple[str, str, str]
"""(flow key, action identifier, branch key)"""


@dataclass(frozen=True)
class BranchInfo:
    """One branch of one action, and whether a scenario took it."""

    flow: str
    action: str
    type: str
    key: str
    label: str
    target: str | None
    reachable: bool
    covered: bool


@dataclass
class FlowCoverage:
    """Coverage of one flow."""

    key: str
    name: str
    branches: list[BranchInfo] = field(default_factory=list)

    @property
    def reachable(self) -> list[BranchInfo]:
        return [b for b in self.branches if b.reachable]

    @property
    def covered(self) -> list[BranchInfo]:
        return [b for b in self.branches if b.reachable and b.covered]

    @property
    def uncovered(self) -> list[BranchInfo]:
        return [b for b in self.branches if b.reachable and not b.covered]

    @property
    def percent(self) -> float:
        total = len(self.reachable)
        return 100.0 if total == 0 else 100.0 * len(self.covered) / total


@dataclass
class Coverage:
    """Coverage per flow and in total."""

    flows: list[FlowCoverage]

    @property
    def total(self) -> int:
        return sum(len(f.reachable) for f in self.flows)

    @property
    def covered(self) -> int:
        return sum(len(f.covered) for f in self.flows)

    @property
    def percent(self) -> float:
        return 100.0 if self.total == 0 else 100.0 * self.covered / self.total

    def uncovered(self) -> list[BranchInfo]:
        return [b for f in self.flows for b in f.uncovered]


def reachable_actions(entry: FlowEntry) -> set[str]:
    """Actions a path from the start reaches, over every branch's target."""
    flow = entry.flow
    seen: set[str] = set()
    todo = [flow.start_action]
    while todo:
        ident = todo.pop()
        action = flow.action(ident)
        if ident in seen or action is None:
            continue
        seen.add(ident)
        todo.extend(b.target for b in branches_of(action) if b.target)
    return seen


def flow_branches(entry: FlowEntry, taken: set[BranchId]) -> FlowCoverage:
    """Every branch of a flow, reachable or not, covered or not."""
    reach = reachable_actions(entry)
    out = FlowCoverage(entry.key, entry.name)
    for action in entry.flow.actions:
        for b in branches_of(action):
            out.branches.append(
                BranchInfo(
                    entry.key,
                    action.identifier,
                    action.type,
                    b.key,
                    b.label,
                    b.target,
                    action.identifier in reach,
                    (entry.key, action.identifier, b.key) in taken,
                )
            )
    return out


def compute_coverage(flows: FlowSet, taken: Iterable[BranchId]) -> Coverage:
    """Coverage of every flow of the set by the branches taken."""
    seen = set(taken)
    return Coverage([flow_branches(e, seen) for e in sorted(flows, key=lambda e: e.key)])
