"""CLI command ``import``: console designer exports and API output -> flows/ documents."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from flowops.cli.common import (
    EnvironmentsOption,
    EnvOption,
    FlowsOption,
    FormatOption,
    OutputFormat,
    emit,
    handle_errors,
)
from flowops.config import load_environment
from flowops.deploy.imports import import_files
from flowops.repo import FLOWS_DIR
from flowops.schemas import stamp


def register(app: typer.Typer) -> None:
    """Add ``import`` to the root app."""

    @app.command("import")
    @handle_errors
    def import_cmd(
        files: Annotated[
            list[Path],
            typer.Argument(
                metavar="FILE...", help="Console exports or DescribeContactFlow output."
            ),
        ],
        env: EnvOption,
        force: Annotated[
            bool, typer.Option("--force", help="Replace documents with other content.")
        ] = False,
        layout: Annotated[
            bool,
            typer.Option(
                "--layout",
                help="Lay out every imported flow (flows missing positions always are).",
            ),
        ] = False,
        flows: FlowsOption = Path(FLOWS_DIR),
        environments: EnvironmentsOption = None,
        fmt: FormatOption = OutputFormat.text,
    ) -> None:
        """Turn console exports or API output into canonical, symbolic flow documents.

        --env names the environment the files came from: every ARN and id is symbolized
        with its catalog, in the form it was written. Exit codes: 0 written, 2 bad input
        (a value that would keep an id of that environment is named, with the fix;
        nothing is written), 3 Amazon Connect error.

        Example: flowops import ~/Downloads/Main-IVR.json --env dev
        """
        environment = load_environment(env, environments)
        result = import_files(environment, files, flows, force=force, layout=layout)
        if fmt == OutputFormat.json:
            emit(
                json.dumps(
                    stamp(
                        "import",
                        {
                            "env": result.env,
                            "written": [{"key": k, "path": str(p)} for k, p in result.written],
                            "unchanged": list(result.unchanged),
                        },
                    ),
                    indent=2,
                )
            )
            return
        lines = [f"wrote {key} -> {path}" for key, path in result.written]
        lines += [f"unchanged {key}" for key in result.unchanged]
        emit("\n".join(lines) or "nothing to import")
