"""A fast structural check that mirrors ``flow-language.schema.json``, fused with building.

jsonschema costs ~10x a ``json.load`` per flow; linting a thousand flows on every pull
request should not. ``quick_build`` checks exactly what the schema checks (a property
test holds the two together) while it builds the immutable ``Flow``, so a valid file is
walked once; only when it returns None does the parser ask jsonschema for the precise
message and JSON path.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flowops.model.types import Action, Condition, ErrorBranch, Flow, Transitions

_SCALAR = (str, int, float, bool)
_EMPTY: Mapping[str, Any] = {}
_NO_TRANSITIONS = Transitions()


class _Invalid(Exception):
    """Raised inside the builder at the first thing the schema would reject."""


def _transitions(t: Any, branches: dict[tuple[Any, ...], Any]) -> Transitions:
    """Build the ``Transitions`` of an action; equal branches share one object."""
    if not isinstance(t, dict):
        raise _Invalid
    if not t:
        return _NO_TRANSITIONS
    next_action = t.get("NextAction")
    if next_action is not None and not isinstance(next_action, str):
        raise _Invalid
    if "NextAction" in t and next_action is None:
        raise _Invalid  # null is not a string
    errors: tuple[ErrorBranch, ...] = ()
    if "Errors" in t:
        raw_errors = t["Errors"]
        if not isinstance(raw_errors, list):
            raise _Invalid
        built_errors = []
        for e in raw_errors:
            if not isinstance(e, dict):
                raise _Invalid
            key = (e.get("NextAction"), e.get("ErrorType"))
            try:
                branch = branches.get(key)
            except TypeError:  # a list or object where a string belongs: unhashable
                raise _Invalid from None
            if branch is None:  # first time: check it (later equal ones are the same)
                target, error_type = key
                if not (isinstance(target, str) and isinstance(error_type, str) and error_type):
                    raise _Invalid
                branch = branches[key] = ErrorBranch(next_action=target, error_type=error_type)
            built_errors.append(branch)
        errors = tuple(built_errors)
    conditions: tuple[Condition, ...] = ()
    if "Conditions" in t:
        raw_conditions = t["Conditions"]
        if not isinstance(raw_conditions, list):
            raise _Invalid
        built_conditions = []
        for c in raw_conditions:
            if not isinstance(c, dict):
                raise _Invalid
            target, body = c.get("NextAction"), c.get("Condition")
            if not (isinstance(target, str) and isinstance(body, dict)):
                raise _Invalid
            operator, operands = body.get("Operator"), body.get("Operands")
            if not (isinstance(operator, str) and operator and isinstance(operands, list)):
                raise _Invalid
            for operand in operands:
                if not isinstance(operand, _SCALAR):
                    raise _Invalid
            built_conditions.append(
                Condition(next_action=target, operator=operator, operands=tuple(operands))
            )
        conditions = tuple(built_conditions)
    return Transitions(
        next_action=next_action if isinstance(next_action, str) else None,
        conditions=conditions,
        errors=errors,
    )


def _build(content: dict[str, Any]) -> Flow:
    version, start = content.get("Version"), content.get("StartAction")
    if not (isinstance(version, str) and isinstance(start, str)):
        raise _Invalid
    metadata = content.get("Metadata")
    if "Metadata" in content and not isinstance(metadata, dict):
        raise _Invalid
    settings = content.get("Settings")
    if "Settings" in content and not isinstance(settings, dict):
        raise _Invalid
    raw_actions = content.get("Actions")
    if not isinstance(raw_actions, list):
        raise _Invalid
    branches: dict[tuple[Any, ...], Any] = {}
    actions = []
    for i, a in enumerate(raw_actions):
        if not isinstance(a, dict):
            raise _Invalid
        identifier, action_type = a.get("Identifier"), a.get("Type")
        if not (
            isinstance(identifier, str)
            and identifier
            and isinstance(action_type, str)
            and action_type
        ):
            raise _Invalid
        parameters = a.get("Parameters")
        if parameters is None:
            if "Parameters" in a:
                raise _Invalid
            parameters = _EMPTY
        elif not isinstance(parameters, dict):
            raise _Invalid
        raw_transitions = a.get("Transitions", _NO_TRANSITIONS)
        transitions = (
            raw_transitions
            if raw_transitions is _NO_TRANSITIONS
            else _transitions(raw_transitions, branches)
        )
        actions.append(
            Action(
                identifier=identifier,
                type=action_type,
                parameters=parameters or _EMPTY,
                transitions=transitions,
                raw=a,
                index=i,
            )
        )
    return Flow(
        version=version,
        start_action=start,
        actions=tuple(actions),
        metadata=metadata,
        settings=settings,
        raw=content,
    )


def quick_build(content: Any) -> Flow | None:
    """The ``Flow`` of ``content`` when it conforms to the flow-language schema, else None."""
    if not isinstance(content, dict):
        return None
    try:
        return _build(content)
    except _Invalid:
        return None


def quick_valid(content: Any) -> bool:
    """True when ``content`` conforms to the flow-language schema."""
    return quick_build(content) is not None


_DOCUMENT_STRINGS = ("type", "description", "state", "status")


def quick_document_valid(doc: Any) -> bool:
    """True when ``doc`` conforms to ``document.schema.json`` (the header and the shapes
    of ``content`` and ``layout``; the content itself is checked by ``quick_build``)."""
    if not isinstance(doc, dict):
        return False
    fmt = doc.get("flowops")
    if type(fmt) not in (int, float) or fmt != 1:  # "const": 1 (True is not 1 in JSON)
        return False
    name = doc.get("name")
    if not isinstance(name, str) or not name or doc.get("kind") not in ("flow", "module"):
        return False
    if not isinstance(doc.get("content", None), dict):
        return False
    if any(key in doc and not isinstance(doc[key], str) for key in _DOCUMENT_STRINGS):
        return False
    if "layout" in doc and not (doc["layout"] is None or isinstance(doc["layout"], dict)):
        return False
    tags = doc.get("tags", _EMPTY)
    return isinstance(tags, dict) and all(isinstance(v, str) for v in tags.values())
