"""FL106: a loop a contact can never leave."""

from __future__ import annotations

from collections.abc import Iterator

from flowops.graph.cycles import strongly_connected_components
from flowops.lint.finding import Finding, Severity
from flowops.lint.rule import Rule, RuleContext
from flowops.model.action_types import (
    DEFAULT_BRANCH_TYPES,
    KNOWN_TYPES,
    LEAVES_FLOW_ON_SUCCESS,
    OPEN_ENDED_TYPES,
    RESULT_BRANCHES,
    SERVICE_TYPES,
    WAITING_FLOW_TYPES,
)
from flowops.model.types import Action


def _is_exit(action: Action) -> bool:
    """Say whether the action can end or leave the flow without following a branch."""
    if action.type not in KNOWN_TYPES:
        return True  # unknown: assume it may leave
    if action.type in LEAVES_FLOW_ON_SUCCESS | SERVICE_TYPES | OPEN_ENDED_TYPES:
        return True
    branching = action.type in DEFAULT_BRANCH_TYPES or action.type in RESULT_BRANCHES
    return (
        not branching and not action.transitions.conditions and not action.transitions.next_action
    )


class LoopWithoutExit(Rule):
    """A group of actions loops forever: no branch leads out of it.

    A cycle is fine when one of its branches leaves it (a menu that re-prompts on a bad
    key and routes on a good one; a ``Loop`` block's ``DoneLooping``). When every branch
    of every block in the cycle leads back into it, including error branches, a
    contact is trapped until it hangs up, paying for telephony and blocking nothing
    visible. Queue and hold flows (which loop by design until an agent answers),
    transfers and unknown block types count as ways out.

    *Anti-pattern*: a "Get customer input" whose every option, timeout and error branch
    goes back to the greeting that leads to it.

    *Best practice*: give the loop a way out: a counter (``Loop`` block), a transfer to a
    queue, or a disconnect after repeated failures.
    """

    id = "FL106"
    name = "loop-without-exit"
    severity = Severity.error

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.doc.info.type in WAITING_FLOW_TYPES:
            return
        succ = ctx.successors
        for component in strongly_connected_components(succ):
            members = set(component)
            if len(members) == 1:
                (only,) = members
                if only not in succ.get(only, ()):
                    continue
            if any(t not in members for m in members for t in succ.get(m, ())):
                continue
            actions = [a for m in members if (a := ctx.flow.action(m)) is not None]
            if len(actions) < len(members) or any(_is_exit(a) for a in actions):
                continue
            ordered = sorted(actions, key=lambda a: a.index)
            first = ordered[0]
            names = ", ".join(repr(a.identifier) for a in ordered[:5])
            more = f" and {len(ordered) - 5} more" if len(ordered) > 5 else ""
            yield ctx.finding(
                self,
                first.identifier,
                f"loop of {len(members)} action(s) with no way out: {names}{more}",
            )
