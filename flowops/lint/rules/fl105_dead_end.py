"""FL105: a non-terminal action with nowhere to go."""

from __future__ import annotations

from collections.abc import Iterator

from flowops.lint.finding import Finding, Severity
from flowops.lint.rule import Rule, RuleContext, action_path
from flowops.model.action_types import (
    KNOWN_TYPES,
    LEAVES_FLOW_ON_SUCCESS,
    OPEN_ENDED_TYPES,
    TERMINAL_TYPES,
)


class DeadEnd(Rule):
    """An action that does not end the flow has no branch to continue on.

    When a block such as "Set logging behavior" has no outgoing branch, Connect ends
    the flow right after it and the contact is disconnected without a goodbye, a queue
    or a disconnect block that says so. Terminal blocks (Disconnect, End flow, End
    module, Transfer to agent, Complete outbound call), transfers that leave the flow,
    loop prompts (which play until an agent answers) and unknown action types are not
    reported.

    *Anti-pattern*: ``{"Type": "UpdateFlowLoggingBehavior", "Transitions": {}}`` as the
    last block of a path.

    *Best practice*: end every path with an explicit terminal block, such as
    ``DisconnectParticipant``.
    """

    id = "FL105"
    name = "dead-end"
    severity = Severity.warning

    _EXEMPT = TERMINAL_TYPES | LEAVES_FLOW_ON_SUCCESS | OPEN_ENDED_TYPES

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for action in ctx.flow.actions:
            if action.type in self._EXEMPT or action.type not in KNOWN_TYPES:
                continue
            t = action.transitions
            if (
                t.next_action
                or any(c.next_action for c in t.conditions)
                or any(e.next_action for e in t.errors)
            ):
                continue
            yield ctx.finding(
                self,
                action.identifier,
                f"{action.type} has no outgoing branch: the contact is dropped here",
                path=action_path(action, "Transitions"),
            )
