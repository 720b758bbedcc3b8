"""CLI command ``init``: scaffold a team's flows repository (``flowops.scaffold``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flowops.cli.common import console, err_console, handle_errors
from flowops.errors import BadInputError

INIT_HELP = """Scaffold a team's flows repository in PATH (default: here).

Writes environments/ (one file per Amazon Connect instance: --account NAME=ACCOUNT_ID, \
repeated, or asked for in a terminal), flows/, scenarios/, .gitignore, \
.pre-commit-config.yaml and the GitHub workflows (pull-request review, the dev -> \
staging -> prod release train, drift, rollback), which install this version of flowops \
and use its published actions by release tag. --sandbox writes dev, staging and prod on \
the embedded sandbox instead, to try everything without AWS. Existing files are kept \
unless --force. The folder becomes a git repository if it is not one.

Exit codes: 0 written, 2 bad input (an account that is not 12 digits, a bad name).

Example: flowops init --account dev=111111111111 --account prod=333333333333 \
--region eu-west-2 --instance my-connect
"""


def _ask() -> list[str]:
    """Environments typed at a prompt: ``dev=111111111111, prod=333333333333``."""
    answer = typer.prompt(
        "Environments (NAME=ACCOUNT_ID, comma separated; the last one is protected)",
        err=True,
    )
    return [part.strip() for part in answer.split(",") if part.strip()]


def register(app: typer.Typer) -> None:
    """Add ``init`` to the root app."""

    @app.command("init", help=INIT_HELP)
    @handle_errors
    def init_cmd(
        path: Annotated[
            Path, typer.Argument(metavar="PATH", help="The repository folder (default: .).")
        ] = Path("."),
        account: Annotated[
            list[str] | None,
            typer.Option(
                "--account",
                metavar="NAME=ACCOUNT_ID",
                help="An environment and its AWS account (repeat, in release order).",
            ),
        ] = None,
        region: Annotated[
            str, typer.Option("--region", metavar="REGION", help="AWS Region of the instances.")
        ] = "us-east-1",
        instance: Annotated[
            str | None,
            typer.Option(
                "--instance", metavar="ID", help="Amazon Connect instance id or alias (all)."
            ),
        ] = None,
        protected: Annotated[
            list[str] | None,
            typer.Option(
                "--protected",
                metavar="NAME",
                help="Environments that need --yes to change (default: the last one).",
            ),
        ] = None,
        sandbox: Annotated[
            bool,
            typer.Option("--sandbox", help="dev, staging and prod on the embedded sandbox."),
        ] = False,
        force: Annotated[bool, typer.Option("--force", help="Overwrite files that exist.")] = False,
    ) -> None:
        from flowops.scaffold import init_repository, parse_account, sandbox_environments

        if sandbox:
            if account:
                raise BadInputError("--sandbox and --account exclude each other")
            specs = sandbox_environments()
        else:
            given = account or (_ask() if err_console.is_terminal else [])
            if not given:
                raise BadInputError(
                    "no environments: pass --account NAME=ACCOUNT_ID (repeat), or --sandbox"
                )
            names = [text.partition("=")[0].strip() for text in given]
            guarded = set(protected) if protected is not None else {names[-1]}
            unknown = guarded - set(names)
            if unknown:
                raise BadInputError(f"--protected {', '.join(sorted(unknown))}: not an --account")
            specs = [
                parse_account(
                    text,
                    region=region,
                    instance=instance or "REPLACE-with-instance-id-or-alias",
                    protected=name in guarded,
                )
                for text, name in zip(given, names, strict=True)
            ]
        result = init_repository(path, specs, force=force)
        for rel in result.written:
            console.print(f"wrote {rel}", highlight=False, markup=False)
        for rel in result.kept:
            err_console.print(
                f"kept {rel} (it exists; --force overwrites it)", highlight=False, markup=False
            )
        if result.git_initialized:
            console.print(f"initialized a git repository in {path}", highlight=False)
        first = specs[0].name
        console.print(
            f"\nNext: flowops export --env {first} && git add -A && git commit -m 'Flows'",
            highlight=False,
            markup=False,
        )
