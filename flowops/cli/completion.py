"""CLI command ``completion``: the shell completion script for a shell named on the line."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from flowops.cli.common import emit, handle_errors


class Shell(StrEnum):
    """Shells flowops completes in."""

    bash = "bash"
    zsh = "zsh"
    fish = "fish"
    powershell = "powershell"
    pwsh = "pwsh"


def completion_script(shell: Shell) -> str:
    """The script that makes ``shell`` complete flowops' commands, options and names."""
    from typer._completion_classes import completion_init
    from typer._completion_shared import get_completion_script

    completion_init()
    return get_completion_script(
        prog_name="flowops", complete_var="_FLOWOPS_COMPLETE", shell=shell.value
    )


def register(app: typer.Typer) -> None:
    """Add ``completion`` to the root app."""

    @app.command("completion")
    @handle_errors
    def completion_cmd(
        shell: Annotated[Shell, typer.Argument(metavar="SHELL", help="bash, zsh, fish or pwsh.")],
        install: Annotated[
            bool, typer.Option("--install", help="Install it in the shell's startup files.")
        ] = False,
    ) -> None:
        """Print the completion script for SHELL (or install it with --install).

        Completes commands, options, environment names (environments/) and flow names
        (flows/).

        Example: flowops completion zsh > ~/.zfunc/_flowops
        """
        if install:
            from typer._completion_shared import install as install_script

            completion_script(shell)
            name, path = install_script(shell=shell.value, prog_name="flowops")
            typer.echo(f"{name} completion installed in {path}; it works in new shells")
            return
        emit(completion_script(shell))
