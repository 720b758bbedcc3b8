"""Rollback against the sandbox, through real boto3 over HTTP, after real promotes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from flowops.connect import ConnectClient
from flowops.deploy.canary_state import STATE_TAG
from flowops.deploy.promote import promote
from flowops.deploy.releases import read_ledger
from flowops.deploy.rollback import rollback
from flowops.errors import BadInputError
from flowops.model import FlowDocument, FlowInfo, dump_document, parse_content
from flowops.model.canonical import dump_content
from flowops.sandbox import SandboxServer
from flowops.sandbox.config import FaultRule
from flowops.sandbox.testing import FAST_RETRIES, git_repo, sandbox_environment

pytestmark = pytest.mark.integration

FLOWS = ("RB Alpha", "RB Beta", "RB Gamma")


def client_for(sandbox: SandboxServer, **env: Any) -> ConnectClient:
    env.setdefault("managed_names", ("RB *",))
    return ConnectClient.for_environment(
        sandbox_environment(sandbox.url, **env), settings=FAST_RETRIES
    )


def content(name: str, text: str, transfer_to: str | None = None) -> dict[str, Any]:
    actions: list[dict[str, Any]] = [
        {
            "Identifier": "say",
            "Type": "MessageParticipant",
            "Parameters": {"Text": text},
            "Transitions": {
                "NextAction": "next" if transfer_to else "bye",
                "Errors": [{"NextAction": "bye", "ErrorType": "NoMatchingError"}],
            },
        },
        {"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}},
    ]
    if transfer_to:
        actions.append(
            {
                "Identifier": "next",
                "Type": "TransferToFlow",
                "Parameters": {"ContactFlowId": f"flow:{transfer_to}"},
                "Transitions": {
                    "NextAction": "bye",
                    "Errors": [{"NextAction": "bye", "ErrorType": "NoMatchingError"}],
                },
            }
        )
    return {"Version": "2019-10-30", "StartAction": "say", "Actions": actions}


class Repo:
    """A throwaway git repository with a flows/ folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.git = git_repo(root)
        (root / "flows").mkdir()

    def commit(self, flows: dict[str, dict[str, Any]], message: str) -> str:
        for path in (self.root / "flows").glob("*.json"):
            path.unlink()
        for name, body in flows.items():
            doc = FlowDocument(FlowInfo(name=name), parse_content(body))
            (self.root / "flows" / f"{name.replace(' ', '-')}.json").write_text(dump_document(doc))
        self.git.git.add("-A")
        return str(self.git.index.commit(message).hexsha)


def release(repo: Repo, client: ConnectClient, flows: dict[str, dict[str, Any]]) -> int:
    sha = repo.commit(flows, f"release {len(flows)}")
    result = promote(client.env, sha, repo.root, client=client, tag=False)
    assert result.applied is not None and result.applied.release is not None
    return result.applied.release.id


def live(client: ConnectClient) -> dict[str, Any]:
    """Every RB flow's content as canonical text (ARNs as the account has them)."""
    client.refresh_flows()
    out: dict[str, Any] = {}
    for key, flow in client.catalog().flows.items():
        if flow.name.startswith("RB "):
            fresh = client.describe("flow", flow.id)
            # Canonical text, layout included: restored means byte-identical after this.
            out[key] = dump_content(parse_content(json.loads(fresh.content or "")))
    return out


V1 = {
    "RB Alpha": content("RB Alpha", "alpha one", transfer_to="RB Beta"),
    "RB Beta": content("RB Beta", "beta one"),
    "RB Gamma": content("RB Gamma", "gamma one"),
}
V2 = {
    "RB Alpha": content("RB Alpha", "alpha two", transfer_to="RB Gamma"),
    "RB Beta": content("RB Beta", "beta two"),
    "RB Gamma": content("RB Gamma", "gamma two"),
}


Released = tuple[SandboxServer, ConnectClient, Repo, dict[str, Any], dict[str, Any]]


@pytest.fixture
def released(seeded_sandbox: SandboxServer, tmp_path: Path) -> Released:
    """Two promotes of three flows; a client (the one reader); the live state after each.

    Tests reuse one client where they can: building a boto3 client costs more than the
    calls these tests make.
    """
    client = client_for(seeded_sandbox)
    repo = Repo(tmp_path / "repo")
    release(repo, client, V1)
    first = live(client)
    release(repo, client, V2)
    second = live(client)
    assert first != second and len(first) == 3
    return seeded_sandbox, client, repo, first, second


def test_rollback_from_a_fresh_directory_restores_the_previous_release(
    released: Released,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sandbox, reader, _, first, second = released
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    monkeypatch.chdir(empty)  # no repository, no files
    client = client_for(sandbox)
    report = rollback(client)
    assert report.ok and report.release_id == 3
    assert [(o.step.name, o.result) for o in report.outcomes] == [
        (name, "restored") for name in FLOWS
    ]
    assert live(reader) == first
    # One content write and one version per flow, no more.
    assert client.calls["UpdateContactFlowContent"] == 3
    # The ledger: the "running" record before the first write, the final one after.
    assert client.calls["UpdateContactFlowModuleContent"] == 2
    assert client.calls["CreateContactFlowVersion"] == 3
    record = read_ledger(reader)[-1]
    assert record.message.startswith("rollback of release 2")
    for outcome in report.outcomes:
        versions = {v.version: v for v in reader.list_versions("flow", outcome.step.flow_id)}
        assert outcome.version in versions
        restored = reader.describe("flow", outcome.step.flow_id, outcome.version)
        assert (
            dump_content(parse_content(json.loads(restored.content or "")))
            == first[outcome.step.key]
        )
        if outcome.version != outcome.step.to_version:  # Connect made a new version
            assert "rollback of release 2" in versions[outcome.version].description

    # A rollback of the rollback rolls forward.
    again = rollback(reader)
    assert again.ok and again.plan.reverts == ("3",)
    assert live(reader) == second


def test_dry_run_writes_nothing_and_flow_and_version_options(
    released: Released,
) -> None:
    sandbox, reader, _, first, second = released
    client = reader
    client.calls.clear()
    report = rollback(client, dry_run=True)
    assert report.dry_run and report.release_id is None
    assert {o.result for o in report.outcomes} == {"planned"}
    assert not client.calls["UpdateContactFlowContent"]
    assert live(reader) == second

    one = rollback(reader, flow="RB Beta")
    assert [o.step.name for o in one.outcomes] == ["RB Beta"]
    now = live(reader)
    assert now["flow:RB Beta"] == first["flow:RB Beta"]
    assert now["flow:RB Alpha"] == second["flow:RB Alpha"]

    (beta,) = one.outcomes
    back = rollback(reader, flow="RB Beta", to_version=beta.step.from_version)
    assert back.ok
    assert live(reader)["flow:RB Beta"] == second["flow:RB Beta"]

    with pytest.raises(BadInputError, match="needs --flow"):
        rollback(reader, to_version=1)
    reader.calls.clear()
    with pytest.raises(BadInputError, match="RB Beta has no version 99 .*nothing was written"):
        rollback(reader, flow="RB Beta", to_version=99)
    assert not reader.calls["UpdateContactFlowContent"]
    assert live(reader)["flow:RB Beta"] == second["flow:RB Beta"]


def test_to_release_and_flows_created_by_the_release(
    released: Released,
) -> None:
    sandbox, reader, repo, first, second = released
    v3 = {
        **V2,
        "RB Delta": content("RB Delta", "delta"),
        "RB Alpha": content("RB Alpha", "alpha three", transfer_to="RB Delta"),
    }
    release(repo, reader, v3)
    report = rollback(reader, to_release="1")
    assert report.ok
    results = {o.step.name: o for o in report.outcomes}
    assert results["RB Delta"].result == "left"
    assert "left in place" in results["RB Delta"].message
    now = live(reader)
    assert "flow:RB Delta" in now  # not deleted
    assert {k: v for k, v in now.items() if k != "flow:RB Delta"} == first


def test_rollback_under_injected_throttling_completes(
    released: Released,
) -> None:
    sandbox, reader, _, first, _ = released
    sandbox.config.faults.append(
        FaultRule(
            operation="UpdateContactFlowContent",
            error_code="ThrottlingException",
            fail_nth=[1, 2, 4],
            message="Rate exceeded",
        )
    )
    sandbox.config.faults.append(
        FaultRule(
            operation="CreateContactFlowVersion",
            error_code="ThrottlingException",
            fail_nth=[2],
            message="Rate exceeded",
        )
    )
    client = reader
    client.attempts.clear()
    report = rollback(client)
    assert report.ok
    # Every throttled request was sent again: 3 flows + 3 throttled attempts.
    assert client.attempts["UpdateContactFlowContent"] == 6
    assert client.attempts["CreateContactFlowVersion"] == 4
    assert live(reader) == first


def test_partial_failure_keeps_going_and_reports_each_flow(
    released: Released,
) -> None:
    sandbox, reader, _, first, second = released
    sandbox.config.faults.append(
        FaultRule(
            operation="UpdateContactFlowContent",
            error_code="InvalidParameterException",
            fail_nth=[2],
            message="injected failure",
        )
    )
    report = rollback(reader)
    assert not report.ok
    results = {o.step.name: o.result for o in report.outcomes}
    assert results == {"RB Alpha": "restored", "RB Beta": "failed", "RB Gamma": "restored"}
    (failed,) = report.failed
    assert "injected failure" in failed.message
    now = live(reader)
    assert now["flow:RB Alpha"] == first["flow:RB Alpha"]
    assert now["flow:RB Beta"] == second["flow:RB Beta"]  # untouched, and reported so
    assert now["flow:RB Gamma"] == first["flow:RB Gamma"]
    record = read_ledger(reader)[-1]
    assert record.status == "failed"
    assert {f.name: f.outcome for f in record.flows}["RB Beta"] == "failed"


def test_a_rollback_that_moved_nothing_is_not_the_release_to_undo_next(
    released: Released,
) -> None:
    sandbox, reader, _, first, second = released
    sandbox.config.faults.append(
        FaultRule(
            operation="UpdateContactFlowContent",
            error_code="AccessDeniedException",
            fail_nth=[1, 2, 3],
            message="injected denial",
        )
    )
    refused = rollback(reader)
    assert {o.result for o in refused.outcomes} == {"failed"}
    assert live(reader) == second
    sandbox.config.faults.clear()
    retried = rollback(reader)
    assert retried.plan.reverts == refused.plan.reverts  # release 2 again, not the failure
    assert retried.ok and len(retried.outcomes) == 3
    assert live(reader) == first


def test_a_flow_running_a_canary_is_refused_until_promoted_or_aborted(
    released: Released,
) -> None:
    from flowops.deploy.canary import abort_canary, start_canary
    from tests.integration.test_canary_live import candidate_doc

    sandbox, reader, _, first, second = released
    start_canary(reader, "RB Beta", candidate_doc(), 10, ref="cafe12")
    canaried = live(reader)
    reader.calls.clear()
    for dry_run in (True, False):
        with pytest.raises(BadInputError, match=r"flow:RB Beta runs a canary .*10% to cafe12"):
            rollback(reader, dry_run=dry_run)
    # Read by id, not found by a search that may lag: no Search, one describe per flow.
    assert reader.calls["SearchContactFlows"] == 0
    assert not reader.calls["UpdateContactFlowContent"]
    assert live(reader) == canaried
    # Tags can lag too: a flow whose content is a canary wrapper is refused without its tag.
    beta = reader.find_by_name("flow", "RB Beta")
    assert beta is not None
    state = reader.list_tags(beta.arn)[STATE_TAG]
    reader.untag(beta.arn, [STATE_TAG])
    with pytest.raises(BadInputError, match=r"flow:RB Beta runs a canary"):
        rollback(reader)
    reader.tag(beta.arn, {STATE_TAG: state})
    abort_canary(reader, "RB Beta")
    assert rollback(reader).ok
    assert live(reader) == first


def test_unreadable_versions_fall_back_to_git_and_say_so(
    released: Released,
) -> None:
    sandbox, reader, repo, first, _ = released
    sandbox.config.faults.append(
        FaultRule(
            operation="DescribeContactFlow",
            error_code="InvalidRequestException",
            fail_nth=[4],  # after the canary check reads each of the three flows by id
            message="versions are not supported for this flow type",
        )
    )
    sandbox.config.faults.append(
        FaultRule(
            operation="CreateContactFlowVersion",
            error_code="InvalidRequestException",
            fail_nth=[2],
            message="versions are not supported for this flow type",
        )
    )
    report = rollback(reader, repo_path=repo.root)
    assert report.ok
    alpha, beta, gamma = report.outcomes
    assert alpha.result == "restored" and "content from git" in alpha.message
    assert beta.result == "restored" and "no version created" in beta.message
    assert beta.version is None
    assert gamma.result == "restored" and gamma.message == ""
    assert live(reader) == first


def test_no_repository_and_no_readable_version_is_a_reported_failure(
    released: Released, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox, reader, _, first, second = released
    (tmp_path / "nowhere").mkdir()
    monkeypatch.chdir(tmp_path / "nowhere")
    sandbox.config.faults.append(
        FaultRule(
            operation="DescribeContactFlow",
            error_code="InvalidRequestException",
            fail_nth=[4],  # after the canary check reads each of the three flows by id
            message="versions are not supported",
        )
    )
    report = rollback(reader)
    (failed,) = report.failed
    assert failed.step.name == "RB Alpha" and "not inside a git repository" in failed.message
    now = live(reader)
    assert now["flow:RB Alpha"] == second["flow:RB Alpha"]
    assert now["flow:RB Beta"] == first["flow:RB Beta"]


def test_alias_environments_repoint_the_entry_alias_without_rewriting_content(
    released: Released,
) -> None:
    sandbox, reader, _, _, second = released
    for flow in reader.catalog().flows.values():
        if flow.name.startswith("RB "):
            latest = reader.list_versions("flow", flow.id)[-1].version
            reader.create_alias("flow", flow.id, "live", latest)
    client = client_for(sandbox, use_aliases=True)
    report = rollback(client)
    assert report.ok
    assert {o.result for o in report.outcomes} == {"repointed"}
    assert client.calls["UpdateContactFlowAlias"] == 3
    # These records predate alias ids (promoted without aliases): one listing per flow.
    assert client.calls["ListContactFlowAliases"] == 3
    assert not client.calls["UpdateContactFlowContent"]
    for outcome in report.outcomes:
        (alias,) = client.list_aliases("flow", outcome.step.flow_id)
        assert alias["Version"] == outcome.step.to_version
    assert live(reader) == second  # $LATEST untouched: entry points follow the alias
    released_versions = {o.step.name: o.step.from_version for o in report.outcomes}
    forward = rollback(client)  # roll forward: back to the release versions
    assert forward.ok
    for outcome in forward.outcomes:
        (alias,) = client.list_aliases("flow", outcome.step.flow_id)
        assert alias["Version"] == released_versions[outcome.step.name]
