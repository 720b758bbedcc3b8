"""The Lex V2 models API slice, ListUsers, and Search results without content, over boto3."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest
from botocore.exceptions import ClientError

from flowops.sandbox import SandboxServer
from flowops.sandbox.config import FaultRule
from flowops.sandbox.seed import instance_id_for
from tests.support import DEV, PROD, STAGING
from tests.support.clients import ClientFactory, make_client

pytestmark = pytest.mark.integration

ACCOUNTS = (DEV, STAGING, PROD)


def lex_client(url: str, account: str) -> Any:
    """A plain boto3 ``lexv2-models`` client signed as ``account`` (retries off)."""
    return make_client(url, account, service="lexv2-models")


def bot_alias(client: Any, account: str) -> tuple[str, str]:
    """(bot id, alias id) of the account's one associated Lex V2 bot alias."""
    (bot,) = client.list_bots(InstanceId=instance_id_for(account), LexVersion="V2")["LexBots"]
    _, bot_id, alias_id = bot["LexV2Bot"]["AliasArn"].split(":", 5)[5].split("/")
    return bot_id, alias_id


def test_bot_names_are_equal_and_ids_differ_across_accounts(
    seeded_sandbox: SandboxServer, connect_client: ClientFactory
) -> None:
    ids = {}
    for account in ACCOUNTS:
        bot_id, alias_id = bot_alias(connect_client(account), account)
        lex = lex_client(seeded_sandbox.url, account)
        bot = lex.describe_bot(botId=bot_id)
        alias = lex.describe_bot_alias(botId=bot_id, botAliasId=alias_id)
        assert (bot["botId"], bot["botName"], bot["botStatus"]) == (
            bot_id,
            "CustomerServiceBot",
            "Available",
        )
        assert (alias["botId"], alias["botAliasId"], alias["botAliasName"]) == (
            bot_id,
            alias_id,
            "Prod",
        )
        assert bot["creationDateTime"].year >= 2024  # parsed as a timestamp by botocore
        ids[account] = (bot_id, alias_id)
    assert len(set(ids.values())) == len(ACCOUNTS)
    assert len({bot for bot, _ in ids.values()}) == len(ACCOUNTS)
    log = seeded_sandbox.request_log.counts()
    assert log[(DEV, "lexv2:DescribeBot")] == 1 and log[(DEV, "lexv2:DescribeBotAlias")] == 1


def test_other_accounts_bots_and_unknown_aliases_are_not_found(
    seeded_sandbox: SandboxServer, connect_client: ClientFactory
) -> None:
    dev_bot, dev_alias = bot_alias(connect_client(DEV), DEV)
    prod_bot, _ = bot_alias(connect_client(PROD), PROD)
    lex = lex_client(seeded_sandbox.url, PROD)
    with pytest.raises(lex.exceptions.ResourceNotFoundException) as caught:
        lex.describe_bot(botId=dev_bot)
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert dev_bot in caught.value.response["Error"]["Message"]
    with pytest.raises(lex.exceptions.ResourceNotFoundException):
        lex.describe_bot_alias(botId=prod_bot, botAliasId=dev_alias)
    with pytest.raises(lex.exceptions.ValidationException) as unsupported:
        lex.list_bots()
    assert "ListBots" in unsupported.value.response["Error"]["Message"]
    outcomes = seeded_sandbox.request_log.outcomes()
    assert outcomes[(PROD, "lexv2:DescribeBot", "ResourceNotFoundException")] == 1
    assert outcomes[(PROD, "lexv2:ListBots", "ValidationException")] == 1


def test_lex_fault_rules_and_connect_quota_are_separate(
    seeded_sandbox: SandboxServer, connect_client: ClientFactory
) -> None:
    bot_id, _ = bot_alias(connect_client(DEV), DEV)
    lex = lex_client(seeded_sandbox.url, DEV)
    seeded_sandbox.config.faults = [
        FaultRule(operation="lexv2:DescribeBot", error_code="AccessDeniedException", fail_nth=1)
    ]
    with pytest.raises(ClientError) as denied:
        lex.describe_bot(botId=bot_id)
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
    assert denied.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert lex.describe_bot(botId=bot_id)["botName"] == "CustomerServiceBot"
    # a drained Connect bucket does not throttle Lex, which has its own quotas
    seeded_sandbox.config.faults = []
    seeded_sandbox.config.enforce_quotas = True
    seeded_sandbox.config.default_quota.rate = 0.001
    seeded_sandbox.config.default_quota.burst = 1
    client = connect_client(DEV)
    client.list_queues(InstanceId=instance_id_for(DEV))
    with pytest.raises(client.exceptions.ThrottlingException):
        client.list_queues(InstanceId=instance_id_for(DEV))
    assert lex.describe_bot(botId=bot_id)["botId"] == bot_id


def test_reseeding_repairs_old_shared_bot_ids(
    seeded_sandbox: SandboxServer, connect_client: ClientFactory
) -> None:
    iid = instance_id_for(PROD)
    dev_bot, dev_alias = bot_alias(connect_client(DEV), DEV)
    stale = f"arn:aws:lex:us-east-1:{PROD}:bot-alias/{dev_bot}/{dev_alias}"
    with seeded_sandbox.store.transaction(write=True):
        seeded_sandbox.store.run(
            "UPDATE resources SET arn = ?, id = ? WHERE instance_id = ? AND kind = 'lex_v2'",
            stale,
            stale,
            iid,
        )
    seeded_sandbox.seed()
    (bot,) = connect_client(PROD).list_bots(InstanceId=iid, LexVersion="V2")["LexBots"]
    assert bot["LexV2Bot"]["AliasArn"] != stale
    assert f":{PROD}:" in bot["LexV2Bot"]["AliasArn"]


def test_list_users_same_names_different_ids(
    seeded_sandbox: SandboxServer, connect_client: ClientFactory
) -> None:
    users = {}
    for account in ACCOUNTS:
        client = connect_client(account)
        iid = instance_id_for(account)
        pages = client.get_paginator("list_users").paginate(
            InstanceId=iid, PaginationConfig={"PageSize": 1}
        )
        listed = [u for page in pages for u in page["UserSummaryList"]]
        assert [u["Username"] for u in listed] == ["jane.doe", "john.smith"]
        assert all(
            u["Arn"] == f"arn:aws:connect:us-east-1:{account}:instance/{iid}/agent/{u['Id']}"
            for u in listed
        )
        users[account] = {u["Id"] for u in listed}
    assert not users[DEV] & users[PROD] and not users[DEV] & users[STAGING]


def _search(client: Any, account: str, operation: str, key: str) -> dict[str, dict[str, Any]]:
    result = getattr(client, operation)(InstanceId=instance_id_for(account))
    return {item["Name"]: item for item in result[key]}


def test_search_can_leave_content_out(
    seeded_sandbox: SandboxServer, connect_client: ClientFactory
) -> None:
    client = connect_client(DEV)
    full = _search(client, DEV, "search_contact_flows", "ContactFlows")
    assert all("Content" in f and "FlowContentSha256" in f for f in full.values())

    seeded_sandbox.config.search_omit_content = ["Main Inbound", full["After Hours"]["Id"]]
    some = _search(client, DEV, "search_contact_flows", "ContactFlows")
    assert {n for n, f in some.items() if "Content" not in f} == {"Main Inbound", "After Hours"}
    assert all("FlowContentSha256" not in some[n] for n in ("Main Inbound", "After Hours"))
    assert some["Billing Self Service"]["Content"] == full["Billing Self Service"]["Content"]
    described = client.describe_contact_flow(
        InstanceId=instance_id_for(DEV), ContactFlowId=some["Main Inbound"]["Id"]
    )["ContactFlow"]
    assert described["Content"] == full["Main Inbound"]["Content"]  # describe is unaffected

    request = urllib.request.Request(
        f"{seeded_sandbox.url}/_sandbox/config",
        data=json.dumps({"search_omit_content": True}).encode(),
        method="POST",
    )
    with urllib.request.urlopen(request) as answer:
        assert json.load(answer)["search_omit_content"] is True
    modules = _search(client, DEV, "search_contact_flow_modules", "ContactFlowModules")
    assert modules and all(
        "Content" not in m and "FlowModuleContentSha256" not in m for m in modules.values()
    )
    bad = urllib.request.Request(
        f"{seeded_sandbox.url}/_sandbox/config",
        data=json.dumps({"search_omit_content": 3}).encode(),
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(bad)
    assert refused.value.code == 400
