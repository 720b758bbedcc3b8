"""Instances, the seeded catalog, phone numbers, tags and cross-account isolation."""

from __future__ import annotations

from typing import Any

import pytest

from flowops.sandbox import SandboxServer
from flowops.sandbox.seed import INSTANCE_ALIAS, instance_id_for
from tests.support import DEV, PROD, STAGING
from tests.support.clients import ClientFactory, create_instance

pytestmark = pytest.mark.integration

ACCOUNTS = (DEV, STAGING, PROD)


def _names(pages: list[dict[str, Any]], key: str) -> list[str]:
    return [item["Name"] for page in pages for item in page[key]]


def test_instances_lifecycle(connect_client: ClientFactory) -> None:
    client = connect_client("444444444444")
    assert client.list_instances()["InstanceSummaryList"] == []
    iid = create_instance(client, "mine")
    described = client.describe_instance(InstanceId=iid)["Instance"]
    assert described["InstanceAlias"] == "mine"
    assert described["InstanceStatus"] == "ACTIVE"
    assert described["Arn"] == f"arn:aws:connect:us-east-1:444444444444:instance/{iid}"
    assert client.describe_instance(InstanceId=described["Arn"])["Instance"]["Id"] == iid
    for alias in ("two", "three"):
        create_instance(client, alias)
    pages = list(client.get_paginator("list_instances").paginate(PaginationConfig={"PageSize": 2}))
    assert [i["InstanceAlias"] for p in pages for i in p["InstanceSummaryList"]] == [
        "mine",
        "two",
        "three",
    ]
    with pytest.raises(client.exceptions.DuplicateResourceException):
        create_instance(client, "mine")
    client.delete_instance(InstanceId=iid)
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.describe_instance(InstanceId=iid)
    # regions are separate
    west = connect_client("444444444444", region="us-west-2")
    assert west.list_instances()["InstanceSummaryList"] == []


def test_seeded_accounts_have_same_names_and_different_arns(
    seeded_sandbox: SandboxServer, connect_client: ClientFactory
) -> None:
    seen: dict[str, dict[str, Any]] = {}
    for account in ACCOUNTS:
        client = connect_client(account)
        instances = client.list_instances()["InstanceSummaryList"]
        assert [(i["Id"], i["InstanceAlias"]) for i in instances] == [
            (instance_id_for(account), INSTANCE_ALIAS)
        ]
        iid = instances[0]["Id"]
        queues = client.list_queues(InstanceId=iid)["QueueSummaryList"]
        prompts = client.list_prompts(InstanceId=iid)["PromptSummaryList"]
        hours = client.list_hours_of_operations(InstanceId=iid)["HoursOfOperationSummaryList"]
        quick = client.list_quick_connects(InstanceId=iid)["QuickConnectSummaryList"]
        lambdas = client.list_lambda_functions(InstanceId=iid)["LambdaFunctions"]
        bots = client.list_bots(InstanceId=iid, LexVersion="V2")["LexBots"]
        legacy = client.list_lex_bots(InstanceId=iid)["LexBots"]
        numbers = client.list_phone_numbers_v2(InstanceId=iid)["ListPhoneNumbersSummaryList"]
        seen[account] = {
            "queues": {q["Name"]: q["Arn"] for q in queues},
            "prompts": {p["Name"] for p in prompts},
            "hours": {h["Name"] for h in hours},
            "quick": {q["Name"] for q in quick},
            "lambdas": lambdas,
            "bots": bots,
        }
        assert {"Support", "Sales", "Billing"} <= set(seen[account]["queues"])
        assert "Business Hours" in seen[account]["hours"]
        assert all(f":{account}:" in arn for arn in seen[account]["queues"].values())
        assert any(arn.endswith("function:lookup-customer") for arn in lambdas)
        assert all(f":{account}:" in arn for arn in lambdas)
        assert bots[0]["LexV2Bot"]["AliasArn"].startswith(f"arn:aws:lex:us-east-1:{account}:")
        assert legacy[0]["LexRegion"] == "us-east-1"
        assert len(numbers) == 1 and numbers[0]["InstanceId"] == iid
        assert numbers[0]["PhoneNumberArn"].startswith(f"arn:aws:connect:us-east-1:{account}:")
    assert seen[DEV]["queues"].keys() == seen[PROD]["queues"].keys()
    assert seen[DEV]["queues"]["Support"] != seen[PROD]["queues"]["Support"]
    assert seen[DEV]["prompts"] == seen[STAGING]["prompts"] == seen[PROD]["prompts"]
    # Lex V2 bot and alias ids differ per account, as in AWS (names: test_sandbox_lex.py)
    suffixes = {seen[a]["bots"][0]["LexV2Bot"]["AliasArn"].split(":", 5)[5] for a in ACCOUNTS}
    assert len(suffixes) == len(ACCOUNTS)


def test_seeded_flows_only_in_dev(
    seeded_sandbox: SandboxServer, connect_client: ClientFactory
) -> None:
    dev = connect_client(DEV)
    dev_flows = dev.list_contact_flows(InstanceId=instance_id_for(DEV))["ContactFlowSummaryList"]
    assert 6 <= len(dev_flows) <= 10
    assert all(f["ContactFlowStatus"] == "PUBLISHED" for f in dev_flows)
    types = {f["ContactFlowType"] for f in dev_flows}
    assert {"CONTACT_FLOW", "CUSTOMER_QUEUE", "AGENT_WHISPER"} <= types
    modules = dev.list_contact_flow_modules(InstanceId=instance_id_for(DEV))
    assert len(modules["ContactFlowModulesSummaryList"]) in (1, 2)
    for account in (STAGING, PROD):
        client = connect_client(account)
        listed = client.list_contact_flows(InstanceId=instance_id_for(account))
        assert listed["ContactFlowSummaryList"] == []


def test_catalog_paginators(seeded_sandbox: SandboxServer, connect_client: ClientFactory) -> None:
    client = connect_client()
    iid = instance_id_for(DEV)
    for name, key in (
        ("list_queues", "QueueSummaryList"),
        ("list_prompts", "PromptSummaryList"),
        ("list_hours_of_operations", "HoursOfOperationSummaryList"),
        ("list_quick_connects", "QuickConnectSummaryList"),
    ):
        pages = list(
            client.get_paginator(name).paginate(InstanceId=iid, PaginationConfig={"PageSize": 1})
        )
        whole = getattr(client, name)(InstanceId=iid)[key]
        assert len(pages) == len(whole) >= 2
        assert _names(pages, key) == [item["Name"] for item in whole]
    lambdas = [
        arn
        for page in client.get_paginator("list_lambda_functions").paginate(
            InstanceId=iid, PaginationConfig={"PageSize": 1}
        )
        for arn in page["LambdaFunctions"]
    ]
    assert len(lambdas) == 3
    bots = list(client.get_paginator("list_bots").paginate(InstanceId=iid, LexVersion="V2"))
    assert len(bots[0]["LexBots"]) == 1
    numbers = list(client.get_paginator("list_phone_numbers_v2").paginate())
    assert len(numbers[0]["ListPhoneNumbersSummaryList"]) == 1
    lex = list(client.get_paginator("list_lex_bots").paginate(InstanceId=iid))
    assert len(lex[0]["LexBots"]) == 1
    v1 = client.list_bots(InstanceId=iid, LexVersion="V1")["LexBots"]
    assert v1 == [{"LexBot": {"Name": "OrderFlowersLegacy", "LexRegion": "us-east-1"}}]
    with pytest.raises(client.exceptions.InvalidRequestException):  # the error ListBots lists
        client.list_bots(InstanceId=iid, LexVersion="V3")
    queues = client.list_queues(InstanceId=iid, QueueTypes=["AGENT"])
    assert queues["QueueSummaryList"] == []
    qc = client.list_quick_connects(InstanceId=iid, QuickConnectTypes=["PHONE_NUMBER"])
    assert [q["Name"] for q in qc["QuickConnectSummaryList"]] == ["Escalation Desk"]


def test_phone_numbers_and_association(
    seeded_sandbox: SandboxServer, connect_client: ClientFactory
) -> None:
    client = connect_client(PROD)
    iid = instance_id_for(PROD)
    number = client.list_phone_numbers_v2(
        TargetArn=client.describe_instance(InstanceId=iid)["Instance"]["Arn"]
    )["ListPhoneNumbersSummaryList"][0]
    assert number["PhoneNumberCountryCode"] == "US" and number["PhoneNumberType"] == "DID"
    assert client.list_phone_numbers_v2(PhoneNumberPrefix="+1206")["ListPhoneNumbersSummaryList"]
    assert not client.list_phone_numbers_v2(PhoneNumberTypes=["TOLL_FREE"])[
        "ListPhoneNumbersSummaryList"
    ]
    from tests.support.flows import flow_content

    fid = client.create_contact_flow(
        InstanceId=iid, Name="Inbound", Type="CONTACT_FLOW", Content=flow_content()
    )["ContactFlowId"]
    client.associate_phone_number_contact_flow(
        PhoneNumberId=number["PhoneNumberId"], InstanceId=iid, ContactFlowId=fid
    )
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.associate_phone_number_contact_flow(
            PhoneNumberId=number["PhoneNumberId"], InstanceId=iid, ContactFlowId="missing"
        )
    # another account's number is invisible
    dev = connect_client(DEV)
    with pytest.raises(dev.exceptions.ResourceNotFoundException):
        dev.associate_phone_number_contact_flow(
            PhoneNumberId=number["PhoneNumberId"],
            InstanceId=instance_id_for(DEV),
            ContactFlowId=fid,
        )


def test_tags(seeded_sandbox: SandboxServer, connect_client: ClientFactory) -> None:
    client = connect_client()
    iid = instance_id_for(DEV)
    flow = client.list_contact_flows(InstanceId=iid)["ContactFlowSummaryList"][0]
    client.tag_resource(resourceArn=flow["Arn"], tags={"owner": "cx", "tier": "1"})
    assert client.list_tags_for_resource(resourceArn=flow["Arn"])["tags"] == {
        "flowops:seed": "true",
        "owner": "cx",
        "tier": "1",
    }
    client.untag_resource(resourceArn=flow["Arn"], tagKeys=["tier", "flowops:seed"])
    assert client.list_tags_for_resource(resourceArn=flow["Arn"])["tags"] == {"owner": "cx"}
    described = client.describe_contact_flow(InstanceId=iid, ContactFlowId=flow["Id"])
    assert described["ContactFlow"]["Tags"] == {"owner": "cx"}
    queue = client.list_queues(InstanceId=iid)["QueueSummaryList"][0]
    client.tag_resource(resourceArn=queue["Arn"], tags={"a": "b"})
    assert client.list_tags_for_resource(resourceArn=queue["Arn"])["tags"] == {"a": "b"}
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.tag_resource(resourceArn=flow["Arn"] + "x", tags={"a": "b"})
    prod = connect_client(PROD)
    with pytest.raises(prod.exceptions.ResourceNotFoundException):
        prod.list_tags_for_resource(resourceArn=flow["Arn"])


def test_cross_account_isolation(
    seeded_sandbox: SandboxServer, connect_client: ClientFactory
) -> None:
    dev, prod = connect_client(DEV), connect_client(PROD)
    dev_iid = instance_id_for(DEV)
    flow = dev.list_contact_flows(InstanceId=dev_iid)["ContactFlowSummaryList"][0]
    with pytest.raises(prod.exceptions.ResourceNotFoundException):
        prod.describe_instance(InstanceId=dev_iid)
    with pytest.raises(prod.exceptions.ResourceNotFoundException):
        prod.list_contact_flows(InstanceId=dev_iid)
    with pytest.raises(prod.exceptions.ResourceNotFoundException):
        prod.describe_contact_flow(InstanceId=dev_iid, ContactFlowId=flow["Id"])
    # the same name may exist in each account
    from tests.support.flows import flow_content

    for account in (STAGING, PROD):
        client = connect_client(account)
        created = client.create_contact_flow(
            InstanceId=instance_id_for(account),
            Name="Same",
            Type="CONTACT_FLOW",
            Content=flow_content(),
        )
        assert f":{account}:" in created["ContactFlowArn"]
    # a key that is not 12 digits maps to one default account
    other = connect_client("AKIDEXAMPLE")
    assert other.list_instances()["InstanceSummaryList"] == []
    made = other.create_instance(
        IdentityManagementType="CONNECT_MANAGED",
        InstanceAlias="d",
        InboundCallsEnabled=True,
        OutboundCallsEnabled=True,
    )
    assert ":123456789012:instance/" in made["Arn"]
    same = connect_client("ASIAANOTHERKEY")  # any other such key: the same default account
    assert [i["Id"] for i in same.list_instances()["InstanceSummaryList"]] == [made["Id"]]
    assert [i["Id"] for i in prod.list_instances()["InstanceSummaryList"]] == [
        instance_id_for(PROD)
    ]


def test_build_a_catalog_from_an_empty_account(connect_client: ClientFactory) -> None:
    from tests.support.flows import flow_content

    account = "555555555555"
    client = connect_client(account)
    iid = create_instance(client, "fresh")
    hours = client.create_hours_of_operation(
        InstanceId=iid,
        Name="Business Hours",
        TimeZone="UTC",
        Config=[
            {
                "Day": "MONDAY",
                "StartTime": {"Hours": 9, "Minutes": 0},
                "EndTime": {"Hours": 17, "Minutes": 0},
            }
        ],
    )
    queue = client.create_queue(
        InstanceId=iid, Name="Support", HoursOfOperationId=hours["HoursOfOperationId"]
    )
    prompt = client.create_prompt(InstanceId=iid, Name="Welcome", S3Uri="s3://b/w.wav")
    quick = client.create_quick_connect(
        InstanceId=iid,
        Name="Desk",
        QuickConnectConfig={
            "QuickConnectType": "PHONE_NUMBER",
            "PhoneConfig": {"PhoneNumber": "+12065550111"},
        },
    )
    lambda_arn = f"arn:aws:lambda:us-east-1:{account}:function:lookup"
    client.associate_lambda_function(InstanceId=iid, FunctionArn=lambda_arn)
    bot_arn = f"arn:aws:lex:us-east-1:{account}:bot-alias/BOT1234567/ALIAS12345"
    client.associate_bot(InstanceId=iid, LexV2Bot={"AliasArn": bot_arn})
    with pytest.raises(client.exceptions.DuplicateResourceException):
        client.create_queue(
            InstanceId=iid, Name="Support", HoursOfOperationId=hours["HoursOfOperationId"]
        )
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.create_queue(InstanceId=iid, Name="Other", HoursOfOperationId="missing")
    assert client.list_lambda_functions(InstanceId=iid)["LambdaFunctions"] == [lambda_arn]
    assert quick["QuickConnectARN"].endswith("/transfer-destination/" + quick["QuickConnectId"])
    params = {
        "QueueId": queue["QueueArn"],
        "PromptId": prompt["PromptARN"],
        "LambdaFunctionARN": lambda_arn,
        "LexV2Bot": {"AliasArn": bot_arn},
        "HoursOfOperationId": hours["HoursOfOperationArn"],
    }
    actions: list[dict[str, Any]] = [
        {
            "Identifier": "a",
            "Type": "UpdateContactTargetQueue",
            "Parameters": params,
            "Transitions": {"NextAction": "b"},
        },
        {"Identifier": "b", "Type": "DisconnectParticipant"},
    ]
    client.create_contact_flow(
        InstanceId=iid,
        Name="Uses catalog",
        Type="CONTACT_FLOW",
        Content=flow_content(start="a", actions=actions),
    )


def test_flow_associations(seeded_sandbox: SandboxServer, connect_client: ClientFactory) -> None:
    client = connect_client(DEV)
    iid = instance_id_for(DEV)
    associations = client.list_flow_associations(InstanceId=iid, ResourceType="VOICE_PHONE_NUMBER")[
        "FlowAssociationSummaryList"
    ]
    assert len(associations) == 1
    main = client.describe_contact_flow(InstanceId=iid, ContactFlowId=associations[0]["FlowId"])
    assert main["ContactFlow"]["Name"] == "Main Inbound"
    number = client.list_phone_numbers_v2(InstanceId=iid)["ListPhoneNumbersSummaryList"][0]
    assert associations[0]["ResourceId"] == number["PhoneNumberArn"]
    client.disassociate_phone_number_contact_flow(
        PhoneNumberId=number["PhoneNumberId"], InstanceId=iid
    )
    assert client.list_flow_associations(InstanceId=iid)["FlowAssociationSummaryList"] == []
