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
