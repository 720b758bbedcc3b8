"""The flow dimensions beyond the flow itself, through real boto3 against the sandbox:
module invoked, next flow, queue reached (``FLOWS_MODULE_RESOURCE_ID``,
``FLOWS_NEXT_RESOURCE_ID``, ``FLOWS_NEXT_RESOURCE_QUEUE_ID``) with the model's per-metric
rules; ``RESOURCE_PUBLISHED_TIMESTAMP`` splitting a release by the version that ran;
``flowops measure`` reading contacts per queue."""

from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from typer.testing import CliRunner

from flowops.cli.main import app
from flowops.connect import ConnectClient
from flowops.deploy.canary import promote_canary, start_canary
from flowops.deploy.measure import measure, measure_release
from flowops.deploy.releases import read_ledger
from flowops.sandbox import SandboxServer
from flowops.sandbox.config import FaultRule
from flowops.sandbox.store.metrics import FlowRun, MetricTables
from tests.support import sandbox_environment_file
from tests.support.clients import ClientFactory, client_for
from tests.support.scenarios import MAIN, dropping_candidate_doc

pytestmark = pytest.mark.integration

SUCCESS_YAML = {"defaults": {"min_contacts": 60, "outcomes": {"DROPPED": {"at_most": 5}}}}


def _arn(client: ConnectClient, kind: str, name: str) -> str:
    flow = client.find_by_name(kind, name)  # type: ignore[arg-type]
    assert flow is not None, name
    return flow.arn


def _values(out: dict[str, Any], key: str) -> dict[str, float]:
    """dimension value of ``key`` -> the first metric's value, per result row."""
    return {r["Dimensions"][key]: r["Collections"][0]["Value"] for r in out["MetricResults"]}


def test_module_next_flow_and_queue_dimensions(
    seeded_sandbox: SandboxServer, connect_client: ClientFactory
) -> None:
    client = client_for(seeded_sandbox)
    sent = seeded_sandbox.traffic(client.instance_id, MAIN, 300, seed=11)
    main = sent["flows"][MAIN]
    main_arn = _arn(client, "flow", MAIN)
    boto = connect_client()
    queues = {
        q["Name"]: q["Arn"]
        for q in boto.list_queues(InstanceId=client.instance_id)["QueueSummaryList"]
    }
    now = time.time()
    common: dict[str, Any] = {
        "ResourceArn": client.instance_arn,
        "StartTime": now - 3600,
        "EndTime": now,
        "Filters": [{"FilterKey": "FLOWS_RESOURCE_ID", "FilterValues": [main_arn]}],
    }
    outcome = [{"Name": "FLOWS_OUTCOME"}]

    # The queue each contact was put in: every TRANSFERRED_TO_QUEUE run has one.
    per_queue = _values(
        boto.get_metric_data_v2(
            **common, Groupings=["FLOWS_NEXT_RESOURCE_QUEUE_ID"], Metrics=outcome
        ),
        "FLOWS_NEXT_RESOURCE_QUEUE_ID",
    )
    assert set(per_queue) <= {queues["Sales"], queues["Support"]} and len(per_queue) == 2
    assert sum(per_queue.values()) == main["TRANSFERRED_TO_QUEUE"]
    sales_id = queues["Sales"].rsplit("/", 1)[-1]
    (only_sales,) = boto.get_metric_data_v2(
        **{
            **common,
            "Filters": [
                *common["Filters"],
                {"FilterKey": "FLOWS_NEXT_RESOURCE_QUEUE_ID", "FilterValues": [sales_id]},
            ],
        },
        Metrics=outcome,
    )["MetricResults"]
    assert only_sales["Collections"][0]["Value"] == per_queue[queues["Sales"]]

    # The flow each contact was transferred to.
    per_next = _values(
        boto.get_metric_data_v2(**common, Groupings=["FLOWS_NEXT_RESOURCE_ID"], Metrics=outcome),
        "FLOWS_NEXT_RESOURCE_ID",
    )
    targets = {_arn(client, "flow", n) for n in ("Billing Self Service", "After Hours")}
    assert set(per_next) <= targets and per_next
    assert sum(per_next.values()) == main["TRANSFERRED_TO_FLOW"]

    # The module Main Inbound invokes: one module run per contact.
    module_arn = _arn(client, "module", "Authenticate Caller")
    per_module = _values(
        boto.get_metric_data_v2(
            **common,
            Groupings=["FLOWS_MODULE_RESOURCE_ID"],
            Metrics=[{"Name": "FLOWS_STARTED"}, {"Name": "AVG_FLOW_TIME"}],
        ),
        "FLOWS_MODULE_RESOURCE_ID",
    )
    assert per_module == {module_arn: sum(main.values())}

    # Which keys a metric accepts, as botocore's model documents them.
    def refused(**params: Any) -> str:
        with pytest.raises(ClientError) as caught:
            boto.get_metric_data_v2(**{**common, **params})
        assert caught.value.response["Error"]["Code"] == "InvalidParameterException"
        return str(caught.value)

    assert "not a valid grouping for metric FLOWS_STARTED" in refused(
        Groupings=["FLOWS_NEXT_RESOURCE_QUEUE_ID"], Metrics=[{"Name": "FLOWS_STARTED"}]
    )
    assert "not a valid filter for metric FLOWS_STARTED" in refused(
        Filters=[{"FilterKey": "FLOWS_OUTCOME_TYPE", "FilterValues": ["DROPPED"]}],
        Metrics=[{"Name": "FLOWS_STARTED"}],
    )


def test_release_split_by_the_version_that_ran(seeded_sandbox: SandboxServer) -> None:
    client = client_for(seeded_sandbox)
    start_canary(client, MAIN, dropping_candidate_doc(), 50)
    sent_before = time.monotonic()
    seeded_sandbox.traffic(client.instance_id, MAIN, 60, seed=21)  # the wrapper's version
    time.sleep(1.1)  # release times are to the second
    promoted = promote_canary(client, MAIN)
    (record,) = [r for r in read_ledger(client) if r.id == promoted.release_id]
    when = datetime.fromisoformat(record.when).timestamp()
    time.sleep(time.monotonic() - sent_before + 1.1)  # the before window reaches the wrapper
    seeded_sandbox.traffic(client.instance_id, MAIN, 50, seed=22)
    # Contacts the released version handled, stamped before the release's recorded time
    # (it is to the second): a time split would count them "before".
    seeded_sandbox.traffic(client.instance_id, MAIN, 30, seed=23, at=when - 0.01)
    m = measure_release(client, MAIN)
    assert m.base.outcomes == {"TRANSFERRED_TO_FLOW": 60}  # only the wrapper's contacts
    assert m.new.contacts == 50 and "TRANSFERRED_TO_FLOW" not in m.new.outcomes
    assert any(
        n.startswith("30 contacts in the before window ran another version") for n in m.notes
    )
    assert m.calls.get("GetMetricDataV2") == 2


def test_measure_reports_contacts_per_queue(
    seeded_sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox_environment_file(tmp_path / "environments", seeded_sandbox.url, success=SUCCESS_YAML)
    monkeypatch.chdir(tmp_path)
    client = client_for(seeded_sandbox)
    start_canary(client, MAIN, dropping_candidate_doc(), 50)
    seeded_sandbox.traffic(client.instance_id, MAIN, 200, seed=31)
    runner = CliRunner()
    out = runner.invoke(app, ["measure", "--env", "dev", "--format", "json"])
    assert out.exit_code == 1, out.output
    (row,) = json.loads(out.stdout)["measurements"]
    for side in ("base", "new"):
        queued = row[side]["queues"]
        assert queued and all(arn.startswith(client.instance_arn) for arn in queued)
        assert sum(queued.values()) == row[side]["outcomes"].get("TRANSFERRED_TO_QUEUE", 0)
    assert row["calls"].get("GetMetricDataV2") == 2
    text = runner.invoke(app, ["measure", "--env", "dev"])
    assert "candidate per queue:" in text.output and "stable per queue:" in text.output


def test_an_older_flow_runs_table_gains_the_new_columns(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = MetricTables(str(path))
    old.run(
        "CREATE TABLE flow_runs (seq INTEGER PRIMARY KEY AUTOINCREMENT, instance_id TEXT NOT"
        " NULL, contact_id TEXT NOT NULL, flow_arn TEXT NOT NULL, flow_type TEXT NOT NULL,"
        " version INTEGER NOT NULL, published REAL NOT NULL, started REAL NOT NULL, duration"
        " REAL NOT NULL, outcome TEXT NOT NULL, channel TEXT NOT NULL)"
    )
    old.run(
        "INSERT INTO flow_runs (instance_id, contact_id, flow_arn, flow_type, version,"
        " published, started, duration, outcome, channel) VALUES"
        " ('i', 'c', 'arn:f', 'CONTACT_FLOW', 1, 1.0, 5.0, 2.0, 'DROPPED', 'VOICE')"
    )
    new = MetricTables(str(path))
    new.add_flow_runs(
        [
            FlowRun(
                "i",
                "d",
                "arn:f",
                "CONTACT_FLOW",
                1,
                1.0,
                6.0,
                1.0,
                "X",
                "VOICE",
                next_queue="arn:q",
            )
        ]
    )
    first, second = new.flow_runs("i", 0, 10)
    assert first.resource_type == "flow" and first.next_queue == "" and first.outcome == "DROPPED"
    assert second.next_queue == "arn:q"


def test_measure_goes_on_when_connect_refuses_the_queue_grouping(
    seeded_sandbox: SandboxServer,
) -> None:
    client = client_for(seeded_sandbox)
    start_canary(client, MAIN, dropping_candidate_doc(), 50)
    seeded_sandbox.traffic(client.instance_id, MAIN, 100, seed=41)
    seeded_sandbox.config.faults.append(
        FaultRule(
            operation="GetMetricDataV2",
            error_code="InvalidParameterException",
            fail_nth=2,  # the second request: contacts per queue
            message="FLOWS_NEXT_RESOURCE_QUEUE_ID is not a valid grouping",
        )
    )
    (m,) = measure(client, MAIN)
    assert m.base.contacts + m.new.contacts == 100
    assert m.base.queues == {} and m.new.queues == {}
    assert any(n.startswith("contacts per queue unavailable") for n in m.notes)
