"""The publish rules of ``flowops.model.action_rules``, one rule at a time: each refuses
its bad case, with a message naming the action and the reason, and accepts its neighbour.
(The corpus test proves no real flow Connect stored is refused.)"""

from __future__ import annotations

from typing import Any

import pytest

from flowops.model.action_rules import (
    ALLOWED_ERRORS,
    CONDITION_TYPES,
    FORBIDDEN_FLOW_TYPES,
    KNOWN_ERROR_TYPES,
    KNOWN_TYPES,
    NO_TRANSITIONS,
    RESULT_OPERANDS,
    VALUE_RULES,
    action_problems,
    publish_problems,
)
from flowops.model.action_types import DEFAULT_BRANCH_TYPES, ERROR_TYPES
from flowops.model.document import FLOW_TYPES


def _when(operator: str, *operands: str) -> dict[str, Any]:
    return {"NextAction": "x", "Condition": {"Operator": operator, "Operands": list(operands)}}


def _lambda(seconds: object, **more: object) -> dict[str, object]:
    return {"LambdaFunctionARN": "$.Attributes.fn", "InvocationTimeLimitSeconds": seconds, **more}


LOOP = {"Conditions": [_when("Equals", "ContinueLooping"), _when("Equals", "DoneLooping")]}


def _percent(*limits: str, operator: str = "NumberLessThan") -> dict[str, Any]:
    return {"Conditions": [_when(operator, n) for n in limits]}


#: (type, parameters, transitions, a piece of the expected problem or None when valid)
CASES: list[tuple[str, dict[str, Any], Any, str | None]] = [
    ("InvokeLambdaFunction", _lambda("8"), None, None),
    ("InvokeLambdaFunction", _lambda(3), None, None),
    ("InvokeLambdaFunction", _lambda("9"), None, "InvocationTimeLimitSeconds '9' must be a"),
    ("InvokeLambdaFunction", _lambda("0"), None, "from 1 to 8"),
    ("InvokeLambdaFunction", _lambda("60", InvocationType="ASYNCHRONOUS"), None, None),
    ("InvokeLambdaFunction", _lambda("61", InvocationType="ASYNCHRONOUS"), None, "from 1 to 60"),
    ("InvokeLambdaFunction", _lambda("$.Attributes.t"), None, "must be set statically"),
    ("InvokeLambdaFunction", _lambda("${Timeout}"), None, None),  # a template placeholder
    ("InvokeLambdaFunction", _lambda("3", InvocationType="LATER"), None, "'LATER' is not one"),
    (
        "InvokeLambdaFunction",
        _lambda("3", ResponseValidation={"ResponseType": "XML"}),
        None,
        "ResponseValidation.ResponseType 'XML' is not one of: STRING_MAP, JSON",
    ),
    ("UpdateFlowLoggingBehavior", {"FlowLoggingBehavior": "Disabled"}, None, None),
    ("UpdateFlowLoggingBehavior", {"FlowLoggingBehavior": "$.x"}, None, "set statically"),
    (
        "UpdateContactMediaStreamingBehavior",
        {
            "MediaStreamingState": "Enabled",
            "MediaStreamType": "Audio",
            "Participants": [{"ParticipantType": "Agent", "MediaDirections": ["From", "To"]}],
        },
        None,
        "Participants[0].ParticipantType 'Agent' is not one of: Customer",
    ),
    ("GetParticipantInput", {"StoreInput": "True", "InputTimeLimitSeconds": "300"}, None, None),
    ("GetParticipantInput", {"StoreInput": "yes"}, None, "StoreInput 'yes' is not one of"),
    ("GetParticipantInput", {"InputTimeLimitSeconds": "0"}, None, "a whole number of at least 1"),
    (
        "GetParticipantInput",
        {"InputValidation": {"PhoneNumberValidation": {"NumberFormat": "National"}}},
        None,
        "NumberFormat 'National' is not one of: Local, E164",
    ),
    (
        "TransferParticipantToThirdParty",
        {"ThirdPartyPhoneNumber": "+15550100", "ThirdPartyConnectionTimeLimitSeconds": "601"},
        None,
        "must be a whole number from 0 to 600",
    ),
    (
        "TransferParticipantToThirdParty",
        {"ThirdPartyPhoneNumber": "$.Attributes.n", "ContinueFlowExecution": "$.Attributes.c"},
        None,
        "ContinueFlowExecution must be set statically",
    ),
    (
        "UpdatePreviousContactParticipantState",
        {"PreviousContactParticipantState": "BothOnHold"},
        None,
        "'BothOnHold' is not one of: AgentOnHold, CustomerOnHold, OffHold",
    ),
    (
        "Wait",
        {"TimeLimitSeconds": "900", "Events": ["CustomerReturned"]},
        {"Conditions": [_when("Equals", "WaitCompleted"), _when("Equals", "CustomerReturned")]},
        None,
    ),
    (
        "Wait",
        {"TimeLimitSeconds": "900", "Events": ["CustomerReturned"]},
        {"Conditions": [_when("Equals", "WaitCompleted")]},
        "Wait needs a condition for CustomerReturned",
    ),
    (
        "Wait",
        {"TimeLimitSeconds": "604801"},
        {"Conditions": [_when("Equals", "WaitCompleted")]},
        "TimeLimitSeconds '604801' must be a whole number from 1 to 604800",
    ),
    (
        "Wait",
        {"Events": ["Hangup"]},
        {"Conditions": [_when("Equals", "WaitCompleted"), _when("Equals", "Hangup")]},
        "Parameters.Events[0] 'Hangup' is not one of",
    ),
    (
        "CheckMetricData",
        {"MetricType": "NumberOfAgentsOnline"},
        {"Conditions": [_when("NumberGreaterThan", "0")]},
        None,
    ),
    (
        "CheckMetricData",
        {"MetricType": "NumberOfAgentsOnline"},
        {"Conditions": [_when("NumberGreaterThan", "2")]},
        "CheckMetricData on NumberOfAgentsOnline takes only the condition NumberGreaterThan 0",
    ),
    (
        "CheckMetricData",
        {"MetricType": "OldestContactInQueueAgeSeconds"},
        {"Conditions": [_when("NumberLessThan", "300")]},
        None,
    ),
    ("CheckMetricData", {"MetricType": "$.Attributes.m"}, None, "MetricType must be set"),
    ("CheckMetricData", {"MetricType": "QueueSize"}, None, "MetricType 'QueueSize' is not one"),
    ("UpdateContactRoutingBehavior", {"QueuePriority": "1"}, None, None),
    ("UpdateContactRoutingBehavior", {"QueueTimeAdjustmentSeconds": "-60"}, None, None),
    ("UpdateContactRoutingBehavior", {"QueuePriority": "0"}, None, "of at least 1"),
    (
        "UpdateContactRoutingBehavior",
        {"QueueTimeAdjustmentSeconds": "soon"},
        None,
        "QueueTimeAdjustmentSeconds 'soon' must be a whole number",
    ),
    (
        "UpdateContactRoutingBehavior",
        {"QueuePriority": "2", "QueueTimeAdjustmentSeconds": "60"},
        None,
        "takes only one of Parameters.QueuePriority, QueueTimeAdjustmentSeconds",
    ),
    ("Loop", {"LoopCount": "100"}, LOOP, None),
    ("Loop", {"LoopCount": "$.Attributes.n"}, LOOP, None),
    ("Loop", {"LoopCount": "101"}, LOOP, "LoopCount '101' must be a whole number from 0 to 100"),
    ("Loop", {"LoopCount": "two"}, LOOP, "LoopCount 'two'"),
    (
        "Loop",
        {"LoopCount": "2"},
        {"Conditions": [_when("Equals", "ContinueLooping")]},
        "Loop needs a condition for DoneLooping",
    ),
    (
        "Loop",
        {"LoopCount": "2"},
        {"Conditions": [*LOOP["Conditions"], _when("Equals", "Maybe")]},
        "Loop conditions are Equals one of ContinueLooping, DoneLooping",
    ),
    ("DistributeByPercentage", {}, _percent("4", "10", "100"), None),
    ("DistributeByPercentage", {}, _percent("50", "50"), None),  # a 0 % branch
    ("DistributeByPercentage", {}, _percent("51", "100"), None),  # 99 %: the most there is
    ("DistributeByPercentage", {}, _percent("40", "10"), "10 is below the previous one (40)"),
    ("DistributeByPercentage", {}, _percent("50", "120"), "threshold 120 is over 100"),
    ("DistributeByPercentage", {}, _percent("51", "101"), "threshold 101 is over 100"),
    ("DistributeByPercentage", {}, _percent("50", operator="NumberGreaterThan"), "NumberLessThan"),
    ("DistributeByPercentage", {}, _percent("half"), "'half'] is not one whole number"),
    (
        "CheckHoursOfOperation",
        {},
        {"Conditions": [_when("Equals", "True"), _when("Equals", "Maybe")]},
        "CheckHoursOfOperation conditions are Equals one of False, True",
    ),
    (
        "MessageParticipantIteratively",
        {"Messages": [{"Text": "hold"}]},
        {"Conditions": [_when("Equals", "MessagesInterrupted")]},
        None,
    ),
    (
        "MessageParticipantIteratively",
        {"Messages": [{"Text": "hold"}]},
        {"Conditions": [_when("TextContains", "MessagesInterrupted")]},
        "MessageParticipantIteratively conditions are Equals one of MessagesInterrupted",
    ),
    ("DisconnectParticipant", {}, {}, None),
    ("DisconnectParticipant", {}, {"NextAction": "x"}, "ends the flow and takes no transitions"),
    (
        "UpdateContactAttributes",
        {"Attributes": {"a": "b"}},
        {"NextAction": "x", "Conditions": [_when("Equals", "b")]},
        "UpdateContactAttributes does not support Conditions",
    ),
    (
        "UpdateContactAttributes",
        {"Attributes": {"a": "b"}},
        {"Errors": [{"NextAction": "x", "ErrorType": "Oops"}]},
        "has no error branch 'Oops'",
    ),
    (
        "UpdateFlowLoggingBehavior",
        {"FlowLoggingBehavior": "Enabled"},
        {"Errors": [{"NextAction": "x", "ErrorType": "NoMatchingError"}]},
        "(it has: none)",
    ),
    (
        "UpdateContactAttributes",
        {"Attributes": {"a": "b"}},
        {"Errors": [{"NextAction": "x"}]},
        "Errors[0] needs an ErrorType and a NextAction",
    ),
    (
        "Compare",
        {"ComparisonValue": "$.x"},
        {"Conditions": [{"NextAction": "x", "Condition": {"Operator": "Equals"}}]},
        "Conditions[0] needs a non-empty list of Operands",
    ),
    ("Compare", {"ComparisonValue": "$.x"}, [], "Transitions must be an object"),
]


@pytest.mark.parametrize(("kind", "params", "transitions", "expected"), CASES)
def test_each_rule_refuses_its_case_and_accepts_the_neighbour(
    kind: str, params: dict[str, Any], transitions: Any, expected: str | None
) -> None:
    problems = action_problems(kind, params, None, transitions)
    if expected is None:
        assert problems == []
    else:
        assert len(problems) == 1 and expected in problems[0], problems


def test_lint_fl203_and_the_publish_rules_judge_thresholds_alike() -> None:
    """One definition: a DistributeByPercentage the publish rules refuse is an FL203
    error with the same reason, and one they accept has no FL203 threshold finding."""
    from flowops.lint.rules.fl203_distribute_by_percentage import _problems
    from flowops.model.parse import document_from_data

    for limits in (("51", "101"), ("50", "120"), ("40", "10"), ("half",), ("51", "100"), ()):
        default = [{"NextAction": "x", "ErrorType": "NoMatchingCondition"}]
        transitions = {**_percent(*limits), "NextAction": "x", "Errors": default}
        published = action_problems("DistributeByPercentage", {}, None, transitions)
        split = {"Identifier": "s", "Type": "DistributeByPercentage", "Transitions": transitions}
        doc = document_from_data({"Version": "2019-10-30", "StartAction": "s", "Actions": [split]})
        linted = list(_problems(doc.flow.actions[0]))
        assert [f"DistributeByPercentage {p}" for p in linted] == published, limits


def test_flow_type_restrictions_refuse_only_what_the_tables_name() -> None:
    every = [*FLOW_TYPES, "MODULE"]
    for kind in sorted(KNOWN_TYPES):
        forbidden = FORBIDDEN_FLOW_TYPES.get(kind, frozenset())
        for ftype in every:
            problems = action_problems(kind, {}, ftype)
            refused = f"{kind} is not supported in flows of type {ftype}" in problems
            assert refused is (ftype in forbidden), (kind, ftype)
    # block pages predate CAMPAIGN and do not cover modules: refused there only when a
    # page says "only" (Dequeue... in customer queue flows, EndFlowModuleExecution)
    explicit = {"DequeueContactAndTransferToQueue", "EndFlowModuleExecution"}
    for kind, forbidden in FORBIDDEN_FLOW_TYPES.items():
        if kind not in explicit:
            assert not forbidden & {"CAMPAIGN", "MODULE"}, kind


def test_the_tables_agree_with_each_other_and_with_lint() -> None:
    tables = [*FORBIDDEN_FLOW_TYPES, *ALLOWED_ERRORS, *VALUE_RULES, *RESULT_OPERANDS]
    assert set(tables) | CONDITION_TYPES | NO_TRANSITIONS <= KNOWN_TYPES
    for kind, errors in ALLOWED_ERRORS.items():
        assert errors <= KNOWN_ERROR_TYPES
        # lint (FL201/FL202) never asks for a branch the publish rules refuse
        assert ERROR_TYPES[kind] <= errors, kind
        if kind in DEFAULT_BRANCH_TYPES:
            assert "NoMatchingCondition" in errors, kind
    assert set(RESULT_OPERANDS) <= CONDITION_TYPES


def test_a_whole_document_names_each_problem_with_its_check() -> None:
    doc = {
        "Version": "2019-10-30",
        "StartAction": "a",
        "Actions": [
            {
                "Identifier": "a",
                "Type": "Loop",
                "Parameters": {"LoopCount": "500"},
                "Transitions": {"Conditions": [_when("Equals", "ContinueLooping")]},
            },
            {"Identifier": "a", "Type": "TransferContactToAgent", "Parameters": {}},
        ],
    }
    found = {(p.check, p.message) for p in publish_problems(doc, "AGENT_WHISPER")}
    assert found == {
        ("action", "Action 'a': Parameters.LoopCount '500' must be a whole number from 0 to 100"),
        ("action", "Action 'a': Loop needs a condition for DoneLooping"),
        ("identifier", "Action 'a': Identifier is not unique"),
        (
            "action",
            "Action 'a': TransferContactToAgent is not supported in flows of type AGENT_WHISPER",
        ),
        ("structure", "Action 'a': Conditions[0].NextAction 'x' does not name an action"),
    }
