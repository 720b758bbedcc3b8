"""``make demo`` (``flowops demo``): the whole story on the embedded sandbox, twice.

The demo resets its scratch folder and its own sandbox database on every run, so a second
run in a row tells the same story; both runs go through the real CLI (CliRunner) and
real boto3 over HTTP against the embedded sandbox.
"""

from __future__ import annotations

from pathlib import Path

import git
import pytest
from typer.testing import CliRunner

from flowops.cli.main import app
from flowops.demo import DemoStep, run_demo

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]

CHAPTERS = [
    "Start the sandbox",
    "Export dev into git",
    "Lint",
    "Break a flow: lint catches it",
    "Fix it and read the diff",
    "Test your flows: one scenario fails",
    "Promote to staging (twice)",
    "Scenarios as test cases in staging",
    "Prod runs the previous release",
    "Canary in prod",
    "A canary that drops callers is stopped",
    "Roll prod back",
    "History, from Connect itself",
]


def test_demo_tells_the_story_and_runs_again(tmp_path: Path) -> None:
    """First run through the library (what happened), second through the CLI (same story
    again, in the same process and scratch folder: the demo resets, it does not pile up)."""
    workdir = tmp_path / "demo"
    seen: list[DemoStep] = []
    result = run_demo(workdir, report=seen.append)

    assert result.ok, [s for s in result.steps if not s.ok]
    assert [s.chapter for s in result.steps] == CHAPTERS == [s.chapter for s in seen]
    steps = {s.chapter: s for s in result.steps}
    assert any("FL204" in d for d in steps["Break a flow: lint catches it"].details)
    assert not any("FL204" in d for d in steps["Lint"].details)
    assert any("'3' -> '8'" in d for d in steps["Fix it and read the diff"].details)
    assert "no writes" in steps["Promote to staging (twice)"].outcome
    tests = steps["Test your flows: one scenario fails"]
    assert tests.outcome.startswith("1 of ") and "branch coverage 100.0%" in tests.outcome
    assert any("expected queue 'queue:Support', reached 'queue:Sales'" in d for d in tests.details)
    native = steps["Scenarios as test cases in staging"].outcome
    assert " 0 failed as Connect test cases" in native and "no test case rewritten" in native
    assert steps["Export dev into git"].api_calls > 0
    stopped = steps["A canary that drops callers is stopped"]
    assert "aborted automatically" in stopped.outcome
    assert any("[fail] DROPPED at most 5%" in d for d in stopped.details)
    assert result.sandbox_db.parent == (workdir / ".flowops").resolve()
    assert result.sandbox_db.exists()
    # Every API the story used is allowed by the IAM policies in docs/aws.md.
    policies = (ROOT / "docs" / "aws.md").read_text(encoding="utf-8")
    for operation in result.operations:
        service, _, name = operation.rpartition(":")
        action = f"{'lex' if service.startswith('lex') else 'connect'}:{name}"
        assert f'"{action}"' in policies, f"docs/aws.md: no IAM action for {operation}"

    again = CliRunner().invoke(app, ["demo", "--workdir", str(workdir)], env={"COLUMNS": "160"})

    assert again.exit_code == 0, again.output
    for chapter in CHAPTERS:
        assert chapter in again.output
    assert "✗" not in again.output
    summary = again.output[again.output.index("flowops demo", 20) :]
    assert "API calls" in summary and "History, from Connect itself" in summary
    # A reset, not an accumulation: one export commit and one fix commit, a new database.
    assert len(list(git.Repo(workdir).iter_commits())) == 2
    assert not result.sandbox_db.exists()
    assert len(list((workdir / ".flowops").glob("sandbox-*.db"))) == 1


def test_demo_reports_a_failed_step_and_exits_1(tmp_path: Path) -> None:
    """A story that cannot be told is exit 1 with the failed step shown, no traceback."""
    (tmp_path / "blocker").write_text("a file where the demo wants a folder", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["demo", "--workdir", str(tmp_path / "blocker" / "demo")], env={"COLUMNS": "160"}
    )
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "✗ Start the sandbox" in result.output
    assert "cannot prepare the demo folder" in result.output
    assert "Export dev into git" not in result.output  # the story stops there
