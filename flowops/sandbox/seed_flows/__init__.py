"""The dev account's seed flows and modules, as JSON files next to this module.

``modules/*.json`` and ``flows/*.json`` each hold ``name``, ``type`` (a contact flow type, or
``MODULE``), ``description`` and ``content``: the flow-language document as Connect stores
it, with designer ``Metadata``, and resource references left as ``{{kind:Name}}`` tokens
that the seed replaces with the ARNs (or module ids) of the account being seeded. A test
keeps a seeded dev export equal to the repository's ``flows/``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
#: The flow the dev phone number is associated with.
MAIN_FLOW = "Main Inbound"


@dataclass(frozen=True)
class SeedFlow:
    """A flow or module to seed."""

    name: str
    type: str
    description: str
    document: dict[str, Any]

    def build(self) -> dict[str, Any]:
        """The flow-language document (with ``{{kind:Name}}`` tokens)."""
        return json.loads(json.dumps(self.document))  # type: ignore[no-any-return]

    def content(self) -> str:
        """The document as Connect stores it (JSON text, tokens unresolved)."""
        return json.dumps(self.document, separators=(",", ":"))


def load(folder: str) -> list[SeedFlow]:
    """The seed flows of ``modules`` or ``flows``, by file name."""
    found = []
    for path in sorted((HERE / folder).glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        found.append(SeedFlow(data["name"], data["type"], data["description"], data["content"]))
    return found


MODULES = load("modules")
FLOWS = load("flows")
