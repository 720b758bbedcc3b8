"""Scenario files: schema, bad input naming file/line/field, and every expectation kind."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from flowops.simulate.scenario import ScenarioError, load_scenarios, parse_scenarios
from flowops.simulate.suite import run_scenarios, run_suite
from flowops.simulate.world import load_flowset

REPO = Path(__file__).resolve().parents[2]

GOOD = """\
name: press 2
flow: Main Inbound
given:
  lambdas:
    lambda:lookup-customer: [{result: {name: Ann, tier: gold}}]
  hours: open
  inputs: ["2"]
expect:
  queue: queue:Support
"""


@pytest.mark.parametrize(
    ("text", "line", "field", "fragment"),
    [
        ("name: x\nflow: Main\nexpect:\n  ends: vanished\n", 4, "expect.ends", "is not one of"),
        ('name: x\nflow: Main\ngiven:\n  inputs: ["1", pressed]\n', 4, "given.inputs[1]", ""),
        ("name: x\nflow: Main\ngivne: {}\n", 1, "", "unknown field"),
        ("name: x\n", 1, "", "'flow' is a required property"),
        ("name: x\nflow: Main\nexpect:\n  max_blocks: 0\n", 4, "expect.max_blocks", "minimum"),
        (
            "name: x\nflow: Main\ngiven:\n  lambdas:\n    lambda:a: [{error: Boom}]\n",
            5,
            "given.lambdas.lambda:a[0].error",
            "is not one of",
        ),
        ("name: x\nflow: Main\ngiven:\n  distribute: [101]\n", 4, "given.distribute[0]", "maximum"),
        ("name: x\nflow: [oops\n", 3, "", "not valid YAML"),
        ("name: x\nname: y\nflow: Main\n", 2, "name", "duplicate key"),
        ("- just\n- a list\n", 1, "", "expected a mapping"),
        ("", 1, "", "empty file"),
        ("scenarios:\n  - name: a\n    flow: M\n  - name: b\n", 4, "", "'flow' is a required"),
    ],
)
def test_bad_scenarios_name_file_line_and_field(
    text: str, line: int, field: str, fragment: str
) -> None:
    with pytest.raises(ScenarioError) as info:
        parse_scenarios(text, "scenarios/bad.yaml")
    err = info.value
    assert err.exit_code == 2
    assert err.file == "scenarios/bad.yaml" and err.line == line and err.field == field
    assert str(err).startswith(f"scenarios/bad.yaml:{line}:")
    assert fragment in str(err)


def test_duplicate_names_across_files(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD)
    (tmp_path / "b.yml").write_text(GOOD)
    with pytest.raises(ScenarioError, match=r"b.yml:1: field 'name': .*also defined in .*a.yaml:1"):
        load_scenarios(tmp_path)


def test_unknown_entry_flow_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("name: x\nflow: Nowhere\n")
    with pytest.raises(Exception, match=r"a.yaml:2: field 'flow': no flow named 'Nowhere'"):
        run_suite(REPO / "flows", tmp_path)


def _result(expect: str, given: str = "") -> tuple[str, str]:
    scenario = parse_scenarios(
        "name: t\nflow: Main Inbound\ngiven:\n"
        "  lambdas: {lambda:lookup-customer: [{result: {name: Ann, tier: gold}}]}\n"
        "  hours: open\n  inputs: ['2']\n" + given + "expect:\n" + expect
    )
    report = run_scenarios(load_flowset(REPO / "flows"), scenario)
    result = report.results[0]
    return result.status, result.message


@pytest.mark.parametrize(
    ("expect", "passes", "fragment"),
    [
        ("  prompts: [Welcome, Main Menu]\n", True, ""),
        ("  prompts: [Main Menu, Welcome]\n", False, "contains 'Welcome' after step"),
        ("  prompts: [{equals: 'Incoming call from Ann, tier gold.'}]\n", True, ""),
        ("  prompts: [{equals: 'Incoming call'}]\n", False, "equals 'Incoming call'"),
        ("  not_prompts: [technical difficulties]\n", True, ""),
        ("  not_prompts: [Main Menu]\n", False, "heard '[prompt Main Menu]'"),
        ("  attributes: {customerTier: gold, missing: null}\n", True, ""),
        ("  attributes: {customerTier: silver}\n", False, "expected 'silver'"),
        ("  queue: queue:Support\n", True, ""),
        ("  queue: Support\n", True, ""),
        ("  queue: queue:Sales\n", False, "expected queue 'queue:Sales'"),
        ("  queue: null\n", False, "expected none"),
        ("  ends: queue\n", True, ""),
        ("  ends: disconnect\n", False, "it ended by queue"),
        ("  transfers: [flow:After Hours]\n", False, "expected a transfer"),
        ("  never: [TransferToFlow]\n", True, ""),
        ("  never: [CheckHoursOfOperation]\n", False, "ran (Main Inbound"),
        ("  visits: [Authenticate Caller/ea7d3276-93be-5e53-9774-4be19e855256]\n", True, ""),
        ("  visits: [CreateTask]\n", False, "never ran"),
        ("  max_blocks: 30\n", True, ""),
        ("  max_blocks: 3\n", False, "at most 3 expected"),
    ],
)
def test_every_expectation_kind(expect: str, passes: bool, fragment: str) -> None:
    status, message = _result(expect)
    assert (status == "passed") is passes, message
    assert fragment in message


def test_missing_input_is_incomplete_and_names_the_input() -> None:
    scenario = parse_scenarios("name: t\nflow: Main Inbound\n")
    result = run_scenarios(load_flowset(REPO / "flows"), scenario).results[0]
    assert result.status == "incomplete"
    assert "given.lambdas['lambda:lookup-customer']" in result.message


def test_committed_scenarios_pass_with_full_coverage() -> None:
    report = run_suite(REPO / "flows", REPO / "scenarios")
    failed = [(r.scenario.name, r.message) for r in report.results if not r.passed]
    assert not failed
    assert report.coverage.percent == 100.0
    assert {f.name for f in report.coverage.flows} >= {"Main Inbound", "Authenticate Caller"}


def test_scenarios_folder_can_live_anywhere(tmp_path: Path) -> None:
    shutil.copy(REPO / "scenarios" / "billing.yaml", tmp_path / "b.yaml")
    report = run_suite(REPO / "flows", tmp_path)
    assert report.passed == 2 and 0 < report.coverage.percent < 100


@pytest.mark.parametrize(
    ("given", "line", "field", "fragment"),
    [
        (
            "  lambdas:\n    lambda:lookup-custmer: [{result: {}}]\n",
            5,
            "given.lambdas.lambda:lookup-custmer",
            "no flow uses reference 'lambda:lookup-custmer'",
        ),
        ("  hours: {hours:Office Hours: open}\n", 4, "given.hours.hours:Office Hours", "reference"),
        ("  queues:\n    queue:Suport: {at_capacity: true}\n", 5, "given.queues.queue:Suport", ""),
        ("  outcomes:\n    no-such-block: [success]\n", 5, "given.outcomes.no-such-block", "block"),
    ],
)
def test_references_the_flows_do_not_use_are_bad_input(
    given: str, line: int, field: str, fragment: str
) -> None:
    scenario = parse_scenarios(
        "name: t\nflow: Main Inbound\ngiven:\n" + given, "scenarios/typo.yaml"
    )
    with pytest.raises(ScenarioError) as info:
        run_scenarios(load_flowset(REPO / "flows"), scenario)
    assert (info.value.line, info.value.field) == (line, field)
    assert str(info.value).startswith(f"scenarios/typo.yaml:{line}: field '{field}'")
    assert fragment in str(info.value)


def test_known_references_by_short_name_and_type_are_fine() -> None:
    scenario = parse_scenarios(
        "name: t\nflow: Main Inbound\ngiven:\n  lambdas: {lookup-customer: [{result: {}}]}\n"
        "  hours: {hours:Business Hours: open}\n  queues: {Support: {at_capacity: true}}\n"
        "  outcomes: {UpdateContactTextToSpeechVoice: [success]}\n  inputs: ['2']\n"
    )
    report = run_scenarios(load_flowset(REPO / "flows"), scenario)
    assert report.results[0].run.end is not None
