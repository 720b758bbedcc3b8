"""The ``flowops`` root command: global options and the command groups.

Each ``flowops.cli.<module>`` owns its commands and exposes ``register(app)``; this file
only lists them, so adding a command never touches another command's module.

The console script imports only the module of the command it runs: importing them all
(boto3, networkx, deepdiff, gitpython...) costs most of a second, which a pre-commit
hook running ``flowops lint`` on every commit should not pay. ``app`` (all commands) is
built on first access, for tests and other programs.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
from collections.abc import Sequence
from functools import cache
from typing import Annotated

import typer

from flowops import __version__
from flowops.cli.common import State
from flowops.errors import ExitCode, TerminatedError, internal_error_line

#: Command name -> the ``flowops.cli`` module that registers it.
COMMANDS = {
    "lint": "lint",
    "rules": "lint",
    "fmt": "fmt",
    "graph": "graph",
    "diff": "diff",
    "drift": "diff",
    "export": "deploy",
    "import": "imports",
    "plan": "deploy",
    "promote": "deploy",
    "history": "deploy",
    "canary": "canary",
    "rollback": "rollback",
    "unlock": "unlock",
    "sandbox": "sandbox",
    "demo": "demo",
    "test": "test",
    "measure": "measure",
    "init": "init",
    "completion": "completion",
    "doctor": "doctor",
}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"flowops {__version__}")
        raise typer.Exit(0)


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
    State.debug = State.debug or debug


def _argument_metavars() -> None:
    """Help shows an argument's metavar (PATH, ENV) alone, not also its Python type."""
    from typer.core import TyperArgument

    shown = TyperArgument.display_type_rich
    if getattr(shown, "flowops", False):
        return

    def display_type(self: TyperArgument, ctx: object) -> str | None:
        return None if self.metavar else shown(self, ctx)  # type: ignore[arg-type]

    display_type.flowops = True  # type: ignore[attr-defined]
    TyperArgument.display_type_rich = display_type  # type: ignore[method-assign,assignment]


def build_app(modules: Sequence[str]) -> typer.Typer:
    """The root app with the commands of the given ``flowops.cli`` modules.

    Environments with ``endpoint_url: sandbox`` start the embedded sandbox on first use
    (``flowops.endpoints`` finds it by its entry point).
    """
    _argument_metavars()
    built = typer.Typer(
        name="flowops",
        help="GitOps change management for Amazon Connect contact flows.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        # `flowops completion SHELL` prints (or installs) the script for a named shell.
        add_completion=False,
        # Plain help: real metavars (ENV, PATH, REF), words never broken, no boxes.
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 120},
    )
    built.callback()(root)
    for name in dict.fromkeys(modules):
        importlib.import_module(f"flowops.cli.{name}").register(built)
    return built


@cache
def full_app() -> typer.Typer:
    """Every command (help, completion, tests)."""
    return build_app(list(COMMANDS.values()))


def modules_for(argv: Sequence[str]) -> list[str]:
    """The modules a command line needs: its command's, or all when it names none."""
    for arg in argv:
        if not arg.startswith("-"):
            return [COMMANDS[arg]] if arg in COMMANDS else list(COMMANDS.values())
    return [] if "--version" in argv else list(COMMANDS.values())


def __getattr__(name: str) -> typer.Typer:
    if name == "app":
        return full_app()
    raise AttributeError(name)


def lift_debug(argv: list[str]) -> list[str]:
    """``--debug`` accepted anywhere (before ``--``): set the flag, drop the word.

    ``FLOWOPS_DEBUG=1`` does the same.
    """
    end = argv.index("--") if "--" in argv else len(argv)
    if "--debug" in argv[:end] or os.environ.get("FLOWOPS_DEBUG", "") not in ("", "0"):
        State.debug = True
    return [a for a in argv[:end] if a != "--debug"] + argv[end:]


def main() -> None:
    """Console-script entry point.

    Commands report their own errors (``handle_errors``); this catches what escapes them
    (building the app, option callbacks) the same way: one line, exit 70, unless --debug.
    """
    argv = lift_debug(sys.argv[1:])
    if "_FLOWOPS_COMPLETE" in os.environ:  # the shell asks for completions
        from typer._completion_classes import completion_init

        completion_init()
    signal.signal(signal.SIGTERM, _terminated)
    try:
        build_app(modules_for(argv))(args=argv, prog_name="flowops")
    except KeyboardInterrupt as exc:  # while importing, before a command's handler is in place
        sys.stderr.write(f"{exc or 'interrupted'}\n")
        sys.exit(int(getattr(exc, "exit_code", ExitCode.INTERRUPTED)))
    except Exception as exc:
        if State.debug:
            raise
        sys.stderr.write(internal_error_line(exc) + "\n")
        sys.exit(int(ExitCode.INTERNAL_ERROR))


def _terminated(signum: int, frame: object) -> None:
    """SIGTERM (a cancelled CI job) stops a command like Ctrl-C does, with exit 143."""
    raise TerminatedError()
