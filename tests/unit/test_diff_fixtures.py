"""Each kind of change, from tests/fixtures/diff/cases.yaml: the diff reports exactly it.

Every case edits the same base document and lists the report lines in flow language;
the mirror diff (new -> old) must report the same number of facts, and the mirror of
a non-semantic change is non-semantic too.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from flowops.diff import diff_flows
from flowops.diff.phrases import action_phrases, flow_phrases, layout_phrase
from flowops.diff.result import FlowDiff
from flowops.model import parse_document_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "diff"
CASES: dict[str, dict[str, Any]] = yaml.safe_load((FIXTURES / "cases.yaml").read_text())
_SEGMENT = re.compile(r"([^.\[\]]+)|\[([^\]]+)\]")


def base() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / "base.json").read_text())
    return data


def _parts(path: str) -> list[str | int]:
    out: list[str | int] = []
    for key, bracket in _SEGMENT.findall(path):
        if key:
            out.append(key)
        elif bracket.isdigit():
            out.append(int(bracket))
        else:
            out.append("@" + bracket)
    return out


def _step(node: Any, part: str | int) -> Any:
    if isinstance(part, str) and part.startswith("@"):
        return next(a for a in node if a["Identifier"] == part[1:])
    return node[part]


def _parent(doc: dict[str, Any], path: str) -> tuple[Any, str | int]:
    parts = _parts(path)
    node: Any = doc
    for part in parts[:-1]:
        node = _step(node, part)
    return node, parts[-1]


def apply_edits(doc: dict[str, Any], edits: list[list[Any]]) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    for op, path, *rest in edits:
        if op == "remove_action":
            out["content"]["Actions"] = [
                a for a in out["content"]["Actions"] if a["Identifier"] != path
            ]
            continue
        if op == "rename_action":
            next(a for a in out["content"]["Actions"] if a["Identifier"] == path)["Identifier"] = (
                rest[0]
            )
            continue
        if op == "move_layout":
            meta = out["layout"]["ActionMetadata"]
            meta[rest[0]] = meta.pop(path)
            continue
        parent, last = _parent(out, path)
        if op == "set":
            parent[last] = rest[0]
        elif op == "delete":
            del parent[last]
        elif op == "append":
            _step(parent, last).append(rest[0])
        elif op == "swap":
            items = _step(parent, last)
            i, j = rest[0]
            items[i], items[j] = items[j], items[i]
        else:
            raise AssertionError(f"unknown op {op}")
    return out


def report_lines(diff: FlowDiff | None) -> list[str]:
    if diff is None:
        return []
    lines = flow_phrases(diff)
    for action in diff.actions:
        lines.extend(action_phrases(action))
    layout = layout_phrase(diff)
    if layout:
        lines.append(layout)
    return lines


def diff_of(old: dict[str, Any], new: dict[str, Any]) -> FlowDiff | None:
    return diff_flows(
        parse_document_text(json.dumps(old)),
        parse_document_text(json.dumps(new)),
        key="flow:Main IVR",
    )


@pytest.mark.parametrize("name", sorted(CASES))
def test_case_reports_exactly_its_edits(name: str) -> None:
    case = CASES[name]
    old = base()
    new = apply_edits(old, case["edits"])
    diff = diff_of(old, new)
    assert report_lines(diff) == case["phrases"]
    assert (diff is not None and diff.semantic) is case["semantic"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_mirror_case_reports_as_many_facts(name: str) -> None:
    case = CASES[name]
    old = base()
    new = apply_edits(old, case["edits"])
    forward, backward = diff_of(old, new), diff_of(new, old)
    assert len(report_lines(backward)) == len(report_lines(forward))
    assert (backward is not None and backward.semantic) is case["semantic"]


def test_identical_documents_have_no_diff() -> None:
    assert diff_of(base(), base()) is None
