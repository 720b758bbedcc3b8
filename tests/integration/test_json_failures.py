"""``--format json`` of every writing command, whatever happens: exactly one JSON document on
stdout, the shape of its success document plus ``ok`` false, ``error`` and the release
``record`` (docs/json.md), with the exit code unchanged and the error line on stderr.

Through the CLI (CliRunner) against the sandbox; faults are the sandbox's own
(``FaultRule``), a held lock is a real one taken by another holder.
"""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from bench.release_faults import commit
from bench.release_kills import ENTRY, LATENCY, Canary, World
from flowops.cli.main import app
from flowops.connect import ConnectClient
from flowops.deploy.lock import Holder, LockInfo, acquire
from flowops.deploy.promote import promote
from flowops.deploy.releases import read_ledger
from flowops.sandbox import SandboxConfig, SandboxServer
from flowops.sandbox.config import FaultRule
from tests.support import DEV, STAGING, sandbox_environment_file
from tests.support.releases import live_state, released_once
from tests.support.scenarios import MAIN

pytestmark = pytest.mark.integration

#: The keys of each command's success document (docs/json.md).
PROMOTE_KEYS = {"schema", "env", "release", "outcomes", "unchanged", "extra", "calls", "lag"}
ROLLBACK_KEYS = {"schema", "env", "reverts", "target", "release", "dry_run", "ok", "calls"}
ROLLBACK_KEYS |= {"seconds", "flows", "notes", "lag", "planned_calls"}
CANARY_KEYS = {"schema", "action", "env", "flow", "flow_id", "percent", "state", "versions"}
CANARY_KEYS |= {"release", "notes", "lag", "dry_run", "planned_calls"}
UNLOCK_KEYS = {"schema", "env", "lock", "release"}


def one_document(result: Result) -> dict[str, Any]:
    """The one JSON document on stdout (json.loads refuses a second one after it)."""
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def failure(result: Result, schema: str, keys: set[str], exit_code: int) -> dict[str, Any]:
    """The failure document: its schema, every success key, ok false, the error object
    with the process's exit code; the error line still on stderr."""
    assert result.exit_code == exit_code, result.output
    doc = one_document(result)
    assert doc["schema"] == schema
    assert keys <= set(doc), keys - set(doc)
    assert doc["ok"] is False
    error = doc["error"]
    assert error["exit_code"] == exit_code
    assert error["message"] and error["message"].splitlines()[0] in result.stderr
    assert "record" in doc
    return doc


def fault(sandbox: SandboxServer, operation: str, nth: int = 1, account: str = STAGING) -> None:
    sandbox.config.faults = [
        FaultRule(
            operation=operation,
            error_code="AccessDeniedException",
            fail_nth=nth,
            account=account,
            message="injected refusal",
        )
    ]


def hold_lock(client: ConnectClient) -> LockInfo:
    """The environment's lock, taken by a run on another machine (alive, as far as known)."""
    return acquire(client, holder=Holder("someone-else", "ci-runner-7", 4242, ""))


@pytest.fixture
def staging(seeded_sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Staging released once, git changed since (A, B changed, N new); cwd the repo."""
    env, repo, client = released_once(seeded_sandbox, tmp_path)
    env_file = sandbox_environment_file(tmp_path / "envs", seeded_sandbox.url, "staging")
    monkeypatch.chdir(repo)
    return seeded_sandbox, client, str(env_file)


def test_promote_success_failure_and_refusals_each_print_one_document(staging: Any) -> None:
    sandbox, client, env_file = staging
    runner = CliRunner()
    promote_json = ["promote", "--env", env_file, "--yes", "--format", "json"]
    before = live_state(client)

    # failed: the second content update refused; what was changed is put back
    fault(sandbox, "UpdateContactFlowContent", 2)
    doc = failure(runner.invoke(app, promote_json), "flowops-promote/1", PROMOTE_KEYS, 1)
    sandbox.config.faults = []
    assert doc["error"]["type"] == "failed" and "injected refusal" in doc["error"]["message"]
    assert doc["error"]["exception"] == "ApplyFailedError"
    release = doc["release"]
    assert release["status"] == "failed" and doc["record"]["id"] == release["id"]
    ledger = read_ledger(client)
    assert ledger[-1].id == release["id"] and ledger[-1].status == "failed"
    outcomes = {o["key"]: o for o in doc["outcomes"]}
    assert set(outcomes) == {"flow:A", "flow:B", "flow:N"}
    assert [k for k, o in outcomes.items() if not o["ok"]] == [
        k for k, o in outcomes.items() if o["happened"].startswith("failed")
    ]
    assert {o["state"] for o in outcomes.values()} <= {"restored", "deleted", "untouched"}
    recorded = {f["name"]: f["outcome"] for f in release["flows"]}
    assert recorded == {f.name: f.outcome for f in ledger[-1].flows}
    assert live_state(client) == before
    assert doc["calls"] and doc["extra"] == [] and "M" in " ".join(doc["unchanged"])

    # refused: another run holds the lock; nothing written, the lock and its unlock command
    held = hold_lock(client)
    doc = failure(runner.invoke(app, promote_json), "flowops-promote/1", PROMOTE_KEYS, 1)
    assert doc["error"]["type"] == "refused" and doc["error"]["exception"] == "LockHeldError"
    lock = doc["error"]["lock"]
    assert lock["id"] == held.token and lock["unlock"].startswith("flowops unlock --env")
    assert held.token in lock["unlock"] and lock["stale"] is None
    assert doc["release"] is None and doc["record"] is None and doc["outcomes"] == []
    assert doc["unchanged"] and doc["env"] == "staging"
    assert read_ledger(client)[-1].id == release["id"]  # nothing recorded

    # unlock it, through the CLI, as json: a stamped document with the record's id
    unlocked = runner.invoke(app, ["unlock", "--env", env_file, held.token, "--yes", "-f", "json"])
    assert unlocked.exit_code == 0, unlocked.output
    doc = one_document(unlocked)
    assert UNLOCK_KEYS <= set(doc) and doc["ok"] is True and doc["schema"] == "flowops-unlock/1"
    assert doc["lock"] == held.token and doc["release"] == read_ledger(client)[-1].id
    # unlock refused: nothing is locked any more
    again = runner.invoke(app, ["unlock", "--env", env_file, held.token, "--yes", "-f", "json"])
    doc = failure(again, "flowops-unlock/1", UNLOCK_KEYS, 1)
    assert doc["error"]["type"] == "failed" and "not locked" in doc["error"]["message"]
    assert doc["release"] is None and doc["record"] is None and doc["lock"] == held.token

    # bad input: an unknown revision (exit 2), before any call
    bad = runner.invoke(app, [*promote_json, "--ref", "no-such-ref"])
    doc = failure(bad, "flowops-promote/1", PROMOTE_KEYS, 2)
    assert doc["error"]["type"] == "bad-input" and "no-such-ref" in doc["error"]["message"]
    assert doc["release"] is None and doc["outcomes"] == []

    # success: the same document, ok true, the release recorded
    done = runner.invoke(app, promote_json)
    assert done.exit_code == 0, done.output
    doc = one_document(done)
    assert PROMOTE_KEYS <= set(doc) and doc["ok"] is True and "error" not in doc
    assert doc["release"]["status"] == "released" and len(doc["outcomes"]) == 3


def test_rollback_failure_refusal_and_success_documents(staging: Any) -> None:
    sandbox, client, env_file = staging
    runner = CliRunner()
    done = runner.invoke(app, ["promote", "--env", env_file, "--yes"])
    assert done.exit_code == 0, done.output
    rollback = ["rollback", "--env", env_file, "--yes", "--format", "json"]

    held = hold_lock(client)
    doc = failure(runner.invoke(app, rollback), "flowops-rollback/1", ROLLBACK_KEYS, 1)
    assert doc["error"]["type"] == "refused" and doc["error"]["lock"]["id"] == held.token
    assert doc["release"] is None and doc["record"] is None and doc["dry_run"] is False
    # the plan is known: every flow planned, none carried out
    assert {f["result"] for f in doc["flows"]} == {"planned"} and len(doc["flows"]) == 3
    unlocked = runner.invoke(app, ["unlock", "--env", env_file, held.token, "--yes"])
    assert unlocked.exit_code == 0, unlocked.output

    # one flow's write refused: the others are rolled back; exit 1, one document
    fault(sandbox, "UpdateContactFlowContent", 1)
    doc = failure(runner.invoke(app, rollback), "flowops-rollback/1", ROLLBACK_KEYS, 1)
    sandbox.config.faults = []
    assert doc["error"]["type"] == "failed" and "rollback incomplete" in doc["error"]["message"]
    results = {f["flow"]: f["result"] for f in doc["flows"]}
    assert list(results.values()).count("failed") == 1, results
    assert doc["release"] == doc["record"]["id"] and doc["record"]["status"] == "failed"
    assert doc["record"]["kind"] == "rollback"
    assert read_ledger(client)[-1].status == "failed"

    # bad input: --to-version without --flow or a release that does not exist
    bad = runner.invoke(app, [*rollback, "--to-release", "999"])
    doc = failure(bad, "flowops-rollback/1", ROLLBACK_KEYS, 2)
    assert doc["error"]["type"] == "bad-input" and doc["flows"] == []


def test_canary_commands_print_one_document_when_refused_or_failed(
    seeded_sandbox: SandboxServer, canary_cwd: ConnectClient
) -> None:
    runner = CliRunner()
    client = canary_cwd
    start = ["canary", "start", "--env", "dev", "--flow", MAIN, "-p", "10", "-f", "json"]

    # no canary running: abort and ramp are refused as bad input (exit 2)
    for args in (["abort"], ["ramp", "-p", "20"], ["promote"]):
        result = runner.invoke(app, ["canary", *args, "--env", "dev", "-f", "json"])
        doc = failure(result, "flowops-canary/1", CANARY_KEYS, 2)
        assert doc["action"] == args[0] and doc["error"]["type"] == "bad-input"
        assert doc["release"] is None and doc["dry_run"] is False

    # start fails at its state tag: restored, recorded failed; the document says so
    fault(seeded_sandbox, "TagResource", 1, account=DEV)
    doc = failure(runner.invoke(app, start), "flowops-canary/1", CANARY_KEYS, 1 + 2)
    seeded_sandbox.config.faults = []
    assert doc["error"]["type"] == "aws-error" and "injected refusal" in doc["error"]["message"]
    record = doc["record"]
    assert record["kind"] == "canary-start" and record["status"] == "failed"
    assert doc["release"] == record["id"] == read_ledger(client)[-1].id
    assert doc["flow"] == MAIN and doc["percent"] == 10 and doc["flow_id"]
    entry = next(f for f in record["flows"] if f["name"] == MAIN)
    assert entry["id"] == doc["flow_id"]

    started = runner.invoke(app, start)
    assert started.exit_code == 0, started.output
    doc = one_document(started)
    assert CANARY_KEYS <= set(doc) and doc["ok"] is True and doc["state"]["percent"] == 10

    # a second start while one runs: bad input, nothing recorded
    again = failure(runner.invoke(app, start), "flowops-canary/1", CANARY_KEYS, 2)
    assert "already running" in again["error"]["message"] and again["record"] is None

    # abort refused by a held lock
    held = hold_lock(client)
    abort = runner.invoke(app, ["canary", "abort", "--env", "dev", "-f", "json"])
    doc = failure(abort, "flowops-canary/1", CANARY_KEYS, 1)
    assert doc["error"]["type"] == "refused" and doc["error"]["lock"]["id"] == held.token
    assert doc["flow"] == "" or doc["flow"] == MAIN


def test_a_cli_usage_error_stays_text(staging: Any) -> None:
    """typer's own usage errors (exit 2, before the command runs) are text: documented."""
    _, _, env_file = staging
    result = CliRunner().invoke(app, ["promote", "--env", env_file, "--format", "yaml"])
    assert result.exit_code == 2 and result.stdout == ""


def _signalled(world: World, args: list[str], op: str, sig: int) -> tuple[int, str, str]:
    """Run ``flowops ARGS`` as CI runs it (a real process, output piped) and send ``sig``
    while the first ``op`` call is in flight; returns exit code, stdout, stderr."""
    rule = FaultRule(operation=op, latency=LATENCY, account=STAGING)
    world.sandbox.config.faults = [rule]
    proc = world.flowops(*args)
    deadline = time.monotonic() + 60
    while proc.poll() is None and rule.calls < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(LATENCY / 4)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=120)
    world.sandbox.config.faults = []
    return proc.returncode, out, err


@pytest.mark.parametrize(
    ("command", "sig", "code"),
    [
        ("promote", signal.SIGTERM, 143),
        ("rollback", signal.SIGINT, 130),
        ("canary-ramp", signal.SIGTERM, 143),
    ],
)
def test_a_signal_cancelled_run_prints_its_document(
    tmp_path: Path, command: str, sig: int, code: int
) -> None:
    with SandboxServer(":memory:", config=SandboxConfig.for_tests()) as sandbox:
        sandbox.seed()
        world = World(sandbox, tmp_path)
        env = ["--env", str(world.env_file), "--yes", "--format", "json"]
        args = [command, *env]
        if command == "canary-ramp":
            Canary(world).start()
            args = ["canary", "ramp", "--percent", "50", *env]
        else:
            v2 = commit(world.repo, 2)
        if command == "rollback":
            promote(world.env, v2, world.workdir, client=world.fresh(), tag=False)
        # a ramp has one write: it is stopped while its running record is written
        op = (
            "UpdateContactFlowModuleContent"
            if command == "canary-ramp"
            else "UpdateContactFlowContent"
        )
        exit_code, out, err = _signalled(world, args, op, sig)
        assert exit_code == code, out + err
        doc: dict[str, Any] = json.loads(out)  # one document, nothing else on stdout
        assert doc["ok"] is False and doc["error"]["exit_code"] == code
        assert doc["error"]["type"] == "cancelled" and signal.Signals(sig).name in err
        record = doc["record"]
        ledger = read_ledger(world.fresh())
        assert record["status"] == "cancelled" == ledger[-1].status
        assert record["id"] == ledger[-1].id and record["kind"] == command
        recorded = {f.name: f.outcome for f in ledger[-1].flows}
        assert {f["name"]: f["outcome"] for f in record["flows"]} == recorded
        if command == "promote":
            assert doc["release"] == record and doc["outcomes"]
            states = {o["key"]: o["state"] for o in doc["outcomes"]}
            assert set(states.values()) <= {"restored", "deleted", "untouched"}, states
        elif command == "rollback":
            assert doc["release"] == record["id"] and doc["flows"]
            assert doc["reverts"] == [str(ledger[-2].id)]
        else:
            assert doc["release"] == record["id"] and doc["action"] == "ramp"
            assert doc["flow"] == ENTRY and doc["percent"] == 50 and doc["flow_id"]


def test_a_second_signal_aborts_and_the_document_names_the_unlock(tmp_path: Path) -> None:
    """SIGTERM, then SIGTERM again while the restore's first write is in flight: the run
    stops at once (exit 143), the lock stays, and the document says how to clear it."""
    with SandboxServer(":memory:", config=SandboxConfig.for_tests()) as sandbox:
        sandbox.seed()
        world = World(sandbox, tmp_path)
        commit(world.repo, 2)
        rule = FaultRule(operation="UpdateContactFlowContent", latency=LATENCY, account=STAGING)
        sandbox.config.faults = [rule]
        proc = world.flowops("promote", "--env", str(world.env_file), "--yes", "-f", "json")
        deadline = time.monotonic() + 60
        for calls in (1, 2):  # A's new content, then the restore putting A back
            while proc.poll() is None and rule.calls < calls and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(LATENCY / 4)
            proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=120)
        sandbox.config.faults = []
        assert proc.returncode == 143, out + err
        doc: dict[str, Any] = json.loads(out)
        error = doc["error"]
        assert doc["ok"] is False and error["type"] == "aborted" and error["exit_code"] == 143
        assert "flowops unlock --env staging" in error["message"]
        assert doc["outcomes"] and doc["release"] is None  # no final record was written
        assert read_ledger(world.fresh())[-1].status == "running"  # the next run repairs it


def test_canary_watch_prints_its_document_when_it_cannot_run(staging: Any) -> None:
    """``canary watch`` aborts canaries (it writes): refused input still gets its one
    document, ``flowops-canary-watch/1`` with no canary measured."""
    result = CliRunner().invoke(app, ["canary", "watch", "--env", "nowhere", "-f", "json", "--yes"])
    doc = failure(result, "flowops-canary-watch/1", {"schema", "env", "canaries"}, 2)
    assert doc["error"]["type"] == "bad-input" and "nowhere" in doc["error"]["message"]
    assert doc["env"] == "nowhere" and doc["canaries"] == [] and doc["record"] is None
