"""The smallest valid contents: a flow that ends at once, a module that returns at once.

Promote fills cycle members with one until their targets exist, and the release ledger
is one with its records in ``Metadata``: neither may name any resource.
"""

from __future__ import annotations

from typing import Any, Literal

FLOW_LANGUAGE_VERSION = "2019-10-30"

#: Module ``Settings`` as the designer writes them: no parameters, Success and Error.
MODULE_SETTINGS: dict[str, Any] = {
    "InputParameters": [],
    "OutputParameters": [],
    "Transitions": [
        {"DisplayName": "Success", "ReferenceName": "Success", "Description": ""},
        {"DisplayName": "Error", "ReferenceName": "Error", "Description": ""},
    ],
}


def empty_content(kind: Literal["flow", "module"] | str) -> dict[str, Any]:
    """Content with one terminal action (DisconnectParticipant, EndFlowModuleExecution)."""
    terminal = "EndFlowModuleExecution" if kind == "module" else "DisconnectParticipant"
    content: dict[str, Any] = {
        "Version": FLOW_LANGUAGE_VERSION,
        "StartAction": "end",
        "Actions": [{"Identifier": "end", "Type": terminal, "Parameters": {}, "Transitions": {}}],
    }
    if kind == "module":
        content["Settings"] = MODULE_SETTINGS
    return content
