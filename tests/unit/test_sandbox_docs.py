"""docs/sandbox.md lists every supported operation, and only those."""

from __future__ import annotations

import re
from pathlib import Path

from flowops.sandbox.protocol import service_model
from flowops.sandbox.service import SUPPORTED_OPERATIONS

DOC = Path(__file__).resolve().parents[2] / "docs" / "sandbox.md"


def test_every_supported_operation_is_documented() -> None:
    text = DOC.read_text()
    section = text.split("## Supported operations", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"`([A-Z][A-Za-z0-9]+)`", section))
    operations = set(service_model().operation_names)
    assert SUPPORTED_OPERATIONS - listed == set()
    assert (listed & operations) - SUPPORTED_OPERATIONS == set()
