"""A fast structural check that mirrors ``flow-language.schema.json``.

jsonschema costs ~10x a ``json.load`` per flow; linting a thousand flows on every pull
request should not. This check accepts exactly what the schema accepts (a property test
holds the two together); only when it fails does the parser ask jsonschema for the
precise message and JSON path.
"""

from __future__ import annotations

from typing import Any

_SCALAR = (str, int, float, bool)


def _is_str(value: Any, *, non_empty: bool = False) -> bool:
    return isinstance(value, str) and (not non_empty or value != "")


def _transitions_ok(t: Any) -> bool:
    if not isinstance(t, dict):
        return False
    if "NextAction" in t and not _is_str(t["NextAction"]):
        return False
    if "Errors" in t:
        errors = t["Errors"]
        if not isinstance(errors, list):
            return False
        for e in errors:
            if not (
                isinstance(e, dict)
                and _is_str(e.get("NextAction"))
                and _is_str(e.get("ErrorType"), non_empty=True)
            ):
                return False
    if "Conditions" in t:
        conditions = t["Conditions"]
        if not isinstance(conditions, list):
            return False
        for c in conditions:
            if not (isinstance(c, dict) and _is_str(c.get("NextAction"))):
                return False
            body = c.get("Condition")
            if not (isinstance(body, dict) and _is_str(body.get("Operator"), non_empty=True)):
                return False
            operands = body.get("Operands")
            if not isinstance(operands, list) or not all(isinstance(o, _SCALAR) for o in operands):
                return False
    return True


def quick_valid(content: Any) -> bool:
    """True when ``content`` conforms to the flow-language schema."""
    if not isinstance(content, dict):
        return False
    if not (_is_str(content.get("Version")) and _is_str(content.get("StartAction"))):
        return False
    if "Metadata" in content and not isinstance(content["Metadata"], dict):
        return False
    if "Settings" in content and not isinstance(content["Settings"], dict):
        return False
    actions = content.get("Actions")
    if not isinstance(actions, list):
        return False
    for a in actions:
        if not isinstance(a, dict):
            return False
        if not (
            _is_str(a.get("Identifier"), non_empty=True) and _is_str(a.get("Type"), non_empty=True)
        ):
            return False
        if "Parameters" in a and not isinstance(a["Parameters"], dict):
            return False
        if "Transitions" in a and not _transitions_ok(a["Transitions"]):
            return False
    return True
