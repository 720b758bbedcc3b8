"""docs/cli.md, generated from the commands themselves (a test keeps the file current).

``python -m flowops.cli.reference > docs/cli.md`` rewrites it.
"""

from __future__ import annotations

import typer
from typer import Context
from typer._click.core import Command  # typer vendors click
from typer.core import TyperGroup

from flowops.cli.common import ENVIRONMENT_VARIABLES
from flowops.cli.main import COMMANDS, full_app

WIDTH = 100

INTRO = """\
# Command-line reference

Generated from the commands (`python -m flowops.cli.reference > docs/cli.md`;
`tests/unit/test_cli_reference.py` fails when it is stale). `flowops COMMAND -h` shows
the same text.

Every command spells an option the same way: `--env/-e ENV`, `--flows PATH`,
`--environments PATH`, `--ref REF`, `--yes/-y`, `--format/-f`, `--quiet/-q`. `-h` and
`--debug` (tracebacks instead of one-line errors) are accepted anywhere on the line.

Exit codes, for every command: 0 ok, 1 findings / changes / a failed check, 2 bad input
(file, flow and action named), 3 Amazon Connect error, 70 internal error (a bug in flowops),
130 interrupted, 143 terminated (SIGTERM).
"""


def _help(command: Command, path: list[str], parent: Context | None) -> str:
    ctx = Context(
        command,
        info_name=path[-1],
        parent=parent,
        terminal_width=WIDTH,
        max_content_width=WIDTH,
        help_option_names=["-h", "--help"],
    )
    return command.get_help(ctx)


def _sections(command: Command, path: list[str], parent: Context | None) -> list[str]:
    ctx = Context(command, info_name=path[-1], parent=parent)
    out = [f"## {' '.join(path)}\n\n```text\n{_help(command, path, parent)}\n```\n"]
    if isinstance(command, TyperGroup):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                out += _sections(sub, [*path, name], ctx)
    return out


def cli_reference() -> str:
    """The Markdown of docs/cli.md."""
    root = typer.main.get_command(full_app())
    assert isinstance(root, TyperGroup)
    ctx = Context(root, info_name="flowops")
    env_rows = "\n".join(f"| `{name}` | {what} |" for name, what in ENVIRONMENT_VARIABLES.items())
    parts = [
        INTRO,
        "## Environment variables\n\n| Variable | Meaning |\n| --- | --- |\n" + env_rows + "\n",
        f"## flowops\n\n```text\n{_help(root, ['flowops'], None)}\n```\n",
    ]
    for name in COMMANDS:
        command = root.get_command(ctx, name)
        assert command is not None, name
        parts += _sections(command, ["flowops", name], ctx)
    return "\n".join(parts)


if __name__ == "__main__":
    import sys

    sys.stdout.write(cli_reference())
