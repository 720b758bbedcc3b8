"""The sandbox's test-case API through real boto3: shapes, validation, limits, records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from flowops.connect import ConnectClient
from flowops.deploy.testcases import ensure_test_hours, resolver
from flowops.sandbox import SandboxServer
from flowops.simulate.compile import (
    CompiledTestCase,
    CompileSettings,
    compile_scenario,
    content_problems,
)
from flowops.simulate.scenario import parse_scenarios
from flowops.simulate.suite import run_scenario
from flowops.simulate.world import load_flowset
from tests.support import sandbox_environment
from tests.support.clients import ClientFactory

REPO = Path(__file__).resolve().parents[2]

PRESS_2 = """\
name: press 2
flow: Main Inbound
given:
  attributes: {lang: en}
  lambdas: {lambda:lookup-customer: [{result: {name: Ann, tier: gold}}]}
  hours: open
  inputs: ["2"]
expect:
  prompts: [Welcome]
  queue: queue:Support
  attributes: {customerTier: gold}
"""


def compiled(sandbox: SandboxServer, text: str = PRESS_2) -> CompiledTestCase:
    """A scenario compiled for the seeded dev instance of ``sandbox``."""
    env = sandbox_environment(sandbox.url, "dev")
    client = ConnectClient.for_environment(env)
    ensure_test_hours(client, env, CompileSettings())
    resolve = resolver(client, env)
    flows = load_flowset(REPO / "flows")
    scenario = parse_scenarios(text)[0]
    run = run_scenario(flows, scenario).run
    return compile_scenario(scenario, run, resolve, resolve(f"flow:{scenario.flow}"))


def instance(client: Any) -> str:
    return str(client.list_instances()["InstanceSummaryList"][0]["Id"])


def create(client: Any, iid: str, case: CompiledTestCase, **extra: Any) -> str:
    params = {
        "InstanceId": iid,
        "Name": case.name,
        "Content": case.content_text,
        "EntryPoint": case.entry_point,
        "InitializationData": case.initialization_data,
        "Status": "PUBLISHED",
        "Tags": dict(case.tags),
        **extra,
    }
    return str(client.create_test_case(**params)["TestCaseId"])


def run_to_end(
    client: Any, iid: str, test_case: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    execution = client.start_test_case_execution(InstanceId=iid, TestCaseId=test_case)
    ids = {
        "InstanceId": iid,
        "TestCaseId": test_case,
        "TestCaseExecutionId": execution["TestCaseExecutionId"],
    }
    summary = client.get_test_case_execution_summary(**ids)
    records = client.list_test_case_execution_records(**ids)["ExecutionRecords"]
    return summary, records


def test_compiled_test_case_passes_with_connect_shaped_records(
    seeded_sandbox: SandboxServer, connect_client: ClientFactory
) -> None:
    seeded_sandbox.backend.test_cases.run_seconds = 0
    client = connect_client()
    iid = instance(client)
    case = compiled(seeded_sandbox)
    assert content_problems(case.content) == []
    test_case = create(client, iid, case)
    described = client.describe_test_case(InstanceId=iid, TestCaseId=test_case)["TestCase"]
    assert described["Status"] == "PUBLISHED" and json.loads(described["Content"]) == case.content
    assert len(described["TestCaseSha256"]) == 64
    assert described["Tags"]["flowops:managed"] == "true"
    summary, records = run_to_end(client, iid, test_case)
    assert summary["Status"] == "PASSED"
    assert summary["ObservationSummary"]["ObservationsFailed"] == 0
    types = [json.loads(r["Record"])["Type"] for r in records]
    assert types[:2] == ["INITIATION", "EXECUTION_START"] and types[-1] == "COMPLETION"
    assert "OBSERVATION" in types
    completion = json.loads(records[-1]["Record"])
    assert completion["CompletionReason"]["Type"] == "SUCCESS"
    listed = client.list_test_case_executions(InstanceId=iid, TestCaseId=test_case)
    assert [e["TestCaseExecutionStatus"] for e in listed["TestCaseExecutions"]] == ["PASSED"]


def test_failed_check_stops_the_test(
    seeded_sandbox: SandboxServer, connect_client: ClientFactory
) -> None:
    seeded_sandbox.backend.test_cases.run_seconds = 0
    client = connect_client()
    iid = instance(client)
    case = compiled(seeded_sandbox, PRESS_2.replace("customerTier: gold", "customerTier: silver"))
    summary, records = run_to_end(client, iid, create(client, iid, case))
    assert summary["Status"] == "FAILED"
    completion = json.loads(records[-1]["Record"])
    assert completion["CompletionReason"]["Type"] == "FAILURE"
    assert (
        "$.Attributes.customerTier: expected Equals 'silver', found 'gold'"
        in completion["CompletionReason"]["Message"]
    )


def test_validation_names_and_saved_cases(
    seeded_sandbox: SandboxServer, connect_client: ClientFactory
) -> None:
    client = connect_client()
    iid = instance(client)
    case = compiled(seeded_sandbox)
    create(client, iid, case)
    with pytest.raises(ClientError) as dup:
        create(client, iid, case)
    assert dup.value.response["Error"]["Code"] == "DuplicateResourceException"
    assert dup.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    bad = {**case.content, "Observations": [{"Identifier": "x"}]}
    with pytest.raises(ClientError) as invalid:
        create(client, iid, case, Name="bad", Content=json.dumps(bad))
    error = invalid.value.response
    assert error["Error"]["Code"] == "InvalidTestCaseException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "Event" in json.dumps(error.get("Problems"))
    saved = create(
        client, iid, case, Name="draft", Content="{not json", Status="SAVED", Tags={"k": "draft"}
    )
    with pytest.raises(ClientError) as not_published:
        client.start_test_case_execution(InstanceId=iid, TestCaseId=saved)
    assert not_published.value.response["Error"]["Code"] == "InvalidRequestException"
    client.update_test_case(
        InstanceId=iid, TestCaseId=saved, Content=case.content_text, Status="PUBLISHED"
    )
    assert (
        client.describe_test_case(InstanceId=iid, TestCaseId=saved)["TestCase"]["Status"]
        == "PUBLISHED"
    )
    names = [s["Name"] for s in client.list_test_cases(InstanceId=iid)["TestCaseSummaryList"]]
    assert names == [case.name, "draft"]
    found = client.search_test_cases(
        InstanceId=iid,
        SearchCriteria={
            "StringCondition": {
                "FieldName": "name",
                "Value": "dra",
                "ComparisonType": "STARTS_WITH",
            }
        },
    )
    assert [t["Name"] for t in found["TestCases"]] == ["draft"] and found[
        "ApproximateTotalCount"
    ] == 1
    tagged = client.search_test_cases(
        InstanceId=iid, SearchFilter={"TagFilter": {"TagCondition": {"TagKey": "flowops:managed"}}}
    )
    assert [t["Name"] for t in tagged["TestCases"]] == [case.name]
    client.delete_test_case(InstanceId=iid, TestCaseId=saved)
    with pytest.raises(ClientError) as gone:
        client.describe_test_case(InstanceId=iid, TestCaseId=saved)
    assert gone.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_five_run_at_once_100_queue_then_quota(
    seeded_sandbox: SandboxServer, connect_client: ClientFactory
) -> None:
    seeded_sandbox.backend.test_cases.run_seconds = 3600  # nothing completes during the test
    client = connect_client()
    iid = instance(client)
    test_case = create(client, iid, compiled(seeded_sandbox))
    started = [
        client.start_test_case_execution(InstanceId=iid, TestCaseId=test_case)["Status"]
        for _ in range(7)
    ]
    assert started == ["IN_PROGRESS"] * 5 + ["INITIATED"] * 2
    for _ in range(93):
        client.start_test_case_execution(InstanceId=iid, TestCaseId=test_case)
    with pytest.raises(ClientError) as full:
        client.start_test_case_execution(InstanceId=iid, TestCaseId=test_case)
    assert full.value.response["Error"]["Code"] == "ServiceQuotaExceededException"
    assert full.value.response["ResponseMetadata"]["HTTPStatusCode"] == 402
    first = client.list_test_case_executions(InstanceId=iid, Status="IN_PROGRESS", MaxResults=1)
    execution = first["TestCaseExecutions"][0]["TestCaseExecutionId"]
    client.stop_test_case_execution(
        InstanceId=iid, TestCaseId=test_case, TestCaseExecutionId=execution
    )
    ids = {"InstanceId": iid, "TestCaseId": test_case, "TestCaseExecutionId": execution}
    assert client.get_test_case_execution_summary(**ids)["Status"] == "STOPPED"
    running = client.list_test_case_executions(InstanceId=iid, Status="IN_PROGRESS", MaxResults=100)
    assert len(running["TestCaseExecutions"]) == 5  # a queued one took the freed slot
    again = client.start_test_case_execution(
        InstanceId=iid, TestCaseId=test_case, ClientToken="same"
    )
    repeat = client.start_test_case_execution(
        InstanceId=iid, TestCaseId=test_case, ClientToken="same"
    )
    assert again["TestCaseExecutionId"] == repeat["TestCaseExecutionId"]


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ("queue: queue:Support", "queue: queue:Sales", "$.Queue.Name: expected Equals 'Sales'"),
        ("prompts: [Welcome]", "prompts: [Welcome, Goodbye]", "did not occur"),
        ("customerTier: gold", "customerTier: silver", "expected Equals 'silver'"),
    ],
)
def test_a_scenario_failing_offline_fails_as_a_test_case(
    seeded_sandbox: SandboxServer, connect_client: ClientFactory, old: str, new: str, fragment: str
) -> None:
    """One scenario, one verdict: what fails offline fails natively too."""
    seeded_sandbox.backend.test_cases.run_seconds = 0
    text = PRESS_2.replace(old, new)
    offline = run_scenario(load_flowset(REPO / "flows"), parse_scenarios(text)[0])
    assert offline.status == "failed"
    client = connect_client()
    iid = instance(client)
    summary, records = run_to_end(client, iid, create(client, iid, compiled(seeded_sandbox, text)))
    assert summary["Status"] == "FAILED"
    assert fragment in json.loads(records[-1]["Record"])["CompletionReason"]["Message"]


def _records(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [json.loads(r["Record"]) for r in records]


def test_asserts_read_the_contact_when_their_observation_happens(
    seeded_sandbox: SandboxServer, connect_client: ClientFactory
) -> None:
    """The caller hears Welcome before the lookup sets the tier: an Assert on the Welcome
    observation finds it unset, the same Assert at the queue transfer finds it set."""
    seeded_sandbox.backend.test_cases.run_seconds = 0
    client = connect_client()
    iid = instance(client)
    case = compiled(seeded_sandbox)
    observations = case.content["Observations"]
    welcome = observations[1]
    assert welcome["Event"]["Type"] == "MessageReceived"
    # the compiler puts the check on the first observation after the lookup set the tier
    where, check = next(
        (n, a)
        for n, o in enumerate(observations)
        for a in o["Actions"]
        if a["Parameters"].get("Namespace") == "$.Attributes.customerTier"
    )
    assert where > 1
    summary, _ = run_to_end(client, iid, create(client, iid, case))
    assert summary["Status"] == "PASSED"  # there, the tier is set
    early = json.loads(json.dumps(case.content))
    early["Observations"][1]["Actions"] = [{**check, "Identifier": "early", "Transitions": {}}]
    summary, records = run_to_end(
        client, iid, create(client, iid, case, Name="early", Content=json.dumps(early))
    )
    assert summary["Status"] == "FAILED"
    completion = _records(records)[-1]
    assert (
        "$.Attributes.customerTier: expected Equals 'gold', found ''"
        in (completion["CompletionReason"]["Message"])
    )
    # observations in order: the setup and Welcome met, Welcome's check failed, nothing after
    seen = [(r["ObservationId"], r["Status"]) for r in records[2:-1]]
    assert seen == [("setup", "PASSED"), (welcome["Identifier"], "FAILED")]


def test_five_minutes_run_on_the_contacts_clock(
    seeded_sandbox: SandboxServer, connect_client: ClientFactory
) -> None:
    """A Lambda that answers after 400 s pushes the queue transfer past the limit: the
    test times out at 300 s of contact time, not at once, and not at 400 s."""
    seeded_sandbox.backend.test_cases.run_seconds = 0
    client = connect_client()
    iid = instance(client)
    slow = PRESS_2.replace("tier: gold}}]", "tier: gold}, delay: 400}]")
    case = compiled(seeded_sandbox, slow)
    summary, records = run_to_end(client, iid, create(client, iid, case))
    assert summary["Status"] == "FAILED"
    assert (summary["EndTime"] - summary["StartTime"]).total_seconds() == pytest.approx(300)
    body = _records(records)
    assert body[-1]["CompletionReason"]["Type"] == "TIMEOUT"
    assert "past the 300 s limit" in body[-1]["CompletionReason"]["Message"]
    stamps = [r["Timestamp"] for r in records]
    assert stamps == sorted(stamps)
    assert (stamps[-1] - stamps[0]).total_seconds() == pytest.approx(300)
    # A quick Lambda: the same test passes, its end is the transfer's contact time.
    summary, records = run_to_end(
        client, iid, create(client, iid, compiled(seeded_sandbox), Name="quick")
    )
    assert summary["Status"] == "PASSED"
    assert 5 < (summary["EndTime"] - summary["StartTime"]).total_seconds() < 60


def test_a_caller_who_never_answers_a_looping_menu_times_out(
    seeded_sandbox: SandboxServer, connect_client: ClientFactory
) -> None:
    """A menu that asks again on every timeout: the test waits for a Goodbye that needs
    a key press; the silent caller's contact passes 5 minutes and the test times out."""
    seeded_sandbox.backend.test_cases.run_seconds = 0
    client = connect_client()
    iid = instance(client)
    menu = {
        "Version": "2019-10-30",
        "StartAction": "menu",
        "Actions": [
            {
                "Identifier": "menu",
                "Type": "GetParticipantInput",
                "Parameters": {"Text": "Press 1 to leave", "InputTimeLimitSeconds": "8"},
                "Transitions": {
                    "NextAction": "bye",
                    "Conditions": [
                        {
                            "NextAction": "bye",
                            "Condition": {"Operator": "Equals", "Operands": ["1"]},
                        }
                    ],
                    "Errors": [
                        {"NextAction": "menu", "ErrorType": "InputTimeLimitExceeded"},
                        {"NextAction": "bye", "ErrorType": "NoMatchingCondition"},
                        {"NextAction": "bye", "ErrorType": "NoMatchingError"},
                    ],
                },
            },
            {
                "Identifier": "bye",
                "Type": "MessageParticipant",
                "Parameters": {"Text": "Goodbye"},
                "Transitions": {"NextAction": "end"},
            },
            {
                "Identifier": "end",
                "Type": "DisconnectParticipant",
                "Parameters": {},
                "Transitions": {},
            },
        ],
    }
    flow = client.create_contact_flow(
        InstanceId=iid, Name="Looping Menu", Type="CONTACT_FLOW", Content=json.dumps(menu)
    )

    def observe(ident: str, text: str, then: str | None) -> dict[str, Any]:
        return {
            "Identifier": ident,
            "Event": {
                "Identifier": f"{ident}-event",
                "Type": "MessageReceived",
                "Actor": "System",
                "Properties": {"Text": text, "MatchingCriteria": {"Type": "Inclusion"}},
            },
            "Actions": [
                {
                    "Identifier": f"{ident}-end",
                    "Type": "TestControl",
                    "Parameters": {"ActionType": "TestControl", "Command": {"Type": "EndTest"}},
                    "Transitions": {},
                }
            ]
            if then is None
            else [],
            "Transitions": {"NextObservations": [then] if then else []},
        }

    content = {
        "Version": "2019-10-30",
        "Metadata": {},
        "Observations": [observe("menu", "Press 1", "bye"), observe("bye", "Goodbye", None)],
    }
    assert content_problems(content) == []
    test_case = client.create_test_case(
        InstanceId=iid,
        Name="silent caller",
        Content=json.dumps(content),
        Status="PUBLISHED",
        EntryPoint={
            "Type": "VOICE_CALL",
            "VoiceCallEntryPointParameters": {"FlowId": flow["ContactFlowId"]},
        },
    )["TestCaseId"]
    summary, records = run_to_end(client, iid, test_case)
    assert summary["Status"] == "FAILED"
    assert summary["ObservationSummary"] == {
        "TotalObservations": 2,
        "ObservationsPassed": 1,
        "ObservationsFailed": 1,
    }
    assert (summary["EndTime"] - summary["StartTime"]).total_seconds() == pytest.approx(300)
    body = _records(records)
    assert [b["Type"] for b in body] == [
        "INITIATION",
        "EXECUTION_START",
        "OBSERVATION",
        "OBSERVATION",
        "COMPLETION",
    ]
    assert [r["ObservationId"] for r in records[2:4]] == ["menu", "bye"]
    assert body[-1]["CompletionReason"]["Type"] == "TIMEOUT"
    assert body[-1]["CompletionReason"]["FailureReasons"] == ["OBSERVE_EVENT"]
    assert body[-1]["ExecutionSummary"] == {
        "TotalObservations": 2,
        "PassedObservations": 1,
        "FailedObservations": 1,
    }
    for record in records:  # ExecutionRecord of botocore's model
        assert set(record) == {"ObservationId", "Status", "Timestamp", "Record"}
        assert record["Status"] in ("PASSED", "FAILED", "IN_PROGRESS", "STOPPED")
        assert 1 <= len(record["ObservationId"]) <= 256
