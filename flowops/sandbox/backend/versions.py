"""Versions and aliases of flows and modules (one implementation for both kinds)."""

from __future__ import annotations

import re
import uuid
from dataclasses import replace
from typing import Any

from flowops.sandbox.backend.common import (
    FLOW,
    Kind,
    Output,
    Params,
    duplicate,
    now,
    paged,
    sha256,
    with_token,
)
from flowops.sandbox.backend.flows import Flows
from flowops.sandbox.backend.shapes import alias_out, alias_summary, version_summary
from flowops.sandbox.protocol import Caller, SandboxError, invalid_param, not_found
from flowops.sandbox.store import Alias, Flow, Version

_ALIAS_NAME_RE = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_.\- ]{0,126}$")


class Versions(Flows):
    """Immutable numbered versions and the aliases that name them."""

    # --- versions ------------------------------------------------------------------------

    def create_version(self, caller: Caller, p: Params, kind: Kind) -> Output:
        _, flow, qualifier = self.target(caller, p, kind)
        if qualifier is not None:
            raise invalid_param(f"{kind.id_param} must not be qualified here")
        if kind is FLOW and self.config.strict.campaign_only_versions and flow.type != "CAMPAIGN":
            raise invalid_param(
                "This API only supports creating versions for flows of type Campaign "
                f"(flow {flow.id} is of type {flow.type})"
            )
        if flow.published is None:
            raise SandboxError(
                "ContactFlowNotPublishedException",
                f"{kind.title} {flow.id} has no published content to version",
            )
        digest = sha256(flow.published)
        expected = p.get(kind.sha_key)
        if expected is not None and expected != digest:
            raise SandboxError(
                "InvalidRequestException",
                f"{kind.sha_key} {expected} does not match the $LATEST published content "
                f"({digest})",
            )
        existing = self.store.version_with_sha(flow.arn, digest)
        if existing is not None:
            number = existing.version
        else:
            number = flow.next_version
            self.store.insert_version(
                Version(
                    flow_arn=flow.arn,
                    version=number,
                    content=flow.published,
                    sha=digest,
                    settings=flow.settings,
                    description=p.get("Description", ""),
                    modified=now(),
                    region=caller.region,
                )
            )
        return {kind.arn_key: f"{flow.arn}:{number}", "Version": number}

    def list_versions(self, caller: Caller, p: Params, kind: Kind) -> Output:
        _, flow, _ = self.target(caller, p, kind)
        items, token = paged(self.store.versions(flow.arn), p, f"List{kind.noun}Versions")
        out = [version_summary(flow, kind, v) for v in items]
        return with_token({f"{kind.noun}VersionSummaryList": out}, token)

    def delete_version(self, caller: Caller, p: Params, kind: Kind) -> Output:
        _, flow, _ = self.target(caller, p, kind)
        number = int(p[kind.version_param])
        if self.store.version(flow.arn, number) is None:
            raise not_found(f"{kind.title} {flow.id} version {number}")
        alias = self.store.alias_on_version(flow.arn, number)
        if alias is not None:
            raise SandboxError(
                "ConditionalOperationFailedException",
                f"Version {number} is referenced by alias {alias.name!r}",
            )
        self.store.delete_version(flow.arn, number)
        return {}

    # --- aliases -------------------------------------------------------------------------

    def _alias(self, flow: Flow, kind: Kind, alias_id: str) -> Alias:
        alias = self.store.alias(flow.arn, alias_id)
        what = f"Alias {alias_id} of {kind.title.lower()} {flow.id}"
        if alias is None:
            raise not_found(what)
        self.lag.check_visible(alias.arn, what)
        return alias

    def _require_version(self, flow: Flow, kind: Kind, number: Any) -> int:
        if not isinstance(number, int) or number < 1:
            raise invalid_param(f"{kind.version_param} must be a positive integer")
        if self.store.version(flow.arn, number) is None:
            raise not_found(f"{kind.title} {flow.id} version {number}")
        return number

    def _free_alias_name(self, flow: Flow, name: str) -> None:
        if not _ALIAS_NAME_RE.match(name) or name.isdigit() or name.startswith("$"):
            raise invalid_param(f"Invalid alias name {name!r}")
        existing = self.store.alias(flow.arn, name)
        if existing is not None and existing.name == name:
            raise duplicate(f"Alias {name!r}")

    def create_alias(self, caller: Caller, p: Params, kind: Kind) -> Output:
        _, flow, _ = self.target(caller, p, kind)
        name = p["AliasName"]
        self._free_alias_name(flow, name)
        number = self._require_version(flow, kind, p[kind.version_param])
        alias = Alias(
            id=str(uuid.uuid4()),
            flow_arn=flow.arn,
            name=name,
            description=p.get("Description", ""),
            version=number,
            modified=now(),
            region=caller.region,
        )
        self.store.insert_alias(alias)
        self.lag.created(alias.arn)
        return {kind.arn_key: alias.arn, "Id": alias.id}

    def update_alias(self, caller: Caller, p: Params, kind: Kind) -> Output:
        _, flow, _ = self.target(caller, p, kind)
        alias = self._alias(flow, kind, p["AliasId"])
        name = p.get("Name", alias.name)
        if name != alias.name:
            self._free_alias_name(flow, name)
        number = alias.version
        if kind.version_param in p:
            number = self._require_version(flow, kind, p[kind.version_param])
        self.store.update_alias(
            replace(
                alias,
                name=name,
                description=p.get("Description", alias.description),
                version=number,
                modified=now(),
                region=caller.region,
            )
        )
        return {}

    def describe_alias(self, caller: Caller, p: Params, kind: Kind) -> Output:
        _, flow, _ = self.target(caller, p, kind)
        alias = self._alias(flow, kind, p["AliasId"])
        return {f"{kind.noun}Alias": alias_out(flow, kind, alias)}

    def list_aliases(self, caller: Caller, p: Params, kind: Kind) -> Output:
        _, flow, _ = self.target(caller, p, kind)
        items, token = paged(self.store.aliases(flow.arn), p, f"List{kind.noun}Aliases")
        out = [alias_summary(kind, a) for a in items]
        return with_token({f"{kind.noun}AliasSummaryList": out}, token)

    def delete_alias(self, caller: Caller, p: Params, kind: Kind) -> Output:
        _, flow, _ = self.target(caller, p, kind)
        alias = self._alias(flow, kind, p["AliasId"])
        self.store.delete_alias(alias.id)
        return {}
