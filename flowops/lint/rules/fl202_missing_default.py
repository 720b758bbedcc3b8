"""FL202: a branching action has no default branch."""

from __future__ import annotations

from collections.abc import Iterator

from flowops.lint.finding import Finding, Severity
from flowops.lint.rule import Rule, RuleContext, action_path
from flowops.model.action_types import DEFAULT_BRANCH_TYPES, RESULT_BRANCHES
from flowops.model.types import NO_MATCHING_CONDITION


class MissingDefault(Rule):
    """A branching action has no default (``NoMatchingCondition``) branch.

    Customers press keys you did not offer and say things your bot has no intent for;
    metrics cross thresholds you did not expect. AWS: "It is highly recommended to map
    defaults as customers could be calling for a reason you haven't accounted for yet".
    Without the default branch, an unmatched input ends the flow. Checked: Compare,
    CheckMetricData (the designer's "Check staffing" and "Check queue status"),
    ShowView, and GetParticipantInput and Lex blocks that have conditions;
    CheckHoursOfOperation needs both its True and False results and Loop both
    ContinueLooping and DoneLooping. DistributeByPercentage is FL203's.

    *Anti-pattern*: a menu with branches for 1 and 2 and no ``NoMatchingCondition``
    error branch.

    *Best practice*: route the default to a re-prompt or to a general queue.
    """

    id = "FL202"
    name = "missing-default"
    severity = Severity.warning

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for action in ctx.flow.actions:
            t = action.transitions
            results = RESULT_BRANCHES.get(action.type)
            if results is not None:
                covered = {str(op) for c in t.conditions if c.next_action for op in c.operands}
                missing = sorted(results - covered)
                if missing:
                    yield ctx.finding(
                        self,
                        action.identifier,
                        f"{action.type} has no branch for result {', '.join(missing)}",
                        path=action_path(action, "Transitions", "Conditions"),
                    )
                continue
            if action.type not in DEFAULT_BRANCH_TYPES or action.type == "DistributeByPercentage":
                continue
            if action.type in ("GetParticipantInput", "ConnectParticipantWithLexBot") and not (
                t.conditions
            ):
                continue
            if not t.default_target:
                yield ctx.finding(
                    self,
                    action.identifier,
                    f"{action.type} has no default branch ({NO_MATCHING_CONDITION})",
                    path=action_path(action, "Transitions", "Errors"),
                )
