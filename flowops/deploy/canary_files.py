"""``flowops canary generate``: the canary as files, for teams that review it in a PR.

The same wrapper as ``canary start`` writes live, but with symbolic references
(``flow:Main IVR (canary candidate)``) so promote resolves them in each environment and
orders the helpers before the wrapper that transfers to them. Three documents: the
wrapper under the entry flow's own name (so its id and phone numbers stay), and the two
helpers. Ramping is generating again with another percent; promoting is replacing the
entry file with the candidate's content and deleting the helper files.
"""

from __future__ import annotations

from dataclasses import replace

from flowops.deploy.canary_state import OF_TAG, ROLE_TAG, tag_safe
from flowops.deploy.canary_wrapper import (
    SUPPORTED_TYPES,
    WrapperSpec,
    check_percent,
    helper_name,
    wrapper_content,
)
from flowops.errors import BadInputError
from flowops.model.document import FlowDocument, FlowInfo
from flowops.model.parse import parse_content
from flowops.refs import symbol
from flowops.repo import flow_key


def _helper(doc: FlowDocument, entry: FlowInfo, role: str) -> FlowDocument:
    tags = {**doc.info.tags, ROLE_TAG: role, OF_TAG: tag_safe(entry.name, 200)}
    info = replace(
        entry,
        name=helper_name(entry.name, role),
        description=f"flowops canary {role} variant of {entry.name}",
        tags=tags,
    )
    return FlowDocument(info=info, flow=doc.flow, format="document")


def canary_documents(
    stable: FlowDocument, candidate: FlowDocument, percent: int, ref: str = ""
) -> dict[str, FlowDocument]:
    """The wrapper and both variants as documents, keyed like ``flowops.repo`` trees.

    ``stable`` is the entry flow as it is now; ``candidate`` its new content (same name).
    """
    check_percent(percent)
    entry = stable.info
    if entry.kind != "flow" or entry.type not in SUPPORTED_TYPES:
        raise BadInputError(
            f"{entry.kind} {entry.name!r} is of type {entry.type}: a canary can only wrap "
            f"an inbound contact flow ({', '.join(sorted(SUPPORTED_TYPES))})"
        )
    if candidate.info.name != entry.name or candidate.info.kind != entry.kind:
        raise BadInputError(
            f"candidate is {candidate.info.kind} {candidate.info.name!r}, "
            f"expected {entry.kind} {entry.name!r}"
        )
    helpers = {
        role: _helper(doc, entry, role)
        for role, doc in (("stable", stable), ("candidate", candidate))
    }
    spec = WrapperSpec(
        entry_name=entry.name,
        stable_flow=symbol("flow", helpers["stable"].info.name),
        candidate_flow=symbol("flow", helpers["candidate"].info.name),
        percent=percent,
        ref=tag_safe(ref),
    )
    wrapper = FlowDocument(
        info=entry,
        flow=parse_content(wrapper_content(spec), flow_name=entry.name),
        format="document",
    )
    out = {flow_key(wrapper.info): wrapper}
    out.update({flow_key(h.info): h for h in helpers.values()})
    return out
