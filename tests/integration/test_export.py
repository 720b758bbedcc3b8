"""Export against the sandbox: canonical account-free files, no clobbering of local edits,
commits naming the flows, removals, filters, and the CLI's exit codes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flowops.cli.main import app
from flowops.connect import ConnectClient
from flowops.deploy.export import LocalChangesError, export_env
from flowops.errors import BadInputError
from flowops.model.parse import load_document
from flowops.sandbox import SandboxServer
from tests.support import DEV, git_repo, sandbox_environment_file
from tests.support.clients import environment
from tests.support.repos import files_under


def test_export_writes_canonical_account_free_files_and_is_stable(
    seeded_sandbox: SandboxServer, tmp_path: Path
) -> None:
    dev = environment(seeded_sandbox, "dev", DEV)
    client = ConnectClient.for_environment(dev)
    root = tmp_path / "flows"
    seen: list[tuple[int, int, str]] = []
    result = export_env(dev, root, client=client, progress=lambda *step: seen.append(step))
    files = files_under(root)
    reading = [what for done, total, what in seen if total == 0]
    assert any("SearchContactFlows" in what for what in reading)  # progress while reading
    assert [(d, t) for d, t, _ in seen if t] == [(i, 10) for i in range(1, 11)]
    assert client.on_request is None
    assert len(result.added) == 10 and not result.changed and not result.removed
    assert "modules/Log-Interaction.json" in files and "Main-Inbound.json" in files
    text = "".join(files.values())
    assert DEV not in text and "arn:aws" not in text
    main = load_document(root / "Main-Inbound.json")
    assert main.info.name == "Main Inbound" and main.info.kind == "flow"
    refs = json.dumps(main.flow.raw)
    assert "module:Authenticate Caller" in refs and "queue:Support" in refs
    # the ceil(n/100) bulk reads, plus one paginated list per catalog kind
    assert result.calls["SearchContactFlows"] == 1
    assert result.calls["SearchContactFlowModules"] == 1
    assert "DescribeContactFlow" not in result.calls
    again = export_env(dev, root, client=client)
    assert again.touched == () and len(again.unchanged) == 10
    assert files_under(root) == files


def test_export_refuses_to_clobber_uncommitted_edits_unless_forced(
    seeded_sandbox: SandboxServer, tmp_path: Path
) -> None:
    dev = environment(seeded_sandbox, "dev", DEV)
    client = ConnectClient.for_environment(dev)
    repo = git_repo(tmp_path, "Test")
    (tmp_path / "notes.txt").write_text("not a flow")
    repo.index.add(["notes.txt"])
    with pytest.raises(BadInputError, match="notes.txt"):  # it would ride in the commit
        export_env(dev, tmp_path / "flows", commit=True, client=client)
    assert not (tmp_path / "flows").exists()  # nothing written
    repo.index.remove(["notes.txt"])
    first = export_env(dev, tmp_path / "flows", commit=True, client=client)
    assert first.commit is not None
    assert "notes.txt" not in repo.head.commit.stats.files
    message = repo.head.commit.message
    assert "flowops export dev" in message and "added: flow:Main Inbound" in message

    edited = tmp_path / "flows" / "After-Hours.json"
    edited.write_text(edited.read_text().replace("Plays the closed", "LOCAL EDIT"))
    stray = tmp_path / "flows" / "Customer-Hold.json"
    stray.write_text("{}")  # garbage in a tracked file is a local change too
    # Export would rewrite both files with the live content: both are listed.
    with pytest.raises(LocalChangesError) as info:
        export_env(dev, tmp_path / "flows", client=client)
    assert str(edited) in str(info.value) and str(stray) in str(info.value)
    assert info.value.exit_code == 2
    assert "LOCAL EDIT" in edited.read_text()  # nothing written

    forced = export_env(dev, tmp_path / "flows", force=True, client=client)
    assert set(forced.changed) == {"flow:After Hours", "flow:Customer Hold"}
    assert "LOCAL EDIT" not in edited.read_text()
    assert not repo.is_dirty()


def test_export_removes_flows_gone_from_the_environment_and_filters(
    seeded_sandbox: SandboxServer, tmp_path: Path
) -> None:
    dev = environment(seeded_sandbox, "dev", DEV)
    client = ConnectClient.for_environment(dev)
    repo = git_repo(tmp_path, "Test")
    export_env(dev, tmp_path / "flows", commit=True, client=client)
    (tmp_path / "flows" / "Old-Flow.json").write_text(
        (tmp_path / "flows" / "After-Hours.json")
        .read_text()
        .replace('"name": "After Hours"', '"name": "Old Flow"')
    )
    repo.index.add(["flows/Old-Flow.json"])
    repo.index.commit("a flow deleted from dev since")
    result = export_env(dev, tmp_path / "flows", commit=True, client=client)
    assert result.removed == ("flow:Old Flow",) and result.commit is not None
    assert not (tmp_path / "flows" / "Old-Flow.json").exists()
    assert "removed: flow:Old Flow" in str(repo.head.commit.message)

    only = export_env(
        dev, tmp_path / "only", flows=["Main Inbound", "Log Interaction"], client=client
    )
    assert set(only.added) == {"flow:Main Inbound", "module:Log Interaction"}
    with pytest.raises(BadInputError, match="No Such Flow"):
        export_env(dev, tmp_path / "only", flows=["No Such Flow"], client=client)


def test_cli_export_plan_promote_history_and_bad_input(
    seeded_sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = git_repo(tmp_path, "Test")
    monkeypatch.chdir(tmp_path)
    dev = sandbox_environment_file(tmp_path, seeded_sandbox.url)
    runner = CliRunner()
    out = runner.invoke(app, ["export", "--env", str(dev), "--flow", "Customer Queue", "--commit"])
    assert out.exit_code == 0, out.output
    assert "1 added" in out.output and str(repo.head.commit.message).startswith("flowops export")

    plan = runner.invoke(app, ["plan", "--env", str(dev), "--format", "json"])
    assert plan.exit_code == 0, plan.output
    data = json.loads(plan.stdout)
    assert data["summary"]["unchanged"] == 1 and data["summary"]["extra"] == 9

    (tmp_path / "flows" / "Customer-Queue.json").write_text(
        (tmp_path / "flows" / "Customer-Queue.json")
        .read_text()
        .replace('"state": "ACTIVE"', '"state": "INACTIVE"')
    )
    repo.index.add(["flows/Customer-Queue.json"])
    repo.index.commit("deactivate")
    dry = runner.invoke(app, ["promote", "--to", str(dev), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert ["~", "flow:Customer", "Queue", "update", "state"] in [
        line.split() for line in dry.stdout.splitlines()
    ]
    calls = [
        line.split()[0]
        for line in dry.stdout.splitlines()
        if line.startswith("  Create") or line.startswith("  Update")
    ]
    assert calls == [
        "CreateContactFlowVersion",
        "UpdateContactFlowMetadata",
        "CreateContactFlowVersion",
    ]
    repo.git.revert("--no-edit", "HEAD")

    promoted = runner.invoke(app, ["promote", "--to", str(dev), "--format", "markdown"])
    assert promoted.exit_code == 0 and "Nothing to change" in promoted.stdout

    hist = runner.invoke(app, ["history", "--env", str(dev), "--format", "json"])
    assert hist.exit_code == 0 and json.loads(hist.stdout)["releases"] == []

    assert runner.invoke(app, ["plan", "--env", "nowhere"]).exit_code == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    result = runner.invoke(app, ["promote", "--to", str(bad)])
    assert result.exit_code == 2 and "invalid YAML" in result.output
    (tmp_path / "flows" / "Broken.json").write_text("{not json")
    repo.index.add(["flows/Broken.json"])
    repo.index.commit("broken")
    broken = runner.invoke(app, ["promote", "--to", str(dev)])
    assert broken.exit_code == 2 and "Broken.json" in broken.output
