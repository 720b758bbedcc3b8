"""The semantics of each supported Amazon Connect operation, over the SQLite store.

Each public method is named exactly like the operation, takes the caller (account and
Region from the SigV4 credential scope) and the boto3-style params dict, and returns the
output dict (timestamps as epoch seconds). Errors are raised as :class:`SandboxError`.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flowops.model.document import FLOW_TYPES
from flowops.sandbox.config import SandboxConfig
from flowops.sandbox.protocol import (
    Caller,
    SandboxError,
    invalid_param,
    max_results,
    not_found,
    page,
)
from flowops.sandbox.store import Store
from flowops.sandbox.testcases import TestCaseOperations
from flowops.sandbox.validation import Context, validate_content

MODULE_TYPE = "MODULE"

#: Catalog kinds and the path segment of their ARN under the instance.
CATALOG_SEGMENTS = {
    "queue": "queue",
    "prompt": "prompt",
    "hours": "operating-hours",
    "quick_connect": "transfer-destination",
    "user": "agent",
}


def sha256(text: str) -> str:
    """The FlowContentSha256 of content."""
    return hashlib.sha256(text.encode()).hexdigest()


def now() -> float:
    """The current time as epoch seconds (rounded to ms like Connect's timestamps)."""
    return round(time.time(), 3)


@dataclass(frozen=True)
class Kind:
    """What differs between flows and flow modules on the wire."""

    kind: str
    segment: str
    id_param: str
    sha_key: str
    version_param: str
    invalid_code: str
    problems_key: str
    arn_key: str
    noun: str


FLOW = Kind(
    kind="flow",
    segment="contact-flow",
    id_param="ContactFlowId",
    sha_key="FlowContentSha256",
    version_param="ContactFlowVersion",
    invalid_code="InvalidContactFlowException",
    problems_key="problems",
    arn_key="ContactFlowArn",
    noun="Contact flow",
)
MODULE = Kind(
    kind="module",
    segment="flow-module",
    id_param="ContactFlowModuleId",
    sha_key="FlowModuleContentSha256",
    version_param="ContactFlowModuleVersion",
    invalid_code="InvalidContactFlowModuleException",
    problems_key="Problems",
    arn_key="ContactFlowModuleArn",
    noun="Contact flow module",
)

_ALIAS_NAME_RE = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_.\- ]{0,126}$")


def instance_arn(region: str, account: str, instance_id: str) -> str:
    """The ARN of an instance."""
    return f"arn:aws:connect:{region}:{account}:instance/{instance_id}"


def split_qualified(identifier: str, segment: str) -> tuple[str, str | None]:
    """``id``, ``arn``, ``id:qualifier`` or ``arn:qualifier`` -> (id, qualifier)."""
    if identifier.startswith("arn:"):
        marker = f"/{segment}/"
        if marker not in identifier:
            raise not_found(f"Resource {identifier}")
        identifier = identifier.split(marker, 1)[1]
    ident, sep, qualifier = identifier.partition(":")
    return ident, (qualifier if sep else None)


class Service(TestCaseOperations):
    """Connect's operations over a :class:`Store`."""

    READ_PREFIXES = ("List", "Describe", "Search")

    def __init__(self, store: Store, config: Callable[[], SandboxConfig]) -> None:
        self.store = store
        self._config = config

    @property
    def config(self) -> SandboxConfig:
        """The live configuration."""
        return self._config()

    def call(self, caller: Caller, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """Run one operation in one transaction."""
        if operation not in SUPPORTED_OPERATIONS:
            raise SandboxError(
                "InvalidRequestException",
                f"The flowops sandbox does not support the operation {operation}",
            )
        handler = getattr(self, operation)
        write = not operation.startswith(self.READ_PREFIXES)
        with self.store.transaction(write=write):
            result: dict[str, Any] = handler(caller, params) or {}
        return result

    # --- instances -------------------------------------------------------------------

    def _instance(self, caller: Caller, identifier: str) -> sqlite3.Row:
        ident = (
            identifier.rsplit("instance/", 1)[1] if identifier.startswith("arn:") else identifier
        )
        row = self.store.one("SELECT * FROM instances WHERE id = ?", ident)
        if row is None or row["account"] != caller.account or row["region"] != caller.region:
            raise not_found(f"Instance {identifier}")
        return row

    def create_instance_row(
        self,
        account: str,
        region: str,
        alias: str | None,
        *,
        instance_id: str | None = None,
        identity: str = "CONNECT_MANAGED",
        inbound: bool = True,
        outbound: bool = True,
    ) -> str:
        """Insert an instance (used by CreateInstance and the seed); returns its id."""
        iid = instance_id or str(uuid.uuid4())
        data = {
            "IdentityManagementType": identity,
            "InboundCallsEnabled": inbound,
            "OutboundCallsEnabled": outbound,
        }
        self.store.run(
            "INSERT INTO instances(id, arn, account, region, alias, created, data) "
            "VALUES(?, ?, ?, ?, ?, ?, ?)",
            iid,
            instance_arn(region, account, iid),
            account,
            region,
            alias,
            now(),
            json.dumps(data),
        )
        return iid

    def CreateInstance(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        identity = p["IdentityManagementType"]
        if identity not in ("SAML", "CONNECT_MANAGED", "EXISTING_DIRECTORY"):
            raise invalid_param(f"Invalid IdentityManagementType {identity!r}")
        alias = p.get("InstanceAlias")
        if identity != "EXISTING_DIRECTORY" and not alias:
            raise SandboxError("InvalidRequestException", "InstanceAlias is required")
        if alias and self.store.one(
            "SELECT 1 FROM instances WHERE account = ? AND region = ? AND alias = ?",
            caller.account,
            caller.region,
            alias,
        ):
            raise SandboxError("DuplicateResourceException", f"Instance alias {alias} exists")
        iid = self.create_instance_row(
            caller.account,
            caller.region,
            alias,
            identity=identity,
            inbound=bool(p["InboundCallsEnabled"]),
            outbound=bool(p["OutboundCallsEnabled"]),
        )
        arn = instance_arn(caller.region, caller.account, iid)
        if p.get("Tags"):
            self.store.set_tags(arn, dict(p["Tags"]))
        return {"Id": iid, "Arn": arn}

    def _instance_out(self, row: sqlite3.Row) -> dict[str, Any]:
        data = json.loads(row["data"])
        out = {
            "Id": row["id"],
            "Arn": row["arn"],
            "IdentityManagementType": data["IdentityManagementType"],
            "CreatedTime": row["created"],
            "ServiceRole": (
                f"arn:aws:iam::{row['account']}:role/aws-service-role/connect.amazonaws.com/"
                "AWSServiceRoleForAmazonConnect"
            ),
            "InstanceStatus": "ACTIVE",
            "InboundCallsEnabled": data["InboundCallsEnabled"],
            "OutboundCallsEnabled": data["OutboundCallsEnabled"],
        }
        if row["alias"]:
            out["InstanceAlias"] = row["alias"]
            out["InstanceAccessUrl"] = f"https://{row['alias']}.my.connect.aws"
        return out

    def ListInstances(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        rows = self.store.all(
            "SELECT * FROM instances WHERE account = ? AND region = ? ORDER BY seq",
            caller.account,
            caller.region,
        )
        items, token = self._page(rows, p, "ListInstances")
        return self._with_token(
            {"InstanceSummaryList": [self._instance_out(r) for r in items]}, token
        )

    def DescribeInstance(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        row = self._instance(caller, p["InstanceId"])
        out = self._instance_out(row)
        out["Tags"] = self.store.tags(row["arn"])
        return {"Instance": out}

    def DeleteInstance(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        row = self._instance(caller, p["InstanceId"])
        iid = row["id"]
        for flow in self.store.all("SELECT arn FROM flows WHERE instance_id = ?", iid):
            self._delete_flow_rows(flow["arn"])
        for res in self.store.all("SELECT arn FROM resources WHERE instance_id = ?", iid):
            self.store.set_tags(res["arn"], {})
        self.store.run("DELETE FROM resources WHERE instance_id = ?", iid)
        self.store.set_tags(row["arn"], {})
        self.store.run("DELETE FROM instances WHERE id = ?", iid)
        return {}

    # --- shared helpers --------------------------------------------------------------

    def _page(
        self, items: list[Any], p: dict[str, Any], operation: str
    ) -> tuple[list[Any], str | None]:
        top = max_results(operation)
        return page(items, p, default=min(top, 100), maximum=top)

    @staticmethod
    def _with_token(out: dict[str, Any], token: str | None) -> dict[str, Any]:
        if token:
            out["NextToken"] = token
        return out

    def validation_context(self, caller: Caller, instance_id: str) -> Context:
        """What validation needs to know about the instance content is published to."""

        def exists(arn: str) -> bool:
            if self.store.one("SELECT 1 FROM flows WHERE arn = ?", arn):
                return True
            row = self.store.one("SELECT instance_id FROM resources WHERE arn = ?", arn)
            return row is not None and row["instance_id"] == instance_id

        return Context(caller.account, caller.region, instance_id, exists)

    def _check_content(
        self, caller: Caller, instance: sqlite3.Row, kind: Kind, content: str, publish: bool
    ) -> None:
        limit = self.config.limits.content_chars
        if len(content) > limit:
            raise invalid_param(f"Content is longer than {limit} characters ({len(content)})")
        if not publish:
            return
        problems = validate_content(content, self.validation_context(caller, instance["id"]))
        if problems:
            raise SandboxError(
                kind.invalid_code,
                f"{kind.noun} content is invalid: {len(problems)} problem(s)",
                **{kind.problems_key: [{"message": m} for m in problems]},
            )

    # --- flows and modules (one implementation, two wire shapes) -----------------------

    def _flow(
        self, caller: Caller, instance: sqlite3.Row, kind: Kind, identifier: str
    ) -> tuple[sqlite3.Row, str | None]:
        ident, qualifier = split_qualified(identifier, kind.segment)
        row = self.store.one(
            "SELECT * FROM flows WHERE instance_id = ? AND kind = ? AND id = ?",
            instance["id"],
            kind.kind,
            ident,
        )
        if row is None:
            raise not_found(f"{kind.noun} {identifier}")
        return row, qualifier

    def _create(self, caller: Caller, p: dict[str, Any], kind: Kind) -> sqlite3.Row:
        instance = self._instance(caller, p["InstanceId"])
        name = p["Name"]
        if not name or len(name) > 127:
            raise invalid_param("Name must be 1 to 127 characters")
        ftype = p.get("Type", MODULE_TYPE) if kind is FLOW else MODULE_TYPE
        if kind is FLOW and ftype not in FLOW_TYPES:
            raise invalid_param(f"Invalid contact flow Type {ftype!r}")
        status = p.get("Status", "PUBLISHED")
        if status not in ("PUBLISHED", "SAVED"):
            raise invalid_param(f"Invalid Status {status!r}")
        if self.store.one(
            "SELECT 1 FROM flows WHERE instance_id = ? AND kind = ? AND type = ? AND name = ?",
            instance["id"],
            kind.kind,
            ftype,
            name,
        ):
            raise SandboxError("DuplicateResourceException", f"{kind.noun} {name!r} already exists")
        limits = self.config.limits
        limit = limits.flows_per_instance if kind is FLOW else limits.modules_per_instance
        count = self.store.one(
            "SELECT COUNT(*) AS n FROM flows WHERE instance_id = ? AND kind = ?",
            instance["id"],
            kind.kind,
        )
        if count is not None and count["n"] >= limit:
            noun = "flows" if kind is FLOW else "flow modules"
            raise SandboxError(
                "LimitExceededException",
                f"The instance has reached its limit of {limit} {noun}",
            )
        content = p["Content"]
        self._check_content(caller, instance, kind, content, status == "PUBLISHED")
        fid = str(uuid.uuid4())
        return self.insert_flow(
            caller,
            instance,
            kind,
            fid,
            name=name,
            ftype=ftype,
            description=p.get("Description", ""),
            content=content,
            published=status == "PUBLISHED",
            settings=p.get("Settings"),
            tags=p.get("Tags") or {},
        )

    def insert_flow(
        self,
        caller: Caller,
        instance: sqlite3.Row,
        kind: Kind,
        fid: str,
        *,
        name: str,
        ftype: str,
        description: str,
        content: str,
        published: bool,
        settings: str | None = None,
        tags: dict[str, str] | None = None,
    ) -> sqlite3.Row:
        """Insert a flow or module row (no checks; used by create and the seed)."""
        arn = f"{instance['arn']}/{kind.segment}/{fid}"
        self.store.run(
            "INSERT INTO flows(arn, instance_id, kind, id, name, type, description, published, "
            "saved, settings, modified, region) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            arn,
            instance["id"],
            kind.kind,
            fid,
            name,
            ftype,
            description or "",
            content if published else None,
            None if published else content,
            settings,
            now(),
            caller.region,
        )
        if tags:
            self.store.set_tags(arn, dict(tags))
        row = self.store.one("SELECT * FROM flows WHERE arn = ?", arn)
        assert row is not None
        return row

    def _current(self, row: sqlite3.Row) -> tuple[str, str]:
        """(content, status) of a flow as a plain describe shows it."""
        if row["published"] is not None:
            return row["published"], "PUBLISHED"
        return row["saved"], "SAVED"

    def _flow_out(
        self,
        row: sqlite3.Row,
        kind: Kind,
        *,
        content: str,
        status: str,
        version: sqlite3.Row | None = None,
    ) -> dict[str, Any]:
        out: dict[str, Any] = {
            "Arn": row["arn"] if version is None else f"{row['arn']}:{version['version']}",
            "Id": row["id"],
            "Name": row["name"],
            "State": row["state"],
            "Status": status,
            "Description": row["description"],
            "Content": content,
            "Tags": self.store.tags(row["arn"]),
            kind.sha_key: sha256(content),
        }
        if kind is FLOW:
            out["Type"] = row["type"]
            out["LastModifiedTime"] = row["modified"] if version is None else version["modified"]
            out["LastModifiedRegion"] = row["region"] if version is None else version["region"]
        else:
            settings = row["settings"] if version is None else version["settings"]
            if settings is not None:
                out["Settings"] = settings
        if version is not None:
            out["Version"] = version["version"]
            if version["description"]:
                out["VersionDescription"] = version["description"]
        return out

    def _describe(self, caller: Caller, p: dict[str, Any], kind: Kind) -> dict[str, Any]:
        instance = self._instance(caller, p["InstanceId"])
        row, qualifier = self._flow(caller, instance, kind, p[kind.id_param])
        if qualifier is None:
            content, status = self._current(row)
            return self._flow_out(row, kind, content=content, status=status)
        if qualifier == "$SAVED":
            if row["saved"] is not None:
                return self._flow_out(row, kind, content=row["saved"], status="SAVED")
            content, status = self._current(row)
            return self._flow_out(row, kind, content=content, status=status)
        if qualifier == "$LATEST":
            if row["published"] is None:
                raise SandboxError(
                    "ContactFlowNotPublishedException", f"{kind.noun} {row['id']} is not published"
                )
            return self._flow_out(row, kind, content=row["published"], status="PUBLISHED")
        version = self._version_for(row, kind, qualifier)
        return self._flow_out(
            row, kind, content=version["content"], status="PUBLISHED", version=version
        )

    def _version_for(self, row: sqlite3.Row, kind: Kind, qualifier: str) -> sqlite3.Row:
        if qualifier.isdigit():
            number = int(qualifier)
        else:
            alias = self.store.one(
                "SELECT version FROM aliases WHERE flow_arn = ? AND name = ?", row["arn"], qualifier
            )
            if alias is None:
                raise not_found(f"{kind.noun} {row['id']}:{qualifier}")
            number = alias["version"]
        version = self.store.one(
            "SELECT * FROM versions WHERE flow_arn = ? AND version = ?", row["arn"], number
        )
        if version is None:
            raise not_found(f"{kind.noun} {row['id']} version {number}")
        return version

    def _update_content(self, caller: Caller, p: dict[str, Any], kind: Kind) -> dict[str, Any]:
        instance = self._instance(caller, p["InstanceId"])
        row, qualifier = self._flow(caller, instance, kind, p[kind.id_param])
        if qualifier not in (None, "$SAVED"):
            raise invalid_param(f"Only $SAVED may qualify {kind.id_param} here, not {qualifier!r}")
        content = p.get("Content")
        settings = p.get("Settings", row["settings"])
        if content is None:
            content = self._current(row)[0]
        publish = qualifier is None
        self._check_content(caller, instance, kind, content, publish)
        if publish:
            self.store.run(
                "UPDATE flows SET published = ?, saved = NULL, settings = ?, modified = ?, "
                "region = ? WHERE arn = ?",
                content,
                settings,
                now(),
                caller.region,
                row["arn"],
            )
        else:
            self.store.run(
                "UPDATE flows SET saved = ?, settings = ?, modified = ?, region = ? WHERE arn = ?",
                content,
                settings,
                now(),
                caller.region,
                row["arn"],
            )
        return {}

    def _rename(
        self,
        caller: Caller,
        instance: sqlite3.Row,
        row: sqlite3.Row,
        kind: Kind,
        name: str | None,
        description: str | None,
        state: str | None,
    ) -> None:
        if name is not None and name != row["name"]:
            if not name or len(name) > 127:
                raise invalid_param("Name must be 1 to 127 characters")
            if self.store.one(
                "SELECT 1 FROM flows WHERE instance_id = ? AND kind = ? AND type = ? AND name = ?",
                instance["id"],
                kind.kind,
                row["type"],
                name,
            ):
                raise SandboxError(
                    "DuplicateResourceException", f"{kind.noun} {name!r} already exists"
                )
        if state is not None and state not in ("ACTIVE", "ARCHIVED"):
            raise invalid_param(f"Invalid state {state!r}")
        self.store.run(
            "UPDATE flows SET name = ?, description = ?, state = ?, modified = ?, region = ? "
            "WHERE arn = ?",
            row["name"] if name is None else name,
            row["description"] if description is None else description,
            row["state"] if state is None else state,
            now(),
            caller.region,
            row["arn"],
        )

    def _metadata(
        self, caller: Caller, p: dict[str, Any], kind: Kind, state_key: str
    ) -> dict[str, Any]:
        instance = self._instance(caller, p["InstanceId"])
        row, _ = self._flow(caller, instance, kind, p[kind.id_param])
        self._rename(
            caller, instance, row, kind, p.get("Name"), p.get("Description"), p.get(state_key)
        )
        return {}

    def _delete_flow_rows(self, arn: str) -> None:
        self.store.run("DELETE FROM versions WHERE flow_arn = ?", arn)
        for alias in self.store.all("SELECT id FROM aliases WHERE flow_arn = ?", arn):
            self.store.set_tags(f"{arn}:alias/{alias['id']}", {})
        self.store.run("DELETE FROM aliases WHERE flow_arn = ?", arn)
        self.store.set_tags(arn, {})
        self.store.run("DELETE FROM flows WHERE arn = ?", arn)

    def _delete(self, caller: Caller, p: dict[str, Any], kind: Kind) -> dict[str, Any]:
        instance = self._instance(caller, p["InstanceId"])
        row, qualifier = self._flow(caller, instance, kind, p[kind.id_param])
        if qualifier is not None:
            raise invalid_param(f"{kind.id_param} must not be qualified here")
        self._delete_flow_rows(row["arn"])
        return {}

    def _matches_criteria(self, row: sqlite3.Row, criteria: dict[str, Any] | None) -> bool:
        if not criteria:
            return True
        ors = criteria.get("OrConditions")
        if ors and not any(self._matches_criteria(row, c) for c in ors):
            return False
        ands = criteria.get("AndConditions")
        if ands and not all(self._matches_criteria(row, c) for c in ands):
            return False
        cond = criteria.get("StringCondition")
        if cond:
            field = str(cond.get("FieldName", "name")).lower()
            values = {
                "name": row["name"],
                "description": row["description"],
                "resourceid": row["id"],
                "id": row["id"],
                "arn": row["arn"],
            }
            if field not in values:
                raise invalid_param(f"Unsupported search FieldName {cond.get('FieldName')!r}")
            value = values[field] or ""
            wanted = str(cond.get("Value", ""))
            comparison = cond.get("ComparisonType", "EXACT")
            if comparison == "EXACT":
                if value != wanted:
                    return False
            elif comparison == "CONTAINS":
                if wanted.lower() not in value.lower():
                    return False
            elif comparison == "STARTS_WITH":
                if not value.lower().startswith(wanted.lower()):
                    return False
            else:
                raise invalid_param(f"Invalid ComparisonType {comparison!r}")
        if "TypeCondition" in criteria and row["type"] != criteria["TypeCondition"]:
            return False
        if "StateCondition" in criteria and row["state"] != criteria["StateCondition"]:
            return False
        if "StatusCondition" in criteria:
            status = "PUBLISHED" if row["published"] is not None else "SAVED"
            if status != criteria["StatusCondition"]:
                return False
        return True

    def _matches_tags(self, tags: dict[str, str], tag_filter: dict[str, Any] | None) -> bool:
        if not tag_filter:
            return True

        def has(cond: dict[str, Any]) -> bool:
            key = cond.get("TagKey")
            if key not in tags:
                return False
            return "TagValue" not in cond or tags[key] == cond["TagValue"]

        cond = tag_filter.get("TagCondition")
        if cond and not has(cond):
            return False
        ands = tag_filter.get("AndConditions")
        if ands and not all(has(c) for c in ands):
            return False
        ors = tag_filter.get("OrConditions")
        if ors and not any(all(has(c) for c in group) for group in ors):
            return False
        return True

    def _matches_filter(self, row: sqlite3.Row, search_filter: dict[str, Any] | None) -> bool:
        if not search_filter:
            return True
        tags = self.store.tags(row["arn"])
        if not self._matches_tags(tags, search_filter.get("TagFilter")):
            return False
        attr = search_filter.get("FlowAttributeFilter")
        if attr:

            def attr_ok(cond: dict[str, Any]) -> bool:
                type_cond = cond.get("ContactFlowTypeCondition")
                if type_cond and type_cond.get("ContactFlowType") != row["type"]:
                    return False
                tag_conds = cond.get("TagConditions") or []
                return self._matches_tags(tags, {"AndConditions": tag_conds} if tag_conds else None)

            if attr.get("AndCondition") and not attr_ok(attr["AndCondition"]):
                return False
            if attr.get("OrConditions") and not any(attr_ok(c) for c in attr["OrConditions"]):
                return False
            if attr.get("TagCondition") and not self._matches_tags(
                tags, {"TagCondition": attr["TagCondition"]}
            ):
                return False
            if attr.get("ContactFlowTypeCondition") and not attr_ok(
                {"ContactFlowTypeCondition": attr["ContactFlowTypeCondition"]}
            ):
                return False
        return True

    def _search(
        self, caller: Caller, p: dict[str, Any], kind: Kind, operation: str, key: str
    ) -> dict[str, Any]:
        instance = self._instance(caller, p["InstanceId"])
        rows = self.store.all(
            "SELECT * FROM flows WHERE instance_id = ? AND kind = ? ORDER BY seq",
            instance["id"],
            kind.kind,
        )
        criteria = p.get("SearchCriteria")
        search_filter = p.get("SearchFilter")
        hits = [
            r
            for r in rows
            if self._matches_criteria(r, criteria) and self._matches_filter(r, search_filter)
        ]
        items, token = self._page(hits, p, operation)
        out_items = []
        for row in items:
            content, status = self._current(row)
            item = self._flow_out(row, kind, content=content, status=status)
            if self.config.omits_content(row["name"], row["id"]):
                del item["Content"], item[kind.sha_key]
            out_items.append(item)
        return self._with_token({key: out_items, "ApproximateTotalCount": len(hits)}, token)

    # versions

    def _create_version(self, caller: Caller, p: dict[str, Any], kind: Kind) -> dict[str, Any]:
        instance = self._instance(caller, p["InstanceId"])
        row, qualifier = self._flow(caller, instance, kind, p[kind.id_param])
        if qualifier is not None:
            raise invalid_param(f"{kind.id_param} must not be qualified here")
        if row["published"] is None:
            raise SandboxError(
                "ContactFlowNotPublishedException",
                f"{kind.noun} {row['id']} has no published content to version",
            )
        content = row["published"]
        digest = sha256(content)
        expected = p.get(kind.sha_key)
        if expected is not None and expected != digest:
            raise SandboxError(
                "InvalidRequestException",
                f"{kind.sha_key} {expected} does not match the $LATEST published content "
                f"({digest})",
            )
        existing = self.store.one(
            "SELECT version FROM versions WHERE flow_arn = ? AND sha = ? ORDER BY version DESC",
            row["arn"],
            digest,
        )
        if existing is not None:
            number = int(existing["version"])
        else:
            number = int(row["next_version"])
            self.store.run(
                "INSERT INTO versions(flow_arn, version, content, sha, settings, description, "
                "modified, region) VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
                row["arn"],
                number,
                content,
                digest,
                row["settings"],
                p.get("Description", ""),
                now(),
                caller.region,
            )
            self.store.run(
                "UPDATE flows SET next_version = ? WHERE arn = ?", number + 1, row["arn"]
            )
        return {kind.arn_key: f"{row['arn']}:{number}", "Version": number}

    def _list_versions(
        self, caller: Caller, p: dict[str, Any], kind: Kind, operation: str, key: str
    ) -> dict[str, Any]:
        instance = self._instance(caller, p["InstanceId"])
        row, _ = self._flow(caller, instance, kind, p[kind.id_param])
        rows = self.store.all(
            "SELECT * FROM versions WHERE flow_arn = ? ORDER BY version", row["arn"]
        )
        items, token = self._page(rows, p, operation)
        out = []
        for v in items:
            item: dict[str, Any] = {"Arn": f"{row['arn']}:{v['version']}", "Version": v["version"]}
            if v["description"]:
                item["VersionDescription"] = v["description"]
            if kind is FLOW:
                item["LastModifiedTime"] = v["modified"]
                item["LastModifiedRegion"] = v["region"]
            out.append(item)
        return self._with_token({key: out}, token)

    def _delete_version(self, caller: Caller, p: dict[str, Any], kind: Kind) -> dict[str, Any]:
        instance = self._instance(caller, p["InstanceId"])
        row, _ = self._flow(caller, instance, kind, p[kind.id_param])
        number = int(p[kind.version_param])
        if not self.store.one(
            "SELECT 1 FROM versions WHERE flow_arn = ? AND version = ?", row["arn"], number
        ):
            raise not_found(f"{kind.noun} {row['id']} version {number}")
        alias = self.store.one(
            "SELECT name FROM aliases WHERE flow_arn = ? AND version = ?", row["arn"], number
        )
        if alias is not None:
            raise SandboxError(
                "ConditionalOperationFailedException",
                f"Version {number} is referenced by alias {alias['name']!r}",
            )
        self.store.run(
            "DELETE FROM versions WHERE flow_arn = ? AND version = ?", row["arn"], number
        )
        return {}

    # aliases

    def _alias(self, row: sqlite3.Row, kind: Kind, alias_id: str) -> sqlite3.Row:
        alias = self.store.one(
            "SELECT * FROM aliases WHERE flow_arn = ? AND (id = ? OR name = ?)",
            row["arn"],
            alias_id,
            alias_id,
        )
        if alias is None:
            raise not_found(f"Alias {alias_id} of {kind.noun.lower()} {row['id']}")
        return alias

    def _require_version(self, row: sqlite3.Row, kind: Kind, number: Any) -> int:
        if not isinstance(number, int) or number < 1:
            raise invalid_param(f"{kind.version_param} must be a positive integer")
        if not self.store.one(
            "SELECT 1 FROM versions WHERE flow_arn = ? AND version = ?", row["arn"], number
        ):
            raise not_found(f"{kind.noun} {row['id']} version {number}")
        return number

    @staticmethod
    def _check_alias_name(name: str) -> None:
        if not _ALIAS_NAME_RE.match(name) or name.isdigit() or name.startswith("$"):
            raise invalid_param(f"Invalid alias name {name!r}")

    def _create_alias(self, caller: Caller, p: dict[str, Any], kind: Kind) -> dict[str, Any]:
        instance = self._instance(caller, p["InstanceId"])
        row, _ = self._flow(caller, instance, kind, p[kind.id_param])
        name = p["AliasName"]
        self._check_alias_name(name)
        number = self._require_version(row, kind, p[kind.version_param])
        if self.store.one(
            "SELECT 1 FROM aliases WHERE flow_arn = ? AND name = ?", row["arn"], name
        ):
            raise SandboxError("DuplicateResourceException", f"Alias {name!r} already exists")
        alias_id = str(uuid.uuid4())
        self.store.run(
            "INSERT INTO aliases(id, flow_arn, name, description, version, modified, region) "
            "VALUES(?, ?, ?, ?, ?, ?, ?)",
            alias_id,
            row["arn"],
            name,
            p.get("Description", ""),
            number,
            now(),
            caller.region,
        )
        return {kind.arn_key: f"{row['arn']}:{name}", "Id": alias_id}

    def _update_alias(self, caller: Caller, p: dict[str, Any], kind: Kind) -> dict[str, Any]:
        instance = self._instance(caller, p["InstanceId"])
        row, _ = self._flow(caller, instance, kind, p[kind.id_param])
        alias = self._alias(row, kind, p["AliasId"])
        name = p.get("Name", alias["name"])
        if name != alias["name"]:
            self._check_alias_name(name)
            if self.store.one(
                "SELECT 1 FROM aliases WHERE flow_arn = ? AND name = ?", row["arn"], name
            ):
                raise SandboxError("DuplicateResourceException", f"Alias {name!r} already exists")
        number = alias["version"]
        if kind.version_param in p:
            number = self._require_version(row, kind, p[kind.version_param])
        self.store.run(
            "UPDATE aliases SET name = ?, description = ?, version = ?, modified = ?, region = ? "
            "WHERE id = ?",
            name,
            p.get("Description", alias["description"]),
            number,
            now(),
            caller.region,
            alias["id"],
        )
        return {}

    def _describe_alias(self, caller: Caller, p: dict[str, Any], kind: Kind) -> dict[str, Any]:
        instance = self._instance(caller, p["InstanceId"])
        row, _ = self._flow(caller, instance, kind, p[kind.id_param])
        alias = self._alias(row, kind, p["AliasId"])
        return {
            kind.id_param: row["id"],
            kind.arn_key: row["arn"],
            "AliasId": alias["id"],
            "Version": alias["version"],
            "Name": alias["name"],
            "Description": alias["description"],
            "LastModifiedRegion": alias["region"],
            "LastModifiedTime": alias["modified"],
        }

    def _list_aliases(
        self, caller: Caller, p: dict[str, Any], kind: Kind, operation: str, key: str
    ) -> dict[str, Any]:
        instance = self._instance(caller, p["InstanceId"])
        row, _ = self._flow(caller, instance, kind, p[kind.id_param])
        rows = self.store.all("SELECT * FROM aliases WHERE flow_arn = ? ORDER BY seq", row["arn"])
        items, token = self._page(rows, p, operation)
        out = []
        for a in items:
            item: dict[str, Any] = {
                "Arn": f"{row['arn']}:{a['name']}",
                "AliasId": a["id"],
                "Version": a["version"],
                "AliasName": a["name"],
                "AliasDescription": a["description"],
                "LastModifiedTime": a["modified"],
            }
            if kind is FLOW:
                item["LastModifiedRegion"] = a["region"]
            out.append(item)
        return self._with_token({key: out}, token)

    def _delete_alias(self, caller: Caller, p: dict[str, Any], kind: Kind) -> dict[str, Any]:
        instance = self._instance(caller, p["InstanceId"])
        row, _ = self._flow(caller, instance, kind, p[kind.id_param])
        alias = self._alias(row, kind, p["AliasId"])
        self.store.run("DELETE FROM aliases WHERE id = ?", alias["id"])
        return {}

    # --- flow operations ---------------------------------------------------------------

    def CreateContactFlow(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        row = self._create(caller, p, FLOW)
        content, _ = self._current(row)
        return {
            "ContactFlowId": row["id"],
            "ContactFlowArn": row["arn"],
            "FlowContentSha256": sha256(content),
        }

    def DescribeContactFlow(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        return {"ContactFlow": self._describe(caller, p, FLOW)}

    def DeleteContactFlow(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        return self._delete(caller, p, FLOW)

    def UpdateContactFlowContent(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        return self._update_content(caller, p, FLOW)

    def UpdateContactFlowMetadata(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        return self._metadata(caller, p, FLOW, "ContactFlowState")

    def UpdateContactFlowName(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        return self._metadata(caller, p, FLOW, "-")

    def ListContactFlows(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        instance = self._instance(caller, p["InstanceId"])
        rows = self.store.all(
            "SELECT id, arn, name, type, state, published IS NOT NULL AS pub FROM flows "
            "WHERE instance_id = ? AND kind = 'flow' ORDER BY seq",
            instance["id"],
        )
        types = p.get("ContactFlowTypes")
        if types:
            rows = [r for r in rows if r["type"] in types]
        items, token = self._page(rows, p, "ListContactFlows")
        out = [
            {
                "Id": r["id"],
                "Arn": r["arn"],
                "Name": r["name"],
                "ContactFlowType": r["type"],
                "ContactFlowState": r["state"],
                "ContactFlowStatus": "PUBLISHED" if r["pub"] else "SAVED",
            }
            for r in items
        ]
        return self._with_token({"ContactFlowSummaryList": out}, token)

    def SearchContactFlows(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        return self._search(caller, p, FLOW, "SearchContactFlows", "ContactFlows")

    def CreateContactFlowVersion(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        return self._create_version(caller, p, FLOW)

    def ListContactFlowVersions(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        return self._list_versions(
            caller, p, FLOW, "ListContactFlowVersions", "ContactFlowVersionSummaryList"
        )

    def DeleteContactFlowVersion(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        return self._delete_version(caller, p, FLOW)

    def CreateContactFlowAlias(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        return self._create_alias(caller, p, FLOW)

    def UpdateContactFlowAlias(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        return self._update_alias(caller, p, FLOW)

    def DescribeContactFlowAlias(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        return {"ContactFlowAlias": self._describe_alias(caller, p, FLOW)}

    def ListContactFlowAliases(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        return self._list_aliases(
            caller, p, FLOW, "ListContactFlowAliases", "ContactFlowAliasSummaryList"
        )

    def DeleteContactFlowAlias(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        return self._delete_alias(caller, p, FLOW)

    # --- module operations --------------------------------------------------------------

    def CreateContactFlowModule(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        row = self._create(caller, p, MODULE)
        return {"Id": row["id"], "Arn": row["arn"]}

    def DescribeContactFlowModule(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        return {"ContactFlowModule": self._describe(caller, p, MODULE)}

    def DeleteContactFlowModule(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        return self._delete(caller, p, MODULE)

    def UpdateContactFlowModuleContent(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        return self._update_content(caller, p, MODULE)

    def UpdateContactFlowModuleMetadata(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        return self._metadata(caller, p, MODULE, "State")

    def ListContactFlowModules(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        instance = self._instance(caller, p["InstanceId"])
        rows = self.store.all(
            "SELECT id, arn, name, state FROM flows WHERE instance_id = ? AND kind = 'module' "
            "ORDER BY seq",
            instance["id"],
        )
        state = p.get("ContactFlowModuleState")
        if state:
            rows = [r for r in rows if r["state"] == state]
        items, token = self._page(rows, p, "ListContactFlowModules")
        out = [
            {"Id": r["id"], "Arn": r["arn"], "Name": r["name"], "State": r["state"]} for r in items
        ]
        return self._with_token({"ContactFlowModulesSummaryList": out}, token)

    def SearchContactFlowModules(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        return self._search(caller, p, MODULE, "SearchContactFlowModules", "ContactFlowModules")

    def CreateContactFlowModuleVersion(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        return self._create_version(caller, p, MODULE)

    def ListContactFlowModuleVersions(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        return self._list_versions(
            caller,
            p,
            MODULE,
            "ListContactFlowModuleVersions",
            "ContactFlowModuleVersionSummaryList",
        )

    def DeleteContactFlowModuleVersion(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        return self._delete_version(caller, p, MODULE)

    def CreateContactFlowModuleAlias(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        return self._create_alias(caller, p, MODULE)

    def UpdateContactFlowModuleAlias(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        return self._update_alias(caller, p, MODULE)

    def DescribeContactFlowModuleAlias(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        return {"ContactFlowModuleAlias": self._describe_alias(caller, p, MODULE)}

    def ListContactFlowModuleAliases(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        return self._list_aliases(
            caller, p, MODULE, "ListContactFlowModuleAliases", "ContactFlowModuleAliasSummaryList"
        )

    def DeleteContactFlowModuleAlias(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        return self._delete_alias(caller, p, MODULE)

    # --- catalog ---------------------------------------------------------------------

    def add_resource(
        self,
        instance: sqlite3.Row,
        kind: str,
        name: str,
        *,
        rid: str | None = None,
        arn: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> str:
        """Insert a catalog resource if missing (used by the seed); returns its ARN."""
        rid = rid or str(uuid.uuid4())
        if arn is None:
            arn = f"{instance['arn']}/{CATALOG_SEGMENTS[kind]}/{rid}"
        self.store.run(
            "INSERT OR IGNORE INTO resources(arn, instance_id, kind, id, name, modified, data) "
            "VALUES(?, ?, ?, ?, ?, ?, ?)",
            arn,
            instance["id"],
            kind,
            rid,
            name,
            now(),
            json.dumps(data or {}),
        )
        return arn

    def _resources(self, caller: Caller, p: dict[str, Any], kind: str) -> list[sqlite3.Row]:
        instance = self._instance(caller, p["InstanceId"])
        return self.store.all(
            "SELECT * FROM resources WHERE instance_id = ? AND kind = ? ORDER BY seq",
            instance["id"],
            kind,
        )

    def _summaries(
        self,
        caller: Caller,
        p: dict[str, Any],
        kind: str,
        operation: str,
        key: str,
        extra: Callable[[sqlite3.Row, dict[str, Any]], dict[str, Any]] | None = None,
        keep: Callable[[dict[str, Any]], bool] | None = None,
    ) -> dict[str, Any]:
        rows = self._resources(caller, p, kind)
        if keep is not None:
            rows = [r for r in rows if keep(json.loads(r["data"]))]
        items, token = self._page(rows, p, operation)
        out = []
        for r in items:
            item: dict[str, Any] = {
                "Id": r["id"],
                "Arn": r["arn"],
                "Name": r["name"],
                "LastModifiedTime": r["modified"],
                "LastModifiedRegion": caller.region,
            }
            if extra is not None:
                item.update(extra(r, json.loads(r["data"])))
            out.append(item)
        return self._with_token({key: out}, token)

    def ListQueues(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        types = p.get("QueueTypes")
        return self._summaries(
            caller,
            p,
            "queue",
            "ListQueues",
            "QueueSummaryList",
            extra=lambda r, d: {"QueueType": d.get("QueueType", "STANDARD")},
            keep=(lambda d: d.get("QueueType", "STANDARD") in types) if types else None,
        )

    def ListPrompts(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        return self._summaries(caller, p, "prompt", "ListPrompts", "PromptSummaryList")

    def ListHoursOfOperations(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        return self._summaries(
            caller, p, "hours", "ListHoursOfOperations", "HoursOfOperationSummaryList"
        )

    def ListQuickConnects(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        types = p.get("QuickConnectTypes")
        return self._summaries(
            caller,
            p,
            "quick_connect",
            "ListQuickConnects",
            "QuickConnectSummaryList",
            extra=lambda r, d: {"QuickConnectType": d.get("QuickConnectType", "QUEUE")},
            keep=(lambda d: d.get("QuickConnectType", "QUEUE") in types) if types else None,
        )

    def ListUsers(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        rows = self._resources(caller, p, "user")
        items, token = self._page(rows, p, "ListUsers")
        out = [
            {
                "Id": r["id"],
                "Arn": r["arn"],
                "Username": r["name"],
                "LastModifiedTime": r["modified"],
                "LastModifiedRegion": caller.region,
            }
            for r in items
        ]
        return self._with_token({"UserSummaryList": out}, token)

    def ListLambdaFunctions(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        rows = self._resources(caller, p, "lambda")
        items, token = self._page(rows, p, "ListLambdaFunctions")
        return self._with_token({"LambdaFunctions": [r["arn"] for r in items]}, token)

    def AssociateLambdaFunction(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        instance = self._instance(caller, p["InstanceId"])
        arn = p["FunctionArn"]
        parts = arn.split(":")
        if len(parts) < 7 or parts[2] != "lambda" or parts[5] != "function":
            raise invalid_param(f"Invalid Lambda function ARN {arn!r}")
        self.add_resource(instance, "lambda", parts[6], rid=parts[6], arn=":".join(parts[:7]))
        return {}

    def ListBots(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        version = p["LexVersion"]
        if version not in ("V1", "V2"):
            raise invalid_param(f"Invalid LexVersion {version!r}")
        rows = self._resources(caller, p, "lex_v2" if version == "V2" else "lex_v1")
        items, token = self._page(rows, p, "ListBots")
        if version == "V2":
            out = [{"LexV2Bot": {"AliasArn": r["arn"]}} for r in items]
        else:
            out = [
                {"LexBot": {"Name": r["name"], "LexRegion": json.loads(r["data"])["LexRegion"]}}
                for r in items
            ]
        return self._with_token({"LexBots": out}, token)

    def ListLexBots(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        rows = self._resources(caller, p, "lex_v1")
        items, token = self._page(rows, p, "ListLexBots")
        out = [{"Name": r["name"], "LexRegion": json.loads(r["data"])["LexRegion"]} for r in items]
        return self._with_token({"LexBots": out}, token)

    def AssociateBot(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        instance = self._instance(caller, p["InstanceId"])
        if p.get("LexV2Bot"):
            alias_arn = p["LexV2Bot"]["AliasArn"]
            name = alias_arn.split("/")[1] if "/" in alias_arn else alias_arn
            self.add_resource(instance, "lex_v2", name, rid=alias_arn, arn=alias_arn)
        elif p.get("LexBot"):
            bot = p["LexBot"]
            arn = f"lex-v1:{instance['id']}:{bot['LexRegion']}:{bot['Name']}"
            self.add_resource(
                instance,
                "lex_v1",
                bot["Name"],
                rid=bot["Name"],
                arn=arn,
                data={"LexRegion": bot["LexRegion"]},
            )
        else:
            raise invalid_param("LexBot or LexV2Bot is required")
        return {}

    def _phone_number(self, caller: Caller, identifier: str) -> sqlite3.Row:
        pid = identifier.rsplit("phone-number/", 1)[-1]
        row = self.store.one(
            "SELECT r.* FROM resources r JOIN instances i ON r.instance_id = i.id "
            "WHERE r.kind = 'phone_number' AND r.id = ? AND i.account = ? AND i.region = ?",
            pid,
            caller.account,
            caller.region,
        )
        if row is None:
            raise not_found(f"Phone number {identifier}")
        return row

    def ListPhoneNumbersV2(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        instance_filter: str | None = None
        if p.get("InstanceId"):
            instance_filter = self._instance(caller, p["InstanceId"])["id"]
        elif p.get("TargetArn"):
            instance_filter = self._instance(caller, p["TargetArn"])["id"]
        rows = self.store.all(
            "SELECT r.*, i.arn AS instance_arn FROM resources r JOIN instances i "
            "ON r.instance_id = i.id WHERE r.kind = 'phone_number' AND i.account = ? "
            "AND i.region = ? ORDER BY r.seq",
            caller.account,
            caller.region,
        )
        out_rows = []
        for r in rows:
            d = json.loads(r["data"])
            if instance_filter and r["instance_id"] != instance_filter:
                continue
            if (
                p.get("PhoneNumberCountryCodes")
                and d["CountryCode"] not in p["PhoneNumberCountryCodes"]
            ):
                continue
            if p.get("PhoneNumberTypes") and d["Type"] not in p["PhoneNumberTypes"]:
                continue
            prefix = p.get("PhoneNumberPrefix")
            if prefix and not r["name"].lstrip("+").startswith(prefix.lstrip("+")):
                continue
            out_rows.append((r, d))
        items, token = self._page(out_rows, p, "ListPhoneNumbersV2")
        out = [
            {
                "PhoneNumberId": r["id"],
                "PhoneNumberArn": r["arn"],
                "PhoneNumber": r["name"],
                "PhoneNumberCountryCode": d["CountryCode"],
                "PhoneNumberType": d["Type"],
                "TargetArn": r["instance_arn"],
                "InstanceId": r["instance_id"],
                "PhoneNumberDescription": d.get("Description", ""),
            }
            for r, d in items
        ]
        return self._with_token({"ListPhoneNumbersSummaryList": out}, token)

    def AssociatePhoneNumberContactFlow(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        instance = self._instance(caller, p["InstanceId"])
        number = self._phone_number(caller, p["PhoneNumberId"])
        if number["instance_id"] != instance["id"]:
            raise not_found(f"Phone number {p['PhoneNumberId']} in instance {instance['id']}")
        flow, qualifier = self._flow(caller, instance, FLOW, p["ContactFlowId"])
        if qualifier is not None:
            raise invalid_param("ContactFlowId must not be qualified here")
        data = json.loads(number["data"])
        data["ContactFlowArn"] = flow["arn"]
        self.store.run(
            "UPDATE resources SET data = ?, modified = ? WHERE arn = ?",
            json.dumps(data),
            now(),
            number["arn"],
        )
        return {}

    def _create_catalog(
        self, caller: Caller, p: dict[str, Any], kind: str, data: dict[str, Any]
    ) -> tuple[str, str]:
        instance = self._instance(caller, p["InstanceId"])
        name = p["Name"]
        if not name or len(name) > 127:
            raise invalid_param("Name must be 1 to 127 characters")
        if self.store.one(
            "SELECT 1 FROM resources WHERE instance_id = ? AND kind = ? AND name = ?",
            instance["id"],
            kind,
            name,
        ):
            raise SandboxError("DuplicateResourceException", f"{kind} {name!r} already exists")
        rid = str(uuid.uuid4())
        arn = self.add_resource(instance, kind, name, rid=rid, data=data)
        if p.get("Tags"):
            self.store.set_tags(arn, dict(p["Tags"]))
        return rid, arn

    def CreateQueue(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        instance = self._instance(caller, p["InstanceId"])
        hours = p["HoursOfOperationId"].rsplit("/", 1)[-1]
        if not self.store.one(
            "SELECT 1 FROM resources WHERE instance_id = ? AND kind = 'hours' AND id = ?",
            instance["id"],
            hours,
        ):
            raise not_found(f"Hours of operation {p['HoursOfOperationId']}")
        rid, arn = self._create_catalog(caller, p, "queue", {"QueueType": "STANDARD"})
        return {"QueueArn": arn, "QueueId": rid}

    def CreatePrompt(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        rid, arn = self._create_catalog(caller, p, "prompt", {"S3Uri": p["S3Uri"]})
        return {"PromptARN": arn, "PromptId": rid}

    def CreateHoursOfOperation(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        rid, arn = self._create_catalog(
            caller, p, "hours", {"TimeZone": p["TimeZone"], "Config": p["Config"]}
        )
        return {"HoursOfOperationId": rid, "HoursOfOperationArn": arn}

    def CreateQuickConnect(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        qtype = p["QuickConnectConfig"].get("QuickConnectType")
        if qtype not in ("USER", "QUEUE", "PHONE_NUMBER", "FLOW"):
            raise invalid_param(f"Invalid QuickConnectType {qtype!r}")
        rid, arn = self._create_catalog(caller, p, "quick_connect", {"QuickConnectType": qtype})
        return {"QuickConnectARN": arn, "QuickConnectId": rid}

    def DisassociatePhoneNumberContactFlow(
        self, caller: Caller, p: dict[str, Any]
    ) -> dict[str, Any]:
        instance = self._instance(caller, p["InstanceId"])
        number = self._phone_number(caller, p["PhoneNumberId"])
        if number["instance_id"] != instance["id"]:
            raise not_found(f"Phone number {p['PhoneNumberId']} in instance {instance['id']}")
        data = json.loads(number["data"])
        data.pop("ContactFlowArn", None)
        self.store.run(
            "UPDATE resources SET data = ?, modified = ? WHERE arn = ?",
            json.dumps(data),
            now(),
            number["arn"],
        )
        return {}

    def ListFlowAssociations(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        rtype = p.get("ResourceType", "VOICE_PHONE_NUMBER")
        rows = [] if rtype != "VOICE_PHONE_NUMBER" else self._resources(caller, p, "phone_number")
        pairs = [(r, json.loads(r["data"])) for r in rows]
        linked = [(r, d["ContactFlowArn"]) for r, d in pairs if d.get("ContactFlowArn")]
        items, token = self._page(linked, p, "ListFlowAssociations")
        out = [
            {"ResourceId": r["arn"], "FlowId": flow, "ResourceType": "VOICE_PHONE_NUMBER"}
            for r, flow in items
        ]
        return self._with_token({"FlowAssociationSummaryList": out}, token)

    # --- tags --------------------------------------------------------------------------

    def _tag_target(self, caller: Caller, arn: str) -> str:
        parts = arn.split(":")
        owned = len(parts) >= 6 and parts[3] == caller.region and parts[4] == caller.account
        if owned and (
            self.store.one("SELECT 1 FROM flows WHERE arn = ?", arn)
            or self.store.one("SELECT 1 FROM resources WHERE arn = ?", arn)
            or self.store.one("SELECT 1 FROM instances WHERE arn = ?", arn)
        ):
            return arn
        raise not_found(f"Resource {arn}")

    def TagResource(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        arn = self._tag_target(caller, p["resourceArn"])
        tags = self.store.tags(arn)
        tags.update(p["tags"])
        if len(tags) > 50:
            raise invalid_param("A resource can have at most 50 tags")
        self.store.set_tags(arn, tags)
        return {}

    def UntagResource(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        arn = self._tag_target(caller, p["resourceArn"])
        tags = self.store.tags(arn)
        for key in p["tagKeys"]:
            tags.pop(key, None)
        self.store.set_tags(arn, tags)
        return {}

    def ListTagsForResource(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        arn = self._tag_target(caller, p["resourceArn"])
        return {"tags": self.store.tags(arn)}


SUPPORTED_OPERATIONS = frozenset(
    name for name in dir(Service) if name[:1].isupper() and callable(getattr(Service, name))
)
