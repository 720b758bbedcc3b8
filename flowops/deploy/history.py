"""History: an environment's releases and a flow's versions, newest first.

Read from Connect alone (the ledger module and the flows' version lists), so it works
from any directory, with or without the git repository.
"""

from __future__ import annotations

from dataclasses import dataclass

from flowops.config import Environment
from flowops.connect import ConnectClient
from flowops.connect.catalog import FlowVersion
from flowops.deploy.live import find_flow
from flowops.deploy.releases import ReleaseRecord, read_ledger


@dataclass(frozen=True)
class History:
    """Releases (newest first) and, for one flow, its versions (newest first)."""

    env: str
    releases: tuple[ReleaseRecord, ...]
    flow: str | None = None  # key of the flow asked about
    versions: tuple[FlowVersion, ...] = ()
    #: Reads that may lag behind a write (no ledger found: created in the last seconds?).
    notes: tuple[str, ...] = ()


def history(
    env: Environment, flow: str | None = None, *, client: ConnectClient | None = None
) -> History:
    """The releases recorded in ``env`` (only those touching ``flow`` when given)."""
    client = client or ConnectClient.for_environment(env)
    releases = list(reversed(read_ledger(client)))
    notes = () if releases else tuple(client.lag_report()["notes"])
    if flow is None:
        return History(env.name, tuple(releases), notes=notes)
    remote = find_flow(client, flow)
    mine = [r for r in releases if any(f.id == remote.id for f in r.flows)]
    versions = sorted(client.list_versions(remote.kind, remote.id), key=lambda v: -v.version)
    return History(env.name, tuple(mine), remote.key, tuple(versions), notes)
