"""CLI command ``rollback``: parse options, call ``flowops.deploy.rollback``, render."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from flowops.cli.common import (
    EnvironmentsOption,
    EnvOption,
    FlowOption,
    FormatOption,
    OutputFormat,
    QuietOption,
    YesOption,
    console,
    emit,
    err_console,
    handle_errors,
    say,
)
from flowops.cli.progress import cancelled_dict, on_signal_rollback
from flowops.config import load_environment
from flowops.connect import ConnectClient
from flowops.deploy.render import calls_text, lag_line
from flowops.deploy.rollback import (
    FlowOutcome,
    RollbackCancelledError,
    RollbackReport,
    rollback,
)
from flowops.deploy.rollback_plan import RollbackPlan
from flowops.deploy.transaction import CancelledError
from flowops.errors import BadInputError, CheckFailedError
from flowops.schemas import stamp
from flowops.tables import markdown_table, text_table


def _version(value: int | None) -> str:
    return "-" if value is None else str(value)


def plan_text(plan: RollbackPlan) -> str:
    """The plan as lines: what each flow will go from and to."""
    lines = [f"rollback of release {', '.join(plan.reverts)} to {plan.label}:"]
    for step in plan.steps:
        note = f"  ({step.note})" if step.note else ""
        lines.append(
            f"  {step.key}: {step.action} {_version(step.from_version)} -> "
            f"{_version(step.to_version)}{note}"
        )
    return "\n".join(lines)


def report_dict(
    report: RollbackReport,
    lag: dict[str, Any] | None = None,
    cancelled: CancelledError | None = None,
) -> dict[str, Any]:
    """JSON-ready report (``--format json``); ``lag``: ``ConnectClient.lag_report()``;
    ``cancelled``: the signal that stopped it (then ``ok`` is false, and a flow it did not
    reach is ``planned``)."""
    return stamp(
        "rollback",
        {
            "env": report.env,
            "reverts": list(report.plan.reverts),
            "target": report.plan.label,
            "release": report.release_id,
            "dry_run": report.dry_run,
            "ok": report.ok and cancelled is None,
            "cancelled": cancelled_dict(cancelled) if cancelled is not None else None,
            "calls": report.calls,
            "seconds": round(report.seconds, 3),
            "flows": [
                {
                    "flow": o.step.key,
                    "id": o.step.flow_id,
                    "action": o.step.action,
                    "from_version": o.step.from_version,
                    "to_version": o.step.to_version,
                    "version_now": o.version,
                    "result": o.result,
                    "message": o.message,
                }
                for o in report.outcomes
            ],
            "notes": list(report.notes),
            "planned_calls": [{"call": c, "flow": k} for c, k in report.planned_calls],
            "lag": lag or {},
        },
    )


_COLUMNS = ("flow", "from version", "to version", "result", "note")


def _title(report: RollbackReport) -> str:
    return f"rollback of release {', '.join(report.plan.reverts)} in {report.env}" + (
        " (dry run)" if report.dry_run else f": release {report.release_id}"
    )


def _rows(report: RollbackReport) -> list[tuple[str, str, str, str, str]]:
    return [
        (
            o.step.key,
            _version(o.step.from_version),
            _version(o.version if o.result in ("restored", "repointed") else o.step.to_version),
            o.result,
            o.message,
        )
        for o in report.outcomes
    ]


def _footer(report: RollbackReport) -> str:
    return f"{len(report.outcomes)} flow(s), {report.calls} API call(s), {report.seconds:.1f} s"


def report_text(report: RollbackReport) -> str:
    """The report as plain aligned columns (``--format text``), readable when piped."""
    table = f"{_title(report)}\n\n{text_table([_COLUMNS, *_rows(report)])}"
    if not report.dry_run:
        return table
    calls = calls_text(f"a rollback of {report.env}", report.planned_calls)
    return f"{table}\n\n{calls.rstrip()}"


def report_markdown(report: RollbackReport) -> str:
    """The report as Markdown (``--format markdown``: a GitHub job summary)."""
    lines = [f"### {_title(report)}", "", markdown_table([_COLUMNS, *_rows(report)]), ""]
    lines.append(_footer(report))
    lines += [f"\n> warning: {note}" for note in report.notes]
    return "\n".join(lines)


def _progress_line(outcome: FlowOutcome) -> None:
    err_console.print(
        f"  {outcome.step.key}: {outcome.result}"
        + (f" (version {outcome.version})" if outcome.version is not None else ""),
        highlight=False,
        markup=False,
    )


def register(app: typer.Typer) -> None:
    """Add ``rollback`` to the root app."""

    @app.command("rollback")
    @handle_errors
    def rollback_cmd(
        env: EnvOption,
        environments: EnvironmentsOption = None,
        flow: FlowOption = None,
        to_release: Annotated[
            str | None,
            typer.Option(
                "--to-release", metavar="ID", help="Go back to the state right after this release."
            ),
        ] = None,
        to_version: Annotated[
            int | None,
            typer.Option("--to-version", metavar="N", help="Go back to this version (--flow)."),
        ] = None,
        archive_new: Annotated[
            bool,
            typer.Option("--archive-new", help="Archive flows the release created (never delete)."),
        ] = False,
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="Show what would change; write nothing.")
        ] = False,
        yes: YesOption = False,
        fmt: FormatOption = OutputFormat.text,
        quiet: QuietOption = False,
    ) -> None:
        """Restore every flow changed by the last release to its version before it.

        Needs no git repository: release records and flow versions come from Amazon
        Connect. The rollback is recorded as a release, so it can be rolled back too.
        SIGINT/SIGTERM stop at the next flow and record the rollback as cancelled.
        Exit codes: 0 done, 1 some flows failed (the table says where each one is),
        2 bad input or not confirmed, 3 Amazon Connect error, 130/143 cancelled.

        Example: flowops rollback --env prod --dry-run
        """
        environment = load_environment(env, environments)
        client = ConnectClient.for_environment(environment)

        def confirm(plan: RollbackPlan) -> bool:
            if yes:
                return True
            err_console.print(plan_text(plan), highlight=False, markup=False)
            if not err_console.is_terminal:
                raise BadInputError(
                    "rollback needs confirmation: run it in a terminal or pass --yes; "
                    "nothing was written"
                )
            if not typer.confirm(f"Roll back {environment.name}?", err=True):
                raise BadInputError("not confirmed; nothing was written")
            return True

        text = fmt == OutputFormat.text
        try:
            report = rollback(
                client,
                flow=flow,
                to_release=to_release,
                to_version=to_version,
                archive_new=archive_new,
                dry_run=dry_run,
                confirm=confirm,
                on_progress=_progress_line if fmt != OutputFormat.json and not quiet else None,
                on_signal=on_signal_rollback,
            )
        except RollbackCancelledError as exc:  # the one-line summary is the error line
            if fmt == OutputFormat.json:
                emit(json.dumps(report_dict(exc.report, client.lag_report(), exc), indent=2))
            elif fmt == OutputFormat.markdown:
                emit(report_markdown(exc.report))
            raise
        if text:
            console.print(report_text(report), highlight=False, markup=False)
            console.print(_footer(report), highlight=False)
            waited = lag_line(client.lag_report())
            if waited:
                console.print(waited, highlight=False, markup=False)
            for note in report.notes:
                say("warning", note)
        elif fmt == OutputFormat.markdown:
            emit(report_markdown(report))
        else:
            emit(json.dumps(report_dict(report, client.lag_report()), indent=2))
        if not report.ok:
            names = ", ".join(o.step.key for o in report.failed)
            raise CheckFailedError(f"rollback incomplete, failed: {names}")
