"""flowops' client and ``flowops doctor`` under the sandbox's eventual consistency
(``config.lag``, seeded) and strictness switches, through real boto3."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace

import pytest

from flowops.connect import ConnectClient
from flowops.connect.doctor import PROBE_PREFIX, doctor
from flowops.sandbox import Lag, SandboxConfig, SandboxServer, Strictness
from tests.support import FAST_RETRIES, linear_flow, sandbox_environment

pytestmark = pytest.mark.integration

#: Waits long enough to outlast a NotFound window of a fraction of a second.
PATIENT = replace(FAST_RETRIES, backoff_base=0.1, backoff_cap=0.4, not_found_attempts=10)


@pytest.fixture
def lagging() -> Iterator[SandboxServer]:
    config = SandboxConfig.for_tests(seed=11, lag=Lag(not_found=0.4, not_found_rate=0.7))
    with SandboxServer(":memory:", config=config) as server:
        server.seed()
        yield server


def client_for(server: SandboxServer) -> ConnectClient:
    return ConnectClient.for_environment(sandbox_environment(server.url), settings=PATIENT)


def test_create_then_use_survives_the_not_found_window(lagging: SandboxServer) -> None:
    client = client_for(lagging)
    content = json.dumps(
        linear_flow(
            ("say", "MessageParticipant", {"Text": "hi"}), ("end", "DisconnectParticipant", {})
        )
    )
    for i in range(4):
        flow = client.create("flow", f"Lagging {i}", content, status="SAVED")
        client.update_content("flow", flow.id, content)
        version = client.create_version("flow", flow.id, "v1")
        client.create_alias("flow", flow.id, "live", version)
        client.tag(flow.arn, {"owner": "ops"})
        assert client.describe("flow", flow.id).name == f"Lagging {i}"
    assert sum(client.not_found_retries.values()) > 0  # the window was met, and ridden out


def test_doctor_write_probe_under_lag(lagging: SandboxServer) -> None:
    report = doctor(
        sandbox_environment(lagging.url),
        write_probe=True,
        client_factory=lambda env: ConnectClient.for_environment(env, settings=PATIENT),
    )
    assert report.ok, [c.detail for c in report.failed]
    flows = client_for(lagging).list_flows("flow")
    assert not [f for f in flows if f.name.startswith(PROBE_PREFIX)]


def test_doctor_reports_versions_refused_for_non_campaign_flows(
    seeded_sandbox: SandboxServer,
) -> None:
    seeded_sandbox.config.strict = Strictness(campaign_only_versions=True, opaque_invalid_flow=True)
    report = doctor(
        sandbox_environment(seeded_sandbox.url),
        write_probe=True,
        client_factory=lambda env: ConnectClient.for_environment(env, settings=FAST_RETRIES),
    )
    line = next(c for c in report.checks if c.area == "write probe" and c.name == "CONTACT_FLOW")
    assert line.status == "fail" and line.data["failed"] == "version"
    assert "refuses versions of CONTACT_FLOW" in line.fix
    module = next(c for c in report.checks if c.area == "write probe" and c.name == "MODULE")
    assert module.status == "ok"  # module versions are unaffected
    # A refusal with message "None" and no problems still proves the permission.
    promote = next(c for c in report.checks if c.name == "promote")
    assert promote.status == "ok"
    assert promote.data["actions"]["connect:CreateContactFlow"] == "allowed"
    assert not report.ok
