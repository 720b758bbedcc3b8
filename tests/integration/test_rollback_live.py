"""Rollback against the sandbox, through real boto3 over HTTP, after real promotes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flowops.deploy.canary_state import STATE_TAG
from flowops.deploy.releases import read_ledger
from flowops.deploy.rollback import rollback
from flowops.errors import BadInputError
from flowops.model import parse_content
from flowops.model.canonical import dump_content
from flowops.sandbox.config import FaultRule
from tests.support.flows import say_then_transfer
from tests.support.scenarios import FLOWS, V2, Released, candidate_doc, live, rb_client, release

pytestmark = pytest.mark.integration


def test_rollback_from_a_fresh_directory_restores_the_previous_release(
    released: Released,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sandbox, reader, _, first, second = released
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    monkeypatch.chdir(empty)  # no repository, no files
    client = rb_client(sandbox)
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
        "RB Delta": say_then_transfer("delta"),
        "RB Alpha": say_then_transfer("alpha three", transfer_to="RB Delta"),
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
    client = rb_client(sandbox, use_aliases=True)
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
