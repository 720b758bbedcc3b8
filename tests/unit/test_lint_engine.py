"""The lint engine: configuration, suppressions, parse failures, reporters, the corpus."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from flowops.errors import BadInputError
from flowops.files import collect_files
from flowops.graph import build_flow_graph, reachable_from_start, runtime_successors
from flowops.graph.cycles import strongly_connected_components
from flowops.lint import (
    LintConfig,
    Severity,
    lint_document,
    lint_paths,
    load_config,
    render_github,
    render_json,
    render_sarif,
    render_text,
)
from flowops.lint.config import config_from_data
from flowops.lint.docs import render_rules_markdown
from flowops.lint.engine import identifier_lines
from flowops.lint.rule import RuleContext
from flowops.lint.rules import ALL_RULES
from flowops.model import load_document
from tests.corpus import CORPUS, corpus_files, corpus_params

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "lint"
UNHANDLED = FIXTURES / "FL201" / "bad" / "unhandled.json"
DANGLING = FIXTURES / "FL102" / "bad" / "dangling.json"


def test_docs_rules_md_is_current() -> None:
    current = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    assert current == render_rules_markdown(), (
        "docs/rules.md is stale: run `flowops rules --markdown > docs/rules.md`"
    )


def test_readme_lists_every_rule() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for rule in ALL_RULES:
        row = f"| [{rule.id}](docs/rules.md#{rule.id.lower()}-{rule.name}) | {rule.name} |"
        assert row in readme, f"README.md's rule table lacks {rule.id}"


def test_rules_markdown_documents_every_rule() -> None:
    text = render_rules_markdown()
    for rule in ALL_RULES:
        assert f"### {rule.id} {rule.name}" in text
    assert "reason" in text and "flowops.yaml" in text


def test_lint_paths_reports_every_parse_failure_and_still_lints(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    (tmp_path / "notaflow.json").write_text('{"hello": 1}', encoding="utf-8")
    (tmp_path / "flow.json").write_text(UNHANDLED.read_text(encoding="utf-8"), encoding="utf-8")
    report = lint_paths([tmp_path])
    assert sorted(Path(e.file).name for e in report.errors) == ["broken.json", "notaflow.json"]
    assert "not valid JSON" in next(e.message for e in report.errors if "broken" in e.file)
    assert {f.rule for f in report.findings} >= {"FL201"}
    assert len(report.files) == 3


def test_collect_files_skips_hidden_folders_and_rejects_missing_paths(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.json").write_text("{}", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.json").write_text("{}", encoding="utf-8")
    (tmp_path / "b.txt").write_text("", encoding="utf-8")
    assert collect_files([tmp_path]) == [tmp_path / "sub" / "a.json"]
    with pytest.raises(BadInputError, match="no such file"):
        collect_files([tmp_path / "missing"])


def test_findings_carry_the_line_of_their_action() -> None:
    report = lint_paths([DANGLING])
    text = DANGLING.read_text(encoding="utf-8").splitlines()
    for finding in report.findings:
        if finding.action:
            assert finding.line is not None
            assert f'"Identifier": "{finding.action}"' in text[finding.line - 1]


def test_identifier_lines_handles_escapes() -> None:
    text = '{\n"Identifier": "a\\"b",\n\n "Identifier" : "c"}'
    assert identifier_lines(text) == {'a"b': 2, "c": 4}


def test_config_disables_rules_and_overrides_severity() -> None:
    doc = load_document(UNHANDLED)
    config = config_from_data(
        {"rules": {"FL502": {"enabled": False}, "unhandled-error": {"severity": "error"}}}
    )
    findings = lint_document(doc, config)
    assert not any(f.rule == "FL502" for f in findings)
    fl201 = [f for f in findings if f.rule == "FL201"]
    assert fl201 and all(f.severity is Severity.error for f in fl201)
    default = lint_document(doc)
    assert any(f.rule == "FL201" and f.severity is Severity.info for f in default)


def test_suppressions_by_flow_and_action() -> None:
    doc = load_document(UNHANDLED)
    before = [f for f in lint_document(doc) if f.rule == "FL201"]
    by_action = config_from_data(
        {"ignore": [{"rule": "FL201", "flow": "Unhandled", "action": "xfer", "reason": "r"}]}
    )
    after = [f for f in lint_document(doc, by_action) if f.rule == "FL201"]
    assert [f.action for f in before if f.action != "xfer"] == [f.action for f in after]
    by_flow = config_from_data({"ignore": [{"rule": "FL201", "flow": "Unh*", "reason": "r"}]})
    assert not [f for f in lint_document(doc, by_flow) if f.rule == "FL201"]
    other_flow = config_from_data({"ignore": [{"rule": "FL201", "flow": "Main", "reason": "r"}]})
    assert len([f for f in lint_document(doc, other_flow) if f.rule == "FL201"]) == len(before)


def test_suppressed_findings_are_counted_in_the_report() -> None:
    config = config_from_data(
        {"ignore": [{"rule": "FL102", "file": "*/dangling.json", "reason": "r"}]}
    )
    report = lint_paths([DANGLING], config)
    assert not [f for f in report.findings if f.rule == "FL102"]
    assert report.suppressed == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"rules": {"FL999": {"enabled": False}}}, "unknown rule 'FL999'"),
        ({"rules": {"FL101": {"severity": "fatal"}}}, "expected error, warning or info"),
        ({"rules": {"FL101": {"enabled": "no"}}}, "expected true or false"),
        ({"ignore": [{"rule": "FL101"}]}, "'reason' is required"),
        ({"ignore": [{"rule": "FL101", "reason": "  "}]}, "'reason' is required"),
        ({"ignore": [{"reason": "x"}]}, "'rule' is required"),
        ({"ignore": [{"rule": "FL101", "reason": "x", "line": 3}]}, "expected keys"),
        ({"ignore": {"rule": "FL101"}}, "expected a list"),
        ({"rulez": {}}, "takes 'rules' and 'ignore'"),
    ],
)
def test_bad_configuration_is_bad_input(data: object, message: str) -> None:
    with pytest.raises(BadInputError, match=message.replace("(", r"\(")):
        config_from_data(data, "flowops.yaml")


def test_load_config_finds_flowops_yaml_then_pyproject(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "flows").mkdir()
    assert load_config(start=tmp_path / "flows") == LintConfig()
    (tmp_path / "pyproject.toml").write_text(
        "[tool.flowops.lint]\nrules = {FL104 = {enabled = false}}\n", encoding="utf-8"
    )
    from_toml = load_config(start=tmp_path / "flows")
    assert not from_toml.enabled("FL104") and from_toml.enabled("FL101")
    (tmp_path / "flowops.yaml").write_text(
        "lint:\n  rules:\n    FL105: {severity: info}\n", encoding="utf-8"
    )
    from_yaml = load_config(start=tmp_path / "flows")
    assert from_yaml.enabled("FL104")
    assert from_yaml.severity("FL105", Severity.warning) is Severity.info
    explicit = load_config(tmp_path / "pyproject.toml")
    assert not explicit.enabled("FL104")
    with pytest.raises(BadInputError, match="not found"):
        load_config(tmp_path / "nope.yaml")


def test_load_config_rejects_malformed_yaml(tmp_path: Path) -> None:
    path = tmp_path / "flowops.yaml"
    path.write_text("lint: [unclosed", encoding="utf-8")
    with pytest.raises(BadInputError, match="cannot read"):
        load_config(path)


def test_strongly_connected_components() -> None:
    adjacency = {"a": ["b"], "b": ["c", "a"], "c": ["c"], "d": ["a"]}
    components = sorted(sorted(c) for c in strongly_connected_components(adjacency))
    assert components == [["a", "b"], ["c"], ["d"]]


# --- reporters -------------------------------------------------------------------------


def test_render_json_lists_findings_with_required_keys() -> None:
    report = lint_paths([DANGLING, UNHANDLED])
    data = json.loads(render_json(report))
    assert data["schema"] == "flowops-lint/1" and data["files"] == 2
    assert len(data["findings"]) == len(report.findings) > 0
    for item in data["findings"]:
        assert {"rule", "severity", "file", "flow", "action", "message"} <= set(item)
    flow_level = lint_paths([FIXTURES / "FL101" / "bad" / "start_empty.json"])
    found = json.loads(render_json(flow_level))["findings"]
    assert any(item["action"] is None for item in found)


def test_unreadable_files_are_fl000_findings_in_every_machine_format(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    report = lint_paths([bad, DANGLING])
    assert report.errors
    found = json.loads(render_json(report))["findings"]
    unreadable = [f for f in found if f["rule"] == "FL000"]
    assert len(unreadable) == 1 and unreadable[0]["file"] == str(bad)
    assert unreadable[0]["severity"] == "error"
    sarif = json.loads(render_sarif(report))["runs"][0]
    assert any(r["id"] == "FL000" for r in sarif["tool"]["driver"]["rules"])
    hit = next(r for r in sarif["results"] if r["ruleId"] == "FL000")
    rules = sarif["tool"]["driver"]["rules"]
    assert rules[hit["ruleIndex"]]["id"] == "FL000"
    assert hit["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("bad.json")
    github = render_github(report)
    assert any(
        line.startswith("::error file=") and "bad.json" in line and "FL000" in line
        for line in github.splitlines()
    )


def test_render_text_groups_by_file_and_summarises() -> None:
    report = lint_paths([DANGLING, UNHANDLED])
    text = render_text(report)
    assert text.index(str(DANGLING)) < text.index(str(UNHANDLED))
    assert "FL102 error" in text and "action 'greet'" in text
    assert text.rstrip().endswith("in 2 of 2 file(s)")


def test_render_sarif_is_valid_2_1_0() -> None:
    report = lint_paths([DANGLING, UNHANDLED])
    sarif = json.loads(render_sarif(report))
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [r.id for r in ALL_RULES] + ["FL000"]
    for rule in rules:  # GitHub shows help as the alert's documentation
        assert rule["help"]["markdown"].startswith(rule["shortDescription"]["text"])
        assert rule["defaultConfiguration"]["level"] in {"error", "warning", "note"}
    assert len(run["results"]) == len(report.findings)
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in {"error", "warning", "note"}
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1
        assert not result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith(
            "/"
        )


def test_render_sarif_validates_against_the_sarif_schema_subset() -> None:
    schema = {
        "type": "object",
        "required": ["version", "runs"],
        "properties": {
            "runs": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["tool", "results"],
                    "properties": {
                        "results": {
                            "type": "array",
                            "items": {"type": "object", "required": ["ruleId", "message"]},
                        }
                    },
                },
            }
        },
    }
    jsonschema.validate(json.loads(render_sarif(lint_paths([DANGLING]))), schema)


def test_render_github_writes_workflow_commands() -> None:
    report = lint_paths([DANGLING, UNHANDLED])
    lines = render_github(report).splitlines()
    assert len(lines) == len(report.findings)
    assert any(line.startswith("::error file=") and ",line=" in line for line in lines)
    assert any(line.startswith("::notice ") for line in lines)  # info findings
    assert all("\n" not in line for line in lines)


def test_reporters_handle_an_empty_report() -> None:
    report = lint_paths([FIXTURES / "FL101" / "good" / "start_ok.json"])
    assert json.loads(render_json(report))["findings"] == []
    assert render_github(report) == ""
    assert json.loads(render_sarif(report))["runs"][0]["results"] == []


# --- the corpus ------------------------------------------------------------------------


@pytest.mark.corpus
@pytest.mark.parametrize("path", corpus_params())
def test_every_corpus_flow_lints_without_crashing(path: Path) -> None:
    findings = lint_document(load_document(path))
    for finding in findings:
        assert finding.rule in {r.id for r in ALL_RULES}
        assert finding.message


@pytest.mark.corpus
def test_no_rule_fires_on_most_corpus_files() -> None:
    files = corpus_files()
    if not files:
        pytest.skip(f"corpus not found at {CORPUS} (needs ../shared)")
    report = lint_paths(files)
    assert not report.errors
    total = len(report.files)
    for rule in ALL_RULES:
        hit = {f.file for f in report.findings if f.rule == rule.id and f.severity.rank >= 1}
        assert len(hit) < total / 2, f"{rule.id} warns on {len(hit)} of {total} corpus files"


def _all_flows() -> list[Path]:
    return sorted(FIXTURES.rglob("*.json")) + corpus_files()


def test_context_successors_and_reachability_match_the_graph_module() -> None:
    for path in _all_flows():
        doc = load_document(path)
        graph = build_flow_graph(doc.flow)
        ctx = RuleContext(doc)
        assert set(ctx.graph.nodes) == set(graph)
        for node in graph:
            assert set(ctx.successors[node]) == set(runtime_successors(graph, node)), path
        assert ctx.reachable == reachable_from_start(graph), path


def test_sarif_uri_is_an_escaped_relative_reference_and_github_file_is_plain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "my flows"
    folder.mkdir()
    shutil.copy(DANGLING, folder / "dangling.json")
    monkeypatch.chdir(tmp_path)
    report = lint_paths([folder])
    result = json.loads(render_sarif(report))["runs"][0]["results"][0]
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "my%20flows/dangling.json"
    assert render_github(report).startswith("::error file=my flows/dangling.json,line=")
