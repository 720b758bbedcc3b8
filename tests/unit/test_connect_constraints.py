"""The client's model check (the sandbox's walker, prefixed with the operation) on the
requests flowops must never send; every kind of constraint is covered by
``test_sandbox_constraints.py``, which walks the whole model."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest

from flowops.connect.constraints import violations

MODEL = botocore.session.get_session().get_service_model("connect")
INSTANCE = "11111111-2222-3333-4444-555555555555"


def check(operation: str, **params: Any) -> list[str]:
    return violations(MODEL.operation_model(operation), {"InstanceId": INSTANCE, **params})


def test_a_request_that_fits_has_no_violation() -> None:
    assert (
        check(
            "CreateContactFlowModule",
            Name="Ledger",
            Content="{}",
            Description="release ledger",
            Tags={"flowops:lock": "free"},
        )
        == []
    )


@pytest.mark.parametrize(
    ("operation", "params", "expected"),
    [
        (
            "UpdateContactFlowModuleMetadata",
            {"ContactFlowModuleId": "m", "Description": ""},
            "UpdateContactFlowModuleMetadata: Value '' at 'Description' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: .*\\S.*",
        ),
        (
            "CreateContactFlowModuleVersion",
            {"ContactFlowModuleId": "m", "Description": "  "},
            "at 'Description'",
        ),
        (
            "DescribeContactFlowModule",
            {"ContactFlowModuleId": "m" * 257},
            "less than or equal to 256",
        ),
        (
            "CreateContactFlowModuleAlias",
            {"ContactFlowModuleId": "m", "AliasName": "bad name", "ContactFlowModuleVersion": 1},
            "at 'AliasName'",
        ),
        ("TagResource", {"resourceArn": "arn:x", "tags": {"k": "v" * 257}}, "at 'tags.k.value'"),
        (
            "TagResource",
            {"resourceArn": "arn:x", "tags": {"lock": '{"who":"x"}'}},
            "tags.lock.value",
        ),
        ("TagResource", {"resourceArn": "arn:x", "tags": {"aws:x": "v"}}, "at 'tags.aws:x.key'"),
    ],
)
def test_requests_connect_refuses_are_found(
    operation: str, params: dict[str, Any], expected: str
) -> None:
    found = check(operation, **params)
    assert any(expected in line for line in found), found
    assert all(line.startswith(operation + ": ") for line in found)


def test_unicode_letters_are_allowed_in_tags() -> None:
    found = violations(
        MODEL.operation_model("TagResource"),
        {"resourceArn": "arn:x", "tags": {"équipe données": "Zoë"}},
    )
    assert found == []
