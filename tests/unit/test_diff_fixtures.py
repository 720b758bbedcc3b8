"""Each kind of change, from tests/fixtures/diff/cases.yaml: the diff reports exactly it.

Every case edits the same base document and lists the report lines in flow language;
the mirror diff (new -> old) must report the same number of facts, and the mirror of
a non-semantic change is non-semantic too.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from flowops.diff import diff_flows
from flowops.diff.phrases import action_phrases, flow_phrases, layout_phrase
from flowops.diff.result import FlowDiff
from flowops.model import parse_document_text
from tests.support.diff_cases import CASES, apply_edits, base


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
