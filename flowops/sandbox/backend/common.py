"""What every resource family of the sandbox shares: the caller's instance, the flow/module
wire differences, time, hashing and pagination."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flowops.sandbox.config import SandboxConfig
from flowops.sandbox.consistency import Consistency
from flowops.sandbox.protocol import Caller, SandboxError, max_results, not_found, page
from flowops.sandbox.store import Instance, Store

Params = dict[str, Any]
Output = dict[str, Any]
#: One operation bound to its family: ``handler(caller, params) -> output``.
Handler = Callable[[Caller, Params], Output]


def sha256(text: str) -> str:
    """The FlowContentSha256 of content."""
    return hashlib.sha256(text.encode()).hexdigest()


def now() -> float:
    """The current time as epoch seconds (rounded to ms like Connect's timestamps)."""
    return round(time.time(), 3)


def instance_arn(region: str, account: str, instance_id: str) -> str:
    """The ARN of an instance."""
    return f"arn:aws:connect:{region}:{account}:instance/{instance_id}"


@dataclass(frozen=True)
class Kind:
    """What differs between flows and flow modules on the wire.

    ``noun`` names the operations (``Create{noun}``, ``List{noun}Versions``...) and the
    describe wrappers; the rest are member names and error shapes.
    """

    kind: str
    noun: str
    segment: str
    id_param: str
    sha_key: str
    version_param: str
    state_param: str
    summary_list: str
    invalid_code: str
    problems_key: str
    arn_key: str
    title: str


FLOW = Kind(
    kind="flow",
    noun="ContactFlow",
    segment="contact-flow",
    id_param="ContactFlowId",
    sha_key="FlowContentSha256",
    version_param="ContactFlowVersion",
    state_param="ContactFlowState",
    summary_list="ContactFlowSummaryList",
    invalid_code="InvalidContactFlowException",
    problems_key="problems",
    arn_key="ContactFlowArn",
    title="Contact flow",
)
MODULE = Kind(
    kind="module",
    noun="ContactFlowModule",
    segment="flow-module",
    id_param="ContactFlowModuleId",
    sha_key="FlowModuleContentSha256",
    version_param="ContactFlowModuleVersion",
    state_param="State",
    summary_list="ContactFlowModulesSummaryList",
    invalid_code="InvalidContactFlowModuleException",
    problems_key="Problems",
    arn_key="ContactFlowModuleArn",
    title="Contact flow module",
)
KINDS = (FLOW, MODULE)
MODULE_TYPE = "MODULE"


def split_qualified(identifier: str, segment: str) -> tuple[str, str | None]:
    """``id``, ``arn``, ``id:qualifier`` or ``arn:qualifier`` -> (id, qualifier)."""
    if identifier.startswith("arn:"):
        marker = f"/{segment}/"
        if marker not in identifier:
            raise not_found(f"Resource {identifier}")
        identifier = identifier.split(marker, 1)[1]
    ident, sep, qualifier = identifier.partition(":")
    return ident, (qualifier if sep else None)


def duplicate(what: str) -> SandboxError:
    """A ``DuplicateResourceException``."""
    return SandboxError("DuplicateResourceException", f"{what} already exists")


def with_token(out: Output, token: str | None) -> Output:
    """``out`` with ``NextToken`` when there is a next page."""
    if token:
        out["NextToken"] = token
    return out


def paged(items: list[Any], p: Params, operation: str) -> tuple[list[Any], str | None]:
    """One page of ``items`` per ``MaxResults``/``NextToken`` and the model's maximum."""
    top = max_results(operation)
    return page(items, p, default=min(top, 100), maximum=top)


class Family:
    """One resource family's semantics over the shared store, config and consistency model."""

    def __init__(
        self, store: Store, config: Callable[[], SandboxConfig], consistency: Consistency
    ) -> None:
        self.store = store
        self._config = config
        self.lag = consistency

    @property
    def config(self) -> SandboxConfig:
        """The live configuration."""
        return self._config()

    def instance(self, caller: Caller, identifier: str) -> Instance:
        """The caller's instance named by id or ARN; ``ResourceNotFoundException`` otherwise."""
        ident = (
            identifier.rsplit("instance/", 1)[1] if identifier.startswith("arn:") else identifier
        )
        record = self.store.instance(ident)
        if record is None or record.account != caller.account or record.region != caller.region:
            raise not_found(f"Instance {identifier}")
        return record

    def tags(self, arn: str) -> dict[str, str]:
        """The tags of a resource as readers see them (they may lag writes)."""
        return self.lag.tags(arn, self.store.tags(arn))

    def set_tags(self, arn: str, tags: dict[str, str]) -> None:
        """Replace the tags of a resource (remembered for lagging readers)."""
        self.lag.tags_written(arn, self.store.tags(arn), tags)
        self.store.set_tags(arn, tags)
