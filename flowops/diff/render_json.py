"""The diff as stable JSON for tools; the schema is ``diff.schema.json`` (docs/diff-json.md).

Stable means: keys always present (null or [] when empty), flows sorted by key,
actions by identifier, value changes by path; ``schema`` names the format version and
changes only when a field changes meaning or disappears (new fields may be added).
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from flowops.diff.result import ActionChange, BranchChange, FlowDiff, TreeDiff, ValueChange

SCHEMA_ID = "flowops-diff/1"


def _value(change: ValueChange) -> dict[str, Any]:
    return {"path": change.path, "change": change.change, "old": change.old, "new": change.new}


def _branch(branch: BranchChange) -> dict[str, Any]:
    return {
        "kind": branch.branch,  # the JSON name (diff.schema.json), kept
        "label": branch.label,
        "change": branch.change,
        "old": branch.old,
        "new": branch.new,
    }


def _action(action: ActionChange) -> dict[str, Any]:
    return {
        "id": action.identifier,
        "type": action.type,
        "status": action.status,
        "semantic": action.semantic,
        "old_id": action.old_identifier,
        "old_type": action.old_type,
        "parameters": [_value(c) for c in action.parameters],
        "branches": [_branch(b) for b in action.branches],
        "conditions_reordered": action.conditions_reordered,
        "other": [_value(c) for c in action.other],
    }


def flow_data(diff: FlowDiff) -> dict[str, Any]:
    """One flow's entry of the ``flows`` list."""
    start = diff.start_action
    return {
        "key": diff.key,
        "kind": diff.kind,
        "status": diff.status,
        "semantic": diff.semantic,
        "old_key": diff.old_key,
        "new_key": diff.new_key,
        "metadata": [_value(c) for c in diff.metadata],
        "start_action": {"old": start[0], "new": start[1]} if start else None,
        "content": [_value(c) for c in diff.content],
        "actions": [_action(a) for a in diff.actions],
        "layout": {"actions": list(diff.layout.actions), "flow": list(diff.layout.flow)},
        "impacted_by": list(diff.impacted_by),
    }


def diff_data(diff: TreeDiff) -> dict[str, Any]:
    """The whole diff as JSON-ready data (see docs/diff-json.md)."""
    return {
        "schema": SCHEMA_ID,
        "old": diff.old_label,
        "new": diff.new_label,
        "semantic_changes": diff.has_changes,
        "summary": diff.counts(),
        "flows": [flow_data(f) for f in diff.flows],
    }


def render_json(diff: TreeDiff) -> str:
    """Indented JSON text ending with a newline."""
    return json.dumps(diff_data(diff), indent=2, ensure_ascii=False) + "\n"


def diff_schema() -> dict[str, Any]:
    """The JSON Schema of ``render_json``'s output."""
    text = resources.files("flowops.diff").joinpath("diff.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
