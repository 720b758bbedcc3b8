"""Plan as a pure function of desired documents and an environment's catalog."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rich.cells import cell_len

from flowops.config import Environment
from flowops.connect.catalog import Catalog, CatalogEntry, RemoteFlow
from flowops.deploy.plan import compute_plan
from flowops.deploy.preflight import PreflightError
from flowops.deploy.releases import LEDGER_NAME
from flowops.deploy.render import render_plan
from flowops.errors import BadInputError
from flowops.model.document import FlowDocument
from flowops.model.parse import document_from_data
from flowops.refs import resolve

INST = "arn:aws:connect:us-east-1:222222222222:instance/i"
QUEUES = [
    CatalogEntry("queue", "Support", "q1", f"{INST}/queue/q1"),
    CatalogEntry("queue", "Support-EU", "q2", f"{INST}/queue/q2"),
]


def doc(
    name: str,
    *,
    queue: str = "queue:Support",
    transfer: str | None = None,
    text: str = "Hi",
    x: int = 0,
    kind: str = "flow",
    **header: Any,
) -> FlowDocument:
    actions: list[dict[str, Any]] = [
        {
            "Identifier": "q",
            "Type": "UpdateContactTargetQueue",
            "Parameters": {"QueueId": queue},
            "Transitions": {"NextAction": "m"},
        },
        {
            "Identifier": "m",
            "Type": "MessageParticipant",
            "Parameters": {"Text": text},
            "Transitions": {"NextAction": "t" if transfer else "end"},
        },
        {"Identifier": "end", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}},
    ]
    if transfer:
        actions.append(
            {
                "Identifier": "t",
                "Type": "TransferToFlow",
                "Parameters": {"ContactFlowId": transfer},
                "Transitions": {"NextAction": "end"},
            }
        )
    data = {
        "flowops": 1,
        "name": name,
        "kind": kind,
        "type": "CONTACT_FLOW",
        "description": "",
        "state": "ACTIVE",
        "status": "PUBLISHED",
        "tags": {},
        "content": {"Version": "2019-10-30", "StartAction": "q", "Actions": actions},
        "layout": {"ActionMetadata": {"q": {"position": {"x": x, "y": 0}}}},
    }
    data.update(header)
    return document_from_data(data)


def live_of(d: FlowDocument, catalog: Catalog, ident: str, **kw: Any) -> RemoteFlow:
    """What Connect would hold after promoting ``d``: resolved content."""
    content, missing = resolve(d.flow.raw, catalog, {})
    assert not missing
    fields: dict[str, Any] = {
        "kind": "flow",
        "id": ident,
        "arn": f"{INST}/contact-flow/{ident}",
        "name": d.info.name,
        "type": "CONTACT_FLOW",
        "content": json.dumps(content),
    }
    fields.update(kw)
    return RemoteFlow(**fields)


def env(**kw: Any) -> Environment:
    return Environment(
        name="staging", region="us-east-1", account_id="222222222222", instance="i", **kw
    )


def catalog_with(*flows: RemoteFlow) -> Catalog:
    return Catalog(QUEUES, {f.key: f for f in flows})


def test_steps_classify_create_update_unchanged_and_extra() -> None:
    base = catalog_with()
    same, layout, text, desc, gone = (
        doc("Same"),
        doc("Layout"),
        doc("Text"),
        doc("Desc"),
        doc("Gone"),
    )
    catalog = catalog_with(
        live_of(same, base, "s"),
        live_of(layout, base, "l"),
        live_of(doc("Text", text="old"), base, "t"),
        live_of(desc, base, "d", description="old words", tags={"flowops:release": "3"}),
        live_of(gone, base, "g"),
        RemoteFlow("module", "L", f"{INST}/flow-module/L", LEDGER_NAME, "MODULE"),
    )
    desired = {
        "flow:Same": same,
        "flow:Layout": doc("Layout", x=500),
        "flow:Text": text,
        "flow:Desc": desc,
        "flow:New": doc("New"),
    }
    plan = compute_plan(env(), desired, catalog)
    actions = {s.key: (s.action, s.changes) for s in plan.steps}
    assert actions == {
        "flow:Same": ("unchanged", ()),
        "flow:Layout": ("unchanged", ()),  # layout alone never forces a write
        "flow:Text": ("update", ("content",)),
        "flow:Desc": ("update", ("description",)),  # flowops' own tags are not drift
        "flow:New": ("create", ("content",)),
        "flow:Gone": ("extra", ()),  # reported, never deleted; the ledger is not listed
    }
    assert {s.key for s in plan.changes} == {"flow:Text", "flow:Desc", "flow:New"}
    assert plan.to_dict()["summary"] == {"create": 1, "update": 2, "unchanged": 2, "extra": 1}


def test_saved_placeholder_left_by_an_interrupted_run_is_an_update() -> None:
    d = doc("A")
    catalog = catalog_with(live_of(d, catalog_with(), "a", status="SAVED"))
    (step,) = compute_plan(env(), {"flow:A": d}, catalog).steps
    assert (step.action, step.changes) == ("update", ("status",))


def test_overrides_compare_in_environment_names() -> None:
    d = doc("A")
    overridden = {"queue": {"Support": "Support-EU"}}
    live_content, _ = resolve(d.flow.raw, catalog_with(), overridden)
    live = RemoteFlow(
        "flow", "a", f"{INST}/contact-flow/a", "A", "CONTACT_FLOW", content=json.dumps(live_content)
    )
    plan = compute_plan(env(overrides=overridden), {"flow:A": d}, catalog_with(live))
    assert plan.steps[0].action == "unchanged"
    plan = compute_plan(env(), {"flow:A": d}, catalog_with(live))
    assert plan.steps[0].action == "update"  # without the override, the queue differs
    # A flow naming the override's target directly is at its place: reversing the
    # override would call the live queue "Support" and see a change that is not there.
    direct = doc("B", queue="queue:Support-EU")
    live_b = live_of(direct, catalog_with(), "b")
    plan = compute_plan(env(overrides=overridden), {"flow:B": direct}, catalog_with(live_b))
    assert plan.steps[0].action == "unchanged"


def test_plan_renders_as_text_json_and_markdown() -> None:
    live = live_of(doc("Old", text="x"), catalog_with(), "o")
    desired = {"flow:Old": doc("Old"), "flow:Nouveau/日本": doc("Nouveau/日本")}
    plan = compute_plan(env(), desired, catalog_with(live), ref="HEAD", commit="a" * 40)
    text = render_plan(plan, "text")
    assert text.startswith("Plan for staging at HEAD (aaaaaaaaaaaa): 1 to create, 1 to update")
    lines = text.splitlines()
    header = next(line for line in lines if "action" in line)
    rows = [line for line in lines if line.startswith(("+", "~"))]
    column = cell_len(header[: header.index("action")])
    assert all(
        cell_len(r[: r.index("create" if r[0] == "+" else "update")]) == column for r in rows
    )
    markdown = render_plan(plan, "markdown")
    assert markdown.startswith("### flowops plan for `staging` at HEAD")
    assert "| ~ | flow:Old | update | content |" in markdown
    assert "| + | flow:Nouveau/日本 | create |" in markdown
    data = json.loads(render_plan(plan, "json"))
    assert data["summary"] == {"create": 1, "update": 1, "unchanged": 0, "extra": 0}
    assert [s["action"] for s in data["steps"]] == ["update", "create"] or [
        s["action"] for s in data["steps"]
    ] == ["create", "update"]


def test_order_puts_targets_first_and_marks_cycles() -> None:
    desired = {
        "flow:Entry": doc("Entry", transfer="flow:A"),
        "flow:A": doc("A", transfer="flow:B"),
        "flow:B": doc("B", transfer="flow:A"),
        "flow:Leaf": doc("Leaf"),
    }
    plan = compute_plan(env(), desired, catalog_with())
    order = [s.key for s in plan.steps]
    assert order.index("flow:A") < order.index("flow:Entry")
    assert order.index("flow:B") < order.index("flow:Entry")
    cycles = {s.key for s in plan.steps if s.cycle}
    assert cycles == {"flow:A", "flow:B"}
    entry = next(s for s in plan.steps if s.key == "flow:Entry")
    assert entry.depends_on == ("flow:A",)


def test_every_unresolvable_reference_is_listed_at_once() -> None:
    desired = {
        "flow:A": doc("A", queue="queue:Nope", transfer="flow:Missing"),
        "flow:B": doc("B", queue="queue:Also Missing", transfer="flow:A"),
    }
    with pytest.raises(PreflightError) as info:
        compute_plan(env(), desired, catalog_with())
    assert [(p.key, p.check, p.message.split(" (")[0]) for p in info.value.problems] == [
        ("flow:A", "reference", "queue 'Nope'"),
        ("flow:A", "reference", "flow 'Missing'"),
        ("flow:B", "reference", "queue 'Also Missing'"),
    ]
    assert info.value.exit_code == 1


def test_unmanaged_flows_are_ignored_and_type_changes_and_reserved_names_refused() -> None:
    plan = compute_plan(
        env(managed_names=("Team-*",)), {"flow:Other": doc("Other")}, catalog_with()
    )
    assert plan.steps == () and plan.ignored == ("flow:Other",)
    d = doc("A")
    live = live_of(d, catalog_with(), "a", type="CUSTOMER_QUEUE")
    with pytest.raises(PreflightError, match="Connect cannot change a type"):
        compute_plan(env(), {"flow:A": d}, catalog_with(live))
    with pytest.raises(BadInputError, match="reserved"):
        compute_plan(env(), {f"module:{LEDGER_NAME}": doc(LEDGER_NAME)}, catalog_with())
