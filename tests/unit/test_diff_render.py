"""Renderers: JSON follows its documented schema, Markdown is a PR comment, Mermaid styles."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema

from flowops.diff import TreeDiff, diff_trees
from flowops.diff.render_json import diff_schema, render_json
from flowops.diff.render_markdown import FOLD_AFTER, render_markdown
from flowops.diff.render_mermaid import flow_mermaid, render_mermaid
from flowops.diff.render_text import render_text
from flowops.model import FlowDocument, parse_document_text
from tests.support.diff_cases import CASES, apply_edits, base

DOCS = Path(__file__).resolve().parents[2] / "docs" / "diff-json.md"


def doc(data: dict[str, Any]) -> FlowDocument:
    return parse_document_text(json.dumps(data))


def caller() -> FlowDocument:
    return doc(
        {
            "Version": "2019-10-30",
            "StartAction": "t",
            "Metadata": {"name": "Root"},
            "Actions": [
                {
                    "Identifier": "t",
                    "Type": "TransferToFlow",
                    "Parameters": {"ContactFlowId": "flow:Main IVR"},
                }
            ],
        }
    )


def case_diff(name: str) -> TreeDiff:
    old = base()
    new = apply_edits(old, CASES[name]["edits"])
    return diff_trees(
        {"flow:Main IVR": doc(old), "flow:Root": caller()},
        {"flow:Main IVR": doc(new), "flow:Root": caller()},
        old_label="HEAD",
        new_label="flows",
    )


def test_json_of_every_fixture_case_validates_against_the_schema() -> None:
    schema = diff_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    for name in CASES:
        data = json.loads(render_json(case_diff(name)))
        jsonschema.validate(data, schema)
        assert data["semantic_changes"] is CASES[name]["semantic"]


def test_json_reports_retarget_with_impact() -> None:
    data = json.loads(render_json(case_diff("condition_retargeted")))
    assert data["summary"] == {
        "added": 0,
        "removed": 0,
        "renamed": 0,
        "changed": 1,
        "layout": 0,
        "unchanged": 1,
    }
    (flow,) = data["flows"]
    assert flow["impacted_by"] == ["flow:Root"]
    (action,) = flow["actions"]
    assert action["branches"] == [
        {
            "kind": "condition",
            "label": "Equals 1",
            "change": "retargeted",
            "old": "sales",
            "new": "support",
        }
    ]


def test_documented_schema_matches_the_shipped_one() -> None:
    text = DOCS.read_text(encoding="utf-8")
    block = re.search(r"```json\n(.*?)\n```", text, re.DOTALL)
    assert block is not None, "docs/diff-json.md must embed the schema in a ```json block"
    assert json.loads(block.group(1)) == diff_schema()


def test_text_names_flow_action_and_change() -> None:
    plain = render_text(case_diff("parameter_changed")).plain
    assert "HEAD -> flows: 1 changed, 1 unchanged" in plain
    assert "~ MessageParticipant 'greet': Text 'Hi' -> 'Hello'" in plain
    assert "impact: called by flow:Root" in plain
    assert "no semantic change" in render_text(case_diff("layout_only")).plain


def test_markdown_has_summary_table_details_and_graph() -> None:
    md = render_markdown(case_diff("action_added"))
    assert md.startswith("### flowops diff: `HEAD` → `flows`")
    assert "| `flow:Main IVR` | changed | +1 −0 ~1 | `flow:Root` |" in md
    assert "- + MessageParticipant 'sorry' added" in md
    assert "```mermaid\nflowchart TD" in md
    assert "<details><summary>Flow graph" in md
    assert "**No semantic change.**" in render_markdown(case_diff("layout_only"))


def test_markdown_folds_big_flows() -> None:
    old = base()
    new = apply_edits(old, [])
    for i in range(FOLD_AFTER + 1):
        new["content"]["Actions"].append(
            {"Identifier": f"extra{i}", "Type": "DisconnectParticipant", "Parameters": {}}
        )
    md = render_markdown(
        diff_trees({"flow:Main IVR": doc(old)}, {"flow:Main IVR": doc(new)}), with_graphs=False
    )
    assert f"<details><summary>{FOLD_AFTER + 1} changes</summary>" in md
    assert "mermaid" not in md


def test_mermaid_styles_added_removed_and_changed_actions() -> None:
    diff = case_diff("recreated_and_changed_is_add_remove")
    (flow,) = [f for f in diff.flows if f.semantic]
    text = flow_mermaid(flow)
    ids = dict(re.findall(r"^  (n\d+)\[\"[^<]*<br/>([^\"]+)\"\]$", text, re.MULTILINE))
    classes = dict(re.findall(r"^  class (n\d+) (\w+)$", text, re.MULTILINE))
    by_action = {ids[n]: c for n, c in classes.items()}
    assert by_action == {"menu": "changed", "support": "removed", "support-2": "added"}
    assert "|was Equals 2|" in text  # the old edge into the removed block is drawn


def test_mermaid_of_several_flows_is_one_diagram_with_subgraphs() -> None:
    old, new = base(), apply_edits(base(), CASES["parameter_changed"]["edits"])
    renamed = json.loads(json.dumps(new))
    renamed["name"] = "Other"
    diff = diff_trees(
        {"flow:Main IVR": doc(old), "flow:Other": doc(old)},
        {"flow:Main IVR": doc(new), "flow:Other": doc(renamed)},
    )
    text = render_mermaid(diff)
    assert text.startswith("flowchart TD\n")
    assert text.count("subgraph ") == 2 and text.count("\n  end\n") == 2
    node_ids = re.findall(r"^    (f\dn\d+)\[", text, re.MULTILINE)
    assert len(node_ids) == len(set(node_ids)) == 12
    assert "class f0n0 changed" in text or "class f0n1 changed" in text
