"""Model constraints through real boto3 (client-side validation off, so the sandbox is what
refuses): one request per kind of constraint, each answered with the error the operation's
model lists."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from flowops.sandbox import SandboxServer
from flowops.sandbox.seed import instance_id_for
from tests.support import DEV
from tests.support.clients import ClientFactory, make_client
from tests.support.flows import module_content

pytestmark = pytest.mark.integration


def test_each_kind_of_constraint_over_the_wire(
    seeded_sandbox: SandboxServer, connect_client: ClientFactory
) -> None:
    client = connect_client(parameter_validation=False)
    iid = instance_id_for(DEV)
    flow_arn = client.list_contact_flows(InstanceId=iid)["ContactFlowSummaryList"][0]["Arn"]
    invalid = client.exceptions.InvalidParameterException
    refused: list[tuple[Any, Callable[[], Any]]] = [
        # max length (TagValue: 256) and the documented tag value characters
        (invalid, lambda: client.tag_resource(resourceArn=flow_arn, tags={"k": "x" * 257})),
        (invalid, lambda: client.tag_resource(resourceArn=flow_arn, tags={"lock": '{"a":1}'})),
        # pattern (TagKey must not start with aws:)
        (invalid, lambda: client.tag_resource(resourceArn=flow_arn, tags={"aws:x": "v"})),
        # module description pattern .*\S.*
        (
            invalid,
            lambda: client.create_contact_flow_module(
                InstanceId=iid, Name="M", Description="", Content=module_content()
            ),
        ),
        # numeric range
        (invalid, lambda: client.list_contact_flows(InstanceId=iid, MaxResults=1001)),
        # list length (tagKeys: 1..50)
        (invalid, lambda: client.untag_resource(resourceArn=flow_arn, tagKeys=["k"] * 51)),
        # enum; ListBots lists only InvalidRequestException
        (
            client.exceptions.InvalidRequestException,
            lambda: client.list_bots(InstanceId=iid, LexVersion="V3"),
        ),
        # pattern of the instance id
        (
            invalid,
            lambda: client.list_contact_flow_aliases(InstanceId="no-instance", ContactFlowId="f"),
        ),
        # required member at depth; AssociateBot lists only InvalidRequestException
        (
            client.exceptions.InvalidRequestException,
            lambda: client.associate_bot(InstanceId=iid, LexBot={"Name": "OrderFlowersLegacy"}),
        ),
    ]
    for error, call in refused:
        with pytest.raises(error, match="validation error"):
            call()
    assert client.list_tags_for_resource(resourceArn=flow_arn)["tags"] == {"flowops:seed": "true"}
    client.tag_resource(resourceArn=flow_arn, tags={"lock": "holder=ana@ci:1 / ok"})


def test_lex_constraints_answer_validation_exception(seeded_sandbox: SandboxServer) -> None:
    lex = make_client(seeded_sandbox.url, DEV, service="lexv2-models", parameter_validation=False)
    with pytest.raises(lex.exceptions.ValidationException, match="validation error"):
        lex.describe_bot(botId="short")
