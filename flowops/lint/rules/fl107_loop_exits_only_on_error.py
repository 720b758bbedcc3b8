"""FL107: a loop that only an error can leave."""

from __future__ import annotations

from collections.abc import Iterator

from flowops.lint.finding import Finding, Severity
from flowops.lint.rule import Rule, RuleContext, loop_names

#: Error types that mean something failed. Other error branches are outcomes a contact
#: meets on the normal path (a menu's default ``NoMatchingCondition``, an input
#: timeout, a lookup that found nothing) and count as ordinary ways out; so does any
#: error type not listed here.
FAILURES = frozenset(
    {
        "NoMatchingError",
        "TemplateRenderingError",
        "InvalidCallbackNumber",
        "CallbackNumberNotDialable",
        "InvalidPhoneNumber",
        "ChannelMismatch",
        "ContactNotLinked",
        "InFlightRedactionConfigurationFailed",
    }
)


class LoopExitsOnlyOnError(Rule):
    """A loop whose only ways out are error branches: on the normal path it never ends.

    FL106 reports loops with no way out at all. This rule reports the quieter kind: a
    group of actions that lead to each other, where every branch leaving the group is
    an error branch (``NoMatchingError`` and other failures). Nothing fails on the
    normal path, so a contact goes round until it hangs up; the error branch that looks
    like a way out is taken only when something breaks. A menu's default branch
    (``NoMatchingCondition``), an input timeout and a lookup's not-found branch are
    normal outcomes, not failures, and count as ways out; so do transfers, terminal
    blocks and unknown block types. Queue and hold flows loop by design and are not
    checked.

    *Anti-pattern*: two "Play prompt" blocks that lead to each other, each with only
    its error branch going on to the rest of the flow.

    *Best practice*: leave the loop on the normal path: a ``Loop`` block counting the
    rounds, a menu option or timeout that goes on, or a transfer; keep error branches
    for failures.
    """

    id = "FL107"
    name = "loop-exits-only-on-error"
    severity = Severity.warning

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for members, actions in ctx.closed_loops:
            exits = [
                edge
                for edge in ctx.graph.edges
                if edge.source in members
                and edge.target not in members
                and not edge.attrs.get("after_exit")
            ]
            if not exits:
                continue  # no way out at all: FL106
            if all(e.branch == "error" and e.attrs["error_type"] in FAILURES for e in exits):
                first, names = loop_names(actions)
                failures = sorted({str(e.attrs["error_type"]) for e in exits})
                yield ctx.finding(
                    self,
                    first,
                    f"loop of {len(members)} action(s) left only by error branches "
                    f"({', '.join(failures)}): {names}",
                )
