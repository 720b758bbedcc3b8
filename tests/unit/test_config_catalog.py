"""Catalog lookups both ways (ARN or id -> entry, kind + name -> entry) and ARN naming."""

from __future__ import annotations

from flowops.connect.catalog import (
    Catalog,
    CatalogEntry,
    RemoteFlow,
    lambda_name,
    lex_v2_ids,
    strip_qualifier,
)
from flowops.model.document import FlowInfo
from flowops.repo import flow_key

INSTANCE = "arn:aws:connect:us-east-1:111111111111:instance/i-1"
QUEUE = CatalogEntry("queue", "Support", "q-1", f"{INSTANCE}/queue/q-1")
LAMBDA_ARN = "arn:aws:lambda:us-east-1:111111111111:function:lookup-customer"
MAIN = RemoteFlow(
    kind="flow",
    id="f-1",
    arn=f"{INSTANCE}/contact-flow/f-1",
    name="Main IVR",
    type="CONTACT_FLOW",
    content='{"Version": "2019-10-30"}',
)
SURVEY = RemoteFlow(
    kind="module", id="m-1", arn=f"{INSTANCE}/flow-module/m-1", name="Survey", type="MODULE"
)


def make() -> Catalog:
    return Catalog(
        [QUEUE, CatalogEntry("lambda", "lookup-customer", LAMBDA_ARN, LAMBDA_ARN)],
        {MAIN.key: MAIN, SURVEY.key: SURVEY},
    )


def test_lookup_by_arn_id_and_name() -> None:
    catalog = make()
    assert catalog.by_arn(QUEUE.arn) == QUEUE
    assert catalog.by_arn("q-1") == QUEUE
    assert catalog.by_name("queue", "Support") == QUEUE
    assert catalog.by_name("queue", "support") is None  # Connect names are case-sensitive
    assert catalog.by_name("prompt", "Support") is None
    assert catalog.by_arn("arn:aws:connect:us-east-1:111111111111:instance/i-1/queue/zz") is None


def test_flows_and_modules_are_entries_too() -> None:
    catalog = make()
    assert catalog.by_name("flow", "Main IVR") == MAIN.entry()
    assert catalog.by_name("module", "Survey") == SURVEY.entry()
    assert catalog.by_arn(MAIN.arn + ":7") == MAIN.entry()  # a version qualifier is ignored
    assert catalog.by_arn("f-1:$SAVED") == MAIN.entry()
    assert catalog.flow("flow", "Main IVR") is MAIN
    assert catalog.entries("flow") == [MAIN.entry()]
    assert catalog.kinds() == ["flow", "lambda", "module", "queue"]
    assert len(catalog) == 4


def test_flow_keys_match_the_repo() -> None:
    info = FlowInfo(kind="module", name="Survey")
    assert SURVEY.key == flow_key(info)
    assert set(make().flows) == {"flow:Main IVR", "module:Survey"}


def test_first_entry_wins_and_added_entries_are_found() -> None:
    catalog = make()
    catalog.add(CatalogEntry("queue", "Support", "q-2", f"{INSTANCE}/queue/q-2"))
    assert catalog.by_name("queue", "Support") == QUEUE
    assert catalog.by_arn("q-2") is not None
    catalog.add(QUEUE)  # the same ARN twice is listed once
    assert len(catalog.entries("queue")) == 2


def test_names_derived_from_arns() -> None:
    assert lambda_name(LAMBDA_ARN) == "lookup-customer"
    assert lambda_name(LAMBDA_ARN + ":live") == "lookup-customer"
    assert lex_v2_ids("arn:aws:lex:us-east-1:111111111111:bot-alias/BOT1/ALIAS1") == (
        "BOT1",
        "ALIAS1",
    )
    assert strip_qualifier("abc:12") == "abc"
    assert strip_qualifier("abc:$SAVED") == "abc"
    assert strip_qualifier(QUEUE.arn) == QUEUE.arn
