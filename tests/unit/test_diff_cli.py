"""``flowops diff`` through the CLI on a real git repository: sources, formats, exit codes."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import git
import pytest
from typer.testing import CliRunner

from flowops.cli.main import app
from tests.support import git_repo
from tests.support.diff_cases import CASES, apply_edits, base

MENU = Path(__file__).resolve().parents[1] / "fixtures" / "flows" / "menu.json"


def write(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def commit(repo: git.Repo, message: str) -> None:
    repo.git.add("-A")
    repo.git.commit("-m", message, "--no-gpg-sign")


@pytest.fixture
def project(tmp_path: Path) -> Iterator[git.Repo]:
    """A repository with two commits of flows/: v1 (base), v2 (a parameter changed)."""
    repo = git_repo(tmp_path)
    write(tmp_path / "flows" / "Main-IVR.json", base())
    shutil.copy(MENU, tmp_path / "flows" / "menu.json")
    commit(repo, "v1")
    repo.create_tag("v1")
    write(
        tmp_path / "flows" / "Main-IVR.json",
        apply_edits(base(), CASES["parameter_changed"]["edits"]),
    )
    commit(repo, "v2")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        yield repo
    finally:
        os.chdir(cwd)


def run(*args: str) -> Any:
    return CliRunner().invoke(app, ["diff", *args])


def test_default_is_head_against_working_tree(project: git.Repo) -> None:
    result = run("--exit-code")
    assert result.exit_code == 0, result.output
    assert "no semantic change" in result.output
    write(Path("flows/Main-IVR.json"), apply_edits(base(), CASES["start_moved"]["edits"]))
    result = run("--exit-code")
    assert result.exit_code == 1
    assert "StartAction moved greet -> menu" in result.output
    assert "Text 'Hello' -> 'Hi'" in result.output  # the working tree went back to v1's text


def test_changes_exit_zero_without_exit_code_switch(project: git.Repo) -> None:
    result = run("v1", "HEAD")
    assert result.exit_code == 0
    assert "MessageParticipant 'greet': Text 'Hi' -> 'Hello'" in result.output


def test_layout_only_working_tree_is_not_a_change(project: git.Repo) -> None:
    write(
        Path("flows/Main-IVR.json"),
        apply_edits(
            apply_edits(base(), CASES["parameter_changed"]["edits"]), CASES["layout_only"]["edits"]
        ),
    )
    result = run("--exit-code", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["semantic_changes"] is False and data["summary"]["layout"] == 1


def test_rev_path_and_single_file_sides(project: git.Repo) -> None:
    result = run("v1:flows/Main-IVR.json", "flows/Main-IVR.json", "--exit-code", "-f", "json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert [f["key"] for f in data["flows"]] == ["flow:Main IVR"]
    assert data["summary"]["unchanged"] == 0  # menu.json is not part of a one-flow diff
    # a single file against a whole revision narrows the revision to that flow
    result = run("HEAD~1", "flows/menu.json", "--exit-code")
    assert result.exit_code == 0 and "1 unchanged" in result.output


def test_whole_folders_report_added_and_removed_flows(project: git.Repo) -> None:
    Path("flows/menu.json").unlink()
    other = base()
    other["name"] = "Brand New"
    other["content"]["Actions"][0]["Parameters"]["Text"] = "different"
    write(Path("flows/new.json"), other)
    result = run("-f", "json")
    data = json.loads(result.output)
    assert {f["key"]: f["status"] for f in data["flows"]} == {
        "flow:Brand New": "added",
        "flow:Menu": "removed",
    }


def test_markdown_and_mermaid_formats_and_output_file(project: git.Repo) -> None:
    result = run("v1", "HEAD", "-f", "markdown", "-o", "comment.md")
    assert result.exit_code == 0
    md = Path("comment.md").read_text()
    assert "| `flow:Main IVR` | changed |" in md and "```mermaid" in md
    result = run("v1", "HEAD", "-f", "mermaid")
    assert result.output.startswith("flowchart TD\n") and "class f0n" in result.output


@pytest.mark.parametrize(
    "args",
    [("no-such-rev",), ("v1", "missing-folder/"), ("v1:flows/nope.json",), ("env:no-such-env",)],
)
def test_bad_input_exits_2_with_one_line(project: git.Repo, args: tuple[str, ...]) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_unparseable_file_names_the_file(project: git.Repo) -> None:
    Path("flows/broken.json").write_text("{not json", encoding="utf-8")
    result = run()
    assert result.exit_code == 2
    assert "broken.json" in result.output


def test_outside_a_repository_the_default_is_bad_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "flows").mkdir()
    result = run()
    assert result.exit_code == 2 and "git repository" in result.output


def test_two_raw_exports_named_by_their_files_are_the_same_flow(tmp_path: Path) -> None:
    """Console exports without Metadata.name take their name from the file: comparing
    main-v1.json with main-v2.json is an edit of one flow, not a rename."""
    data = json.loads(MENU.read_text(encoding="utf-8"))
    data.get("Metadata", {}).pop("name", None)
    write(tmp_path / "main-v1.json", data)
    write(tmp_path / "main-v2.json", data)
    same = run(str(tmp_path / "main-v1.json"), str(tmp_path / "main-v2.json"), "--exit-code")
    assert same.exit_code == 0, same.stdout
    assert "renamed" not in same.stdout and "no semantic change" in same.stdout
    data["Actions"][0].setdefault("Parameters", {})["Text"] = "Edited"
    write(tmp_path / "main-v2.json", data)
    edited = run(
        str(tmp_path / "main-v1.json"), str(tmp_path / "main-v2.json"), "--exit-code", "-f", "json"
    )
    assert edited.exit_code == 1
    (flow,) = json.loads(edited.stdout)["flows"]
    assert flow["status"] == "changed" and flow["metadata"] == []
