"""Validation of PUBLISHED content, on raw JSON."""

from __future__ import annotations

import json
from typing import Any

from flowops.sandbox.validation import Context, validate_content

ACCOUNT, REGION, INSTANCE = "111111111111", "us-east-1", "inst-1"
BASE = f"arn:aws:connect:{REGION}:{ACCOUNT}:instance/{INSTANCE}"
EXISTING = {
    f"{BASE}/queue/q1",
    f"{BASE}/contact-flow/f1",
    f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:lookup",
    f"arn:aws:lex:{REGION}:{ACCOUNT}:bot-alias/BOT/ALIAS",
}
CTX = Context(ACCOUNT, REGION, INSTANCE, EXISTING.__contains__)


def _doc(params: dict[str, Any], **top: Any) -> str:
    doc = {
        "Version": "2019-10-30",
        "StartAction": "a",
        "Actions": [
            {
                "Identifier": "a",
                "Type": "UpdateContactData",
                "Parameters": params,
                "Transitions": {
                    "NextAction": "b",
                    "Errors": [{"NextAction": "b", "ErrorType": "NoMatchingError"}],
                    "Conditions": [],
                },
            },
            {"Identifier": "b", "Type": "DisconnectParticipant", "Parameters": {}},
        ],
    }
    doc.update(top)
    return json.dumps(doc)


def test_valid_content_has_no_problems() -> None:
    params = {
        "QueueId": f"{BASE}/queue/q1",
        "LambdaFunctionARN": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:lookup:$LATEST",
        "LexV2Bot": {"AliasArn": f"arn:aws:lex:{REGION}:{ACCOUNT}:bot-alias/BOT/ALIAS"},
        "View": f"arn:aws:connect:{REGION}:aws:view/detail:1",
        "Dynamic": "$.Attributes.queue",
    }
    assert validate_content(_doc(params), CTX) == []


def test_versioned_flow_arn_is_accepted() -> None:
    flow = f"{BASE}/contact-flow/f1:3"
    assert validate_content(_doc({"QueueId": "$.Attributes.q", "ContactFlowId": flow}), CTX) == []


def test_foreign_and_missing_references() -> None:
    foreign = "arn:aws:connect:us-east-1:999999999999:instance/x/queue/q1"
    problems = validate_content(
        _doc(
            {
                "QueueId": foreign,
                "Other": f"{BASE}/queue/missing",
                "Hours": f"{BASE}/operating-hours/h",
                "Region": f"arn:aws:connect:eu-west-1:{ACCOUNT}:instance/{INSTANCE}/queue/q1",
                "Instance": f"arn:aws:connect:{REGION}:{ACCOUNT}:instance/other/queue/q1",
                "Lambda": "arn:aws:lambda:us-east-1:999999999999:function:lookup",
                "Unassociated": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:nope",
                "Bot": f"arn:aws:lex:{REGION}:{ACCOUNT}:bot-alias/OTHER/ALIAS",
                "Module": "00000000-0000-0000-0000-000000000000",
            }
        ),
        CTX,
    )
    text = "\n".join(problems)
    assert "another AWS account (999999999999)" in text
    assert "queue that does not exist" in text
    assert "hours of operation that does not exist" in text
    assert "another Region (eu-west-1)" in text
    assert "another instance (other)" in text
    assert "Lambda function in another AWS account" in text
    assert "Lambda function that is not associated" in text
    assert "Lex bot alias that is not associated" in text
    assert len(problems) == 8


def test_bare_ids_of_known_parameters_are_checked() -> None:
    problems = validate_content(_doc({"FlowModuleId": "00000000-0000-0000-0000-000000000000"}), CTX)
    assert problems == [
        "Action 'a': FlowModuleId 00000000-0000-0000-0000-000000000000 names a "
        "flow module that does not exist"
    ]


def test_structure_problems() -> None:
    assert validate_content("{", CTX)[0].startswith("Content is not valid JSON")
    assert validate_content("[]", CTX) == ["Content must be a JSON object"]
    assert any("Version" in p for p in validate_content(_doc({}, Version="1"), CTX))
    assert any("StartAction" in p for p in validate_content(_doc({}, StartAction=""), CTX))
    doc = json.loads(_doc({}))
    doc["Actions"].append({"Identifier": "b", "Type": "DisconnectParticipant"})
    doc["Actions"].append({"Type": "DisconnectParticipant"})
    doc["Actions"].append({"Identifier": "x" * 51, "Type": ""})
    problems = validate_content(json.dumps(doc), CTX)
    assert any("not unique" in p for p in problems)
    assert any("has no Identifier" in p for p in problems)
    assert any("longer than 50" in p for p in problems)
    assert any("missing Type" in p for p in problems)
    doc = json.loads(_doc({"ComparisonValue": "$.Attributes.x"}))
    doc["Actions"][0]["Type"] = "Compare"
    doc["Actions"][0]["Transitions"]["Errors"][0]["ErrorType"] = "NoMatchingCondition"
    doc["Actions"][0]["Transitions"]["Conditions"] = [
        {"NextAction": "zz", "Condition": {"Operator": "Equals", "Operands": ["1"]}}
    ]
    assert validate_content(json.dumps(doc), CTX) == [
        "Action 'a': Conditions[0].NextAction 'zz' does not name an action"
    ]
    # the same branch on an action that takes no conditions is refused for that too
    doc["Actions"][0]["Type"] = "UpdateContactData"
    assert "Action 'a': UpdateContactData does not support Conditions" in validate_content(
        json.dumps(doc), CTX
    )


def test_action_count_limit() -> None:
    actions = [{"Identifier": f"a{i}", "Type": "DisconnectParticipant"} for i in range(251)]
    doc = {"Version": "2019-10-30", "StartAction": "a0", "Actions": actions}
    assert any("at most 250" in p for p in validate_content(json.dumps(doc), CTX))


def test_metadata_arns_are_not_checked() -> None:
    doc = json.loads(_doc({}))
    doc["Metadata"] = {
        "ActionMetadata": {
            "a": {"queue": {"id": "arn:aws:connect:us-east-1:999999999999:instance/x/queue/q"}}
        }
    }
    assert validate_content(json.dumps(doc), CTX) == []
