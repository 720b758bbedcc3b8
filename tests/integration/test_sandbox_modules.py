"""Flow modules: content, metadata, validation, search and limits."""

from __future__ import annotations

import json
from typing import Any

import pytest

from flowops.sandbox import SandboxServer
from tests.support.clients import ClientFactory
from tests.support.flows import flow_content, module_content

pytestmark = pytest.mark.integration


def test_module_lifecycle(connect_client: ClientFactory, instance_id: str) -> None:
    client = connect_client()
    created = client.create_contact_flow_module(
        InstanceId=instance_id,
        Name="Auth",
        Description="authenticate",
        Content=module_content(),
        Tags={"k": "v"},
    )
    assert "/flow-module/" in created["Arn"]
    mid = created["Id"]
    module = client.describe_contact_flow_module(InstanceId=instance_id, ContactFlowModuleId=mid)[
        "ContactFlowModule"
    ]
    assert module["Content"] == module_content()
    assert (module["Status"], module["State"], module["Tags"]) == (
        "PUBLISHED",
        "ACTIVE",
        {"k": "v"},
    )
    assert len(module["FlowModuleContentSha256"]) == 64
    edit = module_content().replace("end", "finish")
    client.update_contact_flow_module_content(
        InstanceId=instance_id, ContactFlowModuleId=f"{mid}:$SAVED", Content=edit
    )
    saved = client.describe_contact_flow_module(
        InstanceId=instance_id, ContactFlowModuleId=f"{mid}:$SAVED"
    )["ContactFlowModule"]
    assert saved["Status"] == "SAVED" and saved["Content"] == edit
    client.update_contact_flow_module_content(
        InstanceId=instance_id, ContactFlowModuleId=mid, Content=edit
    )
    client.update_contact_flow_module_metadata(
        InstanceId=instance_id, ContactFlowModuleId=mid, Name="Authenticate", State="ARCHIVED"
    )
    listed = client.list_contact_flow_modules(
        InstanceId=instance_id, ContactFlowModuleState="ARCHIVED"
    )
    assert [m["Name"] for m in listed["ContactFlowModulesSummaryList"]] == ["Authenticate"]
    client.delete_contact_flow_module(InstanceId=instance_id, ContactFlowModuleId=mid)
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.describe_contact_flow_module(InstanceId=instance_id, ContactFlowModuleId=mid)


def test_module_validation(connect_client: ClientFactory, instance_id: str) -> None:
    client = connect_client()
    bad = json.dumps(
        {
            "Version": "2019-10-30",
            "StartAction": "x",
            "Actions": [{"Identifier": "y", "Type": "EndFlowModuleExecution"}],
        }
    )
    with pytest.raises(client.exceptions.InvalidContactFlowModuleException) as caught:
        client.create_contact_flow_module(InstanceId=instance_id, Name="Bad", Content=bad)
    assert caught.value.response["Problems"][0]["message"].startswith("StartAction")
    mid = client.create_contact_flow_module(
        InstanceId=instance_id, Name="Ok", Content=module_content()
    )["Id"]
    with pytest.raises(client.exceptions.InvalidContactFlowModuleException):
        client.update_contact_flow_module_content(
            InstanceId=instance_id, ContactFlowModuleId=mid, Content=bad
        )
    with pytest.raises(client.exceptions.DuplicateResourceException):
        client.create_contact_flow_module(
            InstanceId=instance_id, Name="Ok", Content=module_content()
        )


def test_module_limit_and_search(
    sandbox: SandboxServer, connect_client: ClientFactory, instance_id: str
) -> None:
    client = connect_client()
    sandbox.config.limits.modules_per_instance = 3
    for i in range(3):
        client.create_contact_flow_module(
            InstanceId=instance_id, Name=f"M{i}", Content=module_content()
        )
    with pytest.raises(client.exceptions.LimitExceededException):
        client.create_contact_flow_module(
            InstanceId=instance_id, Name="M3", Content=module_content()
        )
    pages = list(
        client.get_paginator("search_contact_flow_modules").paginate(
            InstanceId=instance_id, PaginationConfig={"PageSize": 2}
        )
    )
    modules = [m for p in pages for m in p["ContactFlowModules"]]
    assert [m["Name"] for m in modules] == ["M0", "M1", "M2"]
    assert all("Content" in m and "FlowModuleContentSha256" in m for m in modules)
    found = client.search_contact_flow_modules(
        InstanceId=instance_id,
        SearchCriteria={
            "StringCondition": {"FieldName": "name", "Value": "M1", "ComparisonType": "EXACT"}
        },
    )
    assert [m["Name"] for m in found["ContactFlowModules"]] == ["M1"]
    listed = list(
        client.get_paginator("list_contact_flow_modules").paginate(
            InstanceId=instance_id, PaginationConfig={"PageSize": 1}
        )
    )
    assert len(listed) == 3


def test_flow_invoking_module_by_id(connect_client: ClientFactory, instance_id: str) -> None:
    client = connect_client()
    mid = client.create_contact_flow_module(
        InstanceId=instance_id, Name="Auth", Content=module_content()
    )["Id"]
    actions: list[dict[str, Any]] = [
        {
            "Identifier": "m",
            "Type": "InvokeFlowModule",
            "Parameters": {"FlowModuleId": mid},
            "Transitions": {
                "NextAction": "end",
                "Errors": [{"NextAction": "end", "ErrorType": "NoMatchingError"}],
            },
        },
        {"Identifier": "end", "Type": "DisconnectParticipant"},
    ]
    client.create_contact_flow(
        InstanceId=instance_id,
        Name="Uses module",
        Type="CONTACT_FLOW",
        Content=flow_content(start="m", actions=actions),
    )
    actions[0]["Parameters"] = {"FlowModuleId": "00000000-0000-0000-0000-000000000000"}
    with pytest.raises(client.exceptions.InvalidContactFlowException) as caught:
        client.create_contact_flow(
            InstanceId=instance_id,
            Name="Broken",
            Type="CONTACT_FLOW",
            Content=flow_content(start="m", actions=actions),
        )
    assert "flow module that does not exist" in caught.value.response["problems"][0]["message"]
