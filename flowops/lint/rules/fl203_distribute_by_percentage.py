"""FL203: Distribute by percentage shares that do not add up, or no default."""

from __future__ import annotations

from collections.abc import Iterator

from flowops.lint.finding import Finding, Severity
from flowops.lint.rule import Rule, RuleContext, action_path
from flowops.model.types import Action


def _problems(action: Action) -> Iterator[str]:
    """Each problem with the cumulative thresholds of one DistributeByPercentage."""
    previous = 1
    for i, cond in enumerate(action.transitions.conditions):
        if cond.operator != "NumberLessThan":
            yield f"condition {i} uses {cond.operator!r}, expected NumberLessThan"
            return
        try:
            threshold = int(str(cond.operands[0])) if len(cond.operands) == 1 else None
        except ValueError:
            threshold = None
        if threshold is None:
            yield f"condition {i} threshold {list(cond.operands)!r} is not a whole number"
            return
        share = threshold - previous
        if share < 0:
            yield f"condition {i} threshold {threshold} is below the previous one ({previous})"
            return
        if threshold > 101:
            yield f"shares add up to {threshold - 1} %, more than 100 %"
            return
        previous = threshold
    if not action.transitions.default_target:
        yield f"no default branch for the remaining {101 - previous} %"


class DistributeByPercentage(Rule):
    """Distribute by percentage shares that are not within 0-100 %, or no default branch.

    Connect draws a number from 1 to 100 and takes the first condition whose
    ``NumberLessThan`` threshold is above it: the shares exist only as cumulative
    thresholds (branch i gets threshold_i - threshold_(i-1) %). Hand edits or merges
    easily make thresholds decrease (a negative share, so a branch that is never
    taken) or go past 101 (more than 100 %). The remainder goes to the default
    (``NoMatchingCondition``) branch, which must be connected: an A/B test without it
    drops that share of callers.

    *Anti-pattern*: thresholds ``["60"]``, ``["50"]`` (the second branch never runs).

    *Best practice*: edit shares in the designer, keep thresholds increasing and at most
    101, and connect the default branch.
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
