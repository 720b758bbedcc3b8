"""The root command: version, help, and the one-line error contract."""

from pathlib import Path

import typer
from typer.testing import CliRunner

from flowops import __version__
from flowops.cli.main import app


def test_version_prints_package_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"flowops {__version__}"


def test_unknown_command_is_usage_error() -> None:
    result = CliRunner().invoke(app, ["no-such-command"])
    assert result.exit_code == 2


def test_command_map_names_the_module_that_registers_each_command() -> None:
    from flowops.cli.main import COMMANDS, build_app

    for command, module in COMMANDS.items():
        group = typer.main.get_group(build_app([module]))
        assert command in group.commands, f"{command} is not registered by cli.{module}"
    every = typer.main.get_group(app)
    assert set(every.commands) == set(COMMANDS)


def test_console_script_loads_only_the_command_it_runs() -> None:
    from flowops.cli.main import COMMANDS, modules_for

    assert modules_for(["lint", "flows"]) == ["lint"]
    assert modules_for(["--debug", "canary", "status"]) == ["canary"]
    assert modules_for(["--version"]) == []
    assert set(modules_for(["--help"])) == set(COMMANDS.values())
    assert set(modules_for(["no-such-command"])) == set(COMMANDS.values())


def test_help_reflows_docstrings_to_the_terminal() -> None:
    """A docstring's line breaks are not kept: at any width the help reads as prose."""
    wide = CliRunner().invoke(app, ["rollback", "--help"], env={"COLUMNS": "200"})
    assert wide.exit_code == 0
    assert (
        "Needs no git repository: release records and flow versions come from Amazon" in wide.output
    )
    narrow = CliRunner().invoke(app, ["canary", "generate", "--help"], env={"COLUMNS": "80"})
    lines = [line.strip() for line in narrow.output.splitlines()]
    assert "by the" not in lines and "the" not in lines  # no orphaned line ends


def test_install_completion_writes_the_script_for_the_shell(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "SHELL": "/bin/zsh"}  # the named shell wins
    result = CliRunner().invoke(app, ["completion", "bash", "--install"], env=env)
    assert result.exit_code == 0, result.output
    script = tmp_path / ".bash_completions" / "flowops.sh"
    assert "_flowops_completion" in script.read_text(encoding="utf-8")
    assert str(script) in (tmp_path / ".bashrc").read_text(encoding="utf-8")
    shown = CliRunner().invoke(app, ["completion", "bash"], env=env)
    assert shown.exit_code == 0 and "COMPREPLY" in shown.output


def test_completion_prints_the_script_of_the_shell_it_names() -> None:
    env = {"SHELL": "/bin/bash"}
    zsh = CliRunner().invoke(app, ["completion", "zsh"], env=env)
    assert zsh.exit_code == 0 and zsh.output.startswith("#compdef flowops")
    fish = CliRunner().invoke(app, ["completion", "fish"], env=env)
    assert fish.exit_code == 0 and "complete --command flowops" in fish.output
    bad = CliRunner().invoke(app, ["completion", "tcsh"], env=env)
    assert bad.exit_code == 2
