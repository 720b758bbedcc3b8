"""The ``flows/`` folder on disk and in git history.

A tree of flows is a mapping from a flow's *key* to its document. The key is the flow's
symbolic reference, ``flow:<name>`` or ``module:<name>`` (see ``flowops.refs``), so the
same string names a flow in a file, in a tree and in the dependency graph. File names
are derived from names but never trusted: the name inside the document is the authority.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath

import git

from flowops.errors import BadInputError
from flowops.files import json_files
from flowops.model.document import FlowDocument, FlowInfo
from flowops.model.parse import load_document, parse_document_text

FLOWS_DIR = "flows"
MODULES_SUBDIR = "modules"

FlowTree = dict[str, FlowDocument]


def flow_key(info: FlowInfo) -> str:
    """``flow:Main IVR`` or ``module:Survey``: the key of a flow in every tree."""
    return f"{'module' if info.kind == 'module' else 'flow'}:{info.name}"


#: Stems Windows cannot use as file names, whatever the extension.
_RESERVED_STEMS = frozenset(
    {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10))}
    | {f"LPT{i}" for i in range(1, 10)}
)


def slugify(name: str) -> str:
    """A file-system-safe, case-preserving file stem for a flow name.

    Letters and digits of any script are kept (NFC), so ``Ventes-Équipe`` and ``日本語``
    stay readable; path separators, spaces and punctuation become ``-``.
    """
    text = unicodedata.normalize("NFC", name)
    slug = re.sub(r"[^\w.-]+", "-", text).strip("-.")[:120].strip("-.")
    if slug.upper() in _RESERVED_STEMS:
        slug += "-flow"
    return slug or "flow"


def flow_relpath(info: FlowInfo, *, unique: bool = False) -> PurePosixPath:
    """Where a flow lives under ``flows/``: modules in their own sub-folder.

    ``unique`` appends a digest of the exact name, for a flow whose slug another flow
    already uses (``Sales/EMEA`` and ``Sales-EMEA``; ``Main`` and ``main`` on a
    case-insensitive disk).
    """
    stem = slugify(info.name)
    if unique:
        stem += "-" + hashlib.sha256(info.name.encode("utf-8")).hexdigest()[:8]
    if info.kind == "module":
        return PurePosixPath(MODULES_SUBDIR) / f"{stem}.json"
    return PurePosixPath(f"{stem}.json")


def _add(tree: FlowTree, doc: FlowDocument) -> None:
    key = flow_key(doc.info)
    if key in tree:
        raise BadInputError(
            f"{doc.source}: {doc.info.kind} {doc.info.name!r} is defined twice "
            f"(also in {tree[key].source})"
        )
    tree[key] = doc


def read_tree(root: str | Path) -> FlowTree:
    """Every flow document under a folder (or one file), keyed by ``flow_key``."""
    tree: FlowTree = {}
    for path in json_files([root]):
        _add(tree, load_document(path))
    return tree


def open_repo(path: str | Path = ".") -> git.Repo:
    """The git repository containing ``path``; bad input when there is none."""
    try:
        return git.Repo(path, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise BadInputError(f"{path}: not inside a git repository") from None


def json_blobs_at(repo: git.Repo, rev: str, subdir: str = FLOWS_DIR) -> Iterator[tuple[str, bytes]]:
    """(path in the repository, bytes) of every ``*.json`` below ``subdir`` at ``rev``."""
    try:
        commit = repo.commit(rev)
    except (git.BadName, ValueError):
        raise BadInputError(f"unknown git revision {rev!r}") from None
    try:
        folder = commit.tree / subdir if subdir else commit.tree
    except KeyError:
        return
    if not isinstance(folder, git.Tree):
        return
    for item in folder.traverse():
        if isinstance(item, git.Blob) and str(item.path).endswith(".json"):
            yield str(item.path), item.data_stream.read()


def read_tree_at(repo: git.Repo, rev: str, subdir: str = FLOWS_DIR) -> FlowTree:
    """The flows under ``subdir`` as they were at git revision ``rev``."""
    tree: FlowTree = {}
    for path, data in json_blobs_at(repo, rev, subdir):
        _add(tree, parse_document_text(data.decode("utf-8"), source=f"{rev}:{path}"))
    return tree


def names_by_kind(tree: Mapping[str, FlowDocument]) -> dict[str, list[str]]:
    """``{"flow": [...], "module": [...]}`` sorted, for summaries."""
    out: dict[str, list[str]] = {"flow": [], "module": []}
    for doc in tree.values():
        out[doc.info.kind].append(doc.info.name)
    return {k: sorted(v) for k, v in out.items()}


def uncommitted(repo: git.Repo, folder: str | Path = FLOWS_DIR) -> list[str]:
    """Files under ``folder`` that differ from HEAD: staged, modified or untracked.

    ``plan`` and ``promote`` read flows from a git revision; these are the changes they
    would not see.
    """
    raw = repo.git.status("--porcelain", "-z", "--untracked-files=all", "--", str(folder))
    return sorted(entry[3:] for entry in raw.split("\0") if len(entry) > 3)
