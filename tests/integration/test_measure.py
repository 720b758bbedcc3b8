"""Measuring results through real boto3 against the sandbox: GetMetricDataV2 over
simulated traffic, ``flowops measure`` on a canary (enough and too little traffic) and on a
release, bad criteria."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from typer.testing import CliRunner

from flowops.cli.main import app
from flowops.config import Bound, Criteria
from flowops.deploy.canary import canary_status, promote_canary, start_canary
from flowops.deploy.measure import measure_canary, measure_release
from flowops.sandbox import SandboxServer
from tests.support import sandbox_environment_file
from tests.support.clients import ClientFactory, client_for
from tests.support.scenarios import MAIN, dropping_candidate_doc

pytestmark = pytest.mark.integration

DROPS = {"*": Criteria("$.success.defaults", min_contacts=60, outcomes=(Bound("DROPPED", 5),))}
SUCCESS_YAML = {"defaults": {"min_contacts": 60, "outcomes": {"DROPPED": {"at_most": 5}}}}


def started_canary(sandbox: SandboxServer, percent: int = 50) -> Any:
    client = client_for(sandbox, success=DROPS)
    start_canary(client, MAIN, dropping_candidate_doc(), percent)
    return client


def test_get_metric_data_v2_counts_the_contacts_the_sandbox_ran(
    seeded_sandbox: SandboxServer, connect_client: ClientFactory
) -> None:
    client = started_canary(seeded_sandbox)
    status = canary_status(client, MAIN)
    assert status.stable is not None and status.candidate is not None
    sent = seeded_sandbox.traffic(client.instance_id, MAIN, 200, seed=7)
    assert sent["contacts"] == 200 and sent["incomplete"] == 0
    # The wrapper hands every contact to a variant; the split is a 1-100 draw per contact.
    assert sent["flows"][MAIN] == {"TRANSFERRED_TO_FLOW": 200}
    cand = sent["flows"][status.candidate.name]
    stable = sent["flows"][status.stable.name]
    assert 70 <= sum(cand.values()) <= 130 and sum(cand.values()) + sum(stable.values()) == 200

    boto = connect_client()
    now = time.time()
    common: dict[str, Any] = {
        "ResourceArn": client.instance_arn,
        "StartTime": now - 3600,
        "EndTime": now,
        "Filters": [{"FilterKey": "FLOW_TYPE", "FilterValues": ["CONTACT_FLOW"]}],
    }
    out = boto.get_metric_data_v2(
        **{
            **common,
            "Filters": [{"FilterKey": "FLOWS_RESOURCE_ID", "FilterValues": [status.candidate.arn]}],
        },
        Groupings=["FLOWS_RESOURCE_ID"],
        Metrics=[
            {"Name": "FLOWS_STARTED"},
            {
                "Name": "PERCENT_FLOWS_OUTCOME",
                "MetricFilters": [
                    {"MetricFilterKey": "FLOWS_OUTCOME_TYPE", "MetricFilterValues": ["DROPPED"]}
                ],
            },
            {"Name": "AVG_FLOW_TIME"},
            {"Name": "MAX_FLOW_TIME"},
        ],
    )
    (row,) = out["MetricResults"]
    assert row["Dimensions"] == {"FLOWS_RESOURCE_ID": status.candidate.arn}
    assert row["MetricInterval"]["Interval"] == "TOTAL"
    values = {c["Metric"]["Name"]: c["Value"] for c in row["Collections"]}
    total = sum(cand.values())
    assert values["FLOWS_STARTED"] == total
    assert values["PERCENT_FLOWS_OUTCOME"] == round(100 * cand["DROPPED"] / total, 2)
    assert 0 < values["AVG_FLOW_TIME"] <= values["MAX_FLOW_TIME"]

    grouped = boto.get_metric_data_v2(
        **common,
        Groupings=["FLOWS_RESOURCE_ID", "FLOWS_OUTCOME_TYPE"],
        Metrics=[{"Name": "FLOWS_OUTCOME"}],
        MaxResults=2,
    )
    assert len(grouped["MetricResults"]) == 2 and grouped["NextToken"]

    def rejected(**params: Any) -> str:
        with pytest.raises(ClientError) as caught:
            boto.get_metric_data_v2(**{**common, "Metrics": [{"Name": "FLOWS_STARTED"}], **params})
        assert caught.value.response["Error"]["Code"] == "InvalidParameterException"
        return str(caught.value)

    assert "PERCENT_FLOWS_OUTCOME needs" in rejected(Metrics=[{"Name": "PERCENT_FLOWS_OUTCOME"}])
    assert "not CONTACTS_HANDLED" in rejected(Metrics=[{"Name": "CONTACTS_HANDLED"}])
    assert "before EndTime" in rejected(StartTime=now, EndTime=now - 60)
    assert "later than the current" in rejected(EndTime=now + 3600)
    assert "less than 3 days" in rejected(
        StartTime=now - 4 * 86400, Interval={"IntervalPeriod": "HOUR"}
    )
    assert "Grouping QUEUE" in rejected(Groupings=["QUEUE"])
    hourly = boto.get_metric_data_v2(
        **common, Interval={"IntervalPeriod": "HOUR"}, Metrics=[{"Name": "FLOWS_STARTED"}]
    )
    runs = sum(sum(outcomes.values()) for outcomes in sent["flows"].values())
    assert sum(r["Collections"][0]["Value"] for r in hourly["MetricResults"]) == runs


def test_canary_with_enough_traffic_breaches_and_shows_the_difference(
    seeded_sandbox: SandboxServer,
) -> None:
    client = started_canary(seeded_sandbox)
    seeded_sandbox.traffic(client.instance_id, MAIN, 400, seed=1)
    m = measure_canary(client, MAIN)
    assert m.base.contacts + m.new.contacts == 400
    assert m.base.contacts >= 60 and m.new.contacts >= 60
    assert m.new.share("DROPPED") and m.new.share("DROPPED") > 20  # type: ignore[operator]
    assert m.base.outcomes.get("DROPPED", 0) == 0
    dropped = next(d for d in m.differences if d.outcome == "DROPPED")
    assert dropped.significant and dropped.test is not None and dropped.test.low > 0
    (check,) = m.checks
    assert check.status == "fail" and m.verdict == "fail"
    assert m.reasons() == [f"DROPPED at most 5%: {check.detail}"]
    assert m.calls.get("GetMetricDataV2") == 1


def test_canary_with_too_little_traffic_is_not_judged(seeded_sandbox: SandboxServer) -> None:
    client = started_canary(seeded_sandbox)
    seeded_sandbox.traffic(client.instance_id, MAIN, 20, seed=2)
    m = measure_canary(client, MAIN)
    assert m.new.contacts < 60 and m.verdict == "insufficient"
    assert all(c.status == "insufficient" for c in m.checks)
    assert any("not conclusive" in n for n in m.notes)


def test_measure_cli_formats_and_exit_codes(
    seeded_sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox_environment_file(tmp_path / "environments", seeded_sandbox.url, success=SUCCESS_YAML)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    none = runner.invoke(app, ["measure", "--env", "dev"])
    assert none.exit_code == 2 and "no canary is running" in none.output
    client = started_canary(seeded_sandbox)
    seeded_sandbox.traffic(client.instance_id, MAIN, 10, seed=4)
    early = runner.invoke(app, ["measure", "--env", "dev", "--format", "json"])
    assert early.exit_code == 0, early.output
    data = json.loads(early.stdout)
    assert data["schema"] == "flowops-measure/1"
    (row,) = data["measurements"]
    assert row["verdict"] == "insufficient" and row["kind"] == "canary" and row["percent"] == 50
    seeded_sandbox.traffic(client.instance_id, MAIN, 400, seed=5)
    text = runner.invoke(app, ["measure", "--env", "dev", "--flow", MAIN])
    assert text.exit_code == 1, text.output
    assert "verdict: fail" in text.output and "[fail] DROPPED at most 5%" in text.output
    md = runner.invoke(app, ["measure", "--env", "dev", "--format", "markdown"])
    assert md.exit_code == 1 and "**Verdict: fail**" in md.stdout and "█" in md.stdout


def test_bad_criteria_exit_2_naming_file_and_field(
    seeded_sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = {"defaults": {"outcomes": {"DROPPED": {"at_most": 120}}}}
    path = sandbox_environment_file(tmp_path / "environments", seeded_sandbox.url, success=bad)
    monkeypatch.chdir(tmp_path)
    out = CliRunner().invoke(app, ["measure", "--env", "dev"])
    assert out.exit_code == 2
    assert "dev.yaml" in out.output and "$.success.defaults.outcomes.DROPPED.at_most" in out.output
    assert str(path.name) in out.output


def test_release_measured_before_and_after(seeded_sandbox: SandboxServer) -> None:
    client = started_canary(seeded_sandbox)
    sent_before = time.monotonic()
    seeded_sandbox.traffic(client.instance_id, MAIN, 80, seed=6)
    time.sleep(1.1)  # release times are to the second
    promoted = promote_canary(client, MAIN)
    # Both windows are as wide as the time since the release (recorded when it ends): wait
    # longer than the traffic before it is old, however long the promote took under load.
    time.sleep(time.monotonic() - sent_before + 1.1)
    seeded_sandbox.traffic(client.instance_id, MAIN, 80, seed=7)
    m = measure_release(client, MAIN)
    assert m.kind == "release" and m.release_id == promoted.release_id
    assert m.base.role == "before" and m.new.role == "after"
    assert m.base.outcomes == {"TRANSFERRED_TO_FLOW": 80}  # the wrapper, before
    assert m.new.contacts == 80 and "TRANSFERRED_TO_FLOW" not in m.new.outcomes
    assert m.verdict == "fail"  # the dropping candidate went live
