"""``flowops fmt --layout``: layered designer positions, never a semantic change."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from flowops.cli.main import app
from flowops.deploy.apply import placeholder_content
from flowops.deploy.canary_wrapper import WrapperSpec, wrapper_content
from flowops.diff.flows import diff_flows
from flowops.graph import action_graph
from flowops.layout import (
    BOX_HEIGHT,
    BOX_WIDTH,
    COLUMN,
    laid_out,
    layout_content,
    layout_metrics,
    layout_positions,
)
from flowops.model import FlowDocument, load_document, parse_content
from flowops.model.canonical import semantic_content
from flowops.model.types import Flow
from tests.corpus import corpus_files, corpus_params

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REPO = Path(__file__).resolve().parents[2]
runner = CliRunner()


def _action(
    ident: str, action_type: str = "MessageParticipant", **transitions: Any
) -> dict[str, Any]:
    return {"Identifier": ident, "Type": action_type, "Parameters": {}, "Transitions": transitions}


def _flow(*actions: dict[str, Any], start: str = "a") -> Flow:
    return parse_content({"Version": "2019-10-30", "StartAction": start, "Actions": list(actions)})


def _err(target: str, error: str = "NoMatchingError") -> dict[str, str]:
    return {"NextAction": target, "ErrorType": error}


def _cond(target: str, value: str) -> dict[str, Any]:
    return {"NextAction": target, "Condition": {"Operator": "Equals", "Operands": [value]}}


def _no_overlaps(flow: Flow) -> None:
    at = layout_positions(flow).positions
    assert set(at) == set(flow.identifiers)
    items = sorted(at.items())
    for i, (a, (ax, ay)) in enumerate(items):
        for b, (bx, by) in items[i + 1 :]:
            assert abs(ax - bx) >= BOX_WIDTH or abs(ay - by) >= BOX_HEIGHT, (a, b)


def test_happy_path_is_one_row_left_to_right_and_errors_go_below() -> None:
    flow = _flow(
        _action("a", NextAction="b", Errors=[_err("oops")]),
        _action("b", NextAction="c", Errors=[_err("oops")]),
        _action("c", "DisconnectParticipant"),
        _action("oops", NextAction="c"),
    )
    layout = layout_positions(flow)
    at = layout.positions
    assert at["a"][1] == at["b"][1] == at["c"][1]  # one straight row
    assert at["a"][0] < at["b"][0] < at["c"][0]
    assert at["oops"][1] > at["a"][1]  # the error branch goes below
    assert layout.entry[0] < at["a"][0] and layout.entry[1] == at["a"][1]


def test_conditions_fan_out_in_order_below_the_block() -> None:
    flow = _flow(
        _action(
            "a",
            "GetParticipantInput",
            Conditions=[_cond("one", "1"), _cond("two", "2"), _cond("three", "3")],
            Errors=[_err("other", "NoMatchingCondition")],
        ),
        *(_action(n, "DisconnectParticipant") for n in ("one", "two", "three", "other")),
    )
    at = layout_positions(flow).positions
    column = {at[n][0] for n in ("one", "two", "three", "other")}
    assert column == {at["a"][0] + COLUMN}
    rows = [at[n][1] for n in ("one", "two", "three", "other")]
    assert rows == sorted(rows) and len(set(rows)) == 4 and rows[0] == at["a"][1]


def test_loops_and_unreachable_blocks_are_placed_without_overlap() -> None:
    flow = _flow(
        _action("a", NextAction="b"),
        _action("b", NextAction="a", Errors=[_err("end")]),
        _action("end", "DisconnectParticipant"),
        _action("island", NextAction="end"),
        _action("self", NextAction="self"),
    )
    _no_overlaps(flow)
    at = layout_positions(flow).positions
    assert at["a"][0] < at["b"][0]  # the back edge b -> a does not reorder the columns


def test_empty_and_one_block_flows() -> None:
    assert layout_positions(_flow(start="")).positions == {}
    only = _flow(_action("a", "DisconnectParticipant"))
    assert list(layout_positions(only).positions) == ["a"]


def test_layout_keeps_other_metadata_and_fills_missing_entries() -> None:
    content: dict[str, Any] = {
        "Version": "2019-10-30",
        "StartAction": "a",
        "Actions": [_action("a", NextAction="b"), _action("b", "DisconnectParticipant")],
        "Metadata": {
            "name": "Kept",
            "ActionMetadata": {"a": {"position": {"x": 0, "y": 0}, "isFriendlyName": True}},
        },
    }
    out = layout_content(content)
    assert out["Actions"] == content["Actions"]
    meta = out["Metadata"]
    assert meta["name"] == "Kept" and meta["ActionMetadata"]["a"]["isFriendlyName"] is True
    assert set(meta["ActionMetadata"]) == {"a", "b"}
    assert "entryPointPosition" in meta
    assert content["Metadata"]["ActionMetadata"]["a"]["position"] == {"x": 0, "y": 0}


def test_generated_flows_are_laid_out() -> None:
    spec = WrapperSpec("Main", "flow:Main (canary stable)", "flow:Main (canary candidate)", 10)
    wrapper = parse_content(wrapper_content(spec))
    metrics = layout_metrics(wrapper)
    assert metrics.blocks == len(wrapper.actions) and metrics.overlaps == 0
    assert metrics.crossings == 0
    assert wrapper.action_metadata("canary-split")["conditionMetadata"]  # display kept
    for kind in ("flow", "module"):
        placeholder = parse_content(json.loads(placeholder_content(kind)))
        assert layout_metrics(placeholder).blocks == 1


def _semantics_unchanged(doc: FlowDocument) -> FlowDocument:
    new = doc.with_flow(laid_out(doc.flow))
    assert semantic_content(new.flow) == semantic_content(doc.flow)
    diff = diff_flows(doc, new, key="flow")
    assert diff is None or diff.status == "layout", diff
    return new


@pytest.mark.corpus
@pytest.mark.parametrize("path", corpus_params())
def test_every_corpus_flow_lays_out_without_overlap_and_same_semantics(path: Path) -> None:
    doc = load_document(path)
    new = _semantics_unchanged(doc)
    metrics = layout_metrics(new.flow)
    assert metrics.overlaps == 0
    assert metrics.blocks == len(doc.flow.identifiers)
    # Determinism: the positions depend on the graph alone, not on where blocks were
    # (checked on every fourth flow, to keep the suite fast).
    if corpus_files().index(path) % 4 == 0:
        assert laid_out(new.flow).metadata == new.flow.metadata


@pytest.mark.corpus
def test_corpus_crossings_at_most_half_of_the_original() -> None:
    files = corpus_files()
    if not files:
        pytest.skip("corpus not found (needs ../shared)")
    before = after = 0
    for path in files:
        flow = load_document(path).flow
        before += layout_metrics(flow).crossings
        after += layout_metrics(laid_out(flow)).crossings
    assert after * 2 <= before, (before, after)


_DUMP = """
import json, sys
from flowops.model import load_document
from flowops.layout import layout_positions
out = {p: layout_positions(load_document(p).flow).positions for p in sys.argv[1:]}
print(json.dumps(out, sort_keys=True))
"""


def test_same_layout_in_processes_with_different_hash_seeds() -> None:
    files = [str(p) for p in sorted((REPO / "flows").rglob("*.json"))]
    files += [str(p) for p in corpus_files()[::12]]
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", _DUMP, *files], capture_output=True, text=True, env=env
        )
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]


def test_a_new_error_branch_moves_few_blocks() -> None:
    """Stability: adding one error branch to a new block leaves most blocks in place."""
    moved: list[float] = []
    files = sorted((REPO / "flows").rglob("*.json")) + corpus_files()[::6]
    for path in files:
        raw = copy.deepcopy(dict(load_document(path).flow.raw))
        actions = raw["Actions"]
        if len(actions) < 4:
            continue
        source = actions[len(actions) // 2]
        source.setdefault("Transitions", {}).setdefault("Errors", []).append(
            _err("new-leaf", "FlowopsTestError")
        )
        actions.append(_action("new-leaf", "DisconnectParticipant"))
        old = layout_positions(parse_content(load_document(path).flow.raw)).positions
        new = layout_positions(parse_content(raw)).positions
        moved.append(sum(old[n] != new[n] for n in old) / len(old))
    assert moved
    moved.sort()
    assert moved[len(moved) // 2] == 0  # the typical edit moves nothing else
    assert sum(moved) / len(moved) < 0.2


def test_layout_edges_follow_the_graph() -> None:
    flow = load_document(FIXTURES / "flows" / "menu.json").flow
    at = layout_positions(flow).positions
    forward = [e for e in action_graph(flow).edges if at[e.target][0] > at[e.source][0]]
    assert forward  # most branches go right
    _no_overlaps(flow)


# --- the command ----------------------------------------------------------------------


@pytest.fixture
def flows(tmp_path: Path) -> Path:
    folder = tmp_path / "flows"
    shutil.copytree(REPO / "flows", folder)
    return folder


def test_layout_check_then_write_then_clean(flows: Path) -> None:
    result = runner.invoke(app, ["fmt", "--layout", str(flows), "--check"])
    assert result.exit_code == 1
    assert (
        "would reformat" in result.stdout
        and "crossing edges" in result.stdout
        and "Main-Inbound.json" in result.stdout
    )
    before = {p: p.read_text() for p in flows.rglob("*.json")}
    assert all(p.read_text() == (REPO / "flows" / p.relative_to(flows)).read_text() for p in before)
    docs = {p: load_document(p) for p in before}
    result = runner.invoke(app, ["fmt", "--layout", str(flows)])
    assert result.exit_code == 0, result.stderr
    assert "reformatted" in result.stdout
    for path, old in docs.items():
        new = load_document(path)
        assert semantic_content(new.flow) == semantic_content(old.flow), path
        assert new.info == old.info
        diff = diff_flows(old, new, key=path.stem)
        assert diff is None or diff.status == "layout", diff
        assert layout_metrics(new.flow).overlaps == 0
    assert runner.invoke(app, ["fmt", "--layout", str(flows), "--check"]).exit_code == 0


def test_fmt_without_layout_keeps_positions(flows: Path) -> None:
    path = flows / "Main-Inbound.json"
    before = load_document(path).flow.metadata
    assert runner.invoke(app, ["fmt", str(path)]).exit_code == 0
    assert load_document(path).flow.metadata == before
    result = runner.invoke(app, ["fmt", "--layout", str(path)])
    assert result.exit_code == 0, result.stderr
    assert "crossing edges 35 -> " in result.stdout
    assert layout_metrics(load_document(path).flow).crossings < 35


def test_layout_bad_file_exits_2_and_writes_nothing(flows: Path) -> None:
    (flows / "broken.json").write_text('{"Actions": 3}')
    before = (flows / "Main-Inbound.json").read_text()
    result = runner.invoke(app, ["fmt", "--layout", str(flows)])
    assert result.exit_code == 2
    assert "broken.json" in result.stderr and "Traceback" not in result.stderr
    assert (flows / "Main-Inbound.json").read_text() == before


def test_a_large_flow_lays_out_without_overlap() -> None:
    """Past a work bound (a hub block of a 600-block flow), the layout still places
    every block, without overlap and with forward branches left to right."""
    import random

    from bench.lint_bench import generate_flow

    flow = parse_content(generate_flow(random.Random(7), 0, 600))
    _no_overlaps(flow)
    at = layout_positions(flow).positions
    walk_forward = [e for e in action_graph(flow).edges if e.branch == "next"]
    assert sum(at[e.target][0] > at[e.source][0] for e in walk_forward) > len(walk_forward) / 2
