"""Symbolic references: export symbolizes, promote resolves, overrides rename."""

from __future__ import annotations

from typing import Any

from flowops.connect.catalog import Catalog, CatalogEntry
from flowops.refs import (
    arn_kind,
    env_name,
    git_name,
    parse_symbol,
    references,
    rename_symbols,
    resolve,
    symbolize,
)

ACCT = "111111111111"
INST = f"arn:aws:connect:us-east-1:{ACCT}:instance/inst-1"


def _entries(account: str, suffix: str) -> list[CatalogEntry]:
    inst = f"arn:aws:connect:us-east-1:{account}:instance/inst-{suffix}"
    return [
        CatalogEntry("queue", "Support", f"q1{suffix}", f"{inst}/queue/q1{suffix}"),
        CatalogEntry("queue", "Support-EU", f"q2{suffix}", f"{inst}/queue/q2{suffix}"),
        CatalogEntry("flow", "Main IVR", f"f1{suffix}", f"{inst}/contact-flow/f1{suffix}"),
        CatalogEntry("module", "Survey", f"m1{suffix}", f"{inst}/flow-module/m1{suffix}"),
        CatalogEntry(
            "lambda",
            "lookup-customer",
            "lookup-customer",
            f"arn:aws:lambda:us-east-1:{account}:function:lookup-customer",
        ),
    ]


def _content(queue: str, flow: str, module: str, fn: str) -> dict[str, Any]:
    return {
        "Version": "2019-10-30",
        "StartAction": "a",
        "Actions": [
            {
                "Identifier": "a",
                "Type": "UpdateContactTargetQueue",
                "Parameters": {"QueueId": queue},
                "Transitions": {"NextAction": "b"},
            },
            {
                "Identifier": "b",
                "Type": "InvokeLambdaFunction",
                "Parameters": {"LambdaFunctionARN": fn, "InvocationTimeLimitSeconds": "3"},
                "Transitions": {"NextAction": "c"},
            },
            {
                "Identifier": "c",
                "Type": "InvokeFlowModule",
                "Parameters": {"FlowModuleId": module},
                "Transitions": {"NextAction": "d"},
            },
            {
                "Identifier": "d",
                "Type": "MessageParticipant",
                "Parameters": {"Text": "queue:Support is a sentence, not a reference"},
                "Transitions": {"NextAction": "e"},
            },
            {
                "Identifier": "e",
                "Type": "TransferToFlow",
                "Parameters": {"ContactFlowId": flow},
                "Transitions": {},
            },
        ],
        "Metadata": {
            "ActionMetadata": {
                "a": {
                    "queue": {"id": queue, "text": "Old display name"},
                    "parameters": {"QueueId": {"displayName": "Old display name"}},
                },
                "e": {"ContactFlow": {"id": flow, "text": "Main IVR"}},
            }
        },
    }


def test_symbolize_replaces_every_account_reference_and_mirror() -> None:
    entries = _entries(ACCT, "a")
    cat = Catalog(entries)
    raw = _content(entries[0].arn, entries[2].arn, entries[3].id, entries[4].arn)
    out, missing = symbolize(raw, cat)
    assert missing == []
    params = [a.get("Parameters") for a in out["Actions"]]
    assert params[0] == {"QueueId": "queue:Support"}
    assert params[1]["LambdaFunctionARN"] == "lambda:lookup-customer"
    assert params[2] == {"FlowModuleId": "module:Survey"}
    assert params[4] == {"ContactFlowId": "flow:Main IVR"}
    meta = out["Metadata"]["ActionMetadata"]["a"]
    assert meta["queue"] == {"id": "queue:Support", "text": "Support"}
    assert meta["parameters"]["QueueId"]["displayName"] == "Support"
    assert ACCT not in repr(out)
    assert raw["Actions"][0]["Parameters"]["QueueId"] == entries[0].arn  # input untouched


def test_resolve_round_trips_into_another_account() -> None:
    source, target = _entries(ACCT, "a"), _entries("222222222222", "b")
    raw = _content(source[0].arn, source[2].arn, source[3].id, source[4].arn)
    symbolic, _ = symbolize(raw, Catalog(source))
    resolved, missing = resolve(symbolic, Catalog(target))
    assert missing == []
    assert resolved == _content(target[0].arn, target[2].arn, target[3].id, target[4].arn) | {
        "Metadata": resolved["Metadata"]
    }
    assert resolved["Actions"][2]["Parameters"]["FlowModuleId"] == "m1b"  # module: bare id
    again, _ = symbolize(resolved, Catalog(target))
    assert again == symbolic


def test_overrides_rename_both_ways_and_mirrors_show_the_env_name() -> None:
    entries = _entries(ACCT, "a")
    cat = Catalog(entries)
    overrides = {"queue": {"Support": "Support-EU"}}
    symbolic, _ = symbolize(_content(entries[0].arn, "", "", ""), cat)
    resolved, missing = resolve(symbolic, cat, overrides)
    assert missing == []
    assert resolved["Actions"][0]["Parameters"]["QueueId"] == entries[1].arn
    assert resolved["Metadata"]["ActionMetadata"]["a"]["queue"]["text"] == "Support-EU"
    back, _ = symbolize(resolved, cat, overrides)
    assert back["Actions"][0]["Parameters"]["QueueId"] == "queue:Support"
    assert back["Metadata"]["ActionMetadata"]["a"]["queue"]["text"] == "Support"
    renamed = rename_symbols(symbolic, overrides)
    assert renamed["Actions"][0]["Parameters"]["QueueId"] == "queue:Support-EU"


def test_resolve_lists_every_missing_resource_at_once() -> None:
    content = _content("queue:Nowhere", "flow:Ghost", "module:Survey", "lambda:missing-fn")
    _, missing = resolve(content, Catalog(_entries(ACCT, "a")))
    assert sorted((m.kind, m.name, m.action) for m in missing) == [
        ("flow", "Ghost", "e"),
        ("lambda", "missing-fn", "b"),
        ("queue", "Nowhere", "a"),
    ]
    assert "action 'a' at $.Actions[0].Parameters.QueueId" in missing[-1].describe() or any(
        "$.Actions[0].Parameters.QueueId" in m.describe() for m in missing
    )


def test_pending_flows_resolve_before_they_exist() -> None:
    pending = {"flow:Ghost": CatalogEntry("flow", "Ghost", "g", f"{INST}/contact-flow/g")}
    content = _content("queue:Support", "flow:Ghost", "module:Survey", "lambda:lookup-customer")
    resolved, missing = resolve(content, Catalog(_entries(ACCT, "a")), pending=pending)
    assert missing == []
    assert resolved["Actions"][4]["Parameters"]["ContactFlowId"] == f"{INST}/contact-flow/g"


def test_unknown_arns_of_this_account_are_reported_jsonpath_and_text_left_alone() -> None:
    foreign = "arn:aws:lambda:us-east-1:999999999999:function:shared"
    unknown_queue = f"{INST}/queue/deleted"
    content = _content(unknown_queue, "$.Attributes.next", "", foreign)
    out, missing = symbolize(content, Catalog(_entries(ACCT, "a")), account_id=ACCT)
    assert [(m.kind, m.value) for m in missing] == [("queue", unknown_queue)]
    assert out["Actions"][4]["Parameters"]["ContactFlowId"] == "$.Attributes.next"
    assert out["Actions"][1]["Parameters"]["LambdaFunctionARN"] == foreign
    _, missing_resolve = resolve(out, Catalog(_entries(ACCT, "a")))
    assert missing_resolve == []  # text "queue:Support is a sentence" is never resolved


def test_references_and_helpers() -> None:
    content = _content("queue:Support", "flow:Main IVR", "module:Survey", "$.Attributes.fn")
    assert references(content) == [("queue", "Support"), ("module", "Survey"), ("flow", "Main IVR")]
    assert parse_symbol("lexbot:OrderBot/Prod") == ("lexbot", "OrderBot/Prod")
    assert parse_symbol("${var.queue_arn}") is None
    assert arn_kind(f"{INST}/operating-hours/h1") == ("hours", ACCT)
    assert arn_kind("arn:aws:lex:us-east-1:1:bot-alias/B/A") == ("lexbot", "1")
    assert env_name("queue", "Support", {"queue": {"Support": "S-EU"}}) == "S-EU"
    assert git_name("queue", "S-EU", {"queue": {"Support": "S-EU"}}) == "Support"


def test_template_placeholders_fail_with_a_migration_hint() -> None:
    content = _content("${var.queue_arn}", '${var.contact_flows_map["x"]}', "%%MODULE%%", "$.x")
    _, missing = resolve(content, Catalog(_entries(ACCT, "a")))
    described = sorted(m.describe() for m in missing)
    assert len(described) == 3
    assert any("'${var.queue_arn}'" in d and "'queue:<name>'" in d for d in described)
    assert any("'flow:<name>'" in d for d in described)
    assert any("'module:<name>'" in d for d in described)
