"""CLI commands ``export``, ``plan``, ``promote`` and ``history``: parse, call, render."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flowops.cli.common import OutputFormat, emit, err_console, handle_errors
from flowops.cli.progress import on_signal, progress
from flowops.config import load_environment
from flowops.connect import ConnectClient
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
from flowops.repo import FLOWS_DIR, open_repo

EnvOption = Annotated[str, typer.Option("--env", "-e", help="Environment name or YAML file.")]
FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]
RootOption = Annotated[
    Path, typer.Option("--root", help="The flows folder (default: flows/ of this repository).")
]
RefOption = Annotated[str, typer.Option("--ref", help="Git revision of the desired flows.")]
QuietOption = Annotated[
    bool, typer.Option("--quiet", "-q", help="No progress on stderr (the result is printed).")
]


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
        quiet = fmt != OutputFormat.text
        with progress(f"export {environment.name}", quiet=quiet) as report:
            result = export_env(environment, root, flow, force, commit, progress=report)
        emit(render_export(result, fmt.value))

    @app.command("plan")
    @handle_errors
    def plan_cmd(
        env: EnvOption,
        ref: RefOption = "HEAD",
        root: RootOption = Path(FLOWS_DIR),
        fmt: FormatOption = OutputFormat.text,
    ) -> None:
        """Compare the flows at a git revision with an environment; write nothing.

        Exit codes: 0 planned, 2 bad input (unresolvable references are all listed),
        3 Amazon Connect error.
        """
        environment = load_environment(env)
        repo = open_repo(".")
        desired, sha = desired_state(repo, ref, root)
        client = ConnectClient.for_environment(environment)
        plan = make_plan(environment, desired, client, ref=ref, commit=sha)
        emit(render_plan(plan, fmt.value))

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
        quiet: QuietOption = False,
    ) -> None:
        """Apply the flows at a git revision to an environment, dependencies first.

        Each changed flow gets new content and a release version (and a restore-point
        version unless its live content is the last release's); the release is recorded
        in Connect and tagged in git. SIGINT/SIGTERM stop at the next flow, put back what
        the release changed and record it as cancelled (a second signal aborts at once:
        `flowops unlock` then clears the lock).
        Exit codes: 0 released (or nothing to do), 1 a step failed (table of where each
        flow is), 2 bad input, 3 Amazon Connect error, 130/143 cancelled.
        """

        def confirm(plan: Plan) -> bool:
            err_console.print(render_plan(plan, "text"))
            if not err_console.is_terminal:
                return False
            return typer.confirm(
                f"{plan.env.name} is protected. Apply ({plan_summary(plan)})?", err=True
            )

        environment = load_environment(to)
        client = ConnectClient.for_environment(environment)
        silent = quiet or dry_run or fmt == OutputFormat.json
        with progress(f"promote {environment.name}", quiet=silent, client=client) as report:
            result = promote(
                environment,
                ref,
                ".",
                dry_run,
                yes,
                flows_dir=str(root),
                auto_restore=auto_restore,
                client=client,
                confirm=confirm,
                progress=report,
                on_signal=on_signal,
            )
        if result.applied is None:
            emit(render_plan(result.plan, fmt.value))
            if fmt == OutputFormat.text:
                emit(render_calls(result.plan, result.planned_calls))
            return
        emit(render_apply(result.applied, fmt.value))
        for warning in (*result.applied.warnings, *result.warnings):
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
