"""Promote in an environment that routes entry points through aliases (``use_aliases``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowops.deploy.aliases import list_entry_alias
from flowops.deploy.apply import ApplyFailedError
from flowops.deploy.promote import promote
from flowops.deploy.releases import read_ledger
from flowops.sandbox import SandboxServer
from flowops.sandbox.config import FaultRule
from tests.support.repos import FlowRepo
from tests.support.scenarios import FLOWS, V1, V2, live, rb_client, release

pytestmark = pytest.mark.integration


def alias_versions(sandbox: SandboxServer) -> dict[str, int | None]:
    reader = rb_client(sandbox)
    out: dict[str, int | None] = {}
    for name in FLOWS:
        flow = reader.catalog(with_content=False).flow("flow", name)
        assert flow is not None
        alias = list_entry_alias(reader, "flow", flow.id)
        out[name] = alias.version if alias else None
    return out


def test_aliases_are_created_then_moved_and_put_back_when_a_release_fails(
    seeded_sandbox: SandboxServer, tmp_path: Path
) -> None:
    client = rb_client(seeded_sandbox, use_aliases=True)
    repo = FlowRepo(tmp_path / "repo")
    release(repo, client, V1)
    (first,) = read_ledger(client)
    assert alias_versions(seeded_sandbox) == {f.name: f.version_after for f in first.flows}
    assert all(f.alias_id for f in first.flows)
    before = live(rb_client(seeded_sandbox))

    # The second alias move fails (not retryable): the first alias goes back, every
    # flow's content is restored, and the failure says so.
    seeded_sandbox.config.faults.append(
        FaultRule(
            operation="UpdateContactFlowAlias",
            error_code="InvalidParameterException",
            fail_nth=[2],
            message="injected alias failure",
        )
    )
    sha = repo.commit(V2, "release 2")
    with pytest.raises(ApplyFailedError, match="injected alias failure") as failed:
        promote(client.env, sha, repo.root, client=client, tag=False)
    assert failed.value.restored
    assert alias_versions(seeded_sandbox) == {f.name: f.version_after for f in first.flows}
    assert live(rb_client(seeded_sandbox)) == before
    record = read_ledger(client)[-1]
    assert record.status == "failed"
    assert all(f.outcome in ("restored", "deleted") for f in record.flows)
    assert all(f.alias_id is None for f in record.flows)  # no alias stayed moved

    # Without the fault the same promote moves every alias to its release version.
    client.calls.clear()
    result = promote(client.env, sha, repo.root, client=client, tag=False)
    assert result.applied is not None and result.applied.release is not None
    moved = {f.name: f.version_after for f in result.applied.release.flows}
    assert alias_versions(seeded_sandbox) == moved
    assert client.calls["UpdateContactFlowAlias"] == 3
    assert not client.calls["ListContactFlowAliases"]  # ids from the records
    by_name = {o.name: o.alias_id for o in result.applied.outcomes}
    assert by_name == {f.name: f.alias_id for f in first.flows}


def test_dry_run_lists_the_alias_calls(seeded_sandbox: SandboxServer, tmp_path: Path) -> None:
    from flowops.deploy.render import render_calls

    client = rb_client(seeded_sandbox, use_aliases=True)
    repo = FlowRepo(tmp_path / "repo")
    sha = repo.commit(V1, "release 1")
    dry = promote(client.env, sha, repo.root, client=client, dry_run=True)
    text = render_calls(dry.plan, dry.planned_calls)
    assert text.count("CreateContactFlowAlias (entry alias)") == 3
    plain = rb_client(seeded_sandbox)
    dry = promote(plain.env, sha, repo.root, dry_run=True)
    assert "Alias" not in render_calls(dry.plan, dry.planned_calls)


def test_a_recorded_alias_deleted_by_hand_is_found_again(
    seeded_sandbox: SandboxServer, tmp_path: Path
) -> None:
    from flowops.deploy.rollback import rollback
    from tests.support.clients import make_client

    client = rb_client(seeded_sandbox, use_aliases=True)
    repo = FlowRepo(tmp_path / "repo")
    release(repo, client, V1)
    release(repo, client, V2)
    first, second = read_ledger(client)
    gamma = second.flow("flow:RB Gamma")
    assert gamma is not None and gamma.alias_id and gamma.version_after
    make_client(seeded_sandbox.url).delete_contact_flow_alias(
        InstanceId=client.instance_id, ContactFlowId=gamma.id, AliasId=gamma.alias_id
    )
    fresh = client.create_alias("flow", gamma.id, "live", gamma.version_after)

    client.calls.clear()
    report = rollback(client)
    assert report.ok and {o.result for o in report.outcomes} == {"repointed"}
    assert client.calls["ListContactFlowAliases"] == 1  # only for the stale id
    assert alias_versions(seeded_sandbox) == {f.name: f.version_after for f in first.flows}
    redone = read_ledger(client)[-1].flow("flow:RB Gamma")
    assert redone is not None and redone.alias_id == fresh
