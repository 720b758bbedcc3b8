"""``flowops lint`` starts fast: what its process imports, and the fast path's parity.

The console script parses a plain ``flowops lint`` without typer (``flowops.cli.entry``,
``flowops.cli.lint_fast``). These tests keep heavy imports off that path (speed itself
is measured in ``bench/``, not here) and hold the fast path and the typer command to the
same output and exit code for every argument form the fast path accepts.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flowops.cli.lint_fast import RENDERERS, LintFormat, parse_fast, run_fast
from flowops.cli.main import app
from flowops.errors import ExitCode
from flowops.lint import LintReport

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lint"
REPO = Path(__file__).resolve().parents[2]
CLEAN = FIXTURES / "FL101" / "good" / "start_ok.json"
WARNINGS_ONLY = FIXTURES / "FL105" / "bad" / "dead_end.json"
ERRORS = FIXTURES / "FL102" / "bad" / "dangling.json"

#: Packages the lint path must not import (each costs more than linting a flow).
FORBIDDEN = (
    "networkx",
    "jsonschema",
    "yaml",
    "rich",
    "typer",
    "click",
    "pydantic",
    "git",
    "boto3",
    "botocore",
    "deepdiff",
    "flowops.connect",
    "flowops.deploy",
    "flowops.diff",
    "flowops.sandbox",
)

_PROBE = """
import atexit, json, sys
out = sys.argv.pop(1)
atexit.register(lambda: open(out, "w").write(json.dumps(sorted(sys.modules))))
sys.argv[0] = "flowops"
from flowops.cli.entry import main
main()
"""


def _modules(tmp_path: Path, *args: str) -> list[str]:
    out = tmp_path / "modules.json"
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(out), "lint", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if k != "FLOWOPS_LINT_CONFIG"},
    )
    assert done.returncode in (0, 1), done.stderr
    loaded: list[str] = json.loads(out.read_text())
    return loaded


def _heavy(modules: list[str]) -> list[str]:
    return [m for m in modules if any(m == f or m.startswith(f + ".") for f in FORBIDDEN)]


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_lint_process_imports_nothing_heavy(tmp_path: Path, fmt: str) -> None:
    modules = _modules(tmp_path, str(ERRORS), str(REPO / "flows"), "--format", fmt)
    assert "flowops.lint.engine" in modules  # the probe saw the real run
    assert _heavy(modules) == []


def test_lint_with_a_pyproject_imports_nothing_heavy(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.flowops.lint]\nrules = {FL105 = {enabled = false}}\n"
    )
    assert _heavy(_modules(tmp_path, str(WARNINGS_ONLY))) == []


def test_the_probe_sees_heavy_imports_where_they_happen(tmp_path: Path) -> None:
    """The guard can fail: ``--help`` goes to typer, which imports rich."""
    out = tmp_path / "modules.json"
    subprocess.run(
        [sys.executable, "-c", _PROBE, str(out), "lint", "--help"],
        capture_output=True,
        cwd=tmp_path,
    )
    assert "typer" in _heavy(json.loads(out.read_text()))


# --- the fast path and the typer command agree ------------------------------------------


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _typer(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["lint", *args])
    return result.exit_code, result.stdout, _one_line(result.stderr)


def _fast(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = run_fast(args)
    assert code is not None, args
    captured = capsys.readouterr()
    return code, captured.out, _one_line(captured.err)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    flows = tmp_path / "flows"
    flows.mkdir()
    shutil.copy(ERRORS, flows / "dangling.json")
    shutil.copy(WARNINGS_ONLY, flows / "dead_end.json")
    (tmp_path / "empty").mkdir()
    (tmp_path / "broken.json").write_text('{"StartAction": 1, "Actions": []}')
    (tmp_path / "bad.yaml").write_text("lint:\n  ignore:\n    - {rule: FL105}\n")
    (tmp_path / "off.yaml").write_text("lint:\n  rules: {FL102: {enabled: false}}\n")
    return tmp_path


CASES = [
    [str(CLEAN)],
    [str(ERRORS)],
    ["{tmp}/flows"],
    ["{tmp}/flows", "--fail-on", "warning"],
    ["--fail-on=info", str(WARNINGS_ONLY)],
    ["{tmp}/flows", "-f", "json"],
    ["{tmp}/flows", "--format=sarif"],
    ["{tmp}/flows", "--format", "github", str(CLEAN)],
    ["{tmp}/flows", "--config", "{tmp}/off.yaml"],
    ["{tmp}/flows", "--config={tmp}/bad.yaml"],
    ["{tmp}/missing.json"],
    ["{tmp}/broken.json", str(CLEAN)],
    ["{tmp}/empty"],
]


@pytest.mark.parametrize("args", CASES, ids=lambda a: " ".join(a).replace("{tmp}", ""))
def test_fast_path_matches_the_typer_command(
    args: list[str],
    folder: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(folder)
    monkeypatch.delenv("FLOWOPS_LINT_CONFIG", raising=False)
    argv = [a.replace("{tmp}", str(folder)) for a in args]
    assert _fast(argv, capsys) == _typer(argv)


def test_fast_path_reads_the_config_variable(
    folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(folder)
    monkeypatch.setenv("FLOWOPS_LINT_CONFIG", str(folder / "off.yaml"))
    fast = _fast([str(folder / "flows")], capsys)
    assert fast == _typer([str(folder / "flows")])
    assert fast[0] == 0


def test_a_bug_on_the_fast_path_is_one_line_and_exit_70_as_in_the_typer_command(
    folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(report: LintReport) -> str:
        raise KeyError("boom")

    monkeypatch.setitem(RENDERERS, LintFormat.json, broken)
    argv = [str(folder / "flows"), "--format", "json"]
    fast = _fast(argv, capsys)
    assert fast == _typer(argv)
    assert fast[0] == int(ExitCode.INTERNAL_ERROR) and fast[1] == ""
    assert fast[2].startswith("internal error: KeyError: 'boom'")
    monkeypatch.setenv("FLOWOPS_DEBUG", "1")
    with pytest.raises(KeyError):
        run_fast(argv)


@pytest.mark.parametrize(
    "args",
    [["--help"], ["-h"], ["--format", "xml"], ["--fail-on"], ["--", "x.json"], ["-fjson"], ["-x"]],
)
def test_fast_path_leaves_everything_else_to_typer(args: list[str]) -> None:
    assert parse_fast(args) is None


def test_console_script_runs_the_fast_path_and_falls_back(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("flowops")
    if not script.exists():
        pytest.skip("flowops console script not installed next to this Python")
    done = subprocess.run([str(script), "lint", str(ERRORS)], capture_output=True, text=True)
    assert done.returncode == 1 and "FL102" in done.stdout
    usage = subprocess.run([str(script), "lint", "--format", "xml"], capture_output=True, text=True)
    assert usage.returncode == 2 and "xml" in usage.stderr
