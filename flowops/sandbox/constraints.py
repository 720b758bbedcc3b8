"""Every constraint of botocore's model, enforced on every input member of an operation.

Walks the operation's input shape next to the params: ``required`` members (at any depth),
``min``/``max`` (string length, list and map size, numeric range), ``pattern`` and ``enum``.
Nothing is hand-listed except :data:`DOCUMENTED_PATTERNS`, rules Connect documents outside
the model. A violation answers the validation error the operation's model lists
(``InvalidParameterException``, else ``InvalidRequestException``, else
``ValidationException``), worded like AWS's ``N validation error(s) detected: ...``.

The model's patterns are Java regular expressions, matched against the whole value; they
are compiled with the ``regex`` package (``\\p{L}`` and friends) after undoing the doubled
backslashes some of them carry in botocore's JSON (``\\\\+[1-9]\\\\d{1,14}$`` for phone numbers).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import regex

from flowops.sandbox.protocol import CONNECT, SandboxError, service_model

#: Constraints Connect documents outside the model, by shape name: tag values hold only
#: letters, digits, white space and ``_ . : / = + - @`` (the Connect CloudFormation
#: reference, "Tag" of AWS::Connect resources; the same class as the model's TagKey).
DOCUMENTED_PATTERNS = {"TagValue": r"^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$"}

#: Validation error shapes, most specific first.
VALIDATION_ERRORS = ("InvalidParameterException", "InvalidRequestException", "ValidationException")


@functools.cache
def compile_pattern(pattern: str) -> Any:
    """A model pattern as a compiled ``regex`` (doubled backslashes undone)."""
    return regex.compile(pattern.replace("\\\\", "\\"))


@functools.cache
def validation_error(operation: str, service: str = CONNECT) -> str:
    """The validation error shape ``operation``'s model lists."""
    listed = {e.name for e in service_model(service).operation_model(operation).error_shapes}
    for code in VALIDATION_ERRORS:
        if code in listed:
            return code
    return "ValidationException" if service != CONNECT else "InvalidParameterException"


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def violations(shape: Any, value: Any, path: str) -> Iterator[str]:
    """Every constraint of ``shape`` that ``value`` (found at ``path``) breaks."""
    meta = shape.metadata
    kind = shape.type_name
    where = f"Value {_show(value)} at '{path}' failed to satisfy constraint: Member must"
    if kind in ("string", "blob", "list", "map"):
        size = len(value) if isinstance(value, str | bytes | list | dict) else None
        noun = "length" if kind in ("string", "blob") else "size"
        if size is not None and "min" in meta and size < meta["min"]:
            yield f"{where} have {noun} greater than or equal to {meta['min']}"
        if size is not None and "max" in meta and size > meta["max"]:
            yield f"{where} have {noun} less than or equal to {meta['max']}"
    if kind in ("integer", "long", "float", "double") and isinstance(value, int | float):
        if "min" in meta and value < meta["min"]:
            yield f"{where} have value greater than or equal to {meta['min']}"
        if "max" in meta and value > meta["max"]:
            yield f"{where} have value less than or equal to {meta['max']}"
    if kind == "string" and isinstance(value, str):
        if "enum" in meta and value not in meta["enum"]:
            yield f"{where} satisfy enum value set: [{', '.join(meta['enum'])}]"
        for pattern in (meta.get("pattern"), DOCUMENTED_PATTERNS.get(shape.name)):
            if pattern and compile_pattern(pattern).fullmatch(value) is None:
                yield f"{where} satisfy regular expression pattern: {pattern}"
    if kind == "structure" and isinstance(value, dict):
        for name in shape.required_members:
            if value.get(name) is None:
                yield (
                    f"Value null at '{path}.{name}' failed to satisfy constraint: "
                    "Member must not be null"
                )
        for name, member in shape.members.items():
            if value.get(name) is not None:
                yield from violations(member, value[name], f"{path}.{name}")
    elif kind == "list" and isinstance(value, list):
        for index, item in enumerate(value):
            yield from violations(shape.member, item, f"{path}.{index + 1}.member")
    elif kind == "map" and isinstance(value, dict):
        for key, item in value.items():
            yield from violations(shape.key, key, f"{path}.{key}.key")
            yield from violations(shape.value, item, f"{path}.{key}.value")


def check_input(operation: str, params: dict[str, Any], service: str = CONNECT) -> None:
    """Raise the operation's validation error when ``params`` break its model."""
    shape = service_model(service).operation_model(operation).input_shape
    if shape is None:
        return
    found = [text.replace("at '.", "at '") for text in violations(shape, params, "")]
    if found:
        noun = "error" if len(found) == 1 else "errors"
        message = f"{len(found)} validation {noun} detected: " + "; ".join(found)
        raise SandboxError(validation_error(operation, service), message)
