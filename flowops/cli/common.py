"""What every command shares: the error handler, output formats and the console."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from enum import StrEnum
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console

from flowops.errors import ExitCode, FlowopsError

P = ParamSpec("P")
R = TypeVar("R")

console = Console()
err_console = Console(stderr=True)


class State:
    """Global options set by the root callback (``--debug``)."""

    debug: bool = False


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn a ``FlowopsError`` into one clear line on stderr and its exit code.

    Tracebacks are shown only with ``flowops --debug``: they are never the interface.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except FlowopsError as exc:
            if State.debug:
                raise
            err_console.print(
                f"[bold red]error:[/] {exc}", markup=True, highlight=False, soft_wrap=True
            )
            raise typer.Exit(int(exc.exit_code)) from None
        except KeyboardInterrupt as exc:  # Ctrl-C, or a second signal during a release
            err_console.print(str(exc) or "interrupted", highlight=False, markup=False)
            code = getattr(exc, "exit_code", ExitCode.INTERRUPTED)
            raise typer.Exit(int(code)) from None

    return wrapper


def emit(text: str) -> None:
    """Write machine output (json, sarif, markdown) to stdout exactly as given."""
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    sys.stdout.flush()


class OutputFormat(StrEnum):
    """Formats shared by report-like commands."""

    text = "text"
    json = "json"
    markdown = "markdown"
