"""Plan, promote and export while a canary runs: refuse to change it, skip its helpers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from flowops.deploy.canary import start_canary
from flowops.deploy.canary_wrapper import helper_name
from flowops.deploy.export import export_env
from flowops.deploy.promote import promote
from flowops.errors import BadInputError
from flowops.model import FlowDocument, FlowInfo, parse_content
from flowops.model.canonical import semantic_content
from flowops.model.parse import load_document
from flowops.sandbox import SandboxServer
from tests.support.clients import client_for
from tests.support.flows import say_then_transfer
from tests.support.repos import FlowRepo
from tests.support.scenarios import (
    MAIN,
    V1,
    V2,
    canary_workspace,
    candidate_doc,
    rb_client,
    release,
    write_calls,
)

pytestmark = pytest.mark.integration


def test_plan_refuses_to_change_a_flow_under_canary_and_skips_its_helpers(
    seeded_sandbox: SandboxServer, tmp_path: Path
) -> None:
    client = rb_client(seeded_sandbox)
    repo = FlowRepo(tmp_path / "repo")
    release(repo, client, V1)
    candidate = FlowDocument(FlowInfo(name="RB Beta"), parse_content(V2["RB Beta"]))
    start_canary(client, "RB Beta", candidate, 10, ref="feature-x")
    client.refresh_flows()

    # Changing the flow under canary: refused, naming flow and canary, nothing written.
    sha = repo.commit(V2, "release 2")
    before = dict(client.calls)
    with pytest.raises(BadInputError) as refused:
        promote(client.env, sha, repo.root, client=client, tag=False)
    message = str(refused.value)
    assert "'RB Beta' is running a canary" in message and "10% to feature-x" in message
    assert '`flowops canary promote --env dev --flow "RB Beta"`' in message
    assert '`flowops canary abort --env dev --flow "RB Beta"`' in message
    assert "nothing was written" in message
    assert write_calls(dict(client.calls)) == write_calls(before)

    # Git equal to the stable variant is no change: other flows still promote.
    others = {**V1, "RB Alpha": say_then_transfer("alpha while canary", "RB Beta")}
    sha = repo.commit(others, "alpha only")
    result = promote(client.env, sha, repo.root, client=client, tag=False)
    plan = result.plan
    assert [s.key for s in plan.changes] == ["flow:RB Alpha"]
    assert [s.key for s in plan.by_action("unchanged")] == ["flow:RB Beta", "flow:RB Gamma"]
    assert plan.by_action("extra") == []  # the helpers are not "live flows not in git"


def test_export_writes_the_stable_variant_and_no_helper_files(
    seeded_sandbox: SandboxServer, tmp_path: Path
) -> None:
    client = rb_client(seeded_sandbox)
    repo = FlowRepo(tmp_path / "repo")
    release(repo, client, V1)
    candidate = FlowDocument(FlowInfo(name="RB Beta"), parse_content(V2["RB Beta"]))
    start_canary(client, "RB Beta", candidate, 30)

    out = tmp_path / "export"
    result = export_env(client.env, out, client=rb_client(seeded_sandbox))
    assert sorted(p.name for p in out.rglob("*.json")) == [
        "RB-Alpha.json",
        "RB-Beta.json",
        "RB-Gamma.json",
    ]
    beta = load_document(out / "RB-Beta.json")
    assert beta.info.name == "RB Beta"
    assert semantic_content(beta.flow) == semantic_content(parse_content(V1["RB Beta"]))
    (warning,) = [w for w in result.warnings if "canary" in w]
    assert "RB Beta: runs a canary (30%" in warning and "stable variant" in warning

    # Without a readable stable variant the flow is skipped and its file kept as is.
    text = (out / "RB-Beta.json").read_text()
    stable = client.catalog().flow("flow", helper_name("RB Beta", "stable"))
    assert stable is not None
    client.delete("flow", stable.id)
    again = export_env(client.env, out, client=rb_client(seeded_sandbox))
    assert (out / "RB-Beta.json").read_text() == text
    assert "flow:RB Beta" not in again.removed + again.changed
    assert any("cannot be read; skipped" in w for w in again.warnings)


def test_cli_plan_and_promote_refuse_then_history_shows_the_canary_promote(
    seeded_sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from flowops.cli.main import app

    canary_workspace(tmp_path, seeded_sandbox)  # flows/ holds the candidate content of MAIN
    monkeypatch.chdir(tmp_path)
    start_canary(client_for(seeded_sandbox), MAIN, candidate_doc(), 15)
    runner = CliRunner()
    for args in (["plan", "--env", "dev"], ["promote", "--to", "dev", "--yes"]):
        refused = runner.invoke(app, args)
        assert refused.exit_code == 2, refused.output
        assert f"flow '{MAIN}' is running a canary in 'dev' (15%" in refused.output
        assert "flowops canary promote" in refused.output and "Traceback" not in refused.output
    done = runner.invoke(app, ["canary", "promote", "--env", "dev", "--yes"])
    assert done.exit_code == 0, done.output
    shown = runner.invoke(app, ["history", "--env", "dev"])
    assert shown.exit_code == 0, shown.output
    assert re.search(r"^2\s+canary-promote\s", shown.output, re.M), shown.output
    assert re.search(r"^1\s+canary-start\s", shown.output, re.M), shown.output
