"""The diff for a terminal: rich ``Text`` with colours (green added, red removed...)."""

from __future__ import annotations

from rich.text import Text

from flowops.diff.phrases import (
    action_count,
    action_phrases,
    flow_phrases,
    impact_phrase,
    layout_phrase,
    summary_phrase,
)
from flowops.diff.result import FlowDiff, TreeDiff

_MARK = {
    "added": ("+", "green"),
    "removed": ("-", "red"),
    "changed": ("~", "yellow"),
    "recreated": ("=", "cyan"),
    "renamed": (">", "magenta"),
    "layout": (".", "dim"),
}


def _flow(diff: FlowDiff, out: Text) -> None:
    mark, style = _MARK[diff.status]
    if diff.status == "changed" and not diff.semantic:
        mark, style = _MARK["recreated"]
    out.append(f"{mark} {diff.key}", style=f"bold {style}")
    label = {"layout": "layout only"}.get(diff.status, diff.status)
    if diff.status in ("added", "removed"):
        label += f", {action_count(diff)} actions"
    elif diff.status == "changed" and not diff.semantic:
        label = "no semantic change"
    out.append(f" ({label})\n", style=style)
    for line in flow_phrases(diff):
        out.append(f"    {line}\n")
    for action in diff.actions:
        amark, astyle = _MARK[action.status]
        for line in action_phrases(action):
            out.append(f"    {amark} ", style=astyle)
            out.append(f"{line}\n", style=astyle if action.status != "changed" else "")
    layout = layout_phrase(diff)
    if layout:
        out.append(f"    {layout}\n", style="dim")
    impact = impact_phrase(diff)
    if impact:
        out.append(f"    {impact}\n", style="bold")


def render_text(diff: TreeDiff) -> Text:
    """Summary line, then each flow with its changes in flow language."""
    out = Text()
    out.append(f"{diff.old_label} -> {diff.new_label}: ", style="bold")
    out.append(summary_phrase(diff.counts()) + "\n")
    if not diff.has_changes:
        out.append("no semantic change\n", style="green")
    for flow in diff.flows:
        _flow(flow, out)
    return out
