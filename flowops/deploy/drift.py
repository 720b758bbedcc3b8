"""Drift, and the live sides of a diff: flows as an environment has them now.

The flows are read by ``flowops.deploy.live`` (the conversion ``export`` writes), so a
live flow and its file compare equal exactly when export would not change the file.
``flowops.diff`` compares without connecting anywhere: the CLI passes :data:`LIVE_SIDES`
in its ``SourceContext`` so that ``env:NAME`` and ``NAME:Flow@12`` specs read from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import git

from flowops.config import Environment, load_environment
from flowops.connect import ConnectClient
from flowops.deploy.live import find_flow, is_managed, live_tree, version_document
from flowops.deploy.releases import ReleaseRecord, latest
from flowops.diff.result import TreeDiff
from flowops.diff.sources import LiveSides, Side, SourceContext
from flowops.diff.trees import diff_trees
from flowops.errors import BadInputError
from flowops.model.document import FlowDocument
from flowops.repo import FlowTree, flow_key, read_tree_at


def live_side(name: str, env_root: Path | None = None) -> Side:
    """``env:NAME``: every managed flow of the environment."""
    env = load_environment(name, env_root)
    tree, warnings = live_tree(env, ConnectClient.for_environment(env))
    return Side(f"env:{env.name}", tree, warnings=tuple(warnings))


def live_flow_side(
    env_name: str, flow: str, version: int | None, env_root: Path | None = None
) -> Side:
    """``NAME:Flow Name@12``: one flow at a published version (or as it is now)."""
    env = load_environment(env_name, env_root)
    client = ConnectClient.for_environment(env)
    remote = find_flow(client, flow.strip())
    doc = version_document(client, client.catalog(with_content=False), remote, version)
    label = f"{env.name}:{remote.name}" + (f"@{version}" if version is not None else "")
    return Side(label, {flow_key(doc.info): doc}, single=True)


#: How ``flowops.diff.sources.load_side`` reads environments (pass it in ``SourceContext``).
LIVE_SIDES = LiveSides(env=live_side, flow=live_flow_side)


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
        if is_managed(env, kind, env.override(kind, doc.info.name), doc.info.type):
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
