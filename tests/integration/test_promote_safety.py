"""Promote safety against the sandbox: auto-restore under an injected failure at each step,
--no-auto-restore, lock contention, a throttling storm, protected environments.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flowops.cli.main import app
from flowops.config import RateLimit
from flowops.connect import ClientSettings, ConnectClient
from flowops.deploy.apply import ApplyFailedError
from flowops.deploy.promote import promote
from flowops.deploy.releases import read_ledger
from flowops.deploy.rollback import rollback
from flowops.errors import BadInputError
from flowops.sandbox import SandboxServer
from flowops.sandbox.config import FaultRule, Quota
from tests.support import STAGING, WRITE_PREFIXES, git_repo, sandbox_environment_file
from tests.support.clients import environment
from tests.support.flows import flow_text
from tests.support.releases import live_state, released_once
from tests.support.repos import commit_files
from tests.support.scenarios import write_calls

#: (operation, nth call in the second promote) covering each kind of write in apply.
FAILURE_POINTS = [
    ("CreateContactFlow", 1),  # creating the new flow N
    ("CreateContactFlowVersion", 1),  # N's release version
    ("UpdateContactFlowContent", 1),  # A's new content (its restore point is release 1's)
    ("CreateContactFlowVersion", 2),  # A's release version
    ("UpdateContactFlowContent", 2),  # B's new content
    ("CreateContactFlowVersion", 3),  # B's release version
    ("UpdateContactFlowModuleContent", 1),  # the "running" record in the ledger
]


@pytest.mark.parametrize(("operation", "nth"), FAILURE_POINTS)
def test_failure_at_any_step_restores_every_changed_flow_and_rerun_converges(
    seeded_sandbox: SandboxServer, tmp_path: Path, operation: str, nth: int
) -> None:
    staging, repo, client = released_once(seeded_sandbox, tmp_path)
    before = live_state(client)
    seeded_sandbox.config.faults.append(
        FaultRule(
            operation=operation, error_code="AccessDeniedException", fail_nth=nth, account=STAGING
        )
    )
    with pytest.raises(ApplyFailedError) as info:
        promote(staging, "HEAD", repo, client=client)
    error = info.value
    assert error.exit_code == 1 and error.restored
    assert "where it is now" in str(error) and "AccessDenied" in str(error)
    # Only the flow whose step raised is not ok (none when the ledger write failed first):
    # its change did not happen, though its content is as before, like every other's.
    failed = [o for o in error.outcomes if o.happened.startswith("failed")]
    assert [o.key for o in error.outcomes if not o.ok] == [o.key for o in failed], str(error)
    assert len(failed) == (0 if operation.endswith("ModuleContent") else 1), str(error)
    assert all(o.now.startswith(("as before this run", "absent")) for o in failed), str(error)
    assert live_state(client) == before  # every flow as before the run; N absent again
    records = read_ledger(client)
    assert records[-1].status == "failed"
    assert all(f.outcome in ("restored", "deleted") for f in records[-1].flows)
    seeded_sandbox.config.faults.clear()
    done = promote(staging, "HEAD", repo, client=client)
    assert done.applied is not None and done.applied.release is not None
    assert {o.key for o in done.applied.outcomes} == {"flow:A", "flow:B", "flow:N"}
    again = promote(staging, "HEAD", repo, client=client)
    assert again.applied is not None and write_calls(again.applied.calls) == {}


def test_no_auto_restore_leaves_flows_and_says_where_each_is(
    seeded_sandbox: SandboxServer, tmp_path: Path
) -> None:
    staging, repo, client = released_once(seeded_sandbox, tmp_path)
    seeded_sandbox.config.faults.append(
        FaultRule(
            operation="UpdateContactFlowContent",
            error_code="AccessDeniedException",
            fail_nth=2,
            account=STAGING,
        )
    )
    with pytest.raises(ApplyFailedError) as info:
        promote(staging, "HEAD", repo, client=client, auto_restore=False)
    rows = {o.key: o for o in info.value.outcomes}
    assert not info.value.restored
    failed = [o for o in rows.values() if o.happened.startswith("failed")]
    assert len(failed) == 1 and failed[0].happened.startswith("failed")
    assert failed[0].now.startswith("as before this run (restore point v")
    others = [o for o in rows.values() if o is not failed[0]]
    assert all(
        o.now.startswith(("new content (release version", "as before this run")) for o in others
    )
    released = {o.key for o in others if o.now.startswith("new content")}
    # each other flow entirely at its old or new release; the one that failed is not ok
    assert all(o.ok for o in others) and not failed[0].ok
    assert released  # the first flows were left at their new release
    assert "nothing was restored" in str(info.value)
    seeded_sandbox.config.faults.clear()
    done = promote(staging, "HEAD", repo, client=client)
    assert done.applied is not None
    assert {o.key for o in done.applied.outcomes} == set(rows) - released  # converges


def test_throttling_storm_is_survived(seeded_sandbox: SandboxServer, tmp_path: Path) -> None:
    seeded_sandbox.config.enforce_quotas = True
    seeded_sandbox.config.default_quota = Quota(rate=20.0, burst=5)
    seeded_sandbox.config.faults.append(
        FaultRule(operation="*", error_code="ThrottlingException", error_rate=0.3, account=STAGING)
    )
    seeded_sandbox.config.rng.seed(7)
    staging = environment(
        seeded_sandbox, "staging", STAGING, rate_limit=RateLimit(rate=50.0, burst=10)
    )
    repo = git_repo(tmp_path, "Test")
    commit_files(repo, {f"S{i}.json": flow_text(f"S{i}") for i in range(3)})
    quick = ClientSettings(
        botocore_retry_mode="standard", botocore_max_attempts=1, backoff_base=0.02, backoff_cap=0.2
    )
    client = ConnectClient.for_environment(staging, settings=quick)
    done = promote(staging, "HEAD", tmp_path, client=client)
    assert done.applied is not None and done.applied.release is not None
    assert len(done.applied.outcomes) == 3
    assert sum(client.retries.values()) > 0  # the storm really happened


def test_protected_environment_needs_confirmation_and_a_clean_tree(
    seeded_sandbox: SandboxServer, tmp_path: Path
) -> None:
    staging = environment(seeded_sandbox, "staging", STAGING, protected=True)
    repo = git_repo(tmp_path, "Test")
    commit_files(repo, {"P.json": flow_text("P")})
    client = ConnectClient.for_environment(staging)
    with pytest.raises(BadInputError, match="protected"):
        promote(staging, "HEAD", tmp_path, client=client)
    with pytest.raises(BadInputError, match="protected"):
        promote(staging, "HEAD", tmp_path, client=client, confirm=lambda plan: False)
    assert write_calls(dict(client.calls)) == {}
    (tmp_path / "flows" / "P.json").write_text(flow_text("P", text="edited"))
    with pytest.raises(BadInputError, match="not clean"):
        promote(staging, "HEAD", tmp_path, yes=True)
    assert promote(staging, "HEAD", tmp_path, dry_run=True).applied is None
    repo.git.checkout("--", "flows/P.json")
    asked: list[int] = []

    def confirm(plan: object) -> bool:
        asked.append(1)
        return True

    done = promote(staging, "HEAD", tmp_path, confirm=confirm)
    assert asked == [1] and done.applied is not None and done.applied.release is not None


@pytest.mark.parametrize("aliases", [False, True])
def test_the_dry_run_lists_exactly_the_writes_the_promote_then_makes(
    seeded_sandbox: SandboxServer, tmp_path: Path, aliases: bool
) -> None:
    staging, repo, client = released_once(seeded_sandbox, tmp_path)
    if aliases:
        staging = replace(staging, use_aliases=True)
        client = ConnectClient.for_environment(staging)
    dry = promote(staging, "HEAD", repo, client=client, dry_run=True)
    assert dry.applied is None and dry.planned_calls
    assert live_state(client) == live_state(ConnectClient.for_environment(staging))
    sent: list[str] = []
    client.on_request = sent.append
    client.refresh_flows()
    done = promote(staging, "HEAD", repo, client=client)
    assert done.applied is not None and done.applied.release is not None
    writes = [op for op in sent if op.startswith(WRITE_PREFIXES)]
    # The lock and the "running" record first, the final record and the unlock last.
    assert writes[:2] == ["CreateContactFlowModule", "UpdateContactFlowModuleContent"]
    assert writes[-2:] == ["UpdateContactFlowModuleContent", "DeleteContactFlowModule"]
    assert writes[2:-2] == [call.split(" (")[0] for call, _ in dry.planned_calls]
    by_flow = {key for _, key in dry.planned_calls}
    assert by_flow == {o.key for o in done.applied.outcomes}


def test_where_connect_refuses_versions_promote_and_rollback_still_work_and_say_so(
    seeded_sandbox: SandboxServer, tmp_path: Path
) -> None:
    # As the API reference reads: CreateContactFlowVersion only for flows of type Campaign.
    seeded_sandbox.config.faults.append(
        FaultRule(
            operation="CreateContactFlowVersion",
            error_code="InvalidRequestException",
            error_rate=1.0,
            message="Versions are not supported for this flow type; only CAMPAIGN flows",
            account=STAGING,
        )
    )
    staging, repo, client = released_once(seeded_sandbox, tmp_path)
    first = live_state(client)
    done = promote(staging, "HEAD", repo, client=client)
    assert done.applied is not None and done.applied.release is not None
    assert any("no versions for CONTACT_FLOW flows" in w for w in done.applied.warnings)
    flows = [f for f in done.applied.release.flows if f.kind == "flow"]
    assert flows and all(f.version_before is None and f.version_after is None for f in flows)
    assert all(f.outcome == "released" for f in done.applied.release.flows)
    report = rollback(client, repo_path=repo)
    assert report.ok, report
    after = live_state(client)
    assert {k: after[k] for k in first} == first  # back at release 1, from git


def test_the_flow_whose_first_write_failed_is_the_failed_row_of_the_promote_table(
    seeded_sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write refused before anything was applied to its flow: that flow's row says it
    failed, and that its content is as before (not ok); the flows not started are ok."""
    staging, repo, client = released_once(seeded_sandbox, tmp_path)
    env_file = sandbox_environment_file(tmp_path / "envs", seeded_sandbox.url, "staging")

    def refuse_the_next_create() -> None:  # a fresh rule: each counts its own calls
        seeded_sandbox.config.faults = [
            FaultRule(
                operation="CreateContactFlow",
                error_code="AccessDeniedException",
                fail_nth=1,
                account=STAGING,
                message="injected refusal",
            )
        ]

    refuse_the_next_create()
    monkeypatch.chdir(repo)
    result = CliRunner().invoke(app, ["promote", "--env", str(env_file), "--yes"])
    assert result.exit_code == 1, result.output
    rows = {
        line.split()[0]: " ".join(line.split()[1:])
        for line in result.stderr.splitlines()
        if line.strip().startswith(("flow:", "module:"))
    }
    assert rows["flow:N"].startswith("failed: ") and "injected refusal" in rows["flow:N"]
    assert rows["flow:N"].endswith("as before this run (nothing was applied to it)")
    assert rows["flow:A"] == rows["flow:B"] == "not started as before this run"
    assert "no flow was changed" in " ".join(result.stderr.split())

    refuse_the_next_create()  # the library says the same, per flow
    with pytest.raises(ApplyFailedError) as info:
        promote(staging, "HEAD", repo, client=client)
    ok = {o.key: (o.ok, o.state) for o in info.value.outcomes}
    assert ok == {
        "flow:N": (False, "untouched"),
        "flow:A": (True, "untouched"),
        "flow:B": (True, "untouched"),
    }
    assert read_ledger(client)[-1].flows == ()  # nothing was applied: nothing recorded
