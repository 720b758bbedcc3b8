"""Options that mean the same on every command, through the CLI against the sandbox:
``FLOWOPS_ENV``, ``--environments``, ``plan --exit-code``, uncommitted flows."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from flowops.cli.main import app
from flowops.errors import ExitCode
from flowops.sandbox import SandboxServer
from tests.support import git_repo, sandbox_environment_file
from tests.support.flows import flow_text
from tests.support.repos import commit_files

pytestmark = pytest.mark.integration


@pytest.fixture
def repo(seeded_sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with one flow and a staging environment kept in ``envs/``."""
    root = tmp_path / "repo"
    commit_files(git_repo(root, "Test"), {"A.json": flow_text("A")})
    sandbox_environment_file(root / "envs", seeded_sandbox.url, "staging")
    monkeypatch.chdir(root)
    return root


def test_plan_exit_code_says_whether_there_are_changes(repo: Path) -> None:
    runner = CliRunner()
    env = {"FLOWOPS_ENV": "staging", "FLOWOPS_ENVIRONMENTS": "envs"}
    planned = runner.invoke(app, ["plan", "--exit-code"], env=env)
    assert planned.exit_code == int(ExitCode.PLAN_CHANGES) == 4, planned.output  # 1: a failed check
    assert "flow:A" in planned.output
    no_flag = runner.invoke(app, ["plan", "--environments", "envs", "-e", "staging"])
    assert no_flag.exit_code == 0, no_flag.output
    promoted = runner.invoke(app, ["promote", "--yes"], env=env)
    assert promoted.exit_code == 0, promoted.output
    clean = runner.invoke(app, ["plan", "--exit-code"], env=env)
    assert clean.exit_code == 0, clean.output


def test_uncommitted_flows_warn_in_plan_and_stop_promote(repo: Path) -> None:
    runner = CliRunner()
    env = {"FLOWOPS_ENVIRONMENTS": "envs"}
    (repo / "flows" / "A.json").write_text(flow_text("A", text="Not committed"))
    planned = runner.invoke(app, ["plan", "--env", "staging"], env=env)
    assert planned.exit_code == 0, planned.output
    assert "uncommitted change(s) under flows/" in planned.output
    assert "flows/A.json" in planned.output
    refused = runner.invoke(app, ["promote", "--env", "staging"], env=env)
    assert refused.exit_code == 2
    assert "--allow-dirty" in refused.output and "Release" not in refused.output
    allowed = runner.invoke(app, ["promote", "--to", "staging", "--allow-dirty"], env=env)
    assert allowed.exit_code == 0, allowed.output
    assert "Release 1 to staging" in allowed.output


def test_every_command_finds_environments_in_the_same_folder(repo: Path) -> None:
    runner = CliRunner()
    env = {"FLOWOPS_ENV": "staging", "FLOWOPS_ENVIRONMENTS": "envs"}
    status = runner.invoke(app, ["canary", "status"], env=env)
    assert status.exit_code == 0 and "staging: no canary running" in status.output
    flag = runner.invoke(app, ["canary", "status", "--environments", "envs", "-e", "staging"])
    assert flag.exit_code == 0 and "staging: no canary running" in flag.output, flag.output
    history = runner.invoke(app, ["history"], env=env)
    assert history.exit_code == 0, history.output
    dry = runner.invoke(app, ["rollback", "--environments", "envs", "--dry-run"], env=env)
    assert dry.exit_code == 2 and "no release" in dry.output.lower(), dry.output
    elsewhere = runner.invoke(app, ["history", "--env", "staging"])
    assert elsewhere.exit_code == 2 and "unknown environment 'staging'" in elsewhere.output
