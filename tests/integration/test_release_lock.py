"""The environment lock and ``flowops unlock``, against the sandbox through real boto3.

Checked with plain boto3 where it matters (is the lock module there?), not through the
client under test.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import git
import pytest
from typer.testing import CliRunner

from flowops.cli.main import app
from flowops.connect import ConnectClient
from flowops.deploy import lock
from flowops.deploy.apply import apply_plan
from flowops.deploy.plan import make_plan
from flowops.deploy.promote import desired_state, promote
from flowops.deploy.releases import read_ledger
from flowops.errors import CheckFailedError
from flowops.sandbox import SandboxServer
from flowops.sandbox.config import FaultRule
from tests.support import STAGING, sandbox_environment_file
from tests.support.flows import flow_text
from tests.support.releases import dead_pid, live_state, lock_modules, race, released_once
from tests.support.repos import commit_files
from tests.support.scenarios import write_calls


def test_a_held_lock_stops_a_second_promote_naming_the_holder_and_the_unlock_command(
    seeded_sandbox: SandboxServer, tmp_path: Path
) -> None:
    staging, repo, client = released_once(seeded_sandbox, tmp_path)
    other = ConnectClient.for_environment(staging)
    held = lock.acquire(other, holder=lock.Holder("alice", "laptop", 4242))
    before = live_state(client)
    calls_before = dict(client.calls)
    with pytest.raises(lock.LockHeldError) as info:
        promote(staging, "HEAD", repo, client=client)
    message = str(info.value)
    assert "alice@laptop pid 4242" in message and info.value.exit_code == 1
    assert f"flowops unlock --env staging {held.token}" in message
    assert live_state(client) == before
    new_writes = {k: v - calls_before.get(k, 0) for k, v in write_calls(dict(client.calls)).items()}
    assert {k: v for k, v in new_writes.items() if v} == {"CreateContactFlowModule": 1}
    lock.release(other, held)
    assert lock_modules(seeded_sandbox) == []
    done = promote(staging, "HEAD", repo, client=client)
    assert done.applied is not None and done.applied.release is not None
    assert lock_modules(seeded_sandbox) == []  # given back


def test_two_promotes_started_at_the_same_moment_never_both_write(
    seeded_sandbox: SandboxServer, tmp_path: Path
) -> None:
    staging, repo, _ = released_once(seeded_sandbox, tmp_path)
    clients, _ = race(staging, repo)
    records = read_ledger(clients[0])
    assert [r.status for r in records] == ["released", "released"]
    assert lock_modules(seeded_sandbox) == []


def test_an_expired_lock_is_taken_over(seeded_sandbox: SandboxServer, tmp_path: Path) -> None:
    staging, repo, client = released_once(seeded_sandbox, tmp_path)
    old = datetime.now(UTC) - timedelta(hours=2)
    crashed = lock.acquire(
        ConnectClient.for_environment(staging),
        holder=lock.Holder("crashed", "ci-host", 1),
        now=lambda: old,
    )
    done = promote(staging, "HEAD", repo, client=client)
    assert done.applied is not None and done.applied.release is not None
    assert crashed.module_id not in lock_modules(seeded_sandbox)
    assert lock_modules(seeded_sandbox) == []


def test_a_stale_lock_is_reported_with_the_command_and_unlock_clears_it_and_is_recorded(
    seeded_sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    staging, repo, client = released_once(seeded_sandbox, tmp_path)
    import socket

    gone = lock.Holder("bob", socket.gethostname(), dead_pid())
    held = lock.acquire(ConnectClient.for_environment(staging), holder=gone)
    with pytest.raises(lock.LockHeldError) as info:
        promote(staging, "HEAD", repo, client=client)
    assert "stale" in str(info.value) and "no longer runs" in str(info.value)
    command = f"flowops unlock --env staging {held.token}"
    assert command in str(info.value)

    envs = tmp_path / "envs"
    env_file = sandbox_environment_file(envs, seeded_sandbox.url, "staging", STAGING)
    runner = CliRunner()
    wrong = runner.invoke(app, ["unlock", "--env", str(env_file), "deadbeef", "--yes"])
    assert wrong.exit_code == 1 and held.token in wrong.output
    unasked = runner.invoke(app, ["unlock", "--env", str(env_file), held.token])
    assert unasked.exit_code == 2 and "confirmation" in unasked.output
    assert lock_modules(seeded_sandbox) == [held.module_id]
    done = runner.invoke(app, ["unlock", "--env", str(env_file), held.token, "--yes"])
    assert done.exit_code == 0, done.output
    assert lock_modules(seeded_sandbox) == []
    record = read_ledger(client)[-1]
    assert record.kind == "unlock" and held.token in record.message and "bob@" in record.message
    again = promote(staging, "HEAD", repo, client=client)
    assert again.applied is not None and again.applied.release is not None


def test_a_lock_that_cannot_be_given_back_is_said_with_the_command(
    seeded_sandbox: SandboxServer, tmp_path: Path
) -> None:
    staging, repo, client = released_once(seeded_sandbox, tmp_path)
    seeded_sandbox.config.faults.append(
        FaultRule(
            operation="DeleteContactFlowModule",
            error_code="AccessDeniedException",
            error_rate=1.0,
            account=STAGING,
        )
    )
    done = promote(staging, "HEAD", repo, client=client)
    assert done.applied is not None and done.applied.release is not None
    [warning] = [w for w in done.applied.warnings if "lock" in w]
    held = lock.read_lock(client)
    assert held is not None and f"flowops unlock --env staging {held.token}" in warning


def test_every_canary_command_that_writes_holds_the_lock(seeded_sandbox: SandboxServer) -> None:
    from flowops.deploy.canary import abort_canary, promote_canary, ramp_canary, start_canary
    from tests.support.clients import client_for
    from tests.support.scenarios import MAIN, candidate_doc

    client = client_for(seeded_sandbox)
    other = client_for(seeded_sandbox)
    start_canary(client, MAIN, candidate_doc(), 10, ref="abc123")
    held = lock.acquire(other, holder=lock.Holder("carol", "laptop", 7))
    attempts: tuple[Callable[[], object], ...] = (
        lambda: ramp_canary(client, MAIN, 50),
        lambda: abort_canary(client, MAIN),
        lambda: promote_canary(client, MAIN),
    )
    for attempt in attempts:
        with pytest.raises(lock.LockHeldError, match="carol@laptop"):
            attempt()
    lock.release(other, held)
    assert ramp_canary(client, MAIN, 50).percent == 50
    abort_canary(client, MAIN)
    held = lock.acquire(other, holder=lock.Holder("carol", "laptop", 7))
    with pytest.raises(lock.LockHeldError):
        start_canary(client, MAIN, candidate_doc(), 10)
    lock.release(other, held)
    assert start_canary(client, MAIN, candidate_doc(), 10).percent == 10
    assert lock_modules(seeded_sandbox, client.env.account_id) == []


def repo_obj(path: Path) -> git.Repo:
    return git.Repo(path)


def test_quiet_silences_progress_and_without_it_ci_gets_plain_lines(
    seeded_sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    staging, repo, _ = released_once(seeded_sandbox, tmp_path)
    env_file = sandbox_environment_file(tmp_path / "envs", seeded_sandbox.url, "staging", STAGING)
    monkeypatch.chdir(repo)
    runner = CliRunner()
    quiet = runner.invoke(app, ["promote", "--to", str(env_file), "--quiet", "--dry-run"])
    assert quiet.exit_code == 0, quiet.output
    loud = runner.invoke(app, ["promote", "--to", str(env_file)])
    assert loud.exit_code == 0, loud.output
    lines = [line for line in loud.stderr.splitlines() if line.startswith("promote staging:")]
    assert lines and lines[-1].startswith("promote staging: 3/3 flows")
    assert "calls" in lines[-1]
    commit_files(repo_obj(repo), {"A.json": flow_text("A", module="module:M", text="A v3")})
    silent = runner.invoke(app, ["promote", "--to", str(env_file), "--quiet"])
    assert silent.exit_code == 0, silent.output
    assert "promote staging:" not in silent.stderr


def test_a_plan_made_before_another_release_landed_is_not_applied(
    seeded_sandbox: SandboxServer, tmp_path: Path
) -> None:
    staging, repo, _ = released_once(seeded_sandbox, tmp_path)
    late, first = (ConnectClient.for_environment(staging) for _ in range(2))
    desired, sha = desired_state(git.Repo(repo), "HEAD", "flows")
    plan = make_plan(staging, desired, late, commit=sha)  # its plan is made now ...
    done = promote(staging, "HEAD", repo, client=first, tag=False)  # ... another lands
    assert done.applied is not None and done.applied.release is not None
    before = live_state(first)
    with pytest.raises(CheckFailedError, match="got a release since this plan was made"):
        apply_plan(plan, late)
    assert live_state(first) == before
    writes = {k for k, v in write_calls(dict(late.calls)).items() if v}
    assert writes == {"CreateContactFlowModule", "DeleteContactFlowModule"}  # the lock only
    assert [r.id for r in read_ledger(first)] == [1, 2]
