"""``flowops doctor``: can this environment be promoted to, before the first real promote?

One harmless call per check: who the credentials are (STS GetCallerIdentity), the
instance (DescribeInstance), every IAM action each flowops command needs (the table
:data:`COMMAND_ACTIONS`, the same as ``docs/aws.md``), whether SearchContactFlows returns
``Content``, whether versions and aliases are readable for each flow type in use, the API
quota actually observed over a few paced calls, and the clock skew (the HTTP ``Date`` of a
response against the local clock). ``write_probe`` also creates, publishes, versions,
aliases, tags and deletes a scratch flow per flow type in use and a scratch module, named
``flowops-doctor-probe-<random>``, deleting them even when a step fails.

How a permission is probed without changing anything: a write is sent for a resource that
does not exist (:data:`NO_SUCH_ID`) or with content Connect refuses (``{}``). IAM decides
before the service looks at the request, so ``AccessDeniedException`` means the action is
not allowed, and any other answer (ResourceNotFound, InvalidContactFlow...) means it is.
IAM conditions on a resource's tags cannot be judged on a resource that does not exist:
``write_probe`` proves those.
"""

from __future__ import annotations

import json
import secrets
import statistics
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, Literal

from flowops.config import Environment
from flowops.connect.catalog import RemoteFlow
from flowops.connect.client import ConnectClient
from flowops.connect.errors import (
    AccessDeniedError,
    ConnectError,
    ConnectionFailedError,
    CredentialsError,
    ModelViolationError,
    ThrottledError,
)
from flowops.errors import BadInputError, FlowopsError
from flowops.schemas import stamp

Status = Literal["ok", "warn", "fail", "skip"]

#: A flow/module id that exists nowhere (a valid UUID, so it passes the model's patterns).
NO_SUCH_ID = "00000000-0000-4000-8000-00000000d0c7"
#: Prefix of everything the write probe creates.
PROBE_PREFIX = "flowops-doctor-probe"
#: Tag the write probe puts on what it creates.
PROBE_TAG = "flowops-doctor"
#: Clock skew (seconds) worth a warning, and the skew at which AWS refuses signatures
#: (SigV4 allows 5 minutes; the Date header has a resolution of one second).
SKEW_WARN = 30.0
SKEW_FAIL = 240.0

# --- the IAM actions of each command (docs/aws.md, section 2) ----------------------------

READ_ACTIONS: tuple[str, ...] = (
    "connect:SearchContactFlows",
    "connect:SearchContactFlowModules",
    "connect:ListContactFlows",
    "connect:ListContactFlowModules",
    "connect:DescribeContactFlow",
    "connect:DescribeContactFlowModule",
    "connect:ListContactFlowVersions",
    "connect:ListContactFlowModuleVersions",
    "connect:ListContactFlowAliases",
    "connect:ListContactFlowModuleAliases",
    "connect:ListQueues",
    "connect:ListPrompts",
    "connect:ListHoursOfOperations",
    "connect:ListQuickConnects",
    "connect:ListUsers",
    "connect:ListLambdaFunctions",
    "connect:ListLexBots",
    "connect:ListBots",
    "connect:ListPhoneNumbersV2",
    "connect:ListViews",
    "connect:ListTagsForResource",
)
#: Only needed when ``instance:`` is an alias; ``ds:`` cannot be probed through Connect.
ALIAS_ACTIONS: tuple[str, ...] = ("connect:ListInstances", "ds:DescribeDirectories")
#: Optional: without them export names Lex V2 bots by id (a warning, not a failure).
LEX_ACTIONS: tuple[str, ...] = ("lex:DescribeBot", "lex:DescribeBotAlias")
PROMOTE_ACTIONS: tuple[str, ...] = (
    "connect:CreateContactFlow",
    "connect:UpdateContactFlowContent",
    "connect:UpdateContactFlowMetadata",
    "connect:CreateContactFlowVersion",
    "connect:CreateContactFlowAlias",
    "connect:UpdateContactFlowAlias",
    "connect:CreateContactFlowModule",
    "connect:UpdateContactFlowModuleContent",
    "connect:UpdateContactFlowModuleMetadata",
    "connect:CreateContactFlowModuleVersion",
    "connect:CreateContactFlowModuleAlias",
    "connect:UpdateContactFlowModuleAlias",
    "connect:TagResource",
    "connect:UntagResource",
)
ROLLBACK_ACTIONS: tuple[str, ...] = (
    "connect:UpdateContactFlowContent",
    "connect:UpdateContactFlowMetadata",
    "connect:CreateContactFlowVersion",
    "connect:UpdateContactFlowAlias",
    "connect:UpdateContactFlowModuleContent",
    "connect:CreateContactFlowModuleVersion",
    "connect:UpdateContactFlowModuleAlias",
    "connect:TagResource",
    "connect:UntagResource",
)
CANARY_ACTIONS: tuple[str, ...] = ("connect:DeleteContactFlow",)
#: Every command that writes: the ``flowops-lock`` module is created, then deleted.
LOCK_ACTIONS: tuple[str, ...] = (
    "connect:CreateContactFlowModule",
    "connect:DeleteContactFlowModule",
    "connect:UpdateContactFlowModuleContent",
    "connect:TagResource",
)
#: ``measure``, ``canary watch`` and the canary gates: flow metrics.
METRICS_ACTIONS: tuple[str, ...] = ("connect:GetMetricDataV2",)
#: ``flowops test --env``: the test cases it owns, and the substitute hours it may create
#: (not probed by doctor yet).
TEST_CASE_ACTIONS: tuple[str, ...] = (
    "connect:ListTestCases",
    "connect:DescribeTestCase",
    "connect:CreateTestCase",
    "connect:UpdateTestCase",
    "connect:StartTestCaseExecution",
    "connect:GetTestCaseExecutionSummary",
    "connect:ListTestCaseExecutionRecords",
    "connect:CreateHoursOfOperation",
)
#: What ``--write-probe`` needs beyond promote and canary: deleting its scratch module.
PROBE_ACTIONS: tuple[str, ...] = ("connect:DeleteContactFlowModule",)

#: docs/aws.md's policy statements by ``Sid`` (a test keeps the two the same).
STATEMENTS: dict[str, tuple[str, ...]] = {
    "FindInstanceByAlias": ALIAS_ACTIONS,
    "NameLexV2Bots": LEX_ACTIONS,
    "ReadFlowsAndCatalog": READ_ACTIONS,
    "PromoteFlowsAndModules": PROMOTE_ACTIONS,
    "RollbackFlows": ROLLBACK_ACTIONS,
    "CanaryHelpers": CANARY_ACTIONS,
    "EnvironmentLock": LOCK_ACTIONS,
    "DoctorWriteProbe": PROBE_ACTIONS,
    "FlowMetrics": METRICS_ACTIONS,
    "TestCases": TEST_CASE_ACTIONS,
}
_READ = ("ReadFlowsAndCatalog",)
#: Command -> the statements that grant everything it needs.
COMMAND_STATEMENTS: dict[str, tuple[str, ...]] = {
    "export": _READ,
    "plan": _READ,
    "diff": _READ,
    "drift": _READ,
    "history": _READ,
    "promote": (*_READ, "PromoteFlowsAndModules", "EnvironmentLock"),
    "rollback": (*_READ, "RollbackFlows", "EnvironmentLock"),
    "canary": (*_READ, "PromoteFlowsAndModules", "CanaryHelpers", "EnvironmentLock", "FlowMetrics"),
    "measure": (*_READ, "FlowMetrics"),
}
#: Command -> the IAM actions it needs (the read-only ones included).
COMMAND_ACTIONS: dict[str, tuple[str, ...]] = {
    command: tuple(dict.fromkeys(a for sid in sids for a in STATEMENTS[sid]))
    for command, sids in COMMAND_STATEMENTS.items()
}

Probe = Callable[[ConnectClient], Any]


def _flow_arn(client: ConnectClient, kind: Literal["flow", "module"] = "flow") -> str:
    return client.flow_arn(kind, NO_SUCH_ID)


def _probe_name() -> str:
    return f"{PROBE_PREFIX}-{secrets.token_hex(4)}"


def _lists(operation: str, **extra: Any) -> Probe:
    return lambda c: c.probe(operation, InstanceId=c.instance_id, MaxResults=1, **extra)


def _on_missing(operation: str, id_param: str, **extra: Any) -> Probe:
    return lambda c: c.probe(operation, InstanceId=c.instance_id, **{id_param: NO_SUCH_ID}, **extra)


#: IAM action -> the harmless call that proves it (see the module docstring).
PROBES: dict[str, Probe] = {
    "connect:ListInstances": lambda c: c.probe("ListInstances", MaxResults=1),
    "connect:SearchContactFlows": _lists("SearchContactFlows"),
    "connect:SearchContactFlowModules": _lists("SearchContactFlowModules"),
    "connect:ListContactFlows": _lists("ListContactFlows"),
    "connect:ListContactFlowModules": _lists("ListContactFlowModules"),
    "connect:DescribeContactFlow": _on_missing("DescribeContactFlow", "ContactFlowId"),
    "connect:DescribeContactFlowModule": _on_missing(
        "DescribeContactFlowModule", "ContactFlowModuleId"
    ),
    "connect:ListContactFlowVersions": _on_missing("ListContactFlowVersions", "ContactFlowId"),
    "connect:ListContactFlowModuleVersions": _on_missing(
        "ListContactFlowModuleVersions", "ContactFlowModuleId"
    ),
    "connect:ListContactFlowAliases": _on_missing("ListContactFlowAliases", "ContactFlowId"),
    "connect:ListContactFlowModuleAliases": _on_missing(
        "ListContactFlowModuleAliases", "ContactFlowModuleId"
    ),
    "connect:ListQueues": _lists("ListQueues"),
    "connect:ListPrompts": _lists("ListPrompts"),
    "connect:ListHoursOfOperations": _lists("ListHoursOfOperations"),
    "connect:ListQuickConnects": _lists("ListQuickConnects"),
    "connect:ListUsers": _lists("ListUsers"),
    "connect:ListLambdaFunctions": _lists("ListLambdaFunctions"),
    "connect:ListLexBots": _lists("ListLexBots"),
    "connect:ListBots": _lists("ListBots", LexVersion="V2"),
    "connect:ListPhoneNumbersV2": lambda c: c.probe(
        "ListPhoneNumbersV2", TargetArn=c.instance_arn, MaxResults=1
    ),
    "connect:ListViews": _lists("ListViews", Type="CUSTOMER_MANAGED"),
    "connect:ListTagsForResource": lambda c: c.probe(
        "ListTagsForResource", resourceArn=c.instance_arn
    ),
    "lex:DescribeBot": lambda c: c.probe("DescribeBot", service="lexv2-models", botId="FLOWOPSDR0"),
    "lex:DescribeBotAlias": lambda c: c.probe(
        "DescribeBotAlias", service="lexv2-models", botId="FLOWOPSDR0", botAliasId="FLOWOPSDR0"
    ),
    # Flow metrics of a flow that does not exist, over a past minute: nothing to read.
    "connect:GetMetricDataV2": lambda c: c.probe(
        "GetMetricDataV2",
        ResourceArn=c.instance_arn,
        StartTime=time.time() - 600,
        EndTime=time.time() - 540,
        Filters=[{"FilterKey": "FLOWS_RESOURCE_ID", "FilterValues": [_flow_arn(c)]}],
        Metrics=[{"Name": "FLOWS_STARTED"}],
    ),
    # Writes: refused content, or a resource that does not exist.
    "connect:CreateContactFlow": lambda c: c.probe(
        "CreateContactFlow",
        InstanceId=c.instance_id,
        Name=_probe_name(),
        Type="CONTACT_FLOW",
        Content="{}",
    ),
    "connect:UpdateContactFlowContent": _on_missing(
        "UpdateContactFlowContent", "ContactFlowId", Content="{}"
    ),
    "connect:UpdateContactFlowMetadata": _on_missing(
        "UpdateContactFlowMetadata", "ContactFlowId", Description="flowops doctor probe"
    ),
    "connect:CreateContactFlowVersion": _on_missing("CreateContactFlowVersion", "ContactFlowId"),
    "connect:CreateContactFlowAlias": _on_missing(
        "CreateContactFlowAlias", "ContactFlowId", AliasName=PROBE_PREFIX, ContactFlowVersion=1
    ),
    "connect:UpdateContactFlowAlias": _on_missing(
        "UpdateContactFlowAlias", "ContactFlowId", AliasId=NO_SUCH_ID, ContactFlowVersion=1
    ),
    "connect:CreateContactFlowModule": lambda c: c.probe(
        "CreateContactFlowModule", InstanceId=c.instance_id, Name=_probe_name(), Content="{}"
    ),
    "connect:UpdateContactFlowModuleContent": _on_missing(
        "UpdateContactFlowModuleContent", "ContactFlowModuleId", Content="{}"
    ),
    "connect:UpdateContactFlowModuleMetadata": _on_missing(
        "UpdateContactFlowModuleMetadata", "ContactFlowModuleId", Description="flowops doctor probe"
    ),
    "connect:CreateContactFlowModuleVersion": _on_missing(
        "CreateContactFlowModuleVersion", "ContactFlowModuleId"
    ),
    "connect:CreateContactFlowModuleAlias": _on_missing(
        "CreateContactFlowModuleAlias",
        "ContactFlowModuleId",
        AliasName="flowopsdoctorprobe",
        ContactFlowModuleVersion=1,
    ),
    "connect:UpdateContactFlowModuleAlias": _on_missing(
        "UpdateContactFlowModuleAlias",
        "ContactFlowModuleId",
        AliasId=NO_SUCH_ID,
        ContactFlowModuleVersion=1,
    ),
    "connect:TagResource": lambda c: c.probe(
        "TagResource", resourceArn=_flow_arn(c), tags={PROBE_TAG: "probe"}
    ),
    "connect:UntagResource": lambda c: c.probe(
        "UntagResource", resourceArn=_flow_arn(c), tagKeys=[PROBE_TAG]
    ),
    "connect:DeleteContactFlow": _on_missing("DeleteContactFlow", "ContactFlowId"),
    "connect:DeleteContactFlowModule": _on_missing(
        "DeleteContactFlowModule", "ContactFlowModuleId"
    ),
}


@dataclass(frozen=True)
class Check:
    """One line of the report: what was checked, how it went, and the fix if it failed."""

    area: str
    name: str
    status: Status
    detail: str
    fix: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "area": self.area,
            "name": self.name,
            "status": self.status,
            "detail": self.detail,
            "fix": self.fix,
            "data": dict(self.data),
        }


@dataclass
class DoctorReport:
    """Every check of one environment, in the order they ran."""

    env: str
    endpoint: str
    checks: list[Check] = field(default_factory=list)
    calls: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """No failed check (warnings and skipped checks are fine)."""
        return not any(c.status == "fail" for c in self.checks)

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if c.status == "fail"]

    def to_dict(self) -> dict[str, Any]:
        """The ``--format json`` document."""
        return stamp(
            "doctor",
            {
                "env": self.env,
                "endpoint": self.endpoint,
                "ok": self.ok,
                "calls": self.calls,
                "seconds": round(self.seconds, 3),
                "checks": [c.to_dict() for c in self.checks],
                "commands": {cmd: list(actions) for cmd, actions in COMMAND_ACTIONS.items()},
            },
        )


def _error_line(error: FlowopsError) -> str:
    return str(error).splitlines()[0]


class _Doctor:
    def __init__(
        self,
        client: ConnectClient,
        report: DoctorReport,
        now: Callable[[], float],
        on_check: Callable[[Check], None] | None,
    ) -> None:
        self.client = client
        self.report = report
        self.now = now
        self.on_check = on_check
        self.server_date: str | None = None
        self.outcomes: dict[str, tuple[str, str]] = {}  # action -> (allowed|denied|unknown, why)
        self.in_use: dict[str, list[RemoteFlow]] = {}  # flow type -> flows (no content)
        self.local_time = 0.0

    def add(self, check: Check) -> Check:
        self.report.checks.append(check)
        if self.on_check is not None:
            self.on_check(check)
        return check

    # --- identity, instance, clock -------------------------------------------------------

    def identity(self) -> bool:
        try:
            out = self._dated(self.client.caller_identity)
        except (CredentialsError, ConnectError, ConnectionFailedError) as error:
            self.add(
                Check(
                    "identity",
                    "credentials",
                    "fail",
                    f"STS GetCallerIdentity failed: {_error_line(error)}",
                    "log in (aws sso login --profile ...) or fix auth: in the environment file "
                    "(docs/aws.md, section 3)",
                )
            )
            return False
        account = str(out.get("Account") or "")
        expected = self.client.account_id
        same = account == expected
        self.add(
            Check(
                "identity",
                "credentials",
                "ok" if same else "fail",
                f"{out.get('Arn')} in account {account}",
                ""
                if same
                else f"the environment says account_id {expected}: use that account's "
                "credentials (profile or role_arn), or fix account_id",
                {"account": account, "arn": out.get("Arn"), "user_id": out.get("UserId")},
            )
        )
        return same

    def _dated(self, call: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """``call()``, noting the first HTTP ``Date`` seen and the local time it answered."""
        before = self.now()
        out = call()
        local = (before + self.now()) / 2
        headers = (out.get("ResponseMetadata") or {}).get("HTTPHeaders") or {}
        date = headers.get("date")
        if date and self.server_date is None:
            self.server_date = date
            self.local_time = local
        return out

    def instance(self) -> bool:
        try:
            out = self._dated(self.client.describe_instance)
        except (BadInputError, ConnectError, ConnectionFailedError) as error:
            self.add(
                Check(
                    "instance",
                    self.client.env.instance,
                    "fail",
                    f"DescribeInstance failed: {_error_line(error)}",
                    "check instance:, region: and account_id: in the environment file, and "
                    "connect:DescribeInstance (or ListInstances for an alias)",
                )
            )
            return False
        status = str(out.get("InstanceStatus") or "ACTIVE")
        self.add(
            Check(
                "instance",
                str(out.get("InstanceAlias") or self.client.instance_id),
                "ok" if status == "ACTIVE" else "fail",
                f"{self.client.instance_arn} ({status})",
                "" if status == "ACTIVE" else "the instance is not ACTIVE yet",
                {"id": self.client.instance_id, "arn": self.client.instance_arn},
            )
        )
        return status == "ACTIVE"

    def clock(self) -> None:
        if self.server_date is None:
            self.add(Check("clock", "skew", "skip", "no response carried an HTTP Date header"))
            return
        server = parsedate_to_datetime(self.server_date).timestamp()
        skew = self.local_time - server
        size = abs(skew)
        status: Status = "fail" if size >= SKEW_FAIL else "warn" if size >= SKEW_WARN else "ok"
        side = "ahead of" if skew > 0 else "behind"
        self.add(
            Check(
                "clock",
                "skew",
                status,
                f"local clock {size:.0f} s {side} the server (Date: {self.server_date})",
                ""
                if status == "ok"
                else "sync the clock (NTP): AWS refuses signatures more than 5 minutes off",
                {"skew_seconds": round(skew, 1)},
            )
        )

    # --- permissions -----------------------------------------------------------------------

    def probe_action(self, action: str) -> tuple[str, str]:
        if action in self.outcomes:
            return self.outcomes[action]
        probe = PROBES.get(action)
        if probe is None:
            outcome = ("unknown", "not probed: outside Amazon Connect's API")
        else:
            outcome = self._run_probe(action, probe)
        self.outcomes[action] = outcome
        return outcome

    def _run_probe(self, action: str, probe: Probe) -> tuple[str, str]:
        try:
            out = probe(self.client)
        except AccessDeniedError as error:
            return "denied", _error_line(error)
        except ModelViolationError as error:  # a flowops bug, not the account's
            return "unknown", _error_line(error)
        except ThrottledError as error:
            return "unknown", f"throttled: {_error_line(error)}"
        except ConnectError as error:
            if error.status >= 500:
                return "unknown", _error_line(error)
            return "allowed", f"reached the service ({error.code})"
        if action in ("connect:CreateContactFlow", "connect:CreateContactFlowModule"):
            self._delete_unexpected(action, out)
        return "allowed", "ok"

    def _delete_unexpected(self, action: str, out: Mapping[str, Any]) -> None:
        """Content ``{}`` was accepted (it should not be): delete what it created."""
        kind: Literal["flow", "module"] = "module" if "Module" in action else "flow"
        ident = str(out.get("ContactFlowId") or out.get("Id") or "")
        if ident:
            self.client.delete(kind, ident)

    def permissions(self) -> None:
        actions = dict.fromkeys(a for acts in COMMAND_ACTIONS.values() for a in acts)
        if not _is_id(self.client.env.instance):
            actions.update(dict.fromkeys(ALIAS_ACTIONS))
        for action in (*actions, *LEX_ACTIONS, *PROBE_ACTIONS):
            self.probe_action(action)
        for command, needed in COMMAND_ACTIONS.items():
            denied = [a for a in needed if self.outcomes[a][0] == "denied"]
            unknown = [a for a in needed if self.outcomes[a][0] == "unknown"]
            status: Status = "fail" if denied else "warn" if unknown else "ok"
            detail = f"{len(needed) - len(denied) - len(unknown)}/{len(needed)} actions allowed"
            if denied:
                detail += "; denied: " + ", ".join(denied)
            if unknown:
                detail += "; not proven: " + ", ".join(
                    f"{a} ({self.outcomes[a][1]})" for a in unknown
                )
            fix = ""
            if denied:
                sids = [
                    sid
                    for sid in COMMAND_STATEMENTS[command]
                    if any(a in STATEMENTS[sid] for a in denied)
                ]
                fix = (
                    f"allow {', '.join(denied)} (docs/aws.md section 2, statement "
                    f"{' + '.join(sids)})"
                )
            self.add(
                Check(
                    "permissions",
                    command,
                    status,
                    detail,
                    fix,
                    {
                        "actions": {a: self.outcomes[a][0] for a in needed},
                        "denied": denied,
                    },
                )
            )
        self._optional("lex bot names", LEX_ACTIONS, "NameLexV2Bots", "export names bots by id")
        self._optional(
            "doctor --write-probe",
            PROBE_ACTIONS,
            "DoctorWriteProbe",
            "--write-probe cannot delete its scratch module",
        )
        if not _is_id(self.client.env.instance):
            self._optional(
                "instance alias",
                ALIAS_ACTIONS,
                "FindInstanceByAlias",
                "give the instance id in instance: to need neither",
            )

    def _optional(self, name: str, actions: Iterable[str], policy: str, without: str) -> None:
        actions = list(actions)
        denied = [a for a in actions if self.outcomes[a][0] == "denied"]
        unknown = [a for a in actions if self.outcomes[a][0] == "unknown"]
        status: Status = "warn" if denied else "ok"
        detail = "allowed" if not denied else "denied: " + ", ".join(denied) + f" ({without})"
        if unknown:
            detail += "; not probed: " + ", ".join(unknown)
        self.add(
            Check(
                "permissions",
                name,
                status,
                detail,
                f"allow {', '.join(denied)} (docs/aws.md section 2, statement {policy})"
                if denied
                else "",
                {"actions": {a: self.outcomes[a][0] for a in actions}},
            )
        )

    # --- what the instance holds ------------------------------------------------------------

    def flows_in_use(self) -> None:
        env = self.client.env
        try:
            flows = [*self.client.list_flows("flow"), *self.client.list_flows("module")]
        except ConnectError as error:
            self.add(
                Check(
                    "flows",
                    "in use",
                    "fail",
                    f"cannot list flows: {_error_line(error)}",
                    "allow connect:ListContactFlows and connect:ListContactFlowModules",
                )
            )
            return
        for flow in flows:
            if env.manages(flow.name, flow.type) and not flow.name.startswith(PROBE_PREFIX):
                self.in_use.setdefault(flow.type, []).append(flow)
        counts = {kind: len(items) for kind, items in sorted(self.in_use.items())}
        self.add(
            Check(
                "flows",
                "in use",
                "ok",
                ", ".join(f"{n} {kind}" for kind, n in counts.items()) or "no managed flows yet",
                data={"types": counts},
            )
        )

    def search_content(self) -> None:
        try:
            out = self.client.probe(
                "SearchContactFlows", InstanceId=self.client.instance_id, MaxResults=1
            )
        except ConnectError as error:
            self.add(
                Check(
                    "search",
                    "Content in SearchContactFlows",
                    "fail" if isinstance(error, AccessDeniedError) else "warn",
                    f"SearchContactFlows failed: {_error_line(error)}; flowops falls back to "
                    "List + one Describe per flow",
                    "allow connect:SearchContactFlows (docs/aws.md section 2)",
                )
            )
            return
        items = out.get("ContactFlows") or []
        if not items:
            self.add(Check("search", "Content in SearchContactFlows", "skip", "no flow to look at"))
            return
        has = items[0].get("Content") is not None
        self.add(
            Check(
                "search",
                "Content in SearchContactFlows",
                "ok" if has else "warn",
                "Search returns flow content (one call per 100 flows)"
                if has
                else "Search returns no Content here: flowops describes each flow (one more "
                "call per flow on export, plan and drift)",
                "",
                {"content": has},
            )
        )

    def versions_and_aliases(self) -> None:
        if not self.in_use:
            self.add(Check("versions", "all types", "skip", "no managed flow to look at"))
            return
        for kind, items in sorted(self.in_use.items()):
            family: Literal["flow", "module"] = "module" if kind == "MODULE" else "flow"
            sample = items[0]
            ident = sample.id
            try:
                versions = self.client.list_versions(family, ident)
                aliases = self.client.list_aliases(family, ident)
            except ConnectError as error:
                self.add(
                    Check(
                        "versions",
                        kind,
                        "fail",
                        f"{sample.name}: {_error_line(error)}",
                        "allow the List*Versions and List*Aliases actions (docs/aws.md)",
                    )
                )
                continue
            detail = f"{sample.name}: {len(versions)} version(s), {len(aliases)} alias(es)"
            status: Status = "ok"
            if not versions:
                status = "warn"
                detail += (
                    f"; no {kind} version seen yet: --write-probe proves Connect creates "
                    "versions of this type"
                )
            self.add(
                Check(
                    "versions",
                    kind,
                    status,
                    detail,
                    data={"versions": len(versions), "aliases": len(aliases)},
                )
            )

    # --- quota -------------------------------------------------------------------------------

    def quota(self, calls: int) -> None:
        client = self.client
        operation = "ListContactFlows"
        retries_before = client.retries[operation]
        attempts_before = client.attempts[operation]
        latencies: list[float] = []
        start = time.monotonic()
        try:
            for _ in range(calls):
                began = time.monotonic()
                client.probe(operation, InstanceId=client.instance_id, MaxResults=1)
                latencies.append(time.monotonic() - began)
        except ThrottledError as error:
            self.add(
                Check(
                    "quota",
                    operation,
                    "fail",
                    f"throttled beyond every retry: {_error_line(error)}",
                    "another caller uses the account's quota: lower rate_limit in the "
                    "environment file, or ask for a higher quota (Service Quotas)",
                )
            )
            return
        except ConnectError as error:
            self.add(Check("quota", operation, "skip", f"not measured: {_error_line(error)}"))
            return
        elapsed = time.monotonic() - start
        retried = client.retries[operation] - retries_before
        sent = client.attempts[operation] - attempts_before
        limit = client.env.rate_limit
        detail = (
            f"{calls} paced calls in {elapsed:.1f} s (pacing {limit.rate:g}/s, burst "
            f"{limit.burst}): {retried} retried, latency median "
            f"{statistics.median(latencies) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
        )
        self.add(
            Check(
                "quota",
                operation,
                "warn" if retried else "ok",
                detail,
                "throttles at this pace: something else shares the account's quota; lower "
                "rate_limit or ask for a higher quota"
                if retried
                else "",
                {
                    "calls": calls,
                    "requests": sent,
                    "retried": retried,
                    "seconds": round(elapsed, 3),
                    "latency_ms": [round(x * 1000, 1) for x in latencies],
                },
            )
        )

    # --- write probe -------------------------------------------------------------------------

    def write_probe(self) -> None:
        base = _probe_name()
        types = sorted(t for t in self.in_use if t != "MODULE") or ["CONTACT_FLOW"]
        for flow_type in types:
            self._write_one("flow", f"{base}-{flow_type.lower().replace('_', '-')}", flow_type)
        self._write_one("module", f"{base}-module", "MODULE")

    def _sample_content(self, kind: Literal["flow", "module"], flow_type: str) -> str:
        items = self.in_use.get(flow_type) or []
        if items:
            content = self.client.describe(kind, items[0].id).content
            if content:
                return content
        end = "EndFlowModuleExecution" if kind == "module" else "DisconnectParticipant"
        return json.dumps(
            {
                "Version": "2019-10-30",
                "StartAction": "end",
                "Actions": [
                    {"Identifier": "end", "Type": end, "Parameters": {}, "Transitions": {}}
                ],
            }
        )

    def _write_one(self, kind: Literal["flow", "module"], name: str, flow_type: str) -> None:
        client = self.client
        done: list[str] = []
        created = None
        step = "read a sample"
        try:
            content = self._sample_content(kind, flow_type)
            step = "create"
            created = client.create(
                kind,
                name,
                content,
                type=flow_type if kind == "flow" else "CONTACT_FLOW",
                description="flowops doctor write probe: safe to delete",
                tags={PROBE_TAG: "probe"},
                status="SAVED" if kind == "flow" else "PUBLISHED",
            )
            done.append("created")
            step = "publish"
            client.update_content(kind, created.id, content)
            done.append("published")
            step = "version"
            version = client.create_version(kind, created.id, "flowops doctor probe")
            done.append(f"version {version}")
            step = "alias"
            alias_name = PROBE_PREFIX if kind == "flow" else "flowopsdoctorprobe"
            client.create_alias(kind, created.id, alias_name, version)
            done.append("alias")
            step = "tag"
            client.tag(created.arn, {f"{PROBE_TAG}-step": "tagged"})
            client.untag(created.arn, [f"{PROBE_TAG}-step"])
            done.append("tagged")
        except ConnectError as error:
            self.add(
                Check(
                    "write probe",
                    flow_type,
                    "fail",
                    f"{name}: {step} failed: {_error_line(error)}"
                    + (f" (after: {', '.join(done)})" if done else ""),
                    _write_fix(step, kind, flow_type, error),
                    {"steps": done, "failed": step},
                )
            )
        else:
            self.add(
                Check(
                    "write probe",
                    flow_type,
                    "ok",
                    f"{name}: {', '.join(done)}",
                    data={"steps": done},
                )
            )
        finally:
            if created is not None:
                self._clean_up(kind, created.id, name, flow_type)

    def _clean_up(self, kind: Literal["flow", "module"], ident: str, name: str, t: str) -> None:
        try:
            self.client.delete(kind, ident)
        except ConnectError as error:
            self.add(
                Check(
                    "write probe",
                    f"{t} clean-up",
                    "fail",
                    f"{name} ({ident}) could not be deleted: {_error_line(error)}",
                    f"delete {kind} {name} by hand (console or aws connect delete-contact-flow"
                    f"{'-module' if kind == 'module' else ''})",
                    {"left_behind": ident},
                )
            )


def _write_fix(step: str, kind: str, flow_type: str, error: ConnectError) -> str:
    if isinstance(error, AccessDeniedError):
        return "allow the action named above (docs/aws.md section 2, PromoteFlowsAndModules)"
    if step == "version":
        return (
            f"Connect refuses versions of {flow_type} {kind}s here: promote and rollback rely "
            "on versions for restore points"
        )
    return "see the error above; the scratch resource was deleted"


def _is_id(instance: str) -> bool:
    return instance.startswith("arn:") or len(instance) == 36 and instance.count("-") == 4


def doctor(
    env: Environment,
    *,
    write_probe: bool = False,
    quota_calls: int = 6,
    client_factory: Callable[[Environment], ConnectClient] = ConnectClient.for_environment,
    now: Callable[[], float] = time.time,
    on_check: Callable[[Check], None] | None = None,
) -> DoctorReport:
    """Check ``env`` before a first promote; returns the report (never prints).

    Stops after the first of credentials or instance that fails (nothing else can work);
    every other failure is one line of the report. ``now`` is the local wall clock that the
    skew check compares with the server's ``Date``.
    """
    if quota_calls < 1:
        raise BadInputError(f"--quota-calls must be at least 1, not {quota_calls}")
    started = time.monotonic()
    report = DoctorReport(env.name, env.endpoint_url or "aws")
    try:
        client = client_factory(env)
    except CredentialsError as error:
        check = Check(
            "identity",
            "credentials",
            "fail",
            _error_line(error),
            "fix auth: in the environment file (docs/aws.md, section 3)",
        )
        report.checks.append(check)
        if on_check is not None:
            on_check(check)
        return report
    report.endpoint = client.endpoint_url if env.endpoint_url else "aws"
    run = _Doctor(client, report, now, on_check)
    if run.identity() and run.instance():
        run.clock()
        run.permissions()
        run.flows_in_use()
        run.search_content()
        run.versions_and_aliases()
        run.quota(quota_calls)
        if write_probe:
            run.write_probe()
    else:
        run.clock()
    report.calls = sum(client.calls.values())
    report.seconds = time.monotonic() - started
    return report
