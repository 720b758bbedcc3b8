"""Every canary command that writes is a recorded release transaction (#12, #17).

Start, ramp and abort append a verified ledger record of their own (kinds
``canary-start``, ``canary-ramp``, ``canary-abort``) that ``flowops history`` shows; the
reason of an automatic abort is in that record, written under the lock. Through real
boto3 against the sandbox.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flowops.cli.main import app
from flowops.connect.errors import ConnectError
from flowops.deploy.canary import (
    abort_canary,
    find_entry,
    promote_canary,
    ramp_canary,
    start_canary,
)
from flowops.deploy.releases import LOCK_NAME, content_sha256, latest, read_ledger
from flowops.deploy.rollback import rollback
from flowops.errors import BadInputError, CheckFailedError
from flowops.sandbox import SandboxServer
from flowops.sandbox.config import FaultRule
from tests.support.clients import client_for
from tests.support.scenarios import MAIN, canary_workspace, candidate_doc

pytestmark = pytest.mark.integration


def test_start_ramp_abort_each_append_a_verified_record(seeded_sandbox: SandboxServer) -> None:
    client = client_for(seeded_sandbox)
    entry = find_entry(client, MAIN)
    started = start_canary(client, MAIN, candidate_doc(), 10, ref="abc123")
    ramped = ramp_canary(client_for(seeded_sandbox), MAIN, 30, note="asked by ops")
    aborted = abort_canary(client_for(seeded_sandbox), MAIN, reason="manual: bad prompts")

    records = read_ledger(client_for(seeded_sandbox))  # a fresh reader, by plain boto3
    assert [(r.id, r.kind, r.status) for r in records] == [
        (1, "canary-start", "released"),
        (2, "canary-ramp", "released"),
        (3, "canary-abort", "released"),
    ]
    assert [started.release_id, ramped.release_id, aborted.release_id] == [1, 2, 3]
    assert all(r.who and r.commit == "abc123" and r.canary_step for r in records)
    assert records[0].message == f"canary start of {MAIN}: 10% to abc123"
    assert records[1].message == f"canary ramp of {MAIN}: 10% -> 30%; asked by ops"
    assert records[2].message.endswith("; manual: bad prompts")

    # Each record says where the entry flow went: its new version, holding that content.
    assert started.state is not None
    for record, result in zip(records, (started, ramped, aborted), strict=True):
        (flow,) = record.flows
        assert (flow.id, flow.outcome) == (entry.id, "released")
        assert flow.version_after == result.versions[MAIN]
        held = client.describe("flow", entry.id, flow.version_after)
        assert held.content is not None and flow.sha256 == content_sha256(held.content)
    assert records[0].flows[0].version_before == started.state.restore_version
    # A ramp or abort starts from the version the step before it published.
    assert records[1].flows[0].version_before == started.versions[MAIN]
    assert records[2].flows[0].version_before == ramped.versions[MAIN]
    # Abort put the pre-canary content back, as its record says.
    assert client.describe("flow", entry.id).sha256 == records[2].flows[0].sha256

    # Canary steps are not releases: there is nothing for rollback to undo.
    with pytest.raises(BadInputError, match="nothing to roll back"):
        rollback(client_for(seeded_sandbox), dry_run=True)
    # ... nor a baseline for drift (the newest release of content): there is none yet.
    assert latest(client) is None


def test_a_failed_ramp_is_recorded_failed_with_where_the_flow_is(
    seeded_sandbox: SandboxServer,
) -> None:
    client = client_for(seeded_sandbox)
    start_canary(client, MAIN, candidate_doc(), 10)
    wrapper = client.describe("flow", find_entry(client, MAIN).id).sha256
    seeded_sandbox.config.faults.append(
        FaultRule(
            operation="UpdateContactFlowContent",
            error_code="AccessDeniedException",
            fail_nth=[1],
            message="injected",
        )
    )
    with pytest.raises(ConnectError, match="injected"):
        ramp_canary(client, MAIN, 50)
    (start, ramp) = read_ledger(client_for(seeded_sandbox))
    assert (ramp.kind, ramp.status) == ("canary-ramp", "failed")
    (flow,) = ramp.flows
    # Read back from Connect: the wrapper is still the 10% one, untouched by the ramp.
    assert flow.outcome == "untouched" and flow.version_after is None
    assert client.describe("flow", flow.id).sha256 == wrapper
    assert start.status == "released"


def test_history_shows_the_whole_canary_and_watch_records_why_it_aborted(
    seeded_sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    canary_workspace(tmp_path, seeded_sandbox)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    for args in (
        ["canary", "start", "--env", "dev", "--flow", MAIN, "-p", "20"],
        ["canary", "ramp", "--env", "dev", "-p", "60"],
        ["canary", "abort", "--env", "dev", "--format", "json"],
    ):
        done = runner.invoke(app, args)
        assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["release"] == 3
    shown = runner.invoke(app, ["history", "--env", "dev"])
    assert shown.exit_code == 0, shown.output
    for rid, kind in ((3, "canary-abort"), (2, "canary-ramp"), (1, "canary-start")):
        assert re.search(rf"^{rid}\s+{kind}\s.*\sreleased\s", shown.output, re.M), shown.output


def test_while_another_run_holds_the_lock_no_canary_step_writes_or_records(
    seeded_sandbox: SandboxServer,
) -> None:
    from flowops.deploy import lock

    client = client_for(seeded_sandbox)
    start_canary(client, MAIN, candidate_doc(), 10)
    wrapper = client.describe("flow", find_entry(client, MAIN).id).sha256
    other = client_for(seeded_sandbox)
    held = lock.acquire(other, holder=lock.Holder("carol", "laptop", 7))
    with pytest.raises(lock.LockHeldError):
        ramp_canary(client, MAIN, 50, note="must not be recorded")
    with pytest.raises(lock.LockHeldError):
        abort_canary(client, MAIN, reason="must not be recorded")
    assert [r.kind for r in read_ledger(other)] == ["canary-start"]
    assert client.describe("flow", find_entry(client, MAIN).id).sha256 == wrapper
    lock.release(other, held)
    assert abort_canary(client, MAIN, reason="after the lock").release_id == 2


def test_the_gate_measures_under_the_lock_so_a_held_lock_reads_no_metrics(
    seeded_sandbox: SandboxServer,
) -> None:
    """The verdict is about the canary as it is when the step writes: the gate runs inside
    the transaction, after the lock is taken, and its answer goes into the record."""
    from flowops.deploy import lock

    client = client_for(seeded_sandbox)
    start_canary(client, MAIN, candidate_doc(), 10)
    asked: list[str] = []

    def gate() -> str:
        asked.append("measured")
        return "success criteria overridden: drill (verdict fail)"

    other = client_for(seeded_sandbox)
    held = lock.acquire(other, holder=lock.Holder("carol", "laptop", 7))
    with pytest.raises(lock.LockHeldError):
        ramp_canary(client, MAIN, 50, gate=gate)
    with pytest.raises(lock.LockHeldError):
        promote_canary(client, MAIN, gate=gate)
    assert asked == []  # never measured outside the lock
    lock.release(other, held)
    ramp_canary(client, MAIN, 50, note="by hand", gate=gate)
    assert asked == ["measured"]
    ramp = read_ledger(client)[-1]
    assert ramp.kind == "canary-ramp"
    assert ramp.message.endswith("; by hand; success criteria overridden: drill (verdict fail)")

    def refuse() -> str:
        raise CheckFailedError("refused by the success criteria")

    before = client.describe("flow", find_entry(client, MAIN).id).sha256
    with pytest.raises(CheckFailedError, match="refused"):
        promote_canary(client, MAIN, gate=refuse)
    assert [r.kind for r in read_ledger(client)] == ["canary-start", "canary-ramp"]
    assert client.describe("flow", find_entry(client, MAIN).id).sha256 == before
    assert client.find_by_name("module", LOCK_NAME) is None  # the lock was released
