"""A repository scaffolded by ``flowops init``: its workflows' steps run against the sandbox.

The scaffolded workflows use flowops' actions by release tag and install the released
package pinned to this version; the runner of ``test_workflows_sandbox`` runs them with
this checkout standing in for that release (its actions, its installed ``flowops``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml

from flowops import DISTRIBUTION, SOURCE_REPOSITORY, __version__
from tests.support.actions import (
    failures,
    flowops,
    git,
    results,
    run_workflow,
    runner_env,
)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def team_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """``flowops init --sandbox`` in an empty folder, the dev flows exported and committed."""
    repo = tmp_path_factory.mktemp("team") / "flows-repo"
    repo.mkdir()
    env = {**runner_env(repo.parent), "FLOWOPS_INSTALLED_PACKAGE": f"{DISTRIBUTION}=={__version__}"}
    init = flowops(repo, env, "init", "--sandbox")
    assert init.returncode == 0, init.stderr
    for path in (repo / "environments").glob("*.yaml"):  # the sandbox's quota is off too
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["rate_limit"] = {"rate": 1000, "burst": 1000}
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    exported = flowops(repo, env, "export", "--env", "dev")
    assert exported.returncode == 0, exported.stderr
    with (repo / ".gitignore").open("a", encoding="utf-8") as ignore:
        ignore.write(".runner/\n*.md\n!flows/README.md\n!scenarios/README.md\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "flows exported from dev")
    return repo, env


def test_scaffold_uses_released_flowops_only(team_repo: tuple[Path, dict[str, str]]) -> None:
    repo, _ = team_repo
    workflows = sorted((repo / ".github" / "workflows").glob("*.yml"))
    assert {p.name for p in workflows} >= {"flows-pr.yml", "deploy.yml", "drift.yml"}
    text = "\n".join(p.read_text(encoding="utf-8") for p in workflows)
    assert "./.github/actions" not in text and "package: .\n" not in text
    assert f"uses: {SOURCE_REPOSITORY}/.github/actions/flowops@v{__version__}" in text
    assert f"package: {DISTRIBUTION}=={__version__}" in text
    hooks = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert hooks["repos"][0]["rev"] == f"v{__version__}"
    assert (repo / "scenarios").is_dir() and any((repo / "flows").glob("*.json"))


def test_scaffolded_deploy_releases_every_stage(team_repo: tuple[Path, dict[str, str]]) -> None:
    repo, env = team_repo
    run = run_workflow("deploy.yml", repo, dict(env), source=repo)
    assert results(run, "fleet") == ["success"], failures(run)
    for stage in ("dev", "staging", "prod"):
        assert results(run, stage) == ["success"], failures(run)
    assert f"{SOURCE_REPOSITORY}/.github/actions/flowops" not in run.external  # ran here
    assert "flowops release: prod" in run.jobs["prod"][0].summary
    tags = git(repo, "tag", "--list", "flowops/prod/*").split()
    assert len(tags) == 1, tags


def test_scaffolded_pull_request_review_reports(team_repo: tuple[Path, dict[str, str]]) -> None:
    repo, env = team_repo
    base = git(repo, "rev-parse", "HEAD")
    path = sorted((repo / "flows").glob("*.json"))[0]
    doc = json.loads(path.read_text(encoding="utf-8"))
    action = next(a for a in doc["content"]["Actions"] if a["Type"] == "MessageParticipant")
    action["Parameters"]["Text"] = "Hello from the team's repository."
    path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    assert flowops(repo, env, "fmt", "flows").returncode == 0
    git(repo, "commit", "-qam", "edit a greeting")
    github = {"event": {"pull_request": {"number": 3, "base": {"sha": base}}}}
    try:
        run = run_workflow("flows-pr.yml", repo, dict(env), source=repo, github=github)
    finally:
        git(repo, "reset", "-q", "--hard", base)
    assert results(run, "review") == ["success"], failures(run)
    comment = (repo / "flowops-comment.md").read_text(encoding="utf-8")
    assert "Hello from the team's repository." in comment
    assert results(run, "plan") == ["success"], failures(run)


def test_init_refuses_a_bad_account_and_keeps_existing_files(tmp_path: Path) -> None:
    env = {**runner_env(tmp_path), "PATH": os.environ["PATH"]}
    bad = flowops(tmp_path, env, "init", "--account", "dev=12345")
    assert bad.returncode == 2 and "not 12 digits" in bad.stderr
    assert not (tmp_path / "environments").exists()
    (tmp_path / ".gitignore").write_text("mine\n", encoding="utf-8")
    made = flowops(
        tmp_path,
        env,
        "init",
        "--account",
        "dev=111111111111",
        "--account",
        "prod=333333333333",
        "--instance",
        "my-connect",
        "--region",
        "eu-west-2",
    )
    assert made.returncode == 0, made.stderr
    assert "kept .gitignore" in made.stderr
    assert (tmp_path / ".gitignore").read_text(encoding="utf-8") == "mine\n"
    prod = yaml.safe_load((tmp_path / "environments" / "prod.yaml").read_text(encoding="utf-8"))
    assert prod["protected"] is True and prod["instance"] == "my-connect"
    assert prod["region"] == "eu-west-2" and "endpoint_url" not in prod
    dev = yaml.safe_load((tmp_path / "environments" / "dev.yaml").read_text(encoding="utf-8"))
    assert dev["protected"] is False
    assert (tmp_path / ".git").is_dir()
