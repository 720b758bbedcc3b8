"""docs/sandbox.md lists every supported operation, and only those."""

from __future__ import annotations

import re
from pathlib import Path

from flowops.sandbox.backend.operations import SUPPORTED_OPERATIONS
from flowops.sandbox.lex import LEX_OPERATIONS
from flowops.sandbox.protocol import LEX_MODELS, service_model

DOC = Path(__file__).resolve().parents[2] / "docs" / "sandbox.md"


def _section(title: str) -> set[str]:
    text = DOC.read_text()
    section = text.split(f"## {title}", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"`([A-Z][A-Za-z0-9]+)`", section))


def test_every_supported_operation_is_documented() -> None:
    listed = _section("Supported operations")
    operations = set(service_model().operation_names)
    assert SUPPORTED_OPERATIONS - listed == set()
    assert (listed & operations) - SUPPORTED_OPERATIONS == set()


def test_every_lex_operation_is_documented() -> None:
    listed = _section("Lex V2 models API")
    operations = set(service_model(LEX_MODELS).operation_names)
    assert LEX_OPERATIONS <= operations
    assert listed & operations == LEX_OPERATIONS
