"""Amazon Connect's test-case API (Testing and simulation): the eleven operations.

``CreateTestCase`` ... ``ListTestCaseExecutionRecords``, routes and shapes from botocore's
model. ``StartTestCaseExecution`` queues an execution; the executions of an instance run
with Connect's documented limits (``shared/reference/connect-testing.md`` section 1): at
most 5 at once (the others stay ``INITIATED``), at most 100 queued including the running
ones (beyond that ``ServiceQuotaExceededException``), 5 minutes each. An execution runs
the test case's published content against the instance's flows with flowops' simulator
(:mod:`flowops.simulate.native`) and lists Connect-shaped records.

Executions advance lazily on every test-case call: one that started at least
``run_seconds`` ago (simulated run time, 0.5 s by default, so the concurrency limit is
observable; 0 completes at once) completes, then queued ones start in order.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flowops.errors import FlowopsError
from flowops.model.parse import parse_content
from flowops.sandbox.backend.common import Family, Output, Params, now, paged, sha256, with_token
from flowops.sandbox.backend.search import matches_tags
from flowops.sandbox.protocol import Caller, SandboxError, not_found
from flowops.sandbox.store import Instance, Store
from flowops.sandbox.store.testcases import Execution, TestCase
from flowops.simulate.compile import content_problems
from flowops.simulate.native import execute
from flowops.simulate.world import FlowEntry, FlowSet

#: Connect's documented limits for test executions, per instance.
MAX_RUNNING = 5
MAX_QUEUED = 100  # including the running ones
ACTIVE = ("INITIATED", "IN_PROGRESS")
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
        if start == end or start <= minute < end:
            return True
    return False


def _string_match(out: dict[str, Any], cond: dict[str, Any] | None) -> bool:
    """SearchTestCases criteria: name/description string conditions, status, and/or."""
    if not cond:
        return True
    if "OrConditions" in cond:
        return any(_string_match(out, c) for c in cond["OrConditions"])
    if "AndConditions" in cond:
        return all(_string_match(out, c) for c in cond["AndConditions"])
    string = cond.get("StringCondition")
    if string:
        name = str(string.get("FieldName", "")).lower()
        value = str(out.get("Description" if name == "description" else "Name", ""))
        want = str(string.get("Value", ""))
        return {
            "EXACT": value == want,
            "CONTAINS": want in value,
            "STARTS_WITH": value.startswith(want),
        }.get(str(string.get("ComparisonType", "EXACT")), False)
    status = cond.get("StatusCondition")
    return not status or out.get("Status") == status


def instance_flowset(store: Store, instance: Instance) -> FlowSet:
    """The flows and modules of an instance as the simulator runs them (published content,
    else saved; a flow Connect would not run either is left out)."""
    flows = FlowSet()
    for kind in ("flow", "module"):
        for record in store.flows(instance.id, kind):
            text = record.published or record.saved
            if not text:
                continue
            try:
                flow = parse_content(json.loads(text), flow_name=record.name)
            except (ValueError, FlowopsError):
                continue
            key = f"{kind}:{record.name}"
            flows.add(FlowEntry(key, record.name, kind, record.type, flow), record.arn, record.id)
    return flows


class TestCases(Family):
    """The test-case operations and the executions' scheduler."""

    #: Simulated run time of one execution, in seconds.
    run_seconds: float = 0.5

    # --- test cases ------------------------------------------------------------------

    def _case(self, caller: Caller, p: Params) -> tuple[Instance, TestCase]:
        instance = self.instance(caller, p["InstanceId"])
        case = self.store.test_case(instance.id, str(p["TestCaseId"]).rsplit("/", 1)[-1])
        if case is None:
            raise not_found(f"Test case {p['TestCaseId']}")
        return instance, case

    def _entry_flow(self, instance: Instance, flow_id: str) -> str | None:
        """The ARN of the flow an entry point names (id or ARN), if the instance has it."""
        ident = flow_id.rsplit("/", 1)[-1].split(":", 1)[0]
        found = self.store.flow(instance.id, "flow", ident)
        return found.arn if found is not None else None

    def _check_published(self, instance: Instance, version: dict[str, Any]) -> None:
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
        if version.get("InitializationData"):
            try:
                json.loads(version["InitializationData"])
            except ValueError:
                problems.append("InitializationData must be a valid JSON string")
        if problems:
            raise _invalid(problems)

    @staticmethod
    def _version(p: Params, old: dict[str, Any] | None = None) -> dict[str, Any]:
        out = dict(old or {})
        for key in ("Name", "Description", "Content", "EntryPoint", "InitializationData"):
            if key in p:
                out[key] = p[key]
        return out

    def _unique(self, instance: Instance, name: str, other_than: str = "") -> None:
        if self.store.test_case_name_taken(instance.id, name, other_than):
            raise SandboxError(
                "DuplicateResourceException", "A resource with the specified name already exists"
            )

    def CreateTestCase(self, caller: Caller, p: Params) -> Output:
        instance = self.instance(caller, p["InstanceId"])
        self._unique(instance, p["Name"])
        version = self._version(p)
        published = p.get("Status", "SAVED") == "PUBLISHED"
        if published:
            self._check_published(instance, version)
        ident = p.get("TestCaseId") or str(uuid.uuid4())
        arn = f"{instance.arn}/test-case/{ident}"
        case = TestCase(
            ident,
            arn,
            instance.id,
            p["Name"],
            now(),
            caller.region,
            version,
            version if published else None,
        )
        self.store.write_test_case(case)
        self.set_tags(arn, dict(p.get("Tags") or {}))
        return {"TestCaseId": ident, "TestCaseArn": arn}

    def UpdateTestCase(self, caller: Caller, p: Params) -> Output:
        instance, case = self._case(caller, p)
        version = self._version(p, case.published or case.saved)
        if "Name" in p:
            self._unique(instance, p["Name"], case.id)
        published = case.published
        if p.get("Status", "SAVED") == "PUBLISHED":
            self._check_published(instance, version)
            published = version
        self.store.write_test_case(
            replace(
                case,
                name=version.get("Name", case.name),
                modified=now(),
                region=caller.region,
                saved=version,
                published=published,
            )
        )
        return {}

    def _out(self, case: TestCase, status: str | None = None) -> Output:
        which = status or ("PUBLISHED" if case.published else "SAVED")
        version = case.published if which == "PUBLISHED" else case.saved
        if version is None:
            raise not_found(f"Published version of test case {case.id}")
        out: Output = {
            "Arn": case.arn,
            "Id": case.id,
            "Name": version.get("Name", case.name),
            "Content": version.get("Content", ""),
            "Status": which,
            "LastModifiedTime": case.modified,
            "LastModifiedRegion": case.region,
            "Tags": self.tags(case.arn),
            "TestCaseSha256": sha256(str(version.get("Content", ""))),
        }
        for key in ("Description", "EntryPoint", "InitializationData"):
            if version.get(key) is not None:
                out[key] = version[key]
        return out

    def DescribeTestCase(self, caller: Caller, p: Params) -> Output:
        _, case = self._case(caller, p)
        return {"TestCase": self._out(case, p.get("Status"))}

    def ListTestCases(self, caller: Caller, p: Params) -> Output:
        instance = self.instance(caller, p["InstanceId"])
        items = [
            {
                "Id": c.id,
                "Arn": c.arn,
                "Name": c.name,
                "Status": "PUBLISHED" if c.published else "SAVED",
                "LastModifiedTime": c.modified,
                "LastModifiedRegion": c.region,
            }
            for c in self.store.test_cases(instance.id)
        ]
        chunk, token = paged(items, p, "ListTestCases")
        return with_token({"TestCaseSummaryList": chunk}, token)

    def SearchTestCases(self, caller: Caller, p: Params) -> Output:
        instance = self.instance(caller, p["InstanceId"])
        tag_filter = (p.get("SearchFilter") or {}).get("TagFilter")
        items = [
            out
            for out in map(self._out, self.store.test_cases(instance.id))
            if _string_match(out, p.get("SearchCriteria")) and matches_tags(out["Tags"], tag_filter)
        ]
        chunk, token = paged(items, p, "SearchTestCases")
        return with_token({"TestCases": chunk, "ApproximateTotalCount": len(items)}, token)

    def DeleteTestCase(self, caller: Caller, p: Params) -> Output:
        _, case = self._case(caller, p)
        self.store.delete_test_case(case.id)
        self.set_tags(case.arn, {})
        return {}

    # --- executions ------------------------------------------------------------------

    def _flowset(self, instance: Instance) -> FlowSet:
        return instance_flowset(self.store, instance)

    def _run(self, execution: Execution) -> dict[str, Any]:
        version = execution.data["test_case"]
        instance = self.store.instance(execution.instance_id)
        assert instance is not None
        entry_point = version.get("EntryPoint") or {}
        params = (
            entry_point.get("VoiceCallEntryPointParameters")
            or entry_point.get("ChatEntryPointParameters")
            or {}
        )
        flows = self._flowset(instance)
        arn = self._entry_flow(instance, str(params.get("FlowId", "")))
        entry = flows.resolve(arn) if arn else None
        if entry is None:
            return {"status": "FAILED", "records": [], "message": "entry flow not found"}
        init = json.loads(version.get("InitializationData") or "{}")

        def hours(ref: str) -> bool | None:
            found = self.store.resource(ref)
            return hours_open(found.data) if found is not None else None

        def names(ref: str) -> str | None:
            found = self.store.resource(ref)
            return found.name if found is not None else None

        outcome = execute(
            json.loads(version["Content"]),
            flows,
            entry,
            channel="CHAT" if entry_point.get("Type") == "CHAT" else "VOICE",
            attributes=init.get("Attributes") or {},
            hours=hours,
            names=names,
            contact_id=execution.data["contact_id"],
            start=float(execution.started or execution.created),
            customer_number=str(params.get("SourcePhoneNumber") or ""),
        )
        return {
            "status": outcome.status,
            "seconds": outcome.seconds,
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
        moment = now()
        while True:
            changed = False
            active = self.store.executions(instance_id, ACTIVE)
            running = 0
            for execution in active:
                if execution.status != "IN_PROGRESS":
                    continue
                assert execution.started is not None
                if moment >= execution.started + self.run_seconds:
                    result = self._run(execution)
                    self.store.update_execution(
                        replace(
                            execution,
                            status=result["status"],
                            # the contact's time: up to the 5-minute limit, whatever
                            # the sandbox's wall-clock run time
                            ended=round(execution.started + float(result.get("seconds", 0)), 3),
                            data={**execution.data, **result},
                        )
                    )
                    changed = True
                else:
                    running += 1
            for execution in active:
                if running >= MAX_RUNNING:
                    break
                if execution.status == "INITIATED":
                    self.store.update_execution(
                        replace(execution, status="IN_PROGRESS", started=moment)
                    )
                    running += 1
                    changed = True
            if not changed:
                return

    def _execution(self, caller: Caller, p: Params) -> tuple[TestCase, Execution]:
        instance, case = self._case(caller, p)
        self._advance(instance.id)
        execution = self.store.execution(case.id, str(p["TestCaseExecutionId"]))
        if execution is None:
            raise not_found(f"Test case execution {p['TestCaseExecutionId']}")
        return case, execution

    def StartTestCaseExecution(self, caller: Caller, p: Params) -> Output:
        instance, case = self._case(caller, p)
        self._advance(instance.id)
        token = p.get("ClientToken")
        if token:
            same = self.store.execution_with_token(case.id, token)
            if same is not None:
                return {
                    "TestCaseExecutionId": same.id,
                    "TestCaseId": case.id,
                    "Status": same.status,
                }
        if case.published is None:
            raise SandboxError(
                "InvalidRequestException", "Only a PUBLISHED test case can be executed"
            )
        if len(self.store.executions(instance.id, ACTIVE)) >= MAX_QUEUED:
            raise SandboxError(
                "ServiceQuotaExceededException",
                f"At most {MAX_QUEUED} test case executions can be queued, "
                f"including {MAX_RUNNING} running",
            )
        ident = str(uuid.uuid4())
        data = {"test_case": case.published, "contact_id": str(uuid.uuid4()), "records": []}
        self.store.insert_execution(
            Execution(ident, instance.id, case.id, "INITIATED", now(), None, None, token, data)
        )
        self._advance(instance.id)
        started = self.store.execution(case.id, ident)
        assert started is not None
        return {"TestCaseExecutionId": ident, "TestCaseId": case.id, "Status": started.status}

    def StopTestCaseExecution(self, caller: Caller, p: Params) -> Output:
        _, execution = self._execution(caller, p)
        if execution.status in ACTIVE:
            record = {
                "ObservationId": "COMPLETION",
                "Status": "STOPPED",
                "Timestamp": now(),
                "Record": json.dumps({"Type": "COMPLETION", "Status": "STOPPED"}),
            }
            self.store.update_execution(
                replace(
                    execution,
                    status="STOPPED",
                    ended=now(),
                    data={**execution.data, "records": [record]},
                )
            )
            self._advance(execution.instance_id)
        return {}

    def GetTestCaseExecutionSummary(self, caller: Caller, p: Params) -> Output:
        _, execution = self._execution(caller, p)
        out: Output = {"Status": execution.status}
        if execution.started:
            out["StartTime"] = execution.started
        if execution.ended:
            out["EndTime"] = execution.ended
        if execution.data.get("summary"):
            out["ObservationSummary"] = execution.data["summary"]
        return out

    def ListTestCaseExecutionRecords(self, caller: Caller, p: Params) -> Output:
        _, execution = self._execution(caller, p)
        records = list(execution.data.get("records") or [])
        if execution.status == "IN_PROGRESS":
            records = [
                {
                    "ObservationId": "INITIATION",
                    "Status": "IN_PROGRESS",
                    "Timestamp": execution.started,
                    "Record": json.dumps({"Type": "INITIATION"}),
                }
            ]
        if p.get("Status"):
            records = [r for r in records if r["Status"] == p["Status"]]
        chunk, token = paged(records, p, "ListTestCaseExecutionRecords")
        return with_token({"ExecutionRecords": chunk}, token)

    def ListTestCaseExecutions(self, caller: Caller, p: Params) -> Output:
        instance = self.instance(caller, p["InstanceId"])
        self._advance(instance.id)
        cases = {c.id: c for c in self.store.test_cases(instance.id)}
        wanted_case = str(p.get("TestCaseId", "")).rsplit("/", 1)[-1]
        items = []
        for execution in self.store.executions(instance.id):
            case = cases.get(execution.test_case_id)
            started_ms = (execution.started or execution.created) * 1000
            if (
                (wanted_case and execution.test_case_id != wanted_case)
                or (p.get("TestCaseName") and (case is None or case.name != p["TestCaseName"]))
                or (p.get("Status") and execution.status != p["Status"])
                or (p.get("StartTime") and started_ms < int(p["StartTime"]))
                or (p.get("EndTime") and started_ms > int(p["EndTime"]))
            ):
                continue
            item: Output = {
                "TestCaseExecutionId": execution.id,
                "TestCaseId": execution.test_case_id,
                "TestCaseExecutionStatus": execution.status,
                "Tags": self.tags(case.arn) if case is not None else {},
            }
            if execution.started:
                item["StartTime"] = execution.started
            if execution.ended:
                item["EndTime"] = execution.ended
            items.append(item)
        chunk, token = paged(items, p, "ListTestCaseExecutions")
        return with_token({"TestCaseExecutions": chunk}, token)
