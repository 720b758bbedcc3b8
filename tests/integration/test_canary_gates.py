"""Canary gates and ``canary watch`` on success criteria, through boto3 against the sandbox."""

from __future__ import annotations

import json
from pathlib import Path

import git
import pytest
from typer.testing import CliRunner

from flowops.cli.main import app
from flowops.deploy.canary import canary_status, find_entry
from flowops.deploy.releases import read_ledger
from flowops.model import dump_document
from flowops.sandbox import SandboxServer
from tests.support import sandbox_environment_file
from tests.support.clients import client_for
from tests.support.scenarios import MAIN, canary_workspace, dropping_candidate_doc

pytestmark = pytest.mark.integration

SUCCESS = {"defaults": {"min_contacts": 60, "outcomes": {"DROPPED": {"at_most": 5}}}}


def workspace(sandbox: SandboxServer, root: Path) -> None:
    """A repo whose candidate is :func:`dropping_candidate_doc`, an env with criteria."""
    canary_workspace(root, sandbox)
    (root / "flows" / "Main-Inbound.json").write_text(dump_document(dropping_candidate_doc()))
    repo = git.Repo(root)
    repo.git.add("-A")
    repo.index.commit("dropping candidate")
    sandbox_environment_file(root / "environments", sandbox.url, success=SUCCESS)


def test_ramp_refused_on_breach_then_overridden_and_recorded(
    seeded_sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace(seeded_sandbox, tmp_path)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    started = runner.invoke(app, ["canary", "start", "--env", "dev", "--flow", MAIN, "-p", "50"])
    assert started.exit_code == 0, started.output
    client = client_for(seeded_sandbox)

    # Too little traffic: no breach proven, the ramp goes ahead; promote is refused.
    seeded_sandbox.traffic(client.instance_id, MAIN, 10, seed=1)
    ok = runner.invoke(app, ["canary", "ramp", "--env", "dev", "-p", "40"])
    assert ok.exit_code == 0, ok.output
    early = runner.invoke(app, ["canary", "promote", "--env", "dev"])
    assert early.exit_code == 1 and "verdict insufficient" in early.output

    seeded_sandbox.traffic(client.instance_id, MAIN, 400, seed=2)
    refused = runner.invoke(app, ["canary", "ramp", "--env", "dev", "-p", "90"])
    assert refused.exit_code == 1, refused.output
    assert (
        "refused by the success criteria" in refused.output
        and "DROPPED at most 5%" in refused.output
    )
    assert canary_status(client, MAIN).live_percent == 40  # nothing changed

    empty = runner.invoke(
        app, ["canary", "ramp", "--env", "dev", "-p", "90", "--override-criteria", " "]
    )
    assert empty.exit_code == 2
    forced = runner.invoke(
        app, ["canary", "ramp", "--env", "dev", "-p", "90", "--override-criteria", "load test"]
    )
    assert forced.exit_code == 0, forced.output
    assert canary_status(client, MAIN).live_percent == 90
    # The override is in the ramp's own record, written with the change under the lock;
    # the ramp the gate let through on its own says nothing about criteria.
    records = read_ledger(client)
    assert [r.kind for r in records] == ["canary-start", "canary-ramp", "canary-ramp"]
    assert "criteria" not in records[1].message
    assert records[2].message == (
        f"canary ramp of {MAIN}: 40% -> 90%; success criteria overridden: load test (verdict fail)"
    )
    assert records[2].status == "released" and records[2].flows[0].outcome == "released"
    assert "flowops:canary-gate" not in client.list_tags(find_entry(client, MAIN).arn)

    promoted = runner.invoke(
        app, ["canary", "promote", "--env", "dev", "--override-criteria", "accepted by ops"]
    )
    assert promoted.exit_code == 0, promoted.output
    last = read_ledger(client)[-1]
    assert last.kind == "canary-promote"
    assert "success criteria overridden: accepted by ops (verdict fail)" in last.message
    shown = runner.invoke(app, ["history", "--env", "dev", "--format", "json"])
    assert shown.exit_code == 0, shown.output
    kinds = [r["kind"] for r in json.loads(shown.stdout)["releases"]]
    assert kinds == ["canary-promote", "canary-ramp", "canary-ramp", "canary-start"]


def test_watch_aborts_a_breaching_canary_and_records_why(
    seeded_sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace(seeded_sandbox, tmp_path)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    client = client_for(seeded_sandbox)
    before = client.describe("flow", find_entry(client, MAIN).id).content
    started = runner.invoke(app, ["canary", "start", "--env", "dev", "--flow", MAIN, "-p", "30"])
    assert started.exit_code == 0, started.output

    seeded_sandbox.traffic(client.instance_id, MAIN, 30, seed=3)
    calm = runner.invoke(app, ["canary", "watch", "--env", "dev", "--format", "json"])
    assert calm.exit_code == 0, calm.output
    data = json.loads(calm.stdout)
    assert data["schema"] == "flowops-canary-watch/1"
    (row,) = data["canaries"]
    assert row["verdict"] == "insufficient" and row["aborted"] is False
    assert canary_status(client, MAIN).running

    seeded_sandbox.traffic(client.instance_id, MAIN, 500, seed=4)
    fired = runner.invoke(app, ["canary", "watch", "--env", "dev"])
    assert fired.exit_code == 1, fired.output
    assert "ABORTED: DROPPED at most 5%" in fired.output
    client.refresh_flows()
    assert not canary_status(client, MAIN).running
    assert client.describe("flow", find_entry(client, MAIN).id).content == before
    (start, abort) = read_ledger(client)
    assert (start.kind, abort.kind, abort.status) == ("canary-start", "canary-abort", "released")
    assert abort.message.startswith(f"canary abort of {MAIN}: back to version ")
    assert "; canary watch: DROPPED at most 5%" in abort.message
    assert abort.flows[0].version_after is not None

    again = runner.invoke(app, ["canary", "watch", "--env", "dev"])
    assert again.exit_code == 0 and "no canary with success criteria running" in again.output
