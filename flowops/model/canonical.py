"""One deterministic serialization, so export -> edit -> export gives minimal git diffs.

Rules: known objects put their keys in the flow language's reading order (Identifier,
Type, Parameters, Transitions...) followed by any other keys sorted; every other object
has sorted keys; actions are sorted by Identifier (stable under edits, unlike designer
order); lists keep their order (conditions are evaluated in order); values are written
exactly as read (``"3"`` stays a string, ``3`` stays a number, unknown fields survive);
2-space indent, UTF-8 without escaping, one newline at the end.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from flowops.model.document import DOCUMENT_FORMAT, FlowDocument
from flowops.model.types import Flow

_CONTENT_ORDER = ("Version", "StartAction", "Actions", "Settings")
_ACTION_ORDER = ("Identifier", "Type", "Parameters", "Transitions")
_TRANSITIONS_ORDER = ("NextAction", "Conditions", "Errors")
_CONDITION_ORDER = ("NextAction", "Condition")
_CONDITION_BODY_ORDER = ("Operator", "Operands")
_ERROR_ORDER = ("NextAction", "ErrorType")
_DOCUMENT_ORDER = ("flowops", "name", "kind", "type", "description", "state", "status", "tags")


def _sorted(value: Any) -> Any:
    """Sort keys of every object below ``value``; keep list order and scalar values."""
    if isinstance(value, Mapping):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list | tuple):
        return [_sorted(v) for v in value]
    return value


def _ordered(obj: Mapping[str, Any], first: Sequence[str], **special: Any) -> dict[str, Any]:
    """Keys in ``first`` order, then the rest sorted; ``special`` maps key -> transformer."""
    out: dict[str, Any] = {}
    for key in (*[k for k in first if k in obj], *sorted(k for k in obj if k not in first)):
        transform = special.get(key, _sorted)
        out[key] = transform(obj[key])
    return out


def _condition(cond: Any) -> Any:
    if not isinstance(cond, Mapping):
        return _sorted(cond)
    return _ordered(
        cond,
        _CONDITION_ORDER,
        Condition=lambda body: (
            _ordered(body, _CONDITION_BODY_ORDER) if isinstance(body, Mapping) else _sorted(body)
        ),
    )


def _transitions(value: Any) -> Any:
    if not isinstance(value, Mapping):
        return _sorted(value)
    return _ordered(
        value,
        _TRANSITIONS_ORDER,
        Conditions=lambda items: (
            [_condition(c) for c in items] if isinstance(items, list) else _sorted(items)
        ),
        Errors=lambda items: (
            [_ordered(e, _ERROR_ORDER) if isinstance(e, Mapping) else _sorted(e) for e in items]
            if isinstance(items, list)
            else _sorted(items)
        ),
    )


def _action(action: Mapping[str, Any]) -> dict[str, Any]:
    return _ordered(action, _ACTION_ORDER, Transitions=_transitions)


def _actions(actions: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    ordered = sorted(actions, key=lambda a: str(a.get("Identifier", "")))
    return [_action(a) for a in ordered]


def canonical_content(flow: Flow, *, with_metadata: bool = True) -> dict[str, Any]:
    """The flow's content in canonical order; ``Metadata`` last (or left out)."""
    raw = {k: v for k, v in flow.raw.items() if k != "Metadata"}
    out = _ordered(raw, _CONTENT_ORDER, Actions=_actions)
    if with_metadata and flow.metadata is not None:
        out["Metadata"] = _sorted(flow.metadata)
    return out


def semantic_content(flow: Flow) -> dict[str, Any]:
    """Canonical content without designer layout: what a contact actually experiences."""
    return canonical_content(flow, with_metadata=False)


def _dumps(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def dump_content(flow: Flow, *, with_metadata: bool = True) -> str:
    """Raw flow-language text in canonical form (importable into Connect as is)."""
    return _dumps(canonical_content(flow, with_metadata=with_metadata))


def canonical_document(doc: FlowDocument) -> dict[str, Any]:
    """A flowops document: header, then content, then layout in its own section."""
    info = doc.info
    header: dict[str, Any] = {
        "flowops": DOCUMENT_FORMAT,
        "name": info.name,
        "kind": info.kind,
        "type": info.type,
        "description": info.description,
        "state": info.state,
        "status": info.status,
        "tags": dict(sorted(info.tags.items())),
    }
    header.update(_sorted(dict(info.extra)))
    out = _ordered(header, _DOCUMENT_ORDER)
    out["content"] = semantic_content(doc.flow)
    out["layout"] = _sorted(doc.flow.metadata) if doc.flow.metadata is not None else None
    return out


def dump_document(doc: FlowDocument) -> str:
    """Canonical text of a flowops document."""
    return _dumps(canonical_document(doc))


def dump_in_own_format(doc: FlowDocument) -> str:
    """Canonical text in the shape the document was read in (for ``flowops fmt``)."""
    if doc.format == "document":
        return dump_document(doc)
    return dump_content(doc.flow)
