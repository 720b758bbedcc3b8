"""``flowops canary`` through the CLI (CliRunner) against the sandbox, and ``generate``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flowops.cli.main import app
from flowops.connect import ConnectClient
from flowops.deploy import canary_wrapper as cw
from flowops.deploy.canary import canary_status
from flowops.lint.engine import lint_paths
from flowops.lint.finding import Severity
from flowops.model import FlowDocument, FlowInfo, dump_document, load_document, parse_content
from flowops.sandbox import SandboxServer
from tests.support.clients import client_for
from tests.support.scenarios import MAIN, canary_workspace

pytestmark = pytest.mark.integration


def test_canary_cli_start_status_ramp_abort(canary_cwd: ConnectClient) -> None:
    runner = CliRunner()
    client = canary_cwd
    before = client.describe("flow", client.catalog().flows[f"flow:{MAIN}"].id)

    bad = runner.invoke(app, ["canary", "start", "--env", "dev", "--flow", MAIN, "-p", "100"])
    assert bad.exit_code == 2 and "between 1 and 99" in bad.output

    started = runner.invoke(app, ["canary", "start", "--env", "dev", "--flow", MAIN, "-p", "10"])
    assert started.exit_code == 0, started.output
    assert "10% of contacts" in started.output

    status = runner.invoke(app, ["canary", "status", "--env", "dev", "--format", "json"])
    assert status.exit_code == 0, status.output
    data = json.loads(status.stdout)
    assert data["schema"] == "flowops-canary-status/1" and data["env"] == "dev"
    (row,) = data["canaries"]
    assert row["running"] and row["live_percent"] == 10 and row["problems"] == []
    assert row["candidate"] == cw.helper_name(MAIN, "candidate")
    assert len(row["state"]["ref"]) == 40  # the candidate's commit, in full

    ramped = runner.invoke(app, ["canary", "ramp", "--env", "dev", "--percent", "35"])
    assert ramped.exit_code == 0, ramped.output
    text = runner.invoke(app, ["canary", "status", "--env", "dev", "--flow", MAIN])
    assert "35% candidate / 65% stable" in text.output

    aborted = runner.invoke(app, ["canary", "abort", "--env", "dev"])
    assert aborted.exit_code == 0, aborted.output
    client.refresh_flows()
    assert client.describe("flow", before.id).content == before.content
    none = runner.invoke(app, ["canary", "abort", "--env", "dev"])
    assert none.exit_code == 2 and "no canary is running" in none.output

    # A helper deleted behind flowops' back: status says so (exit 1); abort still works.
    again = runner.invoke(app, ["canary", "start", "--env", "dev", "--flow", MAIN, "-p", "5"])
    assert again.exit_code == 0, again.output
    client.refresh_flows()
    client.delete("flow", client.catalog().flows[f"flow:{cw.helper_name(MAIN, 'candidate')}"].id)
    broken = runner.invoke(app, ["canary", "status", "--env", "dev"])
    assert broken.exit_code == 1 and "candidate helper" in broken.output
    cleaned = runner.invoke(app, ["canary", "abort", "--env", "dev"])
    assert cleaned.exit_code == 0, cleaned.output
    assert client.describe("flow", before.id).content == before.content


def test_another_machine_with_no_repository_ramps_and_promotes(
    seeded_sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The canary's state is in Connect: a CI job with only environments/ carries it on."""
    canary_workspace(tmp_path / "laptop", seeded_sandbox)
    monkeypatch.chdir(tmp_path / "laptop")
    runner = CliRunner()
    started = runner.invoke(app, ["canary", "start", "--env", "dev", "--flow", MAIN, "-p", "10"])
    assert started.exit_code == 0, started.output

    ci = tmp_path / "ci"  # no git repository, no flows/
    (ci / "environments").mkdir(parents=True)
    env_file = tmp_path / "laptop" / "environments" / "dev.yaml"
    (ci / "environments" / "dev.yaml").write_text(env_file.read_text())
    monkeypatch.chdir(ci)
    ramped = runner.invoke(app, ["canary", "ramp", "--env", "dev", "--flow", MAIN, "-p", "50"])
    assert ramped.exit_code == 0, ramped.output
    promoted = runner.invoke(app, ["canary", "promote", "--env", "dev", "--flow", MAIN])
    assert promoted.exit_code == 0, promoted.output
    client = client_for(seeded_sandbox)
    entry = client.describe("flow", client.catalog().flows[f"flow:{MAIN}"].id)
    assert canary_status(client, MAIN).state is None
    assert "Welcome to the new menu" in (entry.content or "")
    assert not (ci / "flows").exists()  # nothing written locally


def test_generate_writes_wrapper_and_variants_that_lint_clean(
    seeded_sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = canary_workspace(tmp_path, seeded_sandbox)
    candidate_sha = repo.head.commit.hexsha
    # The working tree holds the stable content (what is live today).
    stable = FlowDocument(
        FlowInfo(name=MAIN),
        parse_content(
            {
                "Version": "2019-10-30",
                "StartAction": "old",
                "Actions": [
                    {
                        "Identifier": "old",
                        "Type": "MessageParticipant",
                        "Parameters": {"Text": "Old menu"},
                        "Transitions": {
                            "NextAction": "q",
                            "Errors": [{"NextAction": "q", "ErrorType": "NoMatchingError"}],
                        },
                    },
                    {
                        "Identifier": "q",
                        "Type": "TransferToFlow",
                        "Parameters": {"ContactFlowId": "flow:Sales"},
                        "Transitions": {
                            "NextAction": "bye",
                            "Errors": [{"NextAction": "bye", "ErrorType": "NoMatchingError"}],
                        },
                    },
                    {
                        "Identifier": "bye",
                        "Type": "DisconnectParticipant",
                        "Parameters": {},
                        "Transitions": {},
                    },
                ],
            }
        ),
    )
    (tmp_path / "flows" / "Main-Inbound.json").write_text(dump_document(stable))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        app, ["canary", "generate", "--flow", MAIN, "--percent", "20", "--ref", candidate_sha]
    )
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in (tmp_path / "flows").glob("*.json"))
    assert files == [
        "Main-Inbound-canary-candidate.json",
        "Main-Inbound-canary-stable.json",
        "Main-Inbound.json",
    ]
    wrapper = load_document(tmp_path / "flows" / "Main-Inbound.json")
    assert cw.wrapper_percent(dict(wrapper.flow.raw)) == 20
    variant = load_document(tmp_path / "flows" / "Main-Inbound-canary-stable.json")
    assert variant.flow.start_action == "old"
    report = lint_paths([tmp_path / "flows"])
    assert report.errors == []
    assert [f for f in report.findings if f.severity.rank >= Severity.warning.rank] == []


def test_protected_environments_need_yes(
    seeded_sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    canary_workspace(tmp_path, seeded_sandbox, protected=True)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    args = ["canary", "start", "--env", "dev", "--flow", MAIN, "-p", "10"]
    refused = runner.invoke(app, args)
    assert refused.exit_code == 2 and "--yes" in refused.output
    assert not canary_status(client_for(seeded_sandbox), MAIN).running
    done = runner.invoke(app, [*args, "--yes"])
    assert done.exit_code == 0, done.output
    assert runner.invoke(app, ["canary", "abort", "--env", "dev"]).exit_code == 2
    assert runner.invoke(app, ["canary", "abort", "--env", "dev", "--yes"]).exit_code == 0
