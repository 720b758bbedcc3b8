"""Eventual consistency in the sandbox (``config.lag``): off by default; Search lags writes,
reads right after a create may answer ResourceNotFoundException, tags lag; seeded."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest

from flowops.model.templates import empty_content
from flowops.sandbox import Lag, SandboxServer
from tests.support.clients import ClientFactory
from tests.support.flows import flow_content

pytestmark = pytest.mark.integration


class Clock:
    """A clock the test moves by hand, so lag windows do not depend on machine load."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(sandbox: SandboxServer) -> Clock:
    """The sandbox's consistency clock, moved by hand."""
    fake = Clock()
    sandbox.backend.consistency.clock = fake
    return fake


def _names(client: Any, instance_id: str) -> list[str]:
    found = client.search_contact_flows(InstanceId=instance_id)["ContactFlows"]
    return [f["Name"] for f in found]


def _create(client: Any, instance_id: str, name: str) -> str:
    return str(
        client.create_contact_flow(
            InstanceId=instance_id, Name=name, Type="CONTACT_FLOW", Content=flow_content()
        )["ContactFlowId"]
    )


def test_off_by_default_every_write_is_visible_at_once(
    connect_client: ClientFactory, instance_id: str
) -> None:
    client = connect_client()
    fid = _create(client, instance_id, "A")
    client.describe_contact_flow(InstanceId=instance_id, ContactFlowId=fid)
    assert _names(client, instance_id) == ["A"]


def test_search_trails_creates_renames_tags_and_deletes(
    sandbox: SandboxServer, connect_client: ClientFactory, instance_id: str, clock: Clock
) -> None:
    client = connect_client()
    old = _create(client, instance_id, "Old")
    sandbox.config.lag = Lag(search=0.4)
    fid = _create(client, instance_id, "New")
    client.update_contact_flow_name(InstanceId=instance_id, ContactFlowId=old, Name="Renamed")
    arn = client.describe_contact_flow(InstanceId=instance_id, ContactFlowId=old)["ContactFlow"]
    client.tag_resource(resourceArn=arn["Arn"], tags={"k": "v"})
    tagged = {"TagFilter": {"TagCondition": {"TagKey": "k"}}}
    assert _names(client, instance_id) == ["Old"]  # no New, the old name
    assert (
        client.search_contact_flows(InstanceId=instance_id, SearchFilter=tagged)["ContactFlows"]
        == []
    )
    assert client.describe_contact_flow(InstanceId=instance_id, ContactFlowId=fid)  # not lagged
    clock.advance(0.45)
    assert _names(client, instance_id) == ["Renamed", "New"]
    hits = client.search_contact_flows(InstanceId=instance_id, SearchFilter=tagged)
    assert [f["Name"] for f in hits["ContactFlows"]] == ["Renamed"]
    client.delete_contact_flow(InstanceId=instance_id, ContactFlowId=fid)
    assert _names(client, instance_id) == ["Renamed", "New"]  # still indexed
    clock.advance(0.45)
    assert _names(client, instance_id) == ["Renamed"]


def _listed(client: Any, instance_id: str) -> list[str]:
    found = client.list_contact_flows(InstanceId=instance_id)["ContactFlowSummaryList"]
    return [f["Name"] for f in found]


def test_list_trails_creates_renames_and_deletes_by_its_own_lag(
    sandbox: SandboxServer, connect_client: ClientFactory, instance_id: str, clock: Clock
) -> None:
    client = connect_client()
    old = _create(client, instance_id, "Old")
    sandbox.config.lag = Lag(list=0.4)
    fid = _create(client, instance_id, "New")
    client.update_contact_flow_name(InstanceId=instance_id, ContactFlowId=old, Name="Renamed")
    assert _listed(client, instance_id) == ["Old"]  # no New, the old name
    assert _names(client, instance_id) == ["Renamed", "New"]  # Search does not lag here
    module = client.create_contact_flow_module(
        InstanceId=instance_id, Name="M", Content=json.dumps(empty_content("module"))
    )["Id"]
    modules = client.list_contact_flow_modules(InstanceId=instance_id)
    assert modules["ContactFlowModulesSummaryList"] == []
    clock.advance(0.45)
    assert _listed(client, instance_id) == ["Renamed", "New"]
    client.delete_contact_flow(InstanceId=instance_id, ContactFlowId=fid)
    client.delete_contact_flow_module(InstanceId=instance_id, ContactFlowModuleId=module)
    assert _listed(client, instance_id) == ["Renamed", "New"]  # still listed
    clock.advance(0.45)
    assert _listed(client, instance_id) == ["Renamed"]
    modules = client.list_contact_flow_modules(InstanceId=instance_id)
    assert modules["ContactFlowModulesSummaryList"] == []


def test_reads_right_after_a_create_may_not_find_it(
    sandbox: SandboxServer, connect_client: ClientFactory, instance_id: str, clock: Clock
) -> None:
    sandbox.config.lag = Lag(not_found=0.4, not_found_rate=1.0)
    client = connect_client()
    fid = _create(client, instance_id, "A")
    calls: tuple[Callable[[], Any], ...] = (
        lambda: client.describe_contact_flow(InstanceId=instance_id, ContactFlowId=fid),
        lambda: client.create_contact_flow_version(InstanceId=instance_id, ContactFlowId=fid),
        lambda: client.update_contact_flow_content(
            InstanceId=instance_id, ContactFlowId=fid, Content=flow_content()
        ),
    )
    for call in calls:
        with pytest.raises(client.exceptions.ResourceNotFoundException):
            call()
    clock.advance(0.45)
    version = client.create_contact_flow_version(InstanceId=instance_id, ContactFlowId=fid)
    alias = client.create_contact_flow_alias(
        InstanceId=instance_id,
        ContactFlowId=fid,
        ContactFlowVersion=version["Version"],
        AliasName="live",
    )
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.describe_contact_flow_alias(
            InstanceId=instance_id, ContactFlowId=fid, AliasId=alias["Id"]
        )
    sandbox.backend.consistency.reset()  # settle
    client.describe_contact_flow_alias(
        InstanceId=instance_id, ContactFlowId=fid, AliasId=alias["Id"]
    )


def _outcomes(sandbox: SandboxServer, client: Any, instance_id: str, name: str) -> list[bool]:
    """Whether each of 12 describes right after a create found the flow (seed 7)."""
    sandbox.config.update({"seed": 7, "lag": {"not_found": 5.0, "not_found_rate": 0.5}})
    fid = _create(client, instance_id, name)
    seen = []
    for _ in range(12):
        try:
            client.describe_contact_flow(InstanceId=instance_id, ContactFlowId=fid)
            seen.append(True)
        except client.exceptions.ResourceNotFoundException:
            seen.append(False)
    return seen


def test_not_found_draws_are_seeded(
    sandbox: SandboxServer, connect_client: ClientFactory, instance_id: str, clock: Clock
) -> None:
    client = connect_client()
    first = _outcomes(sandbox, client, instance_id, "A")
    assert first == _outcomes(sandbox, client, instance_id, "B")
    assert True in first and False in first


def test_tags_lag_and_the_admin_routes(
    sandbox: SandboxServer, connect_client: ClientFactory, instance_id: str, clock: Clock
) -> None:
    client = connect_client()
    fid = _create(client, instance_id, "A")
    arn = client.describe_contact_flow(InstanceId=instance_id, ContactFlowId=fid)["ContactFlow"][
        "Arn"
    ]
    body = json.dumps({"lag": {"tags": 0.4}}).encode()
    request = urllib.request.Request(f"{sandbox.url}/_sandbox/config", data=body, method="POST")
    with urllib.request.urlopen(request) as answer:
        assert json.load(answer)["lag"]["tags"] == 0.4
    client.tag_resource(resourceArn=arn, tags={"k": "v"})
    assert client.list_tags_for_resource(resourceArn=arn)["tags"] == {}
    assert (
        client.describe_contact_flow(InstanceId=instance_id, ContactFlowId=fid)["ContactFlow"][
            "Tags"
        ]
        == {}
    )
    settle = urllib.request.Request(f"{sandbox.url}/_sandbox/lag/settle", data=b"", method="POST")
    with urllib.request.urlopen(settle) as answer:
        assert json.load(answer) == {"ok": True}
    assert client.list_tags_for_resource(resourceArn=arn)["tags"] == {"k": "v"}
    client.untag_resource(resourceArn=arn, tagKeys=["k"])
    assert client.list_tags_for_resource(resourceArn=arn)["tags"] == {"k": "v"}
    clock.advance(0.45)
    assert client.list_tags_for_resource(resourceArn=arn)["tags"] == {}


def test_lag_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from flowops.errors import BadInputError
    from flowops.sandbox import SandboxConfig
    from flowops.sandbox.config import LAG_ENV

    monkeypatch.setenv(LAG_ENV, "search=2, not_found=1,not_found_rate=0.25")
    lag = SandboxConfig.from_env().lag
    assert (lag.search, lag.not_found, lag.not_found_rate, lag.tags) == (2.0, 1.0, 0.25, 0.0)
    assert lag.list == 0.0
    monkeypatch.setenv(LAG_ENV, "searhc=2")
    with pytest.raises(BadInputError, match="name=seconds"):
        SandboxConfig.from_env()
    assert Lag.everywhere(1.0).enabled and not Lag().enabled
