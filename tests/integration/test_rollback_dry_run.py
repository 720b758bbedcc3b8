"""A rollback's dry run is the executor itself, run with a recording client (#12).

What ``rollback --dry-run`` lists is compared with the write calls the real rollback then
sends to the sandbox, through real boto3.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flowops.cli.main import app
from flowops.deploy.rollback import rollback
from flowops.sandbox import SandboxServer
from tests.support import WRITE_PREFIXES, sandbox_environment_file
from tests.support.flows import say_then_transfer
from tests.support.scenarios import V2, Released, live, rb_client, release

pytestmark = pytest.mark.integration


def aliased(sandbox: SandboxServer, reader_flows: dict[str, str]) -> None:
    """Give every RB flow an entry alias at its latest version (as an aliased env has)."""
    client = rb_client(sandbox)
    for flow_id in reader_flows.values():
        latest = client.list_versions("flow", flow_id)[-1].version
        client.create_alias("flow", flow_id, "live", latest)


@pytest.mark.parametrize(
    "case", ["content", "aliases", "to-release-archive-new"], ids=lambda c: str(c)
)
def test_the_dry_run_lists_exactly_the_writes_the_rollback_then_makes(
    released: Released, case: str
) -> None:
    sandbox, reader, repo, _, second = released
    to_release, archive_new = None, False
    if case == "to-release-archive-new":  # a third release creating a flow
        release(repo, reader, {**V2, "RB Delta": say_then_transfer("delta")})
        to_release, archive_new = "1", True
    if case == "aliases":
        ids = {f.name: f.id for f in reader.catalog().flows.values() if f.name[:3] == "RB "}
        aliased(sandbox, ids)
    client = rb_client(sandbox, use_aliases=case == "aliases")
    before = live(reader)

    dry = rollback(client, dry_run=True, to_release=to_release, archive_new=archive_new)
    assert dry.dry_run and dry.planned_calls
    assert live(reader) == before  # the dry run wrote nothing

    sent: list[str] = []
    client.on_request = sent.append
    done = rollback(client, to_release=to_release, archive_new=archive_new)
    assert done.ok and done.release_id is not None
    writes = [op for op in sent if op.startswith(WRITE_PREFIXES)]
    # The lock and the "running" record first, the final record and the unlock last.
    assert writes[:2] == ["CreateContactFlowModule", "UpdateContactFlowModuleContent"]
    assert writes[-2:] == ["UpdateContactFlowModuleContent", "DeleteContactFlowModule"]
    assert writes[2:-2] == [call.split(" (")[0] for call, _ in dry.planned_calls]
    # Per flow, in the executor's order: the flows the rollback then changed.
    flows = list(dict.fromkeys(key for _, key in dry.planned_calls))
    assert flows == [o.step.key for o in done.outcomes if o.result != "left"]
    expected = {
        "content": {"UpdateContactFlowContent", "CreateContactFlowVersion"},
        "aliases": {"UpdateContactFlowAlias"},
        "to-release-archive-new": {
            "UpdateContactFlowContent",
            "CreateContactFlowVersion",
            "UpdateContactFlowMetadata",
        },
    }[case]
    assert {call.split(" (")[0] for call, _ in dry.planned_calls} == expected
    if case != "aliases":
        assert live(reader) != second


def test_the_cli_dry_run_shows_the_calls_in_text_and_json(
    released: Released, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox, reader, _, _, second = released
    sandbox_environment_file(tmp_path / "environments", sandbox.url, managed={"names": ["RB *"]})
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    text = runner.invoke(app, ["rollback", "--env", "dev", "--dry-run"])
    assert text.exit_code == 0, text.output
    assert "Write calls a rollback of dev would make (in order):" in text.stdout
    as_json = runner.invoke(app, ["rollback", "--env", "dev", "--dry-run", "-f", "json"])
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.stdout)
    calls = [(c["call"], c["flow"]) for c in data["planned_calls"]]
    flows = {f["flow"] for f in data["flows"] if f["action"] == "restore"}
    assert flows and {f for _, f in calls} == flows
    assert [c for c, _ in calls].count("CreateContactFlowVersion (release)") == len(flows)
    assert [c for c, _ in calls].count("UpdateContactFlowContent") == len(flows)
    for call, flow in calls:
        assert f"  {call:<48} {flow}" in text.stdout
    assert live(reader) == second
