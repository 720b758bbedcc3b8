"""Instances: CreateInstance, ListInstances, DescribeInstance, DeleteInstance."""

from __future__ import annotations

import uuid

from flowops.sandbox.backend.common import (
    Family,
    Output,
    Params,
    duplicate,
    instance_arn,
    now,
    paged,
    with_token,
)
from flowops.sandbox.backend.shapes import instance_out
from flowops.sandbox.protocol import Caller, SandboxError
from flowops.sandbox.store import Instance


class Instances(Family):
    """Any account may create instances; each sees only its own, in the signed Region."""

    def add(
        self,
        account: str,
        region: str,
        alias: str | None,
        *,
        instance_id: str | None = None,
        identity: str = "CONNECT_MANAGED",
        inbound: bool = True,
        outbound: bool = True,
    ) -> Instance:
        """Insert an instance (CreateInstance and the seed)."""
        iid = instance_id or str(uuid.uuid4())
        record = Instance(
            id=iid,
            arn=instance_arn(region, account, iid),
            account=account,
            region=region,
            alias=alias,
            created=now(),
            identity=identity,
            inbound=inbound,
            outbound=outbound,
        )
        self.store.insert_instance(record)
        return record

    def CreateInstance(self, caller: Caller, p: Params) -> Output:
        identity = p["IdentityManagementType"]
        alias = p.get("InstanceAlias")
        if identity != "EXISTING_DIRECTORY" and not alias:
            raise SandboxError("InvalidRequestException", "InstanceAlias is required")
        if alias and self.store.instance_alias_taken(caller.account, caller.region, alias):
            raise duplicate(f"Instance alias {alias}")
        record = self.add(
            caller.account,
            caller.region,
            alias,
            identity=identity,
            inbound=bool(p["InboundCallsEnabled"]),
            outbound=bool(p["OutboundCallsEnabled"]),
        )
        if p.get("Tags"):
            self.set_tags(record.arn, dict(p["Tags"]))
        return {"Id": record.id, "Arn": record.arn}

    def ListInstances(self, caller: Caller, p: Params) -> Output:
        records = self.store.instances(caller.account, caller.region)
        items, token = paged(records, p, "ListInstances")
        return with_token({"InstanceSummaryList": [instance_out(r) for r in items]}, token)

    def DescribeInstance(self, caller: Caller, p: Params) -> Output:
        record = self.instance(caller, p["InstanceId"])
        return {"Instance": instance_out(record) | {"Tags": self.tags(record.arn)}}

    def DeleteInstance(self, caller: Caller, p: Params) -> Output:
        record = self.instance(caller, p["InstanceId"])
        for arn in self.store.flow_arns(record.id):
            self.store.delete_flow(arn)
        self.store.delete_instance(record)
        return {}
