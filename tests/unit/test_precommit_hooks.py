"""The pre-commit hooks run flowops the way pre-commit does: entry plus staged files."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from flowops.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
MENU = ROOT / "tests" / "fixtures" / "flows" / "menu.json"
# pre-commit's manifest schema: these keys are required for every hook.
REQUIRED = {"id", "name", "entry", "language"}


def hooks() -> dict[str, dict[str, Any]]:
    data = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, list)
    return {hook["id"]: hook for hook in data}


def run_hook(hook_id: str, files: list[Path]) -> int:
    """What pre-commit does: ``entry`` split like a shell line, then the file names."""
    argv = shlex.split(hooks()[hook_id]["entry"])
    assert argv[0] == "flowops"
    result = CliRunner().invoke(app, [*argv[1:], *map(str, files)])
    return result.exit_code


def test_manifest_has_both_hooks_with_required_keys() -> None:
    found = hooks()
    assert set(found) == {"flowops-lint", "flowops-fmt"}
    for hook in found.values():
        assert REQUIRED <= set(hook), hook
        assert hook["language"] == "python"  # pre-commit installs flowops from the repo


@pytest.mark.parametrize("hook_id", ["flowops-lint", "flowops-fmt"])
@pytest.mark.parametrize(
    ("path", "selected"),
    [
        ("flows/Main-IVR.json", True),
        ("flows/modules/Survey.json", True),
        ("environments/dev.yaml", False),
        ("package.json", False),
        ("tests/fixtures/flows/menu.json", False),
    ],
)
def test_hooks_select_flow_files_only(hook_id: str, path: str, selected: bool) -> None:
    assert bool(re.search(hooks()[hook_id]["files"], path)) is selected


def test_fmt_hook_rewrites_into_canonical_form(tmp_path: Path) -> None:
    flow = tmp_path / "menu.json"
    flow.write_text(MENU.read_text(encoding="utf-8"), encoding="utf-8")
    assert CliRunner().invoke(app, ["fmt", "--check", str(flow)]).exit_code == 1
    assert run_hook("flowops-fmt", [flow]) == 0
    assert CliRunner().invoke(app, ["fmt", "--check", str(flow)]).exit_code == 0
    assert json.loads(flow.read_text(encoding="utf-8"))["StartAction"] == "greet"


def test_lint_hook_passes_a_sound_flow_and_blocks_a_broken_one(tmp_path: Path) -> None:
    good = tmp_path / "menu.json"
    good.write_text(MENU.read_text(encoding="utf-8"), encoding="utf-8")
    assert run_hook("flowops-lint", [good]) == 0

    broken = json.loads(MENU.read_text(encoding="utf-8"))
    greet = next(a for a in broken["Actions"] if a["Identifier"] == "greet")
    greet["Transitions"]["NextAction"] = "nowhere"  # a dangling branch: an error
    bad = tmp_path / "broken.json"
    bad.write_text(json.dumps(broken), encoding="utf-8")
    assert run_hook("flowops-lint", [good, bad]) == 1
