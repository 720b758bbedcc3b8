"""FL101: StartAction is empty or names no action."""

from __future__ import annotations

from collections.abc import Iterator

from flowops.lint.finding import Finding, Severity
from flowops.lint.rule import Rule, RuleContext


class MissingStartAction(Rule):
    """The flow's StartAction is empty or names an action that does not exist.

    Connect starts every contact at ``StartAction``. A draft saved before its entry was
    connected has ``"StartAction": ""``, and an edit that deletes or renames the first
    block leaves it pointing nowhere; either way the flow cannot be published, and a
    contact routed to it would be dropped.

    *Anti-pattern*: ``{"StartAction": "", "Actions": [...]}``.

    *Best practice*: connect the entry point to the first block in the designer, so
    ``StartAction`` is the identifier of an action in ``Actions``.
    """

    id = "FL101"
    name = "missing-start-action"
    severity = Severity.error

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        start = ctx.flow.start_action
        if not start:
            yield ctx.finding(self, None, "StartAction is empty", path="$.StartAction")
        elif not ctx.start_exists:
            yield ctx.finding(
                self, None, f"StartAction {start!r} is not an action", path="$.StartAction"
            )
