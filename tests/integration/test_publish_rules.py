"""Connect's publish rules, one definition for the sandbox and the plan gate: a bad
parameter value, a branch the action cannot take and an action its flow type does not
allow are each refused by the sandbox (``InvalidContactFlowException`` with a problems
list, through real boto3) and caught by ``flowops plan`` first (exit 1, per flow), and
``promote`` writes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from flowops.cli.main import app
from flowops.connect import ConnectClient
from flowops.deploy.preflight import PreflightError
from flowops.deploy.promote import promote
from flowops.sandbox import SandboxServer
from tests.support import STAGING, git_repo, sandbox_environment_file
from tests.support.clients import ClientFactory, environment
from tests.support.flows import document_text
from tests.support.repos import commit_files
from tests.support.scenarios import write_calls

pytestmark = pytest.mark.integration

_BYE = {"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}}


def _content(first: dict[str, Any], *, end: bool = True) -> dict[str, Any]:
    actions = [first, _BYE] if end else [first]
    return {"Version": "2019-10-30", "StartAction": first["Identifier"], "Actions": actions}


#: name -> (flow type, content, the problem Connect reports)
CASES: dict[str, tuple[str, dict[str, Any], str]] = {
    "BadValue": (
        "CONTACT_FLOW",
        _content(
            {
                "Identifier": "log",
                "Type": "UpdateFlowLoggingBehavior",
                "Parameters": {"FlowLoggingBehavior": "Sometimes"},
                "Transitions": {"NextAction": "bye"},
            }
        ),
        "Action 'log': Parameters.FlowLoggingBehavior 'Sometimes' is not one of: Enabled, Disabled",
    ),
    "BadBranch": (
        "CONTACT_FLOW",
        _content(
            {
                "Identifier": "check",
                "Type": "Compare",
                "Parameters": {"ComparisonValue": "$.Attributes.tier"},
                "Transitions": {
                    "NextAction": "bye",
                    "Errors": [{"NextAction": "bye", "ErrorType": "QueueAtCapacity"}],
                },
            }
        ),
        "Action 'check': Compare has no error branch 'QueueAtCapacity' "
        "(it has: NoMatchingCondition)",
    ),
    "BadType": (
        "CONTACT_FLOW",
        _content(
            {
                "Identifier": "music",
                "Type": "MessageParticipantIteratively",
                "Parameters": {"Messages": [{"Text": "Please hold"}]},
                "Transitions": {},
            },
            end=False,
        ),
        "Action 'music': MessageParticipantIteratively is not supported in flows of type "
        "CONTACT_FLOW",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_sandbox_refuses_each_with_connects_problems_list(
    connect_client: ClientFactory, instance_id: str, name: str
) -> None:
    ftype, content, problem = CASES[name]
    client = connect_client()
    with pytest.raises(client.exceptions.InvalidContactFlowException) as info:
        client.create_contact_flow(
            InstanceId=instance_id, Name=name, Type=ftype, Content=json.dumps(content)
        )
    assert info.value.response["problems"] == [{"message": problem}]
    # stored as a draft it is accepted: Connect validates published content only
    client.create_contact_flow(
        InstanceId=instance_id, Name=name, Type=ftype, Content=json.dumps(content), Status="SAVED"
    )
    assert client.list_contact_flows(InstanceId=instance_id)["ContactFlowSummaryList"]


def test_a_fixed_flow_is_accepted(connect_client: ClientFactory, instance_id: str) -> None:
    """The good neighbours of the cases: the rules refuse the value, not the action."""
    client = connect_client()
    good = _content(
        {
            "Identifier": "log",
            "Type": "UpdateFlowLoggingBehavior",
            "Parameters": {"FlowLoggingBehavior": "Enabled"},
            "Transitions": {"NextAction": "bye"},
        }
    )
    client.create_contact_flow(
        InstanceId=instance_id, Name="Good", Type="CONTACT_FLOW", Content=json.dumps(good)
    )
    music = CASES["BadType"][1]
    client.create_contact_flow(
        InstanceId=instance_id, Name="Queue", Type="CUSTOMER_QUEUE", Content=json.dumps(music)
    )


def test_plan_catches_each_before_any_write_and_promote_writes_nothing(
    seeded_sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = git_repo(tmp_path)
    commit_files(
        repo, {f"{n}.json": document_text(n, c, flow_type=t) for n, (t, c, _) in CASES.items()}
    )
    monkeypatch.chdir(tmp_path)
    staging_file = sandbox_environment_file(tmp_path, seeded_sandbox.url, "staging")
    result = CliRunner().invoke(app, ["plan", "--env", str(staging_file)])
    assert result.exit_code == 1, result.output
    out = " ".join(result.output.split())
    for name, (_, _, problem) in CASES.items():
        assert f"flow:{name}: action: {problem}" in out, out
    staging = environment(seeded_sandbox, "staging", STAGING)
    client = ConnectClient.for_environment(staging)
    with pytest.raises(PreflightError) as info:
        promote(staging, "HEAD", tmp_path, client=client)
    assert [(p.key, p.check) for p in info.value.problems] == [
        (f"flow:{name}", "action") for name in sorted(CASES)
    ]
    assert write_calls(dict(client.calls)) == {}
