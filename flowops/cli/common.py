"""What every command shares: the error handler, output formats and the console."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from enum import StrEnum
from typing import ParamSpec, TypeVar

import click
import typer
from rich.console import Console

from flowops.errors import CheckFailedError, ExitCode, FlowopsError

P = ParamSpec("P")
R = TypeVar("R")

console = Console()
err_console = Console(stderr=True)


def start_embedded_sandbox(db_path: str) -> str:
    """``endpoint_url: sandbox``: the embedded sandbox, imported on first use only."""
    from flowops.sandbox.embedded import ensure_sandbox

    return ensure_sandbox(db_path)


class State:
    """Global options set by the root callback (``--debug``)."""

    debug: bool = False


def internal_error_line(exc: BaseException) -> str:
    """The one line an unexpected exception (a bug in flowops) is reported with."""
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return (
        f"internal error: {detail} (a bug in flowops; `flowops --debug ...` shows the "
        f"traceback; exit {int(ExitCode.INTERNAL_ERROR)})"
    )


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn an error into one clear line on stderr and its exit code.

    A ``FlowopsError`` exits with its own code (a ``CheckFailedError``, the only way to
    exit 1, prints nothing more when the command has reported already); any other
    exception is a bug and exits ``ExitCode.INTERNAL_ERROR`` (70), never 1, so it cannot
    read as findings in CI. Tracebacks are shown only with ``flowops --debug``.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort, click.exceptions.Exit, click.ClickException):
            raise  # typer's and click's own exits and usage errors
        except FlowopsError as exc:
            if State.debug:
                raise
            if not (isinstance(exc, CheckFailedError) and exc.reported):
                err_console.print(
                    f"[bold red]error:[/] {exc}", markup=True, highlight=False, soft_wrap=True
                )
            raise typer.Exit(int(exc.exit_code)) from None
        except KeyboardInterrupt:
            err_console.print("interrupted")
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        except Exception as exc:
            if State.debug:
                raise
            err_console.print(
                internal_error_line(exc), markup=False, highlight=False, soft_wrap=True
            )
            raise typer.Exit(int(ExitCode.INTERNAL_ERROR)) from None

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
