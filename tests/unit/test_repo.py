"""flows/ trees: file naming, reading folders and git revisions, duplicate detection."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import git
import pytest

from flowops.errors import BadInputError
from flowops.files import json_files
from flowops.model import dump_document, load_document
from flowops.model.document import FlowInfo
from flowops.repo import flow_key, flow_relpath, read_tree, read_tree_at, slugify

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "flows"


def test_slug_and_paths_keep_case_and_separate_modules() -> None:
    assert slugify("Main IVR / After hours") == "Main-IVR-After-hours"
    assert slugify("***") == "flow"
    assert str(flow_relpath(FlowInfo(name="Main IVR"))) == "Main-IVR.json"
    assert str(flow_relpath(FlowInfo(name="Survey", kind="module"))) == "modules/Survey.json"
    assert flow_key(FlowInfo(name="Survey", kind="module")) == "module:Survey"


def test_slugs_keep_letters_of_any_script_and_avoid_reserved_names() -> None:
    assert slugify("Ventes/Équipe: 日本") == "Ventes-Équipe-日本"
    assert slugify("CON") == "CON-flow" and slugify("nul") == "nul-flow"
    assert slugify("../etc/passwd") == "etc-passwd"
    assert len(slugify("x" * 500)) == 120
    plain, unique = (
        flow_relpath(FlowInfo(name="A/B")),
        flow_relpath(FlowInfo(name="A/B"), unique=True),
    )
    assert str(plain) == "A-B.json" and str(unique).startswith("A-B-") and unique != plain


def test_read_tree_keys_by_reference_and_rejects_duplicates(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "menu.json", tmp_path / "a.json")
    tree = read_tree(tmp_path)
    assert list(tree) == ["flow:Menu"]
    shutil.copy(FIXTURES / "menu.json", tmp_path / "b.json")
    with pytest.raises(BadInputError, match="defined twice"):
        read_tree(tmp_path)


def test_missing_path_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="no such file"):
        json_files([tmp_path / "nope"])


def test_read_tree_at_revision_sees_committed_not_working_copy(tmp_path: Path) -> None:
    repo = git.Repo.init(tmp_path)
    flows = tmp_path / "flows"
    flows.mkdir()
    doc = load_document(FIXTURES / "menu.json")
    (flows / "Menu.json").write_text(dump_document(doc))
    repo.index.add(["flows/Menu.json"])
    repo.index.commit("add menu", author=git.Actor("t", "t@example.com"))
    data = json.loads((flows / "Menu.json").read_text())
    data["name"] = "Menu v2"
    (flows / "Menu.json").write_text(json.dumps(data))
    at_head = read_tree_at(repo, "HEAD")
    assert list(at_head) == ["flow:Menu"]
    assert at_head["flow:Menu"].source == "HEAD:flows/Menu.json"
    assert list(read_tree(flows)) == ["flow:Menu v2"]
    with pytest.raises(BadInputError, match="unknown git revision"):
        read_tree_at(repo, "no-such-branch")
    assert read_tree_at(repo, "HEAD", subdir="elsewhere") == {}
