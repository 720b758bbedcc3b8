"""Validation of PUBLISHED flow and module content, mimicking Amazon Connect's own checks.

Works on raw JSON (no flowops model): the content must be JSON in the flow language
(``Version`` 2019-10-30, ``StartAction``, ``Actions``), every ``NextAction`` must name an
action, identifiers must be unique and follow the flow language's rules, every action type
must be known, have valid parameters and branches and be allowed in the flow's type
(:mod:`flowops.model.action_rules`, shared with ``flowops plan``), and every ARN in the
actions must name a resource that exists for this account, Region and instance. A flow
copied unchanged from another account therefore fails, listing each foreign reference.
SAVED content is never validated.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from flowops.model.action_rules import publish_problems
from flowops.sandbox.lambdas import lambda_keys

_ARN_RE = re.compile(r"arn:aws:[a-z0-9-]+:[^\s\"',]*")
_CONNECT_RE = re.compile(
    r"^arn:aws:connect:(?P<region>[^:]*):(?P<account>[^:]*):instance/(?P<instance>[^/:]+)"
    r"(?:/(?P<rtype>[a-z-]+)/(?P<rid>[^/:]+))?(?::(?P<qualifier>.+))?$"
)
_LAMBDA_RE = re.compile(
    r"^arn:aws:lambda:(?P<region>[^:]*):(?P<account>[^:]*):function:(?P<name>[^:]+)(?::.+)?$"
)
_LEX_RE = re.compile(r"^arn:aws:lex:(?P<region>[^:]*):(?P<account>[^:]*):bot-alias/.+$")
_UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

#: Parameters that may name a resource of this instance by bare id instead of ARN.
ID_PARAMETERS = {
    "FlowModuleId": "flow-module",
    "ContactFlowId": "contact-flow",
    "QueueId": "queue",
    "HoursOfOperationId": "operating-hours",
    "PromptId": "prompt",
}

#: Connect resource types the sandbox models; references to other types are not checked.
CHECKED_TYPES = {
    "queue": "queue",
    "prompt": "prompt",
    "contact-flow": "flow",
    "flow-module": "flow module",
    "operating-hours": "hours of operation",
    "transfer-destination": "quick connect",
}


@dataclass(frozen=True)
class Context:
    """Where the content is being published, and how to tell which resources exist."""

    account: str
    region: str
    instance_id: str
    #: ``exists(arn)`` for Connect resources of this instance, Lambda function ARNs and
    #: Lex V2 bot alias ARNs associated with the instance.
    exists: Callable[[str], bool]


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _arn_problem(arn: str, ctx: Context) -> str | None:
    connect = _CONNECT_RE.match(arn)
    if connect:
        if connect["account"] == "aws":  # AWS-managed resources such as views
            return None
        if connect["account"] != ctx.account:
            return f"references a resource in another AWS account ({connect['account']})"
        if connect["region"] != ctx.region:
            return f"references a resource in another Region ({connect['region']})"
        if connect["instance"] != ctx.instance_id:
            return f"references a resource in another instance ({connect['instance']})"
        rtype = connect["rtype"]
        if rtype is None or rtype not in CHECKED_TYPES:
            return None
        base = arn.split(":")[:6]
        target = ":".join(base)
        if not ctx.exists(target):
            return f"references a {CHECKED_TYPES[rtype]} that does not exist"
        return None
    for regex, what in ((_LAMBDA_RE, "Lambda function"), (_LEX_RE, "Lex bot alias")):
        found = regex.match(arn)
        if found is None:
            continue
        if found["account"] != ctx.account:
            return f"references a {what} in another AWS account ({found['account']})"
        keys = lambda_keys(arn) if what == "Lambda function" else (arn,)
        if not any(ctx.exists(key) for key in keys):
            return f"references a {what} that is not associated with this instance"
        return None
    return None


def validate_content(content: str, ctx: Context | None, flow_type: str | None = None) -> list[str]:
    """Every problem Connect would report for publishing ``content``; empty when valid.

    ``flow_type`` is the flow's type (``MODULE`` for a module; ``None``: not checked against
    the action types). The structure and per-action rules are flowops' one definition
    (:func:`flowops.model.action_rules.publish_problems`); without a ``ctx`` the
    references are not checked.
    """
    try:
        doc = json.loads(content)
    except ValueError as exc:
        return [f"Content is not valid JSON: {exc}"]
    problems = [p.message for p in publish_problems(doc, flow_type)]
    if ctx is None or not isinstance(doc, dict) or not isinstance(doc.get("Actions"), list):
        return problems
    for action in doc["Actions"]:
        if isinstance(action, dict) and isinstance(action.get("Identifier"), str):
            problems += _reference_problems(action["Identifier"], action.get("Parameters"), ctx)
    return problems


def _reference_problems(ident: str, parameters: Any, ctx: Context) -> list[str]:
    problems: list[str] = []
    if isinstance(parameters, dict):
        for key, segment in ID_PARAMETERS.items():
            value = parameters.get(key)
            if isinstance(value, str) and _UUID_RE.match(value):
                arn = (
                    f"arn:aws:connect:{ctx.region}:{ctx.account}:instance/"
                    f"{ctx.instance_id}/{segment}/{value}"
                )
                if not ctx.exists(arn):
                    what = CHECKED_TYPES[segment]
                    problems.append(
                        f"Action {ident!r}: {key} {value} names a {what} that does not exist"
                    )
    for text in _strings(parameters):
        for arn in _ARN_RE.findall(text):
            problem = _arn_problem(arn, ctx)
            if problem:
                problems.append(f"Action {ident!r}: {arn} {problem}")
    return problems
