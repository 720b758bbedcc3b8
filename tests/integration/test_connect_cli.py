"""Bad environment input through the real CLI: exit 2, one clear line, no AWS call."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from flowops.cli.main import app
from flowops.errors import ExitCode
from flowops.sandbox.embedded import embedded_server

pytestmark = pytest.mark.integration

GOOD = """\
region: us-east-1
account_id: "111111111111"
instance: flowops-sandbox
endpoint_url: sandbox
sandbox_db: sandbox.db
"""


@pytest.mark.parametrize(
    ("files", "env", "fragments"),
    [
        ({"dev": GOOD}, "qa", ["unknown environment 'qa'", "known: dev"]),
        ({"dev": GOOD + "managed: [oops\n"}, "dev", ["dev.yaml", "invalid YAML", "line"]),
        (
            {"dev": GOOD.replace('"111111111111"', "111111111111")},
            "dev",
            ["dev.yaml", "$.account_id", "quoted"],
        ),
        ({"dev": GOOD + "protected: sometimes\n"}, "dev", ["dev.yaml", "$.protected"]),
    ],
)
@pytest.mark.parametrize("command", ["export", "plan", "promote"])
def test_bad_environment_exits_2_before_any_call(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    files: dict[str, str],
    env: str,
    fragments: list[str],
    command: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "environments").mkdir()
    for name, text in files.items():
        (tmp_path / "environments" / f"{name}.yaml").write_text(text, encoding="utf-8")
    args = [command, "--env", env] if command != "promote" else [command, "--to", env]
    result = CliRunner().invoke(app, args)
    if result.exit_code == 2 and "No such option" in result.output:
        pytest.skip(f"`flowops {command}` takes other options: {result.output.strip()}")
    assert result.exit_code == ExitCode.BAD_INPUT, result.output
    output = " ".join(result.output.split())
    for fragment in fragments:
        assert fragment in output, (fragment, result.output)
    assert "Traceback" not in result.output
    # no sandbox was even started, so nothing can have been written
    assert embedded_server(tmp_path / "sandbox.db") is None
