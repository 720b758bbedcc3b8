"""The sandbox enforces every constraint of botocore's model: a walk over the input shapes of
every operation it serves builds, for each constraint found, a value that breaks it and
checks that the operation answers the validation error its model lists, naming the member.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from flowops.sandbox.backend.operations import SUPPORTED_OPERATIONS
from flowops.sandbox.constraints import check_input, compile_pattern, validation_error
from flowops.sandbox.lex import LEX_OPERATIONS
from flowops.sandbox.protocol import CONNECT, LEX_MODELS, SandboxError, service_model

#: Candidate strings for breaking a pattern (the first one that fails it and fits the
#: member's length is used).
NON_MATCHING = ["", " ", "!", '{"a": 1}', "aws:x", "\t\n", "Z" * 70, "not a uuid"]


def _breakers(shape: Any) -> Iterator[tuple[str, Any]]:
    """(constraint kind, a value of ``shape`` that breaks it) for each constraint."""
    meta = shape.metadata
    kind = shape.type_name
    if kind == "string":
        if meta.get("min", 0) > 0:
            yield "min", "x" * (meta["min"] - 1)
        if "max" in meta:
            yield "max", "x" * (meta["max"] + 1)
        if "enum" in meta:
            yield "enum", "NOT_" + meta["enum"][0] + "_AT_ALL"
        if "pattern" in meta:
            low, high = meta.get("min", 0), meta.get("max", 10**6)
            regex = compile_pattern(meta["pattern"])
            candidates = [*NON_MATCHING, "!" * max(low, 1)]
            bad = [s for s in candidates if low <= len(s) <= high and not regex.fullmatch(s)]
            assert bad, f"no candidate breaks {meta['pattern']!r}"
            yield "pattern", bad[0]
    elif kind in ("integer", "long"):
        if "min" in meta:
            yield "range", meta["min"] - 1
        if "max" in meta:
            yield "range", meta["max"] + 1
    elif kind == "list":
        if meta.get("min", 0) > 0:
            yield "list length", []
        if "max" in meta:
            yield "list length", [None] * (meta["max"] + 1)
    elif kind == "map":
        if meta.get("min", 0) > 0:
            yield "map size", {}


def _cases(service: str, operations: frozenset[str]) -> Iterator[tuple[str, str, str, Any]]:
    """(operation, member, constraint kind, params) for every constrained input member."""
    model = service_model(service)
    for operation in sorted(operations):
        shape = model.operation_model(operation).input_shape
        if shape is None:
            continue
        for name, member in shape.members.items():
            if name in shape.required_members:
                yield operation, name, "required", {}
            for kind, value in _breakers(member):
                yield operation, name, kind, {name: value}


CASES = list(_cases(CONNECT, SUPPORTED_OPERATIONS)) + list(_cases(LEX_MODELS, LEX_OPERATIONS))


def test_the_walk_covers_every_kind_of_constraint() -> None:
    kinds = Counter(kind for _, _, kind, _ in CASES)
    assert set(kinds) == {
        "required",
        "min",
        "max",
        "pattern",
        "enum",
        "range",
        "list length",
        "map size",
    }
    assert len(CASES) > 150


@pytest.mark.parametrize(("operation", "member", "kind", "params"), CASES)
def test_each_constraint_is_enforced(operation: str, member: str, kind: str, params: Any) -> None:
    service = LEX_MODELS if operation in LEX_OPERATIONS else CONNECT
    with pytest.raises(SandboxError) as info:
        check_input(operation, params, service)
    error = info.value
    assert error.code == validation_error(operation, service)
    listed = {e.name for e in service_model(service).operation_model(operation).error_shapes}
    assert error.code in listed
    assert f"at '{member}" in error.message and "validation error" in error.message


def test_nested_members_are_checked_too() -> None:
    # TagValue has no pattern in the model; Connect documents the allowed characters.
    with pytest.raises(SandboxError, match=r"at 'Tags\.lock\.value'.*pattern"):
        check_input("CreateContactFlowModule", _module(Tags={"lock": '{"holder": "x"}'}))
    with pytest.raises(SandboxError, match=r"at 'Tags\.k\.value'.*less than or equal to 256"):
        check_input("CreateContactFlowModule", _module(Tags={"k": "x" * 257}))
    with pytest.raises(SandboxError, match=r"LexBot\.LexRegion' .*not be null"):
        check_input("AssociateBot", {"InstanceId": INSTANCE, "LexBot": {"Name": "b"}})
    check_input("CreateContactFlowModule", _module(Tags={"lock": "holder=ana@ci:1 / ok"}))


def test_doubled_backslashes_in_model_patterns_are_undone() -> None:
    phone = service_model().shape_for("PhoneNumber").metadata["pattern"]
    assert compile_pattern(phone).fullmatch("+12065550100")
    assert not compile_pattern(phone).fullmatch("12065550100x")


INSTANCE = "6f9f5b8e-4a67-5f3c-9d3e-0a1b2c3d4e5f"


def _module(**extra: Any) -> dict[str, Any]:
    return {"InstanceId": INSTANCE, "Name": "M", "Content": "{}"} | extra
