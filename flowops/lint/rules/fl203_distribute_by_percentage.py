"""FL203: Distribute by percentage shares that do not add up, or no default."""

from __future__ import annotations

from collections.abc import Iterator

from flowops.lint.finding import Finding, Severity
from flowops.lint.rule import Rule, RuleContext, action_path
from flowops.model.action_rules import percentage_problem, whole_number
from flowops.model.types import Action


def _problems(action: Action) -> Iterator[str]:
    """Each problem with the cumulative thresholds of one DistributeByPercentage.

    The publish rules' own check (:func:`percentage_problem`), then the default branch.
    """
    conditions = action.transitions.conditions
    problem = percentage_problem([(c.operator, c.operands) for c in conditions])
    if problem is not None:
        yield problem[1]
        return
    last = max((whole_number(c.operands[0]) or 1 for c in conditions), default=1)
    if not action.transitions.default_target:
        yield f"no default branch for the remaining {101 - max(last, 1)} %"


class DistributeByPercentage(Rule):
    """Distribute by percentage thresholds Connect refuses, or no default branch.

    Connect draws a number from 1 to 100 and takes the first condition whose
    ``NumberLessThan`` threshold is above it: the shares exist only as cumulative
    thresholds (branch i gets threshold_i - threshold_(i-1) %). Hand edits or merges
    easily make thresholds decrease (a negative share, so a branch that is never
    taken) or go past 100, which Connect refuses to publish ("no Comparison comparing a
    value larger than 100"): the same check as the publish rules. The branches take at
    most 99 %; the remainder, at least the draw 100, goes to the default
    (``NoMatchingCondition``) branch, which must be connected: an A/B test without it
    drops that share of callers.

    *Anti-pattern*: thresholds ``["60"]``, ``["50"]`` (the second branch never runs);
    ``["51"]``, ``["101"]`` for 50 % / 50 % (refused: give the last share to the
    default branch).

    *Best practice*: edit shares in the designer, keep thresholds increasing and at most
    100, and connect the default branch.
    """

    id = "FL203"
    name = "distribute-by-percentage"
    severity = Severity.error

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for action in ctx.actions("DistributeByPercentage"):
            for problem in _problems(action):
                yield ctx.finding(
                    self,
                    action.identifier,
                    problem,
                    path=action_path(action, "Transitions", "Conditions"),
                )
