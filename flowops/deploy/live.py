"""Live reads of flows: what an environment holds, as the document git keeps for it.

One conversion (:func:`document_for`: references symbolized with the environment's
catalog, git names, flowops' own tags dropped) serves export, drift, diff against an
environment and history, so a live flow and its file compare equal exactly when export
would not change the file. Only flows the environment manages are read as its tree; the
release ledger and lock modules never are.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from flowops.config import Environment
from flowops.connect import ConnectClient
from flowops.connect.catalog import Catalog, RemoteFlow
from flowops.connect.errors import NotFoundError
from flowops.deploy.preflight import instance_id_of
from flowops.deploy.releases import RESERVED_NAMES, settle_catalog
from flowops.errors import BadInputError
from flowops.model.document import FlowDocument, FlowInfo
from flowops.model.parse import parse_content
from flowops.refs import Unresolved, env_name, git_name, symbolize
from flowops.repo import FlowTree, flow_key

#: Tags flowops writes itself; never a difference between git and an environment.
OWN_TAG_PREFIX = "flowops:"


def own_tags_removed(tags: Mapping[str, str]) -> dict[str, str]:
    """Tags without flowops' bookkeeping ones."""
    return {k: v for k, v in tags.items() if not k.startswith(OWN_TAG_PREFIX)}


def document_for(
    live: RemoteFlow, catalog: Catalog, env: Environment, instance_id: str | None = None
) -> tuple[FlowDocument, list[Unresolved]]:
    """A live flow as the document git keeps: references symbolized, git names.

    The second value lists every value that would leave an id of the source account
    or instance in the file (``flowops.refs.leak_reason``), allowed literals excepted.
    """
    source = f"{env.name}:{live.key}"
    if live.content is None:
        raise BadInputError(f"{source}: Connect returned no content")
    try:
        raw = json.loads(live.content)
    except ValueError as exc:
        raise BadInputError(f"{source}: content is not JSON: {exc}") from None
    symbolic, unresolved = symbolize(
        raw,
        catalog,
        env.overrides,
        account_id=env.account_id,
        instance_id=instance_id or instance_id_of(catalog),
        allowed=env.allows,
    )
    name = git_name(live.kind, live.name, env.overrides)
    flow = parse_content(symbolic, source=source, flow_name=name)
    info = FlowInfo(
        name=name,
        kind=live.kind,
        type="MODULE" if live.kind == "module" else live.type,
        description=live.description or "",
        state=(live.state or "ACTIVE").upper(),
        status=(live.status or "PUBLISHED").upper(),
        tags=own_tags_removed(live.tags),
    )
    return FlowDocument(info=info, flow=flow, source=source), unresolved


def find_flow(client: ConnectClient, name: str) -> RemoteFlow:
    """A flow or module by key (``flow:Main``), git name or environment name.

    Not in the listing (which lags writes): looked for again among the flows recent
    releases touched, read by id (``settle_catalog``)."""
    overrides = client.env.overrides
    kind, sep, bare = name.partition(":")
    candidates = (
        [(kind, bare)] if sep and kind in ("flow", "module") else [("flow", name), ("module", name)]
    )
    for attempt in range(2):
        if attempt:
            settle_catalog(client)
        catalog = client.catalog(with_content=False)
        for k, n in candidates:
            for candidate in (env_name(k, n, overrides), n):
                found = catalog.flow(k, candidate)
                if found is not None:
                    return found
    raise BadInputError(f"no flow or module named {name!r} in environment {client.env.name!r}")


def is_managed(env: Environment, kind: str, name_in_env: str, flow_type: str) -> bool:
    """Whether flowops manages ``name_in_env`` in ``env`` (the ledger and lock: never)."""
    return name_in_env not in RESERVED_NAMES and env.manages(
        name_in_env, "MODULE" if kind == "module" else flow_type
    )


def live_tree(env: Environment, client: ConnectClient) -> tuple[FlowTree, list[str]]:
    """The managed flows of ``env`` as documents, and warnings for unresolved ARNs."""
    client.catalog()
    settle_catalog(client)  # what flowops released here lately: read by id
    catalog = client.catalog()
    tree: FlowTree = {}
    warnings: list[str] = list(catalog.warnings)
    for live in sorted(catalog.flows.values(), key=lambda f: f.key):
        if not is_managed(env, live.kind, live.name, live.type):
            continue
        doc, unresolved = document_for(live, catalog, env)
        key = flow_key(doc.info)
        tree[key] = doc
        warnings.extend(
            f"{env.name}:{key}: {u.describe()} is not in the catalog" for u in unresolved
        )
    return tree, warnings


def version_document(
    client: ConnectClient, catalog: Catalog, remote: RemoteFlow, version: int | None
) -> FlowDocument:
    """``remote`` at published ``version`` (None: as it is now), as git would keep it.

    A version that does not exist is bad input naming the latest one.
    """
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
