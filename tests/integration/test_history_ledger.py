"""The ledger is found with one name-filtered Search, not by listing the whole catalog."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowops.deploy.history import history
from flowops.deploy.releases import LEDGER_NAME, find_ledger, read_ledger
from flowops.deploy.rollback import rollback
from flowops.sandbox import SandboxServer
from flowops.sandbox.config import FaultRule
from tests.support.repos import FlowRepo
from tests.support.scenarios import V1, V2, rb_client, release

pytestmark = pytest.mark.integration


@pytest.fixture
def two_releases(seeded_sandbox: SandboxServer, tmp_path: Path) -> SandboxServer:
    client = rb_client(seeded_sandbox)
    repo = FlowRepo(tmp_path / "repo")
    release(repo, client, V1)
    release(repo, client, V2)
    return seeded_sandbox


def test_history_and_rollback_read_the_ledger_with_one_search(
    two_releases: SandboxServer,
) -> None:
    sandbox = two_releases
    client = rb_client(sandbox)
    hist = history(client.env, client=client)
    assert [r.id for r in hist.releases] == [2, 1]
    # Resolving the instance alias is one ListInstances; the ledger is one Search, then
    # one Describe by id (a lagging index could hand back an older copy of the content).
    assert dict(client.calls) == {
        "ListInstances": 1,
        "SearchContactFlowModules": 1,
        "DescribeContactFlowModule": 1,
    }

    sandbox.request_log.reset()
    plan = rollback(client, dry_run=True)
    assert plan.plan.reverts == ("2",)
    flows = len(plan.plan.steps)
    # + each flow read by id (rollback refuses flows running a canary, even if the index
    # lags), + the version each one goes back to: the dry run is the executor itself, run
    # with a recording client, so it makes the rollback's reads (never its writes).
    counts = {op: n for (_, op), n in sandbox.request_log.counts().items()}
    assert counts == {
        "SearchContactFlowModules": 1,
        "DescribeContactFlowModule": 1,
        "DescribeContactFlow": 2 * flows,
    }


def test_without_search_permission_the_ledger_is_listed_then_described(
    two_releases: SandboxServer,
) -> None:
    sandbox = two_releases
    sandbox.config.faults.append(
        FaultRule(
            operation="SearchContactFlowModules",
            error_code="AccessDeniedException",
            error_rate=1.0,
            message="not allowed",
        )
    )
    client = rb_client(sandbox)
    records = read_ledger(client)
    assert [r.id for r in records] == [1, 2]
    assert client.calls["ListContactFlowModules"] == 1
    assert client.calls["DescribeContactFlowModule"] <= 2
    assert not client.calls["ListQueues"]  # no catalog listing
    assert any("SearchContactFlowModules unavailable" in w for w in client.warnings)


def test_find_ledger_is_none_in_a_fresh_environment(seeded_sandbox: SandboxServer) -> None:
    client = rb_client(seeded_sandbox)
    assert find_ledger(client) is None
    assert client.find_by_name("module", LEDGER_NAME + "-not") is None
    assert client.calls["SearchContactFlowModules"] == 2


def test_a_rollback_reads_the_ledger_twice_and_writes_it_once(
    two_releases: SandboxServer,
) -> None:
    client = rb_client(two_releases)
    report = rollback(client)
    assert report.ok
    # Once to plan, once fresh under the lock; the records are appended to that copy:
    # "running" before the first write, then the final record.
    assert client.calls["SearchContactFlowModules"] == 2
    assert client.calls["UpdateContactFlowModuleContent"] == 2
    assert [r.kind for r in read_ledger(client)][-1] == "rollback"
