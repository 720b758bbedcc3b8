"""``flowops sandbox seed`` and ``flowops sandbox serve`` as a user runs them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flowops.cli.main import app
from flowops.sandbox.seed import instance_id_for
from tests.support import DEV
from tests.support.clients import make_client

pytestmark = pytest.mark.integration


def test_seed_command(tmp_path: Path) -> None:
    db = tmp_path / "seeded.db"
    result = CliRunner().invoke(app, ["sandbox", "seed", "--db", str(db)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["dev"]["instance_id"] == instance_id_for(DEV)
    assert summary["dev"]["flows"] >= 6
    again = CliRunner().invoke(app, ["sandbox", "seed", "--db", str(db)])
    assert json.loads(again.stdout)["dev"]["flows"] == 0


def test_serve_command(tmp_path: Path) -> None:
    db = tmp_path / "served.db"
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from flowops.cli.main import main; main()",
            "sandbox",
            "serve",
            "--port",
            "0",
            "--db",
            str(db),
            "--no-quotas",
            "--lag",
            "search=0.5",
        ],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env={**os.environ},
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+", line)
        assert match, line
        assert "lag search=0.5" in line
        client = make_client(match.group(0))
        flows = client.list_contact_flows(InstanceId=instance_id_for(DEV))
        assert flows["ContactFlowSummaryList"]
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serve_on_a_busy_port_is_a_clear_error() -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(
            app, ["sandbox", "serve", "--port", str(port), "--db", ":memory:", "--no-seed"]
        )
    assert result.exit_code == 2
    assert "cannot serve on 127.0.0.1" in result.output


def test_bad_database_or_port_is_a_one_line_error(tmp_path: Path) -> None:
    not_a_db = tmp_path / "notes.db"
    not_a_db.write_text("these are notes, not SQLite\n")
    result = CliRunner().invoke(app, ["sandbox", "seed", "--db", str(not_a_db)])
    assert result.exit_code == 2
    assert f"{not_a_db}: cannot open the sandbox database" in result.output
    assert "Traceback" not in result.output
    assert not_a_db.read_text() == "these are notes, not SQLite\n"  # left alone
    port = CliRunner().invoke(app, ["sandbox", "serve", "--port", "99999", "--db", ":memory:"])
    assert port.exit_code == 2 and "--port" in port.output
    lag = CliRunner().invoke(app, ["sandbox", "serve", "--db", ":memory:", "--lag", "serch=1"])
    assert lag.exit_code == 2 and "expected name=seconds" in lag.output
    assert "Traceback" not in lag.output
