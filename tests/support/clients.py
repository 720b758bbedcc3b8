"""Clients for a sandbox: plain boto3 ones (wire tests) and flowops' own ConnectClient."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import botocore.config

from flowops.config import Environment
from flowops.connect import ClientSettings, ConnectClient
from flowops.sandbox import SandboxServer
from flowops.sandbox.seed import ACCOUNTS
from tests.support import DEV, FAST_RETRIES, sandbox_environment

#: ``factory(account=DEV, region="us-east-1", **botocore_config)`` -> a boto3 client.
ClientFactory = Callable[..., Any]


def make_client(
    url: str,
    account: str = DEV,
    region: str = "us-east-1",
    *,
    service: str = "connect",
    **config: Any,
) -> Any:
    """A plain boto3 client of ``service`` (Connect unless told, e.g. ``lexv2-models``) for
    a sandbox URL, signed as ``account``, no retries; ``config`` overrides botocore's."""
    settings: dict[str, Any] = {
        "retries": {"total_max_attempts": 1, "mode": "standard"},
        "connect_timeout": 5,
        "read_timeout": 30,
    }
    settings.update(config)
    return boto3.client(
        service,
        endpoint_url=url,
        region_name=region,
        aws_access_key_id=account,
        aws_secret_access_key="sandbox-secret",
        config=botocore.config.Config(**settings),
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


def client_for(
    sandbox: SandboxServer,
    account: str = DEV,
    *,
    settings: ClientSettings | None = FAST_RETRIES,
    **fields: Any,
) -> ConnectClient:
    """flowops' client for the seeded environment of ``account`` (dev, staging or prod).

    ``settings`` default to :data:`FAST_RETRIES` (None: the real defaults); ``fields`` are
    further :class:`~flowops.config.Environment` fields (``managed_names``, ``overrides``...).
    """
    name = next(n for n, a in ACCOUNTS.items() if a == account)
    env = sandbox_environment(sandbox.url, name, account, **fields)
    return ConnectClient.for_environment(env, settings=settings)


def environment(sandbox: SandboxServer, name: str, account: str, **fields: Any) -> Environment:
    """Environment ``name`` on ``sandbox`` in ``account``, unpaced unless ``rate_limit`` says."""
    return sandbox_environment(sandbox.url, name, account, **fields)
