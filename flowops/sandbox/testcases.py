"""Amazon Connect's test-case API in the sandbox (Testing and simulation).

The eleven operations of botocore's model (CreateTestCase ... ListTestCaseExecutionRecords)
over two tables of their own. ``StartTestCaseExecution`` queues an execution; the
executions of an instance run with Connect's documented limits
(``shared/reference/connect-testing.md`` section 1): at most 5 at once (the others stay
``INITIATED``), at most 100 queued including the running ones (beyond that
``ServiceQuotaExceededException``), 5 minutes each. An execution runs the test case's
published content against the instance's flows with flowops' simulator
(:mod:`flowops.simulate.native`) and lists Connect-shaped records.

Executions advance lazily on every test-case call: one that started at least
``test_case_seconds`` ago (simulated run time, 0.5 s by default, so the concurrency limit is
observable; 0 completes at once) completes, then queued ones start in order.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flowops.errors import FlowopsError
from flowops.model.parse import parse_content
from flowops.sandbox.protocol import Caller, SandboxError, max_results, not_found, page
from flowops.sandbox.store import Store
from flowops.simulate.compile import content_problems
from flowops.simulate.native import execute
from flowops.simulate.world import FlowEntry, FlowSet

#: Connect's documented limits for test executions, per instance.
MAX_RUNNING = 5
MAX_QUEUED = 100  # including the running ones
ACTIVE = ("INITIATED", "IN_PROGRESS")

_TABLES = """
CREATE TABLE IF NOT EXISTS test_cases (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT UNIQUE NOT NULL,
    arn TEXT UNIQUE NOT NULL,
    instance_id TEXT NOT NULL,
    name TEXT NOT NULL,
    modified REAL NOT NULL,
    region TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS test_case_executions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT UNIQUE NOT NULL,
    instance_id TEXT NOT NULL,
    test_case_id TEXT NOT NULL,
    status TEXT NOT NULL,
    created REAL NOT NULL,
    started REAL,
    ended REAL,
    client_token TEXT,
    data TEXT NOT NULL
)
"""

_DAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")


def _invalid(problems: list[str]) -> SandboxError:
    return SandboxError(
        "InvalidTestCaseException",
        "The test case is not valid: " + "; ".join(problems)[:900],
        Problems=[{"message": p[:256]} for p in problems[:50]],
    )


def hours_open(data: dict[str, Any], when: float | None = None) -> bool | None:
    """Whether hours with this ``Config`` are open now (None: no schedule known)."""
    if "Config" not in data:
        return None
    try:
        zone = ZoneInfo(str(data.get("TimeZone") or "UTC"))
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    moment = datetime.fromtimestamp(when or time.time(), zone)
    minute = moment.hour * 60 + moment.minute
    for slot in data.get("Config") or []:
        if slot.get("Day") != _DAYS[moment.weekday()]:
            continue
        start = slot["StartTime"]["Hours"] * 60 + slot["StartTime"]["Minutes"]
        end = slot["EndTime"]["Hours"] * 60 + slot["EndTime"]["Minutes"]
        if start <= minute < (end or 24 * 60) or start == end:
            return True
    return False


class TestCaseOperations:
    """The test-case operations; mixed into the sandbox's ``Service``."""

    store: Store
    #: Simulated run time of one execution, in seconds.
    test_case_seconds: float = 0.5

    def _instance(self, caller: Caller, identifier: str) -> sqlite3.Row:
        raise NotImplementedError  # provided by Service

    def _matches_tags(self, tags: dict[str, str], tag_filter: dict[str, Any] | None) -> bool:
        raise NotImplementedError  # provided by Service (the flows' Search tag filter)

    # --- storage ---------------------------------------------------------------------

    def _tc_tables(self) -> None:
        if getattr(self.store, "_test_case_tables", False):
            return
        for statement in filter(str.strip, _TABLES.split(";")):
            self.store.run(statement)
        self.store._test_case_tables = True  # type: ignore[attr-defined]

    def _test_case(self, caller: Caller, p: dict[str, Any]) -> tuple[sqlite3.Row, sqlite3.Row]:
        self._tc_tables()
        instance = self._instance(caller, p["InstanceId"])
        ident = str(p["TestCaseId"]).rsplit("/", 1)[-1]
        row = self.store.one(
            "SELECT * FROM test_cases WHERE instance_id = ? AND id = ?", instance["id"], ident
        )
        if row is None:
            raise not_found(f"Test case {p['TestCaseId']}")
        return instance, row

    def _check_published(self, instance: sqlite3.Row, version: dict[str, Any]) -> None:
        problems: list[str] = []
        try:
            content = json.loads(version.get("Content") or "")
        except ValueError as exc:
            content = None
            problems.append(f"Content is not valid JSON: {exc}")
        if content is not None:
            problems += content_problems(content)
        entry = version.get("EntryPoint") or {}
        params = (
            entry.get("VoiceCallEntryPointParameters")
            or entry.get("ChatEntryPointParameters")
            or {}
        )
        if not entry.get("Type"):
            problems.append("EntryPoint: a published test case needs an entry point")
        elif params.get("FlowId") and params.get("DestinationPhoneNumber"):
            problems.append("EntryPoint: Must specify either FlowId or phone numbers")
        elif params.get("FlowId") and self._entry_flow(instance, str(params["FlowId"])) is None:
            problems.append(f"EntryPoint: flow {params['FlowId']} not found")
        init = version.get("InitializationData")
        if init:
            try:
                json.loads(init)
            except ValueError:
                problems.append("InitializationData must be a valid JSON string")
        if problems:
            raise _invalid(problems)

    def _version(self, p: dict[str, Any], old: dict[str, Any] | None = None) -> dict[str, Any]:
        out = dict(old or {})
        for key in ("Name", "Description", "Content", "EntryPoint", "InitializationData"):
            if key in p:
                out[key] = p[key]
        return out

    def _unique_name(self, instance: sqlite3.Row, name: str, ident: str = "") -> None:
        clash = self.store.one(
            "SELECT id FROM test_cases WHERE instance_id = ? AND name = ? AND id != ?",
            instance["id"],
            name,
            ident,
        )
        if clash is not None:
            raise SandboxError(
                "DuplicateResourceException", "A resource with the specified name already exists"
            )

    def CreateTestCase(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        self._tc_tables()
        instance = self._instance(caller, p["InstanceId"])
        for key in p.get("Tags") or {}:
            if key.startswith("aws:"):
                raise SandboxError("InvalidParameterException", f"Tag key {key!r} is reserved")
        self._unique_name(instance, p["Name"])
        status = p.get("Status", "SAVED")
        version = self._version(p)
        if status == "PUBLISHED":
            self._check_published(instance, version)
        ident = p.get("TestCaseId") or str(uuid.uuid4())
        arn = f"{instance['arn']}/test-case/{ident}"
        data = {"saved": version, "published": version if status == "PUBLISHED" else None}
        self.store.run(
            "INSERT INTO test_cases(id, arn, instance_id, name, modified, region, data) "
            "VALUES(?, ?, ?, ?, ?, ?, ?)",
            ident,
            arn,
            instance["id"],
            p["Name"],
            round(time.time(), 3),
            caller.region,
            json.dumps(data),
        )
        self.store.set_tags(arn, dict(p.get("Tags") or {}))
        return {"TestCaseId": ident, "TestCaseArn": arn}

    def UpdateTestCase(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        instance, row = self._test_case(caller, p)
        data = json.loads(row["data"])
        version = self._version(p, data["published"] or data["saved"])
        if "Name" in p:
            self._unique_name(instance, p["Name"], row["id"])
        status = p.get("Status", "SAVED")
        if status == "PUBLISHED":
            self._check_published(instance, version)
            data["published"] = version
        data["saved"] = version
        self.store.run(
            "UPDATE test_cases SET name = ?, modified = ?, region = ?, data = ? WHERE id = ?",
            version.get("Name", row["name"]),
            round(time.time(), 3),
            caller.region,
            json.dumps(data),
            row["id"],
        )
        return {}

    def _test_case_out(self, row: sqlite3.Row, status: str | None = None) -> dict[str, Any]:
        data = json.loads(row["data"])
        which = status or ("PUBLISHED" if data["published"] else "SAVED")
        version = data["published"] if which == "PUBLISHED" else data["saved"]
        if version is None:
            raise not_found(f"Published version of test case {row['id']}")
        out = {
            "Arn": row["arn"],
            "Id": row["id"],
            "Name": version.get("Name", row["name"]),
            "Content": version.get("Content", ""),
            "Status": which,
            "LastModifiedTime": row["modified"],
            "LastModifiedRegion": row["region"],
            "Tags": self.store.tags(row["arn"]),
            "TestCaseSha256": hashlib.sha256(str(version.get("Content", "")).encode()).hexdigest(),
        }
        for key in ("Description", "EntryPoint", "InitializationData"):
            if version.get(key) is not None:
                out[key] = version[key]
        return out

    def DescribeTestCase(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        _, row = self._test_case(caller, p)
        return {"TestCase": self._test_case_out(row, p.get("Status"))}

    def _test_cases(self, instance: sqlite3.Row) -> list[sqlite3.Row]:
        return self.store.all(
            "SELECT * FROM test_cases WHERE instance_id = ? ORDER BY seq", instance["id"]
        )

    def ListTestCases(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        self._tc_tables()
        instance = self._instance(caller, p["InstanceId"])
        items = [
            {
                "Id": r["id"],
                "Arn": r["arn"],
                "Name": r["name"],
                "Status": "PUBLISHED" if json.loads(r["data"])["published"] else "SAVED",
                "LastModifiedTime": r["modified"],
                "LastModifiedRegion": r["region"],
            }
            for r in self._test_cases(instance)
        ]
        chunk, token = page(items, p, default=100, maximum=max_results("ListTestCases"))
        return {"TestCaseSummaryList": chunk, **({"NextToken": token} if token else {})}

    @staticmethod
    def _string_match(out: dict[str, Any], cond: dict[str, Any] | None) -> bool:
        if not cond:
            return True
        if "OrConditions" in cond:
            return any(TestCaseOperations._string_match(out, c) for c in cond["OrConditions"])
        if "AndConditions" in cond:
            return all(TestCaseOperations._string_match(out, c) for c in cond["AndConditions"])
        string = cond.get("StringCondition")
        if string:
            field = {"name": "Name", "description": "Description"}.get(
                str(string.get("FieldName", "")).lower(), "Name"
            )
            value, want = str(out.get(field, "")), str(string.get("Value", ""))
            kind = string.get("ComparisonType", "EXACT")
            return {
                "EXACT": value == want,
                "CONTAINS": want in value,
                "STARTS_WITH": value.startswith(want),
            }.get(kind, False)
        status = cond.get("StatusCondition")
        if status:
            return bool(out.get("Status") == status)
        return True

    def SearchTestCases(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        self._tc_tables()
        instance = self._instance(caller, p["InstanceId"])
        items = []
        for row in self._test_cases(instance):
            out = self._test_case_out(row)
            criteria = p.get("SearchCriteria")
            tags = (p.get("SearchFilter") or {}).get("TagFilter")
            if self._string_match(out, criteria) and self._matches_tags(out["Tags"], tags):
                items.append(out)
        chunk, token = page(items, p, default=100, maximum=max_results("SearchTestCases"))
        out_page: dict[str, Any] = {"TestCases": chunk, "ApproximateTotalCount": len(items)}
        return {**out_page, **({"NextToken": token} if token else {})}

    def DeleteTestCase(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        _, row = self._test_case(caller, p)
        self.store.run("DELETE FROM test_cases WHERE id = ?", row["id"])
        self.store.set_tags(row["arn"], {})
        return {}

    # --- executions ------------------------------------------------------------------

    def _entry_flow(self, instance: sqlite3.Row, flow_id: str) -> sqlite3.Row | None:
        ident = flow_id.rsplit("/", 1)[-1].split(":", 1)[0]
        return self.store.one(
            "SELECT * FROM flows WHERE instance_id = ? AND kind = 'flow' AND id = ?",
            instance["id"],
            ident,
        )

    def _flowset(self, instance: sqlite3.Row) -> FlowSet:
        flows = FlowSet()
        for row in self.store.all("SELECT * FROM flows WHERE instance_id = ?", instance["id"]):
            text = row["published"] or row["saved"]
            if not text:
                continue
            try:
                flow = parse_content(json.loads(text), flow_name=row["name"])
            except (ValueError, FlowopsError):  # a flow Connect would not run either
                continue
            entry = FlowEntry(
                f"{row['kind']}:{row['name']}", row["name"], row["kind"], row["type"], flow
            )
            flows.add(entry, row["arn"], row["id"])
        return flows

    def _run(self, execution: sqlite3.Row) -> dict[str, Any]:
        data = json.loads(execution["data"])
        version = data["test_case"]
        instance = self.store.one("SELECT * FROM instances WHERE id = ?", execution["instance_id"])
        assert instance is not None
        entry_point = version.get("EntryPoint") or {}
        params = (
            entry_point.get("VoiceCallEntryPointParameters")
            or entry_point.get("ChatEntryPointParameters")
            or {}
        )
        flow_row = self._entry_flow(instance, str(params.get("FlowId", "")))
        flows = self._flowset(instance)
        entry = flows.resolve(flow_row["arn"]) if flow_row is not None else None
        if entry is None:
            return {"status": "FAILED", "records": [], "message": "entry flow not found"}
        init = json.loads(version.get("InitializationData") or "{}")

        def hours(arn: str) -> bool | None:
            row = self.store.one("SELECT data FROM resources WHERE arn = ?", arn)
            return hours_open(json.loads(row["data"])) if row is not None else None

        def names(arn: str) -> str | None:
            row = self.store.one("SELECT name FROM resources WHERE arn = ?", arn)
            return str(row["name"]) if row is not None else None

        outcome = execute(
            json.loads(version["Content"]),
            flows,
            entry,
            channel="CHAT" if entry_point.get("Type") == "CHAT" else "VOICE",
            attributes=init.get("Attributes") or {},
            hours=hours,
            names=names,
            contact_id=data["contact_id"],
            start=float(execution["started"] or execution["created"]),
        )
        return {
            "status": outcome.status,
            "records": outcome.records,
            "summary": {
                "TotalObservations": outcome.total,
                "ObservationsPassed": outcome.passed,
                "ObservationsFailed": outcome.failed,
            },
            "message": outcome.message,
        }

    def _advance(self, instance_id: str) -> None:
        """Complete executions whose run time is over, then start queued ones in order."""
        now = time.time()
        while True:
            changed = False
            rows = self.store.all(
                "SELECT * FROM test_case_executions WHERE instance_id = ? AND status IN (?, ?) "
                "ORDER BY seq",
                instance_id,
                *ACTIVE,
            )
            for row in rows:
                due = (
                    row["status"] == "IN_PROGRESS"
                    and now >= row["started"] + self.test_case_seconds
                )
                if due:
                    result = self._run(row)
                    data = {**json.loads(row["data"]), **result}
                    self.store.run(
                        "UPDATE test_case_executions SET status = ?, ended = ?, data = ? "
                        "WHERE id = ?",
                        result["status"],
                        round(row["started"] + self.test_case_seconds, 3),
                        json.dumps(data),
                        row["id"],
                    )
                    changed = True
            running = self.store.one(
                "SELECT COUNT(*) AS n FROM test_case_executions WHERE instance_id = ? "
                "AND status = 'IN_PROGRESS'",
                instance_id,
            )
            free = MAX_RUNNING - (running["n"] if running else 0)
            for row in rows:
                if free <= 0:
                    break
                if row["status"] == "INITIATED":
                    self.store.run(
                        "UPDATE test_case_executions SET status = 'IN_PROGRESS', started = ? "
                        "WHERE id = ?",
                        round(now, 3),
                        row["id"],
                    )
                    free -= 1
                    changed = True
            if not changed:
                return

    def _execution(self, caller: Caller, p: dict[str, Any]) -> tuple[sqlite3.Row, sqlite3.Row]:
        instance, test_case = self._test_case(caller, p)
        self._advance(instance["id"])
        row = self.store.one(
            "SELECT * FROM test_case_executions WHERE id = ? AND test_case_id = ?",
            p["TestCaseExecutionId"],
            test_case["id"],
        )
        if row is None:
            raise not_found(f"Test case execution {p['TestCaseExecutionId']}")
        return test_case, row

    def StartTestCaseExecution(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        instance, test_case = self._test_case(caller, p)
        self._advance(instance["id"])
        token = p.get("ClientToken")
        if token:
            same = self.store.one(
                "SELECT * FROM test_case_executions WHERE test_case_id = ? AND client_token = ?",
                test_case["id"],
                token,
            )
            if same is not None:
                return {
                    "TestCaseExecutionId": same["id"],
                    "TestCaseId": test_case["id"],
                    "Status": same["status"],
                }
        version = json.loads(test_case["data"])["published"]
        if version is None:
            raise SandboxError(
                "InvalidRequestException", "Only a PUBLISHED test case can be executed"
            )
        queued = self.store.one(
            "SELECT COUNT(*) AS n FROM test_case_executions WHERE instance_id = ? "
            "AND status IN (?, ?)",
            instance["id"],
            *ACTIVE,
        )
        if queued is not None and queued["n"] >= MAX_QUEUED:
            raise SandboxError(
                "ServiceQuotaExceededException",
                f"At most {MAX_QUEUED} test case executions can be queued, "
                f"including {MAX_RUNNING} running",
            )
        ident = str(uuid.uuid4())
        data = {"test_case": version, "contact_id": str(uuid.uuid4()), "records": []}
        self.store.run(
            "INSERT INTO test_case_executions(id, instance_id, test_case_id, status, created, "
            "client_token, data) VALUES(?, ?, ?, 'INITIATED', ?, ?, ?)",
            ident,
            instance["id"],
            test_case["id"],
            round(time.time(), 3),
            token,
            json.dumps(data),
        )
        self._advance(instance["id"])
        row = self.store.one("SELECT status FROM test_case_executions WHERE id = ?", ident)
        assert row is not None
        return {
            "TestCaseExecutionId": ident,
            "TestCaseId": test_case["id"],
            "Status": row["status"],
        }

    def StopTestCaseExecution(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        _, row = self._execution(caller, p)
        if row["status"] in ACTIVE:
            data = json.loads(row["data"])
            data["records"] = [
                {
                    "ObservationId": "COMPLETION",
                    "Status": "STOPPED",
                    "Timestamp": round(time.time(), 3),
                    "Record": json.dumps({"Type": "COMPLETION", "Status": "STOPPED"}),
                }
            ]
            self.store.run(
                "UPDATE test_case_executions SET status = 'STOPPED', ended = ?, data = ? "
                "WHERE id = ?",
                round(time.time(), 3),
                json.dumps(data),
                row["id"],
            )
        return {}

    def GetTestCaseExecutionSummary(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        _, row = self._execution(caller, p)
        data = json.loads(row["data"])
        out: dict[str, Any] = {"Status": row["status"]}
        if row["started"]:
            out["StartTime"] = row["started"]
        if row["ended"]:
            out["EndTime"] = row["ended"]
        if data.get("summary"):
            out["ObservationSummary"] = data["summary"]
        return out

    def ListTestCaseExecutionRecords(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        _, row = self._execution(caller, p)
        records = list(json.loads(row["data"]).get("records") or [])
        if row["status"] == "IN_PROGRESS":
            records = [
                {
                    "ObservationId": "INITIATION",
                    "Status": "IN_PROGRESS",
                    "Timestamp": row["started"],
                    "Record": json.dumps({"Type": "INITIATION"}),
                }
            ]
        if p.get("Status"):
            records = [r for r in records if r["Status"] == p["Status"]]
        chunk, token = page(
            records, p, default=100, maximum=max_results("ListTestCaseExecutionRecords")
        )
        return {"ExecutionRecords": chunk, **({"NextToken": token} if token else {})}

    def ListTestCaseExecutions(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        self._tc_tables()
        instance = self._instance(caller, p["InstanceId"])
        self._advance(instance["id"])
        names = {r["id"]: r for r in self._test_cases(instance)}
        items = []
        for row in self.store.all(
            "SELECT * FROM test_case_executions WHERE instance_id = ? ORDER BY seq", instance["id"]
        ):
            case = names.get(row["test_case_id"])
            if (
                p.get("TestCaseId")
                and row["test_case_id"] != str(p["TestCaseId"]).rsplit("/", 1)[-1]
            ):
                continue
            if p.get("TestCaseName") and (case is None or case["name"] != p["TestCaseName"]):
                continue
            if p.get("Status") and row["status"] != p["Status"]:
                continue
            started_ms = (row["started"] or row["created"]) * 1000
            if p.get("StartTime") and started_ms < int(p["StartTime"]):
                continue
            if p.get("EndTime") and started_ms > int(p["EndTime"]):
                continue
            item: dict[str, Any] = {
                "TestCaseExecutionId": row["id"],
                "TestCaseId": row["test_case_id"],
                "TestCaseExecutionStatus": row["status"],
                "Tags": self.store.tags(case["arn"]) if case is not None else {},
            }
            if row["started"]:
                item["StartTime"] = row["started"]
            if row["ended"]:
                item["EndTime"] = row["ended"]
            items.append(item)
        chunk, token = page(items, p, default=100, maximum=max_results("ListTestCaseExecutions"))
        return {"TestCaseExecutions": chunk, **({"NextToken": token} if token else {})}
