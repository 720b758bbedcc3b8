"""CLI commands ``export``, ``plan``, ``promote`` and ``history``: parse, call, render."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from flowops.cli.common import OutputFormat, emit, err_console, handle_errors
from flowops.config import load_environment
from flowops.connect import ConnectClient
from flowops.deploy.apply import Progress as ProgressFn
from flowops.deploy.export import export_env
from flowops.deploy.history import history
from flowops.deploy.plan import Plan, make_plan
from flowops.deploy.promote import desired_state, promote
from flowops.deploy.render import (
    plan_summary,
    render_apply,
    render_calls,
    render_export,
    render_history,
    render_plan,
)
from flowops.errors import ExitCode
from flowops.repo import FLOWS_DIR, open_repo

EnvOption = Annotated[str, typer.Option("--env", "-e", help="Environment name or YAML file.")]
FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]
RootOption = Annotated[
    Path, typer.Option("--root", help="The flows folder (default: flows/ of this repository).")
]
RefOption = Annotated[str, typer.Option("--ref", help="Git revision of the desired flows.")]


@contextmanager
def _progress(label: str, enabled: bool) -> Iterator[ProgressFn | None]:
    """A rich progress bar on stderr, as a ``progress(done, total, what)`` callback."""
    if not enabled or not err_console.is_terminal:
        yield None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[what]}"),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None, what="")

        def update(done: int, total: int, what: str) -> None:
            bar.update(task, completed=done, total=total or None, what=what)

        yield update


def register(app: typer.Typer) -> None:
    """Add ``export``, ``plan``, ``promote`` and ``history`` to the root app."""

    @app.command("export")
    @handle_errors
    def export_cmd(
        env: EnvOption,
        flow: Annotated[
            list[str] | None, typer.Option("--flow", help="Only this flow or module (repeat).")
        ] = None,
        commit: Annotated[bool, typer.Option("--commit", help="Commit the changed files.")] = False,
        force: Annotated[
            bool, typer.Option("--force", help="Overwrite files with uncommitted changes.")
        ] = False,
        root: RootOption = Path(FLOWS_DIR),
        fmt: FormatOption = OutputFormat.text,
    ) -> None:
        """Write an environment's flows as canonical, account-free files under flows/.

        Exit codes: 0 done, 2 bad input (unknown environment, local changes that would be
        overwritten without --force), 3 Amazon Connect error.
        """
        environment = load_environment(env)
        with _progress(f"export {environment.name}", fmt == OutputFormat.text) as progress:
            result = export_env(environment, root, flow, force, commit, progress=progress)
        emit(render_export(result, fmt.value))

    @app.command("plan")
    @handle_errors
    def plan_cmd(
        env: EnvOption,
        ref: RefOption = "HEAD",
        root: RootOption = Path(FLOWS_DIR),
        fmt: FormatOption = OutputFormat.text,
        exit_code: Annotated[
            bool,
            typer.Option("--exit-code", help="Exit 4 when the plan would write (CI gates)."),
        ] = False,
    ) -> None:
        """Compare the flows at a git revision with an environment; write nothing.

        Runs every plan-time check promote runs (references, literal ARNs, names, size,
        identifiers, quotas, structure). Exit codes: 0 planned, 1 a check failed (every
        problem listed per flow), 2 bad input, 3 Amazon Connect error, 4 changes
        present (only with --exit-code).
        """
        environment = load_environment(env)
        repo = open_repo(".")
        desired, sha = desired_state(repo, ref, root)
        client = ConnectClient.for_environment(environment)
        plan = make_plan(environment, desired, client, ref=ref, commit=sha)
        emit(render_plan(plan, fmt.value))
        if exit_code and plan.changes:
            raise typer.Exit(int(ExitCode.CHANGES))

    @app.command("promote")
    @handle_errors
    def promote_cmd(
        to: Annotated[str, typer.Option("--to", help="Target environment name or YAML file.")],
        ref: RefOption = "HEAD",
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="Show the plan; write nothing.")
        ] = False,
        yes: Annotated[
            bool, typer.Option("--yes", "-y", help="Confirm a protected environment (CI).")
        ] = False,
        auto_restore: Annotated[
            bool,
            typer.Option(
                "--auto-restore/--no-auto-restore",
                help="On failure, put changed flows back to their restore points.",
            ),
        ] = True,
        root: RootOption = Path(FLOWS_DIR),
        fmt: FormatOption = OutputFormat.text,
    ) -> None:
        """Apply the flows at a git revision to an environment, dependencies first.

        Each changed flow gets a restore-point version, new content, and a release
        version; the release is recorded in Connect and tagged in git.
        Exit codes: 0 released (or nothing to do), 1 a step failed (table of where each
        flow is), 2 bad input, 3 Amazon Connect error.
        """

        def confirm(plan: Plan) -> bool:
            err_console.print(render_plan(plan, "text"))
            if not err_console.is_terminal:
                return False
            return typer.confirm(
                f"{plan.env.name} is protected. Apply ({plan_summary(plan)})?", err=True
            )

        with _progress(f"promote {to}", fmt == OutputFormat.text and not dry_run) as progress:
            result = promote(
                to,
                ref,
                ".",
                dry_run,
                yes,
                flows_dir=str(root),
                auto_restore=auto_restore,
                confirm=confirm,
                progress=progress,
            )
        if result.applied is None:
            emit(render_plan(result.plan, fmt.value))
            if fmt == OutputFormat.text:
                emit(render_calls(result.plan))
            return
        emit(render_apply(result.applied, fmt.value))
        for warning in result.warnings:
            err_console.print(f"warning: {warning}", highlight=False)
        if result.tag and fmt == OutputFormat.text:
            err_console.print(f"tagged {result.tag}", highlight=False)

    @app.command("history")
    @handle_errors
    def history_cmd(
        env: EnvOption,
        flow: Annotated[
            str | None, typer.Option("--flow", help="Only releases of this flow, with versions.")
        ] = None,
        fmt: FormatOption = OutputFormat.text,
    ) -> None:
        """Releases recorded in an environment (and a flow's versions), newest first."""
        environment = load_environment(env)
        emit(render_history(history(environment, flow), fmt.value))
