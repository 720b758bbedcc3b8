"""Fixtures for integration tests: a sandbox on a free port and plain boto3 clients for it.

* ``sandbox``: a fresh in-memory :class:`SandboxServer`, quotas off, started and stopped
  around each test.
* ``connect_client``: a factory ``connect_client(account="111111111111", region=...)``
  returning a boto3 ``connect`` client signed as that account (the access key id is the
  account id), pointed at ``sandbox.url``, with botocore retries off so error tests are fast.
* ``seeded_sandbox``: ``sandbox`` with the standard seed (dev, staging, prod accounts).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import botocore.config
import pytest

from flowops.sandbox import SandboxConfig, SandboxServer
from tests.support import DEV

ClientFactory = Callable[..., Any]


def make_client(url: str, account: str = DEV, region: str = "us-east-1", **config: Any) -> Any:
    """A plain boto3 Connect client for a sandbox URL, signed as ``account``."""
    settings: dict[str, Any] = {
        "retries": {"total_max_attempts": 1, "mode": "standard"},
        "connect_timeout": 5,
        "read_timeout": 30,
    }
    settings.update(config)
    return boto3.client(
        "connect",
        endpoint_url=url,
        region_name=region,
        aws_access_key_id=account,
        aws_secret_access_key="sandbox-secret",
        config=botocore.config.Config(**settings),
    )


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    """A fresh in-memory sandbox with quotas off."""
    with SandboxServer(":memory:", config=SandboxConfig.for_tests()) as server:
        yield server


@pytest.fixture
def connect_client(sandbox: SandboxServer) -> ClientFactory:
    """``connect_client(account=DEV, region="us-east-1", **botocore_config)``."""
    clients: dict[tuple[str, str], Any] = {}

    def factory(account: str = DEV, region: str = "us-east-1", **config: Any) -> Any:
        if config:
            return make_client(sandbox.url, account, region, **config)
        key = (account, region)
        if key not in clients:
            clients[key] = make_client(sandbox.url, account, region)
        return clients[key]

    return factory


@pytest.fixture
def seeded_sandbox(sandbox: SandboxServer) -> SandboxServer:
    """The ``sandbox`` fixture with the standard seed data loaded."""
    sandbox.seed()
    return sandbox


def flow_content(*, start: str = "hello", actions: list[dict[str, Any]] | None = None) -> str:
    """A small valid flow: a message, then disconnect (or the given actions)."""
    import json

    if actions is None:
        actions = [
            {
                "Identifier": "hello",
                "Type": "MessageParticipant",
                "Parameters": {"Text": "Hello"},
                "Transitions": {
                    "NextAction": "bye",
                    "Errors": [{"NextAction": "bye", "ErrorType": "NoMatchingError"}],
                },
            },
            {"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}},
        ]
    return json.dumps({"Version": "2019-10-30", "StartAction": start, "Actions": actions})


def module_content() -> str:
    """A small valid flow module."""
    import json

    return json.dumps(
        {
            "Version": "2019-10-30",
            "StartAction": "end",
            "Actions": [{"Identifier": "end", "Type": "EndFlowModuleExecution", "Parameters": {}}],
            "Settings": {"InputParameters": [], "OutputParameters": [], "Transitions": []},
        }
    )


def create_instance(client: Any, alias: str = "test") -> str:
    """Create an instance in the client's account; return its id."""
    response = client.create_instance(
        IdentityManagementType="CONNECT_MANAGED",
        InstanceAlias=alias,
        InboundCallsEnabled=True,
        OutboundCallsEnabled=True,
    )
    return str(response["Id"])


@pytest.fixture
def instance_id(connect_client: ClientFactory) -> str:
    """A new, empty instance in the dev account."""
    return create_instance(connect_client())
