"""The dry run's client: the executor runs with it, so a dry run lists what it would call.

Promote, rollback and the canary commands each run their plan with the one executor
(``flowops.deploy.executor``); their dry runs run the very same executor with this client,
whose reads go to Connect and whose writes are recorded, not sent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from flowops.connect import ConnectClient
from flowops.connect.catalog import FlowKind, RemoteFlow
from flowops.connect.client import FAMILIES
from flowops.deploy.executor import placeholder_content
from flowops.deploy.plan import Plan


class RecordingClient(ConnectClient):
    """The dry run's client: reads go to Connect as usual, writes are recorded, not sent.

    The dry run runs the very executor the command runs
    (``flowops.deploy.executor.Executor``) with this client, so what it lists is what the
    command would call, not a prediction made by hand.
    """

    recorded: list[tuple[str, str]]
    _keys: dict[str, str]

    @classmethod
    def wrap(cls, real: ConnectClient, plan: Plan) -> RecordingClient:
        """For a plan: calls named by the steps' keys (a flow's id, the id's last part
        when it is an ARN, or its ARN)."""
        keys: dict[str, str] = {}
        for step in plan.steps:
            if step.live is not None:
                for name in (step.live.id, step.live.id.rsplit("/", 1)[-1], step.live.arn):
                    if name:
                        keys.setdefault(name, step.key)
        return cls.recording(real, keys)

    @classmethod
    def recording(cls, real: ConnectClient, keys: Mapping[str, str]) -> RecordingClient:
        """``real``'s reads, its writes recorded; ``keys`` names targets (id or ARN -> key)."""
        self = cls.__new__(cls)
        self.__dict__.update(real.__dict__)  # same connection, caches and counters
        self.recorded = []
        self._keys = dict(keys)
        return self

    def name(self, target: str, key: str) -> None:
        """Name the calls on ``target`` (an id or ARN) ``key`` in what is recorded."""
        self._keys[target] = key

    def _record(self, operation: str, target: str, note: str = "") -> None:
        what = self._keys.get(target, target)
        self.recorded.append((f"{operation} ({note})" if note else operation, what))

    def create(
        self,
        kind: FlowKind,
        name: str,
        content: str,
        *,
        type: str = "CONTACT_FLOW",
        description: str = "",
        tags: Mapping[str, str] | None = None,
        status: Literal["PUBLISHED", "SAVED"] = "PUBLISHED",
    ) -> RemoteFlow:
        key = f"{kind}:{name}"
        note = "SAVED placeholder" if content == placeholder_content(kind) else ""
        self._record(FAMILIES[kind].create, key, note)
        ident = f"dry-run-{len(self.recorded)}"
        self._keys[ident] = key
        noun = "contact-flow" if kind == "flow" else "flow-module"
        return RemoteFlow(
            kind,
            ident,
            f"{self.instance_arn}/{noun}/{ident}",
            name,
            type if kind == "flow" else "MODULE",
            content=content,
        )

    def update_content(
        self, kind: FlowKind, flow_id: str, content: str, *, publish: bool = True
    ) -> None:
        self._record(FAMILIES[kind].update_content, flow_id)

    def update_metadata(
        self,
        kind: FlowKind,
        flow_id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        state: str | None = None,
    ) -> None:
        self._record(FAMILIES[kind].update_metadata, flow_id)

    def create_version(
        self, kind: FlowKind, flow_id: str, description: str, *, expected_sha256: str | None = None
    ) -> int:
        point = "restore point" if "restore-point" in description else "release"
        self._record(FAMILIES[kind].create_version, flow_id, point)
        return len(self.recorded)

    def create_alias(
        self, kind: FlowKind, flow_id: str, name: str, version: int, description: str = ""
    ) -> str:
        self._record(FAMILIES[kind].create_alias, flow_id, "entry alias")
        return f"dry-run-alias-{len(self.recorded)}"

    def update_alias(self, kind: FlowKind, flow_id: str, alias_id: str, version: int) -> None:
        self._record(FAMILIES[kind].update_alias, flow_id, "entry alias")

    def delete(self, kind: FlowKind, flow_id: str) -> None:
        self._record(FAMILIES[kind].delete, flow_id)

    def tag(self, arn: str, tags: Mapping[str, str]) -> None:
        if tags:
            self._record("TagResource", arn)

    def untag(self, arn: str, keys: Sequence[str]) -> None:
        if keys:
            self._record("UntagResource", arn)


__all__ = ["RecordingClient"]
