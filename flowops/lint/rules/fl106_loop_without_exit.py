"""FL106: a loop a contact can never leave."""

from __future__ import annotations

from collections.abc import Iterator

from flowops.lint.finding import Finding, Severity
from flowops.lint.rule import Rule, RuleContext, loop_names


class LoopWithoutExit(Rule):
    """A group of actions loops forever: no branch leads out of it.

    A cycle is fine when one of its branches leaves it (a menu that re-prompts on a bad
    key and routes on a good one; a ``Loop`` block's ``DoneLooping``). When every branch
    of every block in the cycle leads back into it, including error branches, a
    contact is trapped until it hangs up, paying for telephony and blocking nothing
    visible. Queue and hold flows (which loop by design until an agent answers),
    transfers and unknown block types count as ways out.

    *Anti-pattern*: a "Get customer input" whose every option, timeout and error branch
    goes back to the greeting that leads to it.

    *Best practice*: give the loop a way out: a counter (``Loop`` block), a transfer to a
    queue, or a disconnect after repeated failures.
    """

    id = "FL106"
    name = "loop-without-exit"
    severity = Severity.error

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        succ = ctx.successors
        for members, actions in ctx.closed_loops:
            if any(t not in members for m in members for t in succ.get(m, ())):
                continue
            first, names = loop_names(actions)
            yield ctx.finding(
                self, first, f"loop of {len(members)} action(s) with no way out: {names}"
            )
