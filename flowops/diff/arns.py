"""ARN-neutral comparison: the same resource in another account or region is equal.

When both sides come from a live environment they are symbolized through its catalog
(``queue:Support``) before they reach the engine. Files carry whatever they were
exported with, so for them the engine compares ARNs by *service, resource type and
resource id* only: partition, region, account and the Connect instance are ignored.
``arn:aws:connect:us-east-1:111111111111:instance/i-1/queue/q-9`` and
``arn:aws:connect:eu-west-2:222222222222:instance/i-2/queue/q-9`` compare equal;
a different queue id does not. Only whole string values that are ARNs are rewritten.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_ARN = re.compile(r"^arn:[A-Za-z0-9-]+:(?P<service>[A-Za-z0-9-]+):[^:]*:[^:]*:(?P<resource>.+)$")
_INSTANCE = re.compile(r"^instance/[^/]+(?=/|$)")


def neutral_arn(value: str) -> str:
    """The account-, region- and instance-free form of an ARN (other strings unchanged)."""
    match = _ARN.match(value)
    if match is None:
        return value
    resource = _INSTANCE.sub("instance/*", match.group("resource"))
    return f"arn:*:{match.group('service')}:*:*:{resource}"


def neutralize(value: Any) -> Any:
    """A copy of a JSON value with every ARN string replaced by its neutral form."""
    if isinstance(value, str):
        return neutral_arn(value) if value.startswith("arn:") else value
    if isinstance(value, Mapping):
        return {k: neutralize(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [neutralize(v) for v in value]
    return value
