"""What every command shares: the error handler, output formats, the console, and the
option vocabulary.

Every command spells an option the same way, from the definitions below: ``--env/-e ENV``
(or ``FLOWOPS_ENV``), ``--flows PATH`` and ``--environments PATH`` for the two folders
(or ``FLOWOPS_FLOWS``, ``FLOWOPS_ENVIRONMENTS``), ``--ref REF``, ``--yes/-y``,
``--format/-f``, ``--quiet/-q``; ``--debug`` and ``-h`` are accepted anywhere.
docs/cli.md lists them (generated from the commands).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.text import Text
from typer.exceptions import TyperException

from flowops.cli.output import documents
from flowops.cli.output import emit as emit  # re-exported: every command's stdout
from flowops.errors import (
    BadInputError,
    CheckFailedError,
    ExitCode,
    FlowopsError,
    internal_error_line,
)

P = ParamSpec("P")
R = TypeVar("R")

console = Console(emoji=False)  # ":A:" in "staging:A:" is a name, not an emoji
err_console = Console(stderr=True, emoji=False)


_LEVEL_STYLES = {"warning": "yellow", "error": "bold red"}


def say(level: str, message: str) -> None:
    """One ``warning: ...`` or ``error: ...`` line on stderr, the level coloured.

    The message is plain text, never markup: flow names and JSON paths may look like
    markup (``[reference]``) or emoji codes (``flow:One:``).
    """
    err_console.print(
        Text.assemble((f"{level}:", _LEVEL_STYLES[level]), " ", message),
        highlight=False,
        soft_wrap=True,
    )


class State:
    """Global options set by the root callback (``--debug``)."""

    debug: bool = False


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
        except (typer.Exit, typer.Abort, TyperException):
            raise  # typer's own exits and usage errors (BadParameter...)
        except FlowopsError as exc:
            if State.debug:
                raise
            if not (isinstance(exc, CheckFailedError) and exc.reported):
                say("error", str(exc))
            raise typer.Exit(int(exc.exit_code)) from None
        except KeyboardInterrupt as exc:  # Ctrl-C, or a second signal during a release
            err_console.print(str(exc) or "interrupted", highlight=False, markup=False)
            code = getattr(exc, "exit_code", ExitCode.INTERRUPTED)
            raise typer.Exit(int(code)) from None
        except Exception as exc:
            if State.debug:
                raise
            err_console.print(
                internal_error_line(exc), markup=False, highlight=False, soft_wrap=True
            )
            raise typer.Exit(int(ExitCode.INTERNAL_ERROR)) from None

    return wrapper


@contextmanager
def json_failure(
    enabled: bool, output: str, known: Callable[[BaseException], Mapping[str, Any]]
) -> Iterator[None]:
    """``--format json`` of a writing command: whatever stops it (a failed step, a signal,
    a held lock, bad input, a bug), stdout still gets exactly one JSON document, the
    shape of its success document (``known(exc)``: filled as far as the run got, from
    what the library attached with ``flowops.errors.remember``) with ``ok`` false, the
    ``error`` and the release ``record`` (``flowops.deploy.render.failure_document``).
    The error line on stderr and the exit code are :func:`handle_errors`' as ever.
    Usage errors typer itself reports (exit 2, before the command runs) stay text."""
    before = documents()
    try:
        yield
    except typer.Exit:
        raise
    except BaseException as exc:
        if enabled and documents() == before:
            from flowops.deploy.render import failure_document

            document = failure_document(output, known(exc), exc)
            if isinstance(exc, typer.Abort):  # Ctrl-C or end of input at a prompt: click's exit
                message = "aborted at the confirmation prompt; nothing was written"
                document["error"].update(type="refused", message=message, exit_code=1)
            emit(json.dumps(document, indent=2, ensure_ascii=False))
        raise


class OutputFormat(StrEnum):
    """Formats shared by report-like commands."""

    text = "text"
    json = "json"
    markdown = "markdown"


#: Environment variables every command reads (docs/cli.md).
ENVIRONMENT_VARIABLES = {
    "FLOWOPS_ENV": "the environment (--env) of every command that takes one, except `flowops test` "
    "(offline unless --env is given)",
    "FLOWOPS_FLOWS": "the flows folder (--flows)",
    "FLOWOPS_ENVIRONMENTS": "the environments folder (--environments)",
    "FLOWOPS_DEBUG": "1: tracebacks instead of one-line errors (like --debug)",
    "FLOWOPS_LINT_CONFIG": "the lint configuration file (lint --config)",
    "FLOWOPS_SANDBOX_DB": "the sandbox database (sandbox --db)",
    "FLOWOPS_SANDBOX_QUOTA": "off: the embedded sandbox enforces no API quotas",
    "FLOWOPS_SANDBOX_LAG": "the sandbox's eventual consistency (sandbox serve --lag)",
}


def complete_environment(incomplete: str) -> list[str]:
    """Environment names under ./environments (or $FLOWOPS_ENVIRONMENTS), for completion."""
    import os

    folder = Path(os.environ.get("FLOWOPS_ENVIRONMENTS", "environments"))
    names = sorted({p.stem for p in folder.glob("*.y*ml")}) if folder.is_dir() else []
    return [name for name in names if name.startswith(incomplete)]


def complete_flow(incomplete: str) -> list[str]:
    """Flow and module names under ./flows (or $FLOWOPS_FLOWS), for completion."""
    import json
    import os

    folder = Path(os.environ.get("FLOWOPS_FLOWS", "flows"))
    names: set[str] = set()
    for path in folder.rglob("*.json") if folder.is_dir() else ():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        name = data.get("name") if isinstance(data, dict) and "flowops" in data else None
        if isinstance(name, str):
            names.add(name)
    return sorted(n for n in names if n.startswith(incomplete))


def _env_option() -> Any:
    return typer.Option(
        "--env",
        "-e",
        metavar="ENV",
        envvar="FLOWOPS_ENV",
        help="Environment: a name under environments/ or a YAML file.",
        autocompletion=complete_environment,
    )


EnvOption = Annotated[str, _env_option()]
#: ``--env`` where another spelling is still accepted (promote's hidden ``--to``).
EnvOrNoneOption = Annotated[str | None, _env_option()]
FlowsOption = Annotated[
    Path,
    typer.Option(
        "--flows",
        metavar="PATH",
        envvar="FLOWOPS_FLOWS",
        help="The flows folder (the same path at a git revision).",
    ),
]
EnvironmentsOption = Annotated[
    Path | None,
    typer.Option(
        "--environments",
        metavar="PATH",
        envvar="FLOWOPS_ENVIRONMENTS",
        help="The environments folder (default: environments/).",
    ),
]
FlowOption = Annotated[
    str | None,
    typer.Option(
        "--flow", metavar="NAME", help="Only this flow or module.", autocompletion=complete_flow
    ),
]
RefOption = Annotated[
    str, typer.Option("--ref", metavar="REF", help="Git revision (commit, branch, tag).")
]
YesOption = Annotated[
    bool, typer.Option("--yes", "-y", help="Do not ask: confirm a protected environment (CI).")
]
FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]
QuietOption = Annotated[
    bool, typer.Option("--quiet", "-q", help="No progress or notes on stderr; errors only.")
]
DryRunOption = Annotated[
    bool, typer.Option("--dry-run", help="Show what would change; write nothing.")
]


def pick_env(env: str | None, alias: str | None, alias_name: str) -> str:
    """``--env``, or the older spelling ``alias_name`` still accepted; one is required."""
    if env and alias and env != alias:
        raise BadInputError(f"--env {env!r} and {alias_name} {alias!r} disagree: give one")
    chosen = env or alias
    if not chosen:
        raise BadInputError("missing option --env ENV (or FLOWOPS_ENV)")
    return chosen
