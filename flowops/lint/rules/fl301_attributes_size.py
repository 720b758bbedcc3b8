"""FL301: static contact attributes near or above Connect's 32 KB limit."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from flowops.lint.finding import Finding, Severity
from flowops.lint.rule import Rule, RuleContext, is_dynamic
from flowops.model.action_types import CONTACT_ATTRIBUTES_LIMIT_BYTES

#: Warn above this share of the limit.
WARN_RATIO = 0.8


class AttributesSize(Rule):
    """Static contact attributes set in the flow add up to more than 32 KB (or 80 % of it).

    Connect keeps at most 32 KB of contact attributes per contact and truncates
    anything set beyond that, so data is silently lost. flowops estimates the payload
    as the UTF-8 bytes of every attribute name plus its largest static value over all
    "Set contact attributes" blocks of the flow (dynamic values count their name only,
    since their size is unknown). Above the limit is an error; above 80 % a warning,
    because dynamic values and other flows add to the same contact.

    *Anti-pattern*: storing whole prompt scripts or JSON documents in attributes.

    *Best practice*: keep large data in a database and store a key; clear attributes
    you no longer need by setting them to an empty value.
    """

    id = "FL301"
    name = "contact-attributes-size"
    severity = Severity.error

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        sizes: dict[str, int] = {}
        largest: dict[str, str] = {}
        for action in ctx.actions("UpdateContactAttributes"):
            attributes = action.parameters.get("Attributes")
            if not isinstance(attributes, Mapping):
                continue
            for key, value in attributes.items():
                size = len(str(key).encode("utf-8"))
                if isinstance(value, str) and not is_dynamic(value):
                    size += len(value.encode("utf-8"))
                if size > sizes.get(key, -1):
                    sizes[key] = size
                    largest[key] = action.identifier
        total = sum(sizes.values())
        if total <= CONTACT_ATTRIBUTES_LIMIT_BYTES * WARN_RATIO:
            return
        biggest = max(sizes, key=lambda k: sizes[k])
        over = total > CONTACT_ATTRIBUTES_LIMIT_BYTES
        kb = total / 1024
        yield ctx.finding(
            self,
            largest[biggest],
            f"static contact attributes total about {kb:.1f} KB, "
            f"{'above' if over else 'over 80 % of'} Connect's 32 KB limit "
            f"(largest: {biggest!r}, {sizes[biggest]} bytes)",
            severity=None if over else Severity.warning,
        )
