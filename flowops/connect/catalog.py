"""What an instance holds, listed once per run, with lookups by ARN, id and name.

Symbolic references (``queue:Support``) are resolved against this: exports map an ARN to
its ``kind:name``, promotions map ``kind:name`` back to the target account's ARN.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from flowops.model.document import FlowInfo
from flowops.refs import KINDS

FlowKind = Literal["flow", "module"]

#: Every kind the catalog lists, in listing order.
RESOURCE_KINDS = KINDS

#: A version or alias qualifier at the end of a flow/module ARN or id (``...:3``, ``:$SAVED``).
_QUALIFIER = re.compile(r":(\$SAVED|\$LATEST|\d+)$")


@dataclass(frozen=True)
class CatalogEntry:
    """One resource of an instance: its kind, name, id and ARN."""

    kind: str
    name: str
    id: str
    arn: str


@dataclass(frozen=True)
class RemoteFlow:
    """A flow or module as Connect has it."""

    kind: FlowKind
    id: str
    arn: str
    name: str
    type: str  # ContactFlowType; "MODULE" for modules
    description: str = ""
    state: str = "ACTIVE"
    status: str = "PUBLISHED"
    tags: Mapping[str, str] = field(default_factory=dict)
    content: str | None = None  # JSON text exactly as Connect returned it
    sha256: str | None = None  # FlowContentSha256 when Connect gives it
    version: int | None = None  # when this is a published version's content

    @property
    def key(self) -> str:
        """``flow:<name>`` / ``module:<name>``: the same key as ``flowops.repo.flow_key``."""
        return f"{self.kind}:{self.name}"

    def entry(self) -> CatalogEntry:
        """This flow as a catalog entry."""
        return CatalogEntry(self.kind, self.name, self.id, self.arn)

    def info(self) -> FlowInfo:
        """What the flow model keeps besides content (name, kind, type, tags...)."""
        return FlowInfo(
            name=self.name,
            kind=self.kind,
            type=self.type,
            description=self.description,
            state=self.state,
            status=self.status,
            tags=dict(self.tags),
        )


@dataclass(frozen=True)
class FlowVersion:
    """One immutable published version of a flow or module."""

    version: int
    description: str
    created: datetime | None = None
    arn: str = ""


def strip_qualifier(arn_or_id: str) -> str:
    """A flow/module ARN or id without a trailing ``:<version>`` / ``:$SAVED``."""
    return _QUALIFIER.sub("", arn_or_id)


def lambda_name(arn: str) -> str:
    """``arn:aws:lambda:r:a:function:lookup[:live]`` -> ``lookup``.

    Connect lists a function as associated, qualified or not; the catalog names it by
    its function name, and a reference keeps the qualifier (``lambda@live:lookup``).
    """
    parts = arn.split(":")
    if len(parts) >= 7 and parts[5] == "function":
        return parts[6]
    return arn


def lex_v2_ids(alias_arn: str) -> tuple[str, str]:
    """``arn:aws:lex:r:a:bot-alias/BOTID/ALIASID`` -> (``BOTID``, ``ALIASID``)."""
    resource = alias_arn.split(":", 5)[-1]
    parts = resource.split("/")
    if len(parts) >= 3 and parts[0] == "bot-alias":
        return parts[1], parts[2]
    return resource, ""


class Catalog:
    """Resources of one instance, listed once; lookups in both directions.

    ``flows`` holds every flow and module keyed ``flow:<name>`` / ``module:<name>`` (the
    key of ``flowops.repo.flow_key``), with content when the catalog was built with it.
    ``warnings`` says which kinds could not be listed (denied by IAM, unsupported).
    """

    def __init__(
        self,
        entries: Iterable[CatalogEntry] = (),
        flows: Mapping[str, RemoteFlow] | None = None,
        warnings: Iterable[str] = (),
    ) -> None:
        self.flows: dict[str, RemoteFlow] = dict(flows or {})
        self.warnings: list[str] = list(warnings)
        self._by_kind: dict[str, list[CatalogEntry]] = {}
        self._by_name: dict[tuple[str, str], CatalogEntry] = {}
        self._by_arn: dict[str, CatalogEntry] = {}
        for flow in self.flows.values():
            self.add(flow.entry())
        for entry in entries:
            self.add(entry)

    def add(self, entry: CatalogEntry) -> None:
        """Index one entry (the first of a duplicated name wins, as Connect's lists do)."""
        if entry.arn and entry.arn in self._by_arn:
            return
        self._by_kind.setdefault(entry.kind, []).append(entry)
        self._by_name.setdefault((entry.kind, entry.name), entry)
        for key in (entry.arn, entry.id):
            if key:
                self._by_arn.setdefault(key, entry)

    def kinds(self) -> list[str]:
        """The kinds that have at least one entry."""
        return sorted(self._by_kind)

    def entries(self, kind: str) -> list[CatalogEntry]:
        """Every entry of ``kind``, in listing order."""
        return list(self._by_kind.get(kind, ()))

    def by_arn(self, arn: str) -> CatalogEntry | None:
        """The entry with this ARN or bare id; a flow version/alias qualifier is ignored."""
        found = self._by_arn.get(arn)
        if found is None:
            stripped = strip_qualifier(arn)
            if stripped != arn:
                found = self._by_arn.get(stripped)
        return found

    def by_name(self, kind: str, name: str) -> CatalogEntry | None:
        """The entry of ``kind`` called ``name`` (exact, case-sensitive as Connect is)."""
        return self._by_name.get((kind, name))

    def flow(self, kind: str, name: str) -> RemoteFlow | None:
        """The flow or module ``kind:name`` with its content."""
        return self.flows.get(f"{kind}:{name}")

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_kind.values())
