"""Module Settings (inputs, outputs, branches) travel as their own member of Connect's API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flowops.connect import ConnectClient
from flowops.deploy.export import export_env
from flowops.deploy.promote import promote
from flowops.model.parse import load_document
from flowops.sandbox import SandboxServer
from flowops.sandbox.seed import instance_id_for
from tests.support import DEV, STAGING, git_repo
from tests.support.clients import environment, make_client
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
