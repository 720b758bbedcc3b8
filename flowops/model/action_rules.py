"""What Connect checks when flow content is published: the structure of the document and,
per action type, its parameters (present and valid), its branches and the flow types it
may appear in. One definition, used by the sandbox (which refuses the content with
``InvalidContactFlowException``) and by ``flowops plan`` (which reports the same problems
before any write).

Sources, recorded per rule below:

* the flow language reference of the Amazon Connect API Reference, one page per action
  ("Parameter object", "Results and conditions", "Errors", "Restrictions"), cited as
  *API <Action>*;
* the admin guide's flow block pages ("Flow types: you can use this block in the following
  flow types"), cited as *block <name>*;
* ``shared/reference/flow-language.md`` and the 246 real flows behind it: a combination
  seen in a flow Connect stored is never refused, whatever a document says (a test runs
  every corpus flow through these rules).

Conservative by design: a rule is here only when a document states it and no real flow
contradicts it. A flow type a block page predates (``CAMPAIGN``) or does not cover
(``MODULE``) is only refused where a page says so explicitly. Values that are dynamic
(``$.Attributes.x``) or template placeholders (``${X}``, ``%%X%%``) are not judged, except
where the reference says the value must be static.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flowops.model.action_types import (
    ERROR_TYPES,
    KNOWN_TYPES,
    LAMBDA_ASYNC_TIMEOUT_MAX,
    LAMBDA_SYNC_TIMEOUT_MAX,
)
from flowops.model.templates import FLOW_LANGUAGE_VERSION

__all__ = [
    "ALLOWED_ERRORS",
    "CONDITION_TYPES",
    "EXCLUSIVE",
    "FLOW_LANGUAGE_VERSION",
    "FORBIDDEN_FLOW_TYPES",
    "KNOWN_ERROR_TYPES",
    "KNOWN_TYPES",
    "MAX_ACTIONS",
    "MAX_IDENTIFIER",
    "NO_TRANSITIONS",
    "REQUIRED_PARAMETERS",
    "REQUIRED_RESULTS",
    "RESULT_OPERANDS",
    "VALUE_RULES",
    "ContentProblem",
    "OneOf",
    "Whole",
    "action_problems",
    "identifier_problem",
    "publish_problems",
]

#: "A single Flow may have no more than 250 Actions defined" (flow language example).
MAX_ACTIONS = 250

#: Parameters each action type needs: every group must be met by at least one of its keys.
REQUIRED_PARAMETERS: dict[str, tuple[tuple[str, ...], ...]] = {
    "CheckMetricData": (("MetricType",),),
    "CheckVoiceId": (("CheckVoiceIdOption",),),
    "Compare": (("ComparisonValue",),),
    "ConnectParticipantWithLexBot": (("LexV2Bot", "LexBot"),),
    "CreateTask": (("Name",), ("ContactFlowId",)),
    "CreateWisdomSession": (("WisdomAssistantArn",),),
    "InvokeFlowModule": (("FlowModuleId",),),
    "InvokeLambdaFunction": (("LambdaFunctionARN",), ("InvocationTimeLimitSeconds",)),
    "Loop": (("LoopCount",),),
    "MessageParticipant": (("Text", "SSML", "PromptId", "Media"),),
    "MessageParticipantIteratively": (("Messages",),),
    "ShowView": (("ViewResource",),),
    "TagContact": (("Tags",),),
    "TransferParticipantToThirdParty": (("ThirdPartyPhoneNumber",),),
    "TransferToFlow": (("ContactFlowId",),),
    "UpdateContactAttributes": (("Attributes",),),
    "UpdateContactCallbackNumber": (("CallbackNumber",),),
    "UpdateContactEventHooks": (("EventHooks", "EventHooksConfiguration"),),
    "UpdateContactRecordingBehavior": (("RecordingBehavior",),),
    "UpdateContactRoutingCriteria": (("RoutingCriteria",),),
    "UpdateContactTargetQueue": (("QueueId", "AgentId"),),
    "UpdateContactTextToSpeechVoice": (("TextToSpeechVoice",),),
    "UpdateFlowAttributes": (("FlowAttributes",),),
    "UpdateFlowLoggingBehavior": (("FlowLoggingBehavior",),),
}

# --- flow types -------------------------------------------------------------------------

_INBOUND = "CONTACT_FLOW"
_CQ, _CH, _CW = "CUSTOMER_QUEUE", "CUSTOMER_HOLD", "CUSTOMER_WHISPER"
_OW, _AH, _AW = "OUTBOUND_WHISPER", "AGENT_HOLD", "AGENT_WHISPER"
_AT, _QT = "AGENT_TRANSFER", "QUEUE_TRANSFER"
#: The flow types the block pages list (they predate CAMPAIGN and do not cover modules).
_CLASSIC = frozenset({_INBOUND, _CQ, _CH, _CW, _OW, _AH, _AW, _AT, _QT})
_FLOW_TYPES = _CLASSIC | {"CAMPAIGN"}
_HOLD_AND_WHISPER = frozenset({_CH, _CW, _OW, _AH, _AW})
_HOLD = frozenset({_CH, _AH})


def _only(*allowed: str) -> frozenset[str]:
    """The classic flow types a block page does not list (``allowed`` are the listed ones)."""
    return _CLASSIC - set(allowed)


#: Flow types (``MODULE`` for modules) an action type may NOT appear in. Each entry is
#: what the cited page excludes, minus every flow type a stored real flow shows the action
#: in (the corpus: ``tests/unit/test_sandbox_validation_corpus.py``).
FORBIDDEN_FLOW_TYPES: dict[str, frozenset[str]] = {
    # API TransferToFlow: "not available to hold flows, customer queue flows, or whisper
    # flows"; block Transfer to flow: inbound, transfer to agent, transfer to queue.
    "TransferToFlow": _only(_INBOUND, _AT, _QT),
    # API DequeueContactAndTransferToQueue: "only supported in the customer queue flow".
    "DequeueContactAndTransferToQueue": (_FLOW_TYPES | {"MODULE"}) - {_CQ},
    # Block Transfer to queue (also its callback tab, CreateCallbackContact): inbound,
    # customer queue, transfer to agent, transfer to queue.
    "TransferContactToQueue": _only(_INBOUND, _CQ, _AT, _QT),
    "CreateCallbackContact": _only(_INBOUND, _CQ, _AT, _QT),
    # API DisconnectParticipant: "contact flows, transfer flows, and customer queue flows".
    "DisconnectParticipant": _only(_INBOUND, _CQ, _AT, _QT),
    # Block Set working queue: inbound, transfer to agent, transfer to queue.
    "UpdateContactTargetQueue": _only(_INBOUND, _AT, _QT),
    # Modules return with EndFlowModuleExecution; flows cannot (API EndFlowModuleExecution).
    "EndFlowModuleExecution": _FLOW_TYPES,
    # Block Call phone number: outbound whisper flow (a stored inbound flow has it too).
    "CompleteOutboundCall": _only(_OW, _INBOUND),
    # Block Change routing priority / age: outbound whisper, inbound, customer queue,
    # transfer to agent, transfer to queue.
    "UpdateContactRoutingBehavior": _only(_OW, _INBOUND, _CQ, _AT, _QT),
    # Blocks Check hours of operation, Check queue status, Check staffing: inbound,
    # customer queue, transfer to agent, transfer to queue.
    "CheckHoursOfOperation": _only(_INBOUND, _CQ, _AT, _QT),
    "CheckMetricData": _only(_INBOUND, _CQ, _AT, _QT),
    # Blocks Check Voice ID and Set Voice ID: every classic type but the hold flows.
    "CheckVoiceId": _HOLD,
    "StartVoiceIdStream": _HOLD,
    # API DistributeByPercentage: "not available to hold flows or to whisper flows"; the
    # block page lists outbound whisper: only what both exclude.
    "DistributeByPercentage": _only(_INBOUND, _CQ, _OW, _AT, _QT),
    # Blocks Get customer input and Store customer input (GetParticipantInput and the Lex
    # form): inbound, customer queue, transfer to agent, transfer to queue.
    "GetParticipantInput": _only(_INBOUND, _CQ, _AT, _QT),
    "ConnectParticipantWithLexBot": _only(_INBOUND, _CQ, _AT, _QT),
    # Block Hold customer or agent: inbound, outbound whisper, transfer to agent, transfer
    # to queue.
    "UpdatePreviousContactParticipantState": _only(_INBOUND, _OW, _AT, _QT),
    # API InvokeFlowModule: "only supports Inbound flow types"; block Invoke module: inbound.
    # Read as the flows an inbound contact runs through (transfer flows included: the
    # plural leaves them open); queue, hold and whisper flows are refused.
    "InvokeFlowModule": _only(_INBOUND, _AT, _QT),
    # API MessageParticipantIteratively / block Loop prompts: customer queue, customer
    # hold, agent hold.
    "MessageParticipantIteratively": _only(_CQ, _CH, _AH),
    # Block Play prompt: inbound, customer queue, customer whisper, agent whisper, transfer
    # to agent, transfer to queue (stored outbound whisper flows play prompts too).
    "MessageParticipant": _only(_INBOUND, _CQ, _CW, _AW, _AT, _QT, _OW),
    # Block Set callback number: inbound, customer queue, transfer to agent and to queue.
    "UpdateContactCallbackNumber": _only(_INBOUND, _CQ, _AT, _QT),
    # Block Set recording and analytics behavior: inbound, customer queue, outbound
    # whisper, transfer to agent, transfer to queue.
    "UpdateContactRecordingBehavior": _only(_INBOUND, _CQ, _OW, _AT, _QT),
    # API UpdateContactMediaStreamingBehavior: "not supported in hold flows".
    "UpdateContactMediaStreamingBehavior": _HOLD,
    # Block Transfer to agent: transfer to agent, transfer to queue.
    "TransferContactToAgent": _only(_AT, _QT),
    # Block Transfer to phone number: inbound, customer queue, transfer to agent and queue.
    "TransferParticipantToThirdParty": _only(_INBOUND, _CQ, _AT, _QT),
    # Block Amazon Q in Connect (Wisdom): inbound, customer queue, outbound whisper,
    # transfer to agent, transfer to queue.
    "CreateWisdomSession": _only(_INBOUND, _CQ, _OW, _AT, _QT),
}
# Not restricted, and why. "All flows" on the block or API page: Compare (Check contact
# attributes), UpdateContactAttributes, Loop, InvokeLambdaFunction, UpdateFlowLoggingBehavior,
# UpdateContactTextToSpeechVoice (Set voice), CheckOutboundCallStatus (Check call
# progress), CreateTask, GetMetricData, the Cases and Customer profiles actions.
# Documents disagree: EndFlowExecution (API: whisper and customer queue flows only; block
# End flow / Resume: all flows), Wait (API: every flow type; block: inbound and customer
# queue), ShowView (block: "Contact Flow types", recommended, not exclusive). Several
# blocks with different lists: UpdateContactEventHooks (Set customer queue / hold /
# whisper / disconnect / event flow: all together cover every type), UpdateContactData.
# No page found stating a restriction: the remaining types (TagContact, CreateContact,
# ResumeContact, RenderMessageTemplate, StartOutbound*Contact, UpdateFlowAttributes, ...).

# --- branches ---------------------------------------------------------------------------

#: Actions that end the flow and take no transitions at all: API DisconnectParticipant
#: ("Results and conditions: None", "Errors: None"), API EndFlowExecution and
#: EndFlowModuleExecution ("This is always a terminal action"); every real one has none.
NO_TRANSITIONS = frozenset({"DisconnectParticipant", "EndFlowExecution", "EndFlowModuleExecution"})

#: Action types that may branch on ``Conditions``; the per-action pages of every other
#: type say "Conditions are not supported" (or no results at all). InvokeFlowModule's
#: conditions are a module's custom branches.
CONDITION_TYPES = frozenset(
    {
        "AuthenticateParticipant",
        "CheckHoursOfOperation",
        "CheckMetricData",
        "CheckOutboundCallStatus",
        "CheckSegmentMembershipForCustomerProfile",
        "CheckVoiceId",
        "Compare",
        "ConnectParticipantWithLexBot",
        "DistributeByPercentage",
        "GetParticipantInput",
        "InvokeFlowModule",
        "Loop",
        "MessageParticipantIteratively",
        "ShowView",
        "Wait",
    }
)

#: Every error type an action may branch on: the API pages' "Errors" and the corpus.
KNOWN_ERROR_TYPES = frozenset(
    {
        "NoMatchingError",
        "NoMatchingCondition",
        "QueueAtCapacity",
        "InputTimeLimitExceeded",
        "TimeLimitExceeded",
        "NoneFoundError",
        "ContactNotLinked",
        "MultipleFoundError",
        "InvalidCallbackNumber",
        "CallbackNumberNotDialable",
        "InvalidPhoneNumber",
        "TemplateRenderingError",
        "ConnectionTimeLimitExceeded",
        "CallFailed",
        "MultipleFound",
        "NoneFound",
        "ChannelMismatch",
        "InFlightRedactionConfigurationFailed",
        "ParticipantNotFound",  # API Wait
    }
    | {error for errors in ERROR_TYPES.values() for error in errors}
)

_NME, _NMC = "NoMatchingError", "NoMatchingCondition"
#: Error branches each of these types may have, where the API page lists them (other
#: types may have any of ``KNOWN_ERROR_TYPES``). Real flows add ``NoMatchingError`` to
#: Loop (its page says "Errors: None") and ``NoMatchingCondition`` to InvokeFlowModule.
ALLOWED_ERRORS: dict[str, frozenset[str]] = {
    "UpdateFlowLoggingBehavior": frozenset(),  # "Errors: None."
    "Loop": frozenset({_NME}),
    "DistributeByPercentage": frozenset({_NMC}),  # "NoMatchingCondition if no Condition ..."
    "Compare": frozenset({_NMC}),
    "InvokeLambdaFunction": frozenset({_NME}),  # "NoMatchingError - if no other Error ..."
    "InvokeFlowModule": frozenset({_NME, _NMC}),
    "UpdateContactMediaStreamingBehavior": frozenset({_NME}),
    "MessageParticipantIteratively": frozenset({_NME}),
    "TransferToFlow": frozenset({_NME}),
    "UpdatePreviousContactParticipantState": frozenset({_NME}),
    "CheckMetricData": frozenset({_NME, _NMC}),
    "UpdateContactRoutingBehavior": frozenset(),  # "Errors: None."
    "Wait": frozenset({_NME, "ParticipantNotFound"}),
}

#: Condition operands these types can produce (``Equals`` only): API Loop ("there must be
#: a Condition provided for Equals ContinueLooping and for Equals DoneLooping, and no other
#: Conditions"), API MessageParticipantIteratively ("only the Equals operator ... The only
#: supported operand is MessagesInterrupted"), CheckHoursOfOperation's True / False.
RESULT_OPERANDS: dict[str, frozenset[str]] = {
    "Loop": frozenset({"ContinueLooping", "DoneLooping"}),
    "MessageParticipantIteratively": frozenset({"MessagesInterrupted"}),
    "CheckHoursOfOperation": frozenset({"True", "False"}),
}
#: Result conditions that must all be present (API Loop).
REQUIRED_RESULTS: dict[str, frozenset[str]] = {
    "Loop": frozenset({"ContinueLooping", "DoneLooping"}),
}

# --- parameter values -------------------------------------------------------------------


@dataclass(frozen=True)
class OneOf:
    """``path`` (keys; ``*`` for every list item) holds one of ``values`` when static."""

    path: tuple[str, ...]
    values: tuple[str, ...]
    static: bool = False  # the reference says dynamic values are not supported


@dataclass(frozen=True)
class Whole:
    """``path`` holds a whole number from ``low`` to ``high`` (None: unbounded)."""

    path: tuple[str, ...]
    low: int | None
    high: int | None
    static: bool = False

    def refuses(self, number: int | None) -> bool:
        """Whether ``number`` (None: not a whole number) is out of bounds."""
        if number is None:
            return True
        return (self.low is not None and number < self.low) or (
            self.high is not None and number > self.high
        )

    def bounds(self) -> str:
        if self.low is not None and self.high is not None:
            return f" from {self.low} to {self.high}"
        if self.low is not None:
            return f" of at least {self.low}"
        return ""


Rule = OneOf | Whole

#: Parameter values Connect's reference constrains (per action type).
VALUE_RULES: dict[str, tuple[Rule, ...]] = {
    # API InvokeLambdaFunction: "Must be greater than 0, no larger than 8, and an integer.
    # Must be set statically" (asynchronous invocations: up to 60, checked below);
    # InvocationType "SYNCHRONOUS" | "ASYNCHRONOUS"; ResponseType "STRING_MAP" or "JSON",
    # "Must be set statically".
    "InvokeLambdaFunction": (
        OneOf(("InvocationType",), ("SYNCHRONOUS", "ASYNCHRONOUS")),
        OneOf(("ResponseValidation", "ResponseType"), ("STRING_MAP", "JSON"), static=True),
    ),
    # API UpdateFlowLoggingBehavior: "One of [Enabled,Disabled]. Dynamic values are not
    # supported".
    "UpdateFlowLoggingBehavior": (
        OneOf(("FlowLoggingBehavior",), ("Enabled", "Disabled"), static=True),
    ),
    # API UpdateContactMediaStreamingBehavior: state "Enabled" or "Disabled", participant
    # type "Customer", directions "From" and "To", stream type "Audio", all static.
    "UpdateContactMediaStreamingBehavior": (
        OneOf(("MediaStreamingState",), ("Enabled", "Disabled"), static=True),
        OneOf(("MediaStreamType",), ("Audio",), static=True),
        OneOf(("Participants", "*", "ParticipantType"), ("Customer",), static=True),
        OneOf(("Participants", "*", "MediaDirections", "*"), ("From", "To"), static=True),
    ),
    # API Loop: "must be between 0 and 100 (inclusive). Must either be fully static or
    # fully dynamic."
    "Loop": (Whole(("LoopCount",), 0, 100),),
    # API GetParticipantInput: "StoreInput": "True" or "False". Must be statically
    # defined; the input timeout "Must be defined statically, and must be a valid integer
    # larger than zero" (the page calls it InputTimeoutSeconds, real flows and the designer
    # InputTimeLimitSeconds); NumberFormat "Local" or "E164", static.
    "GetParticipantInput": (
        OneOf(("StoreInput",), ("True", "False"), static=True),
        Whole(("InputTimeLimitSeconds",), 1, None, static=True),
        OneOf(
            ("InputValidation", "PhoneNumberValidation", "NumberFormat"),
            ("Local", "E164"),
            static=True,
        ),
    ),
    # API TransferParticipantToThirdParty: the connection timeout "An integer, between 0
    # and 600 (inclusive)", static or one JSONPath (ThirdPartyConnectionTimeoutSeconds on
    # the page, ThirdPartyConnectionTimeLimitSeconds in real flows); ContinueFlowExecution
    # "True" or "False", static.
    "TransferParticipantToThirdParty": (
        Whole(("ThirdPartyConnectionTimeLimitSeconds",), 0, 600),
        OneOf(("ContinueFlowExecution",), ("True", "False"), static=True),
    ),
    # API UpdatePreviousContactParticipantState: One of ["AgentOnHold", "CustomerOnHold",
    # "OffHold"].
    "UpdatePreviousContactParticipantState": (
        OneOf(("PreviousContactParticipantState",), ("AgentOnHold", "CustomerOnHold", "OffHold")),
    ),
    # API CheckMetricData: MetricType "One of [NumberOfAgentsAvailable,
    # NumberOfAgentsStaffed, NumberOfAgentsOnline, OldestContactInQueueAgeSeconds,
    # NumberOfContactsInQueue]. Dynamic values are not supported".
    "CheckMetricData": (
        OneOf(
            ("MetricType",),
            (
                "NumberOfAgentsAvailable",
                "NumberOfAgentsStaffed",
                "NumberOfAgentsOnline",
                "OldestContactInQueueAgeSeconds",
                "NumberOfContactsInQueue",
            ),
            static=True,
        ),
    ),
    # API UpdateContactRoutingBehavior: QueuePriority "Must be statically defined, must be
    # larger than zero, and a valid integer value"; QueueTimeAdjustmentSeconds "Must be
    # statically defined and a valid integer value" (one or the other: EXCLUSIVE).
    "UpdateContactRoutingBehavior": (
        Whole(("QueuePriority",), 1, None, static=True),
        Whole(("QueueTimeAdjustmentSeconds",), None, None, static=True),
    ),
    # API Wait: the timeout "either statically defined, or a single valid JSONPath ... a
    # positive integer value no greater than 604800 (seven days)" (TimeoutSeconds on the
    # page, TimeLimitSeconds in real flows); Events "CustomerReturned" and
    # "BotParticipantDisconnected", static.
    "Wait": (
        Whole(("TimeLimitSeconds",), 1, 604800),
        OneOf(("Events", "*"), ("CustomerReturned", "BotParticipantDisconnected"), static=True),
    ),
}

#: Parameters of which an action takes at most one: API UpdateContactRoutingBehavior
#: ("Cannot be specified if ... is specified").
EXCLUSIVE: dict[str, tuple[tuple[str, ...], ...]] = {
    "UpdateContactRoutingBehavior": (("QueuePriority", "QueueTimeAdjustmentSeconds"),),
}

_PLACEHOLDER = re.compile(r"\$\{|%%|\{\{|!GetAtt|^<<")


@dataclass(frozen=True)
class ContentProblem:
    """One reason Connect refuses to publish a flow: ``check`` is ``structure``,
    ``identifier`` or ``action``; ``action`` the Identifier concerned (if any)."""

    check: str
    message: str
    action: str | None = None


# --- identifiers ------------------------------------------------------------------------

#: Identifiers: at most 50 characters, none of these characters, none of these names
#: (flow language reference, "Actions": Identifier).
MAX_IDENTIFIER = 50
FORBIDDEN_IDENTIFIER_CHARACTERS = frozenset("%:()\\/=$,;[]{}")
RESERVED_IDENTIFIERS = frozenset(
    {
        "__proto__",
        "constructor",
        "__defineGetter__",
        "__defineSetter__",
        "toString",
        "hasOwnProperty",
        "isPrototypeOf",
        "propertyIsEnumerable",
        "toLocaleString",
        "valueOf",
    }
)


def identifier_problem(ident: str) -> str | None:
    """Why ``ident`` is not a valid action Identifier, or ``None``."""
    if len(ident) > MAX_IDENTIFIER:
        return f"Identifier longer than {MAX_IDENTIFIER} characters"
    bad = sorted(set(ident) & FORBIDDEN_IDENTIFIER_CHARACTERS)
    if bad:
        return f"Identifier contains a character that is not allowed ({''.join(bad)})"
    if ident in RESERVED_IDENTIFIERS:
        return f"Identifier {ident!r} is a reserved name"
    return None


# --- per action -------------------------------------------------------------------------


def _found(value: Any, path: tuple[str, ...], where: str) -> Iterator[tuple[str, Any]]:
    if not path:
        yield where, value
    elif path[0] == "*":
        if isinstance(value, list):
            for i, item in enumerate(value):
                yield from _found(item, path[1:], f"{where}[{i}]")
    elif isinstance(value, Mapping) and path[0] in value:
        yield from _found(value[path[0]], path[1:], f"{where}.{path[0]}")


def _dynamic(value: object) -> bool:
    return isinstance(value, str) and value.startswith("$")


def _placeholder(value: object) -> bool:
    return isinstance(value, str) and bool(_PLACEHOLDER.search(value))


def whole_number(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    return None


def _value_problems(action_type: str, given: Mapping[str, Any]) -> list[str]:
    out: list[str] = []
    rules: tuple[Rule, ...] = VALUE_RULES.get(action_type, ())
    if action_type == "InvokeLambdaFunction":
        asynchronous = given.get("InvocationType") == "ASYNCHRONOUS"
        high = LAMBDA_ASYNC_TIMEOUT_MAX if asynchronous else LAMBDA_SYNC_TIMEOUT_MAX
        rules = (*rules, Whole(("InvocationTimeLimitSeconds",), 1, high, static=True))
    for rule in rules:
        for where, value in _found(given, rule.path, "Parameters"):
            if _placeholder(value):
                continue
            if _dynamic(value):
                if rule.static:
                    out.append(f"{where} must be set statically, not {value!r}")
                continue
            if isinstance(rule, OneOf) and value not in rule.values:
                allowed = ", ".join(rule.values)
                out.append(f"{where} {value!r} is not one of: {allowed}")
            elif isinstance(rule, Whole):
                if rule.refuses(whole_number(value)):
                    out.append(f"{where} {value!r} must be a whole number{rule.bounds()}")
    for keys in EXCLUSIVE.get(action_type, ()):
        present = [k for k in keys if k in given]
        if len(present) > 1:
            out.append(f"{action_type} takes only one of Parameters.{', '.join(present)}")
    return out


def _results(action_type: str, given: Mapping[str, Any]) -> tuple[frozenset[str], frozenset[str]]:
    """The result operands ``action_type`` can produce and those that need a condition
    (empty: not constrained). API Wait: "only the Equals operator ... WaitCompleted is
    always required operand, and every specified event is also required"."""
    if action_type == "Wait":
        events = given.get("Events")
        named = {e for e in events if isinstance(e, str)} if isinstance(events, list) else set()
        results = frozenset({"WaitCompleted", *named})
        return results, results
    return RESULT_OPERANDS.get(action_type, frozenset()), REQUIRED_RESULTS.get(
        action_type, frozenset()
    )


def _condition_problems(
    action_type: str, conditions: list[Any], given: Mapping[str, Any]
) -> list[str]:
    out: list[str] = []
    seen: list[tuple[Any, list[Any]]] = []
    for i, item in enumerate(conditions):
        condition = item.get("Condition") if isinstance(item, Mapping) else None
        operands = condition.get("Operands") if isinstance(condition, Mapping) else None
        if not isinstance(condition, Mapping) or not isinstance(condition.get("Operator"), str):
            out.append(f"Conditions[{i}] needs a Condition with an Operator")
        elif not isinstance(operands, list) or not operands:
            out.append(f"Conditions[{i}] needs a non-empty list of Operands")
        else:
            seen.append((condition["Operator"], operands))
    results, required = _results(action_type, given)
    for operator, operands in seen if results else ():
        if operator != "Equals" or any(o not in results for o in operands):
            allowed = ", ".join(sorted(results))
            out.append(f"{action_type} conditions are Equals one of {allowed}")
            break
    missing = required - {o for _, operands in seen for o in operands}
    if missing:
        out.append(f"{action_type} needs a condition for {', '.join(sorted(missing))}")
    metric = given.get("MetricType")
    if action_type == "CheckMetricData" and str(metric).startswith("NumberOfAgents"):
        # API CheckMetricData: "If the MetricType is NumberOfAgents* then the only
        # supported condition is "NumberGreaterThan 0""
        if any((operator, operands) != ("NumberGreaterThan", ["0"]) for operator, operands in seen):
            out.append(f"CheckMetricData on {metric} takes only the condition NumberGreaterThan 0")
    if action_type == "DistributeByPercentage":
        out += _percentages(seen)
    return out


#: API DistributeByPercentage: "A number between 1 and 100, inclusive, chosen randomly",
#: compared by "a chain of NumericLessThan comparisons ... and no Comparison comparing a
#: value larger than 100" (the real operator is NumberLessThan). ``NumberLessThan t`` takes
#: the draws below ``t``: a branch gets its threshold minus the previous one, in percent
#: (the first: its threshold minus 1), as the real export in
#: ``shared/reference/flow-language.md`` section 5 shows (thresholds 4 ... 98 for 97 %, the
#: default 3 %). So the branches take at most 99 % and the default branch (the
#: ``NoMatchingCondition`` error) always keeps at least the draw 100.
PERCENT_THRESHOLD_MAX = 100


def percentage_problem(
    conditions: Sequence[tuple[object, Sequence[object]]],
) -> tuple[int, str] | None:
    """The first problem of a DistributeByPercentage's conditions, each (operator,
    operands) in order: (its index, what is wrong), or None. One definition for the
    publish rules (:func:`check_action`) and lint FL203."""
    previous = 0
    for i, (operator, operands) in enumerate(conditions):
        if operator != "NumberLessThan":
            return i, f"condition {i} uses {operator!r}, expected NumberLessThan"
        number = whole_number(operands[0]) if len(operands) == 1 else None
        if number is None:
            return i, f"condition {i} threshold {list(operands)!r} is not one whole number"
        if number > PERCENT_THRESHOLD_MAX:
            return i, (
                f"condition {i} threshold {number} is over {PERCENT_THRESHOLD_MAX}: Connect "
                "compares the draw (1-100) with no value larger than 100, so the branches "
                "take at most 99 % and the default branch keeps the rest"
            )
        if number < previous:  # an equal threshold is a 0 % branch: pointless, not refused
            return i, (
                f"condition {i} threshold {number} is below the previous one ({previous}): "
                "each adds its branch's percentage to the previous one"
            )
        previous = number
    return None


def _percentages(seen: list[tuple[Any, list[Any]]]) -> list[str]:
    problem = percentage_problem(seen)
    return [f"DistributeByPercentage {problem[1]}"] if problem else []


def _branch_problems(action_type: str, transitions: Any, given: Mapping[str, Any]) -> list[str]:
    if transitions is None:
        return []
    if not isinstance(transitions, Mapping):
        return ["Transitions must be an object"]
    out: list[str] = []
    errors, conditions = transitions.get("Errors") or [], transitions.get("Conditions") or []
    if action_type in NO_TRANSITIONS and (transitions.get("NextAction") or errors or conditions):
        return [f"{action_type} ends the flow and takes no transitions"]
    if not isinstance(errors, list):
        out.append("Transitions.Errors must be a list")
        errors = []
    if not isinstance(conditions, list):
        out.append("Transitions.Conditions must be a list")
        conditions = []
    allowed = ALLOWED_ERRORS.get(action_type, KNOWN_ERROR_TYPES)
    for i, item in enumerate(errors):
        error = item.get("ErrorType") if isinstance(item, Mapping) else None
        if not isinstance(error, str) or not isinstance(item.get("NextAction"), str):
            out.append(f"Errors[{i}] needs an ErrorType and a NextAction")
        elif error not in allowed:
            has = ", ".join(sorted(allowed)) or "none"
            out.append(f"{action_type} has no error branch {error!r} (it has: {has})")
    if conditions and action_type not in CONDITION_TYPES:
        out.append(f"{action_type} does not support Conditions")
    elif action_type in CONDITION_TYPES:
        out += _condition_problems(action_type, conditions, given)
    return out


def action_problems(
    action_type: str,
    parameters: object,
    flow_type: str | None,
    transitions: object = None,
) -> list[str]:
    """What Connect refuses about one action of ``action_type`` in a flow of ``flow_type``
    (``MODULE`` for a module; ``None`` when unknown, skipping the flow type check):
    required parameters, parameter values, branches (``transitions``, when given)."""
    if action_type not in KNOWN_TYPES:
        return [f"Type {action_type!r} is not an action type of the flow language"]
    problems = []
    if flow_type in FORBIDDEN_FLOW_TYPES.get(action_type, ()):
        problems.append(f"{action_type} is not supported in flows of type {flow_type}")
    given = parameters if isinstance(parameters, Mapping) else {}
    for group in REQUIRED_PARAMETERS.get(action_type, ()):
        if not any(key in given for key in group):
            problems.append(f"{action_type} requires Parameters.{' or '.join(group)}")
    problems += _value_problems(action_type, given)
    problems += _branch_problems(action_type, transitions, given)
    return problems


# --- the whole document -----------------------------------------------------------------


def _targets(transitions: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    if "NextAction" in transitions:
        yield "NextAction", transitions["NextAction"]
    for part in ("Errors", "Conditions"):
        items = transitions.get(part)
        for i, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, Mapping) and "NextAction" in item:
                yield f"{part}[{i}].NextAction", item["NextAction"]


def publish_problems(doc: object, flow_type: str | None = None) -> list[ContentProblem]:
    """Every problem Connect reports when publishing ``doc`` (parsed content) as a flow of
    ``flow_type`` (``MODULE`` for a module; ``None``: the flow type is not checked).

    References to resources are not checked here (they depend on the target instance).
    """
    if not isinstance(doc, Mapping):
        return [ContentProblem("structure", "Content must be a JSON object")]
    out: list[ContentProblem] = []
    if doc.get("Version") != FLOW_LANGUAGE_VERSION:
        out.append(
            ContentProblem(
                "structure",
                f"Version must be {FLOW_LANGUAGE_VERSION!r}, got {doc.get('Version')!r}",
            )
        )
    actions = doc.get("Actions")
    if not isinstance(actions, list) or not actions:
        return [*out, ContentProblem("structure", "Actions must be a non-empty list")]
    if len(actions) > MAX_ACTIONS:
        out.append(
            ContentProblem(
                "structure", f"A flow can have at most {MAX_ACTIONS} actions, found {len(actions)}"
            )
        )
    ids: set[str] = set()
    for index, action in enumerate(actions):
        if not isinstance(action, Mapping):
            out.append(ContentProblem("structure", f"Actions[{index}] is not an object"))
            continue
        ident = action.get("Identifier")
        if not isinstance(ident, str) or not ident:
            out.append(ContentProblem("identifier", f"Actions[{index}] has no Identifier"))
            continue
        problem = identifier_problem(ident)
        if problem:
            out.append(ContentProblem("identifier", f"Action {ident!r}: {problem}", ident))
        if ident in ids:
            out.append(
                ContentProblem("identifier", f"Action {ident!r}: Identifier is not unique", ident)
            )
        ids.add(ident)
        kind = action.get("Type")
        if not isinstance(kind, str) or not kind:
            out.append(ContentProblem("action", f"Action {ident!r}: missing Type", ident))
            continue
        rules = action_problems(
            kind, action.get("Parameters"), flow_type, action.get("Transitions")
        )
        out += [ContentProblem("action", f"Action {ident!r}: {p}", ident) for p in rules]
    start = doc.get("StartAction")
    if not isinstance(start, str) or start not in ids:
        out.append(ContentProblem("structure", f"StartAction {start!r} does not name an action"))
    for action in actions:
        if not isinstance(action, Mapping) or not isinstance(action.get("Identifier"), str):
            continue
        transitions = action.get("Transitions")
        if not isinstance(transitions, Mapping):
            continue
        for where, target in _targets(transitions):
            if target not in ids:
                ident = action["Identifier"]
                out.append(
                    ContentProblem(
                        "structure",
                        f"Action {ident!r}: {where} {target!r} does not name an action",
                        ident,
                    )
                )
    return out
