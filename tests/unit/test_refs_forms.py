"""References keep the form they were written in: bare id, ARN, qualified ARN."""

from __future__ import annotations

from typing import Any

import pytest

from flowops.connect.catalog import Catalog, CatalogEntry
from flowops.refs import Reference, parse_reference, resolve, symbol, symbolize

DEV, STG = "111111111111", "222222222222"


def _catalog(account: str, s: str) -> Catalog:
    inst = f"arn:aws:connect:us-east-1:{account}:instance/i-{s}"
    fn = f"arn:aws:lambda:us-east-1:{account}:function:routing-{s}"
    return Catalog(
        [
            CatalogEntry("queue", "Callback", f"q-{s}", f"{inst}/queue/q-{s}"),
            CatalogEntry("flow", "Main", f"f-{s}", f"{inst}/contact-flow/f-{s}"),
            CatalogEntry("module", "Survey", f"m-{s}", f"{inst}/flow-module/m-{s}"),
            CatalogEntry("view", "Details", f"v-{s}", f"{inst}/view/v-{s}"),
            CatalogEntry("lambda", "routing", f"{fn}:live", f"{fn}:live"),
            CatalogEntry(
                "lambda", "plain", "plain", f"arn:aws:lambda:us-east-1:{account}:function:plain"
            ),
        ]
    )


def _flow(params: dict[str, Any]) -> dict[str, Any]:
    return {
        "Version": "2019-10-30",
        "StartAction": "a",
        "Actions": [
            {"Identifier": "a", "Type": "UpdateFlowAttributes", "Parameters": params},
        ],
    }


CASES = [
    # (key path, dev value, symbol, staging value)
    ({"Attributes": {"CallbackQueueId": "q-dev"}}, "queue#id:Callback", "q-stg"),
    (
        {"QueueId": "arn:aws:connect:us-east-1:111111111111:instance/i-dev/queue/q-dev"},
        "queue:Callback",
        "arn:aws:connect:us-east-1:222222222222:instance/i-stg/queue/q-stg",
    ),
    (
        {"LambdaFunctionARN": "arn:aws:lambda:us-east-1:111111111111:function:routing-dev:live"},
        "lambda@live:routing",
        "arn:aws:lambda:us-east-1:222222222222:function:routing-stg:live",
    ),
    (
        {
            "FlowAttributes": {
                "next": {
                    "Value": f"arn:aws:connect:us-east-1:{DEV}:instance/i-dev/contact-flow/f-dev:7"
                }
            }
        },
        "flow@7:Main",
        f"arn:aws:connect:us-east-1:{STG}:instance/i-stg/contact-flow/f-stg:7",
    ),
    ({"FlowModuleId": "m-dev"}, "module:Survey", "m-stg"),
    (
        {"FlowModuleId": f"arn:aws:connect:us-east-1:{DEV}:instance/i-dev/flow-module/m-dev"},
        "module#arn:Survey",
        f"arn:aws:connect:us-east-1:{STG}:instance/i-stg/flow-module/m-stg",
    ),
    (
        {"ViewResource": {"Id": f"arn:aws:connect:us-east-1:{DEV}:instance/i-dev/view/v-dev"}},
        "view:Details",
        f"arn:aws:connect:us-east-1:{STG}:instance/i-stg/view/v-stg",
    ),
    (
        {
            "ViewResource": {
                "Id": f"arn:aws:connect:us-east-1:{DEV}:instance/i-dev/view/v-dev:$LATEST"
            }
        },
        "view@$LATEST:Details",
        f"arn:aws:connect:us-east-1:{STG}:instance/i-stg/view/v-stg:$LATEST",
    ),
    (
        {"ViewResource": {"Id": f"arn:aws:connect:us-east-1:{DEV}:instance/i-dev/view/v-dev:4"}},
        "view@4:Details",
        f"arn:aws:connect:us-east-1:{STG}:instance/i-stg/view/v-stg:4",
    ),
    # AWS-managed views name no account: the same in every environment, kept as written.
    (
        {"ViewResource": {"Id": "arn:aws:connect:us-east-1:aws:view/form:1"}},
        "arn:aws:connect:us-east-1:aws:view/form:1",
        "arn:aws:connect:us-east-1:aws:view/form:1",
    ),
    ({"ViewResource": {"Id": "detail"}}, "detail", "detail"),
]


def _leaf(params: dict[str, Any]) -> Any:
    while isinstance(params, dict):
        params = next(iter(params.values()))
    return params


def _with_leaf(params: dict[str, Any], value: str) -> dict[str, Any]:
    key, sub = next(iter(params.items()))
    return {key: _with_leaf(sub, value) if isinstance(sub, dict) else value}


@pytest.mark.parametrize(("params", "symbolic", "target"), CASES)
def test_each_form_round_trips_to_the_targets_same_named_resource(
    params: dict[str, Any], symbolic: str, target: str
) -> None:
    out, missing = symbolize(_flow(params), _catalog(DEV, "dev"), account_id=DEV)
    assert missing == []
    got = out["Actions"][0]["Parameters"]
    assert _leaf(got) == symbolic
    resolved, unresolved = resolve(out, _catalog(STG, "stg"))
    assert unresolved == []
    assert resolved["Actions"][0]["Parameters"] == _with_leaf(params, target)


def test_the_markers_parse_and_names_may_hold_colons_and_at_signs() -> None:
    ref = Reference("flow", "Sales: in @ night", "id", "3")
    assert parse_reference(ref.text()) == ref
    assert ref.text() == "flow#id@3:Sales: in @ night"
    assert parse_reference("lexbot_v1:Order") == Reference("lexbot_v1", "Order")
    assert symbol("queue", "x") == "queue:x"


def test_a_qualified_lambda_the_target_does_not_associate_is_unresolved() -> None:
    catalog = Catalog(
        [
            CatalogEntry(
                "lambda", "routing", "x", f"arn:aws:lambda:us-east-1:{STG}:function:routing:prod"
            )
        ]
    )
    _, unresolved = resolve(_flow({"LambdaFunctionARN": "lambda@live:routing"}), catalog)
    assert [u.reason for u in unresolved] == [
        f"arn:aws:lambda:us-east-1:{STG}:function:routing:live is not associated with the instance"
    ]


def test_source_ids_that_no_catalog_knows_are_reported_with_the_reason() -> None:
    wisdom = f"arn:aws:wisdom:us-east-1:{DEV}:assistant/abc"
    params = {
        "WisdomAssistantArn": wisdom,
        "CaseTemplateId": "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
        "Other": "arn:aws:lambda:us-east-1:999999999999:function:shared",
        "Text": "arn:aws:wisdom:us-east-1:111111111111:assistant/in-prose",
    }
    _, missing = symbolize(_flow(params), _catalog(DEV, "dev"), account_id=DEV, instance_id="i-dev")
    assert [(m.value, m.path) for m in missing] == [
        (wisdom, "$.Actions[0].Parameters.WisdomAssistantArn"),
        ("0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b", "$.Actions[0].Parameters.CaseTemplateId"),
    ]
    assert "source account" in missing[0].reason
    _, allowed = symbolize(
        _flow(params), _catalog(DEV, "dev"), account_id=DEV, allowed=lambda v: v == wisdom
    )
    assert [m.value for m in allowed] == ["0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"]


def test_dependency_order_sees_flows_named_in_attribute_values() -> None:
    from flowops.graph import build_dependency_graph, dependency_order
    from flowops.model.document import FlowDocument, FlowInfo
    from flowops.model.parse import parse_content

    def doc(name: str, params: dict[str, Any]) -> FlowDocument:
        content = _flow(params)
        content["Actions"][0]["Transitions"] = {}
        return FlowDocument(FlowInfo(name=name, kind="flow"), parse_content(content))

    docs = {
        "flow:A": doc("A", {"FlowAttributes": {"next": {"Value": "flow@3:B", "EventType": "x"}}}),
        "flow:B": doc("B", {"Attributes": {"hold": ["module#arn:M"]}}),
        "module:M": doc("M", {}),
    }
    graph = build_dependency_graph(docs)
    assert dependency_order(graph) == [["module:M"], ["flow:B"], ["flow:A"]]


def test_plan_checks_lex_v1_bots_by_name_where_the_catalog_lists_them() -> None:
    from flowops.config import Environment
    from flowops.deploy.preflight import preflight
    from flowops.model.document import FlowDocument, FlowInfo
    from flowops.model.parse import parse_content

    content = _flow({"LexBot": {"Name": "OrderFlowers", "Region": "us-east-1", "Alias": "$LATEST"}})
    content["Actions"][0]["Type"] = "ConnectParticipantWithLexBot"
    content["Actions"][0]["Transitions"] = {}
    desired = {"flow:A": FlowDocument(FlowInfo(name="A"), parse_content(content))}
    env = Environment(name="staging", region="us-east-1", account_id=STG, instance="i")
    bots = [CatalogEntry("lexbot_v1", "Other", "Other", "arn:aws:lex:us-east-1:2:bot:Other")]
    problems = preflight(env, desired, Catalog(bots))
    assert [(p.check, p.message) for p in problems] == [
        ("reference", "Lex V1 bot 'OrderFlowers' (action 'a') is not associated with the instance")
    ]
    assert preflight(env, desired, Catalog([])) == []  # no Lex V1 listed: not checked
