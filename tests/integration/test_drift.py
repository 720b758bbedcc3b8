"""Drift against the sandbox over real HTTP: live flows vs the files of the last release."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from flowops.cli.main import app
from flowops.config import Environment
from flowops.connect import ConnectClient
from flowops.deploy.drift import drift
from flowops.deploy.promote import promote
from flowops.diff.sources import SourceContext
from flowops.errors import BadInputError
from flowops.sandbox import SandboxServer
from tests.support import STAGING, git_repo, sandbox_environment_file
from tests.support.clients import environment
from tests.support.flows import flow_text
from tests.support.repos import commit_files
from tests.support.scenarios import console_edit, set_text

pytestmark = pytest.mark.integration


def move_blocks(content: dict[str, Any]) -> None:
    meta = content.setdefault("Metadata", {}).setdefault("ActionMetadata", {})
    for action in content["Actions"]:
        meta.setdefault(action["Identifier"], {})["position"] = {"x": 999, "y": 5}


@pytest.fixture
def released(seeded_sandbox: SandboxServer, tmp_path: Path) -> tuple[Environment, Path]:
    """Staging with flows A and B released from a fresh repository (release 1)."""
    staging = environment(seeded_sandbox, "staging", STAGING)
    repo = git_repo(tmp_path / "repo", "Test")
    commit_files(repo, {"A.json": flow_text("A"), "B.json": flow_text("B", transfer="flow:A")})
    promote(staging, "HEAD", tmp_path / "repo")
    return staging, tmp_path / "repo" / "flows"


def test_no_drift_right_after_a_release_and_layout_edits_are_not_drift(
    released: tuple[Environment, Path],
) -> None:
    staging, flows = released
    report = drift(staging, ctx=SourceContext(flows))
    assert report.release is not None and report.release.id == 1
    assert not report.drifted and report.diff.flows == ()
    console_edit(staging, "A", move_blocks)
    report = drift(staging, ctx=SourceContext(flows))
    assert not report.drifted
    assert [(f.key, f.status) for f in report.diff.flows] == [("flow:A", "layout")]


def test_console_edits_creations_and_deletions_are_drift(
    released: tuple[Environment, Path],
) -> None:
    staging, flows = released
    console_edit(staging, "A", set_text("Edited in the console"))
    client = ConnectClient.for_environment(staging)
    b = client.catalog().flow("flow", "B")
    assert b is not None
    client.delete("flow", b.id)
    client.create("flow", "Console Only", json.dumps(json.loads(flow_text("x"))["content"]))
    report = drift(staging, ctx=SourceContext(flows))
    assert report.drifted
    assert {f.key: f.status for f in report.diff.flows} == {
        "flow:A": "changed",
        "flow:B": "removed",
        "flow:Console Only": "added",
    }
    a = report.diff.flow("flow:A")
    assert a is not None
    (change,) = a.actions
    assert [(c.path, c.old, c.new) for c in change.parameters] == [
        ("Text", "Hello", "Edited in the console")
    ]
    assert a.impacted_by == ("flow:B",)  # B, deleted live, still called A in the release


def test_without_a_release_drift_needs_a_ref(seeded_sandbox: SandboxServer, tmp_path: Path) -> None:
    staging = environment(seeded_sandbox, "staging", STAGING)
    repo = git_repo(tmp_path / "repo", "Test")
    commit_files(repo, {"A.json": flow_text("A")})
    flows = tmp_path / "repo" / "flows"
    with pytest.raises(BadInputError, match="--ref"):
        drift(staging, ctx=SourceContext(flows))
    report = drift(staging, ref="HEAD", ctx=SourceContext(flows))
    assert report.drifted and [(f.key, f.status) for f in report.diff.flows] == [
        ("flow:A", "removed")
    ]


def test_drift_cli_exit_codes_and_formats(
    released: tuple[Environment, Path], seeded_sandbox: SandboxServer, tmp_path: Path
) -> None:
    _, flows = released
    envs = tmp_path / "environments"
    sandbox_environment_file(envs, seeded_sandbox.url, "staging")
    runner = CliRunner()
    base = ["drift", "--env", "staging", "--environments", str(envs), "--flows", str(flows)]
    clean = runner.invoke(app, base)
    assert clean.exit_code == 0, clean.output
    assert "no semantic change" in clean.output

    console_edit(environment(seeded_sandbox, "staging", STAGING), "A", set_text("Hi there"))
    drifted = runner.invoke(app, [*base, "--format", "json"])
    assert drifted.exit_code == 1, drifted.output
    data = json.loads(drifted.stdout)
    assert data["new"] == "env:staging" and data["old"].startswith("release 1 (")
    assert [f["key"] for f in data["flows"]] == ["flow:A"]
    markdown = runner.invoke(app, [*base, "--format", "markdown"])
    assert markdown.exit_code == 1 and "| `flow:A` | changed |" in markdown.stdout

    assert (
        runner.invoke(app, ["drift", "--env", "nowhere", "--environments", str(envs)]).exit_code
        == 2
    )
    unknown_ref = runner.invoke(app, [*base, "--ref", "no-such-commit"])
    assert unknown_ref.exit_code == 2 and "no-such-commit" in unknown_ref.output
