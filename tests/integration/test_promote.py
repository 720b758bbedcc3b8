"""Promote against the sandbox over real HTTP: round trip, overrides, missing resources,
dependency order and cycles, idempotence. Safety (restore, lock) is in
``test_promote_safety.py``; the helpers are in ``tests/support``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from flowops.connect import ConnectClient
from flowops.deploy.export import export_env
from flowops.deploy.preflight import PreflightError
from flowops.deploy.promote import promote
from flowops.sandbox import SandboxServer
from flowops.sandbox.seed import instance_id_for
from tests.support import DEV, STAGING, git_repo
from tests.support.clients import environment, make_client
from tests.support.flows import flow_content, flow_text
from tests.support.repos import commit_files, files_under
from tests.support.scenarios import lex_override, live_content, write_calls

# --- tests -----------------------------------------------------------------------------


def test_round_trip_dev_git_staging_export_is_identical_and_idempotent(
    seeded_sandbox: SandboxServer, tmp_path: Path
) -> None:
    dev = environment(seeded_sandbox, "dev", DEV)
    staging = environment(seeded_sandbox, "staging", STAGING)
    staging = environment(seeded_sandbox, "staging", STAGING, overrides=lex_override(dev, staging))
    repo = git_repo(tmp_path / "repo", "Test")
    exported = export_env(dev, tmp_path / "repo" / "flows", commit=True)
    assert len(exported.added) == 10 and exported.commit
    assert DEV not in "".join(files_under(tmp_path / "repo" / "flows").values())

    first = promote(staging, "HEAD", Path(repo.working_tree_dir or "."))
    assert first.applied is not None and first.applied.release is not None
    assert {o.action for o in first.applied.outcomes} == {"create"}
    assert first.tag == "flowops/staging/1" and "flowops/staging/1" in [t.name for t in repo.tags]
    order = [s.key for s in first.plan.steps]
    assert order.index("module:Log Interaction") < order.index("flow:Main Inbound")
    assert order.index("flow:Customer Queue") < order.index("flow:Main Inbound")

    second = promote(staging, "HEAD", Path(repo.working_tree_dir or "."))
    assert second.applied is not None and second.applied.release is None
    assert write_calls(second.applied.calls) == {}

    back = export_env(staging, tmp_path / "again" / "flows")
    assert files_under(tmp_path / "again" / "flows") == files_under(tmp_path / "repo" / "flows")
    assert [w for w in back.warnings if "names an account" in w] == []


def test_overrides_remap_resources_and_export_maps_them_back(
    seeded_sandbox: SandboxServer, tmp_path: Path
) -> None:
    staging = environment(
        seeded_sandbox, "staging", STAGING, overrides={"queue": {"Support": "Billing"}}
    )
    repo = git_repo(tmp_path, "Test")
    commit_files(repo, {"Greeting.json": flow_text("Greeting")})
    promote(staging, "HEAD", tmp_path)
    catalog = ConnectClient.for_environment(staging).catalog(with_content=False)
    billing, support = catalog.by_name("queue", "Billing"), catalog.by_name("queue", "Support")
    assert billing is not None and support is not None
    content = live_content(staging, "Greeting")
    queue = next(a for a in content["Actions"] if a["Identifier"] == "queue")
    assert queue["Parameters"]["QueueId"] == billing.arn
    export_env(staging, tmp_path / "back")
    assert (tmp_path / "back" / "Greeting.json").read_text() == flow_text("Greeting")


def test_a_new_override_updates_exactly_the_flows_whose_references_it_moves(
    seeded_sandbox: SandboxServer, tmp_path: Path
) -> None:
    staging = environment(seeded_sandbox, "staging", STAGING)
    repo = git_repo(tmp_path, "Test")
    commit_files(
        repo,
        {
            "Greeting.json": flow_text("Greeting"),
            "Biller.json": flow_text("Biller", queue="queue:Billing"),
            "Sales.json": flow_text("Sales", queue="queue:Sales"),
        },
    )
    promote(staging, "HEAD", tmp_path)
    # Support is now served by the Billing queue: Greeting must move, Biller must not.
    moved = environment(
        seeded_sandbox, "staging", STAGING, overrides={"queue": {"Support": "Billing"}}
    )
    client = ConnectClient.for_environment(moved)
    result = promote(moved, "HEAD", tmp_path, client=client)
    assert result.applied is not None
    assert {o.key for o in result.applied.outcomes} == {"flow:Greeting"}
    assert client.calls["UpdateContactFlowContent"] == 1
    billing = client.catalog(with_content=False).by_name("queue", "Billing")
    assert billing is not None
    queue = next(
        a for a in live_content(moved, "Greeting")["Actions"] if a["Identifier"] == "queue"
    )
    assert queue["Parameters"]["QueueId"] == billing.arn
    again = promote(moved, "HEAD", tmp_path)
    assert again.applied is not None and write_calls(again.applied.calls) == {}


def test_missing_target_resources_are_all_listed_before_any_write(
    seeded_sandbox: SandboxServer, tmp_path: Path
) -> None:
    staging = environment(seeded_sandbox, "staging", STAGING)
    repo = git_repo(tmp_path, "Test")
    commit_files(
        repo,
        {
            "A.json": flow_text("A", queue="queue:Nowhere", transfer="flow:Ghost"),
            "B.json": flow_text("B", module="module:Missing Module", transfer="flow:A"),
        },
    )
    client = ConnectClient.for_environment(staging)
    with pytest.raises(PreflightError) as info:
        promote(staging, "HEAD", tmp_path, client=client)
    message = str(info.value)
    for missing in ("queue 'Nowhere'", "flow 'Ghost'", "module 'Missing Module'"):
        assert missing in message
    assert "flow 'A'" not in message  # a flow of the same release is not missing
    assert info.value.exit_code == 1
    assert write_calls(dict(client.calls)) == {}


def test_three_flow_cycle_is_created_with_placeholders_then_published(
    seeded_sandbox: SandboxServer, tmp_path: Path
) -> None:
    staging = environment(seeded_sandbox, "staging", STAGING)
    repo = git_repo(tmp_path, "Test")
    commit_files(
        repo,
        {
            "A.json": flow_text("A", transfer="flow:B"),
            "B.json": flow_text("B", transfer="flow:C"),
            "C.json": flow_text("C", transfer="flow:A"),
            "Entry.json": flow_text("Entry", transfer="flow:A", module="module:Helper"),
            "modules/Helper.json": flow_text("Helper", kind="module", queue=None),
        },
    )
    result = promote(staging, "HEAD", tmp_path)
    steps = {s.key: s for s in result.plan.steps}
    assert all(steps[k].cycle for k in ("flow:A", "flow:B", "flow:C"))
    assert not steps["flow:Entry"].cycle
    order = [s.key for s in result.plan.steps]
    assert order.index("flow:A") < order.index("flow:Entry")
    assert order.index("module:Helper") < order.index("flow:Entry")
    catalog = ConnectClient.for_environment(staging).catalog()
    for name, target in (("A", "B"), ("B", "C"), ("C", "A")):
        live = catalog.flow("flow", name)
        assert live is not None and live.status == "PUBLISHED"
        assert live.content is not None
        target_flow = catalog.flow("flow", target)
        assert target_flow is not None and target_flow.arn in live.content
    again = promote(staging, "HEAD", tmp_path)
    assert again.applied is not None and write_calls(again.applied.calls) == {}


def test_changed_flows_only_are_written_with_restore_point_and_release_versions(
    seeded_sandbox: SandboxServer, tmp_path: Path
) -> None:
    staging = environment(seeded_sandbox, "staging", STAGING)
    repo = git_repo(tmp_path, "Test")
    files = {f"F{i}.json": flow_text(f"F{i}") for i in range(4)}
    commit_files(repo, files)
    promote(staging, "HEAD", tmp_path)
    layout_only = flow_text("F1").replace('"x": 10', '"x": 99')
    sha = commit_files(
        repo,
        {
            "F0.json": flow_text("F0", text="Changed"),
            "F1.json": layout_only,
            "F2.json": flow_text("F2", description="new description"),
        },
    )
    client = ConnectClient.for_environment(staging)
    result = promote(staging, "HEAD", tmp_path, client=client)
    assert result.applied is not None and result.applied.release is not None
    changed = {o.key: o for o in result.applied.outcomes}
    assert set(changed) == {"flow:F0", "flow:F2"}  # layout alone does not trigger an update
    assert client.calls["UpdateContactFlowContent"] == 1
    assert client.calls["UpdateContactFlowMetadata"] == 1
    # Release versions only: the live content is release 1's (same hash in the ledger), so
    # that version is the restore point and none is created: 2 writes per changed flow.
    assert client.calls["CreateContactFlowVersion"] == 2
    f0 = changed["flow:F0"]
    assert f0.version_before == 1 and f0.version_after == 2
    assert f0.id is not None
    versions = client.list_versions("flow", f0.id)
    rid = result.applied.release.id
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].description.startswith("flowops:release=1 ")
    assert versions[1].description == f"flowops:release={rid} commit={sha} env=staging"
    assert result.applied.release.commit == sha
    assert result.applied.release.flow("flow:F0") is not None


def test_odd_flow_names_round_trip_through_export_and_promote(
    seeded_sandbox: SandboxServer, tmp_path: Path
) -> None:
    client = make_client(seeded_sandbox.url, DEV)
    iid = instance_id_for(DEV)
    odd = ["Sales/EMEA ünïcødé", "Sales-EMEA ünïcødé", "a\\b: c?*", "日本語フロー", "CON"]
    arns = {
        name: client.create_contact_flow(
            InstanceId=iid, Name=name, Type="CONTACT_FLOW", Content=flow_content()
        )["ContactFlowArn"]
        for name in odd
    }
    router = [
        {
            "Identifier": "hello",
            "Type": "TransferToFlow",
            "Parameters": {"ContactFlowId": arns["Sales/EMEA ünïcødé"]},
            "Transitions": {"Errors": [{"NextAction": "end", "ErrorType": "NoMatchingError"}]},
        },
        {"Identifier": "end", "Type": "DisconnectParticipant", "Parameters": {}},
    ]
    client.create_contact_flow(
        InstanceId=iid, Name="Router", Type="CONTACT_FLOW", Content=flow_content(actions=router)
    )
    dev = environment(seeded_sandbox, "dev", DEV)
    staging = environment(seeded_sandbox, "staging", STAGING)
    repo = git_repo(tmp_path / "repo", "Test")
    root = tmp_path / "repo" / "flows"
    first = export_env(dev, root, commit=True)
    assert {f"flow:{n}" for n in odd} <= set(first.added)
    files = files_under(root)
    assert len(files) == 16  # no two names share a file
    assert "日本語フロー.json" in files and "CON-flow.json" in files
    assert '"ContactFlowId": "flow:Sales/EMEA ünïcødé"' in files["Router.json"]
    again = export_env(dev, root)
    assert again.touched == () and files_under(root) == files
    assert not repo.is_dirty(untracked_files=True)

    promote(staging, "HEAD", Path(repo.working_tree_dir or "."))
    export_env(staging, tmp_path / "staging")
    assert files_under(tmp_path / "staging") == files
