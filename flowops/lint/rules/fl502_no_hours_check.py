"""FL502: an entry flow that queues contacts without checking hours of operation."""

from __future__ import annotations

from collections.abc import Iterator

from flowops.lint.finding import Finding, Severity
from flowops.lint.rule import Rule, RuleContext

_QUEUE_TYPES = frozenset({"TransferContactToQueue", "DequeueContactAndTransferToQueue"})


class NoHoursCheck(Rule):
    """An inbound flow transfers to a queue without checking hours of operation.

    AWS's path-to-service pattern checks holidays, then business hours, before queueing:
    a contact queued while the center is closed waits for an agent who will not come.
    This rule reports inbound (``CONTACT_FLOW``) flows that reach a queue transfer and
    contain no ``CheckHoursOfOperation`` block. It is information only: the check may
    happen in a flow that transfers here, or in a Lambda.

    *Anti-pattern*: greeting, menu, "Transfer to queue", with no hours check.

    *Best practice*: "Check hours of operation" before the transfer, with a closed
    message (or a callback offer) on the out-of-hours branch.
    """

    id = "FL502"
    name = "no-hours-check"
    severity = Severity.info

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.doc.info.type != "CONTACT_FLOW" or ctx.flow.is_module or not ctx.start_exists:
            return
        reachable = ctx.reachable
        queues = [a for a in ctx.actions(*_QUEUE_TYPES) if a.identifier in reachable]
        if not queues or any(True for _ in ctx.actions("CheckHoursOfOperation")):
            return
        yield ctx.finding(
            self,
            queues[0].identifier,
            f"{queues[0].type} is reached with no CheckHoursOfOperation in the flow",
        )
