"""Module Settings (inputs, outputs, branches) travel as their own member of Connect's API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from flowops.config import Environment
from flowops.connect import ConnectClient
from flowops.deploy.apply import ApplyFailedError
from flowops.deploy.export import export_env
from flowops.deploy.promote import promote
from flowops.deploy.rollback import rollback
from flowops.model.parse import load_document
from flowops.sandbox import SandboxServer
from flowops.sandbox.config import FaultRule
from flowops.sandbox.seed import instance_id_for
from tests.support import DEV, STAGING, git_repo, linear_flow
from tests.support.clients import environment, make_client
from tests.support.repos import commit_files
from tests.support.scenarios import write_calls

SETTINGS: dict[str, Any] = {
    "InputParameters": [{"Name": "accountId", "Type": "String", "Description": ""}],
    "OutputParameters": [],
    "Transitions": [
        {"DisplayName": "Success", "ReferenceName": "Success", "Description": ""},
        {"DisplayName": "Error", "ReferenceName": "Error", "Description": ""},
    ],
}


def _settings(url: str, account: str, name: str) -> Any:
    client = make_client(url, account)
    iid = instance_id_for(account)
    modules = client.list_contact_flow_modules(InstanceId=iid)["ContactFlowModulesSummaryList"]
    mid = next(m["Id"] for m in modules if m["Name"] == name)
    module = client.describe_contact_flow_module(InstanceId=iid, ContactFlowModuleId=mid)
    return json.loads(module["ContactFlowModule"]["Settings"])


def test_module_settings_are_exported_promoted_and_updated_as_their_own_member(
    seeded_sandbox: SandboxServer, tmp_path: Path
) -> None:
    url = seeded_sandbox.url
    content = {
        "Version": "2019-10-30",
        "StartAction": "end",
        "Actions": [{"Identifier": "end", "Type": "EndFlowModuleExecution", "Parameters": {}}],
    }
    make_client(url, DEV).create_contact_flow_module(
        InstanceId=instance_id_for(DEV),
        Name="Lookup",
        Content=json.dumps(content),
        Settings=json.dumps(SETTINGS),
    )
    dev = environment(seeded_sandbox, "dev", DEV, managed_names=("Lookup",))
    staging = environment(seeded_sandbox, "staging", STAGING, managed_names=("Lookup",))
    repo = git_repo(tmp_path)
    export_env(dev, tmp_path / "flows", commit=True, client=ConnectClient.for_environment(dev))
    doc = load_document(tmp_path / "flows" / "modules" / "Lookup.json")
    assert doc.flow.raw["Settings"] == SETTINGS  # exported with the module

    promote(staging, "HEAD", tmp_path, client=ConnectClient.for_environment(staging))
    assert _settings(url, STAGING, "Lookup") == SETTINGS

    path = tmp_path / "flows" / "modules" / "Lookup.json"
    path.write_text(path.read_text().replace('"accountId"', '"customerId"'))
    repo.index.add(["flows/modules/Lookup.json"])
    repo.index.commit("rename the module's input")
    client = ConnectClient.for_environment(staging)
    result = promote(staging, "HEAD", tmp_path, client=client)
    assert [s.changes for s in result.plan.changes] == [("content",)]
    assert _settings(url, STAGING, "Lookup")["InputParameters"][0]["Name"] == "customerId"
    again = ConnectClient.for_environment(staging)
    promote(staging, "HEAD", tmp_path, client=again)
    assert write_calls(dict(again.calls)) == {}


def _release_with_a_module_and_its_caller(sandbox: SandboxServer, tmp_path: Path) -> Environment:
    """Staging at release 1: module ``Lookup`` with ``SETTINGS`` and flow ``Caller`` that
    invokes it; git at a second commit changing both (the module's input renamed)."""

    def files(name: str, say: str) -> dict[str, str]:
        settings = json.loads(json.dumps(SETTINGS))
        settings["InputParameters"][0]["Name"] = name
        module = {
            "flowops": 1,
            "name": "Lookup",
            "kind": "module",
            "content": {
                **linear_flow(("end", "EndFlowModuleExecution", {})),
                "Settings": settings,
            },
        }
        caller = {
            "flowops": 1,
            "name": "Caller",
            "kind": "flow",
            "type": "CONTACT_FLOW",
            "content": linear_flow(
                ("say", "MessageParticipant", {"Text": say}),
                ("lookup", "InvokeFlowModule", {"FlowModuleId": "module:Lookup"}),
                ("bye", "DisconnectParticipant", {}),
            ),
        }
        return {
            "modules/Lookup.json": json.dumps(module, indent=2),
            "Caller.json": json.dumps(caller, indent=2),
        }

    repo = git_repo(tmp_path)
    commit_files(repo, files("accountId", "hello"), "release 1")
    staging = environment(sandbox, "staging", STAGING, managed_names=("Lookup", "Caller"))
    promote(staging, "HEAD", tmp_path, client=ConnectClient.for_environment(staging), tag=False)
    assert _settings(sandbox.url, STAGING, "Lookup") == SETTINGS
    commit_files(repo, files("customerId", "hello again"), "rename the module's input")
    return staging


def test_a_failed_apply_gives_a_module_its_previous_settings_back(
    seeded_sandbox: SandboxServer, tmp_path: Path
) -> None:
    url = seeded_sandbox.url
    staging = _release_with_a_module_and_its_caller(seeded_sandbox, tmp_path)
    # The module is written first (the flow depends on it); the flow's write then fails.
    seeded_sandbox.config.faults.append(
        FaultRule(
            operation="UpdateContactFlowContent",
            error_code="InvalidContactFlowException",
            fail_nth=1,
            account=STAGING,
        )
    )
    client = ConnectClient.for_environment(staging)
    with pytest.raises(ApplyFailedError) as caught:
        promote(staging, "HEAD", tmp_path, client=client, tag=False)
    seeded_sandbox.config.faults.clear()
    states = {o.key: o.state for o in caught.value.outcomes}
    assert states == {"module:Lookup": "restored", "flow:Caller": "untouched"}
    assert _settings(url, STAGING, "Lookup") == SETTINGS  # accountId again, not customerId

    clean = ConnectClient.for_environment(staging)
    promote(staging, "HEAD", tmp_path, client=clean, tag=False)
    assert _settings(url, STAGING, "Lookup")["InputParameters"][0]["Name"] == "customerId"


def test_a_rollback_after_a_clean_promote_restores_module_settings(
    seeded_sandbox: SandboxServer, tmp_path: Path
) -> None:
    url = seeded_sandbox.url
    staging = _release_with_a_module_and_its_caller(seeded_sandbox, tmp_path)
    promote(staging, "HEAD", tmp_path, client=ConnectClient.for_environment(staging), tag=False)
    assert _settings(url, STAGING, "Lookup")["InputParameters"][0]["Name"] == "customerId"
    report = rollback(ConnectClient.for_environment(staging))
    assert report.ok
    assert _settings(url, STAGING, "Lookup") == SETTINGS
    again = rollback(ConnectClient.for_environment(staging))  # forward again
    assert again.ok
    assert _settings(url, STAGING, "Lookup")["InputParameters"][0]["Name"] == "customerId"
