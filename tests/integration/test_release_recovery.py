"""Recovery paths of the release engine, each driven through real boto3 against the sandbox:

* without a console edit, the previous release's version is the restore point (the
  2-writes path: no new restore-point version; an edit between plan and apply stops the
  promote, see ``test_lag_release_suite.py``);
* locks written by the previous flowops (a ``flowops:lock`` tag on the ledger) are
  recognised, reported with the unlock command, and cleared by ``flowops unlock``;
* versionless environments (Connect refusing versions for non-campaign flows): rollback
  restores from the content kept in Connect, without the git repository.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flowops.cli.main import app
from flowops.connect import ConnectClient
from flowops.connect.catalog import RemoteFlow
from flowops.deploy import lock
from flowops.deploy.apply import apply_plan
from flowops.deploy.plan import make_plan
from flowops.deploy.promote import desired_state, promote
from flowops.deploy.releases import LEDGER_NAME, RESTORE_NAME, read_ledger
from flowops.deploy.rollback import rollback
from flowops.repo import open_repo
from flowops.sandbox import SandboxConfig, SandboxServer
from tests.support import STAGING, git_repo, sandbox_environment_file
from tests.support.clients import environment, make_client
from tests.support.flows import flow_text
from tests.support.releases import live_state, lock_modules, released_once
from tests.support.repos import commit_files
from tests.support.scenarios import write_calls


def _instance(boto: object) -> str:
    return str(boto.list_instances()["InstanceSummaryList"][0]["Id"])  # type: ignore[attr-defined]


def test_without_an_edit_the_previous_release_version_is_the_restore_point(
    seeded_sandbox: SandboxServer, tmp_path: Path
) -> None:
    staging, repo, client = released_once(seeded_sandbox, tmp_path)
    client.refresh_flows()
    first = live_state(client)
    desired, sha = desired_state(open_repo(repo), "HEAD", "flows")
    plan = make_plan(staging, desired, client, ref="HEAD", commit=sha)
    start = dict(client.calls)
    result = apply_plan(plan, client)
    assert result.release is not None
    writes = write_calls({k: v - start.get(k, 0) for k, v in client.calls.items()})
    assert writes["CreateContactFlowVersion"] == 3  # release versions of A, B, N only
    assert rollback(client).ok
    after = live_state(client)
    assert {k: after[k] for k in first} == first
    assert read_ledger(client)[-1].kind == "rollback"


def _tag_ledger(sandbox: SandboxServer, client: ConnectClient, value: str) -> None:
    """Put a lock tag on the ledger as the older flowops did, with plain boto3."""
    ledger = client.find_by_name("module", LEDGER_NAME)
    assert ledger is not None
    boto = make_client(sandbox.url, STAGING)
    boto.tag_resource(resourceArn=ledger.arn, tags={lock.LOCK_TAG: value})


def test_a_lock_left_by_an_older_flowops_is_reported_and_unlock_clears_it(
    seeded_sandbox: SandboxServer, tmp_path: Path
) -> None:
    staging, repo, client = released_once(seeded_sandbox, tmp_path)
    now = datetime.now(UTC).replace(microsecond=0)
    later = now + timedelta(minutes=30)
    _tag_ledger(
        seeded_sandbox,
        client,
        f"h=alice@laptop_pid_4242 k=0123abcd4567ef89 s={now.isoformat()} x={later.isoformat()}",
    )
    client.refresh_flows()
    before = live_state(client)
    with pytest.raises(lock.LockHeldError) as info:
        promote(staging, "HEAD", repo, client=client, tag=False)
    message = str(info.value)
    assert "locked by an older flowops" in message and "alice@laptop_pid_4242" in message
    assert "flowops unlock --env staging 0123abcd4567ef89" in message
    assert live_state(client) == before and lock_modules(seeded_sandbox) == []
    assert [r.id for r in read_ledger(client)] == [1]

    env_file = sandbox_environment_file(tmp_path / "envs", seeded_sandbox.url, "staging", STAGING)
    runner = CliRunner()
    done = runner.invoke(app, ["unlock", "--env", str(env_file), "0123abcd4567ef89", "--yes"])
    assert done.exit_code == 0, done.output
    ledger = client.find_by_name("module", LEDGER_NAME)
    assert ledger is not None
    assert (
        lock.LOCK_TAG
        not in make_client(seeded_sandbox.url, STAGING).list_tags_for_resource(
            resourceArn=ledger.arn
        )["tags"]
    )
    record = read_ledger(client)[-1]
    assert record.kind == "unlock" and "alice@laptop_pid_4242" in record.message
    client.refresh_flows()
    again = promote(staging, "HEAD", repo, client=client, tag=False)
    assert again.applied is not None and again.applied.release is not None


def test_an_expired_lock_of_an_older_flowops_is_removed_by_the_next_run(
    seeded_sandbox: SandboxServer, tmp_path: Path
) -> None:
    staging, repo, client = released_once(seeded_sandbox, tmp_path)
    then = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    _tag_ledger(
        seeded_sandbox,
        client,
        f"h=ci k=feedface s={then.isoformat()} x={(then + timedelta(minutes=30)).isoformat()}",
    )
    done = promote(staging, "HEAD", repo, client=client, tag=False)
    assert done.applied is not None and done.applied.release is not None
    removed = "expired lock of an older flowops (lock feedface"
    assert any(removed in w for w in done.applied.warnings)
    assert lock.read_lock(client) is None


@pytest.mark.parametrize(
    "value",
    [
        '{"holder": "bob@ci pid 7", "token": "abc", "started": "2026-01-01T00:00:00+00:00", '
        '"expires": "2026-01-01T00:30:00+00:00"}',
        "h=bob@ci k=abc s=2026-01-01T00:00:00+00:00 x=2026-01-01T00:30:00+00:00",
    ],
)
def test_both_formats_of_the_older_lock_tag_are_read(value: str) -> None:
    ledger = RemoteFlow("module", "L1", "arn:x/flow-module/L1", LEDGER_NAME, "MODULE")
    found = lock.legacy_lock(replace(ledger, tags={lock.LOCK_TAG: value}))
    assert found is not None and found.legacy and found.token == "abc"
    assert found.holder.describe().startswith("bob@ci")
    assert found.expires == datetime(2026, 1, 1, 0, 30, tzinfo=UTC)
    assert found.stale_reason(datetime(2026, 1, 2, tzinfo=UTC)) is not None
    assert lock.legacy_lock(ledger) is None
    garbled = lock.legacy_lock(replace(ledger, tags={lock.LOCK_TAG: "nonsense"}))
    assert garbled is not None and garbled.stale_reason(datetime.now(UTC)) is None


def test_versionless_rollback_restores_from_content_kept_in_connect_without_git(
    seeded_sandbox: SandboxServer, tmp_path: Path
) -> None:
    seeded_sandbox.config.strict.campaign_only_versions = True  # as the API reference reads
    staging, repo, client = released_once(seeded_sandbox, tmp_path)
    first = live_state(client)
    done = promote(staging, "HEAD", repo, client=client, tag=False)
    assert done.applied is not None and done.applied.release is not None
    second = live_state(client)
    assert any("versionless mode" in w and RESTORE_NAME in w for w in done.applied.warnings)
    flows = {f.key: f for f in done.applied.release.flows}
    assert flows["flow:A"].version_before is None and flows["flow:A"].sha_before
    # The repository is gone: rollback runs from a directory that is no git repository.
    elsewhere = tmp_path / "not-a-repo"
    elsewhere.mkdir()
    report = rollback(ConnectClient.for_environment(staging), repo_path=elsewhere)
    assert report.ok, [o.message for o in report.failed]
    assert any(
        "versionless mode" in n and "2 of 2 flow(s) restored from the content kept" in n
        for n in report.notes
    ), report.notes
    assert {o.step.key: o.step.action for o in report.outcomes}["flow:A"] == "from-saved"
    after = live_state(client)
    assert {k: after[k] for k in first} == first  # A and B back at release 1
    # Rolling the rollback back (forward to release 2) needs no git either.
    forward = rollback(ConnectClient.for_environment(staging), repo_path=elsewhere)
    assert forward.ok, [o.message for o in forward.failed]
    assert {k: v for k, v in live_state(client).items() if k in second} == second
    # The kept copies are one module, read with plain boto3, never managed as a flow.
    boto = make_client(seeded_sandbox.url, STAGING)
    names = [
        m["Name"]
        for m in boto.list_contact_flow_modules(InstanceId=_instance(boto))[
            "ContactFlowModulesSummaryList"
        ]
    ]
    assert names.count(RESTORE_NAME) == 1
    again = promote(staging, "HEAD", repo, client=ConnectClient.for_environment(staging), tag=False)
    assert not again.plan.changes  # at release 2 again, the restore-point module not extra
    assert not any(s.name == RESTORE_NAME for s in again.plan.steps)


def test_versionless_rollback_falls_back_to_git_when_the_copy_is_gone_and_says_so(
    seeded_sandbox: SandboxServer, tmp_path: Path
) -> None:
    seeded_sandbox.config.strict.campaign_only_versions = True
    staging, repo, client = released_once(seeded_sandbox, tmp_path)
    first = live_state(client)
    promote(staging, "HEAD", repo, client=client, tag=False)
    kept = client.find_by_name("module", RESTORE_NAME)
    assert kept is not None
    boto = make_client(seeded_sandbox.url, STAGING)
    boto.delete_contact_flow_module(InstanceId=_instance(boto), ContactFlowModuleId=kept.id)
    report = rollback(ConnectClient.for_environment(staging), repo_path=repo)
    assert report.ok, [o.message for o in report.failed]
    assert any("0 of 2 flow(s) restored from the content kept" in n for n in report.notes)
    assert all("from git" in o.message for o in report.outcomes if o.step.action == "from-saved")
    after = live_state(client)
    assert {k: after[k] for k in first} == first


def _saved(text: str) -> str:
    return text.replace('"status": "PUBLISHED"', '"status": "SAVED"')


def _killed_or_clean(sandbox: SandboxServer, tmp_path: Path, *, killed: bool) -> dict[str, object]:
    """Versionless: A, B published and S saved only, released; release 2 changes all three,
    once cleanly, once stopped at once after two flows (a second Ctrl-C: the lock and the
    running record stay, as after SIGKILL), then ``flowops unlock`` and a plain re-run.
    Then rollback runs where there is no git repository, and again with it. Returns what
    the first planned and did per flow, whether each flow is back at release 1 after it,
    and whether the second finished (every flow as in release 1, statuses too)."""
    sandbox.config.strict.campaign_only_versions = True
    staging = environment(sandbox, "staging", STAGING)
    client = ConnectClient.for_environment(staging)
    repo = git_repo(tmp_path / "repo")
    files = {"A.json": flow_text("A"), "B.json": flow_text("B", transfer="flow:A")}
    commit_files(repo, {**files, "S.json": _saved(flow_text("S", text="S v1"))})
    promote(staging, "HEAD", tmp_path / "repo", client=client, tag=False)
    first = live_state(client)
    files = {"A.json": flow_text("A", text="A v2"), "B.json": flow_text("B", text="B v2")}
    commit_files(repo, {**files, "S.json": _saved(flow_text("S", text="S v2"))})

    def second_ctrl_c(done: int, total: int, what: str) -> None:
        if done == 2:
            raise KeyboardInterrupt

    progress = second_ctrl_c if killed else None
    if killed:
        with pytest.raises(KeyboardInterrupt):
            promote(staging, "HEAD", tmp_path / "repo", client=client, progress=progress)
        held = lock.read_lock(ConnectClient.for_environment(staging))
        assert held is not None
        result = CliRunner().invoke(
            app,
            ["unlock", "--env", str(_env_file(sandbox, tmp_path)), held.token, "--yes"],
        )
        assert result.exit_code == 0, result.output
        repaired = read_ledger(ConnectClient.for_environment(staging))[-2]
        assert repaired.status == "interrupted" and len(repaired.moved) == 2
    again = promote(
        staging, "HEAD", tmp_path / "repo", client=ConnectClient.for_environment(staging)
    )
    assert again.applied is not None and again.applied.release is not None
    elsewhere = tmp_path / "not-a-repo"
    elsewhere.mkdir()
    report = rollback(ConnectClient.for_environment(staging), repo_path=elsewhere)
    after = live_state(client)
    # With the repository at hand, rollback again finishes it: every flow as in release 1,
    # S saved (not published) as git has it.
    finish = rollback(ConnectClient.for_environment(staging), repo_path=tmp_path / "repo")
    final = live_state(client)
    return {
        "steps": {o.step.key: (o.step.action, o.result) for o in report.outcomes},
        "messages": {o.step.key: o.message for o in report.failed},
        "back": {key: after[key] == first[key] for key in first},
        "finished": finish.ok and all(final[key] == first[key] for key in first),
    }


def _env_file(sandbox: SandboxServer, tmp_path: Path) -> Path:
    return sandbox_environment_file(tmp_path / "envs", sandbox.url, "staging", STAGING)


def test_a_killed_versionless_promote_rolls_back_as_a_clean_one_never_from_a_copy_never_kept(
    seeded_sandbox: SandboxServer, tmp_path: Path
) -> None:
    killed = _killed_or_clean(seeded_sandbox, tmp_path / "killed", killed=True)
    with SandboxServer(":memory:", config=SandboxConfig.for_tests()) as clean:
        clean.seed()
        plain = _killed_or_clean(clean, tmp_path / "clean", killed=False)
    # The same plan and result per flow as after a clean promote: A and B from the copies
    # kept in Connect, S (saved only, never copied) from git, which is not here.
    assert (
        killed["steps"]
        == plain["steps"]
        == {
            "flow:A": ("from-saved", "restored"),
            "flow:B": ("from-saved", "restored"),
            "flow:S": ("from-git", "failed"),
        }
    )
    assert killed["back"] == plain["back"] == {"flow:A": True, "flow:B": True, "flow:S": False}
    assert killed["finished"] and plain["finished"]
    # S's failure says exactly why: Connect never held a copy; git has it.
    for report in (killed, plain):
        message = report["messages"]["flow:S"]  # type: ignore[index]
        assert "Connect holds no copy of its content before" in message, message
        assert "not inside a git repository" in message, message
        assert "no longer kept" not in message
