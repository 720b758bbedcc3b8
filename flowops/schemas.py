"""Versions of flowops' machine outputs: every ``--format json`` document says its schema.

A tool reading flowops' JSON checks ``schema`` first. Adding a field keeps the version;
removing or changing one bumps it. docs/json.md describes each document.
"""

from __future__ import annotations

from typing import Any

#: Output -> schema id (``flowops-<output>/<version>``).
SCHEMAS = {
    "lint": "flowops-lint/1",
    "diff": "flowops-diff/1",  # diff and drift; see flowops/diff/diff.schema.json
    "plan": "flowops-plan/1",
    "promote": "flowops-promote/1",
    "export": "flowops-export/1",
    "import": "flowops-import/1",
    "history": "flowops-history/1",
    "rollback": "flowops-rollback/1",
    "canary": "flowops-canary/1",
    "canary-status": "flowops-canary-status/1",
    "graph": "flowops-graph/1",
    "sandbox-seed": "flowops-sandbox-seed/1",
    "measure": "flowops-measure/1",
    "canary-watch": "flowops-canary-watch/1",
    "doctor": "flowops-doctor/1",
    "unlock": "flowops-unlock/1",
    "test": "flowops.test/1",  # flowops.simulate.report.JSON_SCHEMA; see docs/test-json.md
}


def stamp(output: str, payload: dict[str, Any]) -> dict[str, Any]:
    """``payload`` with its ``schema`` first."""
    return {"schema": SCHEMAS[output], **payload}
