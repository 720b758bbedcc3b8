"""Two versions of one flow document -> ``FlowDiff`` (header, content, actions, layout)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flowops.diff.actions import compare_actions
from flowops.diff.arns import neutralize
from flowops.diff.branches import labelled_branches
from flowops.diff.matching import Normalize, match_actions
from flowops.diff.result import (
    ActionChange,
    BranchChange,
    FlowDiff,
    FlowStatus,
    LayoutChange,
    ValueChange,
)
from flowops.diff.values import value_changes
from flowops.model.document import FlowDocument
from flowops.model.types import Action, Flow

#: ``Metadata`` keys that mirror the document header (compared there) or are a checksum.
_HEADER_MIRRORS = frozenset({"name", "description", "type", "status", "hash"})
_NOT_CONTENT = frozenset({"StartAction", "Actions", "Metadata"})


def _header(doc: FlowDocument) -> dict[str, Any]:
    info = doc.info
    return {
        "name": info.name,
        "type": info.type,
        "description": info.description,
        "state": info.state,
        "status": info.status,
        "tags": dict(info.tags),
    }


def _content_rest(flow: Flow) -> dict[str, Any]:
    """Top-level content besides actions and layout: Version, module Settings, unknowns."""
    return {k: v for k, v in flow.raw.items() if k not in _NOT_CONTENT}


def _unique(flow: Flow) -> dict[str, Action]:
    out: dict[str, Action] = {}
    for action in flow.actions:
        out.setdefault(action.identifier, action)
    return out


def _one_sided(action: Action, status: str, normalize: Normalize) -> ActionChange:
    """An added (or removed) action, with its parameters and branches as added (removed)."""
    empty: dict[str, Any] = {}
    params = dict(action.parameters)
    if status == "added":
        values = value_changes(empty, params, normalize) if params else ()
        branches = tuple(
            BranchChange(branch, label, "added", new=t)
            for (branch, _), (t, label) in labelled_branches(action, normalize).items()
        )
        return ActionChange(
            action.identifier, action.type, "added", parameters=values, branches=branches
        )
    values = value_changes(params, empty, normalize) if params else ()
    branches = tuple(
        BranchChange(branch, label, "removed", old=t)
        for (branch, _), (t, label) in labelled_branches(action, normalize).items()
    )
    return ActionChange(
        action.identifier, action.type, "removed", parameters=values, branches=branches
    )


def _layout(old: Flow, new: Flow, pairs: Mapping[str, str]) -> LayoutChange:
    old_meta = neutralize(dict(old.metadata or {}))
    new_meta = neutralize(dict(new.metadata or {}))
    old_actions = old_meta.get("ActionMetadata") if isinstance(old_meta, dict) else None
    new_actions = new_meta.get("ActionMetadata") if isinstance(new_meta, dict) else None
    old_actions = old_actions if isinstance(old_actions, dict) else {}
    new_actions = new_actions if isinstance(new_actions, dict) else {}
    moved = sorted(
        new_id
        for old_id, new_id in pairs.items()
        if old_actions.get(old_id) != new_actions.get(new_id)
    )
    skip = _HEADER_MIRRORS | {"ActionMetadata"}
    keys = set(old_meta) | set(new_meta)
    flow_keys = sorted(k for k in keys if k not in skip and old_meta.get(k) != new_meta.get(k))
    return LayoutChange(actions=tuple(moved), flow=tuple(flow_keys))


def diff_flows(
    old: FlowDocument,
    new: FlowDocument,
    *,
    key: str,
    old_key: str | None = None,
    new_key: str | None = None,
    normalize: Normalize = neutralize,
    renamed: bool = False,
) -> FlowDiff | None:
    """The difference between two versions of a flow; None when they are identical.

    Layout changes alone give a diff with status "layout", which is not semantic.
    """
    metadata = value_changes(_header(old), _header(new), normalize)
    content = value_changes(_content_rest(old.flow), _content_rest(new.flow), normalize)
    matching = match_actions(old.flow, new.flow, normalize)
    old_actions, new_actions = _unique(old.flow), _unique(new.flow)
    changes: list[ActionChange] = []
    for old_id, new_id in matching.pairs.items():
        change = compare_actions(
            old_actions[old_id], new_actions[new_id], matching.pairs, normalize
        )
        if change is not None:
            changes.append(change)
    changes.extend(_one_sided(old_actions[i], "removed", normalize) for i in matching.removed)
    changes.extend(_one_sided(new_actions[i], "added", normalize) for i in matching.added)
    changes.sort(key=lambda c: (c.identifier, c.status))
    old_start, new_start = old.flow.start_action, new.flow.start_action
    start = (
        (old_start, new_start) if matching.pairs.get(old_start, old_start) != new_start else None
    )
    layout = _layout(old.flow, new.flow, matching.pairs)
    status: FlowStatus
    if renamed:
        status = "renamed"
    elif metadata or content or changes or start:
        status = "changed"
    elif layout:
        status = "layout"
    else:
        return None
    return FlowDiff(
        key=key,
        kind=new.info.kind,
        status=status,
        old_key=old_key or key,
        new_key=new_key or key,
        metadata=metadata,
        start_action=start,
        content=content,
        actions=tuple(changes),
        layout=layout,
        old=old,
        new=new,
    )


def one_sided_flow(doc: FlowDocument, key: str, status: FlowStatus) -> FlowDiff:
    """A flow present on one side only (added or removed)."""
    return FlowDiff(
        key=key,
        kind=doc.info.kind,
        status=status,
        old_key=key if status == "removed" else None,
        new_key=key if status == "added" else None,
        old=doc if status == "removed" else None,
        new=doc if status == "added" else None,
    )


def changed_values(changes: tuple[ValueChange, ...], path: str) -> ValueChange | None:
    """The change at ``path``, if any (renderers pick the name out of metadata)."""
    return next((c for c in changes if c.path == path), None)
