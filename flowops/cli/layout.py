"""CLI command ``layout``: rewrite designer positions into a readable layered layout."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from flowops.cli.common import OutputFormat, emit, err_console, handle_errors
from flowops.errors import CheckFailedError
from flowops.layout import apply_layout, metrics_json, plan_layout
from flowops.lint.engine import collect_files


def register(app: typer.Typer) -> None:
    """Add ``layout`` to the root app."""

    @app.command("layout")
    @handle_errors
    def layout(
        paths: Annotated[
            list[Path] | None,
            typer.Argument(help="Flow files or directories (every *.json below; default flows/)."),
        ] = None,
        check: Annotated[
            bool,
            typer.Option("--check", help="Write nothing; exit 1 listing files that would move."),
        ] = False,
        fmt: Annotated[
            OutputFormat, typer.Option("--format", "-f", help="text or json.")
        ] = OutputFormat.text,
    ) -> None:
        """Lay flows out for the designer: entry at the left, happy path left to right.

        Rewrites only designer positions (Metadata: each block's position and the entry
        point); what a contact experiences never changes, and `flowops diff` reports the
        result as layout only. Conditions fan out below their block, error branches go
        below, blocks never overlap, and the same flow always gets the same layout
        (docs/layout.md). Files are written in canonical form, as `flowops fmt` writes
        them.

        Exit codes: 0 done (or nothing to move), 1 with --check when a file would
        change, 2 when a file does not parse (then nothing is written).
        """
        targets = paths or [Path("flows")]
        files = collect_files(targets)
        if not files:
            where = ", ".join(str(p) for p in targets)
            err_console.print(
                f"[yellow]warning:[/] no flow files (*.json) under {where}",
                highlight=False,
                soft_wrap=True,
            )
            return
        changes = plan_layout(files)
        if fmt is OutputFormat.json:
            items = [
                {
                    "file": str(c.path),
                    "before": metrics_json(c.before),
                    "after": metrics_json(c.after),
                }
                for c in changes
            ]
            emit(json.dumps({"changed": items, "files": len(files)}, indent=2))
        else:
            verb = "would lay out" if check else "laid out"
            for c in changes:
                emit(
                    f"{verb} {c.path} (overlapping blocks {c.before.overlaps} -> "
                    f"{c.after.overlaps}, crossing edges {c.before.crossings} -> "
                    f"{c.after.crossings})"
                )
        if check:
            if changes:
                raise CheckFailedError(f"{len(changes)} file(s) would be laid out")
            return
        apply_layout(changes)
