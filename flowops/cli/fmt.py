"""CLI command ``fmt``: rewrite flow files in canonical form, or check that they are."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flowops.cli.common import emit, handle_errors, say
from flowops.errors import CheckFailedError
from flowops.files import collect_files
from flowops.fmt import FormatChange, apply_format, plan_format
from flowops.layout import layout_metrics


def _moved(change: FormatChange) -> str:
    """`` (overlapping blocks 3 -> 0, crossing edges 35 -> 2)`` for a laid-out flow."""
    if change.old is None or change.new is None:
        return ""
    old, new = layout_metrics(change.old), layout_metrics(change.new)
    return (
        f" (overlapping blocks {old.overlaps} -> {new.overlaps}, "
        f"crossing edges {old.crossings} -> {new.crossings})"
    )


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
        layout: Annotated[
            bool,
            typer.Option(
                "--layout",
                help="Also rewrite designer positions into a readable layered layout "
                "(docs/layout.md); never a semantic change.",
            ),
        ] = False,
    ) -> None:
        """Rewrite flow files in canonical form (documents stay documents, raw stays raw).

        With --layout, designer positions too: entry at the left, happy path left to
        right, conditions and error branches below, no overlapping blocks; `flowops
        diff` reports it as layout only (docs/layout.md).

        Exit codes: 0 done (or nothing to change), 1 with --check when a file would
        change, 2 when a file does not parse (then nothing is written).

        Example: flowops fmt --check flows
        """
        targets = paths or [Path("flows")]
        if not collect_files(targets):
            where = ", ".join(str(p) for p in targets)
            say("warning", f"no flow files (*.json) under {where}")
            return
        changes = plan_format(targets, layout=layout)
        for change in changes:
            emit(f"{'would reformat' if check else 'reformatted'} {change.path}{_moved(change)}")
        if check:
            if changes:
                raise CheckFailedError(f"{len(changes)} file(s) would be reformatted")
            return
        apply_format(changes)
