"""The workflows' shell steps, run for real against the embedded sandbox.

``tests.support.actions`` runs the workflow YAML as GitHub would, against a temporary git
repository holding the project's flows/ and environments/ (every environment on the
embedded sandbox with a fresh database). Third-party actions (checkout, setup-python,
AWS credentials, SARIF upload, PR comments) are recorded, not run: the files they would
read are asserted on instead.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from flowops.demo import copy_environments
from tests.support.actions import (
    ROOT,
    JobResult,
    Run,
    failures,
    flowops,
    git,
    load_yaml,
    results,
    run_action,
    run_workflow,
    runner_env,
)

pytestmark = pytest.mark.integration


@dataclass
class Project:
    repo: Path
    env: dict[str, str]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A team's repository, built once: flows/, environments/, a seeded sandbox database.

    flows/ is the project's own flows/ (exported from the seeded dev account when the
    project has none yet); the environments are the project's, on the embedded sandbox,
    with client pacing lifted (the sandbox's quota is off too, see ``_env``).
    """
    repo = tmp_path_factory.mktemp("template") / "repo"
    copy_environments(repo / "environments", paced=False)  # one database: .flowops/
    env = runner_env(repo.parent)
    git(repo, "init", "-q", "-b", "main")
    exported = flowops(repo, env, "export", "--env", "dev")
    assert exported.returncode == 0, exported.stderr  # also seeds the sandbox database
    if any((ROOT / "flows").rglob("*.json")):  # keep the project's files, not the export
        shutil.rmtree(repo / "flows")
        shutil.copytree(ROOT / "flows", repo / "flows")
    (repo / ".gitignore").write_text(".flowops/\n.runner/\n*.md\n*.sarif\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "flows")
    return repo


@pytest.fixture
def project(template: Path, tmp_path: Path) -> Project:
    """A fresh copy of the template repository and its sandbox database for one test.

    Tests also read and write its environments in this process (embedded sandboxes on).
    """
    repo = tmp_path / "repo"
    shutil.copytree(template, repo)
    return Project(repo, runner_env(tmp_path))


# ---------------------------------------------------------------------------------------
# The runner itself


def test_fleet_action_groups_environments_by_stage(project: Project) -> None:
    prod = yaml.safe_load((project.repo / "environments" / "prod.yaml").read_text())
    prod.update(name="prod-eu", region="eu-west-1")
    (project.repo / "environments" / "prod-eu.yaml").write_text(yaml.safe_dump(prod))
    run = Run(repo=project.repo, base_env=project.env)
    job = JobResult("fleet")
    code, outputs = run_action(
        ROOT / ".github/actions/fleet",
        {},
        {"github": {}, "runner": {}},
        dict(project.env),
        run,
        job,
    )
    assert code == 0, job.commands
    assert [e["name"] for e in json.loads(outputs["prod"])] == ["prod", "prod-eu"]
    assert [e["name"] for e in json.loads(outputs["dev"])] == ["dev"]
    eu = json.loads(outputs["prod"])[1]
    assert eu == {
        "name": "prod-eu",
        "stage": "prod",
        "account": "333333333333",
        "region": "eu-west-1",
        "sandbox": True,
    }
    assert len(json.loads(outputs["all"])) == 4
    assert [e["name"] for e in json.loads(outputs["released"])] == ["staging", "prod", "prod-eu"]


def test_flowops_action_passes_args_without_evaluating_them(project: Project) -> None:
    """``args`` is split like a command line, never run by a shell: no injection."""
    run = Run(repo=project.repo, base_env=project.env)
    job = JobResult("action")
    code, outputs = run_action(
        ROOT / ".github/actions/flowops",
        {
            "package": ".",
            "args": 'lint "flows" $(touch pwned); touch pwned2',
            "allowed-exit-codes": "0 1 2",
        },
        {"github": {}, "runner": {}},
        dict(project.env),
        run,
        job,
    )
    assert code == 0, job.commands
    assert outputs["exit-code"] == "2"  # flowops saw the odd words as paths and refused
    assert not (project.repo / "pwned").exists()
    assert not (project.repo / "pwned2").exists()


# ---------------------------------------------------------------------------------------
# The workflows


def test_ci_workflow_runs_the_projects_entry_point() -> None:
    doc = load_yaml(ROOT / ".github/workflows/ci.yml")
    runs = [s["run"] for s in doc["jobs"]["test"]["steps"] if "run" in s]
    assert runs == ["bash .ci/run"]
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_deploy_promotes_every_stage_and_fans_out_over_the_fleet(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dev and staging have one instance each; prod is a fleet of two.

    The second prod instance is another Amazon Connect altogether: a second sandbox
    (its own database), seeded in eu-west-1.
    """
    from flowops.sandbox.seed import seed

    seed(project.repo / ".flowops" / "sandbox-eu.db", region="eu-west-1")
    prod = yaml.safe_load((project.repo / "environments" / "prod.yaml").read_text())
    prod.update(name="prod-eu", region="eu-west-1", sandbox_db=".flowops/sandbox-eu.db")
    (project.repo / "environments" / "prod-eu.yaml").write_text(yaml.safe_dump(prod))
    git(project.repo, "add", "-A")
    git(project.repo, "commit", "-qm", "prod-eu joins the fleet")

    run = run_workflow("deploy.yml", project.repo, project.env)

    assert results(run, "fleet") == ["success"]
    assert results(run, "test") == ["success"], failures(run)  # scenarios before any promote
    for stage in ("dev", "staging", "staging-tests", "prod"):
        assert set(results(run, stage)) == {"success"}, failures(run)
    promoted = [r.name for r in run.jobs["prod"]]
    assert len(promoted) == 2
    assert "aws-actions/configure-aws-credentials" not in run.external  # sandbox: no AWS
    for r in run.jobs["prod"]:
        assert "flowops release: prod" in r.summary
    # The releases are real: every instance now has what git has (a plan finds no work).
    assert _pending_changes(project, monkeypatch, "dev", "staging", "prod", "prod-eu") == {}


def _pending_changes(
    project: Project, monkeypatch: pytest.MonkeyPatch, *names: str
) -> dict[str, list[str]]:
    """What a plan of HEAD would still create or update, per environment (in-process)."""
    from flowops.config import load_environment
    from flowops.deploy.promote import promote

    monkeypatch.chdir(project.repo)
    monkeypatch.setenv("FLOWOPS_SANDBOX_QUOTA", "off")
    pending: dict[str, list[str]] = {}
    for name in names:
        plan = promote(load_environment(name), "HEAD", project.repo, dry_run=True).plan
        work = [f"{s.action} {s.key}" for s in plan.steps if s.action in ("create", "update")]
        if work:
            pending[name] = work
    return pending


def _edited_flow(project: Project) -> str:
    """The flow _pull_request edits: the first flow file's name."""
    path = sorted((project.repo / "flows").glob("*.json"))[0]
    return str(json.loads(path.read_text(encoding="utf-8"))["name"])


def _pull_request(project: Project, *, break_lint: bool) -> dict[str, Any]:
    """A pull request that edits one flow (and optionally breaks it)."""
    base = git(project.repo, "rev-parse", "HEAD")
    path = sorted((project.repo / "flows").glob("*.json"))[0]
    doc = json.loads(path.read_text(encoding="utf-8"))
    content = doc.get("content", doc)
    action = next(a for a in content["Actions"] if a.get("Type") == "MessageParticipant")
    action.setdefault("Parameters", {})["Text"] = "Thanks for calling, now in a pull request."
    if break_lint:
        action["Transitions"]["NextAction"] = "no-such-action"
    path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    fmt = flowops(project.repo, project.env, "fmt", "flows")
    assert fmt.returncode == 0, fmt.stderr
    git(project.repo, "commit", "-qam", "edit a greeting")
    return {"event": {"pull_request": {"number": 7, "base": {"sha": base}}}}


def test_flows_pr_reports_lint_diff_and_plan(project: Project) -> None:
    """A pull request that breaks a flow: every report is still produced, then it fails."""
    broken = True
    github = _pull_request(project, break_lint=broken)

    run = run_workflow("flows-pr.yml", project.repo, project.env, github=github)

    assert results(run, "review") == (["failure"] if broken else ["success"]), failures(run)
    sarif = json.loads((project.repo / "flowops.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    rule_ids = {r["ruleId"] for r in sarif["runs"][0]["results"]}
    assert ("FL102" in rule_ids) is broken
    comment = (project.repo / "flowops-comment.md").read_text(encoding="utf-8")
    assert comment.startswith("<!-- flowops:diff -->")
    assert "```mermaid" in comment
    assert "now in a pull request" in comment
    assert "github/codeql-action/upload-sarif" in run.external
    assert run.external.count("marocchino/sticky-pull-request-comment") == 3
    tests = (project.repo / "flowops-coverage.md").read_text(encoding="utf-8")
    assert tests.startswith("## flowops test") and "branch coverage" in tests
    # Connect would refuse the broken flow on publish: the plan gate fails, after posting.
    assert results(run, "plan") == (["failure"] if broken else ["success"]), failures(run)
    plan = (project.repo / "flowops-plan.md").read_text(encoding="utf-8")
    assert plan.startswith("<!-- flowops:plan:staging -->")
    assert ("'no-such-action' does not name an action" in plan) is broken


def _release(project: Project, monkeypatch: pytest.MonkeyPatch, *names: str) -> None:
    """Promote HEAD to environments in this process: the state a deploy leaves.

    (deploy.yml itself is run by the test above; here it would only cost time.)
    """
    from flowops.config import load_environment
    from flowops.deploy.promote import promote

    monkeypatch.chdir(project.repo)
    monkeypatch.setenv("FLOWOPS_SANDBOX_QUOTA", "off")
    for name in names:
        result = promote(load_environment(name), "HEAD", project.repo, yes=True)
        assert result.applied is not None and result.applied.release is not None, name


def _edit_live_flow(project: Project, env_name: str) -> str:
    """Someone edits a managed flow in the console (through the real client)."""
    from flowops.config import load_environment
    from flowops.connect import ConnectClient

    env = load_environment(env_name, project.repo / "environments")
    client = ConnectClient.for_environment(env)
    for key, live in sorted(client.catalog(with_content=True).flows.items()):
        flow = client.describe("flow", live.id) if live.kind == "flow" else None
        if flow is None or flow.content is None:
            continue
        content = json.loads(flow.content)
        for action in content["Actions"]:
            if action.get("Type") == "MessageParticipant":
                action["Parameters"]["Text"] = "Edited in the console at 3 a.m."
                client.update_content("flow", flow.id, json.dumps(content))
                return key
    raise AssertionError(f"no flow with a message in {env_name}")


def test_drift_fails_only_the_drifted_environment(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    _release(project, monkeypatch, "staging", "prod")
    edited = _edit_live_flow(project, "staging")

    run = run_workflow("drift.yml", project.repo, project.env)

    by_env = {json.loads(r.name[len("drift") :])["instance"]["name"]: r for r in run.jobs["drift"]}
    assert set(by_env) == {"staging", "prod"}  # dev is where flows are edited
    assert by_env["staging"].result == "failure", failures(run)
    assert "Edited in the console" in by_env["staging"].summary
    assert edited in by_env["staging"].summary
    assert by_env["prod"].result == "success", failures(run)


def test_rollback_workflow_restores_the_previous_release(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    _release(project, monkeypatch, "prod")
    _pull_request(project, break_lint=False)  # a second commit, released to prod too
    _release(project, monkeypatch, "prod")

    run = run_workflow(
        "rollback.yml",
        project.repo,
        project.env,
        inputs={"environment": "prod", "flow": "", "release": ""},
    )

    assert results(run, "resolve") == ["success"], failures(run)
    assert results(run, "rollback") == ["success"], failures(run)
    summary = run.jobs["rollback"][0].summary
    assert "flowops rollback: prod" in summary
    assert f"| flow:{_edited_flow(project)} |" in summary and "| restored |" in summary
    # prod is back where the first release left it: the first commit plans as no change,
    # the second (rolled back) as one update.
    assert list(_pending_changes(project, monkeypatch, "prod")["prod"]) == [
        "update flow:" + _edited_flow(project)
    ]
    git(project.repo, "checkout", "-q", "HEAD~1")
    assert _pending_changes(project, monkeypatch, "prod") == {}


def test_rollback_of_an_unknown_environment_fails_before_any_write(project: Project) -> None:
    run = run_workflow(
        "rollback.yml",
        project.repo,
        project.env,
        inputs={"environment": "nowhere", "flow": "", "release": ""},
    )
    assert results(run, "resolve") == ["failure"]
    assert results(run, "rollback") == ["skipped"]


def test_a_failed_rollback_fails_the_job_though_its_output_is_piped(project: Project) -> None:
    """prod has no release: ``flowops rollback`` exits 2 inside ``| tee``, the job fails."""
    run = run_workflow(
        "rollback.yml",
        project.repo,
        project.env,
        inputs={"environment": "prod", "flow": "", "release": ""},
    )
    assert results(run, "resolve") == ["success"], failures(run)
    assert results(run, "rollback") == ["failure"]
    failed = [cmd for cmd, code in run.jobs["rollback"][0].commands if code]
    assert any("nothing to roll back" in cmd for cmd in failed), failed
    assert "Nothing rolled back" in run.jobs["rollback"][0].summary
