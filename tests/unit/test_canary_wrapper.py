"""The canary wrapper: percentages, error handling, variant attributes, lint cleanliness."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flowops.deploy import canary_wrapper as cw
from flowops.deploy.canary_state import (
    MAX_TAG_VALUE,
    STATE_TAG,
    CanaryState,
    decode_state,
    encode_state,
    state_from_tags,
)
from flowops.errors import BadInputError, ExitCode
from flowops.graph import build_flow_graph
from flowops.model import parse_content
from flowops.model.action_types import TERMINAL_TYPES

STABLE = "arn:aws:connect:us-east-1:111111111111:instance/i-1/contact-flow/stable-id"
CANDIDATE = "arn:aws:connect:us-east-1:111111111111:instance/i-1/contact-flow/cand-id"


def spec(percent: int, ref: str = "abc1234") -> cw.WrapperSpec:
    return cw.WrapperSpec("Main IVR", STABLE, CANDIDATE, percent, ref=ref)


def draw(content: dict[str, Any], value: int) -> list[str]:
    """Follow the wrapper for one runtime draw (1..100), success paths only."""
    flow = parse_content(content)
    path: list[str] = []
    current: str | None = flow.start_action
    while current is not None:
        action = flow.action(current)
        assert action is not None, current
        path.append(action.identifier)
        if action.type == "DistributeByPercentage":
            current = action.transitions.default_target
            for cond in action.transitions.conditions:
                assert cond.operator == "NumberLessThan"
                if value < int(cond.operands[0]):
                    current = cond.next_action
                    break
        elif action.type in ("TransferToFlow",) or action.type in TERMINAL_TYPES:
            current = None
        else:
            current = action.transitions.next_action
    return path


@pytest.mark.parametrize("percent", [1, 5, 50, 99])
def test_candidate_gets_exactly_percent_of_draws(percent: int) -> None:
    content = cw.wrapper_content(spec(percent))
    to_candidate = [v for v in range(1, 101) if cw.TO_CANDIDATE in draw(content, v)]
    to_stable = [v for v in range(1, 101) if cw.TO_STABLE in draw(content, v)]
    assert len(to_candidate) == percent
    assert len(to_stable) == 100 - percent
    assert set(to_candidate).isdisjoint(to_stable)


@given(st.integers(min_value=1, max_value=99))
def test_percent_round_trips_through_the_threshold(percent: int) -> None:
    content = cw.wrapper_content(spec(percent))
    assert cw.wrapper_percent(content) == percent
    assert cw.variant_targets(content) == {"candidate": CANDIDATE, "stable": STABLE}


@pytest.mark.parametrize("bad", [0, 100, -3, 250])
def test_percent_outside_1_to_99_is_bad_input(bad: int) -> None:
    with pytest.raises(BadInputError) as info:
        cw.wrapper_content(spec(bad))
    assert info.value.exit_code == ExitCode.BAD_INPUT
    assert "between 1 and 99" in str(info.value)


def test_non_integer_percent_is_bad_input() -> None:
    with pytest.raises(BadInputError):
        cw.check_percent(True)
    with pytest.raises(BadInputError):
        cw.check_percent(12.5)  # type: ignore[arg-type]


def test_every_path_marks_the_variant_before_transferring() -> None:
    content = cw.wrapper_content(spec(30, ref="release-7"))
    flow = parse_content(content)
    for value in (1, 30, 31, 100):
        path = draw(content, value)
        mark = flow.action(path[1])
        assert mark is not None and mark.type == "UpdateContactAttributes"
        attrs = mark.parameters["Attributes"]
        expected = "candidate" if value <= 30 else "stable"
        assert attrs[cw.VARIANT_ATTRIBUTE] == expected
        assert attrs[cw.REF_ATTRIBUTE] == "release-7"


def test_every_fallible_action_handles_its_errors_and_ends_safely() -> None:
    flow = parse_content(cw.wrapper_content(spec(10)))
    graph = build_flow_graph(flow)
    assert not graph.graph["dangling"]
    for action in flow.actions:
        if action.type in TERMINAL_TYPES:
            assert not action.transitions.next_action and not action.transitions.errors
            continue
        errors = action.transitions.error_targets()
        if action.type == "DistributeByPercentage":
            assert errors == {"NoMatchingCondition": cw.MARK_STABLE}
        else:
            assert "NoMatchingError" in errors, action.identifier
    # Candidate failure falls back to stable; stable failure apologises then disconnects.
    to_candidate = flow.action(cw.TO_CANDIDATE)
    to_stable = flow.action(cw.TO_STABLE)
    apology = flow.action(cw.APOLOGY)
    assert to_candidate and to_stable and apology
    assert to_candidate.transitions.error_targets()["NoMatchingError"] == cw.MARK_FALLBACK
    assert to_stable.transitions.error_targets()["NoMatchingError"] == cw.APOLOGY
    assert apology.transitions.next_action == cw.DISCONNECT
    # Every action is reachable from the start.
    import networkx as nx

    assert nx.descendants(graph, flow.start_action) | {flow.start_action} == flow.identifiers


def test_ramp_changes_only_the_threshold() -> None:
    low = cw.wrapper_content(spec(10))
    high = cw.wrapper_content(spec(60))
    assert [a for a in low["Actions"] if a["Identifier"] != cw.SPLIT] == [
        a for a in high["Actions"] if a["Identifier"] != cw.SPLIT
    ]


def test_identifiers_are_valid_connect_identifiers() -> None:
    for action in cw.wrapper_content(spec(10))["Actions"]:
        ident = action["Identifier"]
        assert len(ident) <= 50
        assert not set(ident) & set("%:()\\/=$,;[]{}")


def test_state_round_trips_and_fits_a_tag() -> None:
    state = CanaryState(
        stable_id="0b7e1a7e-1111-4c2b-9a0d-3f2b5c6d7e8f",
        candidate_id="9c7e1a7e-2222-4c2b-9a0d-3f2b5c6d7e8f",
        percent=25,
        restore_version=12,
        started="2026-11-27T03:28:00Z",
        ref="feature/new menu;v2",
    )
    value = encode_state(state)
    assert len(value) <= MAX_TAG_VALUE
    back = decode_state(value)
    assert back.percent == 25 and back.restore_version == 12
    assert back.stable_id == state.stable_id and back.candidate_id == state.candidate_id
    assert back.ref == "feature/new_menu-v2"  # characters AWS tags refuse are replaced
    assert state_from_tags({STATE_TAG: value}) == back
    assert state_from_tags({"other": "x"}) is None


def test_long_refs_keep_the_tag_under_the_limit() -> None:
    state = CanaryState("s" * 36, "c" * 36, 5, 3, "2026-11-27T03:28:00Z", ref="r" * 500)
    assert len(encode_state(state)) <= MAX_TAG_VALUE
    assert decode_state(encode_state(state)).percent == 5


@pytest.mark.parametrize("value", ["garbage", "v=2 s=a c=b p=1 e=1 t=x", "v=1 s=a p=x e=1 t=x"])
def test_unreadable_state_is_bad_input(value: str) -> None:
    with pytest.raises(BadInputError):
        decode_state(value)


def _docs(percent: int) -> dict[str, Any]:
    from flowops.deploy.canary_files import canary_documents
    from flowops.model import FlowDocument, FlowInfo

    info = FlowInfo(name="Main IVR", type="CONTACT_FLOW", tags={"team": "care"})
    stable = FlowDocument(info, parse_content(cw.wrapper_content(spec(50))))  # any content
    menu = {
        "Version": "2019-10-30",
        "StartAction": "bye",
        "Actions": [
            {
                "Identifier": "bye",
                "Type": "DisconnectParticipant",
                "Parameters": {},
                "Transitions": {},
            }
        ],
    }
    candidate = FlowDocument(info, parse_content(menu))
    return canary_documents(stable, candidate, percent, ref="feature/x")


@pytest.mark.parametrize("percent", range(1, 100))
def test_generated_wrapper_lints_clean_at_every_percent(percent: int) -> None:
    from flowops.lint.engine import lint_document
    from flowops.lint.finding import Severity

    wrapper = _docs(percent)["flow:Main IVR"]
    findings = lint_document(wrapper)
    assert [f for f in findings if f.severity.rank >= Severity.warning.rank] == []


def test_live_wrapper_with_arns_has_no_warning_either() -> None:
    from flowops.lint.engine import lint_document
    from flowops.lint.finding import Severity
    from flowops.model.parse import document_from_data

    doc = document_from_data(cw.wrapper_content(spec(7)))
    findings = lint_document(doc)
    assert [f for f in findings if f.severity.rank >= Severity.warning.rank] == []


def test_generated_files_wrap_the_entry_and_name_the_helpers() -> None:
    docs = _docs(20)
    assert set(docs) == {
        "flow:Main IVR",
        "flow:Main IVR (canary stable)",
        "flow:Main IVR (canary candidate)",
    }
    wrapper = docs["flow:Main IVR"]
    assert wrapper.info.tags == {"team": "care"}  # the entry keeps its header
    assert cw.variant_targets(dict(wrapper.flow.raw)) == {
        "stable": "flow:Main IVR (canary stable)",
        "candidate": "flow:Main IVR (canary candidate)",
    }
    assert cw.wrapper_percent(dict(wrapper.flow.raw)) == 20
    candidate = docs["flow:Main IVR (canary candidate)"]
    assert candidate.flow.start_action == "bye"
    assert candidate.info.tags["flowops:canary-role"] == "candidate"
    assert docs["flow:Main IVR (canary stable)"].info.tags["flowops:canary-role"] == "stable"


def test_generate_refuses_non_inbound_flows_and_bad_percent() -> None:
    from flowops.deploy.canary_files import canary_documents
    from flowops.model import FlowDocument, FlowInfo

    info = FlowInfo(name="Hold", type="CUSTOMER_HOLD")
    doc = FlowDocument(info, parse_content(cw.wrapper_content(spec(5))))
    with pytest.raises(BadInputError, match="inbound contact flow"):
        canary_documents(doc, doc, 10)
    entry = FlowDocument(FlowInfo(name="Main IVR"), doc.flow)
    with pytest.raises(BadInputError, match="between 1 and 99"):
        canary_documents(entry, entry, 100)


def test_helper_names_keep_the_suffix_within_connect_limits() -> None:
    long = "x" * 200
    name = cw.helper_name(long, "candidate")
    assert len(name) == 127 and name.endswith(" (canary candidate)")
