"""The flow language: immutable types, parsing, JSON Schema and canonical form."""

from flowops.model.canonical import canonical_content, dump_content, dump_document
from flowops.model.document import FlowDocument, FlowInfo
from flowops.model.parse import load_document, parse_content, parse_document_text
from flowops.model.types import Action, Condition, ErrorBranch, Flow, Transitions

__all__ = [
    "Action",
    "Condition",
    "ErrorBranch",
    "Flow",
    "FlowDocument",
    "FlowInfo",
    "Transitions",
    "canonical_content",
    "dump_content",
    "dump_document",
    "load_document",
    "parse_content",
    "parse_document_text",
]
