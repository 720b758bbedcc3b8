"""The sandbox's per-action rules accept every corpus flow Connect would accept.

Each real flow is validated without its references (they name other people's accounts) as
its own type (``Metadata.type``, ``MODULE`` when it has ``Settings``) or, when it does not
say, as any type that accepts it. Drafts Connect cannot publish (dangling transitions, an
empty ``StartAction``, unconfigured blocks) are recognised by the structural checks and the
required parameters, and named here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import cast

import pytest

from flowops.model.document import FLOW_TYPES, flow_type_from_designer
from flowops.sandbox.action_rules import action_problems
from flowops.sandbox.validation import validate_content
from tests.corpus import corpus_params

pytestmark = pytest.mark.corpus

#: Corpus files Connect would refuse to publish, and why (checked: they must be refused).
REFUSED = {
    "sophyphile__amazon-connect-terraform-flow-templater__sample_flows_custom_cq.json": (
        "a template whose Wisdom, Lambda and callback blocks are unconfigured"
    ),
}


def _document(path: Path) -> dict[str, object] | None:
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except ValueError:
        return None
    return doc if isinstance(doc, dict) and isinstance(doc.get("Actions"), list) else None


def _types(doc: dict[str, object]) -> list[str | None]:
    if "Settings" in doc:
        return ["MODULE"]
    meta = doc.get("Metadata")
    declared = flow_type_from_designer(meta.get("type")) if isinstance(meta, dict) else None
    return [declared] if declared else list(FLOW_TYPES)


def _structural(doc: dict[str, object]) -> list[str]:
    """Problems that are not per-action rules (drafts fail these in Connect too)."""
    rules = {
        p
        for a in cast(list[object], doc["Actions"])
        if isinstance(a, dict)
        for p in action_problems(str(a.get("Type")), a.get("Parameters"), None)
    }
    problems = validate_content(json.dumps(doc), None, None)
    return [p for p in problems if not any(p.endswith(r) for r in rules)]


@pytest.mark.parametrize("path", corpus_params())
def test_corpus_flows_connect_accepts_pass_the_action_rules(path: Path) -> None:
    doc = _document(path)
    if doc is None:
        pytest.skip("not a flow-language document")
    if _structural(doc):
        pytest.skip(f"a draft Connect would not publish: {_structural(doc)[0]}")
    verdicts = {t: validate_content(json.dumps(doc), None, t) for t in _types(doc)}
    accepted = [t for t, problems in verdicts.items() if not problems]
    refused_because = REFUSED.get(path.name, "")
    if refused_because:
        assert not accepted, f"expected refused: {refused_because}"
    else:
        assert accepted, f"refused as {list(verdicts)}: {next(iter(verdicts.values()))}"


def test_refused_corpus_files_exist_and_name_their_missing_parameters() -> None:
    files = [p for p in corpus_params() if p.values[0] is not None]  # type: ignore[attr-defined]
    if not files:
        pytest.skip("corpus not found")
    for key in REFUSED:
        matches = [p.values[0] for p in files if p.values[0].name == key]  # type: ignore[attr-defined]
        assert matches, key
        for path in matches:
            doc = _document(path)
            assert doc is not None
            assert any("requires Parameters" in p for p in validate_content(json.dumps(doc), None))
