"""Conformance of flow operations, with plain boto3 against the sandbox."""

from __future__ import annotations

import json

import pytest

from flowops.sandbox import SandboxServer
from tests.support import DEV
from tests.support.clients import ClientFactory
from tests.support.flows import flow_content

pytestmark = pytest.mark.integration


def test_create_describe_round_trip(connect_client: ClientFactory, instance_id: str) -> None:
    client = connect_client()
    content = flow_content()
    created = client.create_contact_flow(
        InstanceId=instance_id,
        Name="Main",
        Type="CONTACT_FLOW",
        Description="main flow",
        Content=content,
        Tags={"team": "cx"},
    )
    assert created["ContactFlowArn"].startswith(f"arn:aws:connect:us-east-1:{DEV}:instance/")
    assert created["ContactFlowArn"].endswith("/contact-flow/" + created["ContactFlowId"])
    flow = client.describe_contact_flow(
        InstanceId=instance_id, ContactFlowId=created["ContactFlowId"]
    )["ContactFlow"]
    assert flow["Content"] == content
    assert flow["Name"] == "Main"
    assert flow["Description"] == "main flow"
    assert flow["Type"] == "CONTACT_FLOW"
    assert flow["State"] == "ACTIVE"
    assert flow["Status"] == "PUBLISHED"
    assert flow["Tags"] == {"team": "cx"}
    assert flow["FlowContentSha256"] == created["FlowContentSha256"]
    assert len(flow["FlowContentSha256"]) == 64
    assert flow["LastModifiedRegion"] == "us-east-1"
    assert flow["LastModifiedTime"].year >= 2024
    by_arn = client.describe_contact_flow(
        InstanceId=instance_id, ContactFlowId=created["ContactFlowArn"]
    )["ContactFlow"]
    assert by_arn["Id"] == created["ContactFlowId"]


def test_saved_content_is_not_validated_and_published_is(
    connect_client: ClientFactory, instance_id: str
) -> None:
    client = connect_client()
    draft = client.create_contact_flow(
        InstanceId=instance_id,
        Name="Draft",
        Type="CONTACT_FLOW",
        Content="{not json",
        Status="SAVED",
    )
    flow = client.describe_contact_flow(
        InstanceId=instance_id, ContactFlowId=draft["ContactFlowId"]
    )["ContactFlow"]
    assert flow["Status"] == "SAVED"
    assert flow["Content"] == "{not json"
    with pytest.raises(client.exceptions.InvalidContactFlowException) as caught:
        client.update_contact_flow_content(
            InstanceId=instance_id, ContactFlowId=draft["ContactFlowId"], Content="{not json"
        )
    assert caught.value.response["Error"]["Code"] == "InvalidContactFlowException"
    assert caught.value.response["problems"][0]["message"].startswith("Content is not valid JSON")


def test_update_saved_then_publish(connect_client: ClientFactory, instance_id: str) -> None:
    client = connect_client()
    first = flow_content()
    created = client.create_contact_flow(
        InstanceId=instance_id, Name="Main", Type="CONTACT_FLOW", Content=first
    )
    fid = created["ContactFlowId"]
    edit = first.replace("Hello", "Hello there")
    client.update_contact_flow_content(
        InstanceId=instance_id, ContactFlowId=f"{fid}:$SAVED", Content=edit
    )
    plain = client.describe_contact_flow(InstanceId=instance_id, ContactFlowId=fid)["ContactFlow"]
    assert plain["Content"] == first and plain["Status"] == "PUBLISHED"
    saved = client.describe_contact_flow(InstanceId=instance_id, ContactFlowId=f"{fid}:$SAVED")[
        "ContactFlow"
    ]
    assert saved["Content"] == edit and saved["Status"] == "SAVED"
    client.update_contact_flow_content(InstanceId=instance_id, ContactFlowId=fid, Content=edit)
    plain = client.describe_contact_flow(InstanceId=instance_id, ContactFlowId=fid)["ContactFlow"]
    assert plain["Content"] == edit and plain["Status"] == "PUBLISHED"
    latest = client.describe_contact_flow(
        InstanceId=instance_id, ContactFlowId=f"{created['ContactFlowArn']}:$LATEST"
    )["ContactFlow"]
    assert latest["Content"] == edit


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (json.dumps({"Version": "2019-10-30", "StartAction": "x", "Actions": []}), "Actions"),
        (flow_content(start="nowhere"), "StartAction 'nowhere'"),
        (
            json.dumps(
                {
                    "Version": "2020-01-01",
                    "StartAction": "a",
                    "Actions": [{"Identifier": "a", "Type": "DisconnectParticipant"}],
                }
            ),
            "Version",
        ),
        (
            flow_content(
                start="a",
                actions=[
                    {
                        "Identifier": "a",
                        "Type": "MessageParticipant",
                        "Parameters": {"Text": "x"},
                        "Transitions": {"NextAction": "ghost"},
                    },
                ],
            ),
            "NextAction 'ghost'",
        ),
        (
            flow_content(
                start="a",
                actions=[
                    {"Identifier": "a", "Type": "DisconnectParticipant"},
                    {"Identifier": "a", "Type": "DisconnectParticipant"},
                ],
            ),
            "not unique",
        ),
    ],
)
def test_published_content_is_validated(
    connect_client: ClientFactory, instance_id: str, content: str, fragment: str
) -> None:
    client = connect_client()
    with pytest.raises(client.exceptions.InvalidContactFlowException) as caught:
        client.create_contact_flow(
            InstanceId=instance_id, Name="Bad", Type="CONTACT_FLOW", Content=content
        )
    messages = [p["message"] for p in caught.value.response["problems"]]
    assert any(fragment in m for m in messages), messages
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_flow_copied_from_another_account_fails_listing_references(
    seeded_sandbox: SandboxServer, connect_client: ClientFactory
) -> None:
    dev = connect_client(DEV)
    prod = connect_client("333333333333")
    dev_instance = dev.list_instances()["InstanceSummaryList"][0]["Id"]
    prod_instance = prod.list_instances()["InstanceSummaryList"][0]["Id"]
    main = dev.search_contact_flows(
        InstanceId=dev_instance,
        SearchCriteria={
            "StringCondition": {
                "FieldName": "name",
                "Value": "Main Inbound",
                "ComparisonType": "EXACT",
            }
        },
    )["ContactFlows"][0]
    with pytest.raises(prod.exceptions.InvalidContactFlowException) as caught:
        prod.create_contact_flow(
            InstanceId=prod_instance,
            Name="Main Inbound",
            Type="CONTACT_FLOW",
            Content=main["Content"],
        )
    messages = [p["message"] for p in caught.value.response["problems"]]
    assert any("another AWS account (111111111111)" in m for m in messages)
    assert any("/queue/" in m for m in messages)
    assert any("FlowModuleId" in m and "does not exist" in m for m in messages)
    assert any("/contact-flow/" in m for m in messages)
    # saved as a draft it is accepted unchanged
    prod.create_contact_flow(
        InstanceId=prod_instance,
        Name="Main Inbound",
        Type="CONTACT_FLOW",
        Content=main["Content"],
        Status="SAVED",
    )


def test_reference_to_missing_resource_in_own_account(
    connect_client: ClientFactory, instance_id: str
) -> None:
    client = connect_client()
    arn = f"arn:aws:connect:us-east-1:{DEV}:instance/{instance_id}/queue/0000"
    content = flow_content(
        start="q",
        actions=[
            {
                "Identifier": "q",
                "Type": "UpdateContactTargetQueue",
                "Parameters": {"QueueId": arn},
                "Transitions": {
                    "NextAction": "end",
                    "Errors": [{"NextAction": "end", "ErrorType": "NoMatchingError"}],
                },
            },
            {"Identifier": "end", "Type": "DisconnectParticipant"},
        ],
    )
    with pytest.raises(client.exceptions.InvalidContactFlowException) as caught:
        client.create_contact_flow(
            InstanceId=instance_id, Name="Q", Type="CONTACT_FLOW", Content=content
        )
    assert "queue that does not exist" in caught.value.response["problems"][0]["message"]


def test_names_unique_per_instance_whatever_the_type(
    connect_client: ClientFactory, instance_id: str
) -> None:
    """UpdateContactFlowName takes no type and can clash: a name is unique per instance."""
    client = connect_client()
    client.create_contact_flow(
        InstanceId=instance_id, Name="X", Type="CONTACT_FLOW", Content=flow_content()
    )
    with pytest.raises(client.exceptions.DuplicateResourceException) as caught:
        client.create_contact_flow(
            InstanceId=instance_id, Name="X", Type="CONTACT_FLOW", Content=flow_content()
        )
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    with pytest.raises(client.exceptions.DuplicateResourceException):
        client.create_contact_flow(
            InstanceId=instance_id, Name="X", Type="CUSTOMER_QUEUE", Content=flow_content()
        )
    other = client.create_contact_flow(
        InstanceId=instance_id, Name="Y", Type="CONTACT_FLOW", Content=flow_content()
    )
    with pytest.raises(client.exceptions.DuplicateResourceException):
        client.update_contact_flow_name(
            InstanceId=instance_id, ContactFlowId=other["ContactFlowId"], Name="X"
        )


def test_metadata_name_and_state(connect_client: ClientFactory, instance_id: str) -> None:
    client = connect_client()
    fid = client.create_contact_flow(
        InstanceId=instance_id, Name="A", Type="CONTACT_FLOW", Content=flow_content()
    )["ContactFlowId"]
    client.update_contact_flow_name(
        InstanceId=instance_id, ContactFlowId=fid, Name="B", Description="renamed"
    )
    client.update_contact_flow_metadata(
        InstanceId=instance_id, ContactFlowId=fid, ContactFlowState="ARCHIVED"
    )
    flow = client.describe_contact_flow(InstanceId=instance_id, ContactFlowId=fid)["ContactFlow"]
    assert (flow["Name"], flow["Description"], flow["State"]) == ("B", "renamed", "ARCHIVED")
    with pytest.raises(client.exceptions.InvalidParameterException):
        client.update_contact_flow_metadata(
            InstanceId=instance_id, ContactFlowId=fid, ContactFlowState="GONE"
        )


def test_delete(connect_client: ClientFactory, instance_id: str) -> None:
    client = connect_client()
    fid = client.create_contact_flow(
        InstanceId=instance_id, Name="A", Type="CONTACT_FLOW", Content=flow_content()
    )["ContactFlowId"]
    client.delete_contact_flow(InstanceId=instance_id, ContactFlowId=fid)
    with pytest.raises(client.exceptions.ResourceNotFoundException) as caught:
        client.describe_contact_flow(InstanceId=instance_id, ContactFlowId=fid)
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.delete_contact_flow(InstanceId=instance_id, ContactFlowId=fid)


def test_list_type_filter_and_paginator(
    sandbox: SandboxServer, connect_client: ClientFactory, instance_id: str
) -> None:
    sandbox.config.limits.flows_per_instance = 2000
    client = connect_client()
    for i in range(25):
        client.create_contact_flow(
            InstanceId=instance_id,
            Name=f"F{i:02}",
            Type="CONTACT_FLOW" if i % 5 else "CUSTOMER_QUEUE",
            Content=flow_content(),
            Status="SAVED" if i == 3 else "PUBLISHED",
        )
    pages = list(
        client.get_paginator("list_contact_flows").paginate(
            InstanceId=instance_id, PaginationConfig={"PageSize": 10}
        )
    )
    assert len(pages) == 3
    names = [f["Name"] for p in pages for f in p["ContactFlowSummaryList"]]
    assert names == [f"F{i:02}" for i in range(25)]
    queue_flows = client.list_contact_flows(
        InstanceId=instance_id, ContactFlowTypes=["CUSTOMER_QUEUE"]
    )
    assert len(queue_flows["ContactFlowSummaryList"]) == 5
    assert "NextToken" not in queue_flows
    summary = {f["Name"]: f for f in pages[0]["ContactFlowSummaryList"]}
    assert summary["F03"]["ContactFlowStatus"] == "SAVED"
    assert summary["F01"]["ContactFlowState"] == "ACTIVE"
    with pytest.raises(client.exceptions.InvalidParameterException):
        client.list_contact_flows(InstanceId=instance_id, MaxResults=1001)
    with pytest.raises(client.exceptions.InvalidParameterException):
        client.list_contact_flows(InstanceId=instance_id, NextToken="garbage")
    full = client.list_contact_flows(InstanceId=instance_id, MaxResults=1000)
    assert len(full["ContactFlowSummaryList"]) == 25


def test_search_criteria_and_paginator(
    sandbox: SandboxServer, connect_client: ClientFactory, instance_id: str
) -> None:
    sandbox.config.limits.flows_per_instance = 1000
    client = connect_client()
    for i in range(120):
        client.create_contact_flow(
            InstanceId=instance_id,
            Name=f"Sales {i:03}" if i % 2 else f"Support {i:03}",
            Type="CONTACT_FLOW",
            Content=flow_content(),
            Status="SAVED" if i % 10 == 0 else "PUBLISHED",
            Tags={"parity": str(i % 2)},
        )
    pages = list(client.get_paginator("search_contact_flows").paginate(InstanceId=instance_id))
    assert [len(p["ContactFlows"]) for p in pages] == [100, 20]
    first = pages[0]["ContactFlows"][0]
    assert {"Content", "FlowContentSha256", "Arn", "Status", "Type"} <= set(first)
    assert pages[0]["ApproximateTotalCount"] == 120

    def search(criteria: dict[str, object], **kw: object) -> list[str]:
        out = client.search_contact_flows(
            InstanceId=instance_id, SearchCriteria=criteria, MaxResults=100, **kw
        )
        return [f["Name"] for f in out["ContactFlows"]]

    assert search(
        {"StringCondition": {"FieldName": "name", "Value": "Sales 001", "ComparisonType": "EXACT"}}
    ) == ["Sales 001"]
    assert (
        len(
            search(
                {
                    "StringCondition": {
                        "FieldName": "name",
                        "Value": "sales",
                        "ComparisonType": "STARTS_WITH",
                    }
                }
            )
        )
        == 60
    )
    assert (
        len(
            search(
                {
                    "StringCondition": {
                        "FieldName": "name",
                        "Value": "00",
                        "ComparisonType": "CONTAINS",
                    }
                }
            )
        )
        == 11
    )  # 000-009 and 100
    assert len(search({"StatusCondition": "SAVED"})) == 12
    assert search(
        {
            "AndConditions": [
                {"StatusCondition": "SAVED"},
                {
                    "StringCondition": {
                        "FieldName": "name",
                        "Value": "Support 01",
                        "ComparisonType": "STARTS_WITH",
                    }
                },
            ]
        }
    ) == ["Support 010"]
    assert (
        len(
            search(
                {
                    "OrConditions": [
                        {"TypeCondition": "CUSTOMER_QUEUE"},
                        {"StateCondition": "ACTIVE"},
                    ]
                }
            )
        )
        == 100
    )
    tagged = client.search_contact_flows(
        InstanceId=instance_id,
        SearchFilter={"TagFilter": {"TagCondition": {"TagKey": "parity", "TagValue": "1"}}},
        MaxResults=100,
    )
    assert tagged["ApproximateTotalCount"] == 60
    with pytest.raises(client.exceptions.InvalidParameterException):
        client.search_contact_flows(InstanceId=instance_id, MaxResults=101)


def test_limits(sandbox: SandboxServer, connect_client: ClientFactory, instance_id: str) -> None:
    client = connect_client()
    sandbox.config.limits.flows_per_instance = 2
    for name in ("A", "B"):
        client.create_contact_flow(
            InstanceId=instance_id, Name=name, Type="CONTACT_FLOW", Content=flow_content()
        )
    with pytest.raises(client.exceptions.LimitExceededException) as caught:
        client.create_contact_flow(
            InstanceId=instance_id, Name="C", Type="CONTACT_FLOW", Content=flow_content()
        )
    assert "limit of 2 flows" in caught.value.response["Error"]["Message"]
    sandbox.config.limits.flows_per_instance = 100
    too_long = json.dumps({"Version": "2019-10-30", "x": "a" * 256_001})
    with pytest.raises(client.exceptions.InvalidParameterException):
        client.create_contact_flow(
            InstanceId=instance_id, Name="C", Type="CONTACT_FLOW", Content=too_long, Status="SAVED"
        )


def test_invalid_parameters(connect_client: ClientFactory, instance_id: str) -> None:
    client = connect_client()
    with pytest.raises(client.exceptions.InvalidParameterException):
        client.create_contact_flow(
            InstanceId=instance_id, Name="A", Type="NOT_A_TYPE", Content=flow_content()
        )
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.create_contact_flow(
            InstanceId="no-such-instance", Name="A", Type="CONTACT_FLOW", Content=flow_content()
        )


def test_many_flows_and_fast_search(
    sandbox: SandboxServer, connect_client: ClientFactory, instance_id: str
) -> None:
    import time

    sandbox.config.limits.flows_per_instance = 1000
    client = connect_client()
    for i in range(500):
        client.create_contact_flow(
            InstanceId=instance_id, Name=f"Flow {i}", Type="CONTACT_FLOW", Content=flow_content()
        )
    started = time.perf_counter()
    page = client.search_contact_flows(InstanceId=instance_id, MaxResults=100)
    assert len(page["ContactFlows"]) == 100
    assert time.perf_counter() - started < 1.0
