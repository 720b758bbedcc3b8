"""CLI command ``import``: console designer exports and API output -> flows/ documents."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from flowops.cli.common import OutputFormat, emit, handle_errors
from flowops.config import load_environment
from flowops.deploy.imports import import_files
from flowops.repo import FLOWS_DIR


def register(app: typer.Typer) -> None:
    """Add ``import`` to the root app."""

    @app.command("import")
    @handle_errors
    def import_cmd(
        files: Annotated[
            list[Path], typer.Argument(help="Console exports or DescribeContactFlow output.")
        ],
        env: Annotated[
            str,
            typer.Option("--env", "-e", help="The environment the files came from."),
        ],
        force: Annotated[
            bool, typer.Option("--force", help="Replace documents with other content.")
        ] = False,
        root: Annotated[
            Path, typer.Option("--root", help="The flows folder (default: flows/).")
        ] = Path(FLOWS_DIR),
        fmt: Annotated[
            OutputFormat, typer.Option("--format", "-f", help="Output format.")
        ] = OutputFormat.text,
    ) -> None:
        """Turn console exports or API output into canonical, symbolic flow documents.

        Every ARN and id is symbolized with the catalog of the environment the files came
        from, in the form it was written. Exit codes: 0 written, 2 bad input (a value
        that would keep an id of that environment is named, with the fix; nothing is
        written), 3 Amazon Connect error.
        """
        result = import_files(load_environment(env), files, root, force=force)
        if fmt == OutputFormat.json:
            emit(
                json.dumps(
                    {
                        "env": result.env,
                        "written": [{"key": k, "path": str(p)} for k, p in result.written],
                        "unchanged": list(result.unchanged),
                    },
                    indent=2,
                )
            )
            return
        lines = [f"wrote {key} -> {path}" for key, path in result.written]
        lines += [f"unchanged {key}" for key in result.unchanged]
        emit("\n".join(lines) or "nothing to import")
