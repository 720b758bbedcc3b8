"""Versions and aliases of flows and modules: immutable, monotonic, sha-guarded."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from flowops.sandbox import SandboxServer
from tests.support.clients import ClientFactory
from tests.support.flows import flow_content, module_content

pytestmark = pytest.mark.integration


def _flow(client: Any, instance_id: str, name: str = "Main") -> dict[str, Any]:
    return dict(
        client.create_contact_flow(
            InstanceId=instance_id, Name=name, Type="CONTACT_FLOW", Content=flow_content()
        )
    )


def test_versions_are_immutable_and_monotonic(
    connect_client: ClientFactory, instance_id: str
) -> None:
    client = connect_client()
    created = _flow(client, instance_id)
    fid, arn = created["ContactFlowId"], created["ContactFlowArn"]
    v1 = client.create_contact_flow_version(
        InstanceId=instance_id, ContactFlowId=fid, Description="first"
    )
    assert v1["Version"] == 1 and v1["ContactFlowArn"] == f"{arn}:1"
    again = client.create_contact_flow_version(InstanceId=instance_id, ContactFlowId=fid)
    assert again["Version"] == 1, "same content returns the existing version"
    second = flow_content().replace("Hello", "Hi")
    client.update_contact_flow_content(InstanceId=instance_id, ContactFlowId=fid, Content=second)
    v2 = client.create_contact_flow_version(
        InstanceId=instance_id, ContactFlowId=fid, Description="second"
    )
    assert v2["Version"] == 2
    old = client.describe_contact_flow(InstanceId=instance_id, ContactFlowId=f"{fid}:1")
    assert old["ContactFlow"]["Content"] == flow_content()
    assert old["ContactFlow"]["Version"] == 1
    assert old["ContactFlow"]["VersionDescription"] == "first"
    assert old["ContactFlow"]["Arn"] == f"{arn}:1"
    new = client.describe_contact_flow(InstanceId=instance_id, ContactFlowId=f"{arn}:2")
    assert new["ContactFlow"]["Content"] == second
    listed = client.list_contact_flow_versions(InstanceId=instance_id, ContactFlowId=fid)
    assert [v["Version"] for v in listed["ContactFlowVersionSummaryList"]] == [1, 2]
    assert listed["ContactFlowVersionSummaryList"][1]["VersionDescription"] == "second"
    # deleting a version never reuses its number
    client.delete_contact_flow_version(
        InstanceId=instance_id, ContactFlowId=fid, ContactFlowVersion=2
    )
    client.update_contact_flow_content(
        InstanceId=instance_id, ContactFlowId=fid, Content=flow_content().replace("Hello", "Hey")
    )
    v3 = client.create_contact_flow_version(InstanceId=instance_id, ContactFlowId=fid)
    assert v3["Version"] == 3
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.describe_contact_flow(InstanceId=instance_id, ContactFlowId=f"{fid}:2")


def test_version_sha_precondition(connect_client: ClientFactory, instance_id: str) -> None:
    client = connect_client()
    created = _flow(client, instance_id)
    fid = created["ContactFlowId"]
    assert created["FlowContentSha256"] == hashlib.sha256(flow_content().encode()).hexdigest()
    with pytest.raises(client.exceptions.InvalidRequestException) as caught:
        client.create_contact_flow_version(
            InstanceId=instance_id, ContactFlowId=fid, FlowContentSha256="0" * 64
        )
    assert "does not match" in caught.value.response["Error"]["Message"]
    ok = client.create_contact_flow_version(
        InstanceId=instance_id, ContactFlowId=fid, FlowContentSha256=created["FlowContentSha256"]
    )
    assert ok["Version"] == 1


def test_unpublished_flow_has_no_version(connect_client: ClientFactory, instance_id: str) -> None:
    client = connect_client()
    fid = client.create_contact_flow(
        InstanceId=instance_id, Name="Draft", Type="CONTACT_FLOW", Content="{}", Status="SAVED"
    )["ContactFlowId"]
    with pytest.raises(client.exceptions.ContactFlowNotPublishedException) as caught:
        client.create_contact_flow_version(InstanceId=instance_id, ContactFlowId=fid)
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(client.exceptions.ContactFlowNotPublishedException):
        client.describe_contact_flow(InstanceId=instance_id, ContactFlowId=f"{fid}:$LATEST")


def test_versions_of_every_flow_type(connect_client: ClientFactory, instance_id: str) -> None:
    """The API reference once said campaign flows only; the admin guide says all flows."""
    client = connect_client()
    for flow_type in ("CONTACT_FLOW", "CUSTOMER_QUEUE", "AGENT_WHISPER", "CAMPAIGN"):
        fid = client.create_contact_flow(
            InstanceId=instance_id, Name=flow_type, Type=flow_type, Content=_content(flow_type)
        )["ContactFlowId"]
        assert (
            client.create_contact_flow_version(InstanceId=instance_id, ContactFlowId=fid)["Version"]
            == 1
        )


def test_campaign_only_versions_switch(
    sandbox: SandboxServer, connect_client: ClientFactory, instance_id: str
) -> None:
    """The API reference's reading: versions only for flows of type Campaign."""
    sandbox.config.strict.campaign_only_versions = True
    client = connect_client()
    ids = {
        flow_type: client.create_contact_flow(
            InstanceId=instance_id, Name=flow_type, Type=flow_type, Content=_content(flow_type)
        )["ContactFlowId"]
        for flow_type in ("CONTACT_FLOW", "AGENT_WHISPER", "CAMPAIGN")
    }
    for flow_type in ("CONTACT_FLOW", "AGENT_WHISPER"):
        with pytest.raises(client.exceptions.InvalidParameterException, match="type Campaign"):
            client.create_contact_flow_version(InstanceId=instance_id, ContactFlowId=ids[flow_type])
    campaign = client.create_contact_flow_version(
        InstanceId=instance_id, ContactFlowId=ids["CAMPAIGN"]
    )
    assert campaign["Version"] == 1
    module = client.create_contact_flow_module(
        InstanceId=instance_id, Name="M", Content=module_content()
    )
    version = client.create_contact_flow_module_version(
        InstanceId=instance_id, ContactFlowModuleId=module["Id"]
    )
    assert version["Version"] == 1  # modules are not flows of a type: unaffected
    sandbox.config.update({"strict": {"campaign_only_versions": False}})
    again = client.create_contact_flow_version(
        InstanceId=instance_id, ContactFlowId=ids["CONTACT_FLOW"]
    )
    assert again["Version"] == 1


def _content(flow_type: str) -> str:
    """A valid flow of ``flow_type``: whisper and hold flows end, they cannot disconnect."""
    if flow_type in ("CONTACT_FLOW", "CUSTOMER_QUEUE", "CAMPAIGN"):
        return flow_content()
    end = {"Identifier": "end", "Type": "EndFlowExecution", "Parameters": {}}
    hello = {
        "Identifier": "hello",
        "Type": "MessageParticipant",
        "Parameters": {"Text": "Hello"},
        "Transitions": {"NextAction": "end"},
    }
    return flow_content(actions=[hello, end])


def test_aliases(connect_client: ClientFactory, instance_id: str) -> None:
    client = connect_client()
    created = _flow(client, instance_id)
    fid = created["ContactFlowId"]
    client.create_contact_flow_version(InstanceId=instance_id, ContactFlowId=fid)
    client.update_contact_flow_content(
        InstanceId=instance_id, ContactFlowId=fid, Content=flow_content().replace("Hello", "Hi")
    )
    client.create_contact_flow_version(InstanceId=instance_id, ContactFlowId=fid)
    alias = client.create_contact_flow_alias(
        InstanceId=instance_id,
        ContactFlowId=fid,
        ContactFlowVersion=1,
        AliasName="live",
        Description="production",
    )
    alias_id = alias["Id"]
    described = client.describe_contact_flow_alias(
        InstanceId=instance_id, ContactFlowId=fid, AliasId=alias_id
    )["ContactFlowAlias"]
    assert described["Version"] == 1 and described["Name"] == "live"
    assert described["ContactFlowId"] == fid
    via_alias = client.describe_contact_flow(InstanceId=instance_id, ContactFlowId=f"{fid}:live")
    assert via_alias["ContactFlow"]["Version"] == 1
    client.update_contact_flow_alias(
        InstanceId=instance_id, ContactFlowId=fid, AliasId=alias_id, ContactFlowVersion=2
    )
    via_alias = client.describe_contact_flow(InstanceId=instance_id, ContactFlowId=f"{fid}:live")
    assert via_alias["ContactFlow"]["Version"] == 2
    with pytest.raises(client.exceptions.DuplicateResourceException):
        client.create_contact_flow_alias(
            InstanceId=instance_id, ContactFlowId=fid, ContactFlowVersion=1, AliasName="live"
        )
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.create_contact_flow_alias(
            InstanceId=instance_id, ContactFlowId=fid, ContactFlowVersion=9, AliasName="canary"
        )
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.update_contact_flow_alias(
            InstanceId=instance_id, ContactFlowId=fid, AliasId=alias_id, ContactFlowVersion=9
        )
    with pytest.raises(client.exceptions.InvalidParameterException):
        client.create_contact_flow_alias(
            InstanceId=instance_id, ContactFlowId=fid, ContactFlowVersion=1, AliasName="$SAVED"
        )
    with pytest.raises(client.exceptions.ConditionalOperationFailedException) as caught:
        client.delete_contact_flow_version(
            InstanceId=instance_id, ContactFlowId=fid, ContactFlowVersion=2
        )
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    client.create_contact_flow_alias(
        InstanceId=instance_id, ContactFlowId=fid, ContactFlowVersion=1, AliasName="canary"
    )
    pages = list(
        client.get_paginator("list_contact_flow_aliases").paginate(
            InstanceId=instance_id, ContactFlowId=fid, PaginationConfig={"PageSize": 1}
        )
    )
    names = [a["AliasName"] for p in pages for a in p["ContactFlowAliasSummaryList"]]
    assert names == ["live", "canary"]
    client.delete_contact_flow_alias(InstanceId=instance_id, ContactFlowId=fid, AliasId=alias_id)
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.describe_contact_flow_alias(
            InstanceId=instance_id, ContactFlowId=fid, AliasId=alias_id
        )
    client.delete_contact_flow_version(
        InstanceId=instance_id, ContactFlowId=fid, ContactFlowVersion=2
    )


def test_version_paginator(connect_client: ClientFactory, instance_id: str) -> None:
    client = connect_client()
    fid = _flow(client, instance_id)["ContactFlowId"]
    for i in range(5):
        client.update_contact_flow_content(
            InstanceId=instance_id,
            ContactFlowId=fid,
            Content=flow_content().replace("Hello", f"Hello {i}"),
        )
        client.create_contact_flow_version(InstanceId=instance_id, ContactFlowId=fid)
    pages = list(
        client.get_paginator("list_contact_flow_versions").paginate(
            InstanceId=instance_id, ContactFlowId=fid, PaginationConfig={"PageSize": 2}
        )
    )
    assert [v["Version"] for p in pages for v in p["ContactFlowVersionSummaryList"]] == [
        1,
        2,
        3,
        4,
        5,
    ]


def test_module_versions_and_aliases(connect_client: ClientFactory, instance_id: str) -> None:
    client = connect_client()
    created = client.create_contact_flow_module(
        InstanceId=instance_id, Name="Auth", Content=module_content()
    )
    mid = created["Id"]
    module = client.describe_contact_flow_module(InstanceId=instance_id, ContactFlowModuleId=mid)[
        "ContactFlowModule"
    ]
    sha = module["FlowModuleContentSha256"]
    with pytest.raises(client.exceptions.InvalidRequestException):
        client.create_contact_flow_module_version(
            InstanceId=instance_id, ContactFlowModuleId=mid, FlowModuleContentSha256="f" * 64
        )
    v1 = client.create_contact_flow_module_version(
        InstanceId=instance_id, ContactFlowModuleId=mid, FlowModuleContentSha256=sha
    )
    assert v1["Version"] == 1 and v1["ContactFlowModuleArn"] == f"{created['Arn']}:1"
    alias = client.create_contact_flow_module_alias(
        InstanceId=instance_id,
        ContactFlowModuleId=mid,
        ContactFlowModuleVersion=1,
        AliasName="live",
    )
    got = client.describe_contact_flow_module_alias(
        InstanceId=instance_id, ContactFlowModuleId=mid, AliasId=alias["Id"]
    )
    assert got["ContactFlowModuleAlias"]["Version"] == 1
    client.update_contact_flow_module_alias(
        InstanceId=instance_id, ContactFlowModuleId=mid, AliasId=alias["Id"], Description="d"
    )
    listed = client.list_contact_flow_module_aliases(
        InstanceId=instance_id, ContactFlowModuleId=mid
    )
    assert listed["ContactFlowModuleAliasSummaryList"][0]["AliasDescription"] == "d"
    versions = client.list_contact_flow_module_versions(
        InstanceId=instance_id, ContactFlowModuleId=mid
    )
    assert [v["Version"] for v in versions["ContactFlowModuleVersionSummaryList"]] == [1]
    by_version = client.describe_contact_flow_module(
        InstanceId=instance_id, ContactFlowModuleId=f"{mid}:1"
    )
    assert by_version["ContactFlowModule"]["Version"] == 1
    with pytest.raises(client.exceptions.ConditionalOperationFailedException):
        client.delete_contact_flow_module_version(
            InstanceId=instance_id, ContactFlowModuleId=mid, ContactFlowModuleVersion=1
        )
    client.delete_contact_flow_module_alias(
        InstanceId=instance_id, ContactFlowModuleId=mid, AliasId=alias["Id"]
    )
    client.delete_contact_flow_module_version(
        InstanceId=instance_id, ContactFlowModuleId=mid, ContactFlowModuleVersion=1
    )


def test_module_version_and_alias_paginators(
    connect_client: ClientFactory, instance_id: str
) -> None:
    client = connect_client()
    mid = client.create_contact_flow_module(
        InstanceId=instance_id, Name="Paged", Content=module_content()
    )["Id"]
    for i in range(3):
        content = module_content().replace('"end"', f'"end{i}"')
        client.update_contact_flow_module_content(
            InstanceId=instance_id, ContactFlowModuleId=mid, Content=content
        )
        client.create_contact_flow_module_version(InstanceId=instance_id, ContactFlowModuleId=mid)
    for name, version in (("live", 1), ("next", 3)):
        client.create_contact_flow_module_alias(
            InstanceId=instance_id,
            ContactFlowModuleId=mid,
            ContactFlowModuleVersion=version,
            AliasName=name,
        )
    versions = list(
        client.get_paginator("list_contact_flow_module_versions").paginate(
            InstanceId=instance_id, ContactFlowModuleId=mid, PaginationConfig={"PageSize": 2}
        )
    )
    assert len(versions) == 2
    listed = [v["Version"] for p in versions for v in p["ContactFlowModuleVersionSummaryList"]]
    assert listed == [1, 2, 3]
    aliases = list(
        client.get_paginator("list_contact_flow_module_aliases").paginate(
            InstanceId=instance_id, ContactFlowModuleId=mid, PaginationConfig={"PageSize": 1}
        )
    )
    assert len(aliases) == 2
    assert [
        (a["AliasName"], a["Version"])
        for p in aliases
        for a in p["ContactFlowModuleAliasSummaryList"]
    ] == [("live", 1), ("next", 3)]
