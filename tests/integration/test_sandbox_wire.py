"""Wire details: SigV4 required, unsupported and unknown operations, error bodies."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from flowops.sandbox import SandboxServer
from tests.support.clients import ClientFactory

pytestmark = pytest.mark.integration


def test_unsigned_request_is_refused(sandbox: SandboxServer) -> None:
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(f"{sandbox.url}/instance", timeout=5)
    assert caught.value.code == 403
    assert caught.value.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"


def test_unsupported_operation_names_itself(
    sandbox: SandboxServer, connect_client: ClientFactory
) -> None:
    client = connect_client()
    with pytest.raises(client.exceptions.InvalidRequestException) as caught:
        client.list_routing_profiles(InstanceId="x")
    assert "ListRoutingProfiles" in caught.value.response["Error"]["Message"]
    assert sandbox.request_log.count(operation="ListRoutingProfiles") == 1


def test_unknown_route(sandbox: SandboxServer) -> None:
    request = urllib.request.Request(
        f"{sandbox.url}/no/such/route",
        headers={
            "Authorization": "AWS4-HMAC-SHA256 Credential=111111111111/20250101/"
            "us-east-1/connect/aws4_request, SignedHeaders=host, "
            "Signature=00"
        },
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=5)
    body = json.loads(caught.value.read())
    assert caught.value.headers["x-amzn-ErrorType"] == "UnknownOperationException"
    assert "no/such/route" in body["message"]


def test_error_body_carries_message_both_ways(
    sandbox: SandboxServer, connect_client: ClientFactory
) -> None:
    client = connect_client()
    with pytest.raises(client.exceptions.ResourceNotFoundException) as caught:
        client.describe_instance(InstanceId="missing")
    response = caught.value.response
    assert response["Error"]["Code"] == "ResourceNotFoundException"
    assert response["Message"] == response["Error"]["Message"]


def test_missing_required_parameter_from_raw_request(sandbox: SandboxServer) -> None:
    request = urllib.request.Request(
        f"{sandbox.url}/contact-flows/abc",
        data=b'{"Name": "x"}',
        method="PUT",
        headers={
            "Authorization": "AWS4-HMAC-SHA256 Credential=111111111111/20250101/"
            "us-east-1/connect/aws4_request, SignedHeaders=host, "
            "Signature=00",
            "Content-Type": "application/json",
        },
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=5)
    assert caught.value.code == 400
    assert caught.value.headers["x-amzn-ErrorType"] == "InvalidParameterException"


def test_round_trip_is_fast(sandbox: SandboxServer, connect_client: ClientFactory) -> None:
    import time

    client = connect_client()
    client.list_instances()
    started = time.perf_counter()
    for _ in range(50):
        client.list_instances()
    assert (time.perf_counter() - started) / 50 < 0.05
