"""The sandbox answers a request that breaks botocore's model with the operation's error.

The walker is :func:`flowops.constraints.violations` (every constraint of the model on
every input member, plus Connect's documented tag value characters), shared with
flowops' client-side check. A violation answers the validation error the operation's
model lists (``InvalidParameterException``, else ``InvalidRequestException``, else
``ValidationException``), worded like AWS's ``N validation error(s) detected: ...``.
"""

from __future__ import annotations

import functools
from typing import Any

from flowops.constraints import DOCUMENTED_PATTERNS, compile_pattern, violations
from flowops.sandbox.protocol import CONNECT, SandboxError, service_model

__all__ = [
    "DOCUMENTED_PATTERNS",
    "check_input",
    "compile_pattern",
    "validation_error",
    "violations",
]

#: Validation error shapes, most specific first.
VALIDATION_ERRORS = ("InvalidParameterException", "InvalidRequestException", "ValidationException")


@functools.cache
def validation_error(operation: str, service: str = CONNECT) -> str:
    """The validation error shape ``operation``'s model lists."""
    listed = {e.name for e in service_model(service).operation_model(operation).error_shapes}
    for code in VALIDATION_ERRORS:
        if code in listed:
            return code
    return "ValidationException" if service != CONNECT else "InvalidParameterException"


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
