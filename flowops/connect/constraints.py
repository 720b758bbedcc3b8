"""The constraints of botocore's service model that botocore itself does not check.

botocore validates types and required members before it sends a request, and minimum
lengths of some members, but not ``max`` lengths, ``pattern`` s, enums or numeric
ranges: those are enforced by the service, so a request that breaks one fails only
against real AWS. :func:`violations` checks every input member of an operation against
all of them, recursively (structures, lists, maps' keys and values), so flowops can prove
that every call it makes fits the real limits (``ClientSettings.check_model``, on in the
test suite through ``FLOWOPS_CHECK_MODEL``).

Patterns are the service's (Java) regular expressions, matched in full; ``\\p{L}``,
``\\p{Z}`` and ``\\p{N}`` (Unicode letters, separators, digits), which Python's ``re`` lacks,
are approximated.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from typing import Any

#: Java Unicode classes used by Connect's patterns (tag keys), as Python classes: ``\\w``
#: is letters, digits and ``_``, a superset that only ever adds ``_``.
_UNICODE_CLASSES = {r"\p{L}": r"\w", r"\p{N}": r"\w", r"\p{Z}": r"\s"}


@functools.cache
def _compile(pattern: str) -> re.Pattern[str] | None:
    text = pattern
    for java, python in _UNICODE_CLASSES.items():
        text = text.replace(java, python)
    try:
        return re.compile(text, re.DOTALL)
    except re.error:  # a construct Python cannot read: not checked rather than guessed
        return None


def _length(value: Any) -> int | None:
    if isinstance(value, str | bytes | list | dict):
        return len(value)
    return None


def _check(shape: Any, value: Any, where: str) -> Iterator[str]:
    meta = shape.metadata
    kind = shape.type_name
    size = _length(value)
    if kind in ("string", "blob", "list", "map") and size is not None:
        if "min" in meta and size < int(meta["min"]):
            yield f"{where}: length {size} is below the minimum {meta['min']}"
        if "max" in meta and size > int(meta["max"]):
            yield f"{where}: length {size} is above the maximum {meta['max']}"
    if kind in ("integer", "long", "float", "double") and isinstance(value, int | float):
        if "min" in meta and value < meta["min"]:
            yield f"{where}: {value} is below the minimum {meta['min']}"
        if "max" in meta and value > meta["max"]:
            yield f"{where}: {value} is above the maximum {meta['max']}"
    if kind == "string" and isinstance(value, str):
        enum = getattr(shape, "enum", None) or []
        if enum and value not in enum:
            yield f"{where}: {value!r} is not one of {', '.join(enum)}"
        pattern = meta.get("pattern")
        compiled = _compile(pattern) if pattern else None
        if compiled is not None and compiled.fullmatch(value) is None:
            yield f"{where}: {_clip(value)!r} does not match the pattern {pattern}"
    if kind == "structure" and isinstance(value, Mapping):
        for name in shape.required_members:
            if name not in value:
                yield f"{where}.{name}: required"
        for name, member in shape.members.items():
            if name in value:
                yield from _check(member, value[name], f"{where}.{name}")
    elif kind == "list" and isinstance(value, list):
        for i, item in enumerate(value):
            yield from _check(shape.member, item, f"{where}[{i}]")
    elif kind == "map" and isinstance(value, Mapping):
        for key, item in value.items():
            yield from _check(shape.key, key, f"{where} key {_clip(str(key))!r}")
            yield from _check(shape.value, item, f"{where}[{_clip(str(key))!r}]")


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def violations(operation_model: Any, params: Mapping[str, Any]) -> list[str]:
    """Every model constraint ``params`` break for ``operation_model``'s input, as
    ``"<Operation>.<Member>: <why>"`` lines (empty when the request fits the model)."""
    shape = operation_model.input_shape
    if shape is None:
        return []
    return list(_check(shape, params, operation_model.name))
