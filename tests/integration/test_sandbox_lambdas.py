"""Qualified Lambda ARNs: associated, listed and accepted on publish as Connect does."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.support import DEV, linear_flow
from tests.support.clients import ClientFactory

ALIAS = f"arn:aws:lambda:us-east-1:{DEV}:function:routing-decision:live"
BARE = f"arn:aws:lambda:us-east-1:{DEV}:function:lookup"


def _invoking(arn: str) -> str:
    return json.dumps(
        linear_flow(
            (
                "call",
                "InvokeLambdaFunction",
                {"LambdaFunctionARN": arn, "InvocationTimeLimitSeconds": "3"},
            ),
            ("bye", "DisconnectParticipant", {}),
        )
    )


@pytest.fixture
def client(connect_client: ClientFactory, instance_id: str) -> Any:
    """A client of an instance with ``ALIAS`` and ``BARE`` associated."""
    client = connect_client()
    client.associate_lambda_function(InstanceId=instance_id, FunctionArn=ALIAS)
    client.associate_lambda_function(InstanceId=instance_id, FunctionArn=BARE)
    return client


def test_a_qualified_arn_is_listed_as_associated(client: Any, instance_id: str) -> None:
    listed = client.list_lambda_functions(InstanceId=instance_id)["LambdaFunctions"]
    assert listed == [ALIAS, BARE]


def test_publish_needs_the_qualified_arn_or_its_function_associated(
    client: Any, instance_id: str
) -> None:
    for arn in (ALIAS, f"{BARE}:7"):
        client.create_contact_flow(
            InstanceId=instance_id, Name=arn[-12:], Type="CONTACT_FLOW", Content=_invoking(arn)
        )
    other_alias = ALIAS.replace(":live", ":beta")
    with pytest.raises(ClientError) as caught:
        client.create_contact_flow(
            InstanceId=instance_id, Name="beta", Type="CONTACT_FLOW", Content=_invoking(other_alias)
        )
    assert caught.value.response["Error"]["Code"] == "InvalidContactFlowException"
    assert "not associated" in json.dumps(caught.value.response)


def test_an_invalid_function_arn_is_refused(
    connect_client: ClientFactory, instance_id: str
) -> None:
    with pytest.raises(ClientError) as caught:
        connect_client().associate_lambda_function(
            InstanceId=instance_id, FunctionArn=f"{BARE}:live:extra"
        )
    assert caught.value.response["Error"]["Code"] == "InvalidParameterException"
