"""Scratch git repositories holding a ``flows/`` folder, as a team's repository would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import git

from flowops.model.canonical import dump_document
from tests.support import git_repo
from tests.support.flows import flow_document


def commit_files(repo: git.Repo, files: dict[str, str], message: str = "flows") -> str:
    """Write ``flows/<relpath>`` files and commit them; returns the sha."""
    top = Path(repo.working_tree_dir or ".")
    for rel, text in files.items():
        path = top / "flows" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        repo.index.add([str(Path("flows") / rel)])
    return repo.index.commit(message).hexsha


def files_under(root: Path) -> dict[str, str]:
    """Every ``*.json`` below ``root``: relative path -> text."""
    return {
        str(p.relative_to(root)): p.read_text(encoding="utf-8")
        for p in sorted(root.rglob("*.json"))
    }


class FlowRepo:
    """A throwaway git repository whose ``flows/`` is replaced wholesale by each commit."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.git = git_repo(root)
        (root / "flows").mkdir()

    def commit(self, flows: dict[str, dict[str, Any]], message: str) -> str:
        """``flows`` (name -> content) become the whole of ``flows/``; returns the sha."""
        for path in (self.root / "flows").glob("*.json"):
            path.unlink()
        for name, body in flows.items():
            text = dump_document(flow_document(name, body))
            (self.root / "flows" / f"{name.replace(' ', '-')}.json").write_text(text)
        self.git.git.add("-A")
        return str(self.git.index.commit(message).hexsha)
