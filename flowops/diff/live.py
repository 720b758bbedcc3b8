"""Live sides of a diff and drift: flows as an environment has them now.

Live content is symbolized with the environment's catalog and named as in git
(``flowops.deploy.export.document_for``, the same conversion ``export`` writes), so a
live flow and its file compare equal exactly when export would not change the file.
Only flows the environment manages are read; the release ledger module never is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import git

from flowops.config import Environment, load_environment
from flowops.connect import ConnectClient
from flowops.connect.catalog import Catalog, RemoteFlow
from flowops.deploy.export import document_for
from flowops.deploy.history import find_flow
from flowops.deploy.plan import RESERVED_NAMES
from flowops.deploy.releases import ReleaseRecord, latest
from flowops.diff.result import TreeDiff
from flowops.diff.sources import Side, SourceContext
from flowops.diff.trees import diff_trees
from flowops.errors import BadInputError
from flowops.model.document import FlowDocument
from flowops.repo import FlowTree, flow_key, read_tree_at


def _managed(env: Environment, kind: str, name_in_env: str, flow_type: str) -> bool:
    return name_in_env not in RESERVED_NAMES and env.manages(
        name_in_env, "MODULE" if kind == "module" else flow_type
    )


def live_tree(env: Environment, client: ConnectClient) -> tuple[FlowTree, list[str]]:
    """The managed flows of ``env`` as documents, and warnings for unresolved ARNs."""
    catalog = client.catalog()
    tree: FlowTree = {}
    warnings: list[str] = list(catalog.warnings)
    for live in sorted(catalog.flows.values(), key=lambda f: f.key):
        if not _managed(env, live.kind, live.name, live.type):
            continue
        doc, unresolved = document_for(live, catalog, env)
        key = flow_key(doc.info)
        tree[key] = doc
        warnings.extend(
            f"{env.name}:{key}: {u.describe()} is not in the catalog" for u in unresolved
        )
    return tree, warnings


def live_side(name: str, env_root: Path | None = None) -> Side:
    """``env:NAME``: every managed flow of the environment."""
    env = load_environment(name, env_root)
    tree, warnings = live_tree(env, ConnectClient.for_environment(env))
    return Side(f"env:{env.name}", tree, warnings=tuple(warnings))


def _version_doc(
    client: ConnectClient, catalog: Catalog, remote: RemoteFlow, version: int | None
) -> FlowDocument:
    from flowops.connect.errors import NotFoundError
    from flowops.errors import BadInputError

    try:
        described = client.describe(remote.kind, remote.id, version)
    except NotFoundError:
        if version is None:
            raise
        versions = [v.version for v in client.list_versions(remote.kind, remote.id)]
        latest = f"latest {max(versions)}" if versions else "none published"
        raise BadInputError(
            f"{client.env.name}:{remote.name}: no version {version} ({latest})"
        ) from None
    doc, _ = document_for(described, catalog, client.env)
    return doc


def live_flow_side(
    env_name: str, flow: str, version: int | None, env_root: Path | None = None
) -> Side:
    """``NAME:Flow Name@12``: one flow at a published version (or as it is now)."""
    env = load_environment(env_name, env_root)
    client = ConnectClient.for_environment(env)
    remote = find_flow(client, flow.strip())
    doc = _version_doc(client, client.catalog(with_content=False), remote, version)
    label = f"{env.name}:{remote.name}" + (f"@{version}" if version is not None else "")
    return Side(label, {flow_key(doc.info): doc}, single=True)


@dataclass(frozen=True)
class DriftReport:
    """Live flows of an environment against the files they were released from."""

    env: str
    ref: str
    commit: str
    release: ReleaseRecord | None
    diff: TreeDiff
    warnings: tuple[str, ...] = ()

    @property
    def drifted(self) -> bool:
        return self.diff.has_changes


def _managed_files(env: Environment, tree: Mapping[str, FlowDocument]) -> FlowTree:
    out: FlowTree = {}
    for key, doc in tree.items():
        kind = doc.info.kind
        if _managed(env, kind, env.override(kind, doc.info.name), doc.info.type):
            out[key] = doc
    return out


def drift(
    env: Environment,
    *,
    ref: str | None = None,
    ctx: SourceContext | None = None,
    client: ConnectClient | None = None,
) -> DriftReport:
    """What changed live in ``env`` since its last release (or since git ``ref``).

    The baseline is the commit the newest release record names; ``ref`` overrides it.
    Bad input (exit 2) when there is no release and no ``ref``, or the commit is not in
    the local repository (fetch it first).
    """
    ctx = ctx or SourceContext()
    client = client or ConnectClient.for_environment(env)
    release: ReleaseRecord | None = None
    if ref is None:
        release = latest(client)
        if release is None or not release.commit:
            raise BadInputError(
                f"no release with a commit is recorded for environment {env.name!r}; "
                "pass --ref to compare with a git revision"
            )
        ref = release.commit
    repo = ctx.repo()
    try:
        commit = repo.commit(ref).hexsha
    except (git.BadName, ValueError):
        raise BadInputError(
            f"git revision {ref!r} is not in this repository (fetch it first)"
        ) from None
    files = _managed_files(env, read_tree_at(repo, commit, ctx.flows_in_repo(repo)))
    live, warnings = live_tree(env, client)
    label = f"release {release.id} ({commit[:12]})" if release else f"{ref} ({commit[:12]})"
    diff = diff_trees(files, live, old_label=label, new_label=f"env:{env.name}")
    return DriftReport(env.name, ref, commit, release, diff, tuple(warnings))
