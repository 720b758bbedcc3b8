"""What Connect checks per action type when content is published: the known types, the
parameters each one needs, the flow types each one may appear in, and identifier rules.

Sources: the Amazon Connect flow language reference (per-action pages: "Parameter object"
and "Restrictions"), the admin guide's flow block pages ("Flow types"), and
``shared/reference/flow-language.md`` (61 action types in 246 real flows). Only what those
documents state is checked; a type whose restrictions are not documented may appear in
any flow type. Every flow of the corpus that Connect would accept passes (a test checks).
"""

from __future__ import annotations

#: Every action type of the flow language the sandbox knows; any other is refused.
KNOWN_TYPES = frozenset(
    {
        "AssociateContactToCustomerProfile",
        "AuthenticateParticipant",
        "CheckHoursOfOperation",
        "CheckMetricData",
        "CheckOutboundCallStatus",
        "CheckSegmentMembershipForCustomerProfile",
        "CheckVoiceId",
        "CompleteOutboundCall",
        "Compare",
        "ConnectParticipantWithLexBot",
        "CreateCallbackContact",
        "CreateCase",
        "CreateContact",
        "CreateCustomerProfile",
        "CreatePersistentContactAssociation",
        "CreateTask",
        "CreateWisdomSession",
        "DequeueContactAndTransferToQueue",
        "DisconnectParticipant",
        "DistributeByPercentage",
        "EndFlowExecution",
        "EndFlowModuleExecution",
        "GetCalculatedAttributesForCustomerProfile",
        "GetCase",
        "GetCustomerProfile",
        "GetCustomerProfileObject",
        "GetMetricData",
        "GetParticipantInput",
        "InvokeFlowModule",
        "InvokeLambdaFunction",
        "Loop",
        "MessageParticipant",
        "MessageParticipantIteratively",
        "RenderMessageTemplate",
        "ResumeContact",
        "ShowView",
        "StartOutboundChatContact",
        "StartOutboundEmailContact",
        "StartVoiceIdStream",
        "TagContact",
        "TransferContactToAgent",
        "TransferContactToQueue",
        "TransferParticipantToThirdParty",
        "TransferToFlow",
        "UpdateCase",
        "UpdateContactAttributes",
        "UpdateContactCallbackNumber",
        "UpdateContactData",
        "UpdateContactEventHooks",
        "UpdateContactMediaStreamingBehavior",
        "UpdateContactRecordingAndAnalyticsBehavior",
        "UpdateContactRecordingBehavior",
        "UpdateContactRoutingBehavior",
        "UpdateContactRoutingCriteria",
        "UpdateContactTargetQueue",
        "UpdateContactTextToSpeechVoice",
        "UpdateCustomerProfile",
        "UpdateFlowAttributes",
        "UpdateFlowLoggingBehavior",
        "UpdatePreviousContactParticipantState",
        "Wait",
    }
)

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

#: The flow types that run while a contact waits, is on hold or is whispered to.
_HOLD_AND_WHISPER = frozenset(
    {"CUSTOMER_HOLD", "CUSTOMER_WHISPER", "OUTBOUND_WHISPER", "AGENT_HOLD", "AGENT_WHISPER"}
)
_FLOW_TYPES = frozenset(
    {
        "CONTACT_FLOW",
        "CUSTOMER_QUEUE",
        "AGENT_TRANSFER",
        "QUEUE_TRANSFER",
        "CAMPAIGN",
        *_HOLD_AND_WHISPER,
    }
)
#: Flow types (``MODULE`` for modules) an action type may NOT appear in, where documented.
#: Documents that list the types a block supports predate some types (CAMPAIGN); only the
#: types they name as unsupported, or all others when they say "only", are refused.
FORBIDDEN_FLOW_TYPES: dict[str, frozenset[str]] = {
    # TransferToFlow: "available in inbound flows and transfer flows. It is not available
    # to hold flows, customer queue flows, or whisper flows."
    "TransferToFlow": _HOLD_AND_WHISPER | {"CUSTOMER_QUEUE"},
    # DequeueContactAndTransferToQueue: "only supported in the customer queue flow".
    "DequeueContactAndTransferToQueue": (_FLOW_TYPES | {"MODULE"}) - {"CUSTOMER_QUEUE"},
    # Transfer to queue block: "Customer hold flow: No ... Agent whisper flow: No"; the
    # Disconnect / hang up block lists the same supported types.
    "TransferContactToQueue": _HOLD_AND_WHISPER,
    "DisconnectParticipant": _HOLD_AND_WHISPER,
    # Set working queue: inbound and transfer flows; customer queue flows already have one.
    "UpdateContactTargetQueue": _HOLD_AND_WHISPER | {"CUSTOMER_QUEUE"},
    # Modules return with EndFlowModuleExecution; flows cannot.
    "EndFlowModuleExecution": _FLOW_TYPES,
}

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


def action_problems(action_type: str, parameters: object, flow_type: str | None) -> list[str]:
    """What Connect refuses about one action of ``action_type`` in a flow of ``flow_type``
    (``MODULE`` for a module; ``None`` when unknown, skipping the flow type check)."""
    if action_type not in KNOWN_TYPES:
        return [f"Type {action_type!r} is not an action type of the flow language"]
    problems = []
    if flow_type in FORBIDDEN_FLOW_TYPES.get(action_type, ()):
        problems.append(f"{action_type} is not supported in flows of type {flow_type}")
    given = parameters if isinstance(parameters, dict) else {}
    for group in REQUIRED_PARAMETERS.get(action_type, ()):
        if not any(key in given for key in group):
            problems.append(f"{action_type} requires Parameters.{' or '.join(group)}")
    return problems
