"""``flowops fmt``: canonical rewrite, --check, documents vs raw files, bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flowops.cli.main import app
from flowops.errors import FlowParseError
from flowops.fmt import apply_format, plan_format
from flowops.model import load_document
from flowops.model.canonical import dump_document, semantic_content

FLOWS = Path(__file__).resolve().parents[1] / "fixtures" / "flows"
DOCUMENT = (
    Path(__file__).resolve().parents[1] / "fixtures" / "lint" / "FL401" / "good" / "references.json"
)
runner = CliRunner()


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "flows" / "sub").mkdir(parents=True)
    shutil.copy(FLOWS / "menu.json", tmp_path / "flows" / "menu.json")
    doc = load_document(DOCUMENT)
    messy = json.loads(dump_document(doc))
    (tmp_path / "flows" / "sub" / "doc.json").write_text(json.dumps(messy), encoding="utf-8")
    return tmp_path / "flows"


def test_check_lists_files_and_exits_1_without_writing(tree: Path) -> None:
    before = {p: p.read_bytes() for p in tree.rglob("*.json")}
    result = runner.invoke(app, ["fmt", str(tree), "--check"])
    assert result.exit_code == 1
    assert "menu.json" in result.stdout and "doc.json" in result.stdout
    assert {p: p.read_bytes() for p in tree.rglob("*.json")} == before


def test_fmt_rewrites_in_own_format_and_is_idempotent(tree: Path) -> None:
    raw_before = load_document(tree / "menu.json")
    result = runner.invoke(app, ["fmt", str(tree)])
    assert result.exit_code == 0, result.stderr
    raw = json.loads((tree / "menu.json").read_text(encoding="utf-8"))
    assert "flowops" not in raw and raw["StartAction"] == "greet"  # raw stays raw
    assert [a["Identifier"] for a in raw["Actions"]] == sorted(
        a["Identifier"] for a in raw["Actions"]
    )
    doc = json.loads((tree / "sub" / "doc.json").read_text(encoding="utf-8"))
    assert doc["flowops"] == 1 and "content" in doc  # documents stay documents
    assert semantic_content(load_document(tree / "menu.json").flow) == semantic_content(
        raw_before.flow
    )
    again = runner.invoke(app, ["fmt", str(tree), "--check"])
    assert again.exit_code == 0 and again.stdout == ""


def test_unparseable_file_exits_2_and_nothing_is_written(tree: Path) -> None:
    (tree / "broken.json").write_text('{"Version": "2019-10-30"', encoding="utf-8")
    before = {p: p.read_bytes() for p in tree.rglob("*.json")}
    result = runner.invoke(app, ["fmt", str(tree)])
    assert result.exit_code == 2
    assert "broken.json" in " ".join(result.stderr.split())
    assert {p: p.read_bytes() for p in tree.rglob("*.json")} == before


def test_plan_and_apply_library_api(tree: Path) -> None:
    changes = plan_format([tree / "menu.json"])
    assert [c.path.name for c in changes] == ["menu.json"]
    apply_format(changes)
    assert plan_format([tree / "menu.json"]) == []
    (tree / "bad.json").write_text("[]", encoding="utf-8")
    with pytest.raises(FlowParseError, match="nothing was written"):
        plan_format([tree])


def test_bom_and_crlf_files_are_read_and_rewritten_canonical(tmp_path: Path) -> None:
    """Windows editors: a UTF-8 byte order mark and CRLF line ends are read (lint, graph
    and diff see the same flow) and fmt writes them back canonical, without either."""
    canonical = load_document(FLOWS / "menu.json")
    text = json.dumps(json.loads((FLOWS / "menu.json").read_text(encoding="utf-8")), indent=2)
    bom = tmp_path / "bom.json"
    bom.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    assert load_document(bom).flow.raw == canonical.flow.raw
    for command in (["lint", str(bom)], ["graph", str(bom)]):
        result = runner.invoke(app, command)
        assert result.exit_code == 0, result.stderr
    assert runner.invoke(app, ["fmt", "--check", str(bom)]).exit_code == 1
    assert runner.invoke(app, ["fmt", str(bom)]).exit_code == 0
    written = bom.read_bytes()
    assert not written.startswith(b"\xef\xbb\xbf") and b"\r\n" not in written
    assert runner.invoke(app, ["fmt", "--check", str(bom)]).exit_code == 0


def test_fmt_on_an_empty_folder_warns_and_exits_0(tmp_path: Path) -> None:
    result = runner.invoke(app, ["fmt", "--check", str(tmp_path)])
    assert result.exit_code == 0 and "no flow files" in result.stderr
