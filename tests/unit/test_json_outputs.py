"""Every JSON output says its schema, and docs/json.md documents each one."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from flowops.cli.main import app
from flowops.diff.render_json import SCHEMA_ID
from flowops.schemas import SCHEMAS

ROOT = Path(__file__).resolve().parents[2]
FLOW = ROOT / "tests" / "fixtures" / "flows" / "menu.json"


def test_docs_name_every_schema() -> None:
    page = (ROOT / "docs" / "json.md").read_text(encoding="utf-8")
    for schema in SCHEMAS.values():
        assert f"`{schema}`" in page, schema
    assert SCHEMAS["diff"] == SCHEMA_ID


def test_file_commands_stamp_their_json(tmp_path: Path) -> None:
    runner = CliRunner()
    lint = runner.invoke(app, ["lint", str(FLOW), "--format", "json", "--fail-on", "info"])
    assert json.loads(lint.stdout)["schema"] == SCHEMAS["lint"]
    graph = runner.invoke(app, ["graph", str(FLOW), "--format", "json"])
    assert graph.exit_code == 0 and json.loads(graph.stdout)["schema"] == SCHEMAS["graph"]
    diff = runner.invoke(app, ["diff", str(FLOW), str(FLOW), "--format", "json"])
    assert diff.exit_code == 0 and json.loads(diff.stdout)["schema"] == SCHEMAS["diff"]
    seeded = runner.invoke(app, ["sandbox", "seed", "--db", str(tmp_path / "s.db")])
    assert seeded.exit_code == 0 and json.loads(seeded.stdout)["schema"] == SCHEMAS["sandbox-seed"]
