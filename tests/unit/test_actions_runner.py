"""The GitHub Actions runner in tests/support/actions.py: expressions, conditions, steps."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.support.actions import (
    JobResult,
    Run,
    condition,
    evaluate,
    expand,
    matrix_entries,
    read_kv_file,
    run_steps,
)

CTX: dict[str, Any] = {
    "matrix": {"instance": {"name": "prod-eu", "sandbox": False}},
    "vars": {},
    "steps": {"lint": {"outputs": {"exit-code": "1"}}},
}


def test_expressions_follow_github_semantics() -> None:
    assert evaluate("!matrix.instance.sandbox", CTX) is True
    assert evaluate("vars.FLOWOPS_DEPLOY_ROLE || 'flowops-deploy'", CTX) == "flowops-deploy"
    assert evaluate("steps.lint.outputs.exit-code == '1'", CTX) is True
    assert evaluate("fromJSON('[1, 2]')", CTX) == [1, 2]
    assert expand("role/${{ matrix.instance.name }}", CTX) == "role/prod-eu"
    assert condition("${{ always() }}", CTX, "failure") is True
    assert condition("steps.lint.outputs.exit-code != ''", CTX, "failure") is False
    with pytest.raises(AssertionError, match="does not model"):
        evaluate("nosuch.thing", CTX)


@pytest.mark.parametrize(
    ("expr", "value"),
    [
        ("true || false && false", True),  # && binds tighter than ||
        ("(true || false) && false", False),
        ("!true == false", True),  # ! binds tighter than ==
        ("1 < 2 == true", True),
        ("2 >= 3", False),
        ("'it''s'", "it's"),
        ("null || 'x'", "x"),
        ("'' && 'x'", ""),  # && returns the falsy operand, as GitHub does
        ('fromJSON(\'{"a": {"b": 3}}\').a.b', 3),
        ("format('{0}-{1}', 'a', matrix.instance.name)", "a-prod-eu"),
        ("contains('flows-pr', 'pr')", True),
        ("toJSON(matrix.instance.sandbox)", "false"),
        ("matrix.instance.missing", None),
        ("1.5", 1.5),
    ],
)
def test_operators_precedence_and_functions(expr: str, value: Any) -> None:
    assert evaluate(expr, CTX) == value


@pytest.mark.parametrize(
    "expr",
    ["__import__('os')", "matrix.instance.name)", "(true", "1 +", "nosuchfn()"],
)
def test_what_it_cannot_read_is_an_error_never_python(expr: str) -> None:
    with pytest.raises(AssertionError):
        evaluate(expr, {**CTX, "__import__": print})


def test_status_functions_follow_the_job_status() -> None:
    assert condition(None, CTX, "success") is True
    assert condition(None, CTX, "failure") is False
    assert condition("failure()", CTX, "failure") is True
    assert condition("success() || failure()", CTX, "failure") is True
    assert condition("matrix.instance.name == 'prod-eu'", CTX, "success") is True


def test_matrix_entries_expand_axes() -> None:
    job = {"strategy": {"matrix": {"a": [1, 2], "b": "${{ fromJSON('[\"x\"]') }}"}}}
    assert matrix_entries(job, CTX) == [{"a": 1, "b": "x"}, {"a": 2, "b": "x"}]
    assert matrix_entries({}, CTX) == [{}]


def test_kv_files_hold_lines_and_blocks(tmp_path: Path) -> None:
    path = tmp_path / "out"
    path.write_text("a=1\nbody<<EOF\nline one\nline=two\nEOF\nb=x=y\n", encoding="utf-8")
    assert read_kv_file(path) == {"a": "1", "body": "line one\nline=two", "b": "x=y"}
    assert read_kv_file(tmp_path / "missing") == {}


def test_steps_run_in_bash_with_outputs_conditions_and_pipefail(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    run = Run(repo=tmp_path, base_env={"PATH": "/usr/bin:/bin"})
    job = JobResult("job")
    steps = [
        {"id": "one", "run": 'echo "n=${{ matrix.instance.name }}" >> "$GITHUB_OUTPUT"'},
        {"id": "two", "run": "echo ${{ steps.one.outputs.n }} > seen.txt"},
        {"uses": "actions/checkout@v4"},
        {"id": "pipe", "shell": "bash", "run": "false | true"},
        {"id": "skipped", "run": "touch skipped"},
        {"id": "after", "if": "failure()", "run": "touch after"},
    ]
    ctx: dict[str, Any] = {**CTX}
    assert run_steps(steps, ctx, dict(run.base_env), run, job) == "failure"
    assert (tmp_path / "seen.txt").read_text(encoding="utf-8").strip() == "prod-eu"
    assert ctx["steps"]["pipe"]["outcome"] == "failure"
    assert not (tmp_path / "skipped").exists() and (tmp_path / "after").exists()
    assert run.external == ["actions/checkout"]


def test_without_bash_a_pipe_hides_a_failure(tmp_path: Path) -> None:
    run = Run(repo=tmp_path, base_env={"PATH": "/usr/bin:/bin"})
    job = JobResult("job")
    steps = [{"id": "pipe", "run": "false | true"}]
    assert run_steps(steps, {**CTX}, dict(run.base_env), run, job) == "success"
