"""Parsing, schema errors, canonical form and forward compatibility of the flow model."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flowops.errors import FlowParseError
from flowops.model import dump_content, dump_document, load_document, parse_document_text
from flowops.model.canonical import dump_in_own_format, semantic_content
from flowops.model.quickcheck import quick_document_valid, quick_valid
from flowops.model.schema import DOCUMENT_SCHEMA, FLOW_LANGUAGE_SCHEMA, first_error
from tests.corpus import corpus_params

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "flows"


def menu() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / "menu.json").read_text())
    return data


def test_parse_reads_actions_transitions_and_header() -> None:
    doc = load_document(FIXTURES / "menu.json")
    assert doc.info.name == "Menu"
    assert doc.info.type == "CONTACT_FLOW"
    assert doc.format == "content"
    flow = doc.flow
    assert flow.start_action == "greet"
    menu_action = flow.action("menu")
    assert menu_action is not None
    assert menu_action.transitions.conditions[0].operands == ("1",)
    assert menu_action.transitions.default_target == "bye"
    assert {e.error_type for e in menu_action.transitions.errors} == {
        "InputTimeLimitExceeded",
        "NoMatchingCondition",
        "NoMatchingError",
    }


def test_canonical_sorts_actions_and_keys_and_ends_with_newline() -> None:
    text = dump_content(parse_document_text(json.dumps(menu())).flow)
    data = json.loads(text)
    assert [a["Identifier"] for a in data["Actions"]] == ["bye", "greet", "menu", "sales"]
    assert list(data)[:3] == ["Version", "StartAction", "Actions"]
    assert list(data)[-1] == "Metadata"
    assert list(data["Actions"][2]) == ["Identifier", "Type", "Parameters", "Transitions"]
    assert text.endswith("}\n") and "\n  " in text


def test_document_keeps_layout_in_its_own_section() -> None:
    doc = parse_document_text(json.dumps(menu()))
    data = json.loads(dump_document(doc))
    assert list(data)[-2:] == ["content", "layout"]
    assert "Metadata" not in data["content"]
    assert data["layout"]["ActionMetadata"]["greet"]["position"] == {"x": 100, "y": 50}
    again = parse_document_text(dump_document(doc))
    assert again.format == "document"
    assert semantic_content(again.flow) == semantic_content(doc.flow)
    assert again.flow.metadata == doc.flow.metadata


def test_unknown_fields_and_action_types_survive_round_trip() -> None:
    data = menu()
    data["FutureTopLevel"] = {"b": 1, "a": [3, "x"]}
    data["Actions"].append(
        {
            "Identifier": "zz-new",
            "Type": "SomeFutureAction",
            "Parameters": {"Exotic": {"n": 1.5, "flag": True, "s": "3"}},
            "Transitions": {"NextAction": "bye", "FutureBranches": [{"k": "v"}]},
            "FutureActionField": None,
        }
    )
    doc = parse_document_text(json.dumps(data))
    out = json.loads(dump_document(parse_document_text(dump_document(doc))))
    assert out["content"]["FutureTopLevel"] == {"a": [3, "x"], "b": 1}
    new = next(a for a in out["content"]["Actions"] if a["Identifier"] == "zz-new")
    assert new["Type"] == "SomeFutureAction"
    assert new["Parameters"] == {"Exotic": {"flag": True, "n": 1.5, "s": "3"}}
    assert new["Transitions"]["FutureBranches"] == [{"k": "v"}]
    assert "FutureActionField" in new and new["FutureActionField"] is None


def test_invalid_json_names_file_and_position(tmp_path: Path) -> None:
    bad = tmp_path / "broken.json"
    bad.write_text('{"Version": "2019-10-30",\n "Actions": [}')
    with pytest.raises(FlowParseError) as info:
        load_document(bad)
    assert str(bad) in str(info.value)
    assert "line 2" in str(info.value)


def test_schema_violation_names_flow_action_and_json_path() -> None:
    data = menu()
    data["Actions"][0]["Transitions"]["Errors"][0].pop("ErrorType")
    with pytest.raises(FlowParseError) as info:
        parse_document_text(json.dumps(data), source="flows/menu.json")
    message = str(info.value)
    assert "flows/menu.json" in message
    assert "flow 'Menu'" in message
    assert "action 'menu'" in message
    assert "$.Actions[0].Transitions.Errors[0]" in message
    assert "ErrorType" in message


def test_not_a_flow_is_bad_input() -> None:
    with pytest.raises(FlowParseError, match="not a flow"):
        parse_document_text('{"modules": []}', source="legacy.json")
    with pytest.raises(FlowParseError, match="expected a JSON object"):
        parse_document_text("[1, 2]", source="list.json")


def test_describe_output_with_content_string_is_read() -> None:
    wrapped = {
        "ContactFlow": {
            "Name": "Main IVR",
            "Type": "CONTACT_FLOW",
            "Description": "d",
            "State": "ACTIVE",
            "Status": "PUBLISHED",
            "Tags": {"team": "cx"},
            "Content": json.dumps(menu()),
        }
    }
    doc = parse_document_text(json.dumps(wrapped))
    assert doc.info.name == "Main IVR"
    assert doc.info.tags == {"team": "cx"}
    assert doc.flow.action("greet") is not None


@pytest.mark.corpus
@pytest.mark.parametrize("path", corpus_params())
def test_corpus_round_trip(path: Path) -> None:
    doc = load_document(path)
    text = dump_document(doc)
    again = parse_document_text(text)
    assert semantic_content(again.flow) == semantic_content(doc.flow)
    assert dump_document(again) == text  # canonical is idempotent
    own = dump_in_own_format(doc)
    assert dump_in_own_format(parse_document_text(own)) == own


# --- properties ----------------------------------------------------------------------

identifiers = st.text(
    alphabet=st.characters(blacklist_characters="%:()\\/=$,;[]{}", blacklist_categories=["Cs"]),
    min_size=1,
    max_size=12,
)
scalars = st.one_of(st.text(max_size=8), st.integers(), st.booleans())
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


@st.composite
def flows(draw: st.DrawFn) -> dict[str, Any]:
    ids = draw(st.lists(identifiers, min_size=1, max_size=8, unique=True))
    targets = st.sampled_from([*ids, ""])
    actions = []
    for ident in ids:
        transitions: dict[str, Any] = {}
        if draw(st.booleans()):
            transitions["NextAction"] = draw(targets)
        transitions["Errors"] = [
            {
                "NextAction": draw(targets),
                "ErrorType": draw(st.sampled_from(["NoMatchingError", "NoMatchingCondition"])),
            }
            for _ in range(draw(st.integers(0, 2)))
        ]
        transitions["Conditions"] = [
            {
                "NextAction": draw(targets),
                "Condition": {"Operator": "Equals", "Operands": [draw(st.text(max_size=3))]},
            }
            for _ in range(draw(st.integers(0, 2)))
        ]
        action: dict[str, Any] = {
            "Identifier": ident,
            "Type": draw(st.sampled_from(["MessageParticipant", "Compare", "FutureType"])),
            "Parameters": draw(
                st.dictionaries(st.text(min_size=1, max_size=6), json_values, max_size=3)
            ),
            "Transitions": transitions,
        }
        actions.append(action)
    flow: dict[str, Any] = {
        "Version": "2019-10-30",
        "StartAction": draw(targets),
        "Actions": actions,
    }
    if draw(st.booleans()):
        flow["Metadata"] = {
            "ActionMetadata": {i: {"position": {"x": draw(st.integers()), "y": 0}} for i in ids}
        }
    return flow


@settings(max_examples=60, deadline=None)
@given(flows())
def test_property_round_trip_is_identity_on_semantics(flow: dict[str, Any]) -> None:
    doc = parse_document_text(json.dumps(flow))
    text = dump_document(doc)
    again = parse_document_text(text)
    assert semantic_content(again.flow) == semantic_content(doc.flow)
    assert dump_document(again) == text


mutations: st.SearchStrategy[tuple[str, Any]] = st.sampled_from(
    [
        ("Version", 3),
        ("StartAction", None),
        ("Actions", {}),
        ("Metadata", []),
        ("action.Identifier", ""),
        ("action.Type", 7),
        ("action.Parameters", "x"),
        ("action.Transitions", []),
        ("action.Transitions.NextAction", 1),
        ("action.Transitions.Errors", [{"NextAction": "a"}]),
        ("action.Transitions.Errors", [{"NextAction": ["a"], "ErrorType": "E"}]),
        (
            "action.Transitions.Errors",
            [{"NextAction": "a", "ErrorType": "E"}, {"NextAction": "a", "ErrorType": ""}],
        ),
        ("action.Transitions.Errors", [{"NextAction": "a", "ErrorType": "E"}] * 2),
        (
            "action.Transitions.Conditions",
            [{"NextAction": "a", "Condition": {"Operator": "Equals"}}],
        ),
        (
            "action.Transitions.Conditions",
            [{"NextAction": "a", "Condition": {"Operator": "", "Operands": []}}],
        ),
        (
            "action.Transitions.Conditions",
            [{"NextAction": "a", "Condition": {"Operator": "E", "Operands": [{}]}}],
        ),
        ("noop", None),
    ]
)


@settings(max_examples=80, deadline=None)
@given(flows(), mutations)
def test_property_quickcheck_agrees_with_schema(
    flow: dict[str, Any], mutation: tuple[str, Any]
) -> None:
    mutated = copy.deepcopy(flow)
    where, value = mutation
    if where.startswith("action."):
        target: dict[str, Any] = mutated["Actions"][0]
        keys = where.split(".")[1:]
        for key in keys[:-1]:
            if not isinstance(target.get(key), dict):
                target[key] = {}
            target = target[key]
        target[keys[-1]] = value
    elif where != "noop":
        mutated[where] = value
    assert quick_valid(mutated) == (first_error(FLOW_LANGUAGE_SCHEMA, mutated) is None)


_JSON_VALUES = st.sampled_from(
    [None, True, False, 0, 1, 1.0, 2, -1, "", "x", "flow", "module", [], ["a"], {}, {"k": "v"}]
)
_DOCUMENT_KEYS = st.sampled_from(
    [
        "flowops",
        "name",
        "kind",
        "type",
        "description",
        "state",
        "status",
        "tags",
        "content",
        "layout",
        "extra",
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(_DOCUMENT_KEYS, _JSON_VALUES | st.dictionaries(st.just("k"), _JSON_VALUES))),
    st.sets(_DOCUMENT_KEYS),
)
def test_property_document_quickcheck_agrees_with_schema(
    changes: list[tuple[str, Any]], removed: set[str]
) -> None:
    """The quick document check that spares lint the jsonschema import says exactly what
    document.schema.json says, on valid documents with keys changed or removed."""
    doc: dict[str, Any] = {
        "flowops": 1,
        "name": "Main",
        "kind": "flow",
        "type": "CONTACT_FLOW",
        "tags": {"team": "support"},
        "content": {"StartAction": "a"},
        "layout": None,
    }
    for key, value in changes:
        doc[key] = value
    for key in removed:
        doc.pop(key, None)
    assert quick_document_valid(doc) == (first_error(DOCUMENT_SCHEMA, doc) is None), doc
