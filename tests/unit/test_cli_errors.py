"""The CLI's error path: one line per error, its own exit code, a traceback only with --debug."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from flowops.cli.common import State, handle_errors
from flowops.errors import BadInputError, CheckFailedError, ExitCode

FLOWOPS = Path(__file__).resolve().parents[2] / "flowops"


def app_raising(exc: BaseException | None, exit_code: int | None = None) -> typer.Typer:
    """A one-command app whose command raises ``exc`` (or exits with ``exit_code``)."""
    app = typer.Typer()

    @app.command()
    @handle_errors
    def run() -> None:
        print("report")
        if exc is not None:
            raise exc
        if exit_code is not None:
            raise typer.Exit(exit_code)

    return app


@pytest.fixture(autouse=True)
def no_debug() -> None:
    State.debug = False


def test_an_unexpected_exception_is_one_line_and_exit_70() -> None:
    result = CliRunner().invoke(app_raising(KeyError("boom")))
    assert result.exit_code == int(ExitCode.INTERNAL_ERROR) == 70
    lines = result.stderr.strip().splitlines()
    assert lines == [lines[0]] and lines[0].startswith("internal error: KeyError: 'boom'")
    assert "--debug" in lines[0] and "Traceback" not in result.output


def test_debug_shows_the_exception() -> None:
    State.debug = True
    result = CliRunner().invoke(app_raising(ZeroDivisionError("x")))
    assert isinstance(result.exception, ZeroDivisionError)


def test_a_failed_check_exits_1_with_one_line_unless_already_reported() -> None:
    said = CliRunner().invoke(app_raising(CheckFailedError("2 findings")))
    assert said.exit_code == 1 and said.stderr.strip() == "error: 2 findings"
    quiet = CliRunner().invoke(app_raising(CheckFailedError("changes", reported=True)))
    assert quiet.exit_code == 1 and quiet.stderr == "" and quiet.stdout == "report\n"


def test_bad_input_keeps_exit_2_and_typer_exits_pass_through() -> None:
    bad = CliRunner().invoke(app_raising(BadInputError("flows/a.json: no such file")))
    assert bad.exit_code == 2 and bad.stderr.strip() == "error: flows/a.json: no such file"
    assert CliRunner().invoke(app_raising(None, exit_code=0)).exit_code == 0


def test_exit_1_has_one_way_only() -> None:
    """Nothing in the CLI exits 1 but a CheckFailedError through handle_errors."""
    offenders = []
    for path in sorted((FLOWOPS / "cli").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        if re.search(r"ExitCode\.(FINDINGS|CHANGES)|Exit\(1\)|sys\.exit\(1\)", text):
            offenders.append(path.name)
    assert offenders == []


@pytest.mark.parametrize("command", ["lint", "fmt"])
def test_warning_lines_are_plain_text_like_error_lines(command: str, tmp_path: Path) -> None:
    """A warning names a path as it is, though it looks like markup (``[red]``)."""
    from flowops.cli.main import app

    folder = tmp_path / "[red]flows"
    folder.mkdir()
    result = CliRunner().invoke(app, [command, str(folder)])
    assert f"warning: no flow files (*.json) under {folder}\n" in result.stderr
