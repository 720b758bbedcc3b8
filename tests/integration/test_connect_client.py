"""ConnectClient against the sandbox, through real boto3 over HTTP.

Call counts are asserted twice: by the client (``calls``, ``attempts``) and by the
sandbox's own request log, so neither side can miscount unnoticed.
"""

from __future__ import annotations

import json
import math
import socket
import time
from dataclasses import replace
from pathlib import Path

import pytest

from flowops.config import AuthConfig, Environment, RateLimit
from flowops.connect import (
    ClientSettings,
    ConditionFailedError,
    ConnectClient,
    DuplicateError,
    InvalidContactFlowError,
    NotFoundError,
    ThrottledError,
)
from flowops.errors import BadInputError, ConnectApiError, ExitCode
from flowops.refs import references, resolve, symbolize
from flowops.sandbox import SandboxServer
from flowops.sandbox.config import FaultRule
from tests.support import (
    CATALOG_LISTS,
    DEV,
    FAST_RETRIES,
    PROD,
    sandbox_environment,
)
from tests.support.clients import client_for
from tests.support.flows import labelled_flow_content

pytestmark = pytest.mark.integration


def assert_log_matches(client: ConnectClient, sandbox: SandboxServer) -> None:
    """Every HTTP request the client counted is in the sandbox log, and nothing else.

    Lex V2 name look-ups are logged by the sandbox under the client's own labels
    (``lexv2:DescribeBot``), so both sides compare directly.
    """
    logged = {
        op: n for (acct, op), n in sandbox.request_log.counts().items() if acct == client.account_id
    }
    assert logged == dict(client.attempts)


def test_catalog_lists_each_kind_once(seeded_sandbox: SandboxServer) -> None:
    client = client_for(seeded_sandbox)
    catalog = client.catalog()
    assert catalog is client.catalog()  # cached: a second call makes no request
    for op in ("ListInstances", *CATALOG_LISTS, "SearchContactFlows", "SearchContactFlowModules"):
        assert client.calls[op] == 1, op
    assert_log_matches(client, seeded_sandbox)

    assert client.instance_arn.endswith(f"instance/{client.instance_id}")
    support = catalog.by_name("queue", "Support")
    assert support is not None and catalog.by_arn(support.arn) == support
    assert catalog.by_arn(support.id) == support
    assert {e.name for e in catalog.entries("prompt")} >= {"Welcome", "Main Menu"}
    assert {e.name for e in catalog.entries("hours")} == {"Business Hours", "24x7"}
    lookup = catalog.by_name("lambda", "lookup-customer")
    assert lookup is not None and lookup.arn.endswith(f"{DEV}:function:lookup-customer")
    assert catalog.by_name("lexbot_v1", "OrderFlowersLegacy") is not None
    (bot,) = catalog.entries("lexbot")
    assert bot.name == "CustomerServiceBot/Prod"
    assert bot.arn.startswith(f"arn:aws:lex:us-east-1:{DEV}:bot-alias/")
    assert client.calls["lexv2:DescribeBot"] == client.calls["lexv2:DescribeBotAlias"] == 1
    assert [e.name for e in catalog.entries("agent")] == ["jane.doe", "john.smith"]
    assert all(f":{DEV}:" in e.arn and "/agent/" in e.arn for e in catalog.entries("agent"))
    assert catalog.warnings == []  # every kind listed, every name resolved
    assert catalog.by_name("quickconnect", "Escalation Desk") is not None
    assert catalog.by_name("phonenumber", "+12065550100") is not None
    assert catalog.entries("flow") and catalog.entries("module")
    for key, flow in catalog.flows.items():
        assert key == f"{flow.kind}:{flow.name}"
        assert flow.content is not None and json.loads(flow.content)["Actions"]
        assert flow.sha256 and catalog.by_arn(flow.arn) == flow.entry()
        assert (flow.type == "MODULE") == (flow.kind == "module")


def test_same_names_resolve_to_each_accounts_arns(seeded_sandbox: SandboxServer) -> None:
    dev = client_for(seeded_sandbox, DEV).catalog(with_content=False)
    prod = client_for(seeded_sandbox, PROD).catalog(with_content=False)
    dev_q, prod_q = dev.by_name("queue", "Support"), prod.by_name("queue", "Support")
    assert dev_q and prod_q and dev_q.arn != prod_q.arn
    assert f":{DEV}:" in dev_q.arn and f":{PROD}:" in prod_q.arn
    assert prod.by_arn(dev_q.arn) is None
    for kind, name in (("lexbot", "CustomerServiceBot/Prod"), ("agent", "jane.doe")):
        dev_e, prod_e = dev.by_name(kind, name), prod.by_name(kind, name)
        assert dev_e and prod_e and dev_e.id != prod_e.id, kind
        assert prod.by_arn(dev_e.arn) is None


def test_lex_bot_reference_maps_across_accounts(seeded_sandbox: SandboxServer) -> None:
    """What promote does: dev ARNs -> symbolic references -> prod ARNs, bots included."""
    dev = client_for(seeded_sandbox, DEV).catalog()
    prod = client_for(seeded_sandbox, PROD).catalog(with_content=False)
    billing = dev.flow("flow", "Billing Self Service")
    assert billing is not None and billing.content is not None
    neutral, unresolved = symbolize(json.loads(billing.content), dev, account_id=DEV)
    assert unresolved == []
    assert ("lexbot", "CustomerServiceBot/Prod") in references(neutral)
    resolved, missing = resolve(neutral, prod)
    assert missing == []
    (prod_bot,) = prod.entries("lexbot")
    (dev_bot,) = dev.entries("lexbot")
    text = json.dumps(resolved)
    assert prod_bot.arn in text and dev_bot.arn not in text and dev_bot.id not in text


def test_bulk_read_uses_one_search_call_per_100_flows(sandbox: SandboxServer) -> None:
    sandbox.config.limits.flows_per_instance = 1000
    sandbox.seed()
    writer = client_for(sandbox)
    for i in range(250 - len(writer.catalog(with_content=False).entries("flow"))):
        writer.create("flow", f"Bulk {i:03d}", labelled_flow_content(f"b{i}"))
    sandbox.request_log.reset()

    reader = client_for(sandbox)
    catalog = reader.catalog()
    flows = [f for f in catalog.flows.values() if f.kind == "flow"]
    assert len(flows) == 250
    assert all(f.content for f in flows)
    assert reader.calls["SearchContactFlows"] == math.ceil(250 / 100)
    assert sandbox.request_log.count(DEV, "SearchContactFlows") == 3
    assert reader.calls["DescribeContactFlow"] == 0
    assert reader.calls["ListContactFlows"] == 0
    flow_reads = sum(n for op, n in reader.calls.items() if "ContactFlow" in op)
    assert flow_reads <= math.ceil(250 / 100) + 1  # + one module search page
    assert all(reader.calls[op] == 1 for op in CATALOG_LISTS)
    assert_log_matches(reader, sandbox)


def test_search_denied_falls_back_to_list_and_describe(seeded_sandbox: SandboxServer) -> None:
    expected = client_for(seeded_sandbox).catalog()
    seeded_sandbox.request_log.reset()
    seeded_sandbox.config.faults = [
        FaultRule(
            operation="SearchContactFlows",
            error_code="AccessDeniedException",
            error_rate=1.0,
            message="not authorized to perform connect:SearchContactFlows",
        ),
    ]
    client = client_for(seeded_sandbox)
    catalog = client.catalog()
    assert {k: f.content for k, f in catalog.flows.items()} == {
        k: f.content for k, f in expected.flows.items()
    }
    n_flows = len(catalog.entries("flow"))
    assert client.calls["SearchContactFlows"] == 1
    assert client.calls["ListContactFlows"] == 1
    assert client.calls["DescribeContactFlow"] == n_flows
    assert client.calls["SearchContactFlowModules"] == 1  # modules still searched
    assert any("SearchContactFlows unavailable" in w for w in catalog.warnings)
    assert_log_matches(client, seeded_sandbox)


def test_throttling_storm_is_survived(seeded_sandbox: SandboxServer) -> None:
    expected = client_for(seeded_sandbox).catalog()
    seeded_sandbox.request_log.reset()
    seeded_sandbox.config.seed = 7
    seeded_sandbox.config.rng.seed(7)
    seeded_sandbox.config.faults = [
        FaultRule(
            operation="*",
            error_code="ThrottlingException",
            error_rate=0.6,
            message="Rate exceeded",
            account=DEV,
        ),
    ]
    client = client_for(seeded_sandbox, settings=FAST_RETRIES)
    catalog = client.catalog()
    created = client.create("flow", "Storm", labelled_flow_content("storm"))
    version = client.create_version("flow", created.id, "v1")
    assert version == 1
    assert {k: f.content for k, f in catalog.flows.items() if k != "flow:Storm"} == {
        k: f.content for k, f in expected.flows.items()
    }
    throttled = sum(
        n
        for (acct, _op, outcome), n in seeded_sandbox.request_log.outcomes().items()
        if acct == DEV and outcome == "ThrottlingException"
    )
    assert throttled > 10
    assert sum(client.retries.values()) == throttled
    assert sum(client.attempts.values()) - sum(client.calls.values()) == throttled
    assert_log_matches(client, seeded_sandbox)


def test_production_retry_settings_survive_throttles(seeded_sandbox: SandboxServer) -> None:
    seeded_sandbox.config.faults = [
        FaultRule(
            operation="ListContactFlowModules", error_code="ThrottlingException", fail_nth=[1, 2, 3]
        ),
    ]
    # adaptive botocore retries (3 attempts), then the client's own backoff: the last call
    # of the listing is throttled so botocore's slowed-down send rate costs little time
    client = client_for(seeded_sandbox, settings=ClientSettings(backoff_base=0.05))
    catalog = client.catalog(with_content=False)
    assert catalog.by_name("module", "Authenticate Caller") is not None
    assert client.attempts["ListContactFlowModules"] == 4
    assert client.calls["ListContactFlowModules"] == 1
    assert client.retries["ListContactFlowModules"] == 1


def test_throttles_that_never_end_raise_throttled_error(seeded_sandbox: SandboxServer) -> None:
    seeded_sandbox.config.faults = [
        FaultRule(operation="ListQueues", error_code="ThrottlingException", error_rate=1.0),
    ]
    settings = ClientSettings(
        backoff_base=0.001,
        backoff_cap=0.002,
        max_attempts=3,
        botocore_max_attempts=1,
        botocore_retry_mode="standard",
    )
    client = client_for(seeded_sandbox, settings=settings)
    with pytest.raises(ThrottledError) as info:
        client.catalog()
    assert info.value.exit_code == ExitCode.AWS_ERROR and info.value.code == "ThrottlingException"
    assert client.attempts["ListQueues"] == 3
    assert not any(op.startswith(("Create", "Update", "Delete")) for op in client.calls)


def _throttled(sandbox: SandboxServer) -> int:
    """Requests the sandbox itself refused with ``ThrottlingException`` (its own count)."""
    outcomes = sandbox.request_log.outcomes()
    return sum(n for (_, _, outcome), n in outcomes.items() if outcome == "ThrottlingException")


def test_pacing_keeps_under_the_sandbox_quota(seeded_sandbox: SandboxServer) -> None:
    """Paced at 4 requests/s (burst 3), a catalog read is never throttled by a quota of
    4.5/s; the same read unpaced is.

    The client paces when it sends, the sandbox counts when requests arrive: on a loaded
    machine a delayed request arrives closer to the next one than it was sent. The
    sandbox's burst is Connect's default, 5, two above the client's, which absorbs about
    half a second of such delay; the unpaced read shows that the quota is still tight
    enough that pacing, not headroom, keeps the paced read under it.
    """
    quota = seeded_sandbox.config.default_quota
    seeded_sandbox.config.enforce_quotas = True
    quota.rate, quota.burst = 4.5, 5  # just above our pace, so the test stays fast
    no_retries = ClientSettings(
        botocore_max_attempts=1, max_attempts=1, botocore_retry_mode="standard"
    )
    client = client_for(
        seeded_sandbox, rate_limit=RateLimit(rate=4.0, burst=3), settings=no_retries
    )
    start = time.monotonic()
    client.catalog()
    elapsed = time.monotonic() - start
    assert _throttled(seeded_sandbox) == 0
    total = sum(n for op, n in client.attempts.items() if not op.startswith("lexv2:"))
    assert total > 2 * quota.burst
    assert elapsed >= (total - 3) / 4.0 - 0.05 and client.paced_seconds > 0

    seeded_sandbox.buckets.reset()
    unpaced = client_for(seeded_sandbox, settings=no_retries)
    with pytest.raises(ThrottledError):
        unpaced.catalog()
    assert _throttled(seeded_sandbox) == 1


def test_flow_lifecycle_and_error_translation(seeded_sandbox: SandboxServer) -> None:
    client = client_for(seeded_sandbox)
    created = client.create(
        "flow", "Lifecycle", labelled_flow_content("l1"), description="first", tags={"team": "cx"}
    )
    assert client.catalog().flow("flow", "Lifecycle") == created  # visible in the cache
    assert client.describe("flow", created.id).content == labelled_flow_content("l1")
    assert client.describe("flow", created.arn).name == "Lifecycle"
    v1 = client.create_version("flow", created.id, "release 1", expected_sha256=created.sha256)

    client.update_content("flow", created.id, labelled_flow_content("l2"), publish=False)
    assert client.describe("flow", created.id, "$SAVED").content == labelled_flow_content("l2")
    assert client.describe("flow", created.id).content == labelled_flow_content("l1")
    client.update_content("flow", created.id, labelled_flow_content("l2"))
    with pytest.raises(ConditionFailedError):
        client.create_version("flow", created.id, "stale", expected_sha256=created.sha256)
    v2 = client.create_version("flow", created.id, "release 2")
    assert [v.version for v in client.list_versions("flow", created.id)] == [v1, v2]
    assert client.describe("flow", created.id, v1).content == labelled_flow_content("l1")
    assert client.describe("flow", created.id, v1).version == v1

    alias_id = client.create_alias("flow", created.id, "live", v1)
    client.update_alias("flow", created.id, alias_id, v2)
    (alias,) = client.list_aliases("flow", created.id)
    assert alias["AliasId"] == alias_id and alias["Version"] == v2

    client.update_metadata("flow", created.id, name="Lifecycle 2", description="second")
    assert client.describe("flow", created.id).name == "Lifecycle 2"
    client.tag(created.arn, {"owner": "ops"})
    client.untag(created.arn, ["team"])
    assert client.list_tags(created.arn) == {"owner": "ops"}

    with pytest.raises(DuplicateError) as dup:
        client.create("flow", "Lifecycle 2", labelled_flow_content("l3"))
    assert dup.value.code == "DuplicateResourceException"
    with pytest.raises(InvalidContactFlowError) as bad:
        client.create("flow", "Broken", json.dumps({"Version": "2019-10-30", "Actions": []}))
    assert bad.value.problems and isinstance(bad.value, ConnectApiError)
    client.delete("flow", created.id)
    with pytest.raises(NotFoundError) as missing:
        client.describe("flow", created.id)
    assert missing.value.exit_code == ExitCode.AWS_ERROR
    assert "ResourceNotFoundException" in str(missing.value)


def test_module_family(seeded_sandbox: SandboxServer) -> None:
    client = client_for(seeded_sandbox)
    module = next(f for f in client.catalog().flows.values() if f.kind == "module")
    described = client.describe("module", module.id)
    assert described.content == module.content and described.type == "MODULE"
    version = client.create_version("module", module.id, "m1", expected_sha256=module.sha256)
    assert [v.version for v in client.list_versions("module", module.id)] == [version]
    alias_id = client.create_alias("module", module.id, "live", version)
    assert client.list_aliases("module", module.id)[0]["AliasId"] == alias_id
    # Connect refuses an empty module Description (pattern .*\S.*): not sent
    client.update_metadata("module", module.id, description="", state="ACTIVE")
    assert client.describe("module", module.id).description == module.description


def test_unknown_instance_alias_is_bad_input(seeded_sandbox: SandboxServer) -> None:
    client = client_for(seeded_sandbox, instance="no-such-instance")
    with pytest.raises(BadInputError) as info:
        client.catalog()
    assert "no-such-instance" in str(info.value) and "flowops-sandbox" in str(info.value)
    assert info.value.exit_code == ExitCode.BAD_INPUT
    assert set(client.calls) == {"ListInstances"}


def test_instance_id_needs_no_lookup(seeded_sandbox: SandboxServer) -> None:
    by_alias = client_for(seeded_sandbox)
    by_id = client_for(seeded_sandbox, instance=by_alias.instance_id)
    assert by_id.instance_id == by_alias.instance_id
    assert by_id.calls["ListInstances"] == 0


def test_embedded_sandbox_endpoint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``endpoint_url: sandbox`` starts the starter declared as an entry point, with no
    set-up; an installed starter wins; with none declared, the error names the entry point."""
    from flowops import endpoints
    from flowops.sandbox.embedded import embedded_server

    monkeypatch.setenv("FLOWOPS_SANDBOX_QUOTA", "off")
    db = str(tmp_path / "sandbox.db")
    env = sandbox_environment("sandbox", sandbox_db=db)
    previous = endpoints.set_sandbox_starter(None)
    try:
        with monkeypatch.context() as undeclared:
            undeclared.setattr(endpoints, "ENTRY_POINT_GROUP", "flowops.no-such-group")
            with pytest.raises(BadInputError, match="flowops.no-such-group:starter"):
                ConnectClient.for_environment(env)
        assert embedded_server(db) is None
        client = ConnectClient.for_environment(env)
        started: list[str] = []

        def other(db_path: str) -> str:
            started.append(db_path)
            return client.endpoint_url or ""

        endpoints.set_sandbox_starter(other)
        other_db = str(tmp_path / "other.db")
        assert ConnectClient.for_environment(replace(env, sandbox_db=other_db)).endpoint_url == (
            client.endpoint_url
        )
    finally:
        endpoints.set_sandbox_starter(previous)
    assert started == [other_db] and embedded_server(other_db) is None
    assert client.catalog(with_content=False).by_name("queue", "Support") is not None
    server = embedded_server(db)
    assert server is not None and client.endpoint_url == server.url
    assert server.request_log.count(DEV, "ListQueues") == 1


def test_lex_names_fall_back_to_ids_where_lex_cannot_answer(
    seeded_sandbox: SandboxServer,
) -> None:
    seeded_sandbox.config.faults = [
        FaultRule(
            operation="lexv2:DescribeBot",
            error_code="AccessDeniedException",
            error_rate=1.0,
            message="not authorized to perform lex:DescribeBot",
        ),
    ]
    client = client_for(seeded_sandbox)
    catalog = client.catalog(with_content=False)
    (bot,) = catalog.entries("lexbot")
    assert bot.arn.startswith(f"arn:aws:lex:us-east-1:{DEV}:bot-alias/")
    assert bot.name == "/".join(bot.arn.rsplit("/", 2)[1:])  # BOTID/ALIASID
    assert bot.name != "CustomerServiceBot/Prod"
    assert client.calls["lexv2:DescribeBot"] == 1  # tried once, then never again this run
    assert not client.calls["lexv2:DescribeBotAlias"]
    assert any("Lex V2" in w and "AccessDenied" in w for w in catalog.warnings)
    outcomes = seeded_sandbox.request_log.outcomes()
    assert outcomes[(DEV, "lexv2:DescribeBot", "AccessDeniedException")] == 1
    assert_log_matches(client, seeded_sandbox)
    seeded_sandbox.config.faults = []
    quiet = client_for(seeded_sandbox, settings=ClientSettings(resolve_lex_names=False))
    assert quiet.catalog(with_content=False).entries("lexbot")[0].name == bot.name
    assert not quiet.calls["lexv2:DescribeBot"]


def test_search_results_without_content_are_described(seeded_sandbox: SandboxServer) -> None:
    expected = client_for(seeded_sandbox).catalog()
    seeded_sandbox.request_log.reset()
    seeded_sandbox.config.search_omit_content = [
        "Main Inbound",
        "After Hours",
        "Authenticate Caller",
    ]
    client = client_for(seeded_sandbox)
    catalog = client.catalog()
    assert {k: (f.content, f.sha256) for k, f in catalog.flows.items()} == {
        k: (f.content, f.sha256) for k, f in expected.flows.items()
    }
    assert catalog.flow("flow", "Main Inbound") == expected.flow("flow", "Main Inbound")
    assert client.calls["SearchContactFlows"] == client.calls["SearchContactFlowModules"] == 1
    assert client.calls["DescribeContactFlow"] == 2
    assert client.calls["DescribeContactFlowModule"] == 1
    assert seeded_sandbox.request_log.count(DEV, "DescribeContactFlow") == 2
    assert_log_matches(client, seeded_sandbox)

    seeded_sandbox.config.search_omit_content = True
    seeded_sandbox.request_log.reset()
    every = client_for(seeded_sandbox)
    assert {k: f.content for k, f in every.catalog().flows.items()} == {
        k: f.content for k, f in expected.flows.items()
    }
    assert every.calls["DescribeContactFlow"] == len(expected.entries("flow"))
    assert every.calls["DescribeContactFlowModule"] == len(expected.entries("module"))
    assert every.calls["ListContactFlows"] == 0
    assert_log_matches(every, seeded_sandbox)


def test_missing_credentials_are_a_configuration_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_ROLE_ARN",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    env = Environment(
        name="prod",
        region="us-east-1",
        account_id=PROD,
        instance="flowops-sandbox",
        endpoint_url="https://connect.invalid",
    )
    client = ConnectClient.for_environment(env)
    with pytest.raises(BadInputError) as info:
        client.catalog()
    assert "prod" in str(info.value) and "credentials" in str(info.value).lower()
    assert sum(client.attempts.values()) == 0  # nothing left the machine

    with pytest.raises(BadInputError) as profile:
        ConnectClient.for_environment(
            Environment(
                name="prod",
                region="us-east-1",
                account_id=PROD,
                instance="x",
                auth=AuthConfig(profile="no-such-profile"),
            )
        )
    assert "no-such-profile" in str(profile.value)


def test_dropped_connections_and_server_errors_are_retried(
    seeded_sandbox: SandboxServer,
) -> None:
    seeded_sandbox.config.faults = [
        FaultRule(operation="ListQueues", drop_connection=True, fail_nth=1),
        FaultRule(operation="ListPrompts", error_code="InternalServiceException", fail_nth=[1, 2]),
    ]
    client = client_for(seeded_sandbox, settings=FAST_RETRIES)
    catalog = client.catalog(with_content=False)
    assert catalog.by_name("queue", "Support") and catalog.by_name("prompt", "Welcome")
    assert (client.attempts["ListQueues"], client.retries["ListQueues"]) == (2, 1)
    assert (client.attempts["ListPrompts"], client.retries["ListPrompts"]) == (3, 2)
    outcomes = seeded_sandbox.request_log.outcomes()
    assert outcomes[(DEV, "ListQueues", "dropped")] == 1
    assert outcomes[(DEV, "ListPrompts", "InternalServiceException")] == 2


def test_role_assumption_with_external_id_runs_end_to_end(
    seeded_sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ambient keys of a CI account assume prod's deployer role (STS served by the sandbox)."""
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "444444444444")  # the CI runner's account
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "ci-secret")
    role = f"arn:aws:iam::{PROD}:role/flowops-deployer"
    env = sandbox_environment(
        seeded_sandbox.url, "prod", auth=AuthConfig(role_arn=role, external_id="ticket-42")
    )
    client = ConnectClient.for_environment(env)
    assert seeded_sandbox.sts.assumed == []  # credentials are fetched on first use
    queues = client.catalog(with_content=False).entries("queue")
    assert queues and all(f":{PROD}:" in q.arn for q in queues)
    [assumed] = seeded_sandbox.sts.assumed
    assert (assumed.caller_account, assumed.role_arn) == ("444444444444", role)
    assert assumed.external_id == "ticket-42" and assumed.session_name == "flowops-prod"
    assert seeded_sandbox.request_log.count(account=PROD, operation="ListQueues") == 1
    assert seeded_sandbox.request_log.count(account="444444444444", operation="ListQueues") == 0


def test_unreachable_endpoint_fails_fast_with_a_clear_error(sandbox: SandboxServer) -> None:
    from flowops.connect.client import UNREACHABLE_ATTEMPTS
    from flowops.connect.errors import ConnectionFailedError

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    instance_id = "11111111-2222-3333-4444-555555555555"  # an id: no ListInstances needed
    env = replace(
        sandbox_environment(sandbox.url),
        endpoint_url=f"http://127.0.0.1:{closed_port}",
        instance=instance_id,
    )
    client = ConnectClient.for_environment(env, settings=FAST_RETRIES)
    with pytest.raises(ConnectionFailedError, match="cannot reach"):
        client.list_versions("flow", "00000000-0000-0000-0000-000000000000")
    assert client.retries["ListContactFlowVersions"] == UNREACHABLE_ATTEMPTS - 1
