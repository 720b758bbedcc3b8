"""SearchCriteria and SearchFilter of SearchContactFlows / SearchContactFlowModules."""

from __future__ import annotations

from typing import Any

from flowops.sandbox.protocol import invalid_param
from flowops.sandbox.store import Flow


def matches_criteria(flow: Flow, criteria: dict[str, Any] | None) -> bool:
    """Does the flow meet ``SearchCriteria`` (string, type, state, status, and/or)?"""
    if not criteria:
        return True
    ors = criteria.get("OrConditions")
    if ors and not any(matches_criteria(flow, c) for c in ors):
        return False
    ands = criteria.get("AndConditions")
    if ands and not all(matches_criteria(flow, c) for c in ands):
        return False
    cond = criteria.get("StringCondition")
    if cond and not _string_matches(flow, cond):
        return False
    if "TypeCondition" in criteria and flow.type != criteria["TypeCondition"]:
        return False
    if "StateCondition" in criteria and flow.state != criteria["StateCondition"]:
        return False
    return "StatusCondition" not in criteria or flow.current[1] == criteria["StatusCondition"]


def _string_matches(flow: Flow, cond: dict[str, Any]) -> bool:
    field = str(cond.get("FieldName", "name")).lower()
    values = {
        "name": flow.name,
        "description": flow.description,
        "resourceid": flow.id,
        "id": flow.id,
        "arn": flow.arn,
    }
    if field not in values:
        raise invalid_param(f"Unsupported search FieldName {cond.get('FieldName')!r}")
    value = values[field] or ""
    wanted = str(cond.get("Value", ""))
    comparison = cond.get("ComparisonType", "EXACT")
    if comparison == "EXACT":
        return value == wanted
    if comparison == "CONTAINS":
        return wanted.lower() in value.lower()
    if comparison == "STARTS_WITH":
        return value.lower().startswith(wanted.lower())
    raise invalid_param(f"Invalid ComparisonType {comparison!r}")


def matches_tags(tags: dict[str, str], tag_filter: dict[str, Any] | None) -> bool:
    """Does a resource with ``tags`` pass a ``ControlPlaneTagFilter``-like filter?"""
    if not tag_filter:
        return True

    def has(cond: dict[str, Any]) -> bool:
        key = cond.get("TagKey")
        if key not in tags:
            return False
        return "TagValue" not in cond or tags[key] == cond["TagValue"]

    cond = tag_filter.get("TagCondition")
    if cond and not has(cond):
        return False
    ands = tag_filter.get("AndConditions")
    if ands and not all(has(c) for c in ands):
        return False
    ors = tag_filter.get("OrConditions")
    return not ors or any(all(has(c) for c in group) for group in ors)


def matches_filter(flow: Flow, tags: dict[str, str], search_filter: dict[str, Any] | None) -> bool:
    """Does the flow pass ``SearchFilter`` (tag filter, flow attribute filter)?"""
    if not search_filter:
        return True
    if not matches_tags(tags, search_filter.get("TagFilter")):
        return False
    attr = search_filter.get("FlowAttributeFilter")
    if not attr:
        return True

    def attr_ok(cond: dict[str, Any]) -> bool:
        type_cond = cond.get("ContactFlowTypeCondition")
        if type_cond and type_cond.get("ContactFlowType") != flow.type:
            return False
        tag_conds = cond.get("TagConditions") or []
        return matches_tags(tags, {"AndConditions": tag_conds} if tag_conds else None)

    if attr.get("AndCondition") and not attr_ok(attr["AndCondition"]):
        return False
    if attr.get("OrConditions") and not any(attr_ok(c) for c in attr["OrConditions"]):
        return False
    if attr.get("TagCondition") and not matches_tags(tags, {"TagCondition": attr["TagCondition"]}):
        return False
    type_cond = attr.get("ContactFlowTypeCondition")
    return not type_cond or attr_ok({"ContactFlowTypeCondition": type_cond})
