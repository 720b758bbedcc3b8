"""What flowops knows about action types: how they end, branch and fail.

Built from the 246 real flows behind ``shared/reference/flow-language.md`` and AWS's
flow-language reference. Unknown types are not in these tables and are treated
conservatively by every consumer (no assumption that they end, branch or fail).
"""

from __future__ import annotations

#: Actions that end the flow (no transitions at all).
TERMINAL_TYPES = frozenset(
    {
        "DisconnectParticipant",
        "EndFlowExecution",
        "EndFlowModuleExecution",
        "TransferContactToAgent",
        "CompleteOutboundCall",
    }
)

#: Actions that leave the flow on success: their NextAction is only an error path.
LEAVES_FLOW_ON_SUCCESS = frozenset({"TransferContactToQueue", "TransferToFlow"})

#: Parameter keys (anywhere in Parameters) that name another flow or module.
FLOW_REFERENCE_KEYS = frozenset({"ContactFlowId", "ContactFlowArn", "FlowModuleId"})

#: Parameter containers whose every string value names a flow (event hooks).
FLOW_REFERENCE_CONTAINERS = frozenset({"EventHooks"})

#: Error types each action type raises, besides ``NoMatchingCondition`` (the default
#: branch of condition actions, checked separately). Built from the corpus (how often
#: each error branch appears on each type) and AWS's per-action pages. Types that raise
#: nothing a flow can branch on map to an empty set; unknown types are absent.
ERROR_TYPES: dict[str, frozenset[str]] = {
    name: frozenset(errors)
    for name, errors in {
        "AssociateContactToCustomerProfile": ("NoMatchingError",),
        "AuthenticateParticipant": ("NoMatchingError", "TimeLimitExceeded"),
        "CheckHoursOfOperation": ("NoMatchingError",),
        "CheckMetricData": ("NoMatchingError",),
        "CheckOutboundCallStatus": ("NoMatchingError",),
        "CheckSegmentMembershipForCustomerProfile": ("NoMatchingError",),
        "CheckVoiceId": ("NoMatchingError",),
        "CompleteOutboundCall": (),
        "Compare": (),
        "ConnectParticipantWithLexBot": ("NoMatchingError",),
        "CreateCallbackContact": ("NoMatchingError",),
        "CreateCase": ("NoMatchingError", "ContactNotLinked"),
        "CreateContact": ("NoMatchingError",),
        "CreateCustomerProfile": ("NoMatchingError",),
        "CreatePersistentContactAssociation": ("NoMatchingError",),
        "CreateTask": ("NoMatchingError",),
        "CreateWisdomSession": ("NoMatchingError",),
        "DequeueContactAndTransferToQueue": ("NoMatchingError", "QueueAtCapacity"),
        "DisconnectParticipant": (),
        "DistributeByPercentage": (),
        "EndFlowExecution": (),
        "EndFlowModuleExecution": (),
        "GetCalculatedAttributesForCustomerProfile": ("NoMatchingError", "NoneFoundError"),
        "GetCase": ("NoMatchingError", "MultipleFound", "NoneFound"),
        "GetCustomerProfile": ("NoMatchingError", "MultipleFoundError", "NoneFoundError"),
        "GetCustomerProfileObject": ("NoMatchingError", "NoneFoundError"),
        "GetMetricData": ("NoMatchingError",),
        "GetParticipantInput": ("NoMatchingError",),
        "InvokeFlowModule": ("NoMatchingError",),
        "InvokeLambdaFunction": ("NoMatchingError",),
        "Loop": (),
        "MessageParticipant": ("NoMatchingError",),
        "MessageParticipantIteratively": (),
        "RenderMessageTemplate": ("NoMatchingError", "TemplateRenderingError"),
        "ResumeContact": ("NoMatchingError",),
        "ShowView": ("NoMatchingError", "TimeLimitExceeded"),
        "StartOutboundChatContact": ("NoMatchingError",),
        "StartOutboundEmailContact": ("NoMatchingError",),
        "StartVoiceIdStream": ("NoMatchingError",),
        "TagContact": ("NoMatchingError",),
        "TransferContactToAgent": (),
        "TransferContactToQueue": ("NoMatchingError", "QueueAtCapacity"),
        "TransferParticipantToThirdParty": ("NoMatchingError",),
        "TransferToFlow": ("NoMatchingError",),
        "UpdateCase": ("NoMatchingError", "ContactNotLinked"),
        "UpdateContactAttributes": ("NoMatchingError",),
        "UpdateContactCallbackNumber": ("InvalidCallbackNumber", "CallbackNumberNotDialable"),
        "UpdateContactData": ("NoMatchingError",),
        "UpdateContactEventHooks": ("NoMatchingError",),
        "UpdateContactMediaStreamingBehavior": ("NoMatchingError",),
        "UpdateContactRecordingAndAnalyticsBehavior": ("NoMatchingError", "ChannelMismatch"),
        "UpdateContactRecordingBehavior": (),
        "UpdateContactRoutingBehavior": (),
        "UpdateContactRoutingCriteria": ("NoMatchingError",),
        "UpdateContactTargetQueue": ("NoMatchingError",),
        "UpdateContactTextToSpeechVoice": ("NoMatchingError",),
        "UpdateCustomerProfile": ("NoMatchingError",),
        "UpdateFlowAttributes": ("NoMatchingError",),
        "UpdateFlowLoggingBehavior": (),
        "UpdatePreviousContactParticipantState": ("NoMatchingError",),
        "Wait": ("NoMatchingError",),
    }.items()
}

#: Every action type flowops knows; rules treat others conservatively.
KNOWN_TYPES = frozenset(ERROR_TYPES)

#: Condition actions whose unmatched case is the ``NoMatchingCondition`` error branch.
#: GetParticipantInput and Lex only when they have conditions (menus, intents).
DEFAULT_BRANCH_TYPES = frozenset(
    {
        "Compare",
        "GetParticipantInput",
        "ConnectParticipantWithLexBot",
        "CheckMetricData",  # the designer's "Check staffing" and "Check queue status"
        "DistributeByPercentage",
        "ShowView",
    }
)

#: Condition actions with a fixed set of result tokens, each of which needs a branch.
RESULT_BRANCHES: dict[str, frozenset[str]] = {
    "CheckHoursOfOperation": frozenset({"True", "False"}),
    "Loop": frozenset({"ContinueLooping", "DoneLooping"}),
}

#: Actions that hand the contact to service: a queue, an agent, another flow, a callback,
#: a third party. Flow modules may do so on the caller's behalf.
SERVICE_TYPES = frozenset(
    {
        "TransferContactToQueue",
        "TransferContactToAgent",
        "TransferToFlow",
        "DequeueContactAndTransferToQueue",
        "CreateCallbackContact",
        "TransferParticipantToThirdParty",
        "InvokeFlowModule",
    }
)

#: Actions that may legitimately keep a contact without transitions (loop prompts play
#: until an agent answers in queue flows).
OPEN_ENDED_TYPES = frozenset({"MessageParticipantIteratively"})

#: Flow types whose contacts wait for an agent: endless loops are the design there.
WAITING_FLOW_TYPES = frozenset({"CUSTOMER_QUEUE", "CUSTOMER_HOLD", "AGENT_HOLD"})

#: Lambda synchronous invocation limit (seconds) and the asynchronous one.
LAMBDA_SYNC_TIMEOUT_MAX = 8
LAMBDA_ASYNC_TIMEOUT_MAX = 60
#: Contact attributes: Connect truncates above 32 KB per contact.
CONTACT_ATTRIBUTES_LIMIT_BYTES = 32 * 1024

#: Error branches whose absence is low risk (reported as info, not warning): playing a
#: prompt or setting a voice fails only on a missing prompt or bad SSML, and designer
#: versions before 2020 did not even show these branches (over half the corpus lacks them).
LOW_RISK_ERRORS: dict[str, frozenset[str]] = {
    "MessageParticipant": frozenset({"NoMatchingError"}),
    "UpdateContactTextToSpeechVoice": frozenset({"NoMatchingError"}),
}

#: Blocks that only run in agent-facing (step-by-step guide) or outbound flows: a
#: CONTACT_FLOW holding one is not a customer's inbound entry point.
NOT_INBOUND_MARKERS = frozenset({"ShowView", "CheckOutboundCallStatus", "CompleteOutboundCall"})
