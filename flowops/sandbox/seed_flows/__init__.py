"""The dev account's seed flows and modules, as Python data in the flow language.

Each definition lists actions by a readable label; :func:`build` turns labels into stable
UUID identifiers, adds designer ``Metadata`` (positions, queue/flow/hours display names) the
way real exports have it, and leaves resource references as ``{{kind:Name}}`` tokens that
the seed replaces with the ARNs (or module ids) of the account being seeded.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

NAMESPACE = uuid.UUID("6f1e0c1a-4c55-4f0e-9a8e-2f6b7c1d9e01")


def ref(kind: str, name: str) -> str:
    """A token the seed replaces with the ARN (or id) of a resource of the seeded account."""
    return "{{" + f"{kind}:{name}" + "}}"


@dataclass
class Step:
    """One action, by label; ``next``/``errors``/``conditions`` name other labels."""

    label: str
    type: str
    parameters: dict[str, Any] | None = field(default_factory=dict)
    next: str | None = None
    errors: list[tuple[str, str]] = field(default_factory=list)
    conditions: list[tuple[str, str, str]] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class SeedFlow:
    """A flow or module to seed."""

    name: str
    type: str  # a contact flow type, or "MODULE"
    description: str
    steps: list[Step]

    def identifier(self, label: str) -> str:
        """The stable action identifier of ``label``."""
        return str(uuid.uuid5(NAMESPACE, f"{self.name}/{label}"))

    def build(self) -> dict[str, Any]:
        """The flow-language document (with ``{{kind:Name}}`` tokens)."""
        actions = []
        action_meta: dict[str, Any] = {}
        for index, step in enumerate(self.steps):
            ident = self.identifier(step.label)
            transitions: dict[str, Any] = {}
            if step.next or step.errors or step.conditions:
                transitions = {
                    "NextAction": self.identifier(step.next) if step.next else "",
                    "Errors": [
                        {"NextAction": self.identifier(target), "ErrorType": error}
                        for error, target in step.errors
                    ],
                    "Conditions": [
                        {
                            "NextAction": self.identifier(target),
                            "Condition": {"Operator": op, "Operands": [operand]},
                        }
                        for op, operand, target in step.conditions
                    ],
                }
                if not step.next:
                    del transitions["NextAction"]
            action: dict[str, Any] = {
                "Identifier": ident,
                "Type": step.type,
                "Parameters": step.parameters or {},
                "Transitions": transitions,
            }
            actions.append(action)
            column, row = index % 5, index // 5
            meta = {"position": {"x": 160 + 260 * column, "y": 40 + 220 * row + 30 * (column % 2)}}
            meta.update(step.meta)
            action_meta[ident] = meta
        doc: dict[str, Any] = {
            "Version": "2019-10-30",
            "StartAction": self.identifier(self.steps[0].label),
            "Metadata": {
                "entryPointPosition": {"x": 40, "y": 40},
                "snapToGrid": False,
                "ActionMetadata": action_meta,
                "name": self.name,
                "description": self.description,
                "type": "contactFlowModule" if self.type == "MODULE" else _designer_type(self.type),
                "status": "published",
            },
            "Actions": actions,
        }
        if self.type == "MODULE":
            doc["Settings"] = {
                "InputParameters": [],
                "OutputParameters": [],
                "Transitions": [
                    {"DisplayName": "Success", "ReferenceName": "Success", "Description": ""},
                    {"DisplayName": "Error", "ReferenceName": "Error", "Description": ""},
                ],
            }
        return doc

    def content(self) -> str:
        """The document as Connect stores it (JSON text, tokens unresolved)."""
        return json.dumps(self.build(), separators=(",", ":"))


def _designer_type(flow_type: str) -> str:
    parts = flow_type.lower().split("_")
    return parts[0] + "".join(p.title() for p in parts[1:])


def _queue_meta(name: str) -> dict[str, Any]:
    return {"queue": {"id": ref("queue", name), "text": name}, "useDynamic": False}


def _menu(option: str, queue: str) -> list[Step]:
    return [
        Step(
            f"set-{queue}",
            "UpdateContactTargetQueue",
            {"QueueId": ref("queue", queue)},
            next=f"transfer-{queue}",
            errors=[("NoMatchingError", "error-message")],
            meta=_queue_meta(queue),
        ),
        Step(
            f"transfer-{queue}",
            "TransferContactToQueue",
            None,
            next="queue-full",
            errors=[("QueueAtCapacity", "queue-full"), ("NoMatchingError", "error-message")],
        ),
    ]


MODULES: list[SeedFlow] = [
    SeedFlow(
        "Authenticate Caller",
        "MODULE",
        "Looks the caller up by phone number and sets customer attributes.",
        [
            Step(
                "lookup",
                "InvokeLambdaFunction",
                {
                    "LambdaFunctionARN": ref("lambda", "lookup-customer"),
                    "InvocationTimeLimitSeconds": "3",
                    "ResponseValidation": {"ResponseType": "STRING_MAP"},
                },
                next="store",
                errors=[("NoMatchingError", "failed")],
            ),
            Step(
                "store",
                "UpdateContactAttributes",
                {
                    "Attributes": {
                        "customerName": "$.External.name",
                        "customerTier": "$.External.tier",
                    },
                    "TargetContact": "Current",
                },
                next="done",
                errors=[("NoMatchingError", "failed")],
            ),
            Step("done", "EndFlowModuleExecution", {}),
            Step("failed", "EndFlowModuleExecution", {}),
        ],
    ),
    SeedFlow(
        "Log Interaction",
        "MODULE",
        "Writes the contact's routing decision to the interaction log.",
        [
            Step(
                "log",
                "InvokeLambdaFunction",
                {
                    "LambdaFunctionARN": ref("lambda", "log-interaction"),
                    "InvocationTimeLimitSeconds": "2",
                    "LambdaInvocationAttributes": {"queue": "$.Queue.Name"},
                },
                next="done",
                errors=[("NoMatchingError", "done")],
            ),
            Step("done", "EndFlowModuleExecution", {}),
        ],
    ),
]

FLOWS: list[SeedFlow] = [
    SeedFlow(
        "Customer Queue",
        "CUSTOMER_QUEUE",
        "Hold music and an apology while the caller waits in queue.",
        [
            Step(
                "loop-prompts",
                "MessageParticipantIteratively",
                {
                    "Messages": [
                        {"PromptId": ref("prompt", "Please Hold")},
                        {"PromptId": ref("prompt", "Hold Music")},
                    ],
                    "InterruptFrequencySeconds": "60",
                },
                conditions=[("Equals", "MessagesInterrupted", "still-waiting")],
                errors=[("NoMatchingError", "end")],
            ),
            Step(
                "still-waiting",
                "MessageParticipant",
                {"Text": "Thank you for waiting. Your call is important to us."},
                next="loop-prompts",
                errors=[("NoMatchingError", "end")],
            ),
            Step("end", "EndFlowExecution", {}),
        ],
    ),
    SeedFlow(
        "Agent Whisper",
        "AGENT_WHISPER",
        "Tells the agent who is calling before the call connects.",
        [
            Step(
                "whisper",
                "MessageParticipant",
                {
                    "Text": (
                        "Incoming call from $.Attributes.customerName, "
                        "tier $.Attributes.customerTier."
                    )
                },
                next="end",
                errors=[("NoMatchingError", "end")],
            ),
            Step("end", "EndFlowExecution", {}),
        ],
    ),
    SeedFlow(
        "Customer Hold",
        "CUSTOMER_HOLD",
        "Hold music while the agent has the caller on hold.",
        [
            Step(
                "music",
                "MessageParticipantIteratively",
                {"Messages": [{"PromptId": ref("prompt", "Hold Music")}]},
                errors=[("NoMatchingError", "end")],
            ),
            Step("end", "EndFlowExecution", {}),
        ],
    ),
    SeedFlow(
        "After Hours",
        "CONTACT_FLOW",
        "Plays the closed message and offers a callback.",
        [
            Step(
                "closed",
                "MessageParticipant",
                {"PromptId": ref("prompt", "Closed")},
                next="offer-callback",
                errors=[("NoMatchingError", "goodbye")],
                meta={"promptName": "Closed"},
            ),
            Step(
                "offer-callback",
                "GetParticipantInput",
                {
                    "Text": "Press 1 to request a callback tomorrow.",
                    "StoreInput": "False",
                    "InputTimeLimitSeconds": "5",
                },
                conditions=[("Equals", "1", "callback")],
                errors=[
                    ("NoMatchingCondition", "goodbye"),
                    ("InputTimeLimitExceeded", "goodbye"),
                    ("NoMatchingError", "goodbye"),
                ],
            ),
            Step(
                "callback",
                "TransferToFlow",
                {"ContactFlowId": ref("flow", "Callback Request")},
                next="goodbye",
                errors=[("NoMatchingError", "goodbye")],
                meta={
                    "ContactFlow": {
                        "id": ref("flow", "Callback Request"),
                        "text": "Callback Request",
                    }
                },
            ),
            Step("goodbye", "DisconnectParticipant", {}),
        ],
    ),
    SeedFlow(
        "Callback Request",
        "CONTACT_FLOW",
        "Queues a callback to the Support queue.",
        [
            Step(
                "set-number",
                "UpdateContactCallbackNumber",
                {"CallbackNumber": "$.CustomerEndpoint.Address"},
                next="create-callback",
                errors=[
                    ("InvalidCallbackNumber", "sorry"),
                    ("CallbackNumberNotDialable", "sorry"),
                ],
            ),
            Step(
                "create-callback",
                "CreateCallbackContact",
                {
                    "QueueId": ref("queue", "Support"),
                    "InitialCallDelaySeconds": "900",
                    "MaximumConnectionAttempts": "2",
                    "RetryDelaySeconds": "600",
                },
                next="confirmed",
                errors=[("NoMatchingError", "sorry")],
                meta=_queue_meta("Support"),
            ),
            Step(
                "confirmed",
                "MessageParticipant",
                {"Text": "We will call you back. Goodbye."},
                next="bye",
                errors=[("NoMatchingError", "bye")],
            ),
            Step(
                "sorry",
                "MessageParticipant",
                {"Text": "Sorry, we could not schedule a callback."},
                next="bye",
                errors=[("NoMatchingError", "bye")],
            ),
            Step("bye", "DisconnectParticipant", {}),
        ],
    ),
    SeedFlow(
        "Billing Self Service",
        "CONTACT_FLOW",
        "Lex bot for balance questions, falling back to the Billing queue.",
        [
            Step(
                "bot",
                "ConnectParticipantWithLexBot",
                {
                    "Text": "Ask me about your balance, or say agent.",
                    "LexV2Bot": {"AliasArn": ref("lex", "CustomerServiceBot")},
                },
                conditions=[
                    ("Equals", "CheckBalance", "balance"),
                    ("Equals", "TalkToAgent", "set-Billing"),
                ],
                errors=[
                    ("NoMatchingCondition", "set-Billing"),
                    ("NoMatchingError", "set-Billing"),
                ],
                meta={"lexV2BotName": "CustomerServiceBot"},
            ),
            Step(
                "balance",
                "InvokeLambdaFunction",
                {
                    "LambdaFunctionARN": ref("lambda", "check-balance"),
                    "InvocationTimeLimitSeconds": "3",
                },
                next="say-balance",
                errors=[("NoMatchingError", "set-Billing")],
            ),
            Step(
                "say-balance",
                "MessageParticipant",
                {"Text": "Your balance is $.External.balance dollars."},
                next="bye",
                errors=[("NoMatchingError", "bye")],
            ),
            *_menu("", "Billing"),
            Step(
                "queue-full",
                "MessageParticipant",
                {"Text": "All agents are busy."},
                next="bye",
                errors=[("NoMatchingError", "bye")],
            ),
            Step(
                "error-message",
                "MessageParticipant",
                {"Text": "Sorry, something went wrong."},
                next="bye",
                errors=[("NoMatchingError", "bye")],
            ),
            Step("bye", "DisconnectParticipant", {}),
        ],
    ),
    SeedFlow(
        "Main Inbound",
        "CONTACT_FLOW",
        "Main number: authenticate, check hours, menu to Sales, Support or Billing.",
        [
            Step(
                "logging",
                "UpdateFlowLoggingBehavior",
                {"FlowLoggingBehavior": "Enabled"},
                next="voice",
            ),
            Step(
                "voice",
                "UpdateContactTextToSpeechVoice",
                {"TextToSpeechVoice": "Joanna", "TextToSpeechEngine": "Neural"},
                next="hooks",
                errors=[("NoMatchingError", "hooks")],
            ),
            Step(
                "hooks",
                "UpdateContactEventHooks",
                {"EventHooks": {"CustomerQueue": ref("flow", "Customer Queue")}},
                next="whisper",
                errors=[("NoMatchingError", "error-message")],
                meta={
                    "contactFlow": {"id": ref("flow", "Customer Queue"), "text": "Customer Queue"}
                },
            ),
            Step(
                "whisper",
                "UpdateContactEventHooks",
                {"EventHooks": {"AgentWhisper": ref("flow", "Agent Whisper")}},
                next="hold",
                errors=[("NoMatchingError", "error-message")],
            ),
            Step(
                "hold",
                "UpdateContactEventHooks",
                {"EventHooks": {"CustomerHold": ref("flow", "Customer Hold")}},
                next="welcome",
                errors=[("NoMatchingError", "error-message")],
            ),
            Step(
                "welcome",
                "MessageParticipant",
                {"PromptId": ref("prompt", "Welcome")},
                next="authenticate",
                errors=[("NoMatchingError", "authenticate")],
                meta={"promptName": "Welcome"},
            ),
            Step(
                "authenticate",
                "InvokeFlowModule",
                {"FlowModuleId": ref("module-id", "Authenticate Caller")},
                next="hours",
                errors=[("NoMatchingError", "hours")],
            ),
            Step(
                "hours",
                "CheckHoursOfOperation",
                {"HoursOfOperationId": ref("hours", "Business Hours")},
                conditions=[("Equals", "True", "menu"), ("Equals", "False", "after-hours")],
                errors=[("NoMatchingError", "menu")],
                meta={"Hours": {"id": ref("hours", "Business Hours"), "text": "Business Hours"}},
            ),
            Step(
                "menu",
                "GetParticipantInput",
                {
                    "PromptId": ref("prompt", "Main Menu"),
                    "StoreInput": "False",
                    "InputTimeLimitSeconds": "5",
                },
                conditions=[
                    ("Equals", "1", "set-Sales"),
                    ("Equals", "2", "set-Support"),
                    ("Equals", "3", "billing"),
                ],
                errors=[
                    ("InputTimeLimitExceeded", "set-Support"),
                    ("NoMatchingCondition", "set-Support"),
                    ("NoMatchingError", "error-message"),
                ],
                meta={
                    "promptName": "Main Menu",
                    "conditionMetadata": [
                        {
                            "id": str(uuid.uuid5(NAMESPACE, f"menu/{d}")),
                            "operator": {"name": "Equals", "value": "Equals", "shortDisplay": "="},
                            "value": d,
                        }
                        for d in ("1", "2", "3")
                    ],
                },
            ),
            Step(
                "billing",
                "TransferToFlow",
                {"ContactFlowId": ref("flow", "Billing Self Service")},
                next="error-message",
                errors=[("NoMatchingError", "error-message")],
                meta={
                    "ContactFlow": {
                        "id": ref("flow", "Billing Self Service"),
                        "text": "Billing Self Service",
                    }
                },
            ),
            Step(
                "after-hours",
                "TransferToFlow",
                {"ContactFlowId": ref("flow", "After Hours")},
                next="error-message",
                errors=[("NoMatchingError", "error-message")],
                meta={"ContactFlow": {"id": ref("flow", "After Hours"), "text": "After Hours"}},
            ),
            *_menu("1", "Sales"),
            *_menu("2", "Support"),
            Step(
                "queue-full",
                "MessageParticipant",
                {"Text": "All of our agents are busy. Please call again later."},
                next="bye",
                errors=[("NoMatchingError", "bye")],
            ),
            Step(
                "error-message",
                "MessageParticipant",
                {"Text": "Sorry, we are having technical difficulties."},
                next="bye",
                errors=[("NoMatchingError", "bye")],
            ),
            Step("bye", "DisconnectParticipant", {}),
        ],
    ),
    SeedFlow(
        "Support Queue Transfer",
        "QUEUE_TRANSFER",
        "Used by the Support Transfer quick connect.",
        [
            Step(
                "log",
                "InvokeFlowModule",
                {"FlowModuleId": ref("module-id", "Log Interaction")},
                next="set-Support",
                errors=[("NoMatchingError", "set-Support")],
            ),
            *_menu("", "Support"),
            Step(
                "queue-full",
                "MessageParticipant",
                {"Text": "The Support queue is full."},
                next="end",
                errors=[("NoMatchingError", "end")],
            ),
            Step(
                "error-message",
                "MessageParticipant",
                {"Text": "Transfer failed."},
                next="end",
                errors=[("NoMatchingError", "end")],
            ),
            Step("end", "DisconnectParticipant", {}),
        ],
    ),
]

#: The flow the dev phone number is associated with.
MAIN_FLOW = "Main Inbound"
