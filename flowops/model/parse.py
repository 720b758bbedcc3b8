"""Reading flows: JSON text -> (schema check) -> immutable ``Flow`` / ``FlowDocument``.

Accepts every shape flows are found in: flowops documents, raw flow-language content
(console exports, the corpus), DescribeContactFlow / DescribeContactFlowModule output and
``{"Content": "<json string>"}`` wrappers. Anything else is bad input with a message that
names the file, the flow, the action and the JSON path.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flowops.errors import FlowParseError
from flowops.model.document import (
    DOCUMENT_FORMAT,
    FlowDocument,
    FlowInfo,
    Kind,
    flow_type_from_designer,
)
from flowops.model.quickcheck import quick_build, quick_document_valid
from flowops.model.schema import DOCUMENT_SCHEMA, FLOW_LANGUAGE_SCHEMA, first_error, json_path
from flowops.model.types import Flow


def _guess_flow_name(content: Mapping[str, Any]) -> str | None:
    metadata = content.get("Metadata")
    if isinstance(metadata, Mapping) and isinstance(metadata.get("name"), str):
        return str(metadata["name"])
    return None


def parse_content(
    content: Any,
    *,
    source: str | None = None,
    flow_name: str | None = None,
    path_prefix: tuple[Any, ...] = (),
) -> Flow:
    """Validate flow-language content against the schema and build a ``Flow``.

    Raises ``FlowParseError`` naming the file, flow, action and JSON path of the first
    violation. Structural faults that the schema allows (duplicate identifiers, a
    missing StartAction target) are left to lint, so one run reports all of them.
    """
    if not isinstance(content, Mapping):
        raise FlowParseError(
            f"expected a JSON object with Version, StartAction and Actions, "
            f"found {type(content).__name__}",
            file=source,
            flow=flow_name,
            path=json_path(path_prefix),
        )
    flow = quick_build(content)
    if flow is not None:
        return flow
    error = first_error(FLOW_LANGUAGE_SCHEMA, content)
    if error is not None:
        parts = list(error.absolute_path)
        action_id = None
        if len(parts) >= 2 and parts[0] == "Actions" and isinstance(parts[1], int):
            candidate = content["Actions"][parts[1]]
            if isinstance(candidate, Mapping) and isinstance(candidate.get("Identifier"), str):
                action_id = candidate["Identifier"]
        raise FlowParseError(
            error.message,
            file=source,
            flow=flow_name or _guess_flow_name(content),
            action=action_id,
            path=json_path((*path_prefix, *parts)),
        )
    # Unreachable while quick_build mirrors the schema (a property test holds them).
    raise FlowParseError(
        "does not conform to the flow-language schema",
        file=source,
        flow=flow_name or _guess_flow_name(content),
        path=json_path(path_prefix),
    )


def _loads(text: str, source: str | None) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FlowParseError(
            f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})", file=source
        ) from None


def _embedded_content(value: Any, source: str | None, prefix: tuple[Any, ...]) -> Any:
    """Content may be a JSON string (Connect's API) or an object (pretty exports)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise FlowParseError(
                f"Content is not valid JSON: {exc.msg}", file=source, path=json_path(prefix)
            ) from None
    return value


def _name_from_source(source: str | None) -> str:
    if not source:
        return "flow"
    return os.path.basename(source).removesuffix(".json")  # Path() costs more than parsing


def _from_api_object(
    obj: Mapping[str, Any], kind: Kind, source: str | None, prefix: tuple[Any, ...]
) -> FlowDocument:
    """DescribeContactFlow(Module) output -> document (header from the API fields)."""
    name = str(obj.get("Name") or _name_from_source(source))
    content = _embedded_content(obj.get("Content"), source, (*prefix, "Content"))
    flow = parse_content(content, source=source, flow_name=name, path_prefix=(*prefix, "Content"))
    tags = obj.get("Tags") or {}
    info = FlowInfo(
        name=name,
        kind=kind,
        type=str(obj.get("Type") or ("MODULE" if kind == "module" else "CONTACT_FLOW")),
        description=str(obj.get("Description") or ""),
        state=str(obj.get("State") or "ACTIVE"),
        status=str(obj.get("Status") or "PUBLISHED").upper(),
        tags={str(k): str(v) for k, v in tags.items()} if isinstance(tags, Mapping) else {},
    )
    return FlowDocument(info=info, flow=flow, source=source, format="content")


def _from_raw_content(content: Mapping[str, Any], source: str | None) -> FlowDocument:
    name = _guess_flow_name(content) or _name_from_source(source)
    flow = parse_content(content, source=source, flow_name=name)
    metadata = flow.metadata or {}
    kind: Kind = "module" if flow.is_module else "flow"
    status = metadata.get("status")
    info = FlowInfo(
        name=name,
        kind=kind,
        type="MODULE"
        if kind == "module"
        else flow_type_from_designer(metadata.get("type")) or "CONTACT_FLOW",
        description=str(metadata.get("description") or ""),
        status=status.upper() if isinstance(status, str) else "PUBLISHED",
    )
    return FlowDocument(info=info, flow=flow, source=source, format="content")


_HEADER_KEYS = ("flowops", "name", "kind", "type", "description", "state", "status", "tags")


def _from_document(doc: Mapping[str, Any], source: str | None) -> FlowDocument:
    error = None if quick_document_valid(doc) else first_error(DOCUMENT_SCHEMA, doc)
    if error is not None:
        raise FlowParseError(
            error.message,
            file=source,
            flow=doc.get("name") if isinstance(doc.get("name"), str) else None,
            path=json_path(error.absolute_path),
        )
    if doc["flowops"] != DOCUMENT_FORMAT:
        raise FlowParseError(f"unsupported document format {doc['flowops']!r}", file=source)
    content = dict(doc["content"])
    layout = doc.get("layout")
    if layout is not None:
        content["Metadata"] = layout
    name = doc["name"]
    flow = parse_content(content, source=source, flow_name=name, path_prefix=("content",))
    kind: Kind = doc["kind"]
    info = FlowInfo(
        name=name,
        kind=kind,
        type=doc.get("type") or ("MODULE" if kind == "module" else "CONTACT_FLOW"),
        description=doc.get("description", ""),
        state=doc.get("state", "ACTIVE"),
        status=doc.get("status", "PUBLISHED"),
        tags=dict(doc.get("tags") or {}),
        extra={k: v for k, v in doc.items() if k not in _HEADER_KEYS + ("content", "layout")},
    )
    return FlowDocument(info=info, flow=flow, source=source, format="document")


def document_from_data(data: Any, *, source: str | None = None) -> FlowDocument:
    """Build a document from already-decoded JSON of any supported shape."""
    if not isinstance(data, Mapping):
        raise FlowParseError(
            f"expected a JSON object, found {type(data).__name__}", file=source, path="$"
        )
    if "flowops" in data:
        return _from_document(data, source)
    if isinstance(data.get("ContactFlow"), Mapping):
        return _from_api_object(data["ContactFlow"], "flow", source, ("ContactFlow",))
    if isinstance(data.get("ContactFlowModule"), Mapping):
        return _from_api_object(data["ContactFlowModule"], "module", source, ("ContactFlowModule",))
    if "Actions" not in data and "Content" in data:
        kind: Kind = "module" if "Settings" in data else "flow"
        return _from_api_object(data, kind, source, ())
    if "Actions" in data or "StartAction" in data:
        return _from_raw_content(data, source)
    raise FlowParseError(
        "not a flow: expected flow-language content (Version, StartAction, Actions), "
        "a flowops document, or DescribeContactFlow output",
        file=source,
        path="$",
    )


def parse_document_text(text: str, *, source: str | None = None) -> FlowDocument:
    """Parse the text of a flow file of any supported shape.

    A leading UTF-8 byte order mark (Windows editors write one) is ignored; ``flowops
    fmt`` writes the file back without it.
    """
    return document_from_data(_loads(text.removeprefix("\ufeff"), source), source=source)


def load_document(path: str | Path) -> FlowDocument:
    """Read and parse one flow file; unreadable files are bad input, not tracebacks."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FlowParseError(f"cannot read file: {exc}", file=source) from None
    return parse_document_text(text, source=source)
