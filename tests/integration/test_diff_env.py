"""``flowops diff`` with live sides against the sandbox: env:NAME and NAME:Flow@VERSION."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flowops.cli.main import app
from flowops.deploy.promote import promote
from flowops.sandbox import SandboxServer
from tests.support import PROD, STAGING, git_repo, sandbox_environment_file
from tests.support.clients import environment
from tests.support.flows import flow_text
from tests.support.repos import commit_files
from tests.support.scenarios import console_edit, set_text

pytestmark = pytest.mark.integration


@pytest.fixture
def repo_with_two_releases(
    seeded_sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Staging got A ("Hello") then A ("Second"); prod got the second commit only."""
    staging = environment(seeded_sandbox, "staging", STAGING)
    prod = environment(seeded_sandbox, "prod", PROD)
    root = tmp_path / "repo"
    repo = git_repo(root, "Test")
    commit_files(repo, {"A.json": flow_text("A"), "B.json": flow_text("B", transfer="flow:A")})
    promote(staging, "HEAD", root)
    commit_files(repo, {"A.json": flow_text("A", text="Second")})
    promote(staging, "HEAD", root)
    promote(prod, "HEAD", root)
    envs = root / "environments"
    sandbox_environment_file(envs, seeded_sandbox.url, "staging")
    sandbox_environment_file(envs, seeded_sandbox.url, "prod")
    monkeypatch.chdir(root)
    return root


def test_release_equals_live_in_every_account_and_console_edit_shows(
    repo_with_two_releases: Path, seeded_sandbox: SandboxServer
) -> None:
    same = CliRunner().invoke(app, ["diff", "HEAD", "env:staging", "--exit-code", "-f", "json"])
    assert same.exit_code == 0, same.output
    data = json.loads(same.stdout)
    assert data["semantic_changes"] is False and data["summary"]["unchanged"] == 2
    # two accounts with the same release: ARNs differ, symbolic references do not
    accounts = CliRunner().invoke(app, ["diff", "env:staging", "env:prod", "--exit-code"])
    assert accounts.exit_code == 0, accounts.output
    assert "2 unchanged" in accounts.output

    console_edit(environment(seeded_sandbox, "staging", STAGING), "A", set_text("Live edit"))
    changed = CliRunner().invoke(app, ["diff", "HEAD", "env:staging", "--exit-code"])
    assert changed.exit_code == 1, changed.output
    assert "MessageParticipant 'hello': Text 'Second' -> 'Live edit'" in changed.output
    assert "impact: called by flow:B" in changed.output


def test_flow_versions_in_an_environment(repo_with_two_releases: Path) -> None:
    result = CliRunner().invoke(app, ["diff", "staging:A@1", "staging:A@2", "--exit-code"])
    assert result.exit_code == 1, result.output
    assert "Text 'Hello' -> 'Second'" in result.output
    # a version against the file in the working tree: one flow, narrowed and paired
    same = CliRunner().invoke(app, ["diff", "staging:flow:A@2", "flows/A.json", "--exit-code"])
    assert same.exit_code == 0, same.output
    missing = CliRunner().invoke(app, ["diff", "staging:Nope@1", "HEAD"])
    assert missing.exit_code == 2 and "Nope" in missing.output
    no_version = CliRunner().invoke(app, ["diff", "staging:A@99", "HEAD"])
    assert no_version.exit_code == 2 and "Traceback" not in no_version.output
    assert re.search(r"staging:A: no version 99 \(latest [1-9]\d*\)", no_version.output)
