"""Rolling back a release that only created flows: said so, nothing written or recorded."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from flowops.cli.main import app
from flowops.connect import ConnectClient
from flowops.deploy.promote import promote
from flowops.deploy.releases import read_ledger
from flowops.sandbox import SandboxServer
from tests.support import STAGING, git_repo, sandbox_environment_file
from tests.support.clients import environment
from tests.support.flows import flow_text
from tests.support.repos import commit_files

pytestmark = pytest.mark.integration


def test_rollback_of_a_create_only_release_says_so_and_records_nothing(
    seeded_sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    staging = environment(seeded_sandbox, "staging", STAGING)
    root = tmp_path / "repo"
    repo = git_repo(root, "Test")
    commit_files(repo, {"Brand New.json": flow_text("Brand New")})
    promote(staging, "HEAD", root)
    sandbox_environment_file(root / "environments", seeded_sandbox.url, "staging")
    monkeypatch.chdir(root)
    client = ConnectClient.for_environment(staging)
    before = [r.id for r in read_ledger(client)]

    result = CliRunner().invoke(app, ["rollback", "--env", "staging", "--yes"])

    assert result.exit_code == 2, result.output
    assert "changed nothing that can be restored" in result.output
    assert "flow:Brand New" in result.output and "no release recorded" in result.output
    assert [r.id for r in read_ledger(client)] == before
