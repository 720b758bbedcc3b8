"""Every constraint of botocore's model on an operation's input, as one walker.

Walks an input shape next to the params: ``required`` members (at any depth),
``min``/``max`` (string length, list and map size, numeric range), ``pattern`` and ``enum``,
plus :data:`DOCUMENTED_PATTERNS`, rules Connect documents outside the model. The sandbox
answers a violation with the operation's validation error
(:mod:`flowops.sandbox.constraints`); flowops' client refuses, before sending, a request
that breaks one (:mod:`flowops.connect.constraints`). The messages are worded like AWS's.

The model's patterns are Java regular expressions, matched against the whole value; they
are compiled with the ``regex`` package (``\\p{L}`` and friends) after undoing the doubled
backslashes some of them carry in botocore's JSON (``\\\\+[1-9]\\\\d{1,14}$`` for phone
numbers).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import regex

#: Constraints Connect documents outside the model, by shape name: tag values hold only
#: letters, digits, white space and ``_ . : / = + - @`` (the Connect CloudFormation
#: reference, "Tag" of AWS::Connect resources; the same class as the model's TagKey).
DOCUMENTED_PATTERNS = {"TagValue": r"^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$"}


@functools.cache
def compile_pattern(pattern: str) -> Any:
    """A model pattern as a compiled ``regex`` (doubled backslashes undone)."""
    return regex.compile(pattern.replace("\\\\", "\\"))


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
