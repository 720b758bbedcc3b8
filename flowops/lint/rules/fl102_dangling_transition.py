"""FL102: a transition names an action that does not exist."""

from __future__ import annotations

from collections.abc import Iterator

from flowops.lint.finding import Finding, Severity
from flowops.lint.rule import Rule, RuleContext


class DanglingTransition(Rule):
    """A NextAction, condition or error branch points to an action that does not exist.

    Connect refuses to publish a flow with a branch to a missing block; when such a file
    comes from a hand edit or a bad merge, the error shows only at deploy time. An empty
    target (a branch left unconnected in the designer) is not reported here.

    *Anti-pattern*: ``"Transitions": {"NextAction": "$end"}`` where no action is
    called ``$end``.

    *Best practice*: every branch targets the ``Identifier`` of an action in the flow.
    """

    id = "FL102"
    name = "dangling-transition"
    severity = Severity.error

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for item in ctx.graph.dangling:
            yield ctx.finding(
                self,
                item.source,
                f"{item.branch} branch {item.label!r} goes to missing action {item.target!r}",
            )
