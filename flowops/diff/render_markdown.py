"""The diff as a pull-request comment: summary table, per-flow details, pictures.

Flows with many changes fold their details into ``<details>``; each changed flow's
Mermaid picture is folded too (GitHub renders ```` ```mermaid ```` blocks).
"""

from __future__ import annotations

from flowops.diff.phrases import (
    action_count,
    action_phrases,
    flow_phrases,
    impact_phrase,
    layout_phrase,
    summary_phrase,
)
from flowops.diff.render_mermaid import flow_mermaid
from flowops.diff.result import FlowDiff, TreeDiff
from flowops.tables import markdown_cell, markdown_table

#: Flows with more detail lines than this get a collapsible section.
FOLD_AFTER = 15
_SIGN = {"added": "+", "removed": "−", "changed": "~", "recreated": "=", "renamed": ">"}


_cell = markdown_cell


def _code(text: str) -> str:
    fence = "``" if "`" in text else "`"
    pad = " " if "`" in text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _counts(flow: FlowDiff) -> str:
    added = len(flow.actions_with("added"))
    removed = len(flow.actions_with("removed"))
    changed = len([a for a in flow.actions if a.status in ("changed", "recreated") and a.semantic])
    if flow.status in ("added", "removed"):
        return f"{action_count(flow)} actions"
    return f"+{added} −{removed} ~{changed}"


def _status(flow: FlowDiff) -> str:
    if flow.status == "layout":
        return "layout only"
    if flow.status == "changed" and not flow.semantic:
        return "re-created blocks only"
    return flow.status


def _table(diff: TreeDiff) -> list[str]:
    rows = [("Flow", "Change", "Actions", "Impacted callers")]
    for flow in diff.flows:
        impact = ", ".join(_code(k) for k in flow.impacted_by) or "—"
        rows.append((_code(flow.key), _status(flow), _counts(flow), impact))
    return markdown_table(rows).split("\n")


def _details(flow: FlowDiff) -> list[str]:
    lines = [f"- {_cell(p)}" for p in flow_phrases(flow)]
    for action in flow.actions:
        sign = _SIGN[action.status]
        lines.extend(f"- {sign} {p}" for p in action_phrases(action))
    for extra in (layout_phrase(flow), impact_phrase(flow)):
        if extra:
            lines.append(f"- _{extra}_")
    return lines


def _flow_section(flow: FlowDiff, with_graphs: bool) -> list[str]:
    out = [f"#### {_code(flow.key)} — {_status(flow)}", ""]
    details = _details(flow)
    if flow.status in ("added", "removed"):
        details.insert(0, f"- {flow.kind} {flow.status} ({action_count(flow)} actions)")
    if len(details) > FOLD_AFTER:
        out += [
            f"<details><summary>{len(details)} changes</summary>",
            "",
            *details,
            "",
            "</details>",
        ]
    else:
        out += details
    if with_graphs and flow.semantic:
        out += [
            "",
            "<details><summary>Flow graph (green added, red removed, yellow changed)</summary>",
            "",
            "```mermaid",
            flow_mermaid(flow).rstrip("\n"),
            "```",
            "",
            "</details>",
        ]
    out.append("")
    return out


def render_markdown(diff: TreeDiff, *, with_graphs: bool = True) -> str:
    """A Markdown comment for a pull request."""
    out = [
        f"### flowops diff: {_code(diff.old_label)} → {_code(diff.new_label)}",
        "",
        summary_phrase(diff.counts()) + ".",
        "",
    ]
    if not diff.has_changes:
        out += ["**No semantic change.**", ""]
    if diff.flows:
        out += [*_table(diff), ""]
    for flow in diff.flows:
        out += _flow_section(flow, with_graphs)
    return "\n".join(out).rstrip("\n") + "\n"
