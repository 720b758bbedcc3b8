"""CLI commands ``export``, ``plan``, ``promote`` and ``history``: parse, call, render."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from flowops.cli.common import (
    EnvironmentsOption,
    EnvOption,
    EnvOrNoneOption,
    FlowsOption,
    FormatOption,
    OutputFormat,
    QuietOption,
    RefOption,
    YesOption,
    complete_flow,
    emit,
    err_console,
    handle_errors,
    json_failure,
    pick_env,
    say,
)
from flowops.cli.progress import on_signal, progress
from flowops.config import load_environment
from flowops.connect import ConnectClient
from flowops.deploy.apply import ApplyResult
from flowops.deploy.export import export_env
from flowops.deploy.history import history
from flowops.deploy.plan import Plan, make_plan
from flowops.deploy.promote import desired_state, promote
from flowops.deploy.render import (
    apply_payload,
    plan_summary,
    render_apply,
    render_calls,
    render_export,
    render_history,
    render_plan,
)
from flowops.errors import BadInputError, PlanChangesError, recall
from flowops.repo import FLOWS_DIR, open_repo

AllowDirtyOption = Annotated[
    bool,
    typer.Option(
        "--allow-dirty",
        help="Go ahead though files under the flows folder have uncommitted changes "
        "(they are not part of the revision).",
    ),
]


def _check_committed(flows: Path, ref: str, *, allow_dirty: bool, refuse: bool) -> None:
    """Warn (or, with ``refuse``, stop) when uncommitted flow changes would be ignored."""
    from flowops.repo import uncommitted

    dirty = uncommitted(open_repo("."), flows)
    if not dirty:
        return
    listed = ", ".join(dirty[:5]) + (" ..." if len(dirty) > 5 else "")
    what = f"{len(dirty)} uncommitted change(s) under {flows}/ ({listed}) are not in {ref}"
    if refuse and not allow_dirty:
        raise BadInputError(f"{what}: commit them, or pass --allow-dirty to promote {ref}")
    say("warning", what)


def register(app: typer.Typer) -> None:
    """Add ``export``, ``plan``, ``promote`` and ``history`` to the root app."""

    @app.command("export")
    @handle_errors
    def export_cmd(
        env: EnvOption,
        flow: Annotated[
            list[str] | None,
            typer.Option(
                "--flow",
                metavar="NAME",
                help="Only this flow or module (repeat).",
                autocompletion=complete_flow,
            ),
        ] = None,
        commit: Annotated[bool, typer.Option("--commit", help="Commit the changed files.")] = False,
        force: Annotated[
            bool, typer.Option("--force", help="Overwrite files with uncommitted changes.")
        ] = False,
        flows: FlowsOption = Path(FLOWS_DIR),
        environments: EnvironmentsOption = None,
        fmt: FormatOption = OutputFormat.text,
        quiet: QuietOption = False,
    ) -> None:
        """Write an environment's flows as canonical, account-free files under flows/.

        Exit codes: 0 done, 2 bad input (unknown environment, local changes that would be
        overwritten without --force), 3 Amazon Connect error.

        Example: flowops export --env dev --commit
        """
        environment = load_environment(env, environments)
        silent = fmt != OutputFormat.text or quiet
        with progress(f"export {environment.name}", quiet=silent) as report:
            result = export_env(
                environment, flows, flow, force=force, commit=commit, progress=report
            )
        emit(render_export(result, fmt.value))

    @app.command("plan")
    @handle_errors
    def plan_cmd(
        env: EnvOption,
        ref: RefOption = "HEAD",
        flows: FlowsOption = Path(FLOWS_DIR),
        environments: EnvironmentsOption = None,
        fmt: FormatOption = OutputFormat.text,
        exit_code: Annotated[
            bool,
            typer.Option("--exit-code", help="Exit 4 when the plan would write (CI gates)."),
        ] = False,
        quiet: QuietOption = False,
    ) -> None:
        """Compare the flows at a git revision with an environment; write nothing.

        Runs every plan-time check promote runs (references, literal ARNs, names, size,
        identifiers, quotas, structure, and the action rules Connect applies on publish:
        parameter values, branches, action types per flow type). Uncommitted changes
        under the flows folder are not part of the revision: plan warns about them.
        Exit codes: 0 planned (also with changes, unless --exit-code), 1 a plan-time
        check failed (every problem listed per flow), 2 bad input, 3 Amazon Connect
        error, 4 changes present (only with --exit-code).

        Example: flowops plan --env staging --ref main --format markdown
        """
        environment = load_environment(env, environments)
        repo = open_repo(".")
        desired, sha = desired_state(repo, ref, flows)
        if not quiet:
            _check_committed(flows, ref, allow_dirty=True, refuse=False)
        client = ConnectClient.for_environment(environment)
        plan = make_plan(environment, desired, client, ref=ref, commit=sha)
        emit(render_plan(plan, fmt.value))
        if exit_code and plan.changes:
            raise PlanChangesError("changes to apply (--exit-code)", reported=True)

    @app.command("promote")
    @handle_errors
    def promote_cmd(
        env: EnvOrNoneOption = None,
        to: Annotated[str | None, typer.Option("--to", metavar="ENV", hidden=True)] = None,
        ref: RefOption = "HEAD",
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="Show the plan; write nothing.")
        ] = False,
        yes: YesOption = False,
        auto_restore: Annotated[
            bool,
            typer.Option(
                "--auto-restore/--no-auto-restore",
                help="On failure, put changed flows back to their restore points.",
            ),
        ] = True,
        allow_dirty: AllowDirtyOption = False,
        flows: FlowsOption = Path(FLOWS_DIR),
        environments: EnvironmentsOption = None,
        fmt: FormatOption = OutputFormat.text,
        quiet: QuietOption = False,
    ) -> None:
        """Apply the flows at a git revision to an environment, dependencies first.

        Each changed flow gets new content and a release version (and a restore-point
        version unless its live content is the last release's); the release is recorded
        in Connect and tagged in git. Uncommitted changes under the flows folder stop it
        (they are not in the revision) unless --allow-dirty. (--to ENV is the older
        spelling of --env.) SIGINT/SIGTERM stop at the next flow, put back what the
        release changed and record it as cancelled (a second signal aborts at once:
        `flowops unlock` then clears the lock).
        Exit codes: 0 released (or nothing to do), 1 a step failed (table of where each
        flow is), 2 bad input, 3 Amazon Connect error, 130/143 cancelled.

        Example: flowops promote --env staging --ref main
        """

        def known(exc: BaseException) -> dict[str, Any]:
            return apply_payload(recall(exc, ApplyResult) or ApplyResult(env or to or "", None))

        with json_failure(fmt == OutputFormat.json and not dry_run, "promote", known):
            target = load_environment(pick_env(env, to, "--to"), environments)
            if not dry_run:
                _check_committed(flows, ref, allow_dirty=allow_dirty, refuse=True)

            def confirm(plan: Plan) -> bool:
                err_console.print(render_plan(plan, "text"))
                if not err_console.is_terminal:
                    return False
                return typer.confirm(
                    f"{plan.env.name} is protected. Apply ({plan_summary(plan)})?", err=True
                )

            client = ConnectClient.for_environment(target)
            silent = quiet or dry_run or fmt != OutputFormat.text
            with progress(f"promote {target.name}", quiet=silent, client=client) as report:
                result = promote(
                    target,
                    ref,
                    ".",
                    dry_run=dry_run,
                    yes=yes,
                    flows_dir=str(flows),
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
                say("warning", warning)
            if result.tag and fmt == OutputFormat.text:
                err_console.print(f"tagged {result.tag}", highlight=False)

    @app.command("history")
    @handle_errors
    def history_cmd(
        env: EnvOption,
        flow: Annotated[
            str | None,
            typer.Option(
                "--flow",
                metavar="NAME",
                help="Only releases of this flow, with versions.",
                autocompletion=complete_flow,
            ),
        ] = None,
        environments: EnvironmentsOption = None,
        fmt: FormatOption = OutputFormat.text,
    ) -> None:
        """Releases recorded in an environment (and a flow's versions), newest first.

        Example: flowops history --env prod --flow "Main Inbound"
        """
        environment = load_environment(env, environments)
        emit(render_history(history(environment, flow), fmt.value))
