"""The branches of an action: what coverage counts and what the simulator takes.

A branch is ``success`` (NextAction), ``condition:<i>`` (the i-th condition, in order)
or ``error:<ErrorType>``. Actions that leave the flow on success (TransferContactToQueue,
TransferToFlow, ...) have a ``success`` branch with no target: exports keep a NextAction
there that only repeats an error target, and it is not a success edge. A
DistributeByPercentage's NextAction that repeats its default is not a branch of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from flowops.model.types import NO_MATCHING_CONDITION, Action

#: Actions whose success leaves the flow (the contact is queued or moves to another flow).
LEAVE_TYPES = frozenset(
    {"TransferContactToQueue", "TransferToFlow", "DequeueContactAndTransferToQueue"}
)

#: Actions that end the flow (or module) with no branch at all.
TERMINAL_TYPES = frozenset(
    {
        "DisconnectParticipant",
        "EndFlowExecution",
        "EndFlowModuleExecution",
        "TransferContactToAgent",
    }
)

#: Actions whose result is a value matched against their conditions; a NextAction that
#: repeats the default (NoMatchingCondition) target is the export's mirror of it.
VALUE_TYPES = frozenset(
    {
        "Compare",
        "CheckHoursOfOperation",
        "ConnectParticipantWithLexBot",
        "Loop",
        "DistributeByPercentage",
        "CheckMetricData",
        "Wait",
        "ShowView",
        "CheckVoiceId",
        "CheckOutboundCallStatus",
        "AuthenticateParticipant",
        "CheckSegmentMembershipForCustomerProfile",
        "MessageParticipantIteratively",
    }
)


@dataclass(frozen=True, slots=True)
class Branch:
    """One way out of an action."""

    key: str
    label: str
    target: str | None


def condition_label(operator: str, operands: tuple[object, ...]) -> str:
    shown = ", ".join(str(o) for o in operands)
    return f"{operator} {shown}" if operator != "Equals" else f"= {shown}"


def branches_of(action: Action) -> list[Branch]:
    """Every branch of an action, in the order Connect evaluates them."""
    if action.type in TERMINAL_TYPES:
        return []
    tr = action.transitions
    out: list[Branch] = []
    errors = tr.error_targets()
    if action.type in LEAVE_TYPES:
        out.append(Branch("success", "success (leaves the flow)", None))
    elif tr.next_action and not (
        action.type in VALUE_TYPES
        and NO_MATCHING_CONDITION in errors
        and errors[NO_MATCHING_CONDITION] == tr.next_action
    ):
        out.append(Branch("success", "success", tr.next_action))
    for i, cond in enumerate(tr.conditions):
        out.append(
            Branch(
                f"condition:{i}", condition_label(cond.operator, cond.operands), cond.next_action
            )
        )
    for error_type, target in errors.items():
        out.append(Branch(f"error:{error_type}", error_type, target))
    return out
