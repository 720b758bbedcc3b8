"""FL201: an action can fail with an error type it has no branch for."""

from __future__ import annotations

from collections.abc import Iterator

from flowops.lint.finding import Finding, Severity
from flowops.lint.rule import Rule, RuleContext, action_path
from flowops.model.action_types import ERROR_TYPES, LOW_RISK_ERRORS


class UnhandledError(Rule):
    """An action that can fail has no error branch for an error type it raises.

    When a block fails (a Lambda times out, a queue is at capacity, a prompt is
    missing) and the matching error branch is not connected, Connect ends the flow
    and the contact is disconnected with no message. AWS's operational-excellence
    guidance: "make sure that you handle all error paths in your flow". The table of
    error types per action type is ``flowops.model.action_types.ERROR_TYPES``, built from
    real flows and AWS's flow-language reference; ``NoMatchingCondition`` (the default
    of condition blocks) is FL202's concern, unknown action types are not checked.
    One finding per action lists every missing error type. A missing error branch on a
    prompt or voice block (``MessageParticipant``, ``UpdateContactTextToSpeechVoice``)
    is reported as info: those rarely fail and older designers did not show the branch.

    *Anti-pattern*: ``InvokeLambdaFunction`` with ``"Errors": []``.

    *Best practice*: connect each error branch, typically to a block that tells the
    customer something went wrong and offers a path to service.
    """

    id = "FL201"
    name = "unhandled-error"
    severity = Severity.warning

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for action in ctx.flow.actions:
            raised = ERROR_TYPES.get(action.type)
            if not raised:
                continue
            unhandled = raised.difference(
                e.error_type for e in action.transitions.errors if e.next_action
            )
            if unhandled:
                missing = sorted(unhandled)
                low_risk = set(missing) <= LOW_RISK_ERRORS.get(action.type, frozenset())
                yield ctx.finding(
                    self,
                    action.identifier,
                    f"{action.type} has no branch for error {', '.join(missing)}",
                    severity=Severity.info if low_risk else None,
                    path=action_path(action, "Transitions", "Errors"),
                )
