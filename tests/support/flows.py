"""Flow content and documents for tests, all built by :func:`tests.support.linear_flow`."""

from __future__ import annotations

import json
from typing import Any

from flowops.model import FlowDocument, FlowInfo, parse_content
from flowops.model.canonical import dump_document
from flowops.model.parse import document_from_data
from flowops.model.templates import MODULE_SETTINGS
from flowops.repo import flow_key
from flowops.simulate.world import FlowSet, flowset_from_documents
from tests.support import linear_flow


def flow_content(*, start: str = "hello", actions: list[dict[str, Any]] | None = None) -> str:
    """A small valid flow as Connect content: a message, then disconnect (or ``actions``)."""
    if actions is None:
        actions = linear_flow(
            ("hello", "MessageParticipant", {"Text": "Hello"}),
            ("bye", "DisconnectParticipant", {}),
        )["Actions"]
    return json.dumps({"Version": "2019-10-30", "StartAction": start, "Actions": actions})


def labelled_flow_content(label: str) -> str:
    """A small valid flow whose action ids and text carry ``label`` (many distinct flows)."""
    return json.dumps(
        linear_flow(
            (f"{label}-play", "MessageParticipant", {"Text": f"Hello from {label}"}),
            (f"{label}-end", "DisconnectParticipant", {}),
        )
    )


def module_content() -> str:
    """A small valid flow module as Connect content."""
    content = linear_flow(("end", "EndFlowModuleExecution", {}))
    content["Settings"] = {"InputParameters": [], "OutputParameters": [], "Transitions": []}
    return json.dumps(content)


def say_then_transfer(text: str, transfer_to: str | None = None) -> dict[str, Any]:
    """Content that says ``text``, then transfers to flow ``transfer_to`` (if any), then ends."""
    steps: list[tuple[str, str, dict[str, Any]]] = [("say", "MessageParticipant", {"Text": text})]
    if transfer_to:
        steps.append(("next", "TransferToFlow", {"ContactFlowId": f"flow:{transfer_to}"}))
    steps.append(("bye", "DisconnectParticipant", {}))
    return linear_flow(*steps)


def flow_text(
    name: str,
    *,
    queue: str | None = "queue:Support",
    transfer: str | None = None,
    module: str | None = None,
    text: str = "Hello",
    kind: str = "flow",
    description: str = "",
) -> str:
    """A small flow (or module) document in canonical form, with symbolic references."""
    steps: list[tuple[str, str, dict[str, Any]]] = [("hello", "MessageParticipant", {"Text": text})]
    if queue:
        steps.append(("queue", "UpdateContactTargetQueue", {"QueueId": queue}))
    if module:
        steps.append(("module", "InvokeFlowModule", {"FlowModuleId": module}))
    if transfer:
        steps.append(("transfer", "TransferToFlow", {"ContactFlowId": transfer}))
    end = "EndFlowModuleExecution" if kind == "module" else "DisconnectParticipant"
    steps.append(("end", end, {}))
    content = linear_flow(*steps)
    if kind == "module":
        content["Settings"] = MODULE_SETTINGS
    doc = {
        "flowops": 1,
        "name": name,
        "kind": kind,
        "type": "MODULE" if kind == "module" else "CONTACT_FLOW",
        "description": description,
        "state": "ACTIVE",
        "status": "PUBLISHED",
        "tags": {},
        "content": content,
        "layout": {"ActionMetadata": {"hello": {"position": {"x": 10, "y": 20}}}},
    }
    return dump_document(document_from_data(doc))


def flow_document(name: str, content: dict[str, Any]) -> FlowDocument:
    """A contact flow document named ``name`` holding ``content``."""
    return FlowDocument(FlowInfo(name=name), parse_content(content))


def document_text(
    name: str,
    content: dict[str, Any],
    *,
    flow_type: str = "CONTACT_FLOW",
    status: str = "PUBLISHED",
) -> str:
    """A contact flow document in canonical form holding ``content`` as it is."""
    doc = {
        "flowops": 1,
        "name": name,
        "kind": "flow",
        "type": flow_type,
        "state": "ACTIVE",
        "status": status,
        "tags": {},
        "content": content,
    }
    return dump_document(document_from_data(doc))


# --- raw flow-language actions, for the simulator's tests ---------------------------


def act(ident: str, typ: str, params: dict[str, Any] | None = None, **tr: Any) -> dict[str, Any]:
    """One action; ``nxt``, ``conds`` [(op, operand, target)], ``errs`` {type: target}."""
    transitions: dict[str, Any] = {}
    if "nxt" in tr:
        transitions["NextAction"] = tr["nxt"]
    if "conds" in tr:
        transitions["Conditions"] = [
            {"NextAction": t, "Condition": {"Operator": op, "Operands": [v]}}
            for op, v, t in tr["conds"]
        ]
    if "errs" in tr:
        transitions["Errors"] = [{"NextAction": t, "ErrorType": e} for e, t in tr["errs"].items()]
    return {
        "Identifier": ident,
        "Type": typ,
        "Parameters": params or {},
        "Transitions": transitions,
    }


def flowset_of(**named: list[dict[str, Any]]) -> FlowSet:
    """A FlowSet of raw flows named by keyword (``Main=[...]``); ``mod_`` names are modules."""
    docs = {}
    for name, actions in named.items():
        content: dict[str, Any] = {
            "Version": "2019-10-30",
            "StartAction": actions[0]["Identifier"],
            "Actions": actions,
            "Metadata": {"name": name.removeprefix("mod_")},
        }
        if name.startswith("mod_"):
            content["Settings"] = {"InputParameters": [], "OutputParameters": [], "Transitions": []}
        doc = document_from_data(content, source=f"{name}.json")
        docs[flow_key(doc.info)] = doc
    return flowset_from_documents(docs)


BYE = act("bye", "DisconnectParticipant")


def SAY(ident: str, text: str, nxt: str = "bye") -> dict[str, Any]:  # noqa: N802
    """A message, then ``nxt`` (its error goes to ``bye``)."""
    return act(
        ident, "MessageParticipant", {"Text": text}, nxt=nxt, errs={"NoMatchingError": "bye"}
    )
