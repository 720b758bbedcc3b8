"""``flowops doctor`` against the sandbox through real boto3: every check, a denied
permission (an AccessDeniedException fault rule, what IAM answers), the sandbox's strict
switches, clock skew, the write probe and its clean-up, and the exit codes."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from flowops.config import Environment
from flowops.connect import ConnectClient
from flowops.connect.doctor import COMMAND_ACTIONS, PROBE_PREFIX, DoctorReport, doctor
from flowops.sandbox import SandboxServer
from flowops.sandbox.config import FaultRule, Quota
from flowops.schemas import SCHEMAS
from tests.support import (
    DEV,
    FAST_RETRIES,
    sandbox_environment,
    sandbox_environment_file,
)

pytestmark = pytest.mark.integration


def fast_client(env: Environment) -> ConnectClient:
    return ConnectClient.for_environment(env, settings=FAST_RETRIES)


def run(sandbox: SandboxServer, **kwargs: Any) -> DoctorReport:
    return doctor(sandbox_environment(sandbox.url), client_factory=fast_client, **kwargs)


def by_name(report: DoctorReport) -> dict[str, dict[str, Any]]:
    return {f"{c.area}: {c.name}": c.to_dict() for c in report.checks}


def probes_left(sandbox: SandboxServer) -> list[str]:
    client = fast_client(sandbox_environment(sandbox.url))
    flows = [*client.list_flows("flow"), *client.list_flows("module")]
    return [f.name for f in flows if f.name.startswith(PROBE_PREFIX)]


def deny(sandbox: SandboxServer, *operations: str) -> None:
    sandbox.config.faults = [
        FaultRule(
            operation=op,
            error_code="AccessDeniedException",
            error_rate=1.0,
            account=DEV,
            message=f"User is not authorized to perform: connect:{op}",
        )
        for op in operations
    ]


@pytest.fixture
def cli(
    seeded_sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Any]:
    sandbox_environment_file(tmp_path / "environments", seeded_sandbox.url)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    return lambda *args: runner.invoke(app(), ["doctor", "--env", "dev", *args])


def app() -> Any:
    from flowops.cli.main import app as root

    return root


def test_a_healthy_environment_passes_every_check(
    cli: Callable[..., Any], seeded_sandbox: SandboxServer
) -> None:
    result = cli("--format", "json", "--write-probe")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["schema"] == SCHEMAS["doctor"] and report["ok"] is True and report["env"] == "dev"
    checks = {f"{c['area']}: {c['name']}": c for c in report["checks"]}
    assert {c["status"] for c in report["checks"]} <= {"ok", "warn", "skip"}
    assert checks["identity: credentials"]["data"]["account"] == DEV
    assert checks["instance: flowops-sandbox"]["status"] == "ok"
    assert checks["clock: skew"]["status"] == "ok"
    for command in COMMAND_ACTIONS:
        line = checks[f"permissions: {command}"]
        assert line["status"] == "ok" and set(line["data"]["actions"]) == set(
            COMMAND_ACTIONS[command]
        )
    assert checks["search: Content in SearchContactFlows"]["data"] == {"content": True}
    assert checks["quota: ListContactFlows"]["data"]["retried"] == 0
    types = checks["flows: in use"]["data"]["types"]
    assert "CONTACT_FLOW" in types and "MODULE" in types
    for flow_type in types:
        assert checks[f"versions: {flow_type}"]["status"] in ("ok", "warn")
        probe = checks[f"write probe: {flow_type}"]
        assert probe["status"] == "ok"
        assert probe["data"]["steps"][:2] == ["created", "published"]
        assert probe["data"]["steps"][-2:] == ["alias", "tagged"]
    assert probes_left(seeded_sandbox) == []  # the scratch flows and module are gone
    # The permission probes changed nothing: the same flows as before, none created.
    outcomes = seeded_sandbox.request_log.outcomes()
    assert outcomes[(DEV, "CreateContactFlow", "InvalidContactFlowException")] == 1
    text = cli()
    assert text.exit_code == 0 and "all checks passed" in text.output


def test_a_denied_permission_fails_the_commands_that_need_it(
    cli: Callable[..., Any], seeded_sandbox: SandboxServer
) -> None:
    deny(seeded_sandbox, "CreateContactFlowVersion")
    result = cli("--format", "json")
    assert result.exit_code == 1, result.output
    checks = {f"{c['area']}: {c['name']}": c for c in json.loads(result.output)["checks"]}
    for command in ("export", "plan", "diff", "drift", "history"):
        assert checks[f"permissions: {command}"]["status"] == "ok"
    for command, statement in [
        ("promote", "PromoteFlowsAndModules"),
        ("rollback", "RollbackFlows"),
        ("canary", "PromoteFlowsAndModules"),
    ]:
        line = checks[f"permissions: {command}"]
        assert line["status"] == "fail"
        assert line["data"]["denied"] == ["connect:CreateContactFlowVersion"]
        assert "connect:CreateContactFlowVersion" in line["fix"] and statement in line["fix"]
    text = cli()
    assert text.exit_code == 1
    assert "3 check(s) failed" in text.output and "connect:CreateContactFlowVersion" in text.output


def test_write_probe_cleans_up_when_a_step_fails(seeded_sandbox: SandboxServer) -> None:
    deny(seeded_sandbox, "CreateContactFlowModuleAlias")
    report = run(seeded_sandbox, write_probe=True)
    assert not report.ok
    module = by_name(report)["write probe: MODULE"]
    assert module["status"] == "fail" and module["data"]["failed"] == "alias"
    assert module["data"]["steps"] == ["created", "published", "version 1"]
    assert "AccessDeniedException" in module["detail"]
    assert by_name(report)["write probe: CONTACT_FLOW"]["status"] == "ok"
    assert probes_left(seeded_sandbox) == []


def test_a_scratch_flow_that_cannot_be_deleted_is_named(seeded_sandbox: SandboxServer) -> None:
    deny(seeded_sandbox, "DeleteContactFlow")
    report = run(seeded_sandbox, write_probe=True)
    left = [c for c in report.checks if c.name.endswith("clean-up")]
    assert left and all(c.status == "fail" for c in left)
    assert sorted(c.data["left_behind"] for c in left) == sorted(
        f.id
        for f in fast_client(sandbox_environment(seeded_sandbox.url)).list_flows("flow")
        if f.name.startswith(PROBE_PREFIX)
    )
    assert all("delete flow flowops-doctor-probe-" in c.fix for c in left)


def test_strict_switches_show_as_warnings(seeded_sandbox: SandboxServer) -> None:
    seeded_sandbox.config.search_omit_content = True
    seeded_sandbox.config.enforce_quotas = True
    seeded_sandbox.config.default_quota = Quota(rate=1000.0, burst=1000)
    seeded_sandbox.config.quotas = {"ListContactFlows": Quota(rate=20.0, burst=2)}
    report = run(seeded_sandbox, quota_calls=8)
    checks = by_name(report)
    search = checks["search: Content in SearchContactFlows"]
    assert search["status"] == "warn" and search["data"] == {"content": False}
    quota = checks["quota: ListContactFlows"]
    assert quota["status"] == "warn" and quota["data"]["retried"] > 0
    assert quota["data"]["requests"] == 8 + quota["data"]["retried"]
    assert report.ok  # warnings do not fail


def test_clock_skew(seeded_sandbox: SandboxServer) -> None:
    import time

    ahead = run(seeded_sandbox, quota_calls=1, now=lambda: time.time() + 600)
    skew = by_name(ahead)["clock: skew"]
    assert skew["status"] == "fail" and 595 <= skew["data"]["skew_seconds"] <= 605
    assert "NTP" in skew["fix"] and not ahead.ok
    behind = run(seeded_sandbox, quota_calls=1, now=lambda: time.time() - 60)
    assert by_name(behind)["clock: skew"]["status"] == "warn"


def test_no_credentials_or_no_endpoint_stop_at_the_first_check(
    sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = sandbox.url
    sandbox.stop()
    report = doctor(sandbox_environment(url), client_factory=fast_client)
    assert [c.area for c in report.checks] == ["identity", "clock"]
    assert report.checks[0].status == "fail" and "cannot reach" in report.checks[0].detail
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    env = replace(
        sandbox_environment(url),
        endpoint_url=None,
        auth=replace(sandbox_environment(url).auth, profile="no-such-profile"),
    )
    missing = doctor(env, client_factory=fast_client)
    assert [c.status for c in missing.checks] == ["fail"]
    assert "no-such-profile" in missing.checks[0].detail


def test_bad_input_exits_2(cli: Callable[..., Any]) -> None:
    assert cli("--format", "xml").exit_code == 2
    markdown = cli("--format", "markdown")
    assert markdown.exit_code == 0 and "| identity: credentials | ok |" in markdown.output
    assert cli("--quota-calls", "0").exit_code == 2
    runner = CliRunner()
    assert runner.invoke(app(), ["doctor", "--env", "nowhere"]).exit_code == 2
