"""Changes in flow language, shared by the text and Markdown renderers.

"MessageParticipant 'greet': Text 'Hi' -> 'Hello'";
"GetParticipantInput 'menu': condition Equals 1 retargeted sales -> support".
"""

from __future__ import annotations

import json
from typing import Any

from flowops.diff.result import ActionChange, BranchChange, FlowDiff, ValueChange

_MAX_VALUE = 80


def show_value(value: Any) -> str:
    """A value as a reader expects it: strings quoted, long ones shortened."""
    text = f"'{value}'" if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if len(text) > _MAX_VALUE:
        text = text[: _MAX_VALUE - 1] + "…"
    return text


def value_phrase(change: ValueChange) -> str:
    """``Text 'Hi' -> 'Hello'``, ``Attributes.lang added 'fr'``, ``LoopCount removed``."""
    if change.change == "added":
        return f"{change.path} added {show_value(change.new)}"
    if change.change == "removed":
        return f"{change.path} removed (was {show_value(change.old)})"
    return f"{change.path} {show_value(change.old)} -> {show_value(change.new)}"


def branch_phrase(branch: BranchChange) -> str:
    """``condition Equals 1 retargeted sales -> support``, ``error QueueAtCapacity added``."""
    name = {"next": "Success branch", "condition": "condition", "error": "error"}[branch.branch]
    subject = name if branch.branch == "next" else f"{name} {branch.label}"
    if branch.change == "retargeted":
        return f"{subject} retargeted {branch.old} -> {branch.new}"
    if branch.change == "added":
        return f"{subject} added -> {branch.new}"
    return f"{subject} removed (went to {branch.old})"


def action_title(action: ActionChange) -> str:
    return f"{action.type} '{action.identifier}'"


_SUMMARY_PARAMETERS = 3


def _parameters_summary(action: ActionChange) -> str:
    """``: Text 'Sorry'`` for an added (or removed) action: what a reviewer wants to see."""
    values = [(c.path, c.new if action.status == "added" else c.old) for c in action.parameters]
    if not values:
        return ""
    shown = [f"{path} {show_value(value)}" for path, value in values[:_SUMMARY_PARAMETERS]]
    more = len(values) - _SUMMARY_PARAMETERS
    return ": " + ", ".join(shown) + (f" (+{more} more)" if more > 0 else "")


def action_phrases(action: ActionChange) -> list[str]:
    """One line per fact about an action change, the first naming the action."""
    title = action_title(action)
    if action.status == "added":
        head = f"{title} added"
    elif action.status == "removed":
        head = f"{title} removed"
    elif action.status == "recreated":
        head = f"{title} re-created (was '{action.old_identifier}')"
    else:
        head = title
    details: list[str] = []
    if action.old_type:
        details.append(f"type {action.old_type} -> {action.type}")
    if action.status in ("added", "removed"):
        return [head + _parameters_summary(action)]
    details.extend(value_phrase(c) for c in action.parameters)
    details.extend(branch_phrase(b) for b in action.branches)
    if action.conditions_reordered:
        details.append("conditions reordered")
    details.extend(value_phrase(c) for c in action.other)
    if not details:
        return [
            head
            + (" — same type, parameters and neighbours" if action.status == "recreated" else "")
        ]
    return [f"{head}: {d}" for d in details]


def flow_phrases(diff: FlowDiff) -> list[str]:
    """Facts about a flow besides its actions: header, StartAction, content, layout."""
    out: list[str] = []
    if diff.status == "renamed":
        out.append(f"renamed {diff.old_key} -> {diff.new_key}")
    for change in diff.metadata:
        if diff.status == "renamed" and change.path == "name":
            continue
        out.append(value_phrase(change))
    if diff.start_action:
        old, new = diff.start_action
        out.append(f"StartAction moved {old} -> {new}")
    out.extend(value_phrase(c) for c in diff.content)
    return out


def layout_phrase(diff: FlowDiff) -> str | None:
    """``layout only: 3 actions moved`` — reported, never counted as a semantic change."""
    layout = diff.layout
    if not layout:
        return None
    parts = []
    if layout.actions:
        n = len(layout.actions)
        parts.append(f"{n} action{'s' if n != 1 else ''} moved or relabelled")
    if layout.flow:
        parts.append("designer " + ", ".join(layout.flow) + " changed")
    return "layout (not a semantic change): " + "; ".join(parts)


def impact_phrase(diff: FlowDiff) -> str | None:
    if not diff.impacted_by:
        return None
    return "impact: called by " + ", ".join(diff.impacted_by)


def summary_phrase(counts: dict[str, int]) -> str:
    """``2 changed, 1 added, 1 layout only, 97 unchanged``."""
    names = (
        ("changed", "changed"),
        ("added", "added"),
        ("removed", "removed"),
        ("renamed", "renamed"),
        ("layout", "layout only"),
        ("unchanged", "unchanged"),
    )
    parts = [f"{counts[k]} {label}" for k, label in names if counts.get(k)]
    return ", ".join(parts) or "no flows"


def action_count(diff: FlowDiff) -> int:
    doc = diff.new or diff.old
    return len(doc.flow.actions) if doc is not None else 0
