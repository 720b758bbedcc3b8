"""``flowops rollback`` through the CLI (CliRunner), from a directory with no repository."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flowops.cli.main import app
from flowops.sandbox import SandboxServer
from flowops.sandbox.config import FaultRule
from tests.support import sandbox_environment_file
from tests.support.scenarios import Released, live

pytestmark = pytest.mark.integration


def write_env(folder: Path, sandbox: SandboxServer) -> None:
    sandbox_environment_file(folder / "environments", sandbox.url, managed={"names": ["RB *"]})


def test_rollback_cli_asks_then_restores_then_rolls_forward(
    released: Released, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeded_sandbox, client, _, first, second = released
    laptop = tmp_path / "oncall"  # no git repository, no flows: only the environment file
    write_env(laptop, seeded_sandbox)
    monkeypatch.chdir(laptop)
    runner = CliRunner()

    refused = runner.invoke(app, ["rollback", "--env", "dev"])
    assert refused.exit_code == 2, refused.output
    assert "--yes" in refused.output
    assert live(client) == second

    dry = runner.invoke(app, ["rollback", "--env", "dev", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "dry run" in dry.output and "flow:RB Beta" in dry.output
    markdown = runner.invoke(app, ["rollback", "--env", "dev", "--dry-run", "-f", "markdown"])
    assert markdown.exit_code == 0, markdown.output
    assert markdown.stdout.startswith("### rollback of release 2 in dev (dry run)")
    assert "| flow:RB Beta | 2 | 1 | planned |" in markdown.stdout
    assert live(client) == second

    done = runner.invoke(app, ["rollback", "--env", "dev", "--yes"])
    assert done.exit_code == 0, done.output
    for name in ("flow:RB Alpha", "flow:RB Beta", "flow:RB Gamma"):
        assert name in done.output
    assert "restored" in done.output
    assert live(client) == first

    forward = runner.invoke(app, ["rollback", "--env", "dev", "--yes", "--format", "json"])
    assert forward.exit_code == 0, forward.output
    data = json.loads(forward.stdout)
    assert data["ok"] and data["reverts"] == ["3"] and data["release"] == 4
    assert {f["result"] for f in data["flows"]} == {"restored"}
    assert live(client) == second

    missing = runner.invoke(app, ["rollback", "--env", "dev", "--yes", "--to-release", "99"])
    assert missing.exit_code == 2 and "no release '99'" in missing.output


def test_rollback_cli_partial_failure_exits_1_with_the_table(
    released: Released, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeded_sandbox, *_ = released
    write_env(tmp_path / "oncall", seeded_sandbox)
    monkeypatch.chdir(tmp_path / "oncall")
    seeded_sandbox.config.faults.append(
        FaultRule(
            operation="UpdateContactFlowContent",
            error_code="AccessDeniedException",
            fail_nth=[1],
            message="injected denial",
        )
    )
    result = CliRunner().invoke(app, ["rollback", "--env", "dev", "--yes", "--format", "json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert not data["ok"]
    by_flow = {f["flow"]: f for f in data["flows"]}
    assert by_flow["flow:RB Alpha"]["result"] == "failed"
    assert "injected denial" in by_flow["flow:RB Alpha"]["message"]
    assert by_flow["flow:RB Beta"]["result"] == "restored"
    assert "failed: flow:RB Alpha" in result.stderr
