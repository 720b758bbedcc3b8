"""FL401: literal ARNs, account ids or instance ids where references belong."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from flowops.lint.finding import Finding, Severity
from flowops.lint.rule import Rule, RuleContext, action_path, is_dynamic
from flowops.refs import PROSE_KEYS, arn_kind, parse_symbol

#: An ARN that names an account (AWS-owned ARNs, with account ``aws``, are global).
ARN = re.compile(r"arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):")
ACCOUNT_ID = re.compile(r"^\d{12}$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
#: Parameters whose bare UUID is an instance-specific resource id.
RESOURCE_ID_KEYS = frozenset(
    {"QueueId", "AgentId", "ContactFlowId", "FlowModuleId", "HoursOfOperationId", "PromptId"}
)


def _candidate(key: str, value: str) -> bool:
    """Cheap pre-filter: most strings are prompt texts, names and small numbers.

    Every kind ``environment_literal`` names needs one of: ``arn:`` in the value, a
    resource-id key, or twelve digits (``ACCOUNT_ID``, which also allows a final newline).
    """
    return (
        "arn:" in value
        or key in RESOURCE_ID_KEYS
        or (12 <= len(value) <= 13 and value[:12].isdigit())
    )


def _literals(value: Any, key: str, out: list[tuple[str, str]]) -> None:
    """Append (parameter key, kind) for every environment literal below ``value``."""
    if isinstance(value, str):
        if _candidate(key, value):
            what = environment_literal(key, value)
            if what:
                out.append((key, what))
    elif isinstance(value, (dict, Mapping)):  # dict first: the ABC check is slow
        for sub_key, sub in value.items():
            # Most parameters are flat strings: test them here, recurse only below.
            if type(sub) is str:
                if _candidate(sub_key, sub):
                    what = environment_literal(sub_key, sub)
                    if what:
                        out.append((sub_key, what))
            elif isinstance(sub, (dict, list, Mapping)):
                _literals(sub, str(sub_key), out)
    elif isinstance(value, list):
        for sub in value:
            _literals(sub, key, out)


def environment_literal(key: str, value: str) -> str | None:
    """Name the environment-specific literal ``value`` holds (for parameter ``key``), if any."""
    if key in PROSE_KEYS or is_dynamic(value) or parse_symbol(value):
        return None
    known = arn_kind(value)
    if known is not None and known[1] != "aws":
        return f"{known[0]} ARN (account {known[1]})"
    found = ARN.search(value)
    if found:
        return f"ARN (account {found.group(1)})"
    if ACCOUNT_ID.match(value) and "account" in key.lower():
        return "account id"
    if key in RESOURCE_ID_KEYS and UUID.match(value):
        return "resource id"
    return None


class HardcodedEnvironment(Rule):
    """Parameters hold literal ARNs, account ids or instance resource ids.

    A flow that names ``arn:aws:connect:us-east-1:111122223333:instance/.../queue/...``
    works only in that account and instance: promoted to staging or production it
    points back at dev, or fails. flowops export writes symbolic references
    (``queue:Support``, ``flow:Main IVR``, ``lambda:Name``...) that promote resolves per
    environment; template placeholders (``${X}``, ``${var.x}``, ``%%X%%``) and JSONPath
    are references too, and prose parameters (``Text``, ``SSML``) are not checked. In
    flowops documents (under ``flows/``) a literal is a warning; in raw exports, where
    literals are expected, it is info. One finding per action.

    *Anti-pattern*: ``"QueueId": "arn:aws:connect:...:111122223333:instance/.../queue/..."``
    in ``flows/main.json``.

    *Best practice*: ``"QueueId": "queue:Support"``, written by ``flowops export``.
    """

    id = "FL401"
    name = "hardcoded-environment"
    severity = Severity.warning

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        severity = None if ctx.doc.format == "document" else Severity.info
        for action in ctx.flow.actions:
            if not action.parameters:
                continue
            hits: list[tuple[str, str]] = []
            _literals(action.parameters, "", hits)
            if not hits:
                continue
            key, what = hits[0]
            more = f" (and {len(hits) - 1} more)" if len(hits) > 1 else ""
            yield ctx.finding(
                self,
                action.identifier,
                f"{key or 'parameter'} holds a literal {what}{more}; use a symbolic reference",
                severity=severity,
                path=action_path(action, "Parameters"),
            )
