"""CLI command ``doctor``: parse options, call ``flowops.connect.doctor``, render."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from flowops.cli.common import (
    EnvironmentsOption,
    EnvOption,
    FormatOption,
    OutputFormat,
    console,
    emit,
    err_console,
    handle_errors,
)
from flowops.config import load_environment
from flowops.connect.doctor import Check, DoctorReport, doctor
from flowops.errors import CheckFailedError
from flowops.tables import markdown_table, text_table

_COLUMNS = ("check", "status", "detail", "fix")


def _title(report: DoctorReport) -> str:
    return f"flowops doctor: {report.env} ({report.endpoint})"


def _rows(report: DoctorReport) -> list[tuple[str, str, str, str]]:
    return [(f"{c.area}: {c.name}", c.status, c.detail, c.fix) for c in report.checks]


def _footer(report: DoctorReport) -> str:
    verdict = "all checks passed" if report.ok else f"{len(report.failed)} check(s) failed"
    return f"{verdict}; {report.calls} API call(s), {report.seconds:.1f} s"


def report_text(report: DoctorReport) -> str:
    """The table (no fix column when nothing failed), then each fix on a line of its own."""
    rows = _rows(report)
    columns: tuple[str, ...] = _COLUMNS if report.failed else _COLUMNS[:3]
    table = text_table([columns, *(row[: len(columns)] for row in rows)])
    fixes = [f"fix {c.area}: {c.name}: {c.fix}" for c in report.failed]
    return "\n".join([_title(report), "", table, "", *fixes, _footer(report)])


def report_markdown(report: DoctorReport) -> str:
    """The report as Markdown (``--format markdown``: a GitHub job summary)."""
    return "\n".join(
        [
            f"### {_title(report)}",
            "",
            markdown_table([_COLUMNS, *_rows(report)]),
            "",
            _footer(report),
        ]
    )


def _progress(check: Check) -> None:
    err_console.print(f"  {check.status:<4} {check.area}: {check.name}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``doctor`` to the root app."""

    @app.command("doctor")
    @handle_errors
    def doctor_cmd(
        env: EnvOption,
        environments: EnvironmentsOption = None,
        write_probe: Annotated[
            bool,
            typer.Option(
                "--write-probe",
                help="Also create, publish, version, alias, tag and delete a scratch flow "
                "(one per flow type in use) and module named flowops-doctor-probe-<random>.",
            ),
        ] = False,
        quota_calls: Annotated[
            int,
            typer.Option("--quota-calls", metavar="N", help="Paced calls that measure the quota."),
        ] = 6,
        fmt: FormatOption = OutputFormat.text,
    ) -> None:
        """Check an environment before the first real promote.

        Credentials (STS), the instance, every IAM permission each flowops command needs,
        whether SearchContactFlows returns Content, versions and aliases per flow type in
        use, the API quota observed, and clock skew; one harmless call each (docs/aws.md).
        Exit codes: 0 every check passed (warnings allowed), 1 a check failed, 2 bad input.

        Example: flowops doctor --env prod --write-probe
        """
        environment = load_environment(env, environments)
        on_check = _progress if fmt == OutputFormat.text and err_console.is_terminal else None
        report = doctor(
            environment, write_probe=write_probe, quota_calls=quota_calls, on_check=on_check
        )
        if fmt == OutputFormat.json:
            emit(json.dumps(report.to_dict(), indent=2))
        elif fmt == OutputFormat.markdown:
            emit(report_markdown(report))
        else:
            console.print(report_text(report), highlight=False, markup=False, soft_wrap=True)
        if not report.ok:
            raise CheckFailedError(f"{len(report.failed)} check(s) failed", reported=True)
