"""FL501: an inbound flow with no path to a queue, another flow or a callback."""

from __future__ import annotations

from collections.abc import Iterator

from flowops.lint.finding import Finding, Severity
from flowops.lint.rule import Rule, RuleContext
from flowops.model.action_types import KNOWN_TYPES, NOT_INBOUND_MARKERS, SERVICE_TYPES


class NoPathToService(Rule):
    """An inbound contact flow has no path to a queue, another flow or a callback.

    AWS: "When you are designing customer experiences in Amazon Connect, plan to ensure
    a path to service ... Always include a path to service in case customers are unable
    to self-serve". An inbound flow (type ``CONTACT_FLOW``) from whose start no path
    reaches a queue transfer, a transfer to a flow or agent, a callback, a third-party
    transfer or a flow module leaves every caller to self-service. Flow modules,
    whisper, hold and queue flows are not checked, nor agent-facing or outbound flows
    (those with ShowView or outbound call blocks); flows with action types flowops does
    not know are skipped. When the type is only inferred (a raw export without
    ``Metadata.type``) the finding is info.

    *Anti-pattern*: an IVR that plays messages and disconnects on every branch.

    *Best practice*: offer a transfer to a queue (or a callback) on at least one branch,
    such as after repeated self-service failures.
    """

    id = "FL501"
    name = "no-path-to-service"
    severity = Severity.warning

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.doc.info.type != "CONTACT_FLOW" or ctx.flow.is_module or not ctx.start_exists:
            return
        if any(a.type in NOT_INBOUND_MARKERS for a in ctx.flow.actions):
            return
        reachable = [ctx.flow.action(n) for n in ctx.reachable]
        types = {a.type for a in reachable if a is not None}
        if types & SERVICE_TYPES or types - KNOWN_TYPES:
            return
        yield ctx.finding(
            self,
            None,
            "no path from StartAction reaches a queue, another flow or a callback",
            severity=None if ctx.type_is_explicit else Severity.info,
        )
