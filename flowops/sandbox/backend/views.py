"""Views (the step-by-step guide screens a ``ShowView`` action shows): customer-managed views
of an instance with their versions, and the AWS-managed views every instance can show.

A customer-managed view is ``arn:aws:connect:<region>:<account>:instance/<id>/view/<view
id>``, named with a qualifier for a version (``:3``) or the latest content (``:$LATEST``).
AWS-managed views (``Form``, ``Detail``...) are ``arn:aws:connect:<region>:aws:view/<name>``:
the same in every account, listed with ``Type=AWS_MANAGED`` and never written.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from flowops.sandbox.backend.common import (
    Family,
    Output,
    Params,
    duplicate,
    now,
    paged,
    split_qualified,
    with_token,
)
from flowops.sandbox.protocol import Caller, SandboxError, invalid_param, not_found
from flowops.sandbox.store import Instance, Resource

KIND = "view"
SEGMENT = "view"
#: The AWS-managed views of every Region (id -> name), at version 1.
AWS_MANAGED = {
    "cards": "Cards",
    "confirmation": "Confirmation",
    "detail": "Detail",
    "form": "Form",
    "list": "List",
}
LATEST = "$LATEST"
_AWS_VIEW = re.compile(r"^arn:aws[a-z-]*:connect:[^:]*:aws:view/(?P<id>[^:/]+)(?::(?P<q>.+))?$")


def aws_view_arn(region: str, view_id: str) -> str:
    """The ARN of an AWS-managed view (no account: the same for every account)."""
    return f"arn:aws:connect:{region}:aws:view/{view_id}"


def _content(given: Params, status: str) -> dict[str, Any]:
    """``ViewInputContent`` -> stored ``ViewContent`` (with its generated ``InputSchema``)."""
    template = str(given.get("Template") or "")
    if status == "PUBLISHED":
        try:
            json.loads(template)
        except ValueError as exc:
            raise invalid_param("Content.Template must be a JSON document to publish") from exc
    return {
        "Template": template,
        "Actions": list(given.get("Actions") or []),
        "InputSchema": json.dumps({"type": "object", "properties": {}}),
    }


class Views(Family):
    """Customer-managed views with versions, and the AWS-managed views."""

    # --- records -------------------------------------------------------------------------

    def _view(self, instance: Instance, identifier: str) -> tuple[Resource, str | None]:
        ident, qualifier = split_qualified(identifier, SEGMENT)
        record = self.store.resource_by_id(instance.id, KIND, ident)
        if record is None:
            raise not_found(f"View {identifier}")
        return record, qualifier

    def _out(self, record: Resource, qualifier: str | None = None) -> Output:
        data = record.data
        out: Output = {
            "Id": record.id,
            "Arn": record.arn,
            "Name": record.name,
            "Status": data["Status"],
            "Type": "CUSTOMER_MANAGED",
            "Content": data["Content"],
            "Tags": self.tags(record.arn),
            "CreatedTime": data["Created"],
            "LastModifiedTime": record.modified,
        }
        if data.get("Description"):
            out["Description"] = data["Description"]
        if qualifier not in (None, LATEST):
            version = self._version(record, qualifier)
            out |= {
                "Arn": f"{record.arn}:{version['Version']}",
                "Version": version["Version"],
                "Content": version["Content"],
                "Status": "PUBLISHED",
                "LastModifiedTime": version["Created"],
            }
            if version.get("VersionDescription"):
                out["VersionDescription"] = version["VersionDescription"]
        return out

    @staticmethod
    def _version(record: Resource, qualifier: str | None) -> dict[str, Any]:
        for version in record.data.get("Versions", []):
            if str(version["Version"]) == qualifier:
                return dict(version)
        raise not_found(f"View {record.arn}:{qualifier}")

    def _save(self, record: Resource, **changes: Any) -> None:
        self.store.update_resource_data(record.arn, record.data | changes, now())

    @staticmethod
    def _aws_out(region: str, view_id: str) -> Output:
        name = AWS_MANAGED[view_id]
        return {
            "Id": view_id,
            "Arn": aws_view_arn(region, view_id),
            "Name": name,
            "Status": "PUBLISHED",
            "Type": "AWS_MANAGED",
            "Description": f"The AWS-managed {name} view",
            "Version": 1,
            "Content": {
                "Template": json.dumps({"Head": {"Title": name}, "Body": []}),
                "Actions": [],
                "InputSchema": json.dumps({"type": "object", "properties": {}}),
            },
        }

    # --- operations ----------------------------------------------------------------------

    def CreateView(self, caller: Caller, p: Params) -> Output:
        instance = self.instance(caller, p["InstanceId"])
        token = p.get("ClientToken")
        if token:
            for record in self.store.resources(instance.id, KIND):
                if record.data.get("ClientToken") == token:
                    return {"View": self._out(record)}
        if self.store.resource_named(instance.id, KIND, p["Name"]):
            raise duplicate(f"View {p['Name']!r}")
        rid = str(uuid.uuid4())
        data = {
            "Status": p["Status"],
            "Content": _content(p["Content"], p["Status"]),
            "Description": p.get("Description", ""),
            "Created": now(),
            "Versions": [],
            "ClientToken": token or "",
        }
        arn = f"{instance.arn}/{SEGMENT}/{rid}"
        self.store.insert_resource(instance.id, KIND, rid, p["Name"], arn, now(), data)
        if p.get("Tags"):
            self.set_tags(arn, dict(p["Tags"]))
        return {"View": self._out(self._reread(arn))}

    def DescribeView(self, caller: Caller, p: Params) -> Output:
        instance = self.instance(caller, p["InstanceId"])
        managed = _AWS_VIEW.match(p["ViewId"])
        if managed is not None:
            if managed["id"] not in AWS_MANAGED or managed["q"] not in (None, LATEST, "1"):
                raise not_found(f"View {p['ViewId']}")
            return {"View": self._aws_out(caller.region, managed["id"])}
        record, qualifier = self._view(instance, p["ViewId"])
        return {"View": self._out(record, qualifier)}

    def ListViews(self, caller: Caller, p: Params) -> Output:
        instance = self.instance(caller, p["InstanceId"])
        wanted = p.get("Type")
        rows: list[Output] = []
        if wanted in (None, "AWS_MANAGED"):
            rows += [self._aws_out(caller.region, v) for v in sorted(AWS_MANAGED)]
        if wanted in (None, "CUSTOMER_MANAGED"):
            records = sorted(self.store.resources(instance.id, KIND), key=lambda r: r.name)
            rows += [self._out(r) for r in records]
        keys = ("Id", "Arn", "Name", "Type", "Status", "Description")
        items, token = paged(rows, p, "ListViews")
        out = [{k: row[k] for k in keys if k in row} for row in items]
        return with_token({"ViewsSummaryList": out}, token)

    def UpdateViewContent(self, caller: Caller, p: Params) -> Output:
        record, qualifier = self._customer_view(caller, p)
        if qualifier not in (None, LATEST):
            raise invalid_param("A published view version cannot be changed")
        self._save(record, Status=p["Status"], Content=_content(p["Content"], p["Status"]))
        return {"View": self._out(self._reread(record.arn))}

    def UpdateViewMetadata(self, caller: Caller, p: Params) -> Output:
        record, _ = self._customer_view(caller, p)
        name = p.get("Name")
        if name and name != record.name:
            if self.store.resource_named(record.instance_id, KIND, name):
                raise duplicate(f"View {name!r}")
            self.store.rename_resource(record.arn, name, now())
        if p.get("Description") is not None:
            self._save(self._reread(record.arn), Description=p["Description"])
        return {}

    def CreateViewVersion(self, caller: Caller, p: Params) -> Output:
        record, _ = self._customer_view(caller, p)
        if record.data["Status"] != "PUBLISHED":
            raise invalid_param("Only a PUBLISHED view can be versioned")
        versions = list(record.data.get("Versions", []))
        if versions and versions[-1]["Content"] == record.data["Content"]:
            return {"View": self._out(record, str(versions[-1]["Version"]))}
        number = (versions[-1]["Version"] if versions else 0) + 1
        version = {"Version": number, "Content": record.data["Content"], "Created": now()}
        if p.get("VersionDescription"):
            version["VersionDescription"] = p["VersionDescription"]
        self._save(record, Versions=[*versions, version])
        return {"View": self._out(self._reread(record.arn), str(number))}

    def ListViewVersions(self, caller: Caller, p: Params) -> Output:
        record, _ = self._customer_view(caller, p)
        rows = [
            {
                "Id": record.id,
                "Arn": f"{record.arn}:{v['Version']}",
                "Name": record.name,
                "Type": "CUSTOMER_MANAGED",
                "Version": v["Version"],
            }
            | ({"Description": record.data["Description"]} if record.data["Description"] else {})
            | ({"VersionDescription": v["VersionDescription"]} if "VersionDescription" in v else {})
            for v in record.data.get("Versions", [])
        ]
        items, token = paged(rows, p, "ListViewVersions")
        return with_token({"ViewVersionSummaryList": items}, token)

    def DeleteViewVersion(self, caller: Caller, p: Params) -> Output:
        record, _ = self._customer_view(caller, p)
        self._version(record, str(p["ViewVersion"]))
        kept = [v for v in record.data["Versions"] if v["Version"] != p["ViewVersion"]]
        self._save(record, Versions=kept)
        return {}

    def DeleteView(self, caller: Caller, p: Params) -> Output:
        record, qualifier = self._customer_view(caller, p)
        if qualifier is not None:
            raise invalid_param("DeleteView takes an unqualified view id or ARN")
        self.set_tags(record.arn, {})
        self.store.delete_resource(record.arn)
        return {}

    def _customer_view(self, caller: Caller, p: Params) -> tuple[Resource, str | None]:
        if _AWS_VIEW.match(p["ViewId"]):
            raise SandboxError("AccessDeniedException", "AWS-managed views cannot be changed")
        return self._view(self.instance(caller, p["InstanceId"]), p["ViewId"])

    def _reread(self, arn: str) -> Resource:
        fresh = self.store.resource(arn)
        assert fresh is not None
        return fresh
