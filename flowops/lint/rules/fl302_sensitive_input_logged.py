"""FL302: customer input stored while flow logging may be on."""

from __future__ import annotations

from collections.abc import Iterator

from flowops.lint.finding import Finding, Severity
from flowops.lint.rule import Rule, RuleContext, action_path


def _logging_after(action_type: str, behavior: object, state: bool) -> bool:
    if action_type == "UpdateFlowLoggingBehavior":
        return str(behavior).lower() == "enabled"
    return state


def logging_maybe_on(ctx: RuleContext) -> set[str]:
    """Actions reached on at least one path where flow logging was enabled before them.

    A forward search over (action, logging on?) pairs from StartAction with logging off
    (Connect's default); ``UpdateFlowLoggingBehavior`` sets the state for what follows.
    """
    start = ctx.flow.start_action
    if not ctx.start_exists:
        return set()
    seen: set[tuple[str, bool]] = {(start, False)}
    stack = [(start, False)]
    on: set[str] = set()
    while stack:
        node, state = stack.pop()
        if state:
            on.add(node)
        action = ctx.flow.action(node)
        if action is None:
            continue
        after = _logging_after(action.type, action.parameters.get("FlowLoggingBehavior"), state)
        for target in ctx.successors.get(node, ()):
            if (target, after) not in seen:
                seen.add((target, after))
                stack.append((target, after))
    return on


class SensitiveInputLogged(Rule):
    """Customer input is stored while flow logging is enabled on a path before it.

    With flow logging on, Connect writes each block's parameters and results, including
    stored customer input (card numbers, PINs), to CloudWatch Logs. AWS's guidance for
    sensitive data: collect it with "Store customer input", encrypt it, and "use the Set
    logging behavior flow block to disable logging whenever sensitive information is
    referenced". This rule reports ``GetParticipantInput`` blocks with ``StoreInput``
    true (encrypted or not) that some path from StartAction reaches with logging
    enabled and not disabled since.

    *Anti-pattern*: "Set logging behavior: enabled" at the top of the flow, then "Store
    customer input" for a card number.

    *Best practice*: disable logging before the block that stores input and enable it
    again once the value is no longer referenced.
    """

    id = "FL302"
    name = "sensitive-input-logged"
    severity = Severity.warning

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        stores = [
            a
            for a in ctx.actions("GetParticipantInput")
            if str(a.parameters.get("StoreInput", "")).lower() == "true"
        ]
        if not stores:
            return
        on = logging_maybe_on(ctx)
        for action in stores:
            if action.identifier in on:
                kind = "encrypted " if action.parameters.get("InputEncryption") else ""
                yield ctx.finding(
                    self,
                    action.identifier,
                    f"stores {kind}customer input while flow logging is enabled",
                    path=action_path(action, "Parameters", "StoreInput"),
                )
