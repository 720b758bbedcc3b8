"""The workflows' shell steps, run for real against the embedded sandbox.

A small runner reads the workflow YAML and executes its jobs the way GitHub does, as far
as it matters here: ``${{ }}`` expressions, ``if:`` conditions, matrices from
``fromJSON``, job ``needs`` and outputs, reusable workflows, and our composite actions.
``run:`` steps run as GitHub runs them: ``shell: bash`` (step, job or workflow default) with
``-eo pipefail``, an unspecified shell with ``-e`` only, against a temporary
git repository holding the project's flows/ and environments/ (every environment on the
embedded sandbox with a fresh database). Third-party actions (checkout, setup-python,
AWS credentials, SARIF upload, PR comments) are recorded, not run: the files they would
read are asserted on instead.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from flowops import SOURCE_REPOSITORY
from flowops.demo import copy_environments
from tests.unit.test_github_workflows import load_yaml

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
LOCAL_ACTION = "./.github/actions/"
PUBLISHED_ACTION = f"{SOURCE_REPOSITORY}/.github/actions/"

# ---------------------------------------------------------------------------------------
# Expressions


_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>\d+(?:\.\d+)?)|(?P<op>==|!=|&&|\|\||<=|>=|[!()<>,])"
    r"|\.(?P<prop>[A-Za-z_][A-Za-z0-9_-]*)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_*][A-Za-z0-9_-]*)*))"
)
_STATUS = ("always", "success", "failure", "cancelled")


def evaluate(expr: str, ctx: Mapping[str, Any], status: str = "success") -> Any:
    """A GitHub Actions expression, translated token by token to Python and evaluated."""
    out: list[str] = []
    values: list[Any] = []
    pos = 0
    text = expr.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        assert match and match.end() > pos, f"cannot parse expression {expr!r} at {pos}"
        pos = match.end()
        if match["str"] is not None:
            values.append(match["str"][1:-1].replace("''", "'"))
            out.append(f"_v[{len(values) - 1}]")
        elif match["num"] is not None:
            out.append(match["num"])
        elif match["prop"] is not None:  # fromJSON(x).name
            values.append(match["prop"])
            out.append(f".get(_v[{len(values) - 1}])")
        elif match["op"] is not None:
            out.append({"&&": " and ", "||": " or ", "!": " not "}.get(match["op"], match["op"]))
        else:
            name = match["name"]
            if pos < len(text) and text[pos:].lstrip().startswith("("):
                out.append(f"_fn_{name}")
            elif name in ("true", "false", "null"):
                out.append({"true": "True", "false": "False", "null": "None"}[name])
            else:
                values.append(lookup(ctx, name))
                out.append(f"_v[{len(values) - 1}]")
    functions: dict[str, Callable[..., Any]] = {
        "_fn_always": lambda: True,
        "_fn_success": lambda: status == "success",
        "_fn_failure": lambda: status == "failure",
        "_fn_cancelled": lambda: False,
        "_fn_fromJSON": json.loads,
        "_fn_toJSON": json.dumps,
        "_fn_format": lambda f, *a: re.sub(r"\{(\d+)\}", lambda m: str(a[int(m[1])]), f),
        "_fn_contains": lambda hay, needle: needle in hay,
    }
    return eval("".join(out), {"__builtins__": {}, "_v": values, **functions})  # noqa: S307


def lookup(ctx: Mapping[str, Any], dotted: str) -> Any:
    """``matrix.instance.name``; an unknown context is a test error, a missing key null."""
    head, *rest = dotted.split(".")
    assert head in ctx, f"expression uses context {head!r}, which this runner does not model"
    value: Any = ctx[head]
    for part in rest:
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def expand(value: Any, ctx: Mapping[str, Any]) -> Any:
    """Interpolate ``${{ }}`` in strings (a whole-string expression keeps its type)."""
    if isinstance(value, str):
        whole = re.fullmatch(r"\$\{\{(.*?)\}\}", value.strip(), re.S)
        if whole:
            return evaluate(whole[1], ctx)
        return re.sub(r"\$\{\{(.*?)\}\}", lambda m: as_text(evaluate(m[1], ctx)), value)
    if isinstance(value, dict):
        return {k: expand(v, ctx) for k, v in value.items()}
    if isinstance(value, list):
        return [expand(v, ctx) for v in value]
    return value


def condition(raw: Any, ctx: Mapping[str, Any], status: str) -> bool:
    """A step's or job's ``if:``; without a status function it implies ``success()``."""
    if raw is None:
        return status == "success"
    text = str(raw).strip()
    whole = re.fullmatch(r"\$\{\{(.*)\}\}", text, re.S)
    text = whole[1] if whole else text
    if not any(f"{fn}(" in text for fn in _STATUS):
        text = f"success() && ({text})"
    return bool(evaluate(text, ctx, status))


# ---------------------------------------------------------------------------------------
# Steps, jobs, workflows


@dataclass
class Run:
    """What a workflow run did: per job (and matrix entry) its result and step log."""

    repo: Path
    base_env: dict[str, str]
    source: Path = ROOT  # the repository whose .github/workflows run
    jobs: dict[str, list[JobResult]] = field(default_factory=dict)
    external: list[str] = field(default_factory=list)


@dataclass
class JobResult:
    name: str
    result: str = "success"
    outputs: dict[str, Any] = field(default_factory=dict)
    commands: list[tuple[str, int]] = field(default_factory=list)
    summary: str = ""


def read_kv_file(path: Path) -> dict[str, str]:
    """GITHUB_OUTPUT / GITHUB_ENV: ``k=v`` lines and ``k<<DELIM`` blocks."""
    result: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    it = iter(lines)
    for line in it:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            key, delim = line.split("<<", 1)
            block = list(itertools.takewhile(lambda x, d=delim: x != d, it))
            result[key] = "\n".join(block)
        elif "=" in line:
            key, val = line.split("=", 1)
            result[key] = val
    return result


def run_steps(
    steps: list[dict[str, Any]],
    ctx: dict[str, Any],
    env: dict[str, str],
    run: Run,
    job: JobResult,
) -> str:
    """Run steps in order; returns the job status they leave ("success" or "failure")."""
    status = "success"
    ctx["steps"] = {}
    work = run.repo / ".runner"
    work.mkdir(exist_ok=True)
    for index, step in enumerate(steps):
        ctx["env"] = env
        if not condition(step.get("if"), ctx, status):
            continue
        step_env = {**env, **{k: as_text(v) for k, v in expand(step.get("env", {}), ctx).items()}}
        outputs: dict[str, str] = {}
        code = 0
        uses = step.get("uses", "")
        if uses.startswith(PUBLISHED_ACTION):  # flowops' actions by tag: this checkout's
            uses = LOCAL_ACTION + uses.removeprefix(PUBLISHED_ACTION).split("@")[0]
        if uses.startswith(LOCAL_ACTION):
            code, outputs = run_action(
                ROOT / uses, expand(step.get("with", {}), ctx), ctx, step_env, run, job
            )
        elif uses:
            run.external.append(uses.split("@")[0])
        else:
            out_file = work / f"out-{len(job.commands)}-{index}"
            env_file = work / f"env-{len(job.commands)}-{index}"
            summary = work / "summary.md"
            script = expand(step["run"], ctx)
            cwd = run.repo / as_text(expand(step.get("working-directory", "."), ctx))
            shell = step.get("shell", ctx.get("default_shell"))
            flags = ["--noprofile", "--norc", "-eo", "pipefail"] if shell == "bash" else ["-e"]
            proc = subprocess.run(
                ["bash", *flags, "-c", script],
                cwd=cwd,
                env={
                    **step_env,
                    "GITHUB_OUTPUT": str(out_file),
                    "GITHUB_ENV": str(env_file),
                    "GITHUB_STEP_SUMMARY": str(summary),
                    "RUNNER_TEMP": str(work),
                },
                capture_output=True,
                text=True,
                timeout=300,
            )
            code = proc.returncode
            job.commands.append((script, code))
            if code != 0:
                job.commands.append((f"# stdout:\n{proc.stdout}\n# stderr:\n{proc.stderr}", code))
            outputs = read_kv_file(out_file)
            env.update(read_kv_file(env_file))
            job.summary = summary.read_text(encoding="utf-8") if summary.exists() else ""
        if "id" in step:
            ctx["steps"][step["id"]] = {
                "outputs": outputs,
                "outcome": "success" if code == 0 else "failure",
            }
        if code != 0:
            status = "failure"
    return status


def run_action(
    path: Path,
    given: Mapping[str, Any],
    outer: Mapping[str, Any],
    env: dict[str, str],
    run: Run,
    job: JobResult,
) -> tuple[int, dict[str, str]]:
    """A local composite action: inputs from ``with`` over the defaults, then its steps."""
    action = load_yaml(path / "action.yml")
    inputs = {k: as_text(v.get("default", "")) for k, v in action.get("inputs", {}).items()}
    unknown = set(given) - set(inputs)
    assert not unknown, f"{path.name}: unknown inputs {unknown}"
    inputs.update({k: as_text(v) for k, v in given.items()})
    ctx = {"inputs": inputs, "github": outer["github"], "runner": outer["runner"]}
    status = run_steps(action["runs"]["steps"], ctx, env, run, job)
    outputs = {k: as_text(expand(v["value"], ctx)) for k, v in action.get("outputs", {}).items()}
    return (0 if status == "success" else 1), outputs


def matrix_entries(job: Mapping[str, Any], ctx: Mapping[str, Any]) -> list[dict[str, Any]]:
    matrix = job.get("strategy", {}).get("matrix")
    if not matrix:
        return [{}]
    axes = {k: expand(v, ctx) for k, v in matrix.items()}
    assert all(isinstance(v, list) for v in axes.values()), axes
    return [dict(zip(axes, combo, strict=True)) for combo in itertools.product(*axes.values())]


def run_job(doc: Mapping[str, Any], job_id: str, ctx: dict[str, Any], run: Run) -> list[JobResult]:
    job = doc["jobs"][job_id]
    needs = job.get("needs", [])
    needs = [needs] if isinstance(needs, str) else needs
    ctx = {**ctx, "needs": {n: ctx["jobs_done"][n] for n in needs}}
    blocked = any(ctx["needs"][n]["result"] != "success" for n in needs)
    status = "failure" if blocked else "success"
    if not condition(job.get("if"), ctx, status):
        return [JobResult(job_id, result="skipped")]
    if "uses" in job:  # a reusable workflow in this repository
        called = load_yaml(run.source / job["uses"])
        inputs = dict(expand(job.get("with", {}), ctx))
        inner = {**ctx, "inputs": inputs, "jobs_done": {}}
        results: list[JobResult] = []
        for inner_id in called["jobs"]:
            done = run_job(called, inner_id, inner, run)
            inner["jobs_done"][inner_id] = summarize(done)
            results += done
        return results
    results = []
    for entry in matrix_entries(job, ctx):
        shell = job.get("defaults", {}).get("run", {}).get("shell")
        shell = shell or doc.get("defaults", {}).get("run", {}).get("shell")
        jctx = {**ctx, "matrix": entry, "default_shell": shell}
        result = JobResult(f"{job_id}{json.dumps(entry) if entry else ''}")
        env = dict(run.base_env)
        env.update({k: as_text(v) for k, v in expand(doc.get("env", {}), jctx).items()})
        env.update({k: as_text(v) for k, v in expand(job.get("env", {}), jctx).items()})
        result.result = run_steps(job["steps"], jctx, env, run, result)
        result.outputs = {k: expand(v, jctx) for k, v in job.get("outputs", {}).items()}
        results.append(result)
    return results


def summarize(results: list[JobResult]) -> dict[str, Any]:
    if all(r.result == "skipped" for r in results):
        result = "skipped"
    else:
        result = "failure" if any(r.result == "failure" for r in results) else "success"
    outputs: dict[str, Any] = {}
    for r in results:
        outputs.update(r.outputs)
    return {"result": result, "outputs": outputs}


def run_workflow(
    name: str, repo: Path, env: dict[str, str], source: Path = ROOT, **contexts: Any
) -> Run:
    doc = load_yaml(source / ".github" / "workflows" / name)
    run = Run(repo=repo, base_env=env, source=source)
    sha = git(repo, "rev-parse", "HEAD")
    github = {
        "sha": sha,
        "ref": "refs/heads/main",
        "run_id": "1",
        "run_attempt": "1",
        "repository": "example/flows",
        "event": {},
        **contexts.pop("github", {}),
    }
    ctx: dict[str, Any] = {
        "github": github,
        "runner": {"temp": str(repo / ".runner")},
        "vars": {},
        "secrets": {},
        "jobs_done": {},
        **contexts,
    }
    for job_id in doc["jobs"]:
        results = run_job(doc, job_id, ctx, run)
        run.jobs[job_id] = results
        ctx["jobs_done"][job_id] = summarize(results)
    return run


# ---------------------------------------------------------------------------------------
# The repository the workflows run in


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True
    ).stdout.strip()


def flowops(repo: Path, env: Mapping[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "flowops"), *args],
        cwd=repo,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=300,
    )


@dataclass
class Project:
    repo: Path
    env: dict[str, str]


def _env(home: Path) -> dict[str, str]:
    return {
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(home),
        "FLOWOPS_SANDBOX_QUOTA": "off",
        "FLOWOPS_INSTALLED_PACKAGE": ".",  # the flowops action: already installed here
        "GIT_AUTHOR_NAME": "dev",
        "GIT_AUTHOR_EMAIL": "dev@example.com",
        "GIT_COMMITTER_NAME": "dev",
        "GIT_COMMITTER_EMAIL": "dev@example.com",
        "LANG": "C.UTF-8",
        "COLUMNS": "120",
    }


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A team's repository, built once: flows/, environments/, a seeded sandbox database.

    flows/ is the project's own flows/ (exported from the seeded dev account when the
    project has none yet); the environments are the project's, on the embedded sandbox,
    with client pacing lifted (the sandbox's quota is off too, see ``_env``).
    """
    repo = tmp_path_factory.mktemp("template") / "repo"
    copy_environments(repo / "environments", paced=False)  # one database: .flowops/
    env = _env(repo.parent)
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
    """A fresh copy of the template repository and its sandbox database for one test."""
    repo = tmp_path / "repo"
    shutil.copytree(template, repo)
    return Project(repo, _env(tmp_path))


def failures(run: Run) -> str:
    lines = []
    for job_results in run.jobs.values():
        for r in job_results:
            if r.result == "failure":
                lines.append(f"job {r.name} failed:")
                lines += [f"  [{code}] {cmd}" for cmd, code in r.commands if code]
    states = {k: [r.result for r in v] for k, v in run.jobs.items()}
    return "\n".join(lines) or f"(jobs: {states})"


def results(run: Run, job_id: str) -> list[str]:
    return [r.result for r in run.jobs[job_id]]


# ---------------------------------------------------------------------------------------
# The runner itself


def test_expressions_follow_github_semantics() -> None:
    ctx = {
        "matrix": {"instance": {"name": "prod-eu", "sandbox": False}},
        "vars": {},
        "steps": {"lint": {"outputs": {"exit-code": "1"}}},
    }
    assert evaluate("!matrix.instance.sandbox", ctx) is True
    assert evaluate("vars.FLOWOPS_DEPLOY_ROLE || 'flowops-deploy'", ctx) == "flowops-deploy"
    assert evaluate("steps.lint.outputs.exit-code == '1'", ctx) is True
    assert evaluate("fromJSON('[1, 2]')", ctx) == [1, 2]
    assert expand("role/${{ matrix.instance.name }}", ctx) == "role/prod-eu"
    assert condition("${{ always() }}", ctx, "failure") is True
    assert condition("steps.lint.outputs.exit-code != ''", ctx, "failure") is False
    with pytest.raises(AssertionError, match="does not model"):
        evaluate("nosuch.thing", ctx)


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
    for stage in ("dev", "staging", "prod"):
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
    assert run.external.count("marocchino/sticky-pull-request-comment") == 2
    assert results(run, "plan") == ["success"], failures(run)
    plan = (project.repo / "flowops-plan.md").read_text(encoding="utf-8")
    assert plan.startswith("<!-- flowops:plan:staging -->")


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
