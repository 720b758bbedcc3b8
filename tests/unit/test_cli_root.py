"""The root command: version, help, and the one-line error contract."""

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
