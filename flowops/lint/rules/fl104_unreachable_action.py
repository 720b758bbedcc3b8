"""FL104: an action no contact can reach."""

from __future__ import annotations

from collections.abc import Iterator

from flowops.lint.finding import Finding, Severity
from flowops.lint.rule import Rule, RuleContext, action_path


class UnreachableAction(Rule):
    """An action cannot be reached from StartAction by any branch.

    Unreachable blocks are dead code: they are never run, yet they are reviewed,
    deployed and kept in sync. Often they are the remains of a branch that was
    rewired, or a block someone forgot to connect, which is a bug. The NextAction that
    exports keep on transfer blocks (only reached after the contact has left) does not
    count as a path.

    *Anti-pattern*: a "Play prompt" block left on the canvas with no arrow into it.

    *Best practice*: connect the block where it was meant to run, or delete it.
    """

    id = "FL104"
    name = "unreachable-action"
    severity = Severity.warning

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if not ctx.start_exists:
            return
        reachable = ctx.reachable
        seen: set[str] = set()
        for action in ctx.flow.actions:
            if action.identifier in reachable or action.identifier in seen:
                continue
            seen.add(action.identifier)
            yield ctx.finding(
                self,
                action.identifier,
                f"{action.type} is not reachable from StartAction",
                path=action_path(action),
            )
