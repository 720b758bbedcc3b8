"""The ``flowops`` root command: global options and the command groups.

Each ``flowops.cli.<module>`` owns its commands and exposes ``register(app)``; this file
only lists them, so adding a command never touches another command's module.
"""

from __future__ import annotations

from typing import Annotated

import typer

from flowops import __version__
from flowops.cli import canary, demo, deploy, diff, fmt, graph, lint, rollback, sandbox
from flowops.cli.common import State

app = typer.Typer(
    name="flowops",
    help="GitOps change management for Amazon Connect contact flows.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,
)

COMMAND_MODULES = (lint, fmt, graph, diff, deploy, canary, rollback, sandbox, demo)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"flowops {__version__}")
        raise typer.Exit(0)


@app.callback()
def root(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks instead of one-line errors.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """GitOps change management for Amazon Connect contact flows."""
    State.debug = debug


for _module in COMMAND_MODULES:
    _module.register(app)


def main() -> None:
    """Console-script entry point."""
    app()
