"""CLI command ``doctor``: parse options, call ``flowops.connect.doctor``, render."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from flowops.cli.common import console, emit, err_console, handle_errors
from flowops.config import load_environment
from flowops.connect.doctor import Check, DoctorReport, doctor
from flowops.errors import BadInputError, ExitCode

_STYLE = {"ok": "green", "warn": "yellow", "fail": "bold red", "skip": "dim"}


def _table(report: DoctorReport) -> Table:
    table = Table(title=f"flowops doctor: {report.env} ({report.endpoint})", title_justify="left")
    for column in ("check", "status", "detail", "fix"):
        table.add_column(column, overflow="fold")
    for check in report.checks:
        style = _STYLE[check.status]
        table.add_row(
            f"{check.area}: {check.name}", f"[{style}]{check.status}[/]", check.detail, check.fix
        )
    return table


def _footer(report: DoctorReport) -> str:
    failed = len(report.failed)
    verdict = "all checks passed" if report.ok else f"{failed} check(s) failed"
    return f"{verdict}; {report.calls} API call(s), {report.seconds:.1f} s"


def _progress(check: Check) -> None:
    err_console.print(f"  {check.status:<4} {check.area}: {check.name}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``doctor`` to the root app."""

    @app.command("doctor")
    @handle_errors
    def doctor_cmd(
        env: Annotated[str, typer.Option("--env", "-e", help="Environment name or YAML file.")],
        write_probe: Annotated[
            bool,
            typer.Option(
                "--write-probe",
                help="Also create, publish, version, alias, tag and delete a scratch flow "
                "(one per flow type in use) and module named flowops-doctor-probe-<random>.",
            ),
        ] = False,
        quota_calls: Annotated[
            int, typer.Option("--quota-calls", help="Paced calls that measure the quota.")
        ] = 6,
        fmt: Annotated[
            str, typer.Option("--format", "-f", help="Output format: text or json.")
        ] = "text",
    ) -> None:
        """Check an environment before the first real promote.

        Credentials (STS), the instance, every IAM permission each flowops command needs,
        whether SearchContactFlows returns Content, versions and aliases per flow type in
        use, the API quota observed, and clock skew; one harmless call each (docs/aws.md).
        Exit codes: 0 every check passed (warnings allowed), 1 a check failed, 2 bad input.
        """
        if fmt not in ("text", "json"):
            raise BadInputError(f"--format must be text or json, not {fmt!r}")
        environment = load_environment(env)
        on_check = _progress if fmt == "text" and err_console.is_terminal else None
        report = doctor(
            environment, write_probe=write_probe, quota_calls=quota_calls, on_check=on_check
        )
        if fmt == "json":
            emit(json.dumps(report.to_dict(), indent=2))
        else:
            console.print(_table(report))
            for check in report.failed:  # unwrapped, to copy from
                console.print(
                    f"fix {check.area}: {check.name}: {check.fix}",
                    highlight=False,
                    markup=False,
                    soft_wrap=True,
                )
            console.print(_footer(report), highlight=False)
        if not report.ok:
            raise typer.Exit(int(ExitCode.FINDINGS))
