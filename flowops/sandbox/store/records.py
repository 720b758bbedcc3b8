"""Typed rows of the sandbox store: what the semantics layer reads, never SQL rows."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

R = TypeVar("R", bound="_Columns")


class _Columns:
    """A record whose fields are exactly its table's columns (those in ``JSON`` decoded)."""

    JSON: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def of(cls: type[R], row: sqlite3.Row) -> R:
        """The record of a row of its table."""
        fields = cls.__dataclass_fields__  # type: ignore[attr-defined]
        return cls(
            **{name: json.loads(row[name]) if name in cls.JSON else row[name] for name in fields}
        )


@dataclass(frozen=True)
class Instance:
    """An Amazon Connect instance of one account and Region."""

    id: str
    arn: str
    account: str
    region: str
    alias: str | None
    created: float
    identity: str
    inbound: bool
    outbound: bool

    @classmethod
    def of(cls, row: sqlite3.Row) -> Instance:
        """The record of a row of ``instances``."""
        data = json.loads(row["data"])
        return cls(
            id=row["id"],
            arn=row["arn"],
            account=row["account"],
            region=row["region"],
            alias=row["alias"],
            created=row["created"],
            identity=data["IdentityManagementType"],
            inbound=bool(data["InboundCallsEnabled"]),
            outbound=bool(data["OutboundCallsEnabled"]),
        )


@dataclass(frozen=True)
class Resource(_Columns):
    """A catalog resource of an instance (queue, prompt, Lambda function, phone number...)."""

    JSON = frozenset({"data"})

    seq: int
    arn: str
    instance_id: str
    kind: str
    id: str
    name: str
    modified: float
    data: dict[str, Any]


@dataclass(frozen=True)
class Flow(_Columns):
    """A flow or a flow module (``kind`` ``flow`` or ``module``)."""

    seq: int
    arn: str
    instance_id: str
    kind: str
    id: str
    name: str
    type: str
    description: str
    state: str
    published: str | None
    saved: str | None
    settings: str | None
    next_version: int
    modified: float
    region: str

    @property
    def current(self) -> tuple[str, str]:
        """(content, status) as a plain describe shows it."""
        if self.published is not None:
            return self.published, "PUBLISHED"
        return self.saved or "", "SAVED"


@dataclass(frozen=True)
class Version(_Columns):
    """An immutable version of a flow or module."""

    flow_arn: str
    version: int
    content: str
    sha: str
    settings: str | None
    description: str
    modified: float
    region: str


@dataclass(frozen=True)
class Alias(_Columns):
    """A named pointer to a version."""

    id: str
    flow_arn: str
    name: str
    description: str
    version: int
    modified: float
    region: str

    @property
    def arn(self) -> str:
        """``<flow arn>:<alias name>``."""
        return f"{self.flow_arn}:{self.name}"


@dataclass(frozen=True)
class LexBot:
    """A Lex V2 bot of an account and Region."""

    id: str
    name: str
    created: float


@dataclass(frozen=True)
class LexAlias:
    """A Lex V2 bot alias."""

    bot_id: str
    id: str
    name: str
    version: str
    created: float
