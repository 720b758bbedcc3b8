"""Promote, rollback, the canary cycle and history with the sandbox's eventual consistency
on from the start (seeded, on a clock driven by requests: ``tests.support.lag``): Search
and List trail writes by about two commands' worth of calls, tags a little less, and a
read right after a create may answer ResourceNotFoundException.

Every command runs with a client of its own, as separate ``flowops`` runs would, one
right after the other (well inside the lag). Results are checked with plain boto3 once
the sandbox has settled: every flow at the expected content, history complete with no
lost record and no reused release id.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import git
import pytest
from typer.testing import CliRunner

from flowops.cli.main import app
from flowops.config import Environment
from flowops.connect import ConnectClient
from flowops.deploy.apply import ApplyFailedError, apply_plan
from flowops.deploy.canary import abort_canary, promote_canary, ramp_canary, start_canary
from flowops.deploy.export import export_env
from flowops.deploy.history import history
from flowops.deploy.plan import Plan, make_plan
from flowops.deploy.promote import desired_state, promote
from flowops.deploy.releases import LEDGER_NAME, LOCK_NAME
from flowops.deploy.render import render_history
from flowops.deploy.rollback import rollback
from flowops.errors import BadInputError, CheckFailedError
from flowops.model.parse import load_document, parse_content
from flowops.sandbox import SandboxConfig, SandboxServer
from tests.support import DEV, PROD, STAGING, git_repo, sandbox_environment_file
from tests.support.clients import environment, make_client
from tests.support.flows import flow_text
from tests.support.lag import LAG, PATIENT, RequestClock, lag_on, release_files
from tests.support.releases import released_once
from tests.support.repos import commit_files
from tests.support.scenarios import MAIN, candidate_doc, console_edit, set_text

pytestmark = [pytest.mark.integration, pytest.mark.lag]


@pytest.fixture
def lagging() -> Iterator[SandboxServer]:
    with SandboxServer(":memory:", config=SandboxConfig.for_tests()) as server:
        server.seed()
        lag_on(server)
        yield server


def wait_out(server: SandboxServer) -> None:
    clock = server.backend.consistency.clock
    assert isinstance(clock, RequestClock)
    clock.advance(LAG.search)


def fresh(env: Environment) -> ConnectClient:
    """A client of its own: what a new ``flowops`` process would have."""
    return ConnectClient.for_environment(env, settings=PATIENT)


class Truth:
    """What an account holds, read with plain boto3 after the sandbox settled."""

    def __init__(self, sandbox: SandboxServer, account: str) -> None:
        self.sandbox = sandbox
        self.boto = make_client(sandbox.url, account)
        self.instance = self.boto.list_instances()["InstanceSummaryList"][0]["Id"]

    def settle(self) -> None:
        self.sandbox.backend.consistency.reset()

    def flows(self) -> dict[str, str]:
        """Flow name -> id."""
        self.settle()
        found = self.boto.list_contact_flows(InstanceId=self.instance, MaxResults=1000)
        return {f["Name"]: f["Id"] for f in found["ContactFlowSummaryList"]}

    def modules(self) -> dict[str, str]:
        self.settle()
        found = self.boto.list_contact_flow_modules(InstanceId=self.instance, MaxResults=1000)
        return {m["Name"]: m["Id"] for m in found["ContactFlowModulesSummaryList"]}

    def texts(self, name: str) -> list[str]:
        """The ``Text`` of every message the flow ``name`` plays, as published."""
        flow = self.boto.describe_contact_flow(
            InstanceId=self.instance, ContactFlowId=self.flows()[name]
        )["ContactFlow"]
        actions = json.loads(flow["Content"])["Actions"]
        return [a["Parameters"]["Text"] for a in actions if a["Type"] == "MessageParticipant"]

    def content(self, name: str) -> Any:
        flow = self.boto.describe_contact_flow(
            InstanceId=self.instance, ContactFlowId=self.flows()[name]
        )["ContactFlow"]
        return json.loads(flow["Content"])

    def records(self) -> list[dict[str, Any]]:
        """The ledger's release records, oldest first (plain boto3, by id)."""
        ledger = self.boto.describe_contact_flow_module(
            InstanceId=self.instance, ContactFlowModuleId=self.modules()[LEDGER_NAME]
        )["ContactFlowModule"]
        releases: list[dict[str, Any]] = json.loads(ledger["Content"])["Metadata"]["flowops"][
            "releases"
        ]
        return releases


def check_history(env: Environment, truth: Truth, kinds: list[str]) -> None:
    """History read now (lag still on) lists every record, ids 1.. never reused, and the
    ledger (plain boto3) agrees."""
    shown = history(env, client=fresh(env)).releases
    assert [r.id for r in shown] == list(range(len(kinds), 0, -1))
    assert [r.kind for r in reversed(shown)] == kinds
    assert all(r.status == "released" for r in shown), [(r.id, r.status) for r in shown]
    stored = truth.records()
    assert [r["id"] for r in stored] == list(range(1, len(kinds) + 1))
    assert LOCK_NAME not in truth.modules()


def commit(repo: Any, version: str, *, with_n: bool) -> None:
    commit_files(repo, release_files(version, with_n=with_n))


def released(env: Environment, repo: Path) -> int:
    done = promote(env, "HEAD", repo, client=fresh(env), tag=False)
    assert done.applied is not None and done.applied.release is not None, done
    return done.applied.release.id


def test_promote_promote_rollback_promote_under_lag(lagging: SandboxServer, tmp_path: Path) -> None:
    staging = environment(lagging, "staging", STAGING)
    truth = Truth(lagging, STAGING)
    repo = git_repo(tmp_path, "Test")
    commit(repo, "v1", with_n=False)
    assert released(staging, tmp_path) == 1
    wait_out(lagging)  # the new ledger is indexed (the test below: before it is)
    commit(repo, "v2", with_n=True)
    assert released(staging, tmp_path) == 2
    # At once: Search and List still show release 1's flows, and no N.
    report = rollback(fresh(staging))
    assert report.ok and report.release_id == 3, report
    # At once again: Search shows release 2's content; the plan must not believe it.
    assert released(staging, tmp_path) == 4
    assert truth.texts("A") == ["A v2"] and truth.texts("B") == ["B v2"]
    assert truth.texts("N") == ["N v2"]
    check_history(staging, truth, ["promote", "promote", "rollback", "promote"])
    # And once more at once: nothing to change (read by id), no release recorded.
    again = promote(staging, "HEAD", tmp_path, client=fresh(staging), tag=False)
    assert again.applied is not None and again.applied.release is None
    assert [r["id"] for r in truth.records()] == [1, 2, 3, 4]


def test_a_promote_right_after_the_first_one_writes_nothing(
    lagging: SandboxServer, tmp_path: Path
) -> None:
    """The ledger created by the first promote is not searchable yet: the second promote
    finds it under the lock (Connect refuses a second ledger, so it waits for it to show)
    and refuses a plan made without it; nothing is written and no id is reused."""
    staging = environment(lagging, "staging", STAGING)
    truth = Truth(lagging, STAGING)
    repo = git_repo(tmp_path, "Test")
    commit(repo, "v1", with_n=False)
    assert released(staging, tmp_path) == 1
    commit(repo, "v2", with_n=True)
    with pytest.raises(CheckFailedError, match="got a release since this plan was made"):
        promote(staging, "HEAD", tmp_path, client=fresh(staging), tag=False)
    assert truth.texts("A") == ["A v1"] and "N" not in truth.flows()
    assert [r["id"] for r in truth.records()] == [1]
    # The refused promote waited for the ledger to show: history lists release 1 now.
    assert [r.id for r in history(staging, client=fresh(staging)).releases] == [1]
    wait_out(lagging)
    assert released(staging, tmp_path) == 2
    assert truth.texts("A") == ["A v2"] and truth.texts("N") == ["N v2"]
    check_history(staging, truth, ["promote", "promote"])


def test_canary_start_ramp_promote_abort_and_rollback_under_lag(
    lagging: SandboxServer,
) -> None:
    dev = environment(lagging, "dev", DEV)
    truth = Truth(lagging, DEV)
    stable = truth.content(MAIN)
    start_canary(fresh(dev), MAIN, candidate_doc(), 10, ref="abc123")
    # At once: the state tag lags, the wrapper (read by id) does not.
    ramped = ramp_canary(fresh(dev), MAIN, 50)
    assert ramped.percent == 50
    done = promote_canary(fresh(dev), MAIN)
    assert done.release_id == 3  # after the start's and the ramp's records
    after = truth.content(MAIN)
    texts = [a.get("Parameters", {}).get("Text") for a in after["Actions"]]
    assert "Welcome to the new menu" in texts
    helpers = [n for n in truth.flows() if n.startswith(MAIN) and n != MAIN]
    assert helpers == [], helpers
    # A second canary, and at once a rollback: refused though Search and tags lag.
    doc = candidate_doc()
    newer = parse_content(
        json.loads(json.dumps(doc.flow.raw).replace("Welcome to the new menu", "Newer menu"))
    )
    start_canary(fresh(dev), MAIN, replace(doc, flow=newer), 10, ref="def456")
    with pytest.raises(BadInputError, match="runs a canary"):
        rollback(fresh(dev))
    abort_canary(fresh(dev), MAIN)
    assert truth.content(MAIN) == after
    assert [n for n in truth.flows() if n.startswith(MAIN) and n != MAIN] == []
    # At once: roll the canary's promote back to the content before it.
    report = rollback(fresh(dev))
    assert report.ok and report.release_id == 6, report
    restored = truth.content(MAIN)
    assert [a["Type"] for a in restored["Actions"]] == [a["Type"] for a in stable["Actions"]]
    check_history(
        dev,
        truth,
        [
            "canary-start",
            "canary-ramp",
            "canary-promote",
            "canary-start",
            "canary-abort",
            "rollback",
        ],
    )


def _not_found_answers(server: SandboxServer, account: str) -> int:
    return sum(
        n
        for (acct, _, outcome), n in server.request_log.outcomes().items()
        if acct == account and outcome == "ResourceNotFoundException"
    )


def test_promote_and_rollback_say_how_many_reads_waited_for_connect(
    seeded_sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    released_once(seeded_sandbox, tmp_path)  # the ledger exists and is indexed
    # Every read within 3 requests of a create answers NotFound (the CLI's own retries).
    lag_on(seeded_sandbox, replace(LAG, not_found=0.15, not_found_rate=1.0))
    env_file = sandbox_environment_file(tmp_path / "envs", seeded_sandbox.url, "staging", STAGING)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    before = _not_found_answers(seeded_sandbox, STAGING)
    shown = runner.invoke(app, ["promote", "--env", str(env_file)])
    assert shown.exit_code == 0, shown.output
    waited = _not_found_answers(seeded_sandbox, STAGING) - before
    assert waited > 0, shown.output  # N's version and the lock's delete met the window
    assert f"{waited} read(s) waited for Connect to catch up" in shown.stdout
    progress = [line for line in shown.stderr.splitlines() if line.startswith("promote staging:")]
    assert any("waited for Connect to catch up" in line for line in progress), progress
    before = _not_found_answers(seeded_sandbox, STAGING)
    undone = runner.invoke(app, ["rollback", "--env", str(env_file), "--yes", "--format", "json"])
    assert undone.exit_code == 0, undone.output
    lag = json.loads(undone.stdout)["lag"]
    assert lag["waited"] == _not_found_answers(seeded_sandbox, STAGING) - before
    assert lag["reread"] == 0  # rollback reads the ledger by id; it plans from nothing else


def test_history_without_a_ledger_says_search_may_not_show_one_yet(
    seeded_sandbox: SandboxServer,
) -> None:
    prod = environment(seeded_sandbox, "prod", PROD)
    shown = history(prod, client=fresh(prod))
    assert shown.releases == ()
    assert any(LEDGER_NAME in note and "eventually consistent" in note for note in shown.notes)
    text = render_history(shown)
    assert "(none)" in text and "note: " in text


def test_export_right_after_a_promote_writes_what_was_released(
    lagging: SandboxServer, tmp_path: Path
) -> None:
    staging = environment(lagging, "staging", STAGING)
    repo = git_repo(tmp_path / "repo", "Test")
    commit(repo, "v1", with_n=False)
    assert released(staging, tmp_path / "repo") == 1
    wait_out(lagging)
    commit(repo, "v2", with_n=True)
    assert released(staging, tmp_path / "repo") == 2
    # At once: Search still shows release 1's content and no N.
    out = tmp_path / "export"
    export_env(staging, out, client=fresh(staging))
    actions = load_document(out / "A.json").flow.raw["Actions"]
    texts = [a["Parameters"]["Text"] for a in actions if a["Type"] == "MessageParticipant"]
    assert texts == ["A v2"]
    assert load_document(out / "N.json").info.name == "N"


def test_a_flow_changed_after_the_plan_is_not_overwritten_when_its_restore_point_is_reused(
    seeded_sandbox: SandboxServer, tmp_path: Path
) -> None:
    """The restore point is the previous release's version (no checksum-guarded version is
    made), so the flow is read by id before its write: a console edit since the plan, a
    canary started since, or a Search copy older than the flow, stops the promote."""
    staging, repo, client = released_once(seeded_sandbox, tmp_path)
    desired, sha = desired_state(git.Repo(repo), "HEAD", "flows")
    plan = make_plan(staging, desired, client, commit=sha)
    assert plan.changes
    console_edit(staging, "A", set_text("edited in the console"))
    with pytest.raises(ApplyFailedError, match="changed in 'staging' since the plan"):
        apply_plan(plan, client)
    truth = Truth(seeded_sandbox, STAGING)
    assert truth.texts("A") == ["edited in the console"]
    assert [r["status"] for r in truth.records()] == ["released", "failed"]


# --- settle re-reads: only where Search has not caught up with flowops' own writes -------

#: Search and List trail writes by 600 requests: every command below runs well inside.
LONG_LAG = replace(LAG, search=30.0, list=30.0, tags=30.0)


def longer_lag(server: SandboxServer) -> None:
    """Switch to :data:`LONG_LAG` on the same clock, every write so far shown."""
    server.config.update({"lag": asdict(LONG_LAG)})
    clock = server.backend.consistency.clock
    assert isinstance(clock, RequestClock)
    clock.advance(LONG_LAG.search)


def plan_now(env: Environment, repo: Path) -> tuple[Plan, ConnectClient]:
    """A plan of ``repo``'s HEAD made by a client of its own (a new ``flowops plan``)."""
    client = fresh(env)
    desired, sha = desired_state(git.Repo(repo), "HEAD", "flows")
    return make_plan(env, desired, client, commit=sha), client


def searched(truth: Truth, name: str) -> dict[str, Any]:
    """The flow ``name`` as SearchContactFlows shows it now (plain boto3; lag still on)."""
    found = truth.boto.search_contact_flows(InstanceId=truth.instance, MaxResults=100)
    return next(f for f in found["ContactFlows"] if f["Name"] == name)


def searched_texts(truth: Truth, name: str) -> list[str]:
    """The ``Text`` of every message of ``name`` as SearchContactFlows shows it now."""
    actions = json.loads(searched(truth, name)["Content"])["Actions"]
    return [a["Parameters"]["Text"] for a in actions if a["Type"] == "MessageParticipant"]


def released_v1(lagging: SandboxServer, tmp_path: Path) -> tuple[Environment, Truth, Any]:
    """Staging with release 1 (A, B, M at v1) from a repository at ``tmp_path``."""
    staging = environment(lagging, "staging", STAGING)
    truth = Truth(lagging, STAGING)
    repo = git_repo(tmp_path, "Test")
    commit(repo, "v1", with_n=False)
    assert released(staging, tmp_path) == 1
    return staging, truth, repo


def test_a_plan_reads_nothing_again_by_id_once_search_shows_the_release(
    lagging: SandboxServer, tmp_path: Path
) -> None:
    staging = environment(lagging, "staging", STAGING)
    commit(git_repo(tmp_path, "Test"), "v1", with_n=True)
    assert released(staging, tmp_path) == 1
    wait_out(lagging)  # Search shows release 1 (recorded moments ago: inside the window)
    plan, client = plan_now(staging, tmp_path)
    assert plan.changes == ()
    assert client.calls["DescribeContactFlow"] == 0, client.calls
    assert client.calls["DescribeContactFlowModule"] == 1  # the ledger, always by id
    assert client.lag_report()["reread"] == 1


def test_a_plan_reads_again_by_id_each_flow_whose_search_copy_predates_the_release(
    lagging: SandboxServer, tmp_path: Path
) -> None:
    staging, truth, repo = released_v1(lagging, tmp_path)
    longer_lag(lagging)
    commit(repo, "v2", with_n=True)
    assert released(staging, tmp_path) == 2
    # Search still shows A at release 1 (content whose hash differs from the record's).
    assert searched_texts(truth, "A") == ["A v1"]
    plan, client = plan_now(staging, tmp_path)
    assert plan.changes == (), [s.key for s in plan.changes]  # it saw release 2, by id
    assert client.calls["DescribeContactFlow"] == 3  # A, B (old copies), N (not listed)
    assert client.calls["DescribeContactFlowModule"] == 2  # the ledger, M (old copy)


def test_a_release_of_the_same_content_with_a_new_description_is_still_read_by_id(
    lagging: SandboxServer, tmp_path: Path
) -> None:
    """Search shows A's content as released (same hash) but its description as before:
    what a plan compares besides content is in the record too, so A is read again by id
    and the plan is a no-op; B and M, which Search shows as released, are not."""
    staging, truth, repo = released_v1(lagging, tmp_path)
    longer_lag(lagging)
    commit_files(
        repo, {"A.json": flow_text("A", module="module:M", text="A v1", description="new")}
    )
    assert released(staging, tmp_path) == 2
    assert searched(truth, "A").get("Description", "") == ""  # as before release 2
    plan, client = plan_now(staging, tmp_path)
    assert plan.changes == (), [(s.key, s.changes) for s in plan.changes]
    assert client.calls["DescribeContactFlow"] == 1  # A only
    assert client.calls["DescribeContactFlowModule"] == 1  # the ledger


def test_the_newest_record_of_a_flow_decides_whether_its_search_copy_is_current(
    lagging: SandboxServer, tmp_path: Path
) -> None:
    """Search shows release 2 exactly as recorded, but a rollback since (its record has no
    metadata hash) put release 1's content back: the flows are read again by id, and the
    plan of release 2's commit sees them changed."""
    staging, truth, repo = released_v1(lagging, tmp_path)
    wait_out(lagging)
    commit(repo, "v2", with_n=False)
    assert released(staging, tmp_path) == 2
    longer_lag(lagging)  # Search shows release 2
    report = rollback(fresh(staging))
    assert report.ok and report.release_id == 3, report
    assert searched_texts(truth, "A") == ["A v2"]
    plan, client = plan_now(staging, tmp_path)
    assert sorted(s.key for s in plan.changes) == ["flow:A", "flow:B", "module:M"]
    assert client.calls["DescribeContactFlow"] == 2
    assert client.calls["DescribeContactFlowModule"] == 2  # the ledger, M
    assert truth.texts("A") == ["A v1"]  # (plain boto3 once settled)
