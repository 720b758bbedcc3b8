"""History: an environment's releases and a flow's versions, newest first.

Read from Connect alone (the ledger module and the flows' version lists), so it works
from any directory, with or without the git repository.
"""

from __future__ import annotations

from dataclasses import dataclass

from flowops.config import Environment
from flowops.connect import ConnectClient
from flowops.connect.catalog import FlowVersion, RemoteFlow
from flowops.deploy.releases import ReleaseRecord, read_ledger
from flowops.errors import BadInputError
from flowops.refs import env_name


@dataclass(frozen=True)
class History:
    """Releases (newest first) and, for one flow, its versions (newest first)."""

    env: str
    releases: tuple[ReleaseRecord, ...]
    flow: str | None = None  # key of the flow asked about
    versions: tuple[FlowVersion, ...] = ()


def find_flow(client: ConnectClient, name: str) -> RemoteFlow:
    """A flow or module by key (``flow:Main``), git name or environment name."""
    catalog = client.catalog(with_content=False)
    overrides = client.env.overrides
    kind, sep, bare = name.partition(":")
    candidates = (
        [(kind, bare)] if sep and kind in ("flow", "module") else [("flow", name), ("module", name)]
    )
    for k, n in candidates:
        for candidate in (env_name(k, n, overrides), n):
            found = catalog.flow(k, candidate)
            if found is not None:
                return found
    raise BadInputError(f"no flow or module named {name!r} in environment {client.env.name!r}")


def history(
    env: Environment, flow: str | None = None, *, client: ConnectClient | None = None
) -> History:
    """The releases recorded in ``env`` (only those touching ``flow`` when given)."""
    client = client or ConnectClient.for_environment(env)
    releases = list(reversed(read_ledger(client)))
    if flow is None:
        return History(env.name, tuple(releases))
    remote = find_flow(client, flow)
    mine = [r for r in releases if any(f.id == remote.id for f in r.flows)]
    versions = sorted(client.list_versions(remote.kind, remote.id), key=lambda v: -v.version)
    return History(env.name, tuple(mine), remote.key, tuple(versions))
