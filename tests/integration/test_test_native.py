"""``flowops test --env``: scenarios compiled into test cases and run in the sandbox."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from flowops.cli.main import app
from flowops.deploy import lock
from flowops.deploy.measure import measure_release
from flowops.deploy.releases import LOCK_NAME, latest, read_ledger
from flowops.deploy.rollback import rollback
from flowops.deploy.testcases import NativeStats, run_native
from flowops.deploy.transaction import Transaction
from flowops.errors import BadInputError
from flowops.sandbox import SandboxServer
from flowops.sandbox.config import FaultRule
from tests.support import WRITE_PREFIXES, sandbox_environment_file
from tests.support.clients import ClientFactory, client_for

REPO = Path(__file__).resolve().parents[2]
runner = CliRunner()


@pytest.fixture
def project(
    seeded_sandbox: SandboxServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    """A repository with the seeded flows, hand-written scenarios and a dev environment
    on the sandbox."""
    seeded_sandbox.backend.test_cases.run_seconds = 0
    shutil.copytree(REPO / "flows", tmp_path / "flows")
    (tmp_path / "scenarios").mkdir()
    for name in ("main-inbound.yaml", "billing.yaml"):
        shutil.copy(REPO / "scenarios" / name, tmp_path / "scenarios")
    sandbox_environment_file(tmp_path / "environments", seeded_sandbox.url, "dev")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_scenarios_pass_as_test_cases_and_a_rerun_writes_nothing(
    project: Path, connect_client: ClientFactory
) -> None:
    stats = NativeStats()
    report = run_native("dev", poll=0.01, stats=stats)
    assert [r.status for r in report.results] == ["passed"] * len(report.results)
    assert len(stats.created) == 9 and not stats.updated
    assert stats.max_running == 5
    again = NativeStats()
    run_native("dev", poll=0.01, stats=again)
    assert not again.created and not again.updated and len(again.unchanged) == 9
    edited = project / "scenarios" / "billing.yaml"
    edited.write_text(edited.read_text().replace('balance: "42"', 'balance: "43"'))
    edited.write_text(edited.read_text().replace("Your balance is 42", "Your balance is 43"))
    third = NativeStats()
    run_native("dev", poll=0.01, stats=third)
    assert third.updated == ["flowops-balance-question-reads-the-balance"]
    names = {
        s["Name"]
        for s in connect_client().list_test_cases(
            InstanceId=connect_client().list_instances()["InstanceSummaryList"][0]["Id"]
        )["TestCaseSummaryList"]
    }
    assert all(n.startswith("flowops-") for n in names) and len(names) == 9
    hours = connect_client().list_hours_of_operations(
        InstanceId=connect_client().list_instances()["InstanceSummaryList"][0]["Id"]
    )["HoursOfOperationSummaryList"]
    # hours results substitute hours flowops created once: always open, always closed
    names_of_hours = [h["Name"] for h in hours]
    assert names_of_hours.count("flowops-always-closed") == 1
    assert names_of_hours.count("flowops-always-open") == 1


def test_a_flow_changed_in_the_environment_fails_natively(
    project: Path, connect_client: ClientFactory
) -> None:
    client = connect_client()
    iid = client.list_instances()["InstanceSummaryList"][0]["Id"]
    flows = client.list_contact_flows(InstanceId=iid)["ContactFlowSummaryList"]
    billing = next(f for f in flows if f["Name"] == "Billing Self Service")
    content = client.describe_contact_flow(InstanceId=iid, ContactFlowId=billing["Id"])
    text = content["ContactFlow"]["Content"].replace("Your balance is", "Balance:")
    client.update_contact_flow_content(InstanceId=iid, ContactFlowId=billing["Id"], Content=text)
    result = runner.invoke(app, ["test", "--env", "dev", "--format", "json"])
    assert result.exit_code == 1, result.stdout + result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    failed = [s for s in data["scenarios"] if s["status"] == "failed"]
    assert [s["name"] for s in failed] == ["balance question reads the balance"]
    assert "did not occur" in failed[0]["message"]
    # offline the scenario still passes: the environment drifted from git
    assert runner.invoke(app, ["test"]).exit_code == 0


def test_scenarios_without_a_native_form_are_skipped(project: Path) -> None:
    (project / "scenarios" / "forced.yaml").write_text(
        "name: forced\nflow: Callback Request\ngiven:\n  outcomes:\n"
        "    cf81c1e0-f6ca-5782-8b48-9342d074cf1a: [{error: NoMatchingError}]\n"
        "expect:\n  prompts: [could not schedule]\n"
    )
    result = runner.invoke(app, ["test", "--env", "dev", "--junit", "junit.xml", "--verbose"])
    assert result.exit_code == 0, result.stdout
    # what a test case cannot express is named, and checked by the offline run
    assert "offline only: ends: only a queue transfer ends a test case" in " ".join(
        result.stdout.split()
    )
    assert "SKIP forced" in result.stdout and "given.outcomes" in result.stdout
    assert "9 test case(s) created" in result.stderr and "PASSED flowops-" in result.stderr
    assert "<skipped" in (project / "junit.xml").read_text()


def _names(client: Any) -> set[str]:
    iid = client.list_instances()["InstanceSummaryList"][0]["Id"]
    return {s["Name"] for s in client.list_test_cases(InstanceId=iid)["TestCaseSummaryList"]}


def test_stale_test_cases_flowops_owns_are_pruned_with_dry_run_and_no_prune(
    project: Path, connect_client: ClientFactory
) -> None:
    client = connect_client()
    iid = client.list_instances()["InstanceSummaryList"][0]["Id"]
    run_native("dev", poll=0.01)
    # Test cases flowops does not own: another prefix, and its prefix without its tag.
    content = json.dumps(
        {
            "Version": "2019-10-30",
            "Observations": [
                {
                    "Identifier": "s",
                    "Event": {
                        "Identifier": "e",
                        "Type": "TestInitiated",
                        "Actor": "System",
                        "Properties": {},
                    },
                    "Actions": [],
                    "Transitions": {"NextObservations": []},
                }
            ],
        }
    )
    for name in ("team-smoke", "flowops-written-by-hand"):
        client.create_test_case(InstanceId=iid, Name=name, Content=content)
    # One scenario renamed, one deleted.
    billing = project / "scenarios" / "billing.yaml"
    billing.write_text(
        billing.read_text().replace("balance question reads the balance", "the balance is read out")
    )
    main = project / "scenarios" / "main-inbound.yaml"
    text = main.read_text()
    start = text.index("  - name: open hours, press 1, reach Sales")
    main.write_text(text[:start] + text[text.index("  - name: the agent hears") :])
    before = _names(client)

    dry = runner.invoke(app, ["test", "--env", "dev", "--dry-run", "--format", "json"])
    assert dry.exit_code == 0, dry.stdout + dry.stderr
    native = json.loads(dry.stdout)["native"]
    stale = ["flowops-balance-question-reads-the-balance", "flowops-open-hours-press-1-reach-Sales"]
    assert native["pruned"] == stale and native["dry_run"] is True
    assert native["created"] == ["flowops-the-balance-is-read-out"]
    renamed = next(
        r for r in json.loads(dry.stdout)["scenarios"] if r["name"] == "the balance is read out"
    )
    assert [line.split(":")[0] for line in renamed["offline_only"]] == ["ends"]
    said = " ".join(dry.stderr.split())  # the console wraps long lines
    assert "2 stale would be deleted in dev" in said and "PASSED" not in said
    assert _names(client) == before  # nothing written, nothing deleted

    kept = runner.invoke(app, ["test", "--env", "dev", "--no-prune", "--format", "json"])
    assert kept.exit_code == 0, kept.stdout + kept.stderr
    assert json.loads(kept.stdout)["native"]["stale"] == stale
    assert "2 stale kept (--no-prune)" in " ".join(kept.stderr.split())
    assert set(stale) <= _names(client)

    stats = NativeStats()
    run_native("dev", poll=0.01, stats=stats)
    assert stats.pruned == stale and not stats.created
    after = _names(client)
    assert not set(stale) & after
    assert {"team-smoke", "flowops-written-by-hand", "flowops-the-balance-is-read-out"} <= after
    again = NativeStats()
    run_native("dev", poll=0.01, stats=again)
    assert not again.pruned and not again.created and not again.updated


def test_every_committed_scenario_passes_natively_or_says_why_it_cannot(
    project: Path,
) -> None:
    """The whole committed folder, generated scenarios included: what compiles passes
    in the sandbox; each skip names the forced block no test case can override."""
    shutil.rmtree(project / "scenarios")
    shutil.copytree(REPO / "scenarios", project / "scenarios")
    report = run_native("dev", poll=0.01)
    statuses = [r.status for r in report.results]
    assert "failed" not in statuses and "incomplete" not in statuses
    assert statuses.count("passed") >= 24
    for result in report.results:
        if result.status == "skipped":
            assert "given.outcomes forces" in result.message
            assert "a test case can override only Lambda, hours, Lex" in result.message


def test_the_callers_number_reaches_the_test_contact(project: Path) -> None:
    """given.customer_number is the test case's SourcePhoneNumber: a number the callback
    block rejects takes its error branch in the sandbox as offline. A dialled number
    (system_number) has no native form with a FlowId entry point."""
    (project / "scenarios" / "callback.yaml").write_text(
        "scenarios:\n"
        "  - name: a short number gets no callback\n    flow: Callback Request\n"
        '    given: {customer_number: "+1234"}\n'
        "    expect: {prompts: [could not schedule a callback]}\n"
        "  - name: a dialled number\n    flow: Callback Request\n"
        '    given: {system_number: "+15550100"}\n'
        "    expect: {prompts: [call you back]}\n"
    )
    result = runner.invoke(app, ["test", "--env", "dev", "--format", "json"])
    assert result.exit_code == 0, result.stdout + result.stderr
    by_name = {s["name"]: s for s in json.loads(result.stdout)["scenarios"]}
    assert by_name["a short number gets no callback"]["status"] == "passed"
    dialled = by_name["a dialled number"]
    assert dialled["status"] == "skipped" and "FlowId or by phone numbers" in dialled["message"]


# --- test-case publishing is a release transaction (#12) ---------------------------------


def _writes(sandbox: SandboxServer) -> dict[str, int]:
    """Write calls the sandbox received (every account), by operation."""
    return {
        op: n
        for (_, op), n in sandbox.request_log.counts().items()
        if op.startswith(WRITE_PREFIXES)
    }


def _created(message: str) -> set[str]:
    """The test cases a ``test-cases`` record says it created (up to 4 are named)."""
    found = re.match(r"test cases in \w+: \d+ created \(([^)]*)\)", message)
    assert found, message
    return set(found[1].split(", "))


def _said(text: str) -> str:
    return " ".join(text.split())  # the console wraps long lines


def test_publishing_test_cases_is_a_recorded_release_that_rollback_and_measure_skip(
    project: Path, seeded_sandbox: SandboxServer, connect_client: ClientFactory
) -> None:
    stats = NativeStats()
    run_native("dev", poll=0.01, stats=stats)
    reader = client_for(seeded_sandbox)
    (published,) = read_ledger(reader)
    assert (published.id, published.kind, published.status) == (1, "test-cases", "released")
    assert stats.release == 1 and published.who and not published.flows
    # what it wrote, hours included: one transaction
    assert published.message.startswith("test cases in dev: 9 created (flowops-")
    assert published.message.endswith(
        "0 updated, 0 deleted; hours created: flowops-always-open, flowops-always-closed"
    )
    assert reader.find_by_name("module", LOCK_NAME) is None  # the lock was given back
    # History, never a release of content: no baseline for drift, nothing to undo or measure.
    assert latest(reader) is None
    with pytest.raises(BadInputError, match="nothing to roll back"):
        rollback(client_for(seeded_sandbox), dry_run=True)
    with pytest.raises(BadInputError, match="no release of flow 'Main Inbound'"):
        measure_release(reader, "Main Inbound")

    # Nothing to write: no lock, no record, no write call at all.
    seeded_sandbox.request_log.reset()
    again = NativeStats()
    run_native("dev", poll=0.01, stats=again)
    assert _writes(seeded_sandbox) == {} and again.release is None
    assert len(read_ledger(reader)) == 1

    edited = project / "scenarios" / "billing.yaml"
    edited.write_text(edited.read_text().replace('balance: "42"', 'balance: "43"'))
    edited.write_text(edited.read_text().replace("Your balance is 42", "Your balance is 43"))
    result = runner.invoke(app, ["test", "--env", "dev", "--format", "json"])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["native"]["release"] == 2
    assert "recorded as release 2 (test-cases) in dev" in _said(result.stderr)
    second = read_ledger(reader)[-1]
    assert (second.id, second.kind, second.status) == (2, "test-cases", "released")
    assert second.message == (
        "test cases in dev: 0 created, 1 updated "
        "(flowops-balance-question-reads-the-balance), 0 deleted"
    )
    shown = runner.invoke(app, ["history", "--env", "dev"])
    assert shown.exit_code == 0, shown.output
    assert re.search(r"^2\s+test-cases\s.*\sreleased\s+0 created, 1 updated", shown.output, re.M), (
        shown.output
    )
    assert re.search(r"^1\s+test-cases\s.*\sreleased\s+9 created", shown.output, re.M)


def test_a_held_lock_refuses_publishing_test_cases_as_it_refuses_every_release(
    project: Path, seeded_sandbox: SandboxServer, connect_client: ClientFactory
) -> None:
    other = client_for(seeded_sandbox)
    held = lock.acquire(other, holder=lock.Holder("carol", "laptop", 7))
    refused = runner.invoke(app, ["test", "--env", "dev"])
    assert refused.exit_code == 1, refused.stdout + refused.stderr
    # the same message as a promote, rollback or canary step under that lock
    expected = str(lock.LockHeldError("dev", lock.read_lock(other)))
    assert "carol@laptop" in expected and _said(expected) in _said(refused.stderr)
    assert _names(connect_client()) == set()  # no test case, no hours, no record written
    assert other.catalog(with_content=False).by_name("hours", "flowops-always-open") is None
    assert read_ledger(other) == []
    # The dry run writes nothing, so it needs no lock.
    assert runner.invoke(app, ["test", "--env", "dev", "--dry-run"]).exit_code == 0
    lock.release(other, held)
    assert runner.invoke(app, ["test", "--env", "dev"]).exit_code == 0
    assert [r.kind for r in read_ledger(other)] == ["test-cases"]


def test_a_failed_write_records_what_was_written_releases_the_lock_and_a_rerun_finishes(
    project: Path, seeded_sandbox: SandboxServer, connect_client: ClientFactory
) -> None:
    seeded_sandbox.config.faults.append(
        FaultRule(
            operation="CreateTestCase",
            error_code="AccessDeniedException",
            fail_nth=[3],
            message="injected",
        )
    )
    failed = runner.invoke(app, ["test", "--env", "dev"])
    assert failed.exit_code == 3 and "injected" in failed.stderr, failed.stderr
    reader = client_for(seeded_sandbox)
    (record,) = read_ledger(reader)
    assert (record.kind, record.status) == ("test-cases", "failed")
    live = _names(connect_client())
    assert len(live) == 2
    # the record is true: the two created before the failure, and where it stopped
    assert _created(record.message) == live
    third = record.message.rsplit("; stopped while creating ", 1)[1]
    assert third.startswith("flowops-") and third not in live  # the write that failed
    assert "hours created: flowops-always-open, flowops-always-closed" in record.message
    assert reader.find_by_name("module", LOCK_NAME) is None

    seeded_sandbox.config.faults = []
    stats = NativeStats()
    run_native("dev", poll=0.01, stats=stats)
    assert len(stats.created) == 7 and len(stats.unchanged) == 2 and stats.release == 2
    assert len(_names(connect_client())) == 9
    assert read_ledger(reader)[-1].status == "released"


def _signal_at(sandbox: SandboxServer, operation: str, nth: int, signum: int) -> threading.Thread:
    """Send ``signum`` to this process once the ``nth`` call of ``operation`` reached the
    sandbox, only while a release transaction handles signals (never to pytest itself)."""

    def watch() -> None:
        deadline = time.monotonic() + 60
        while sandbox.request_log.count(operation=operation) < nth:
            if time.monotonic() > deadline:
                return
            time.sleep(0.005)
        handler = signal.getsignal(signum)
        if isinstance(getattr(handler, "__self__", None), Transaction):
            os.kill(os.getpid(), signum)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def test_a_signal_stops_publishing_at_the_next_test_case_and_records_it_cancelled(
    project: Path, seeded_sandbox: SandboxServer, connect_client: ClientFactory
) -> None:
    seeded_sandbox.config.faults.append(FaultRule(operation="CreateTestCase", latency=0.3))
    watcher = _signal_at(seeded_sandbox, "CreateTestCase", 2, signal.SIGINT)
    cancelled = runner.invoke(app, ["test", "--env", "dev"])
    watcher.join(timeout=5)
    assert cancelled.exit_code == 130, cancelled.stdout + cancelled.stderr
    assert "cancelled by SIGINT" in cancelled.stderr
    reader = client_for(seeded_sandbox)
    (record,) = read_ledger(reader)
    assert (record.kind, record.status) == ("test-cases", "cancelled")
    live = _names(connect_client())
    # stopped before the third: the second, in flight when the signal came, completed
    assert len(live) == 2
    assert _created(record.message) == live
    third = record.message.rsplit("; stopped before creating ", 1)[1]
    assert third.startswith("flowops-") and third not in live  # the write not made
    assert reader.find_by_name("module", LOCK_NAME) is None
    seeded_sandbox.config.faults = []
    assert runner.invoke(app, ["test", "--env", "dev"]).exit_code == 0
    assert len(_names(connect_client())) == 9
    assert [r.status for r in read_ledger(reader)] == ["cancelled", "released"]
