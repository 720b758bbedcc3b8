"""CLI command ``fmt``: rewrite flow files in canonical form, or check that they are."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flowops.cli.common import emit, err_console, handle_errors
from flowops.errors import CheckFailedError
from flowops.files import collect_files
from flowops.fmt import apply_format, plan_format


def register(app: typer.Typer) -> None:
    """Add ``fmt`` to the root app."""

    @app.command("fmt")
    @handle_errors
    def fmt(
        paths: Annotated[
            list[Path] | None,
            typer.Argument(
                metavar="PATH",
                help="Flow files or directories (every *.json below; default flows/).",
            ),
        ] = None,
        check: Annotated[
            bool,
            typer.Option("--check", help="Write nothing; exit 1 listing files that would change."),
        ] = False,
    ) -> None:
        """Rewrite flow files in canonical form (documents stay documents, raw stays raw).

        Exit codes: 0 done (or nothing to change), 1 with --check when a file would
        change, 2 when a file does not parse (then nothing is written).

        Example: flowops fmt --check flows
        """
        targets = paths or [Path("flows")]
        if not collect_files(targets):
            where = ", ".join(str(p) for p in targets)
            err_console.print(
                f"[yellow]warning:[/] no flow files (*.json) under {where}",
                highlight=False,
                soft_wrap=True,
            )
            return
        changes = plan_format(targets)
        for change in changes:
            emit(f"{'would reformat' if check else 'reformatted'} {change.path}")
        if check:
            if changes:
                raise CheckFailedError(f"{len(changes)} file(s) would be reformatted")
            return
        apply_format(changes)
