"""The two sides of a diff: files, folders, git revisions, live environments.

A side spec is read in this order (the first that applies wins):

1. ``env:NAME`` - the flows live in environment NAME (read by ``SourceContext.live``,
   which the CLI sets to ``flowops.deploy.drift.LIVE_SIDES``: diff itself never connects);
2. ``NAME:Flow Name@12`` or ``NAME:Flow Name`` where NAME is a configured environment -
   one flow (``flow:``/``module:`` prefix optional) at a published version, or as it is;
3. an existing file or folder - the flow documents in it;
4. ``REV:PATH`` - a file or folder at a git revision (``HEAD~1:flows/main.json``);
5. a git revision (``HEAD~1``, ``main``, a tag) - the flows folder at that revision.

Anything else is bad input (exit 2). A path that is also a revision name is read as
the path, as git does. A side that names one flow (a file, ``REV:file``, an
environment's flow) is *single*: the other side is narrowed to that flow, and two
single sides are compared with each other whatever their names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import git

from flowops.errors import BadInputError, FlowParseError
from flowops.files import json_files
from flowops.model.parse import parse_document_text
from flowops.repo import (
    FLOWS_DIR,
    FlowTree,
    flow_key,
    json_blobs_at,
    open_repo,
    read_tree,
)

_ENV_FLOW = re.compile(r"^(?P<env>[A-Za-z0-9_.-]+):(?P<flow>[^@]+?)(?:@(?P<version>\d+))?$")


@dataclass(frozen=True)
class RawFile:
    """A flow file not parsed yet: where it comes from (for messages) and its bytes."""

    source: str
    data: bytes


@dataclass(frozen=True)
class Side:
    """One side of a diff: a label for humans and the flows, keyed like ``flow_key``.

    Folder and git sides carry ``files`` (path relative to the folder -> bytes) so that
    files identical on both sides need not be parsed (``flowops.diff.compare``); other
    sides carry a parsed ``tree``.
    """

    label: str
    tree: FlowTree | None = None
    files: Mapping[str, RawFile] | None = None
    single: bool = False
    warnings: tuple[str, ...] = field(default=())

    def parsed(self) -> FlowTree:
        """Every flow of this side, parsed."""
        if self.tree is not None:
            return self.tree
        return parse_files((self.files or {}).values())


def parse_files(files: Iterable[RawFile]) -> FlowTree:
    """Parse raw files into a tree; a flow defined twice is bad input, as in ``read_tree``."""
    tree: FlowTree = {}
    for raw in files:
        try:
            text = raw.data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FlowParseError(f"cannot read file: {exc}", file=raw.source) from None
        doc = parse_document_text(text, source=raw.source)
        key = flow_key(doc.info)
        if key in tree:
            raise BadInputError(
                f"{raw.source}: {doc.info.kind} {doc.info.name!r} is defined twice "
                f"(also in {tree[key].source})"
            )
        tree[key] = doc
    return tree


def folder_files(root: Path) -> dict[str, RawFile]:
    """Every ``*.json`` below ``root`` (as ``read_tree`` finds them), unparsed."""
    out: dict[str, RawFile] = {}
    for path in json_files([root]):
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise FlowParseError(f"cannot read file: {exc}", file=str(path)) from None
        out[path.relative_to(root).as_posix()] = RawFile(str(path), data)
    return out


def git_files(repo: git.Repo, rev: str, subdir: str) -> dict[str, RawFile]:
    """Every ``*.json`` below ``subdir`` at revision ``rev``, unparsed."""
    prefix = f"{subdir}/" if subdir else ""
    return {
        path.removeprefix(prefix): RawFile(f"{rev}:{path}", data)
        for path, data in json_blobs_at(repo, rev, subdir)
    }


@dataclass(frozen=True)
class LiveSides:
    """How environment specs are read: ``env(NAME, env_root)`` for ``env:NAME``, and
    ``flow(NAME, flow, version, env_root)`` for ``NAME:Flow Name@12``."""

    env: Callable[[str, Path | None], Side]
    flow: Callable[[str, str, int | None, Path | None], Side]


@dataclass(frozen=True)
class SourceContext:
    """Where relative specs are read from: the flows folder and the environments folder.

    ``live`` reads environment specs; without it they are bad input (exit 2).
    """

    flows_dir: Path = Path(FLOWS_DIR)
    env_root: Path | None = None
    live: LiveSides | None = None

    def live_sides(self, spec: str) -> LiveSides:
        """``live``, or bad input naming ``spec`` when this program cannot connect."""
        if self.live is None:
            raise BadInputError(f"{spec}: environments cannot be read here (no live access)")
        return self.live

    def repo(self) -> git.Repo:
        start = self.flows_dir if self.flows_dir.exists() else Path(".")
        return open_repo(start)

    def flows_in_repo(self, repo: git.Repo) -> str:
        """The flows folder relative to the repository root (for git revisions)."""
        top = Path(repo.working_tree_dir or ".").resolve()
        folder = self.flows_dir.resolve()
        try:
            return folder.relative_to(top).as_posix()
        except ValueError:
            raise BadInputError(f"{self.flows_dir}: not inside the git repository {top}") from None


def _environment_exists(name: str, ctx: SourceContext) -> bool:
    root = ctx.env_root if ctx.env_root is not None else Path("environments")
    return any((root / f"{name}{suffix}").is_file() for suffix in (".yaml", ".yml"))


def _git_path_side(repo: git.Repo, rev: str, path: str, spec: str) -> Side:
    try:
        commit = repo.commit(rev)
    except (git.BadName, ValueError):
        raise BadInputError(f"{spec}: unknown git revision {rev!r}") from None
    try:
        obj = commit.tree / path.strip("/") if path.strip("/") else commit.tree
    except KeyError:
        raise BadInputError(f"{spec}: no {path!r} at revision {rev!r}") from None
    if isinstance(obj, git.Blob):
        tree = parse_files([RawFile(spec, obj.data_stream.read())])
        return Side(spec, tree, single=True)
    return Side(spec, files=git_files(repo, rev, path.strip("/")))


def working_tree(ctx: SourceContext) -> Side:
    """The flows folder as it is on disk (empty when it does not exist yet)."""
    folder = ctx.flows_dir
    return Side(f"{folder} (working tree)", files=folder_files(folder) if folder.exists() else {})


def load_side(spec: str, ctx: SourceContext | None = None) -> Side:
    """Read one side of a diff from its spec (see the module docstring)."""
    ctx = ctx or SourceContext()
    if spec.startswith("env:"):
        return ctx.live_sides(spec).env(spec.removeprefix("env:"), ctx.env_root)
    match = _ENV_FLOW.match(spec)
    if match and _environment_exists(match["env"], ctx):
        version = int(match["version"]) if match["version"] else None
        return ctx.live_sides(spec).flow(match["env"], match["flow"], version, ctx.env_root)
    path = Path(spec)
    if path.is_file():
        return Side(spec, read_tree(path), single=True)
    if path.exists():
        return Side(spec, files=folder_files(path))
    repo = ctx.repo()
    rev, sep, sub = spec.partition(":")
    if sep and rev:
        return _git_path_side(repo, rev, sub, spec)
    try:
        repo.commit(spec)
    except (git.BadName, ValueError):
        raise BadInputError(
            f"{spec!r} is not a file or folder, a git revision, env:NAME or NAME:Flow@VERSION"
        ) from None
    return Side(spec, files=git_files(repo, spec, ctx.flows_in_repo(repo)))


def default_sides(
    old: str | None, new: str | None, ctx: SourceContext | None = None
) -> tuple[Side, Side]:
    """``diff`` -> HEAD vs working tree; ``diff A`` -> A vs working tree; ``diff A B``."""
    ctx = ctx or SourceContext()
    old_side = load_side(old or "HEAD", ctx)
    new_side = load_side(new, ctx) if new is not None else working_tree(ctx)
    return old_side, new_side
