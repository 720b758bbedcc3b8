"""Views over boto3: customer-managed views with versions, the AWS-managed ones, and
``ShowView`` references checked on publish."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.support import linear_flow
from tests.support.clients import ClientFactory

CONTENT = {"Template": json.dumps({"Body": [{"Type": "Form"}]}), "Actions": ["Submit"]}


@pytest.fixture
def view(connect_client: ClientFactory, instance_id: str) -> dict[str, Any]:
    made = connect_client().create_view(
        InstanceId=instance_id,
        Name="Order Details",
        Status="PUBLISHED",
        Content=CONTENT,
        Description="order",
        Tags={"team": "cx"},
    )
    return dict(made["View"])


def _code(caught: pytest.ExceptionInfo[ClientError]) -> str:
    return str(caught.value.response["Error"]["Code"])


def test_a_view_is_described_by_id_arn_and_qualified_arn_and_listed_by_type(
    connect_client: ClientFactory, instance_id: str, view: dict[str, Any]
) -> None:
    client = connect_client()
    instance = client.describe_instance(InstanceId=instance_id)["Instance"]["Arn"]
    assert view["Arn"] == f"{instance}/view/{view['Id']}"
    assert view["Type"] == "CUSTOMER_MANAGED" and view["Content"]["Actions"] == ["Submit"]
    for ident in (view["Id"], view["Arn"], f"{view['Arn']}:$LATEST"):
        described = client.describe_view(InstanceId=instance_id, ViewId=ident)["View"]
        assert (described["Name"], described["Tags"]) == ("Order Details", {"team": "cx"})
    mine = client.list_views(InstanceId=instance_id, Type="CUSTOMER_MANAGED")["ViewsSummaryList"]
    assert [(v["Name"], v["Arn"]) for v in mine] == [("Order Details", view["Arn"])]
    managed = client.list_views(InstanceId=instance_id, Type="AWS_MANAGED")["ViewsSummaryList"]
    assert {v["Name"] for v in managed} >= {"Form", "Detail", "Confirmation", "Cards", "List"}
    assert all(v["Arn"].startswith("arn:aws:connect:us-east-1:aws:view/") for v in managed)
    everything = client.list_views(InstanceId=instance_id)["ViewsSummaryList"]
    assert [v["Type"] for v in everything] == ["AWS_MANAGED"] * len(managed) + ["CUSTOMER_MANAGED"]
    form = client.describe_view(
        InstanceId=instance_id, ViewId="arn:aws:connect:us-east-1:aws:view/form:1"
    )["View"]
    assert (form["Name"], form["Type"]) == ("Form", "AWS_MANAGED")


def test_versions_are_immutable_and_a_view_can_be_renamed_updated_and_deleted(
    connect_client: ClientFactory, instance_id: str, view: dict[str, Any]
) -> None:
    client = connect_client()
    first = client.create_view_version(InstanceId=instance_id, ViewId=view["Arn"])["View"]
    again = client.create_view_version(InstanceId=instance_id, ViewId=view["Id"])["View"]
    assert (first["Version"], first["Arn"]) == (1, f"{view['Arn']}:1")
    assert again["Version"] == 1  # unchanged content: the same version
    changed = {"Template": json.dumps({"Body": []}), "Actions": ["Back"]}
    client.update_view_content(
        InstanceId=instance_id, ViewId=view["Id"], Status="PUBLISHED", Content=changed
    )
    second = client.create_view_version(InstanceId=instance_id, ViewId=view["Id"])["View"]
    assert second["Version"] == 2
    old = client.describe_view(InstanceId=instance_id, ViewId=f"{view['Arn']}:1")["View"]
    assert old["Content"]["Actions"] == ["Submit"] and old["Version"] == 1
    listed = client.list_view_versions(InstanceId=instance_id, ViewId=view["Id"])
    assert [v["Version"] for v in listed["ViewVersionSummaryList"]] == [1, 2]
    client.update_view_metadata(InstanceId=instance_id, ViewId=view["Id"], Name="Renamed")
    assert client.describe_view(InstanceId=instance_id, ViewId=view["Id"])["View"]["Name"] == (
        "Renamed"
    )
    client.delete_view_version(InstanceId=instance_id, ViewId=view["Id"], ViewVersion=1)
    with pytest.raises(ClientError) as caught:
        client.describe_view(InstanceId=instance_id, ViewId=f"{view['Arn']}:1")
    assert _code(caught) == "ResourceNotFoundException"
    client.delete_view(InstanceId=instance_id, ViewId=view["Arn"])
    assert (
        client.list_views(InstanceId=instance_id, Type="CUSTOMER_MANAGED")["ViewsSummaryList"] == []
    )


def test_connect_refuses_a_duplicate_name_an_invalid_template_and_writes_to_aws_views(
    connect_client: ClientFactory, instance_id: str, view: dict[str, Any]
) -> None:
    client = connect_client()
    with pytest.raises(ClientError) as caught:
        client.create_view(
            InstanceId=instance_id, Name="Order Details", Status="SAVED", Content=CONTENT
        )
    assert _code(caught) == "DuplicateResourceException"
    with pytest.raises(ClientError) as caught:
        client.create_view(
            InstanceId=instance_id,
            Name="Broken",
            Status="PUBLISHED",
            Content={"Template": "{not json", "Actions": []},
        )
    assert _code(caught) == "InvalidParameterException"
    with pytest.raises(ClientError) as caught:
        client.delete_view(InstanceId=instance_id, ViewId="arn:aws:connect:us-east-1:aws:view/form")
    assert _code(caught) == "AccessDeniedException"


def test_a_published_show_view_must_name_a_view_of_its_instance_or_an_aws_one(
    connect_client: ClientFactory, instance_id: str, view: dict[str, Any]
) -> None:
    client = connect_client()

    def showing(ident: str) -> str:
        return json.dumps(
            linear_flow(
                ("show", "ShowView", {"ViewResource": {"Id": ident}}),
                ("bye", "DisconnectParticipant", {}),
            )
        )

    for name, ident in (
        ("mine", f"{view['Arn']}:$LATEST"),
        ("aws", "arn:aws:connect:us-east-1:aws:view/detail:1"),
    ):
        client.create_contact_flow(
            InstanceId=instance_id, Name=name, Type="CONTACT_FLOW", Content=showing(ident)
        )
    gone = view["Arn"].rsplit("/", 1)[0] + "/0b9b8a1e-0000-4000-8000-000000000000"
    with pytest.raises(ClientError) as caught:
        client.create_contact_flow(
            InstanceId=instance_id, Name="gone", Type="CONTACT_FLOW", Content=showing(gone)
        )
    assert _code(caught) == "InvalidContactFlowException"
    assert "view that does not exist" in json.dumps(caught.value.response)
