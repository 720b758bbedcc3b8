"""Throttling, fault injection, the request log and the admin routes."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import botocore.exceptions
import pytest

from flowops.sandbox import FaultRule, Quota, SandboxConfig, SandboxServer
from tests.support import DEV, PROD
from tests.support.clients import ClientFactory, make_client

pytestmark = pytest.mark.integration


@pytest.fixture
def throttled() -> Iterator[SandboxServer]:
    """A sandbox with Connect's default quotas enforced (2/s, burst 5)."""
    with SandboxServer(":memory:", config=SandboxConfig(enforce_quotas=True)) as server:
        yield server


def _warm(server: SandboxServer, client: Any) -> None:
    """One unthrottled call (botocore's lazy set-up), then full buckets and an empty log."""
    server.config.enforce_quotas = False
    client.list_instances()
    server.config.enforce_quotas = True
    server.buckets.reset()
    server.request_log.reset()


def _admin(server: SandboxServer, path: str, body: dict[str, Any] | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        f"{server.url}/_sandbox/{path}", data=data, method="GET" if body is None else "POST"
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def test_burst_is_throttled_with_429(throttled: SandboxServer) -> None:
    client = make_client(throttled.url, DEV)
    _warm(throttled, client)
    outcomes = []
    for _ in range(8):
        try:
            client.list_instances()
            outcomes.append("ok")
        except client.exceptions.ThrottlingException as error:
            assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 429
            outcomes.append("throttled")
    assert outcomes[:5] == ["ok"] * 5
    assert outcomes[5:] == ["throttled"] * 3
    # other accounts have their own bucket
    make_client(throttled.url, PROD).list_instances()
    # the bucket refills at 2 tokens per second
    time.sleep(0.6)
    client.list_instances()
    assert throttled.request_log.count(account=DEV, operation="ListInstances") == 9
    assert throttled.request_log.outcomes()[(DEV, "ListInstances", "ThrottlingException")] == 3


def test_bucket_is_shared_across_operations_unless_configured(throttled: SandboxServer) -> None:
    client = make_client(throttled.url, DEV)
    _warm(throttled, client)
    iid = client.create_instance(
        IdentityManagementType="CONNECT_MANAGED",
        InstanceAlias="q",
        InboundCallsEnabled=True,
        OutboundCallsEnabled=True,
    )["Id"]
    for _ in range(4):
        client.list_queues(InstanceId=iid)
    with pytest.raises(client.exceptions.ThrottlingException):
        client.list_prompts(InstanceId=iid)
    throttled.config.quotas["ListPrompts"] = Quota(rate=100, burst=50)
    for _ in range(20):
        client.list_prompts(InstanceId=iid)


def test_botocore_retries_ride_out_throttling(throttled: SandboxServer) -> None:
    client = make_client(throttled.url, DEV, retries={"total_max_attempts": 10, "mode": "standard"})
    _warm(throttled, client)
    key = (DEV, "ListInstances", "ThrottlingException")
    calls = 0
    while calls < 40 and not throttled.request_log.outcomes().get(key):
        client.list_instances()  # past the burst of 5 (however slow the machine): throttled
        calls += 1
    throttles = throttled.request_log.outcomes().get(key, 0)
    assert throttles >= 1  # throttled, and every call still succeeded (retried)
    assert throttled.request_log.count(account=DEV, operation="ListInstances") == calls + throttles


def test_quotas_off(sandbox: SandboxServer, connect_client: ClientFactory) -> None:
    """With quotas off (the tests' default) a burst far above Connect's quota all succeeds."""
    assert not sandbox.config.enforce_quotas
    client = connect_client()  # no retries: one throttle would raise
    for _ in range(50):
        client.list_instances()
    assert sandbox.request_log.count(account=DEV, operation="ListInstances") == 50
    assert not [k for k in sandbox.request_log.outcomes() if k[2] == "ThrottlingException"]


def test_fail_nth_call(sandbox: SandboxServer, connect_client: ClientFactory) -> None:
    client = connect_client()
    sandbox.config.faults = [
        FaultRule(operation="ListInstances", fail_nth=[2, 4], error_code="InternalServiceException")
    ]
    results = []
    for _ in range(5):
        try:
            client.list_instances()
            results.append("ok")
        except client.exceptions.InternalServiceException as error:
            assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 500
            results.append("fail")
    assert results == ["ok", "fail", "ok", "fail", "ok"]


def test_error_rate_is_seedable(sandbox: SandboxServer, connect_client: ClientFactory) -> None:
    client = connect_client()

    def run() -> list[bool]:
        sandbox.config.update(
            {
                "seed": 42,
                "faults": [
                    {"operation": "*", "error_code": "ThrottlingException", "error_rate": 0.5}
                ],
            }
        )
        out = []
        for _ in range(30):
            try:
                client.list_instances()
                out.append(True)
            except client.exceptions.ThrottlingException:
                out.append(False)
        return out

    first, second = run(), run()
    assert first == second
    assert 5 < first.count(False) < 25


@pytest.mark.parametrize(
    "code",
    [
        "ResourceNotFoundException",
        "DuplicateResourceException",
        "InvalidParameterException",
        "InvalidRequestException",
        "LimitExceededException",
        "ConditionalOperationFailedException",
        "ContactFlowNotPublishedException",
        "InternalServiceException",
        "ThrottlingException",
        "AccessDeniedException",
    ],
)
def test_injected_errors_parse_into_their_class(
    sandbox: SandboxServer, connect_client: ClientFactory, code: str
) -> None:
    client = connect_client()
    sandbox.config.faults = [
        FaultRule(operation="ListInstances", error_rate=1.0, error_code=code, message="boom")
    ]
    with pytest.raises(getattr(client.exceptions, code)) as caught:
        client.list_instances()
    assert caught.value.response["Error"] == {"Code": code, "Message": "boom"}


def test_latency_and_account_filter(sandbox: SandboxServer, connect_client: ClientFactory) -> None:
    # The latency dwarfs any scheduling noise of a loaded machine: only PROD waits for it.
    latency = 1.0
    dev, prod = connect_client(DEV), connect_client(PROD)
    sandbox.config.faults = [FaultRule(operation="ListInstances", latency=latency, account=PROD)]
    started = time.perf_counter()
    dev.list_instances()
    assert time.perf_counter() - started < latency
    started = time.perf_counter()
    prod.list_instances()
    assert time.perf_counter() - started >= latency


def test_dropped_connection(sandbox: SandboxServer, connect_client: ClientFactory) -> None:
    client = connect_client()
    sandbox.config.faults = [FaultRule(operation="ListInstances", fail_nth=1, drop_connection=True)]
    with pytest.raises(botocore.exceptions.HTTPClientError):
        client.list_instances()
    client.list_instances()
    assert sandbox.request_log.outcomes()[(DEV, "ListInstances", "dropped")] == 1


def test_answer_lost_after_the_call_was_applied(
    seeded_sandbox: SandboxServer, connect_client: ClientFactory
) -> None:
    client = connect_client()
    instance = client.list_instances()["InstanceSummaryList"][0]["Id"]
    seeded_sandbox.config.faults = [
        FaultRule(operation="CreateContactFlowModule", fail_nth=1, after_apply=True)
    ]
    content = json.dumps(
        {
            "Version": "2019-10-30",
            "StartAction": "end",
            "Actions": [{"Identifier": "end", "Type": "EndFlowModuleExecution", "Transitions": {}}],
        }
    )
    with pytest.raises(botocore.exceptions.HTTPClientError):
        client.create_contact_flow_module(InstanceId=instance, Name="lost", Content=content)
    names = [
        m["Name"]
        for m in client.list_contact_flow_modules(InstanceId=instance)[
            "ContactFlowModulesSummaryList"
        ]
    ]
    assert "lost" in names  # applied, although the caller never heard back
    assert seeded_sandbox.request_log.outcomes()[(DEV, "CreateContactFlowModule", "dropped")] == 1


def test_request_log(sandbox: SandboxServer, connect_client: ClientFactory) -> None:
    connect_client(DEV).list_instances()
    connect_client(DEV).list_instances()
    connect_client(PROD).list_instances()
    log = sandbox.request_log
    assert log.count() == 3
    assert log.count(account=DEV) == 2
    assert log.count(operation="ListInstances") == 3
    assert log.counts() == {(DEV, "ListInstances"): 2, (PROD, "ListInstances"): 1}
    log.reset()
    assert log.count() == 0


def test_admin_routes(sandbox: SandboxServer, connect_client: ClientFactory) -> None:
    client = connect_client()
    assert _admin(sandbox, "health")["ok"] is True
    client.list_instances()
    report = _admin(sandbox, "requests")
    assert report["total"] == 1
    assert report["counts"] == [{"account": DEV, "operation": "ListInstances", "count": 1}]
    config = _admin(
        sandbox,
        "config",
        {
            "enforce_quotas": True,
            "default_quota": {"rate": 1, "burst": 1},
            "limits": {"flows_per_instance": 7},
        },
    )
    assert config["limits"]["flows_per_instance"] == 7
    assert sandbox.config.limits.content_chars == 256_000
    client.list_instances()
    with pytest.raises(client.exceptions.ThrottlingException):
        client.list_instances()
    _admin(sandbox, "quotas/reset", {})
    client.list_instances()
    _admin(sandbox, "config", {"enforce_quotas": False})
    _admin(
        sandbox,
        "faults",
        {
            "faults": [
                {
                    "operation": "ListInstances",
                    "fail_nth": 1,
                    "error_code": "InternalServiceException",
                }
            ]
        },
    )
    with pytest.raises(client.exceptions.InternalServiceException):
        client.list_instances()
    _admin(sandbox, "requests/reset", {})
    assert _admin(sandbox, "requests")["total"] == 0
    seeded = _admin(sandbox, "seed", {})
    assert seeded["dev"]["account"] == DEV
