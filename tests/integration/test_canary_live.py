"""Canary start/ramp/promote/abort against the sandbox, through real boto3 over HTTP."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from flowops.connect import ConnectClient
from flowops.deploy import canary_wrapper as cw
from flowops.deploy.canary import (
    abort_canary,
    canary_status,
    find_entry,
    promote_canary,
    ramp_canary,
    start_canary,
)
from flowops.deploy.canary_state import STATE_TAG
from flowops.deploy.releases import read_ledger
from flowops.deploy.rollback import rollback
from flowops.errors import BadInputError, FlowopsError
from flowops.lint.engine import lint_document
from flowops.lint.finding import Severity
from flowops.model import FlowDocument, FlowInfo, parse_content
from flowops.model.canonical import dump_content, semantic_content
from flowops.model.parse import document_from_data
from flowops.refs import symbolize
from flowops.sandbox import SandboxServer
from tests.support import DEV, FAST_RETRIES
from tests.support.clients import client_for
from tests.support.scenarios import MAIN, candidate_doc

pytestmark = pytest.mark.integration


def phone_target(sandbox: SandboxServer) -> str:
    """Which flow the dev account's phone number points at (read from the sandbox store)."""
    rows = sandbox.store.all("SELECT data FROM resources WHERE kind = 'phone_number'")
    targets = {json.loads(r["data"]).get("ContactFlowArn") for r in rows}
    targets.discard(None)
    assert len(targets) >= 1
    return str(sorted(t for t in targets if f":{DEV}:" in t)[0])


def semantics(text: str | None) -> dict[str, Any]:
    assert text is not None
    return semantic_content(parse_content(json.loads(text)))


def test_start_ramp_promote_keeps_identity_and_ends_with_the_candidate(
    seeded_sandbox: SandboxServer,
) -> None:
    client = client_for(seeded_sandbox)
    entry = find_entry(client, MAIN)
    phone = phone_target(seeded_sandbox)
    assert phone == entry.arn

    started = start_canary(client, MAIN, candidate_doc(), 10, ref="abc123def456")
    assert started.state is not None and started.state.percent == 10
    status = canary_status(client, MAIN)
    assert status.running and status.live_percent == 10 and status.problems == ()
    assert status.stable is not None and status.candidate is not None
    assert semantics(status.stable.content) == semantics(entry.content)
    live = client.describe("flow", entry.id)
    wrapper = document_from_data(json.loads(live.content or ""))
    assert cw.variant_targets(dict(wrapper.flow.raw)) == {
        "stable": status.stable.arn,
        "candidate": status.candidate.arn,
    }
    bad = [f for f in lint_document(wrapper) if f.severity.rank >= Severity.warning.rank]
    assert bad == []

    # Another laptop (a fresh client, no local state) ramps it.
    other = client_for(seeded_sandbox)
    ramp_canary(other, MAIN, 50)
    status = canary_status(client, MAIN)
    assert status.live_percent == 50 and status.state is not None
    assert status.state.percent == 50 and status.problems == ()

    promoted = promote_canary(other, MAIN)
    assert promoted.release_id is not None
    fresh = client
    fresh.refresh_flows()
    after = find_entry(fresh, MAIN)
    assert (after.id, after.arn) == (entry.id, entry.arn)
    assert phone_target(seeded_sandbox) == entry.arn
    candidate = fresh.describe("flow", after.id)
    # The candidate's content, with its symbolic queue resolved to this account's ARN.
    actions = {a["Identifier"]: a for a in json.loads(candidate.content or "")["Actions"]}
    assert actions["queue"]["Parameters"]["QueueId"].startswith(f"arn:aws:connect:us-east-1:{DEV}:")
    # Exactly the candidate: symbolizing the live content gives back the file's content.
    symbolic, unresolved = symbolize(json.loads(candidate.content or ""), fresh.catalog())
    assert unresolved == []
    assert dump_content(parse_content(symbolic)) == dump_content(candidate_doc().flow)
    assert STATE_TAG not in fresh.list_tags(after.arn)
    names = set(fresh.catalog().flows)
    assert f"flow:{cw.helper_name(MAIN, 'stable')}" not in names
    assert f"flow:{cw.helper_name(MAIN, 'candidate')}" not in names
    assert not canary_status(fresh, MAIN).running
    (record,) = [r for r in read_ledger(fresh) if r.id == promoted.release_id]
    assert record.flows[0].version_before == started.state.restore_version

    # Rolling back the promote puts the stable (pre-canary) content back.
    report = rollback(other)
    assert report.ok
    restored = client.describe("flow", entry.id)
    assert semantics(restored.content) == semantics(entry.content)


def test_abort_restores_the_exact_content_and_removes_helpers(
    seeded_sandbox: SandboxServer,
) -> None:
    client = client_for(seeded_sandbox)
    entry = find_entry(client, MAIN)
    before = client.describe("flow", entry.id)
    start_canary(client, MAIN, candidate_doc(), 1)
    other = client_for(seeded_sandbox)  # another machine aborts it
    result = abort_canary(other, MAIN)
    assert result.state is None and result.notes == ()
    fresh = client
    fresh.refresh_flows()
    after = fresh.describe("flow", entry.id)
    assert after.id == before.id and after.arn == before.arn
    assert after.content == before.content
    assert phone_target(seeded_sandbox) == entry.arn
    assert STATE_TAG not in fresh.list_tags(entry.arn)
    assert not any("(canary " in key for key in fresh.catalog().flows)
    # A second canary can start once the first is gone.
    start_canary(fresh, MAIN, candidate_doc(), 99)
    assert canary_status(other, MAIN).live_percent == 99


def test_percent_outside_1_to_99_is_rejected_before_any_call(
    seeded_sandbox: SandboxServer,
) -> None:
    client = client_for(seeded_sandbox)
    for percent in (0, 100, 101, -1):
        with pytest.raises(BadInputError, match="between 1 and 99"):
            start_canary(client, MAIN, candidate_doc(), percent)
        with pytest.raises(BadInputError, match="between 1 and 99"):
            ramp_canary(client, MAIN, percent)
    assert sum(client.calls.values()) == 0


def test_second_start_and_commands_without_a_canary_are_bad_input(
    seeded_sandbox: SandboxServer,
) -> None:
    client = client_for(seeded_sandbox)
    with pytest.raises(BadInputError, match="no canary is running"):
        ramp_canary(client, MAIN, 20)
    with pytest.raises(BadInputError, match="no canary is running"):
        promote_canary(client, MAIN)
    start_canary(client, MAIN, candidate_doc(), 5)
    with pytest.raises(BadInputError, match="already running"):
        start_canary(client, MAIN, candidate_doc(), 5)
    with pytest.raises(BadInputError, match="between 1 and 99"):
        ramp_canary(client, MAIN, 100)
    with pytest.raises(BadInputError, match="no flow 'Nope'"):
        canary_status(client, "Nope")


def test_a_candidate_equal_to_the_live_content_is_refused_before_any_write(
    seeded_sandbox: SandboxServer,
) -> None:
    client = client_for(seeded_sandbox)
    start_canary(client, MAIN, candidate_doc(), 10, ref="abc123")
    promote_canary(client, MAIN)
    client.calls.clear()
    with pytest.raises(BadInputError, match="already runs the content at abc123: nothing to"):
        start_canary(client, MAIN, candidate_doc(), 10, ref="abc123")
    writes = [
        op
        for op, n in client.calls.items()
        if n and not op.startswith(("Describe", "List", "Search"))
    ]
    assert writes == []


def test_alias_environments_move_the_entry_alias_with_each_step(
    seeded_sandbox: SandboxServer,
) -> None:
    setup = client_for(seeded_sandbox)
    entry = find_entry(setup, MAIN)
    original = setup.create_version("flow", entry.id, "before")
    setup.create_alias("flow", entry.id, "live", original)
    env = replace(setup.env, use_aliases=True)
    client = ConnectClient.for_environment(env, settings=FAST_RETRIES)

    def alias_content() -> dict[str, Any]:
        (alias,) = client.list_aliases("flow", entry.id)
        return semantics(client.describe("flow", entry.id, int(alias["Version"])).content)

    start_canary(client, MAIN, candidate_doc(), 40)
    assert cw.SPLIT in {a["Identifier"] for a in alias_content()["Actions"]}
    abort_canary(client, MAIN)
    assert alias_content() == semantics(entry.content)


def test_a_failed_start_leaves_nothing_behind(seeded_sandbox: SandboxServer) -> None:
    from flowops.connect import InvalidContactFlowError
    from flowops.sandbox.config import FaultRule

    client = client_for(seeded_sandbox)
    entry = find_entry(client, MAIN)
    before = client.describe("flow", entry.id).content
    bad_arn = entry.arn.rsplit("/", 1)[0] + "/00000000-0000-0000-0000-000000000000"
    raw = json.loads(json.dumps(candidate_doc().flow.raw))
    raw["Actions"].append(
        {
            "Identifier": "gone",
            "Type": "TransferToFlow",
            "Parameters": {"ContactFlowId": bad_arn},
            "Transitions": {
                "NextAction": "bye",
                "Errors": [{"NextAction": "bye", "ErrorType": "NoMatchingError"}],
            },
        }
    )
    raw["Actions"][0]["Transitions"]["NextAction"] = "gone"
    broken = FlowDocument(FlowInfo(name=MAIN), parse_content(raw))
    with pytest.raises(InvalidContactFlowError):
        start_canary(client, MAIN, broken, 10)

    # The wrapper's own publish fails: the start undoes itself.
    seeded_sandbox.config.faults.append(
        FaultRule(
            operation="UpdateContactFlowContent",
            error_code="AccessDeniedException",
            fail_nth=[1],
            message="injected",
        )
    )
    with pytest.raises(FlowopsError, match="injected"):
        start_canary(client, MAIN, candidate_doc(), 10)

    client.refresh_flows()
    assert client.describe("flow", entry.id).content == before
    assert STATE_TAG not in client.list_tags(entry.arn)
    assert not any("(canary " in key for key in client.catalog().flows)


def test_unmanaged_and_non_inbound_flows_are_refused(seeded_sandbox: SandboxServer) -> None:
    client = client_for(seeded_sandbox)
    narrow = ConnectClient.for_environment(
        replace(client.env, managed_names=("Sales*",)), settings=FAST_RETRIES
    )
    with pytest.raises(BadInputError, match="not managed"):
        start_canary(narrow, MAIN, candidate_doc(), 10)
    queue_flow = next(
        f for f in client.catalog().flows.values() if f.kind == "flow" and f.type != "CONTACT_FLOW"
    )
    with pytest.raises(BadInputError, match="inbound contact flow"):
        start_canary(client, queue_flow.name, candidate_doc(), 10)
    assert not any(client.calls[op] for op in ("CreateContactFlow", "TagResource"))
