"""Export: an environment's flows -> canonical, account-free files under ``flows/``.

One bulk read (the catalog lists every resource kind once and reads flow content with
SearchContactFlows, 100 per page), then every flow is symbolized (``flowops.refs``) and
written in canonical form (``flowops.model.dump_document``), so exporting twice without
a console edit changes no byte. Files with uncommitted local changes are never
overwritten or removed without ``force``: every conflict is listed before anything is
written. Nor is committed work: a tracked file whose committed text the environment never
received (``flowops.deploy.received``) is left alone and named, unless ``force``. Outside
a git repository nothing counts as committed, so any existing file whose content would
change is a conflict.

Canaries: the helper flows a running canary created (tag ``flowops:canary-role``) are
not part of the desired state and are never exported. An entry flow running a canary
holds the generated wrapper, not its real content, so its file gets the *stable*
variant's content (what the flow held before the canary, and what most contacts still
run) with the entry flow's own name and metadata, and a warning says so. When the stable
helper cannot be read, the flow is skipped with a warning and its file is kept as is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import git

from flowops.config import Environment
from flowops.connect import ConnectClient
from flowops.connect.catalog import Catalog, RemoteFlow
from flowops.deploy.canary_state import STATE_TAG, canary_stable_view, is_canary_helper
from flowops.deploy.live import document_for
from flowops.deploy.received import committed_since_received, record_export
from flowops.deploy.releases import RESERVED_NAMES, settle_catalog
from flowops.errors import BadInputError, FlowopsError
from flowops.files import json_files
from flowops.model.canonical import dump_document
from flowops.model.parse import load_document
from flowops.refs import Unresolved, git_name
from flowops.repo import flow_key, flow_relpath

#: ``progress(done, total, what)`` after each flow (``total`` 0 while reading Connect);
#: library code never prints.
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class ExportResult:
    """What an export did; keys are ``flow:<git name>`` / ``module:<git name>``."""

    env: str
    root: Path
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    commit: str | None = None
    calls: dict[str, int] = field(default_factory=dict)
    kept: tuple[str, ...] = ()  # committed changes the environment never received

    @property
    def touched(self) -> tuple[str, ...]:
        return self.added + self.changed + self.removed


class LocalChangesError(BadInputError):
    """Export would overwrite or remove files with uncommitted local changes."""

    def __init__(self, paths: list[str]) -> None:
        self.paths = paths
        listing = "\n".join(f"  {p}" for p in paths)
        super().__init__(
            f"{len(paths)} file(s) have uncommitted local changes that export would "
            f"overwrite; commit or discard them, or use --force:\n{listing}"
        )


class SourceIdsError(BadInputError):
    """Export would write ids of the source account or instance into ``flows/``."""

    def __init__(
        self, env: Environment, leaks: list[tuple[str, Unresolved]], verb: str = "export"
    ) -> None:
        self.leaks = leaks
        lines = [f"  {key}: {u.describe()}" for key, u in leaks]
        source = env.source if env.source.name != "<memory>" else f"environments/{env.name}.yaml"
        super().__init__(
            f"cannot {verb} {env.name}: {len(leaks)} value(s) would put ids of the source "
            "account or instance into flows/; nothing was written:\n"
            + "\n".join(lines)
            + "\nfix: make the resource known to the catalog (associate it with the instance), "
            "name it per environment under `overrides: {literal: {<name>: <value>}}` in each "
            f"environment file, or keep it as written with `allow_literals: [{{value: <value>, "
            f"reason: <why>}}]` in {source}"
        )


def existing_documents(root: Path) -> dict[str, Path]:
    """Key -> file of every flow document already under ``root``."""
    out: dict[str, Path] = {}
    if not root.exists():
        return out
    for path in json_files([root]):
        try:
            doc = load_document(path)
        except FlowopsError:
            continue  # an unreadable file is replaced only if its path is reused
        out.setdefault(flow_key(doc.info), path)
    return out


def _repo_for(root: Path) -> git.Repo | None:
    try:
        return git.Repo(root if root.exists() else root.parent, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return None


def _dirty_paths(repo: git.Repo, root: Path) -> set[Path]:
    """Files under ``root`` that differ from HEAD (staged, modified or untracked)."""
    top = Path(repo.working_tree_dir or ".").resolve()
    raw = repo.git.status("--porcelain", "-z", "--untracked-files=all", "--", str(root.resolve()))
    out: set[Path] = set()
    items = raw.split("\0")
    i = 0
    while i < len(items):
        entry = items[i]
        i += 1
        if len(entry) < 4:
            continue
        out.add((top / entry[3:]).resolve())
        if entry[0] in "RC":
            i += 1  # the rename source follows
    return out


def _staged_paths(repo: git.Repo) -> set[Path]:
    """Files whose staged content differs from HEAD (all of the index before a first commit)."""
    top = Path(repo.working_tree_dir or ".").resolve()
    raw = repo.git.diff("--cached", "--name-only", "-z")
    return {(top / name).resolve() for name in raw.split("\0") if name}


def _matches(live: RemoteFlow, names: set[str], env: Environment) -> bool:
    return live.name in names or git_name(live.kind, live.name, env.overrides) in names


def export_catalog(
    env: Environment,
    catalog: Catalog,
    root: str | Path = "flows",
    *,
    flows: Iterable[str] | None = None,
    force: bool = False,
    commit: bool = False,
    progress: Progress | None = None,
    instance_id: str | None = None,
) -> ExportResult:
    """Write the managed flows of a listed catalog under ``root`` (see ``export_env``)."""
    root = Path(root)
    wanted = set(flows) if flows else None
    selected = [
        f
        for f in sorted(catalog.flows.values(), key=lambda f: f.key)
        if f.name not in RESERVED_NAMES
        and not is_canary_helper(f)
        and env.manages(f.name, "MODULE" if f.kind == "module" else f.type)
        and (wanted is None or _matches(f, wanted, env))
    ]
    if wanted is not None:
        found = {f.name for f in selected} | {
            git_name(f.kind, f.name, env.overrides) for f in selected
        }
        unknown = sorted(wanted - found)
        if unknown:
            raise BadInputError(
                f"no managed flow or module named {', '.join(map(repr, unknown))} "
                f"in environment {env.name!r}"
            )
    existing = existing_documents(root)
    # Paths (case-folded: macOS and Windows disks ignore case) -> the flow that owns them.
    taken = {str(p).casefold(): k for k, p in existing.items()}
    writes: dict[Path, str] = {}
    added: list[str] = []
    changed: list[str] = []
    unchanged: list[str] = []
    warnings: list[str] = list(catalog.warnings)
    bad: list[str] = []
    leaks: list[tuple[str, Unresolved]] = []
    keys_by_path: dict[Path, str] = {}
    texts: dict[Path, str] = {}  # what the environment holds, per file
    skipped: set[str] = set()  # git keys whose files stay as they are
    for done, live in enumerate(selected, 1):
        if live.kind == "flow" and STATE_TAG in live.tags:
            shown, warning = canary_stable_view(live, catalog)
            warnings.append(warning)
            if shown is None:
                skipped.add(f"flow:{git_name(live.kind, live.name, env.overrides)}")
                continue
            live = shown
        try:
            doc, unresolved = document_for(live, catalog, env, instance_id)
        except FlowopsError as exc:
            bad.append(str(exc))
            continue
        key = flow_key(doc.info)
        leaks.extend((key, u) for u in unresolved)
        text = dump_document(doc)
        path = existing.get(key) or root / flow_relpath(doc.info)
        if taken.setdefault(str(path).casefold(), key) != key:
            path = root / flow_relpath(doc.info, unique=True)
            taken[str(path).casefold()] = key
        keys_by_path[path] = key
        texts[path] = text
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if old is None:
            added.append(key)
            writes[path] = text
        elif old != text:
            changed.append(key)
            writes[path] = text
        else:
            unchanged.append(key)
        if progress is not None:
            progress(done, len(selected), key)
    if bad:
        raise BadInputError("cannot export:\n" + "\n".join(f"  {b}" for b in bad))
    if leaks:
        raise SourceIdsError(env, leaks)
    live_keys = set(added) | set(changed) | set(unchanged) | skipped
    removed: dict[str, Path] = {}
    if wanted is None:
        for key, path in existing.items():
            kind, _, name = key.partition(":")
            in_env = env.override(kind, name)
            if key in live_keys or in_env in RESERVED_NAMES:
                continue
            try:
                doc = load_document(path)
            except FlowopsError:
                continue
            flow_type = "MODULE" if kind == "module" else doc.info.type
            if env.manages(in_env, flow_type):
                removed[key] = path

    repo = _repo_for(root)
    kept: list[str] = []
    if repo is not None and not force:
        # A committed change the environment never received is not undone silently.
        for path in committed_since_received(repo, env.name, [p for p in writes if p.exists()]):
            del writes[path]
            key = keys_by_path[path]
            kept.append(key)
            changed.remove(key)
            warnings.append(
                f"{key}: {path} was changed in git since {env.name} last received it; "
                "left as it is (promote it, or export with --force to take "
                f"{env.name}'s content)"
            )
    at_risk = [p for p in (*writes, *removed.values()) if p.exists()]
    if at_risk and not force:
        if repo is not None:
            dirty = _dirty_paths(repo, root)
            conflicts = [str(p) for p in at_risk if p.resolve() in dirty]
        else:
            conflicts = [str(p) for p in at_risk]
        if conflicts:
            raise LocalChangesError(sorted(conflicts))

    if commit and (writes or removed):
        if repo is None:
            raise BadInputError(f"{root}: --commit needs a git repository")
        ours = {p.resolve() for p in (*writes, *removed.values())}
        others = sorted(str(p) for p in _staged_paths(repo) - ours)
        if others:
            listing = "\n".join(f"  {p}" for p in others)
            raise BadInputError(
                f"--commit would also commit {len(others)} staged file(s) that are not "
                f"flows of this export; commit or unstage them first:\n{listing}"
            )

    for path, text in writes.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for path in removed.values():
        path.unlink()
    if repo is not None:
        kept_paths = {p for p, k in keys_by_path.items() if k in kept}
        record_export(repo, env.name, {p: t for p, t in texts.items() if p not in kept_paths})

    sha = None
    touched = [*writes, *removed.values()]
    if commit and touched and repo is not None:
        sha = _commit(repo, env, list(writes), list(removed.values()), added, changed, removed)
    return ExportResult(
        env=env.name,
        root=root,
        added=tuple(added),
        changed=tuple(changed),
        removed=tuple(sorted(removed)),
        unchanged=tuple(unchanged),
        warnings=tuple(warnings),
        commit=sha,
        kept=tuple(kept),
    )


def _commit(
    repo: git.Repo,
    env: Environment,
    written: list[Path],
    deleted: list[Path],
    added: list[str],
    changed: list[str],
    removed: dict[str, Path],
) -> str:
    top = Path(repo.working_tree_dir or ".").resolve()
    if written:
        repo.index.add([str(p.resolve().relative_to(top)) for p in written])
    if deleted:
        repo.index.remove([str(p.resolve().relative_to(top)) for p in deleted])
    names = [k.partition(":")[2] for k in (*changed, *added, *removed)]
    title = f"flowops export {env.name}: {', '.join(names[:5])}"
    if len(names) > 5:
        title += f" and {len(names) - 5} more"
    body = [
        f"{label}: {k}"
        for label, keys in (("changed", changed), ("added", added), ("removed", list(removed)))
        for k in keys
    ]
    return repo.index.commit(title + "\n\n" + "\n".join(body) + "\n").hexsha


def export_env(
    env: Environment,
    root: str | Path = "flows",
    flows: Iterable[str] | None = None,
    *,
    force: bool = False,
    commit: bool = False,
    client: ConnectClient | None = None,
    progress: Progress | None = None,
) -> ExportResult:
    """Export an environment's managed flows and modules as canonical files.

    Writes ``<root>/<slug>.json`` and ``<root>/modules/<slug>.json``; removes files of
    managed flows that no longer exist live (only when no ``flows`` filter is given);
    with ``commit`` makes a git commit naming the flows that changed.
    """
    client = client or ConnectClient.for_environment(env)
    if progress is not None:
        report = progress

        def reading(operation: str) -> None:
            report(0, 0, f"reading {env.name}: {operation} (request {client.attempts.total()})")

        client.on_request = reading
    try:
        client.catalog(with_content=True)
        settle_catalog(client)  # what flowops released here lately: read by id
        catalog = client.catalog(with_content=True)
    finally:
        client.on_request = None
    result = export_catalog(
        env,
        catalog,
        root,
        flows=flows,
        force=force,
        commit=commit,
        progress=progress,
        instance_id=client.instance_id,
    )
    return ExportResult(**{**result.__dict__, "calls": dict(client.calls)})
