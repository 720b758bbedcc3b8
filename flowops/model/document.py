"""A flow as flowops keeps it on disk: who it is (name, type, tags...) and its content.

Files under ``flows/`` are *documents*: a small header (name, kind, type, description,
state, status, tags), the flow-language ``content`` without designer layout, and the
``layout`` (Connect's ``Metadata``) in a section of its own at the end of the file, so a
layout-only change never touches the content section. Raw flow-language files (what the
Connect console exports, or the corpus) are read too; their header is inferred.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from flowops.model.types import Flow

Kind = Literal["flow", "module"]

#: Document format version written in every file, so later releases can migrate.
DOCUMENT_FORMAT = 1

#: Connect's ContactFlowType values, and the designer's camelCase spellings of them.
FLOW_TYPES = (
    "CONTACT_FLOW",
    "CUSTOMER_QUEUE",
    "CUSTOMER_HOLD",
    "CUSTOMER_WHISPER",
    "AGENT_HOLD",
    "AGENT_WHISPER",
    "OUTBOUND_WHISPER",
    "AGENT_TRANSFER",
    "QUEUE_TRANSFER",
    "CAMPAIGN",
)
_DESIGNER_TYPES = {
    "".join(w.capitalize() if i else w.lower() for i, w in enumerate(t.split("_"))): t
    for t in FLOW_TYPES
}
_DESIGNER_TYPES["contactFlow"] = "CONTACT_FLOW"


def flow_type_from_designer(value: object) -> str | None:
    """Map ``Metadata.type`` (``customerQueue``) to Connect's type (``CUSTOMER_QUEUE``)."""
    if not isinstance(value, str):
        return None
    if value.upper() in FLOW_TYPES:
        return value.upper()
    return _DESIGNER_TYPES.get(value)


@dataclass(frozen=True)
class FlowInfo:
    """What Connect knows about a flow besides its content."""

    name: str
    kind: Kind = "flow"
    type: str = "CONTACT_FLOW"
    description: str = ""
    state: str = "ACTIVE"
    status: str = "PUBLISHED"
    tags: Mapping[str, str] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FlowDocument:
    """A flow's header and content, plus where it was read from."""

    info: FlowInfo
    flow: Flow
    source: str | None = None
    #: "document" for flowops files, "content" for raw flow-language files.
    format: Literal["document", "content"] = "document"

    @property
    def name(self) -> str:
        return self.info.name

    def with_flow(self, flow: Flow) -> FlowDocument:
        return replace(self, flow=flow)
