"""The router comes from botocore's model: every request boto3 serializes parses back."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import botocore.session
import pytest
from botocore.serialize import create_serializer

from flowops.sandbox.backend.operations import SUPPORTED_OPERATIONS
from flowops.sandbox.lex import LEX_OPERATIONS
from flowops.sandbox.protocol import (
    LEX_MODELS,
    SandboxError,
    caller_from_headers,
    decode_token,
    encode_token,
    error_status,
    model_name,
    parse_request,
    routes,
    service_model,
)

SAMPLES: dict[str, dict[str, Any]] = {
    "DescribeContactFlow": {"InstanceId": "i-1", "ContactFlowId": "f/1:$SAVED"},
    "ListContactFlows": {
        "InstanceId": "i",
        "ContactFlowTypes": ["CONTACT_FLOW", "AGENT_HOLD"],
        "MaxResults": 5,
        "NextToken": "t==",
    },
    "CreateContactFlow": {
        "InstanceId": "i",
        "Name": "n",
        "Type": "CONTACT_FLOW",
        "Content": "{}",
        "Tags": {"a": "b"},
    },
    "UntagResource": {
        "resourceArn": "arn:aws:connect:us-east-1:1:instance/x/contact-flow/y",
        "tagKeys": ["a", "b"],
    },
    "DeleteContactFlowVersion": {"InstanceId": "i", "ContactFlowId": "f", "ContactFlowVersion": 3},
    "ListBots": {"InstanceId": "i", "LexVersion": "V2"},
    "SearchContactFlows": {"InstanceId": "i", "SearchCriteria": {"StatusCondition": "SAVED"}},
    "AssociatePhoneNumberContactFlow": {
        "PhoneNumberId": "p",
        "InstanceId": "i",
        "ContactFlowId": "f",
    },
    "ListInstances": {},
}


def _serialize(
    operation: str, params: dict[str, Any], service: str = "connect"
) -> tuple[str, str, dict[str, str], bytes]:
    model = service_model(service)
    request = create_serializer("rest-json", include_validation=False).serialize_to_request(
        params, model.operation_model(operation)
    )
    query = urlencode(request["query_string"], doseq=True)
    target = request["url_path"] + ("?" + query if query else "")
    body = request["body"] if isinstance(request["body"], bytes) else request["body"].encode()
    return request["method"], target, dict(request["headers"]), body


@pytest.mark.parametrize("operation", sorted(SAMPLES))
def test_botocore_requests_parse_back(operation: str) -> None:
    method, target, headers, body = _serialize(operation, SAMPLES[operation])
    parsed_op, params = parse_request(method, target, headers, body)
    assert parsed_op == operation
    assert params == SAMPLES[operation]


def test_every_supported_operation_is_in_the_model_and_routable() -> None:
    names = set(service_model().operation_names)
    assert SUPPORTED_OPERATIONS <= names
    routed = {r.operation for r in routes()}
    assert SUPPORTED_OPERATIONS <= routed


def _minimal(shape: Any) -> Any:
    """A value of ``shape`` with only its required members filled in."""
    kind = shape.type_name
    if kind == "structure":
        return {name: _minimal(shape.members[name]) for name in shape.required_members}
    if kind == "list":
        return [_minimal(shape.member)]
    if kind == "map":
        return {"k": _minimal(shape.value)}
    enum = getattr(shape, "enum", None)
    if enum:
        return enum[-1]
    return {"integer": 1, "long": 1, "boolean": True, "timestamp": 1700000000}.get(kind, "x1")


@pytest.mark.parametrize("operation", sorted(SUPPORTED_OPERATIONS))
def test_each_supported_operation_routes_to_itself(operation: str) -> None:
    shape = service_model().operation_model(operation).input_shape
    params = _minimal(shape) if shape is not None else {}
    method, target, headers, body = _serialize(operation, params)
    parsed_op, parsed = parse_request(method, target, headers, body)
    assert parsed_op == operation
    assert parsed == params


@pytest.mark.parametrize("operation", sorted(LEX_OPERATIONS))
def test_each_lex_operation_routes_to_itself(operation: str) -> None:
    shape = service_model(LEX_MODELS).operation_model(operation).input_shape
    params = dict.fromkeys(shape.required_members, "ABCDEFGHIJ")
    method, target, headers, body = _serialize(operation, params, LEX_MODELS)
    assert target.startswith("/bots/ABCDEFGHIJ/")
    assert parse_request(method, target, headers, body, LEX_MODELS) == (operation, params)
    with pytest.raises(SandboxError) as connect_only:
        parse_request(method, target, headers, body)  # not a Connect route
    assert connect_only.value.code == "UnknownOperationException"


def test_error_statuses_come_from_the_model() -> None:
    assert error_status("ThrottlingException") == 429
    assert error_status("ResourceNotFoundException") == 404
    assert error_status("DuplicateResourceException") == 409
    assert error_status("InternalServiceException") == 500
    assert error_status("NotAShape") == 400
    assert error_status("ResourceNotFoundException", LEX_MODELS) == 404
    assert error_status("ValidationException", LEX_MODELS) == 400
    assert error_status("AccessDeniedException", LEX_MODELS) == 403  # Connect's status
    assert error_status("NotAShape", LEX_MODELS) == 400


def test_caller_from_sigv4_scope() -> None:
    header = (
        "AWS4-HMAC-SHA256 Credential=222222222222/20250101/eu-west-2/connect/"
        "aws4_request, SignedHeaders=host, Signature=abc"
    )
    caller = caller_from_headers(header)
    assert caller is not None
    assert (caller.account, caller.region) == ("222222222222", "eu-west-2")
    assert model_name(caller) == "connect"
    lex = caller_from_headers(header.replace("/connect/", "/lex/"))
    assert lex is not None and model_name(lex) == LEX_MODELS
    other = caller_from_headers(header.replace("222222222222", "AKIAEXAMPLE"))
    assert other is not None and other.account == "123456789012"
    assert caller_from_headers(None) is None
    assert caller_from_headers("Bearer x") is None


def test_tokens() -> None:
    assert decode_token(encode_token(40)) == 40
    assert decode_token(None) == 0
    with pytest.raises(SandboxError):
        decode_token("nonsense")


def test_botocore_session_is_the_source() -> None:
    assert botocore.session.get_session().get_service_model("connect").protocol == "rest-json"
