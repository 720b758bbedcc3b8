"""Records as Connect's output shapes (the wire side of the semantics)."""

from __future__ import annotations

from typing import Any

from flowops.sandbox.backend.common import FLOW, Kind, sha256
from flowops.sandbox.store import Alias, Flow, Instance, Resource, Version


def instance_out(record: Instance) -> dict[str, Any]:
    """An ``Instance`` / ``InstanceSummary``."""
    out: dict[str, Any] = {
        "Id": record.id,
        "Arn": record.arn,
        "IdentityManagementType": record.identity,
        "CreatedTime": record.created,
        "ServiceRole": (
            f"arn:aws:iam::{record.account}:role/aws-service-role/connect.amazonaws.com/"
            "AWSServiceRoleForAmazonConnect"
        ),
        "InstanceStatus": "ACTIVE",
        "InboundCallsEnabled": record.inbound,
        "OutboundCallsEnabled": record.outbound,
    }
    if record.alias:
        out["InstanceAlias"] = record.alias
        out["InstanceAccessUrl"] = f"https://{record.alias}.my.connect.aws"
    return out


def flow_out(
    flow: Flow,
    kind: Kind,
    *,
    content: str,
    status: str,
    tags: dict[str, str],
    version: Version | None = None,
) -> dict[str, Any]:
    """A ``ContactFlow`` or ``ContactFlowModule`` (of a version when ``version`` is given)."""
    out: dict[str, Any] = {
        "Arn": flow.arn if version is None else f"{flow.arn}:{version.version}",
        "Id": flow.id,
        "Name": flow.name,
        "State": flow.state,
        "Status": status,
        "Description": flow.description,
        "Content": content,
        "Tags": tags,
        kind.sha_key: sha256(content),
    }
    if kind is FLOW:
        out["Type"] = flow.type
        out["LastModifiedTime"] = flow.modified if version is None else version.modified
        out["LastModifiedRegion"] = flow.region if version is None else version.region
    else:
        settings = flow.settings if version is None else version.settings
        if settings is not None:
            out["Settings"] = settings
    if version is not None:
        out["Version"] = version.version
        if version.description:
            out["VersionDescription"] = version.description
    return out


def flow_summary(flow: Flow, kind: Kind) -> dict[str, Any]:
    """A ``ContactFlowSummary`` or ``ContactFlowModuleSummary``."""
    out: dict[str, Any] = {"Id": flow.id, "Arn": flow.arn, "Name": flow.name}
    if kind is FLOW:
        out["ContactFlowType"] = flow.type
        out["ContactFlowState"] = flow.state
        out["ContactFlowStatus"] = flow.current[1]
    else:
        out["State"] = flow.state
    return out


def version_summary(flow: Flow, kind: Kind, version: Version) -> dict[str, Any]:
    """A ``ContactFlowVersionSummary`` or ``ContactFlowModuleVersionSummary``."""
    out: dict[str, Any] = {"Arn": f"{flow.arn}:{version.version}", "Version": version.version}
    if version.description:
        out["VersionDescription"] = version.description
    if kind is FLOW:
        out["LastModifiedTime"] = version.modified
        out["LastModifiedRegion"] = version.region
    return out


def alias_out(flow: Flow, kind: Kind, alias: Alias) -> dict[str, Any]:
    """A ``ContactFlowAlias`` or ``ContactFlowModuleAlias`` (describe)."""
    return {
        kind.id_param: flow.id,
        kind.arn_key: flow.arn,
        "AliasId": alias.id,
        "Version": alias.version,
        "Name": alias.name,
        "Description": alias.description,
        "LastModifiedRegion": alias.region,
        "LastModifiedTime": alias.modified,
    }


def alias_summary(kind: Kind, alias: Alias) -> dict[str, Any]:
    """An alias summary of ``List...Aliases``."""
    out: dict[str, Any] = {
        "Arn": alias.arn,
        "AliasId": alias.id,
        "Version": alias.version,
        "AliasName": alias.name,
        "AliasDescription": alias.description,
        "LastModifiedTime": alias.modified,
    }
    if kind is FLOW:
        out["LastModifiedRegion"] = alias.region
    return out


def resource_summary(resource: Resource, region: str) -> dict[str, Any]:
    """The common part of catalog summaries (queues, prompts, hours, quick connects)."""
    return {
        "Id": resource.id,
        "Arn": resource.arn,
        "Name": resource.name,
        "LastModifiedTime": resource.modified,
        "LastModifiedRegion": region,
    }
