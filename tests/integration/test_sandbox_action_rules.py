"""Publishing checks each action like Connect: known types, required parameters, the flow
types an action may appear in, identifier rules; and the opaque answer as a switch."""

from __future__ import annotations

import json
from typing import Any

import pytest

from flowops.sandbox import SandboxServer
from tests.support.clients import ClientFactory
from tests.support.flows import flow_content

pytestmark = pytest.mark.integration


def _flow(*actions: dict[str, Any]) -> str:
    ends = {"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}}
    first = dict(actions[0], Transitions={"NextAction": "bye"})
    return flow_content(start=first["Identifier"], actions=[first, *actions[1:], ends])


def _problems(client: Any, instance_id: str, content: str, flow_type: str) -> list[str]:
    with pytest.raises(client.exceptions.InvalidContactFlowException) as info:
        client.create_contact_flow(
            InstanceId=instance_id, Name="F", Type=flow_type, Content=content
        )
    return [p["message"] for p in info.value.response["problems"]]


def test_each_action_rule_is_a_problem(connect_client: ClientFactory, instance_id: str) -> None:
    client = connect_client()
    made_up = {"Identifier": "x", "Type": "MakeCoffee", "Parameters": {"Sugar": "2"}}
    assert _problems(client, instance_id, _flow(made_up), "CONTACT_FLOW") == [
        "Action 'x': Type 'MakeCoffee' is not an action type of the flow language"
    ]
    bare = {"Identifier": "t", "Type": "TransferToFlow", "Parameters": {}}
    assert _problems(client, instance_id, _flow(bare), "CONTACT_FLOW") == [
        "Action 't': TransferToFlow requires Parameters.ContactFlowId"
    ]
    whisper = flow_content(
        actions=[
            {"Identifier": "hello", "Type": "MessageParticipant", "Parameters": {"Text": "Hi"}}
            | {"Transitions": {"NextAction": "bye"}},
            {"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}},
        ]
    )
    assert _problems(client, instance_id, whisper, "AGENT_WHISPER") == [
        "Action 'bye': DisconnectParticipant is not supported in flows of type AGENT_WHISPER"
    ]
    named = {"Identifier": "say: hi", "Type": "MessageParticipant", "Parameters": {"Text": "Hi"}}
    problems = _problems(client, instance_id, _flow(named), "CONTACT_FLOW")
    assert problems == ["Action 'say: hi': Identifier contains a character that is not allowed (:)"]
    long_type = {"Identifier": "y", "Type": "X" * 400, "Parameters": {}}
    problems = _problems(client, instance_id, _flow(long_type), "CONTACT_FLOW")
    assert len(problems[0]) == 256  # ProblemDetail.message is at most 256 characters
    # the same content is fine where it is allowed, and SAVED content is never checked
    client.create_contact_flow(
        InstanceId=instance_id, Name="W", Type="CONTACT_FLOW", Content=whisper
    )
    client.create_contact_flow(
        InstanceId=instance_id,
        Name="S",
        Type="CONTACT_FLOW",
        Content=_flow(made_up),
        Status="SAVED",
    )


def test_opaque_invalid_flow_switch(
    sandbox: SandboxServer, connect_client: ClientFactory, instance_id: str
) -> None:
    """Connect sometimes answers an invalid flow with message None and no problems."""
    sandbox.config.update({"strict": {"opaque_invalid_flow": True}})
    client = connect_client()
    content = json.dumps({"Version": "2019-10-30", "StartAction": "nope", "Actions": []})
    with pytest.raises(client.exceptions.InvalidContactFlowException) as info:
        client.create_contact_flow(
            InstanceId=instance_id, Name="F", Type="CONTACT_FLOW", Content=content
        )
    assert info.value.response["Error"]["Message"] == "None"
    assert "problems" not in info.value.response
    client.create_contact_flow(
        InstanceId=instance_id, Name="G", Type="CONTACT_FLOW", Content=flow_content()
    )
