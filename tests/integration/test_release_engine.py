"""Promote, rollback and the canary commands run their plans on one executor (#12).

Each command builds a plan (promote from git; rollback and canary from given steps) and
runs it with ``flowops.deploy.executor.Executor`` under the plan's failure policy
(``restore`` for promote and canary, ``continue`` for rollback). What proves it, through
real boto3 against the sandbox:

* each command's dry run is that executor with a recording client, and lists exactly the
  write calls the real run then sends (apart from the lock and the two ledger records);
* a fault in the middle of a rollback stops only that flow: the others roll back, and
  the record says per flow where each really is;
* a fault in the middle of a canary ramp puts the wrapper back (policy ``restore``);
* where Connect refuses versions, canary start keeps its restore point as content in
  Connect, so ``canary abort`` and ``rollback`` after ``canary promote`` put the stable
  content back.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flowops.cli.main import app
from flowops.connect import ConnectClient
from flowops.connect.errors import ConnectError
from flowops.deploy.canary import (
    CanaryResult,
    abort_canary,
    canary_status,
    find_entry,
    promote_canary,
    ramp_canary,
    start_canary,
)
from flowops.deploy.canary_state import STATE_TAG, state_from_tags
from flowops.deploy.releases import RESTORE_NAME, read_ledger, read_restore_points
from flowops.deploy.rollback import rollback
from flowops.sandbox import SandboxServer
from flowops.sandbox.config import FaultRule
from tests.support import FAST_RETRIES, WRITE_PREFIXES
from tests.support.clients import client_for
from tests.support.scenarios import (
    MAIN,
    Released,
    canary_workspace,
    candidate_doc,
    live,
    rb_client,
)

pytestmark = pytest.mark.integration


#: The lock, the ledger (its records) and the restore-point module are modules: the
#: writes to flows are the others.
def _flow_writes(ops: list[str]) -> list[str]:
    return [op for op in ops if "Module" not in op]


def _refuse(sandbox: SandboxServer, operation: str, *nth: int, after_apply: bool = False) -> None:
    """Fail the ``nth`` calls of ``operation`` (``after_apply``: carried out, answer lost)."""
    rule = FaultRule(operation, "AccessDeniedException", fail_nth=list(nth), message="injected")
    sandbox.config.faults.append(replace(rule, after_apply=after_apply))


def _writes(client: ConnectClient, command: Callable[[], object]) -> list[str]:
    sent: list[str] = []
    client.on_request = sent.append
    try:
        command()
    finally:
        client.on_request = None
    return [op for op in sent if op.startswith(WRITE_PREFIXES)]


def _ops(dry: CanaryResult) -> list[str]:
    return [call.split(" (")[0] for call, _ in dry.planned_calls]


def test_every_canary_command_dry_runs_the_executor_it_then_runs(
    seeded_sandbox: SandboxServer,
) -> None:
    client = client_for(seeded_sandbox)
    entry = find_entry(client, MAIN)
    before = client.describe("flow", entry.id).sha256
    steps: list[tuple[Callable[..., CanaryResult], tuple[object, ...], int]] = [
        (start_canary, (candidate_doc(), 10), 1),
        (ramp_canary, (50,), 2),
        (promote_canary, (), 3),
    ]
    for command, args, release_id in steps:
        dry = command(client, MAIN, *args, dry_run=True)
        assert dry.dry_run and dry.planned_calls, command.__name__
        written = [r.id for r in read_ledger(client)]
        assert written == list(range(1, release_id)), "a dry run records nothing"
        writes = _writes(client, lambda: command(client, MAIN, *args))  # noqa: B023
        assert "CreateContactFlowModule" in writes  # the lock (the run is recorded)
        assert _flow_writes(writes) == _ops(dry), command.__name__
    assert client.describe("flow", entry.id).sha256 != before  # the candidate is live
    # Start: restore point, both helpers, the state tag, the wrapper (content, version).
    assert [r.kind for r in read_ledger(client)] == [
        "canary-start",
        "canary-ramp",
        "canary-promote",
    ]


def test_an_abort_dry_run_lists_its_writes_and_changes_nothing(
    seeded_sandbox: SandboxServer,
) -> None:
    client = client_for(seeded_sandbox)
    start_canary(client, MAIN, candidate_doc(), 20)
    entry = find_entry(client, MAIN)
    wrapper = client.describe("flow", entry.id).sha256
    dry = abort_canary(client, MAIN, dry_run=True)
    assert _ops(dry) == [
        "UpdateContactFlowContent",
        "CreateContactFlowVersion",
        "DeleteContactFlow",
        "DeleteContactFlow",
        "UntagResource",
    ]
    assert client.describe("flow", entry.id).sha256 == wrapper
    assert canary_status(client, MAIN).running
    writes = _writes(client, lambda: abort_canary(client, MAIN))
    assert _flow_writes(writes) == _ops(dry)
    assert not canary_status(client, MAIN).running


def test_a_fault_mid_rollback_stops_only_that_flow_and_the_record_is_true_per_flow(
    released: Released,
) -> None:
    sandbox, reader, _, first, second = released
    _refuse(sandbox, "UpdateContactFlowContent", 2)  # the second flow rolled back
    report = rollback(rb_client(sandbox))
    assert [o.result for o in report.outcomes] == ["restored", "failed", "restored"]
    failed = report.outcomes[1]
    assert "injected" in failed.message
    now = live(reader)
    for outcome in report.outcomes:
        key = outcome.step.key
        assert now[key] == (second[key] if outcome.result == "failed" else first[key]), key
    (*_, record) = read_ledger(reader)
    assert (record.kind, record.status) == ("rollback", "failed")
    by_key = {f.key: f for f in record.flows}
    assert by_key[failed.step.key].outcome == "failed"
    for outcome in report.outcomes:
        flow = by_key[outcome.step.key]
        live_sha = reader.describe("flow", flow.id).sha256
        if outcome.result == "restored":
            assert flow.outcome == "released" and flow.sha256 == live_sha
            assert flow.version_after == outcome.version is not None
    # A plain rollback again finishes the job: the failed flow goes back too.
    again = rollback(rb_client(sandbox))
    assert again.ok
    assert live(reader) == first


def test_a_fault_mid_ramp_puts_the_wrapper_back(seeded_sandbox: SandboxServer) -> None:
    client = client_for(seeded_sandbox)
    start_canary(client, MAIN, candidate_doc(), 10)
    entry = find_entry(client, MAIN)
    wrapper = client.describe("flow", entry.id).sha256
    _refuse(seeded_sandbox, "TagResource", 1)  # after the new wrapper is published, versioned
    with pytest.raises(ConnectError, match="injected"):
        ramp_canary(client, MAIN, 50)
    assert client.describe("flow", entry.id).sha256 == wrapper
    status = canary_status(client, MAIN)
    assert status.state is not None and status.state.percent == 10 == status.live_percent
    (_, ramp) = read_ledger(client)
    assert (ramp.kind, ramp.status) == ("canary-ramp", "failed")
    (flow,) = ramp.flows
    assert flow.outcome == "restored"
    ramped = ramp_canary(client, MAIN, 50)  # and a plain re-run goes through
    assert ramped.state is not None and canary_status(client, MAIN).live_percent == 50


def _versionless(sandbox: SandboxServer) -> ConnectClient:
    sandbox.config.strict.campaign_only_versions = True  # as the API reference reads
    return client_for(sandbox)


def test_versionless_canary_start_keeps_its_restore_point_in_connect_and_abort_uses_it(
    seeded_sandbox: SandboxServer,
) -> None:
    client = _versionless(seeded_sandbox)
    entry = find_entry(client, MAIN)
    stable = client.describe("flow", entry.id)
    assert stable.sha256 is not None
    started = start_canary(client, MAIN, candidate_doc(), 30)
    assert started.state is not None and started.state.restore_version == 0
    assert stable.sha256.startswith(started.state.restore_sha)
    assert stable.sha256 in read_restore_points(client)  # in module RESTORE_NAME
    tags = client.list_tags(entry.arn)
    assert state_from_tags(tags) == started.state
    assert canary_status(client, MAIN).live_percent == 30
    (record,) = read_ledger(client)
    assert record.flows[0].sha_before == stable.sha256
    aborted = abort_canary(client, MAIN)
    assert aborted.versions == {}  # no versions here
    assert client.describe("flow", entry.id).sha256 == stable.sha256
    assert STATE_TAG not in client.list_tags(entry.arn)
    assert not canary_status(client, MAIN).running
    names = {f.name for f in client.catalog().flows.values()}
    assert not any("(canary" in n for n in names) and RESTORE_NAME in names


def test_versionless_canary_promote_then_rollback_puts_the_stable_content_back(
    seeded_sandbox: SandboxServer,
) -> None:
    client = _versionless(seeded_sandbox)
    entry = find_entry(client, MAIN)
    stable = client.describe("flow", entry.id).sha256
    start_canary(client, MAIN, candidate_doc(), 30)
    promoted = promote_canary(client, MAIN)
    candidate = client.describe("flow", entry.id).sha256
    assert candidate != stable and not canary_status(client, MAIN).running
    record = read_ledger(client)[-1]
    assert record.kind == "canary-promote"
    (flow,) = record.flows
    assert flow.version_before is None and flow.sha_before == stable
    assert promoted.release_id == record.id
    dry = rollback(client_for(seeded_sandbox), dry_run=True)
    rolling = client_for(seeded_sandbox)
    sent: list[str] = []
    rolling.on_request = sent.append
    report = rollback(rolling)
    assert report.ok, [o.message for o in report.failed]
    # The dry run is the same executor: the stable content's write and the version
    # Connect refuses, after what rollback keeps in Connect first (what it overwrites).
    planned = [call.split(" (")[0] for call, _ in dry.planned_calls]
    assert planned == [
        "UpdateContactFlowModuleContent",
        "UpdateContactFlowContent",
        "CreateContactFlowVersion",
    ]
    assert dry.planned_calls[0][1] == f"module:{RESTORE_NAME}"
    writes = [op for op in sent if op.startswith(WRITE_PREFIXES)]
    # lock, kept content, running record, the flow's writes, final record, unlock
    assert writes[1:2] + writes[3:-2] == planned
    (outcome,) = report.outcomes
    assert outcome.step.action == "from-saved" and "kept in Connect" in outcome.message
    assert client.describe("flow", entry.id).sha256 == stable


def test_the_canary_cli_dry_run_lists_the_calls_and_writes_nothing(
    seeded_sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    canary_workspace(tmp_path, seeded_sandbox)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    start = ["canary", "start", "--env", "dev", "--flow", MAIN, "-p", "20", "--dry-run"]
    text = runner.invoke(app, start)
    assert text.exit_code == 0, text.output
    assert f"Write calls a canary start of dev / {MAIN} would make (in order):" in text.stdout
    as_json = runner.invoke(app, [*start, "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.stdout)
    assert data["dry_run"] is True and data["release"] is None
    calls = [c["call"] for c in data["planned_calls"]]
    assert calls[0] == "CreateContactFlowVersion (restore point)"
    assert calls.count("CreateContactFlow") == 2  # the two helpers, before the tag
    assert calls.index("TagResource") < calls.index("UpdateContactFlowContent")
    for line in calls:
        assert line in text.stdout
    client = client_for(seeded_sandbox)
    assert read_ledger(client) == [] and not canary_status(client, MAIN).running


def test_a_rollback_write_applied_whose_answer_was_lost_is_read_back_as_restored(
    released: Released,
) -> None:
    sandbox, reader, _, first, _ = released
    # The second flow, and the client's one retry of it: applied, each answer lost.
    _refuse(sandbox, "UpdateContactFlowContent", 2, 3, after_apply=True)
    report = rollback(rb_client(sandbox, settings=replace(FAST_RETRIES, max_attempts=2)))
    assert report.ok, [o.message for o in report.failed]
    lost = report.outcomes[1]
    assert lost.result == "restored" and lost.version is None
    assert "read back after" in lost.message
    assert live(reader) == first
    (*_, record) = read_ledger(reader)
    assert record.status == "released"
    flow = next(f for f in record.flows if f.key == lost.step.key)
    assert flow.outcome == "released" and flow.version_after is None
    assert flow.sha256 == reader.describe("flow", flow.id).sha256
