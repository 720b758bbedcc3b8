"""The entry alias: how an environment with ``use_aliases`` points entry points at versions.

Phone numbers, queues and other flows can name a flow through an alias-qualified ARN.
With ``use_aliases``, every release moves the alias ``live`` of each flow it publishes to
the new version (creating the alias on first use), and rollback repoints it: one call
per flow, no content rewrite. The alias id is kept in the release record
(``FlowRelease.alias_id``), so neither needs ``ListContactFlowAliases``; records written
before ids were kept fall back to one listing per flow.

Its own module so apply, rollback and canary share it without importing each other.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flowops.connect import ConnectClient, NotFoundError
from flowops.connect.catalog import FlowKind
from flowops.deploy.releases import ReleaseRecord
from flowops.errors import BadInputError

#: The alias an environment with ``use_aliases`` routes its entry points through.
ENTRY_ALIAS = "live"


@dataclass(frozen=True)
class KnownAlias:
    """A flow's entry alias as the newest release record that moved it left it."""

    alias_id: str
    version: int | None  # the version that record moved it to


def known_aliases(records: Iterable[ReleaseRecord]) -> dict[str, KnownAlias]:
    """Flow id -> its entry alias, from release records (oldest first; newest wins)."""
    out: dict[str, KnownAlias] = {}
    for record in records:
        for flow in record.flows:
            if flow.alias_id and flow.outcome == "released":
                out[flow.id] = KnownAlias(flow.alias_id, flow.version_after)
    return out


def list_entry_alias(client: ConnectClient, kind: FlowKind, flow_id: str) -> KnownAlias | None:
    """The flow's entry alias by listing its aliases (one call), or None."""
    for alias in client.list_aliases(kind, flow_id):
        if ENTRY_ALIAS in (alias.get("AliasName"), alias.get("Name")):
            version = alias.get("Version") or alias.get("ContactFlowVersion")
            return KnownAlias(
                str(alias.get("AliasId") or alias.get("Id")),
                int(version) if version is not None else None,
            )
    return None


def entry_alias_id(
    client: ConnectClient, kind: FlowKind, flow_id: str, known: str | None = None
) -> str:
    """The id of the flow's entry alias (``known`` if given); bad input when it has none."""
    if known:
        return known
    found = list_entry_alias(client, kind, flow_id)
    if found is None:
        raise BadInputError(
            f"{kind} {flow_id}: no alias {ENTRY_ALIAS!r} although the environment uses aliases"
        )
    return found.alias_id


def move_entry_alias(
    client: ConnectClient,
    kind: FlowKind,
    flow_id: str,
    version: int,
    known: KnownAlias | None = None,
    *,
    new_flow: bool = False,
) -> tuple[str, KnownAlias | None]:
    """Point the entry alias at ``version``, creating it on first use.

    Returns the alias id and where the alias was before (None when it was just created),
    so a failed release can put it back. One call with ``known`` or for a ``new_flow``
    (which has no alias yet); otherwise one listing and one create or update. A ``known``
    alias that no longer exists (deleted by hand) is looked up again by listing.
    """
    if known is not None:
        try:
            client.update_alias(kind, flow_id, known.alias_id, version)
            return known.alias_id, known
        except NotFoundError:
            pass  # the recorded alias is gone: find or create it
    before = None if new_flow else list_entry_alias(client, kind, flow_id)
    if before is None:
        alias_id = client.create_alias(
            kind, flow_id, ENTRY_ALIAS, version, "flowops entry alias: the released version"
        )
        return alias_id, None
    client.update_alias(kind, flow_id, before.alias_id, version)
    return before.alias_id, before
