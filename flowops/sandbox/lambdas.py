"""Lambda functions associated with an instance, stored as Connect stores them.

``AssociateLambdaFunction`` accepts a function ARN with or without a qualifier (an alias
such as ``:live`` or a version such as ``:7``); Connect keeps and lists the ARN exactly as
associated, so a flow invoking ``...:function:routing:live`` needs that qualified ARN (or
the unqualified function) associated. Kept apart from ``service`` so its routes stay thin.
"""

from __future__ import annotations

import re

_FUNCTION_ARN = re.compile(
    r"^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:(?P<name>[A-Za-z0-9_-]{1,140})"
    r"(?::(?P<qualifier>\$LATEST|[A-Za-z0-9_-]{1,128}))?$"
)


def associated_lambda(arn: str) -> tuple[str, str] | None:
    """(name the catalog lists, ARN to store) for a valid function ARN; None otherwise.

    The name is the function name, with ``:qualifier`` when the ARN is qualified; the
    ARN is stored as given.
    """
    found = _FUNCTION_ARN.match(arn)
    if found is None:
        return None
    name = found["name"] + (f":{found['qualifier']}" if found["qualifier"] else "")
    return name, arn


def lambda_keys(arn: str) -> tuple[str, ...]:
    """The associations under which a flow may invoke ``arn``: itself, then its function."""
    found = _FUNCTION_ARN.match(arn)
    if found is None or not found["qualifier"]:
        return (arn,)
    return (arn, arn[: -len(found["qualifier"]) - 1])
