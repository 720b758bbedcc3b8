"""A small GitHub Actions runner: the project's workflows, run for real on this machine.

It reads the workflow YAML and executes jobs the way GitHub does, as far as the
workflows need: ``${{ }}`` expressions (parsed and evaluated here, never by ``eval``),
``if:`` conditions, matrices from ``fromJSON``, job ``needs`` and outputs, reusable
workflows and the local composite actions. ``run:`` steps run as GitHub runs them:
``shell: bash`` (step, job or workflow default) with ``-eo pipefail``, an unspecified
shell with ``-e`` only. Third-party actions (checkout, setup-python, AWS credentials,
SARIF upload, PR comments) are recorded in ``Run.external``, not run.

Its own tests are ``tests/unit/test_actions_runner.py``; the workflows' are
``tests/integration/test_workflows_sandbox.py``.
"""

from __future__ import annotations

import itertools
import json
import operator
import os
import re
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import yaml

from flowops import SOURCE_REPOSITORY

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
LOCAL_ACTION = "./.github/actions/"
PUBLISHED_ACTION = f"{SOURCE_REPOSITORY}/.github/actions/"


def load_yaml(path: Path) -> dict[str, Any]:
    """A workflow or action file; PyYAML reads the ``on`` key as ``True``, undone here."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path}: not a mapping"
    if True in data:
        data["on"] = data.pop(True)
    return data


# ---------------------------------------------------------------------------------------
# Expressions


_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>\d+(?:\.\d+)?)|(?P<op>==|!=|&&|\|\||<=|>=|[!()<>,])"
    r"|\.(?P<prop>[A-Za-z_][A-Za-z0-9_-]*)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_*][A-Za-z0-9_-]*)*))"
)
_STATUS = ("always", "success", "failure", "cancelled")
_LITERALS: dict[str, Any] = {"true": True, "false": False, "null": None}
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: bool(a == b),
    "!=": lambda a, b: bool(a != b),
    "<": lambda a, b: bool(a < b),
    "<=": lambda a, b: bool(a <= b),
    ">": lambda a, b: bool(a > b),
    ">=": lambda a, b: bool(a >= b),
}


@dataclass(frozen=True)
class Token:
    """One token of an expression: its kind (str, num, op, prop, name) and text."""

    kind: str
    text: str


def tokenize(expr: str) -> list[Token]:
    """The tokens of ``expr``; anything this runner cannot read is a test error."""
    tokens: list[Token] = []
    pos = 0
    text = expr.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        assert match and match.end() > pos, f"cannot parse expression {expr!r} at {pos}"
        pos = match.end()
        kind = next(k for k, v in match.groupdict().items() if v is not None)
        tokens.append(Token(kind, match[kind]))
    return tokens


class _Parser:
    """Recursive descent over the tokens, evaluating as it goes (no ``eval``).

    Precedence, lowest first: ``||``, ``&&``, ``== !=``, ``< <= > >=``, ``!``, then
    primaries (literals, context paths, function calls, parentheses) and ``.prop``.
    ``||`` and ``&&`` return an operand, as GitHub's do.
    """

    def __init__(self, expr: str, ctx: Mapping[str, Any], status: str) -> None:
        self.expr = expr
        self.tokens = tokenize(expr)
        self.pos = 0
        self.ctx = ctx
        self.functions: dict[str, Callable[..., Any]] = {
            "always": lambda: True,
            "success": lambda: status == "success",
            "failure": lambda: status == "failure",
            "cancelled": lambda: False,
            "fromJSON": json.loads,
            "toJSON": json.dumps,
            "format": lambda f, *a: re.sub(r"\{(\d+)\}", lambda m: str(a[int(m[1])]), f),
            "contains": lambda hay, needle: needle in hay,
        }

    def peek(self) -> Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, op: str | None = None) -> Token:
        token = self.peek()
        assert token is not None, f"{self.expr!r}: ends too early"
        assert op is None or (token.kind == "op" and token.text == op), (
            f"{self.expr!r}: expected {op!r}, found {token.text!r}"
        )
        self.pos += 1
        return token

    def at(self, *ops: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == "op" and token.text in ops

    def parse(self) -> Any:
        value = self.or_()
        assert self.peek() is None, f"{self.expr!r}: unexpected {self.peek()}"
        return value

    def or_(self) -> Any:
        value = self.and_()
        while self.at("||"):
            self.take()
            right = self.and_()
            value = value or right
        return value

    def and_(self) -> Any:
        value = self.equality()
        while self.at("&&"):
            self.take()
            right = self.equality()
            value = value and right
        return value

    def equality(self) -> Any:
        value = self.comparison()
        while self.at("==", "!="):
            op = self.take().text
            value = _COMPARE[op](value, self.comparison())
        return value

    def comparison(self) -> Any:
        value = self.unary()
        while self.at("<", "<=", ">", ">="):
            op = self.take().text
            value = _COMPARE[op](value, self.unary())
        return value

    def unary(self) -> Any:
        if self.at("!"):
            self.take()
            return not self.unary()
        return self.postfix()

    def postfix(self) -> Any:
        value = self.primary()
        while (token := self.peek()) is not None and token.kind == "prop":
            self.take()
            value = value.get(token.text) if isinstance(value, Mapping) else None
        return value

    def primary(self) -> Any:
        token = self.take()
        if token.kind == "str":
            return token.text[1:-1].replace("''", "'")
        if token.kind == "num":
            return float(token.text) if "." in token.text else int(token.text)
        if token.kind == "op":
            assert token.text == "(", f"{self.expr!r}: unexpected {token.text!r}"
            value = self.or_()
            self.take(")")
            return value
        assert token.kind == "name", f"{self.expr!r}: unexpected {token.text!r}"
        if self.at("("):
            return self.call(token.text)
        if token.text in _LITERALS:
            return _LITERALS[token.text]
        return lookup(self.ctx, token.text)

    def call(self, name: str) -> Any:
        assert name in self.functions, f"{self.expr!r}: unknown function {name!r}"
        self.take("(")
        args: list[Any] = []
        while not self.at(")"):
            args.append(self.or_())
            if not self.at(")"):
                self.take(",")
        self.take(")")
        return self.functions[name](*args)


def evaluate(expr: str, ctx: Mapping[str, Any], status: str = "success") -> Any:
    """A GitHub Actions expression's value in ``ctx`` (``status``: the job's so far)."""
    return _Parser(expr, ctx, status).parse()


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
            block = list(itertools.takewhile(partial(operator.ne, delim), it))
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


#: Who commits in the runner's repositories (tests run with an empty HOME: no git identity).
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "dev",
    "GIT_AUTHOR_EMAIL": "dev@example.com",
    "GIT_COMMITTER_NAME": "dev",
    "GIT_COMMITTER_EMAIL": "dev@example.com",
}


def git(repo: Path, *args: str) -> str:
    """``git args`` in ``repo`` as :data:`GIT_IDENTITY`; its output, stripped (failure raises)."""
    return subprocess.run(
        ["git", *args],
        cwd=repo,
        env={**os.environ, **GIT_IDENTITY},
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def flowops(repo: Path, env: Mapping[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """The installed ``flowops`` command, run in ``repo`` with exactly ``env``."""
    return subprocess.run(
        [str(BIN / "flowops"), *args],
        cwd=repo,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=300,
    )


def runner_env(home: Path) -> dict[str, str]:
    """The environment workflow steps run with: this venv first, ``home`` as HOME."""
    return {
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(home),
        "FLOWOPS_SANDBOX_QUOTA": "off",
        "FLOWOPS_INSTALLED_PACKAGE": ".",  # the flowops action: already installed here
        **GIT_IDENTITY,
        "LANG": "C.UTF-8",
        "COLUMNS": "120",
    }


def failures(run: Run) -> str:
    """The failed jobs of ``run`` and their failed commands (for assertion messages)."""
    lines = []
    for job_results in run.jobs.values():
        for r in job_results:
            if r.result == "failure":
                lines.append(f"job {r.name} failed:")
                lines += [f"  [{code}] {cmd}" for cmd, code in r.commands if code]
    states = {k: [r.result for r in v] for k, v in run.jobs.items()}
    return "\n".join(lines) or f"(jobs: {states})"


def results(run: Run, job_id: str) -> list[str]:
    """The result of each run (matrix entry) of job ``job_id``."""
    return [r.result for r in run.jobs[job_id]]
