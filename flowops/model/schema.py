"""The JSON Schemas shipped with flowops, and validation that names where a file is wrong.

jsonschema is imported on first use: files that pass ``flowops.model.quickcheck`` (every
valid file) never need it, and its import costs more than linting a flow.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

FLOW_LANGUAGE_SCHEMA = "flow-language.schema.json"
DOCUMENT_SCHEMA = "document.schema.json"


@cache
def load_schema(name: str) -> dict[str, Any]:
    """A schema file shipped in ``flowops.model``."""
    text = resources.files("flowops.model").joinpath(name).read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@cache
def _validator(name: str) -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(load_schema(name))


def json_path(parts: Iterable[Any]) -> str:
    """``["Actions", 3, "Type"]`` -> ``$.Actions[3].Type``."""
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def first_error(schema_name: str, instance: Mapping[str, Any]) -> ValidationError | None:
    """The most relevant schema violation, or None when the instance conforms."""
    validator = _validator(schema_name)
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.path)))
    if not errors:
        return None
    return errors[0]
