"""Fixtures for integration tests: a sandbox on a free port and plain boto3 clients for it.

* ``sandbox``: a fresh in-memory :class:`SandboxServer`, quotas off, started and stopped
  around each test.
* ``connect_client``: a factory ``connect_client(account="111111111111", region=...)``
  returning a boto3 ``connect`` client signed as that account (the access key id is the
  account id), pointed at ``sandbox.url``, with botocore retries off so error tests are fast.
* ``seeded_sandbox``: ``sandbox`` with the standard seed (dev, staging, prod accounts).
* ``instance_id``: a new, empty instance in the dev account.
* ``released``: two promotes of the ``RB *`` flows (``tests.support.scenarios``).

Helpers these build on are in ``tests/support``; no test module imports another.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flowops.connect import ConnectClient
from flowops.sandbox import SandboxConfig, SandboxServer
from tests.support import DEV
from tests.support.clients import ClientFactory, client_for, create_instance, make_client
from tests.support.repos import FlowRepo
from tests.support.scenarios import (
    V1,
    V2,
    Released,
    canary_workspace,
    live,
    rb_client,
    release,
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


@pytest.fixture
def canary_cwd(
    seeded_sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> ConnectClient:
    """The working directory is a repository whose flows/ holds the candidate content of
    the entry flow, with a dev environment on the seeded sandbox; its client."""
    canary_workspace(tmp_path, seeded_sandbox)
    monkeypatch.chdir(tmp_path)
    return client_for(seeded_sandbox)


@pytest.fixture
def instance_id(connect_client: ClientFactory) -> str:
    """A new, empty instance in the dev account."""
    return create_instance(connect_client())


@pytest.fixture
def released(seeded_sandbox: SandboxServer, tmp_path: Path) -> Released:
    """Two promotes of three flows; a client (the one reader); the live state after each.

    Tests reuse one client where they can: building a boto3 client costs more than the
    calls these tests make.
    """
    client = rb_client(seeded_sandbox)
    repo = FlowRepo(tmp_path / "repo")
    release(repo, client, V1)
    first = live(client)
    release(repo, client, V2)
    second = live(client)
    assert first != second and len(first) == 3
    return seeded_sandbox, client, repo, first, second
