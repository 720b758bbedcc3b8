"""Every rule against its fixtures, plus the meta-test that keeps rules documented.

Fixtures: ``tests/fixtures/lint/<ID>/{good,bad}/*.json`` and ``expected.yaml`` listing the
exact findings of that rule in each bad file (action, message fragment, and severity
when it differs from the rule's default). Good files yield no finding of that rule.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest
import yaml

from flowops.lint import ALL_RULES, Finding, lint_document
from flowops.lint.config import LintConfig, RuleSetting
from flowops.lint.rules import RULES_BY_ID
from flowops.model import load_document

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lint"


def _only(rule_id: str) -> LintConfig:
    """A configuration running one rule, so fixtures test rules in isolation."""
    return LintConfig(rules={r.id: RuleSetting(enabled=r.id == rule_id) for r in ALL_RULES})


def _findings(rule_id: str, path: Path) -> list[Finding]:
    return lint_document(load_document(path), _only(rule_id))


def _cases(kind: str) -> list[Any]:
    return [
        pytest.param(rule_dir.name, path, id=f"{rule_dir.name}/{kind}/{path.name}")
        for rule_dir in sorted(FIXTURES.iterdir())
        for path in sorted((rule_dir / kind).glob("*.json"))
    ]


def _expected(rule_id: str) -> dict[str, list[dict[str, Any]]]:
    data: dict[str, list[dict[str, Any]]] = yaml.safe_load(
        (FIXTURES / rule_id / "expected.yaml").read_text(encoding="utf-8")
    )
    return data


@pytest.mark.parametrize(("rule_id", "path"), _cases("good"))
def test_good_fixture_yields_no_finding(rule_id: str, path: Path) -> None:
    assert _findings(rule_id, path) == []


@pytest.mark.parametrize(("rule_id", "path"), _cases("bad"))
def test_bad_fixture_yields_exactly_the_expected_findings(rule_id: str, path: Path) -> None:
    expected = _expected(rule_id)[path.name]
    found = _findings(rule_id, path)
    default = RULES_BY_ID[rule_id].severity
    assert len(found) == len(expected), [f.message for f in found]
    unmatched = list(found)
    for item in expected:
        match = next(
            (
                f
                for f in unmatched
                if f.action == item["action"]
                and item["message"] in f.message
                and f.severity.value == item.get("severity", default.value)
            ),
            None,
        )
        assert match is not None, f"no finding like {item} in {[str(f) for f in unmatched]}"
        unmatched.remove(match)
        assert match.rule == rule_id
        assert match.file == str(path)


def test_every_rule_has_good_and_bad_fixtures_and_expectations() -> None:
    for rule in ALL_RULES:
        folder = FIXTURES / rule.id
        good = list((folder / "good").glob("*.json"))
        bad = sorted(p.name for p in (folder / "bad").glob("*.json"))
        assert good, f"{rule.id} has no good fixture"
        assert bad, f"{rule.id} has no bad fixture"
        assert sorted(_expected(rule.id)) == bad, f"{rule.id}: expected.yaml and bad/ differ"
    assert sorted(p.name for p in FIXTURES.iterdir()) == sorted(r.id for r in ALL_RULES)


def test_rule_ids_and_names_are_unique_and_files_are_named_after_ids() -> None:
    ids = [r.id for r in ALL_RULES]
    names = [r.name for r in ALL_RULES]
    assert len(set(ids)) == len(ids)
    assert len(set(names)) == len(names)
    for rule in ALL_RULES:
        module = Path(inspect.getfile(rule)).name
        assert module.startswith(rule.id.lower() + "_"), (rule.id, module)
        assert rule.id[:2] == "FL" and rule.id[2:].isdigit() and len(rule.id) == 5


def test_one_rule_per_module() -> None:
    modules = [inspect.getmodule(r) for r in ALL_RULES]
    assert len(set(modules)) == len(modules)


def test_every_rule_documents_rationale_anti_pattern_and_best_practice() -> None:
    for rule in ALL_RULES:
        doc = inspect.cleandoc(rule.__doc__ or "")
        summary, _, body = doc.partition("\n")
        assert summary.endswith("."), rule.id
        assert len(body.strip()) > 100, f"{rule.id} needs a rationale"
        assert "*Anti-pattern*" in body, rule.id
        assert "*Best practice*" in body, rule.id
