"""Plan is the gate: every problem promote would hit is listed by plan (exit 1), and
promote writes nothing when one exists; export refuses to write ids of the source."""

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
from flowops.sandbox.seed import instance_id_for
from tests.support import DEV, STAGING, git_repo, linear_flow, sandbox_environment_file
from tests.support.clients import environment, make_client
from tests.support.flows import document_text, flow_text
from tests.support.repos import commit_files
from tests.support.scenarios import write_calls


def _bad_release() -> dict[str, str]:
    dev_lambda = f"arn:aws:lambda:us-east-1:{DEV}:function:lookup-customer"
    literal = linear_flow(
        ("call", "InvokeLambdaFunction", {"LambdaFunctionARN": dev_lambda}),
        ("go", "TransferToFlow", {"ContactFlowId": "flow:Ghost"}),
        ("bad:id", "DisconnectParticipant", {}),
    )
    dangling = linear_flow(
        ("hello", "MessageParticipant", {"Text": "hi"}), ("end", "DisconnectParticipant", {})
    )
    dangling["Actions"][0]["Transitions"]["NextAction"] = "nowhere"
    big = linear_flow(
        ("hello", "MessageParticipant", {"Text": "x" * 260_000}),
        ("end", "DisconnectParticipant", {}),
    )
    return {
        "Literal.json": document_text("Literal", literal),
        "Dangling.json": document_text("Dangling", dangling),
        "Big.json": document_text("Big", big),
        "One.json": flow_text("One"),
        "Two.json": flow_text("Two"),
    }


def test_plan_lists_every_problem_per_flow_and_promote_writes_nothing(
    seeded_sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = git_repo(tmp_path)
    commit_files(repo, _bad_release())
    monkeypatch.chdir(tmp_path)
    fields: dict[str, Any] = {
        "overrides": {"flow": {"One": "Same", "Two": "Same"}},
        "quotas": {"flows_per_instance": 6, "canary_slots": 1},
    }
    staging_file = sandbox_environment_file(tmp_path, seeded_sandbox.url, "staging", **fields)
    result = CliRunner().invoke(app, ["plan", "--env", str(staging_file)])
    assert result.exit_code == 1, result.output
    out = " ".join(result.output.split())
    expected = [
        "flow:Literal: reference: flow 'Ghost' (action 'go'",
        f"literal: ARN of account {DEV} at $.Actions[1].Parameters.LambdaFunctionARN",
        "identifier: Action 'bad:id': Identifier contains a character that is not allowed",
        "flow:Dangling: structure: Action 'hello': NextAction 'nowhere' does not name an action",
        "flow:Big: size: content is 260,",
        "flow:One: name: becomes flow 'Same' in staging, as flow:Two does",
        "(release): quota: 0 flows live + 5 to create + 2 for canaries (quotas.canary_slots)",
        "flowops import FILE --env",
    ]
    for text in expected:
        assert text in out, out
    staging = environment(
        seeded_sandbox, "staging", STAGING, overrides=fields["overrides"], quotas=fields["quotas"]
    )
    client = ConnectClient.for_environment(staging)
    with pytest.raises(PreflightError) as info:
        promote(staging, "HEAD", tmp_path, client=client)
    assert info.value.exit_code == 1 and len(info.value.problems) >= 8
    assert write_calls(dict(client.calls)) == {}


def test_plan_exit_code_says_whether_the_plan_would_write(
    seeded_sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = git_repo(tmp_path)
    commit_files(repo, {"Hello.json": flow_text("Hello")})
    monkeypatch.chdir(tmp_path)
    staging_file = sandbox_environment_file(tmp_path, seeded_sandbox.url, "staging")
    runner = CliRunner()
    assert runner.invoke(app, ["plan", "--env", str(staging_file)]).exit_code == 0
    changes = runner.invoke(app, ["plan", "--env", str(staging_file), "--exit-code"])
    assert changes.exit_code == 4, changes.output
    assert runner.invoke(app, ["promote", "--to", str(staging_file)]).exit_code == 0
    same = runner.invoke(app, ["plan", "--env", str(staging_file), "--exit-code"])
    assert same.exit_code == 0, same.output


def test_export_refuses_ids_of_the_source_and_names_each_one(
    seeded_sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assistant = f"arn:aws:wisdom:us-east-1:{DEV}:assistant/4a4f1555-4c5d-4c3c-9379-f01b6ff1481d"
    template = "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
    content = linear_flow(
        ("wisdom", "CreateWisdomSession", {"WisdomAssistantArn": assistant}),
        ("case", "CreateCase", {"CaseTemplateId": template}),
        ("end", "DisconnectParticipant", {}),
    )
    make_client(seeded_sandbox.url, DEV).create_contact_flow(
        InstanceId=instance_id_for(DEV),
        Name="Cases",
        Type="CONTACT_FLOW",
        Content=json.dumps(content),
    )
    git_repo(tmp_path)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    dev_file = sandbox_environment_file(tmp_path, seeded_sandbox.url, "dev")
    refused = runner.invoke(app, ["export", "--env", str(dev_file)])
    assert refused.exit_code == 2, refused.output
    out = " ".join(refused.output.split())
    where = "(action 'wisdom' at $.Actions[0].Parameters.WisdomAssistantArn)"
    assert f"flow:Cases: '{assistant}' {where}: an ARN of the source account" in out, out
    assert f"'{template}' (action 'case' at $.Actions[1].Parameters.CaseTemplateId)" in out
    assert "allow_literals" in out and "overrides: {literal:" in out
    assert not (tmp_path / "flows").exists()  # nothing written

    fields: dict[str, Any] = {
        "overrides": {"literal": {"cases-assistant": assistant}},
        "allow_literals": [{"value": template, "reason": "one case template for every account"}],
    }
    dev_file = sandbox_environment_file(tmp_path, seeded_sandbox.url, "dev", **fields)
    done = runner.invoke(app, ["export", "--env", str(dev_file)])
    assert done.exit_code == 0, done.output
    text = (tmp_path / "flows" / "Cases.json").read_text()
    assert '"literal:cases-assistant"' in text and template in text and DEV not in text


def _console_export(sandbox: SandboxServer) -> dict[str, Any]:
    """A designer export from dev: literal ARNs in Parameters and their Metadata mirrors."""
    client = make_client(sandbox.url, DEV)
    iid = instance_id_for(DEV)
    queues = client.list_queues(InstanceId=iid)["QueueSummaryList"]
    support = next(q for q in queues if q.get("Name") == "Support")
    fn = f"arn:aws:lambda:us-east-1:{DEV}:function:lookup-customer"
    content = linear_flow(
        (
            "lookup",
            "InvokeLambdaFunction",
            {"LambdaFunctionARN": fn, "InvocationTimeLimitSeconds": "3"},
        ),
        ("attrs", "UpdateContactAttributes", {"Attributes": {"CallbackQueueId": support["Id"]}}),
        ("queue", "UpdateContactTargetQueue", {"QueueId": support["Arn"]}),
        ("end", "DisconnectParticipant", {}),
    )
    content["Metadata"] = {
        "name": "Console Flow",
        "type": "contactFlow",
        "status": "published",
        "ActionMetadata": {
            "queue": {
                "position": {"x": 1, "y": 2},
                "queue": {"id": support["Arn"], "text": "Support"},
                "parameters": {"QueueId": {"displayName": "Support"}},
            }
        },
        "Annotations": [],
    }
    return content


def test_a_console_export_is_refused_by_plan_then_imported_and_promoted(
    seeded_sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = git_repo(tmp_path)
    raw = json.dumps(_console_export(seeded_sandbox), indent=2)
    commit_files(repo, {"Console-Flow.json": raw}, "a console export, as downloaded")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    dev_file = sandbox_environment_file(tmp_path, seeded_sandbox.url, "dev")
    staging_file = sandbox_environment_file(tmp_path, seeded_sandbox.url, "staging")
    refused = runner.invoke(app, ["plan", "--env", str(staging_file)])
    assert refused.exit_code == 1, refused.output
    out = " ".join(refused.output.split())
    assert "raw console export or API output" in out and "flowops import FILE" in out
    assert f"ARN of account {DEV}" in out

    imported = runner.invoke(app, ["import", "flows/Console-Flow.json", "--env", str(dev_file)])
    assert imported.exit_code == 0, imported.output
    text = (tmp_path / "flows" / "Console-Flow.json").read_text()
    assert DEV not in text and '"queue#id:Support"' in text and '"queue:Support"' in text
    assert '"lambda:lookup-customer"' in text and '"flowops": 1' in text
    repo.index.add(["flows/Console-Flow.json"])
    repo.index.commit("imported")
    promoted = runner.invoke(app, ["promote", "--to", str(staging_file)])
    assert promoted.exit_code == 0, promoted.output
    staging = make_client(seeded_sandbox.url, STAGING)
    iid = instance_id_for(STAGING)
    flows = staging.list_contact_flows(InstanceId=iid)["ContactFlowSummaryList"]
    flow_id = next(f["Id"] for f in flows if f["Name"] == "Console Flow")
    live = json.loads(
        staging.describe_contact_flow(InstanceId=iid, ContactFlowId=flow_id)["ContactFlow"][
            "Content"
        ]
    )
    queues = staging.list_queues(InstanceId=iid)["QueueSummaryList"]
    support = next(q for q in queues if q.get("Name") == "Support")
    params = {a["Identifier"]: a["Parameters"] for a in live["Actions"]}
    assert params["attrs"]["Attributes"]["CallbackQueueId"] == support["Id"]  # still a bare id
    assert params["queue"]["QueueId"] == support["Arn"]
    assert live["Metadata"]["ActionMetadata"]["queue"]["queue"]["id"] == support["Arn"]
    assert DEV not in json.dumps(live)


def test_a_failed_promote_reads_in_one_line_per_flow_and_a_rerun_converges(
    seeded_sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flowops.sandbox.config import FaultRule

    repo = git_repo(tmp_path)
    commit_files(repo, {"A.json": flow_text("A"), "B.json": flow_text("B", transfer="flow:A")})
    monkeypatch.chdir(tmp_path)
    staging_file = sandbox_environment_file(tmp_path, seeded_sandbox.url, "staging")
    long_reason = "Contact flow content is invalid: " + "; ".join(
        f"Action 'x{i}': the referenced resource does not exist" for i in range(12)
    )
    seeded_sandbox.config.faults.append(
        FaultRule(
            operation="CreateContactFlow",
            error_code="InvalidContactFlowException",
            fail_nth=2,
            message=long_reason,
            account=STAGING,
        )
    )
    runner = CliRunner()
    failed = runner.invoke(app, ["promote", "--to", str(staging_file)])
    assert failed.exit_code == 1, failed.output
    lines = [line for line in failed.output.splitlines() if line.strip()]
    assert all(len(line) < 260 for line in lines), lines
    assert "1 of 1 changed flow(s) put back" in failed.output  # A created, then deleted
    row = next(line for line in lines if line.strip().startswith("flow:B"))
    assert "failed: CreateContactFlow: InvalidContactFlowException" in row and "…" in row
    assert any(line.strip().startswith("flow:A") and "absent" in line for line in lines)
    seeded_sandbox.config.faults.clear()
    assert runner.invoke(app, ["promote", "--to", str(staging_file)]).exit_code == 0
    again = runner.invoke(app, ["plan", "--env", str(staging_file), "--exit-code"])
    assert again.exit_code == 0, again.output


def test_import_says_what_it_wrote_in_stamped_json(
    seeded_sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flowops.schemas import SCHEMAS

    monkeypatch.chdir(tmp_path)
    raw = tmp_path / "download.json"
    raw.write_text(json.dumps(_console_export(seeded_sandbox)), encoding="utf-8")
    dev_file = sandbox_environment_file(tmp_path, seeded_sandbox.url, "dev")
    args = ["import", str(raw), "--env", str(dev_file), "--format", "json"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    data = json.loads(first.stdout)
    assert data["schema"] == SCHEMAS["import"]
    assert data["written"] == [{"key": "flow:Console Flow", "path": "flows/Console-Flow.json"}]
    again = json.loads(CliRunner().invoke(app, args).stdout)
    assert again["written"] == [] and again["unchanged"] == ["flow:Console Flow"]


def test_import_lays_out_flows_missing_positions_and_keeps_an_authors_layout(
    seeded_sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flowops.layout import layout_metrics, positions_of
    from flowops.model.parse import load_document

    monkeypatch.chdir(tmp_path)
    dev_file = sandbox_environment_file(tmp_path, seeded_sandbox.url, "dev")
    partial = _console_export(seeded_sandbox)  # only "queue" has a designer position
    complete = _console_export(seeded_sandbox)
    complete["Metadata"]["name"] = "Placed Flow"
    placed = {a["Identifier"]: {"x": 300 * i, "y": 40} for i, a in enumerate(complete["Actions"])}
    complete["Metadata"]["ActionMetadata"] = {k: {"position": v} for k, v in placed.items()}
    for name, content in (("partial", partial), ("complete", complete)):
        (tmp_path / f"{name}.json").write_text(json.dumps(content), encoding="utf-8")
    args = ["import", "partial.json", "complete.json", "--env", str(dev_file)]
    assert (done := CliRunner().invoke(app, args)).exit_code == 0, done.output

    laid = load_document(tmp_path / "flows" / "Console-Flow.json").flow
    assert len(positions_of(laid)) == len(laid.actions)
    assert layout_metrics(laid).overlaps == 0
    assert positions_of(laid)["queue"] != (1.0, 2.0)  # the lone position was replaced too
    assert laid.action_metadata("queue")["queue"]["text"] == "Support"  # mirrors kept
    kept = load_document(tmp_path / "flows" / "Placed-Flow.json").flow
    assert positions_of(kept) == {k: (float(v["x"]), float(v["y"])) for k, v in placed.items()}

    again = CliRunner().invoke(app, ["import", "complete.json", "--env", str(dev_file)])
    assert again.exit_code == 0 and "unchanged flow:Placed Flow" in again.output, again.output
    relaid = CliRunner().invoke(
        app, ["import", "complete.json", "--env", str(dev_file), "--layout", "--force"]
    )
    assert relaid.exit_code == 0, relaid.output
    moved = load_document(tmp_path / "flows" / "Placed-Flow.json").flow
    assert positions_of(moved) != positions_of(kept)
    assert moved.actions == kept.actions  # layout only: the flow itself is untouched
