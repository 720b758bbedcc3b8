"""FL103: two actions share an identifier."""

from __future__ import annotations

from collections.abc import Iterator

from flowops.lint.finding import Finding, Severity
from flowops.lint.rule import Rule, RuleContext


class DuplicateIdentifier(Rule):
    """Two or more actions have the same Identifier.

    Transitions name their target by identifier, so a duplicate makes every branch to it
    ambiguous; Connect rejects the flow, and flowops (like Connect) would read only the
    first of them. Duplicates usually come from copy-pasted JSON or a bad merge.

    *Anti-pattern*: two actions both with ``"Identifier": "greeting"``.

    *Best practice*: give each action a unique identifier (the designer uses UUIDs).
    """

    id = "FL103"
    name = "duplicate-identifier"
    severity = Severity.error

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for identifier in ctx.flow.duplicate_identifiers():
            count = sum(1 for a in ctx.flow.actions if a.identifier == identifier)
            yield ctx.finding(
                self, identifier, f"identifier {identifier!r} is used by {count} actions"
            )
