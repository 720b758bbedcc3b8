"""The publish rules (``flowops.model.action_rules``, used by the sandbox and by plan)
accept every corpus flow Connect would accept: zero false positives on real flows.

Each real flow is validated without its references (they name other people's accounts) as
its own type (``Metadata.type``, ``MODULE`` when it has ``Settings``) or, when it does not
say, as any type that accepts it. Drafts Connect cannot publish (dangling transitions, an
empty ``StartAction``) are recognised by the structural checks and skipped; no publishable
real flow is refused by a per-action rule.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flowops.model.action_rules import publish_problems
from flowops.model.document import FLOW_TYPES, flow_type_from_designer
from flowops.sandbox.validation import validate_content
from tests.corpus import corpus_files, corpus_params

pytestmark = pytest.mark.corpus

#: A draft (SAVED, ``StartAction: ""``) whose Wisdom, Lambda and callback blocks are
#: unconfigured: the rules name its missing parameters besides the dangling links.
UNCONFIGURED_DRAFT = (
    "sophyphile__amazon-connect-terraform-flow-templater__sample_flows_custom_cq.json"
)


def _document(path: Path) -> dict[str, object] | None:
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except ValueError:
        return None
    return doc if isinstance(doc, dict) and isinstance(doc.get("Actions"), list) else None


def _types(doc: dict[str, object]) -> list[str]:
    if "Settings" in doc:
        return ["MODULE"]
    meta = doc.get("Metadata")
    declared = flow_type_from_designer(meta.get("type")) if isinstance(meta, dict) else None
    return [declared] if declared else list(FLOW_TYPES)


def _draft(doc: dict[str, object]) -> list[str]:
    """Problems that are not per-action rules (drafts fail these in Connect too)."""
    return [p.message for p in publish_problems(doc, None) if p.check != "action"]


def _refusals(doc: dict[str, object]) -> dict[str, list[str]]:
    """The per-action refusals of ``doc`` for each type it may be published as."""
    return {
        ftype: [p.message for p in publish_problems(doc, ftype) if p.check == "action"]
        for ftype in _types(doc)
    }


@pytest.mark.parametrize("path", corpus_params())
def test_corpus_flows_connect_accepts_pass_the_action_rules(path: Path) -> None:
    doc = _document(path)
    if doc is None:
        pytest.skip("not a flow-language document")
    if _draft(doc):
        pytest.skip(f"a draft Connect would not publish: {_draft(doc)[0]}")
    verdicts = _refusals(doc)
    accepted = [t for t, problems in verdicts.items() if not problems]
    assert accepted, f"refused as {list(verdicts)}: {next(iter(verdicts.values()))}"
    # the sandbox's own answer agrees (references aside)
    assert validate_content(json.dumps(doc), None, accepted[0]) == []


def test_every_publishable_corpus_flow_is_accepted_and_the_rules_are_exercised() -> None:
    """One summary over the whole corpus: how many flows the rules judged, none refused,
    and flows of declared types put restricted actions where the rules allow them."""
    files = corpus_files()
    if not files:
        pytest.skip("corpus not found (needs ../shared/corpus)")
    judged, refused = 0, []
    typed: set[tuple[str, str]] = set()
    for path in files:
        doc = _document(path)
        if doc is None or _draft(doc):
            continue
        judged += 1
        verdicts = _refusals(doc)
        if all(verdicts.values()):
            refused.append(path.name)
        if len(verdicts) == 1:
            ftype = next(iter(verdicts))
            actions = doc["Actions"]
            assert isinstance(actions, list)
            typed |= {(str(a.get("Type")), ftype) for a in actions if isinstance(a, dict)}
    assert refused == []
    assert judged > 200
    assert ("MessageParticipantIteratively", "CUSTOMER_QUEUE") in typed
    assert ("TransferContactToQueue", "CONTACT_FLOW") in typed


def test_an_unconfigured_draft_is_refused_naming_its_missing_parameters() -> None:
    files = {p.name: p for p in corpus_files()}
    if not files:
        pytest.skip("corpus not found (needs ../shared/corpus)")
    doc = _document(files[UNCONFIGURED_DRAFT])
    assert doc is not None and _draft(doc)
    problems = validate_content(json.dumps(doc), None, "CUSTOMER_QUEUE")
    assert any("CreateWisdomSession requires Parameters.WisdomAssistantArn" in p for p in problems)
