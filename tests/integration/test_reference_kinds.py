"""Every kind of reference, in every form real flows write it, goes dev -> staging exactly.

One flow in the sandbox's dev account names each kind flowops knows (flows, modules,
queues, prompts, hours, quick connects, agents, phone numbers, Lambda functions with and
without a qualifier, Lex V2 aliases, Lex V1 bots, views) as ARN, bare id or qualified ARN,
in real parameter sites, attribute values and the designer's Metadata mirror. It is
exported (plain ``export_env``), committed and promoted to staging, whose same-named
resources were made with plain boto3; each case checks the symbol in git and the value in
staging, read back with plain boto3.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from flowops.connect import ConnectClient
from flowops.deploy.export import export_env
from flowops.deploy.plan import make_plan
from flowops.deploy.preflight import PreflightError
from flowops.deploy.promote import desired_state, promote
from flowops.model.parse import load_document
from flowops.repo import open_repo
from flowops.sandbox import SandboxConfig, SandboxServer
from flowops.sandbox.seed import ACCOUNTS, PHONE_NUMBERS, REGION, instance_id_for
from tests.support import DEV, PROD, STAGING, git_repo, linear_flow, sandbox_environment
from tests.support.clients import make_client

VIEW = "Order Details"
ROUTING = "routing-decision"  # associated only as its alias :live
MANAGED = ("Refs*",)
AWS_VIEW = f"arn:aws:connect:{REGION}:aws:view/form:1"


@dataclass(frozen=True)
class Account:
    """What one account holds, read with plain boto3: (kind, name) -> (id, ARN)."""

    account: str
    instance: str
    ids: dict[tuple[str, str], tuple[str, str]]

    def id(self, kind: str, name: str) -> str:
        return self.ids[(kind, name)][0]

    def arn(self, kind: str, name: str) -> str:
        return self.ids[(kind, name)][1]

    def lex_v1(self, name: str) -> str:
        return f"arn:aws:lex:{REGION}:{self.account}:bot:{name}"

    def fn(self, name: str, qualifier: str | None = None) -> str:
        arn = f"arn:aws:lambda:{REGION}:{self.account}:function:{name}"
        return f"{arn}:{qualifier}" if qualifier else arn


def _named(items: list[dict[str, Any]], kind: str, name_key: str = "Name") -> dict[Any, Any]:
    return {(kind, i[name_key]): (i["Id"], i["Arn"]) for i in items}


def _read(client: Any, account: str) -> Account:
    iid = instance_id_for(account)
    ids: dict[tuple[str, str], tuple[str, str]] = {}
    for method, key, kind, extra in (
        ("list_queues", "QueueSummaryList", "queue", {}),
        ("list_prompts", "PromptSummaryList", "prompt", {}),
        ("list_hours_of_operations", "HoursOfOperationSummaryList", "hours", {}),
        ("list_quick_connects", "QuickConnectSummaryList", "quickconnect", {}),
        ("list_views", "ViewsSummaryList", "view", {"Type": "CUSTOMER_MANAGED"}),
        ("list_contact_flows", "ContactFlowSummaryList", "flow", {}),
        ("list_contact_flow_modules", "ContactFlowModulesSummaryList", "module", {}),
    ):
        ids |= _named(getattr(client, method)(InstanceId=iid, **extra)[key], kind)
    ids |= _named(client.list_users(InstanceId=iid)["UserSummaryList"], "agent", "Username")
    numbers = client.list_phone_numbers_v2(
        TargetArn=f"arn:aws:connect:{REGION}:{account}:instance/{iid}"
    )["ListPhoneNumbersSummaryList"]
    for n in numbers:
        ids[("phonenumber", n["PhoneNumber"])] = (n["PhoneNumberId"], n["PhoneNumberArn"])
    (bot,) = client.list_bots(InstanceId=iid, LexVersion="V2")["LexBots"]
    ids[("lexbot", "CustomerServiceBot/Prod")] = (bot["LexV2Bot"]["AliasArn"],) * 2
    return Account(account, iid, ids)


def _make_catalog(client: Any, account: str, *, view: bool = True) -> None:
    """What the seed lacks, made the same-named way in each account: a view, a Lambda
    function associated only through its alias."""
    iid = instance_id_for(account)
    if view:
        made = client.create_view(
            InstanceId=iid,
            Name=VIEW,
            Status="PUBLISHED",
            Content={"Template": json.dumps({"Body": [{"Type": "Detail"}]}), "Actions": ["Ok"]},
        )["View"]
        client.create_view_version(InstanceId=iid, ViewId=made["Id"])
    routing = f"arn:aws:lambda:{REGION}:{account}:function:{ROUTING}:live"
    client.associate_lambda_function(InstanceId=iid, FunctionArn=routing)


def _dev_flows(client: Any, dev: Account) -> None:
    """``Refs Target`` (a flow), ``Refs Module`` and ``Refs All``, naming everything."""
    iid = dev.instance
    target = client.create_contact_flow(
        InstanceId=iid,
        Name="Refs Target",
        Type="CONTACT_FLOW",
        Content=json.dumps(linear_flow(("bye", "DisconnectParticipant", {}))),
    )
    client.create_contact_flow_version(InstanceId=iid, ContactFlowId=target["ContactFlowId"])
    module = client.create_contact_flow_module(
        InstanceId=iid,
        Name="Refs Module",
        Content=json.dumps(linear_flow(("end", "EndFlowModuleExecution", {}))),
    )
    flow, mod = target["ContactFlowArn"], module["Arn"]
    view = dev.arn("view", VIEW)
    content = linear_flow(
        (
            "attrs",
            "UpdateContactAttributes",
            {
                "Attributes": {
                    "CallbackQueueId": dev.id("queue", "Support"),
                    "EscalationQuickConnect": dev.arn("quickconnect", "Escalation Desk"),
                    "PreferredAgent": dev.arn("agent", "jane.doe"),
                    "CallerIdNumber": dev.arn("phonenumber", PHONE_NUMBERS[DEV]),
                    "NextFlowId": target["ContactFlowId"],
                    "SurveyModule": mod,
                    "ViewVersion": f"{view}:1",
                    "LegacyBot": dev.lex_v1("OrderFlowersLegacy"),
                }
            },
        ),
        (
            "flowattrs",
            "UpdateFlowAttributes",
            {"FlowAttributes": {"next": {"Value": f"{flow}:1", "EventType": "x"}}},
        ),
        ("queue", "UpdateContactTargetQueue", {"QueueId": dev.arn("queue", "Support")}),
        ("hours", "CheckHoursOfOperation", {"HoursOfOperationId": dev.arn("hours", "24x7")}),
        ("prompt", "MessageParticipant", {"PromptId": dev.arn("prompt", "Welcome")}),
        *[
            (
                ident,
                "InvokeLambdaFunction",
                {"LambdaFunctionARN": arn, "InvocationTimeLimitSeconds": "3"},
            )
            for ident, arn in (
                ("fn", dev.fn("lookup-customer")),
                ("fn-alias", dev.fn(ROUTING, "live")),
                ("fn-version", dev.fn("lookup-customer", "7")),
            )
        ],
        ("lex2", "ConnectParticipantWithLexBot", {"LexV2Bot": {"AliasArn": _bot(dev)}}),
        (
            "lex1",
            "ConnectParticipantWithLexBot",
            {"LexBot": {"Name": "OrderFlowersLegacy", "Region": REGION, "Alias": "Prod"}},
        ),
        ("view", "ShowView", {"ViewResource": {"Id": view}}),
        ("view-latest", "ShowView", {"ViewResource": {"Id": f"{view}:$LATEST"}}),
        ("view-aws", "ShowView", {"ViewResource": {"Id": AWS_VIEW, "Version": "Latest"}}),
        ("module", "InvokeFlowModule", {"FlowModuleId": module["Id"]}),
        ("transfer", "TransferToFlow", {"ContactFlowId": flow}),
        ("bye", "DisconnectParticipant", {}),
    )
    content["Metadata"] = {
        "entryPointPosition": {"x": 0, "y": 0},
        "ActionMetadata": {
            "queue": {"queue": {"id": dev.arn("queue", "Support"), "text": "old label"}},
            "view": {"parameters": {"ViewResource": {"Id": {"displayName": "old label"}}}},
        },
    }
    client.create_contact_flow(
        InstanceId=iid, Name="Refs All", Type="CONTACT_FLOW", Content=json.dumps(content)
    )


def _bot(account: Account) -> str:
    return account.arn("lexbot", "CustomerServiceBot/Prod")


@dataclass
class World:
    """The run: dev and staging as read back, the file in git, staging's live flow."""

    dev: Account
    staging: Account
    in_git: dict[str, Any]  # action identifier -> Parameters, as exported
    live: dict[str, Any]  # staging's content, as Connect has it
    repo: Path
    server: SandboxServer


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Any:
    work = tmp_path_factory.mktemp("refs")
    with SandboxServer(":memory:", config=SandboxConfig.for_tests()) as server:
        server.seed()
        clients = {name: make_client(server.url, account) for name, account in ACCOUNTS.items()}
        for name in ("dev", "staging"):
            _make_catalog(clients[name], ACCOUNTS[name])
        dev = _read(clients["dev"], DEV)
        _dev_flows(clients["dev"], dev)
        dev = _read(clients["dev"], DEV)  # with the flows just made
        numbers = {"phonenumber": {PHONE_NUMBERS[DEV]: PHONE_NUMBERS[STAGING]}}
        env_dev = sandbox_environment(server.url, "dev", managed_names=MANAGED)
        env_stg = sandbox_environment(
            server.url, "staging", managed_names=MANAGED, overrides=numbers
        )
        repo = git_repo(work)
        export_env(env_dev, work / "flows", client=ConnectClient.for_environment(env_dev))
        repo.git.add(A=True)
        repo.index.commit("exported from dev")
        in_git = load_document(work / "flows" / "Refs-All.json").flow.raw
        promote(env_stg, repo_path=work, client=ConnectClient.for_environment(env_stg), yes=True)
        staging = _read(clients["staging"], STAGING)
        live = clients["staging"].describe_contact_flow(
            InstanceId=staging.instance, ContactFlowId=staging.id("flow", "Refs All")
        )["ContactFlow"]["Content"]
        yield World(
            dev,
            staging,
            {a["Identifier"]: a.get("Parameters") for a in in_git["Actions"]},
            json.loads(live),
            work,
            server,
        )


def _params(world: World) -> dict[str, Any]:
    return {a["Identifier"]: a.get("Parameters") for a in world.live["Actions"]}


#: (case, where: action identifier + keys, symbol in git, staging's value in its form).
CASES: list[tuple[str, tuple[str, ...], str, Callable[[Account], str]]] = [
    ("queue ARN", ("queue", "QueueId"), "queue:Support", lambda a: a.arn("queue", "Support")),
    (
        "queue bare id in an attribute",
        ("attrs", "Attributes", "CallbackQueueId"),
        "queue#id:Support",
        lambda a: a.id("queue", "Support"),
    ),
    ("prompt ARN", ("prompt", "PromptId"), "prompt:Welcome", lambda a: a.arn("prompt", "Welcome")),
    ("hours ARN", ("hours", "HoursOfOperationId"), "hours:24x7", lambda a: a.arn("hours", "24x7")),
    (
        "quick connect ARN",
        ("attrs", "Attributes", "EscalationQuickConnect"),
        "quickconnect:Escalation Desk",
        lambda a: a.arn("quickconnect", "Escalation Desk"),
    ),
    (
        "agent ARN",
        ("attrs", "Attributes", "PreferredAgent"),
        "agent:jane.doe",
        lambda a: a.arn("agent", "jane.doe"),
    ),
    (
        "phone number ARN (renamed by overrides)",
        ("attrs", "Attributes", "CallerIdNumber"),
        f"phonenumber:{PHONE_NUMBERS[DEV]}",
        lambda a: a.arn("phonenumber", PHONE_NUMBERS[a.account]),
    ),
    (
        "flow ARN",
        ("transfer", "ContactFlowId"),
        "flow:Refs Target",
        lambda a: a.arn("flow", "Refs Target"),
    ),
    (
        "flow version ARN in a flow attribute",
        ("flowattrs", "FlowAttributes", "next", "Value"),
        "flow@1:Refs Target",
        lambda a: f"{a.arn('flow', 'Refs Target')}:1",
    ),
    (
        "flow bare id in an attribute",
        ("attrs", "Attributes", "NextFlowId"),
        "flow#id:Refs Target",
        lambda a: a.id("flow", "Refs Target"),
    ),
    (
        "module id",
        ("module", "FlowModuleId"),
        "module:Refs Module",
        lambda a: a.id("module", "Refs Module"),
    ),
    (
        "module ARN in an attribute",
        ("attrs", "Attributes", "SurveyModule"),
        "module:Refs Module",
        lambda a: a.arn("module", "Refs Module"),
    ),
    (
        "Lambda function",
        ("fn", "LambdaFunctionARN"),
        "lambda:lookup-customer",
        lambda a: a.fn("lookup-customer"),
    ),
    (
        "Lambda alias associated qualified",
        ("fn-alias", "LambdaFunctionARN"),
        f"lambda@live:{ROUTING}",
        lambda a: a.fn(ROUTING, "live"),
    ),
    (
        "Lambda version of an associated function",
        ("fn-version", "LambdaFunctionARN"),
        "lambda@7:lookup-customer",
        lambda a: a.fn("lookup-customer", "7"),
    ),
    (
        "Lex V2 alias ARN",
        ("lex2", "LexV2Bot", "AliasArn"),
        "lexbot:CustomerServiceBot/Prod",
        _bot,
    ),
    (
        "Lex V1 bot name (the same everywhere)",
        ("lex1", "LexBot", "Name"),
        "OrderFlowersLegacy",
        lambda a: "OrderFlowersLegacy",
    ),
    (
        "Lex V1 bot ARN in an attribute",
        ("attrs", "Attributes", "LegacyBot"),
        "lexbot_v1:OrderFlowersLegacy",
        lambda a: a.lex_v1("OrderFlowersLegacy"),
    ),
    (
        "Lex V1 alias (a name)",
        ("lex1", "LexBot", "Alias"),
        "Prod",
        lambda a: "Prod",
    ),
    ("view ARN", ("view", "ViewResource", "Id"), f"view:{VIEW}", lambda a: a.arn("view", VIEW)),
    (
        "view $LATEST",
        ("view-latest", "ViewResource", "Id"),
        f"view@$LATEST:{VIEW}",
        lambda a: f"{a.arn('view', VIEW)}:$LATEST",
    ),
    (
        "view version in an attribute",
        ("attrs", "Attributes", "ViewVersion"),
        f"view@1:{VIEW}",
        lambda a: f"{a.arn('view', VIEW)}:1",
    ),
    (
        "AWS-managed view (no account: kept)",
        ("view-aws", "ViewResource", "Id"),
        AWS_VIEW,
        lambda a: AWS_VIEW,
    ),
]


def _at(params: dict[str, Any], where: tuple[str, ...]) -> Any:
    value: Any = params
    for key in where:
        value = value[key]
    return value


@pytest.mark.parametrize(
    ("where", "symbolic", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_reference_is_symbolized_in_git_and_the_targets_own_in_staging(
    world: World, where: tuple[str, ...], symbolic: str, expected: Callable[[Account], str]
) -> None:
    assert _at(world.in_git, where) == symbolic
    value = _at(_params(world), where)
    assert value == expected(world.staging)
    if value != expected(world.dev):  # an account-specific value changed to staging's
        assert world.dev.account not in value and world.dev.instance not in value


def test_no_dev_id_is_left_in_git_or_staging_and_mirrors_name_the_targets(world: World) -> None:
    text = (world.repo / "flows" / "Refs-All.json").read_text()
    live = json.dumps(world.live)
    dev_ids = {world.dev.account, world.dev.instance} | {
        rid for key, (rid, _) in world.dev.ids.items() if key[0] != "lexbot"
    }
    assert sorted(i for i in dev_ids if i in text) == []
    assert sorted(i for i in dev_ids if i in live) == []
    meta = world.live["Metadata"]["ActionMetadata"]
    assert meta["queue"]["queue"] == {
        "id": world.staging.arn("queue", "Support"),
        "text": "Support",
    }
    assert meta["view"]["parameters"]["ViewResource"]["Id"] == {"displayName": VIEW}


def test_plan_reports_a_view_the_target_lacks_and_the_catalog_lists_views(world: World) -> None:
    server = world.server
    prod = make_client(server.url, PROD)
    _make_catalog(prod, PROD, view=False)
    numbers = {"phonenumber": {PHONE_NUMBERS[DEV]: PHONE_NUMBERS[PROD]}}
    env = sandbox_environment(server.url, "prod", managed_names=MANAGED, overrides=numbers)
    client = ConnectClient.for_environment(env)
    desired, _ = desired_state(open_repo(world.repo), "HEAD", "flows")
    with pytest.raises(PreflightError) as caught:
        make_plan(env, desired, client)
    problems = [(p.key, p.check, p.message) for p in caught.value.problems]
    assert [key for key, _, _ in problems] == ["flow:Refs All"] * 3
    assert {check for _, check, _ in problems} == {"reference"}
    assert all(f"view '{VIEW}'" in message for _, _, message in problems)
    assert client.calls.get("CreateContactFlow", 0) == 0
    staging = ConnectClient.for_environment(sandbox_environment(server.url, "staging"))
    (entry,) = staging.catalog(with_content=False).entries("view")
    assert (entry.name, entry.arn) == (VIEW, world.staging.arn("view", VIEW))


def test_a_denied_list_views_leaves_views_out_of_the_catalog_with_a_warning(
    world: World,
) -> None:
    from flowops.sandbox.config import FaultRule

    rule = FaultRule(
        operation="ListViews", error_code="AccessDeniedException", fail_nth=1, account=STAGING
    )
    world.server.config.faults.append(rule)
    try:
        env = sandbox_environment(world.server.url, "staging")
        catalog = ConnectClient.for_environment(env).catalog(with_content=False)
    finally:
        world.server.config.faults.remove(rule)
    assert catalog.entries("view") == [] and catalog.by_name("queue", "Support") is not None
    assert [w for w in catalog.warnings if w.startswith("view: not listed")] != []
