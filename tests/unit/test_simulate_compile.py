"""Scenario -> test case: valid Testing language, the documented settings, one verdict."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from flowops.errors import BadInputError
from flowops.simulate.compile import (
    CompileSettings,
    Uncompilable,
    compile_scenario,
    content_problems,
    owned_name,
)
from flowops.simulate.native import execute
from flowops.simulate.scenario import Scenario, dump_scenario, load_scenarios, parse_scenarios
from flowops.simulate.suite import run_scenario
from flowops.simulate.world import load_flowset

REPO = Path(__file__).resolve().parents[2]
FLOWS = load_flowset(REPO / "flows")
SCENARIOS = load_scenarios(REPO / "scenarios")


def identity(ref: str) -> str:
    return ref


def hours(ref: str) -> bool | None:
    return {"hours:flowops-always-open": True, "hours:flowops-always-closed": False}.get(ref)


def compiled(scenario: Scenario, settings: CompileSettings | None = None) -> Any:
    run = run_scenario(FLOWS, scenario).run
    return compile_scenario(scenario, run, identity, f"flow:{scenario.flow}", settings)


def compilable() -> list[Scenario]:
    out = []
    for scenario in SCENARIOS:
        try:
            compiled(scenario)
        except Uncompilable:
            continue
        out.append(scenario)
    return out


@pytest.mark.parametrize("scenario", compilable(), ids=lambda s: s.name[:60])
def test_committed_scenarios_compile_to_valid_content_that_passes(scenario: Scenario) -> None:
    case = compiled(scenario)
    assert content_problems(case.content) == []
    assert case.name == owned_name(scenario.name) and case.name.startswith("flowops-")
    assert case.entry_point["VoiceCallEntryPointParameters"] == {"FlowId": f"flow:{scenario.flow}"}
    assert json.loads(case.initialization_data)["SegmentAttributes"] == {}
    attributes = scenario.given.get("attributes") or {}
    outcome = execute(
        case.content, FLOWS, FLOWS.entry_flow(scenario.flow), attributes=attributes, hours=hours
    )
    assert outcome.status == "PASSED", outcome.message


def test_most_committed_scenarios_have_a_native_form() -> None:
    names = {s.name for s in compilable()}
    assert {"open hours, press 2, reach Support", "balance question reads the balance"} <= names
    assert len(names) >= 24  # of 58: the others force a block no test case can override


def _find(content: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [a for o in content["Observations"] for a in o["Actions"] if a["Type"] == kind]


PRESS = next(s for s in SCENARIOS if s.name == "open hours, press 2, reach Support")
SAYS = next(s for s in SCENARIOS if s.name == "balance question reads the balance")
SUNDAY = next(s for s in SCENARIOS if s.name.startswith("after hours on a Sunday"))


def test_default_settings_follow_the_evidence() -> None:
    content = compiled(PRESS).content
    assert content["Version"] == "2019-10-30"
    overrides = _find(content, "OverrideSystemBehavior")
    lam = overrides[0]["Parameters"]["Behavior"]["Properties"]
    assert lam["ActionType"] == "InvokeLambdaFunction"
    result = lam["Strategy"]["Response"]["ExecutionResult"]
    assert json.loads(result["LoadedData"]) == {"name": "Ann", "tier": "gold"}
    hours_override = overrides[1]["Parameters"]["Behavior"]["Properties"]
    assert hours_override["Strategy"] == {
        "Type": "SubstituteResource",
        "SubstituteArn": "hours:flowops-always-open",
    }
    dtmf = _find(content, "SendInstruction")[0]["Parameters"]["Instruction"]
    assert dtmf == {"Type": "DtmfInput", "Properties": {"Value": "2"}}
    last = content["Observations"][-1]
    assert last["Event"]["Type"] == "FlowActionStarted"  # ends before the queue transfer
    assert last["Event"]["Properties"]["ActionParameters"] == {"QueueId": "queue:Support"}
    assert last["Actions"][-1]["Parameters"]["Command"] == {"Type": "EndTest"}
    assert all("Usage" not in o for o in content["Observations"])
    for obs in content["Observations"]:
        props = obs["Event"]["Properties"]
        if obs["Event"]["Type"] == "MessageReceived":
            assert props["MatchingCriteria"] == {"Type": "Inclusion"}


def test_each_setting_changes_what_it_says() -> None:
    settings = CompileSettings.from_mapping(
        {
            "version": "2025-06-21",
            "utterance": "Utterance",
            "lambda_payload": "Value",
            "hours": "mock",
            "matching": "Similarity",
            "name_prefix": "qa-",
        }
    )
    case = compiled(SAYS, settings)
    assert case.content["Version"] == "2025-06-21" and case.name.startswith("qa-")
    utterance = _find(case.content, "SendInstruction")[0]["Parameters"]["Instruction"]
    assert utterance == {
        "Type": "Utterance",
        "Properties": {"Value": "what is my balance", "LanguageCode": "en-US"},
    }
    lam = [
        o["Parameters"]["Behavior"]["Properties"]
        for o in _find(case.content, "OverrideSystemBehavior")
        if o["Parameters"]["Behavior"]["Properties"]["ActionType"] == "InvokeLambdaFunction"
    ][0]
    assert "Value" in lam["Strategy"]["Response"]["ExecutionResult"]
    closed = compiled(SUNDAY, settings).content
    mock = _find(closed, "OverrideSystemBehavior")[1]["Parameters"]["Behavior"]["Properties"]
    assert mock["Strategy"]["Response"]["ExecutionResult"] == {"Value": "OutOfHours"}
    default_text = compiled(SAYS).content
    said = _find(default_text, "SendInstruction")[0]["Parameters"]["Instruction"]
    assert said["Type"] == "TextUtterance" and said["Properties"]["Text"] == "what is my balance"
    with pytest.raises(BadInputError, match="unknown setting"):
        CompileSettings.from_mapping({"versoin": "x"})


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        ("  outcomes: {UpdateContactTextToSpeechVoice: [success]}\n", "given.outcomes"),
        ("  distribute: [5]\n", "Distribute by percentage"),
        ("", "stops offline"),
    ],
)
def test_scenarios_without_a_native_form(given: str, reason: str) -> None:
    text = "name: x\nflow: Main Inbound\ngiven:\n" + (given or "  attributes: {}\n")
    scenario = parse_scenarios(text, "s.yaml")[0]
    with pytest.raises(Uncompilable, match=reason):
        compiled(scenario)


@pytest.mark.parametrize(
    "breakage",
    [
        lambda c: c["Observations"][0]["Event"].update(Actor="Agent"),
        lambda c: c["Observations"][1]["Event"].update(MatchingCriteria="Similarity"),
        lambda c: c["Observations"][1]["Event"]["Properties"].update(Text="x"),
        lambda c: c.update(Version="2024-01-01"),
        lambda c: c["Observations"][0]["Actions"][0]["Parameters"]["Behavior"]["Properties"].update(
            ActionParameters={}
        ),
        lambda c: _find(c, "Assert")[0]["Parameters"].pop("Operand"),
        lambda c: c["Observations"][0].pop("Transitions"),
    ],
)
def test_the_schema_rejects_shapes_the_reference_says_fail(breakage: Any) -> None:
    content = copy.deepcopy(compiled(PRESS).content)
    breakage(content)
    assert content_problems(content)


def _events(content: dict[str, Any]) -> list[tuple[str, str]]:
    out = []
    for obs in content["Observations"]:
        event = obs["Event"]
        props = event["Properties"]
        what = props.get("ActionType") or props.get("Text") or props.get("PromptId") or ""
        out.append((event["Type"], str(what)))
    return out


EVERY_KIND = """\
name: every kind
flow: Main Inbound
given:
  lambdas: {lambda:lookup-customer: [{result: {name: Ann, tier: gold}}]}
  hours: open
  inputs: ["2"]
expect:
  prompts: [Main Menu]
  attributes: {customerTier: gold, missing: null}
  queue: queue:Support
  ends: queue
  visits: [InvokeLambdaFunction, CheckHoursOfOperation, UpdateContactTargetQueue]
  transfers: [flow:After Hours]
  never: [After Hours]
  not_prompts: [Goodbye]
  max_blocks: 40
"""


def test_every_expectation_kind_is_native_or_says_why_it_is_offline_only() -> None:
    scenario = parse_scenarios(EVERY_KIND)[0]
    case = compiled(scenario)
    assert content_problems(case.content) == []
    events = _events(case.content)
    # visits of a Lambda and an hours block are FlowActionStarted events, in path order
    assert events == [
        ("TestInitiated", ""),
        ("FlowActionStarted", "InvokeLambdaFunction"),
        ("FlowActionStarted", "CheckHoursOfOperation"),
        ("MessageReceived", "prompt:Main Menu"),
        ("FlowActionStarted", "TransferContactToQueue"),
    ]
    lam = case.content["Observations"][1]["Event"]["Properties"]["ActionParameters"]
    assert lam == {"LambdaFunctionARN": "lambda:lookup-customer"}
    # the tier is set after the Lambda: its check sits on the next observation, the hours
    tier = case.content["Observations"][2]["Actions"]
    assert [a["Parameters"].get("Namespace") for a in tier] == ["$.Attributes.customerTier"]
    queue = case.content["Observations"][-1]["Actions"]
    assert queue[0]["Parameters"] == {
        "Namespace": "$.Queue.Name",
        "Operator": "Equals",
        "Operand": "Support",
    }
    offline = {line.split(":", 1)[0].split(" ", 1)[0] for line in case.offline_only}
    assert offline == {
        "visits",
        "attributes.missing",
        "transfers",
        "never",
        "not_prompts",
        "max_blocks",
    }
    assert any("UpdateContactTargetQueue" in line for line in case.offline_only)
    assert not any(line.startswith("ends") for line in case.offline_only)  # ends: queue is
    # one verdict: the native execution passes as the offline run does
    outcome = execute(case.content, FLOWS, FLOWS.entry_flow("Main Inbound"), hours=hours)
    assert outcome.status == "PASSED", outcome.message


def test_a_visit_or_queue_the_run_missed_fails_natively_too() -> None:
    """Pressing 1 reaches Sales, not the expected Support: the Assert fails; with Sales
    full, the expected queue transfer never happens: the observation times out."""
    text = (
        "name: sales\nflow: Main Inbound\ngiven:\n"
        "  lambdas: {lambda:lookup-customer: [{result: {}}]}\n  hours: open\n"
        '  inputs: ["1"]\nexpect:\n  queue: queue:Support\n'
    )
    case = compiled(parse_scenarios(text)[0])
    outcome = execute(case.content, FLOWS, FLOWS.entry_flow("Main Inbound"), hours=hours)
    assert outcome.status == "FAILED" and "expected Equals 'Support'" in outcome.message
    ends = text.replace("queue: queue:Support", "queue: queue:Support\n  ends: queue").replace(
        '["1"]\n', '["1"]\n  queues: {queue:Sales: {at_capacity: true}}\n'
    )
    case = compiled(parse_scenarios(ends)[0])
    assert _events(case.content)[-1] == ("FlowActionStarted", "TransferContactToQueue")
    outcome = execute(case.content, FLOWS, FLOWS.entry_flow("Main Inbound"), hours=hours)
    assert outcome.status == "FAILED" and "did not occur" in outcome.message


def test_an_attribute_set_after_the_last_observable_event_is_offline_only() -> None:
    text = (
        "name: full\nflow: Main Inbound\ngiven:\n"
        "  lambdas: {lambda:lookup-customer: [{result: {}}]}\n  hours: open\n"
        '  inputs: ["1"]\n  queues: {queue:Sales: {at_capacity: true}}\n'
        "expect:\n  ends: disconnect\n  attributes: {customerTier: ''}\n"
    )
    case = compiled(parse_scenarios(text)[0])
    assert any(line.startswith("ends: ") for line in case.offline_only)
    assert not any("customerTier" in line for line in case.offline_only)
    assert _find(case.content, "Assert")  # set early: checked natively


def test_generate_prefers_what_a_test_case_can_give() -> None:
    """Queue-transfer errors through the queue's state, never forced; the forced outcomes
    left are of blocks no test case can override, and the rest compile."""
    from flowops.simulate.generate import generate

    report = generate(FLOWS)
    queue_errors = [
        s
        for s in report.scenarios
        if any(b[2] in ("error:QueueAtCapacity", "error:NoMatchingError") for b in s.covers)
        and any(
            FLOWS.entries[b[0]].flow.action(b[1]).type == "TransferContactToQueue"  # type: ignore[union-attr]
            for b in s.covers
        )
    ]
    states = [q for s in queue_errors for q in s.data["given"].get("queues", {}).values()]
    assert any(q.get("at_capacity") for q in states) and any(q.get("error") for q in states)
    mockable = {
        "InvokeLambdaFunction",
        "CheckHoursOfOperation",
        "ConnectParticipantWithLexBot",
        "TransferContactToQueue",
    }
    native = 0
    for s in report.scenarios:
        scenario = parse_scenarios(dump_scenario(s.data))[0]
        run = run_scenario(FLOWS, scenario).run
        assert not [f for f in run.forced if f[2] in mockable], s.data["name"]
        try:
            compiled(scenario)
        except Uncompilable as exc:
            assert "given.outcomes forces" in str(exc)
            continue
        native += 1
    assert native >= len(report.scenarios) // 3


def _lex_flowset() -> Any:
    """Flow "Lex": a Lex block whose timeout and error branches say different things."""
    from tests.support.flows import BYE, SAY, act, flowset_of

    bot = act(
        "bot",
        "ConnectParticipantWithLexBot",
        {"Text": "How can I help?", "LexV2Bot": {"AliasArn": "lexbot:Bot/Prod"}},
        conds=[("Equals", "Pay", "bye")],
        errs={
            "NoMatchingCondition": "bye",
            "InputTimeLimitExceeded": "slow",
            "NoMatchingError": "broken",
        },
    )
    return flowset_of(
        Lex=[bot, SAY("slow", "you went quiet"), SAY("broken", "the bot is broken"), BYE]
    )


@pytest.mark.parametrize(
    ("error", "mocked", "heard"),
    [
        ("TimeLimitExceeded", "TimeLimitExceeded", "you went quiet"),
        ("InputTimeLimitExceeded", "TimeLimitExceeded", "you went quiet"),
        ("NoMatchingError", "NoMatchingError", "the bot is broken"),
    ],
)
def test_a_lex_error_round_trips_through_its_test_case_exactly(
    error: str, mocked: str, heard: str
) -> None:
    """The Testing language mocks the Lex timeout as ``TimeLimitExceeded``; the Lex block
    branches on ``InputTimeLimitExceeded``: either name in a scenario takes that branch
    offline, compiles to the mock, and the sandbox reads the mock back as the very Lex
    answer the offline run used (it once read ``TimeLimitExceeded`` back as another)."""
    from flowops.simulate.native import chain, given_from_test

    fs = _lex_flowset()
    text = (
        f"name: lex\nflow: Lex\ngiven:\n  lex: [{{error: {error}}}]\n"
        f"expect:\n  prompts: [{heard}]\n"
    )
    scenario = parse_scenarios(text)[0]
    run = run_scenario(fs, scenario).run
    assert run.played()[-1] == heard
    case = compile_scenario(scenario, run, identity, "flow:Lex")
    (override,) = _find(case.content, "OverrideSystemBehavior")
    strategy = override["Parameters"]["Behavior"]["Properties"]["Strategy"]
    assert strategy["Response"]["Error"]["Value"] == mocked
    given, _ = given_from_test(chain(case.content), {}, hours)
    assert [("lex", "lexbot:Bot/Prod", answer) for answer in given["lex"]] == run.mocks
    outcome = execute(case.content, fs, fs.entry_flow("Lex"), hours=hours)
    assert outcome.status == "PASSED", outcome.message
