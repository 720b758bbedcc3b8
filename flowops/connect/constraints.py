"""The constraints of botocore's model that botocore itself does not check, client-side.

botocore validates types and required members before it sends a request, and minimum
lengths of some members, but not ``max`` lengths, ``pattern`` s, enums or numeric
ranges: the service enforces those, so a request that breaks one fails only against real
AWS. :func:`violations` checks every input member of an operation against all of them,
at any depth, with the very walker the sandbox answers with
(:func:`flowops.constraints.violations`: the model's constraints plus Connect's
documented tag value characters). ``ClientSettings.check_model`` runs it on every request
before it is sent; the test suite turns it on for every client (``FLOWOPS_CHECK_MODEL``),
so a call flowops makes that real Connect would refuse fails the test that made it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flowops.constraints import violations as walk


def violations(operation_model: Any, params: Mapping[str, Any]) -> list[str]:
    """Every constraint ``params`` break for ``operation_model``'s input, worded like AWS's
    validation errors and prefixed with the operation (empty when the request fits)."""
    shape = operation_model.input_shape
    if shape is None:
        return []
    name = operation_model.name
    found = walk(shape, dict(params), "")
    return [f"{name}: " + text.replace("at '.", "at '") for text in found]
