"""The generated canary wrapper: a flow that splits contacts between two variants.

The wrapper replaces the entry flow's content while a canary runs, so the entry flow
keeps its name, id and phone numbers. Its shape follows how Connect really encodes
``DistributeByPercentage`` (see ``shared/reference/flow-language.md`` section 5): the
runtime draws an integer 1..100 and the first condition ``NumberLessThan P+1`` matches
exactly P values; everything else takes the ``NoMatchingCondition`` default. Every
fallible action has its errors wired, and each path tags the contact with the variant it
took, so contact records and Contact Lens can compare the two:

    split --P%--> mark candidate --> transfer to candidate --error--> mark fallback
      \\                                                                 |
       `-(100-P)%--> mark stable --> transfer to stable <---------------'
                                            |error
                                            v
                                       apology --> disconnect

Pure: no I/O. The flow references are passed in as Connect would see them (ARNs when
deploying live, symbolic ``flow:<name>`` references when writing files for a PR).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flowops.errors import BadInputError
from flowops.layout import layout_content
from flowops.model.types import NO_MATCHING_CONDITION, NO_MATCHING_ERROR

#: Contact attribute telling which variant a contact took: candidate | stable | fallback.
VARIANT_ATTRIBUTE = "flowops_canary_variant"
#: Contact attribute naming the candidate's git reference (what is being measured).
REF_ATTRIBUTE = "flowops_canary_ref"

MIN_PERCENT = 1
MAX_PERCENT = 99

#: Action identifiers of the wrapper (readable, stable across ramps: a ramp only
#: changes one operand, which keeps ``flowops diff`` of two wrappers to one line).
SPLIT = "canary-split"
MARK_CANDIDATE = "canary-mark-candidate"
TO_CANDIDATE = "canary-to-candidate"
MARK_FALLBACK = "canary-mark-fallback"
MARK_STABLE = "canary-mark-stable"
TO_STABLE = "canary-to-stable"
APOLOGY = "canary-apology"
DISCONNECT = "canary-disconnect"

APOLOGY_TEXT = "We are sorry, we cannot take your call right now. Please try again later."

#: Flow types a wrapper can stand in for: it transfers to a flow and may disconnect,
#: which Connect allows only in inbound contact flows.
SUPPORTED_TYPES = frozenset({"CONTACT_FLOW"})


def check_percent(percent: int) -> int:
    """Return ``percent`` if a canary can send it to the candidate, else bad input.

    0 and 100 are not canaries: 0 is ``abort`` and 100 is ``promote``.
    """
    if isinstance(percent, bool) or not isinstance(percent, int):
        raise BadInputError(f"canary percent must be a whole number, got {percent!r}")
    if not MIN_PERCENT <= percent <= MAX_PERCENT:
        raise BadInputError(
            f"canary percent must be between {MIN_PERCENT} and {MAX_PERCENT}, got {percent} "
            "(use `flowops canary promote` for 100 and `flowops canary abort` for 0)"
        )
    return percent


@dataclass(frozen=True)
class WrapperSpec:
    """What a wrapper needs: where each variant lives and how much the candidate gets."""

    entry_name: str
    stable_flow: str
    candidate_flow: str
    percent: int
    ref: str = ""
    stable_label: str = "stable"
    candidate_label: str = "candidate"


def _mark(identifier: str, variant: str, ref: str, next_action: str) -> dict[str, Any]:
    attributes = {VARIANT_ATTRIBUTE: variant}
    if ref:
        attributes[REF_ATTRIBUTE] = ref
    return {
        "Identifier": identifier,
        "Type": "UpdateContactAttributes",
        "Parameters": {"Attributes": attributes, "TargetContact": "Current"},
        # Failing to tag the contact must never stop it from being routed.
        "Transitions": {
            "NextAction": next_action,
            "Errors": [{"NextAction": next_action, "ErrorType": NO_MATCHING_ERROR}],
        },
    }


def _transfer(identifier: str, flow: str, on_error: str) -> dict[str, Any]:
    # TransferToFlow leaves the flow on success; exports keep NextAction = error target.
    return {
        "Identifier": identifier,
        "Type": "TransferToFlow",
        "Parameters": {"ContactFlowId": flow},
        "Transitions": {
            "NextAction": on_error,
            "Errors": [{"NextAction": on_error, "ErrorType": NO_MATCHING_ERROR}],
        },
    }


def threshold(percent: int) -> str:
    """The ``NumberLessThan`` operand sending ``percent`` % of draws (1..100)."""
    return str(check_percent(percent) + 1)


def percent_from_threshold(operand: str) -> int:
    """Inverse of ``threshold``: what share a ``NumberLessThan`` operand sends."""
    return int(operand) - 1


def _layout(spec: WrapperSpec) -> dict[str, Any]:
    """Display mirrors; ``wrapper_content`` adds the positions (``flowops.layout``)."""
    meta: dict[str, Any] = {
        ident: {"isFriendlyName": True}
        for ident in (SPLIT, MARK_CANDIDATE, TO_CANDIDATE, MARK_FALLBACK)
        + (MARK_STABLE, TO_STABLE, APOLOGY, DISCONNECT)
    }
    meta[SPLIT]["conditionMetadata"] = [
        {
            "id": f"{SPLIT}-candidate",
            "name": spec.candidate_label,
            "percent": {"value": spec.percent, "display": f"{spec.percent}%"},
            "value": str(spec.percent),
        }
    ]
    return {
        "entryPointPosition": {"x": 40, "y": 200},
        "snapToGrid": False,
        "ActionMetadata": meta,
        "Annotations": [],
        "description": (
            f"flowops canary of {spec.entry_name}: {spec.percent}% to {spec.candidate_label}, "
            f"{100 - spec.percent}% to {spec.stable_label}"
        ),
    }


def wrapper_content(spec: WrapperSpec) -> dict[str, Any]:
    """Flow-language content of the canary wrapper described by ``spec``."""
    operand = threshold(spec.percent)
    actions: list[dict[str, Any]] = [
        {
            "Identifier": SPLIT,
            "Type": "DistributeByPercentage",
            "Parameters": {},
            "Transitions": {
                "Conditions": [
                    {
                        "NextAction": MARK_CANDIDATE,
                        "Condition": {"Operator": "NumberLessThan", "Operands": [operand]},
                    }
                ],
                "Errors": [{"NextAction": MARK_STABLE, "ErrorType": NO_MATCHING_CONDITION}],
            },
        },
        _mark(MARK_CANDIDATE, "candidate", spec.ref, TO_CANDIDATE),
        _transfer(TO_CANDIDATE, spec.candidate_flow, MARK_FALLBACK),
        _mark(MARK_FALLBACK, "fallback", spec.ref, TO_STABLE),
        _mark(MARK_STABLE, "stable", spec.ref, TO_STABLE),
        _transfer(TO_STABLE, spec.stable_flow, APOLOGY),
        {
            "Identifier": APOLOGY,
            "Type": "MessageParticipant",
            "Parameters": {"Text": APOLOGY_TEXT},
            "Transitions": {
                "NextAction": DISCONNECT,
                "Errors": [{"NextAction": DISCONNECT, "ErrorType": NO_MATCHING_ERROR}],
            },
        },
        {
            "Identifier": DISCONNECT,
            "Type": "DisconnectParticipant",
            "Parameters": {},
            "Transitions": {},
        },
    ]
    return layout_content(
        {
            "Version": "2019-10-30",
            "StartAction": SPLIT,
            "Actions": actions,
            "Metadata": _layout(spec),
        }
    )


def wrapper_percent(content: Any) -> int | None:
    """The candidate share of a wrapper's content, or None when it is not a wrapper."""
    if not isinstance(content, dict):
        return None
    for action in content.get("Actions") or ():
        if isinstance(action, dict) and action.get("Identifier") == SPLIT:
            conditions = (action.get("Transitions") or {}).get("Conditions") or ()
            for cond in conditions:
                operands = (cond.get("Condition") or {}).get("Operands") or ()
                if cond.get("NextAction") == MARK_CANDIDATE and operands:
                    try:
                        return percent_from_threshold(str(operands[0]))
                    except ValueError:
                        return None
    return None


def variant_targets(content: Any) -> dict[str, str]:
    """``{"candidate": flow, "stable": flow}`` as the wrapper's transfers name them."""
    out: dict[str, str] = {}
    wanted = {TO_CANDIDATE: "candidate", TO_STABLE: "stable"}
    if not isinstance(content, dict):
        return out
    for action in content.get("Actions") or ():
        if isinstance(action, dict) and action.get("Identifier") in wanted:
            flow = (action.get("Parameters") or {}).get("ContactFlowId")
            if isinstance(flow, str):
                out[wanted[action["Identifier"]]] = flow
    return out


#: Helper flow roles, and how their names derive from the entry flow's name.
ROLES = ("stable", "candidate")
_NAME_MAX = 127


def helper_name(entry_name: str, role: str) -> str:
    """``Main IVR (canary stable)``: the helper flow holding one variant of a canary.

    Connect flow names are at most 127 characters; a long entry name is shortened so
    the suffix, which is what identifies the helper, is always kept.
    """
    suffix = f" (canary {role})"
    return entry_name[: _NAME_MAX - len(suffix)] + suffix
