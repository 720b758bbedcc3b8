"""The model-constraint checker finds every kind of constraint botocore leaves to the
service, on real operations of botocore's Connect model."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest

from flowops.connect.constraints import violations

MODEL = botocore.session.get_session().get_service_model("connect")
INSTANCE = "11111111-2222-3333-4444-555555555555"
SHA = "a" * 64


def check(operation: str, **params: Any) -> list[str]:
    return violations(MODEL.operation_model(operation), params)


def test_a_request_that_fits_has_no_violation() -> None:
    assert (
        check(
            "CreateContactFlowModule",
            InstanceId=INSTANCE,
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
        # pattern: a module description needs a non-blank character
        (
            "UpdateContactFlowModuleMetadata",
            {"ContactFlowModuleId": "m", "Description": ""},
            "Description: '' does not match the pattern .*\\S.*",
        ),
        (
            "CreateContactFlowModuleVersion",
            {"ContactFlowModuleId": "m", "Description": "  "},
            "does not match the pattern",
        ),
        # max length of a string
        ("DescribeContactFlowModule", {"ContactFlowModuleId": "m" * 257}, "above the maximum 256"),
        # min length of a string
        ("DescribeContactFlowModule", {"ContactFlowModuleId": ""}, "below the minimum 1"),
        # enum
        (
            "UpdateContactFlowMetadata",
            {"ContactFlowId": "f", "ContactFlowState": "GONE"},
            "'GONE' is not one of ACTIVE, ARCHIVED",
        ),
        # numeric range
        (
            "CreateContactFlowAlias",
            {"ContactFlowId": "f", "AliasName": "live", "ContactFlowVersion": 0},
            "0 is below the minimum 1",
        ),
        # pattern of an alias name and of the instance id
        (
            "CreateContactFlowModuleAlias",
            {"ContactFlowModuleId": "m", "AliasName": "bad name", "ContactFlowModuleVersion": 1},
            "AliasName",
        ),
        # list length
        ("UntagResource", {"resourceArn": "arn:x", "tagKeys": []}, "tagKeys: length 0"),
        # map values and keys
        (
            "TagResource",
            {"resourceArn": "arn:x", "tags": {"k": "v" * 257}},
            "above the maximum 256",
        ),
        (
            "TagResource",
            {"resourceArn": "arn:x", "tags": {"aws:reserved": "v"}},
            "key 'aws:reserved'",
        ),
        ("TagResource", {"resourceArn": "arn:x", "tags": {"lock{json}": "v"}}, "key 'lock{json}'"),
        # a checksum's pattern
        (
            "CreateContactFlowVersion",
            {"ContactFlowId": "f", "FlowContentSha256": "xyz"},
            "FlowContentSha256",
        ),
    ],
)
def test_each_kind_of_constraint_is_found(
    operation: str, params: dict[str, Any], expected: str
) -> None:
    found = check(operation, InstanceId=INSTANCE, **params)
    assert any(expected in line for line in found), found
    assert all(line.startswith(operation + ".") for line in found)


def test_nested_structures_are_walked() -> None:
    criteria = {"StringCondition": {"FieldName": "name", "Value": "x", "ComparisonType": "NOPE"}}
    found = check("SearchContactFlows", InstanceId=INSTANCE, SearchCriteria=criteria)
    assert found == [
        "SearchContactFlows.SearchCriteria.StringCondition.ComparisonType: 'NOPE' is not one "
        "of STARTS_WITH, CONTAINS, EXACT"
    ]


def test_unicode_letters_are_allowed_in_tag_keys() -> None:
    assert check("TagResource", resourceArn="arn:x", tags={"équipe données": "x"}) == []


def test_a_valid_sha_passes() -> None:
    assert (
        check(
            "CreateContactFlowVersion",
            InstanceId=INSTANCE,
            ContactFlowId="f",
            FlowContentSha256=SHA,
        )
        == []
    )
