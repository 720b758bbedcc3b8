"""The client's writes fit Connect's real limits, and it rides out eventual consistency
after its own creates; through real boto3 against the sandbox.

The sandbox is more lenient than Connect in places; the client's model check
(``ClientSettings.check_model``) refuses, before sending, any request Connect would refuse
for a length, pattern, enum or range, so these tests fail where real Connect would.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from flowops.connect import ConnectClient, ModelViolationError, NotFoundError
from flowops.connect.client import FRESH_SECONDS
from flowops.sandbox import SandboxServer
from flowops.sandbox.config import FaultRule
from tests.support import DEV, FAST_RETRIES, linear_flow, sandbox_environment

pytestmark = pytest.mark.integration

CHECKED = replace(FAST_RETRIES, check_model=True)


def content(label: str) -> str:
    return json.dumps(
        linear_flow(
            (f"{label}-play", "MessageParticipant", {"Text": label}),
            (f"{label}-end", "DisconnectParticipant", {}),
        )
    )


def module_content(label: str) -> str:
    return json.dumps(
        linear_flow(
            (f"{label}-play", "MessageParticipant", {"Text": label}),
            (f"{label}-end", "EndFlowModuleExecution", {}),
        )
    )


def client_for(sandbox: SandboxServer, **settings: Any) -> ConnectClient:
    env = sandbox_environment(sandbox.url)
    return ConnectClient.for_environment(env, settings=replace(CHECKED, **settings))


def sent(sandbox: SandboxServer, operation: str) -> int:
    return sandbox.request_log.counts().get((DEV, operation), 0)


def outcomes(sandbox: SandboxServer, operation: str) -> dict[str, int]:
    return {
        outcome: n
        for (account, op, outcome), n in sandbox.request_log.outcomes().items()
        if account == DEV and op == operation
    }


# --- limits ------------------------------------------------------------------------------


def test_a_request_breaking_the_model_is_refused_before_it_is_sent(
    seeded_sandbox: SandboxServer,
) -> None:
    client = client_for(seeded_sandbox)
    module = client.create("module", "Checked", module_content("c"))
    version = client.create_version("module", module.id, "v1")
    with pytest.raises(ModelViolationError) as refused:
        client.create_alias("module", module.id, "not a valid alias", version)
    assert "at 'AliasName'" in str(refused.value)
    assert refused.value.exit_code == 3
    assert sent(seeded_sandbox, "CreateContactFlowModuleAlias") == 0  # nothing reached Connect
    with pytest.raises(ModelViolationError, match=r"at 'tags.k.value'.*less than or equal to 256"):
        client.tag(module.arn, {"k": "v" * 257})
    assert sent(seeded_sandbox, "TagResource") == 0


def test_blank_descriptions_are_never_sent(seeded_sandbox: SandboxServer) -> None:
    """Module descriptions must match ``.*\\S.*`` on create, update, version and alias."""
    client = client_for(seeded_sandbox)
    module = client.create("module", "Blank", module_content("b"), description=" ")
    version = client.create_version("module", module.id, "")
    client.create_alias("module", module.id, "live", version, description="")
    client.update_metadata("module", module.id, description="kept")
    client.update_metadata("module", module.id, description="")  # a restore to "no description"
    assert client.describe("module", module.id).description == "kept"
    assert any("cannot clear a module's description" in w for w in client.warnings)
    assert sent(seeded_sandbox, "UpdateContactFlowModuleMetadata") == 1  # nothing left to send
    client.update_metadata("module", module.id, description="", state="ARCHIVED")
    archived = client.describe("module", module.id)
    assert (archived.state, archived.description) == ("ARCHIVED", "kept")
    # Flows have no such pattern: clearing a flow's description is sent as asked.
    flow = client.create("flow", "Described", content("d"), description="first")
    client.update_metadata("flow", flow.id, description="")
    assert client.describe("flow", flow.id).description == ""


def test_qualified_reads_and_writes_use_the_documented_arn_form(
    seeded_sandbox: SandboxServer,
) -> None:
    client = client_for(seeded_sandbox)
    flow = client.create("flow", "Qualified", content("q1"))
    module = client.create("module", "QualifiedModule", module_content("m1"))
    assert client.qualified_arn("flow", flow.id, "$SAVED") == f"{flow.arn}:$SAVED"
    assert client.qualified_arn("module", module.arn, 3) == f"{module.arn}:3"
    assert flow.arn.startswith(f"{client.instance_arn}/contact-flow/")
    assert module.arn.startswith(f"{client.instance_arn}/flow-module/")
    v1 = client.create_version("flow", flow.id, "v1")
    client.update_content("flow", flow.id, content("q2"), publish=False)
    assert client.describe("flow", flow.id, "$SAVED").content == content("q2")
    assert client.describe("flow", flow.id, v1).content == content("q1")
    m1 = client.create_version("module", module.id, "m1")
    client.update_content("module", module.id, module_content("m2"))
    assert client.describe("module", module.id, m1).content == module_content("m1")


# --- eventual consistency after flowops' own creates ---------------------------------------


def test_not_found_right_after_a_create_is_retried_and_counted(
    seeded_sandbox: SandboxServer,
) -> None:
    """Connect may not find a resource moments after creating it: each follow-up call of
    the create, version, alias, tag, update sequence answers NotFound twice first."""
    operations = [
        "DescribeContactFlow",
        "CreateContactFlowVersion",
        "CreateContactFlowAlias",
        "TagResource",
        "UpdateContactFlowContent",
        "DescribeContactFlowModule",
    ]
    seeded_sandbox.config.faults = [
        FaultRule(operation=op, error_code="ResourceNotFoundException", fail_nth=[1, 2])
        for op in operations
    ]
    client = client_for(seeded_sandbox)
    flow = client.create("flow", "Fresh", content("f1"))
    assert client.describe("flow", flow.id).name == "Fresh"
    version = client.create_version("flow", flow.id, "v1")
    client.create_alias("flow", flow.id, "live", version)
    client.tag(flow.arn, {"owner": "ops"})
    client.update_content("flow", flow.id, content("f2"))
    module = client.create("module", "FreshModule", module_content("m"))
    assert client.describe("module", module.id).name == "FreshModule"
    for op in operations:
        assert client.not_found_retries[op] == 2, op
        assert client.retries[op] == 2, op
        assert outcomes(seeded_sandbox, op) == {"ResourceNotFoundException": 2, "ok": 1}, op
    assert client.list_tags(flow.arn) == {"owner": "ops"}


def test_not_found_retries_are_bounded(seeded_sandbox: SandboxServer) -> None:
    seeded_sandbox.config.faults = [
        FaultRule(
            operation="DescribeContactFlow", error_code="ResourceNotFoundException", error_rate=1.0
        )
    ]
    client = client_for(seeded_sandbox, not_found_attempts=4)
    flow = client.create("flow", "NeverVisible", content("n"))
    with pytest.raises(NotFoundError):
        client.describe("flow", flow.id)
    assert sent(seeded_sandbox, "DescribeContactFlow") == 4
    assert client.not_found_retries["DescribeContactFlow"] == 3


def test_not_found_is_final_for_what_flowops_did_not_just_create(
    seeded_sandbox: SandboxServer,
) -> None:
    client = client_for(seeded_sandbox)
    existing = next(f for f in client.catalog().flows.values() if f.kind == "flow")
    seeded_sandbox.config.faults = [
        FaultRule(
            operation="DescribeContactFlow", error_code="ResourceNotFoundException", fail_nth=1
        )
    ]
    with pytest.raises(NotFoundError):
        client.describe("flow", existing.id)  # not created by this client: no retry
    assert sent(seeded_sandbox, "DescribeContactFlow") == 1
    # ...and a flow this client created and then deleted is gone for good.
    seeded_sandbox.config.faults = []
    flow = client.create("flow", "Deleted", content("x"))
    client.delete("flow", flow.id)
    with pytest.raises(NotFoundError):
        client.describe("flow", flow.id)
    assert sent(seeded_sandbox, "DescribeContactFlow") == 2
    assert not client.not_found_retries


def test_fresh_window_ends(seeded_sandbox: SandboxServer) -> None:
    now = [1000.0]
    env = sandbox_environment(seeded_sandbox.url)
    client = ConnectClient.for_environment(
        env, settings=CHECKED, clock=lambda: now[0], sleep=lambda _s: None
    )
    flow = client.create("flow", "Old", content("o"))
    now[0] += FRESH_SECONDS + 1
    seeded_sandbox.config.faults = [
        FaultRule(
            operation="DescribeContactFlow", error_code="ResourceNotFoundException", fail_nth=1
        )
    ]
    with pytest.raises(NotFoundError):
        client.describe("flow", flow.id)
    assert not client.not_found_retries


def test_negative_search_answers_are_reported_as_possibly_lagging(
    seeded_sandbox: SandboxServer,
) -> None:
    client = client_for(seeded_sandbox)
    assert client.find_by_name("module", "No such module") is None
    assert client.flows_tagged("no-such-tag") == []
    assert len(client.lagging_reads) == 2
    assert all("eventually consistent" in note for note in client.lagging_reads)
