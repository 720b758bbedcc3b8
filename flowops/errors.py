"""Exit codes and the one error hierarchy the CLI turns into a single line.

Library code raises these and never prints; only ``flowops.cli`` catches them, so
programs that import flowops get exceptions with the same meaning the CLI reports.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes, shared by every command."""

    OK = 0
    FINDINGS = 1  # lint findings, semantic changes, drift, a failed check or apply
    CHANGES = 1  # `diff --exit-code`: there are changes (git's 1)
    BAD_INPUT = 2  # usage, configuration or unreadable/invalid input
    AWS_ERROR = 3  # Amazon Connect (or the sandbox) refused or failed
    PLAN_CHANGES = 4  # `plan --exit-code`: the plan would write (1 is a failed check there)
    INTERNAL_ERROR = 70  # a bug in flowops: an unexpected exception (sysexits EX_SOFTWARE)
    INTERRUPTED = 130


def internal_error_line(exc: BaseException) -> str:
    """The one line an unexpected exception (a bug in flowops) is reported with."""
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return (
        f"internal error: {detail} (a bug in flowops; `flowops --debug ...` shows the "
        f"traceback; exit {int(ExitCode.INTERNAL_ERROR)})"
    )


class FlowopsError(Exception):
    """Base of every error flowops reports to a user; carries its exit code."""

    exit_code: ExitCode = ExitCode.BAD_INPUT


class BadInputError(FlowopsError):
    """A file, flow, option or configuration that flowops cannot use (exit 2)."""

    exit_code = ExitCode.BAD_INPUT


class FlowParseError(BadInputError):
    """A flow file that is not valid JSON or not the flow language's shape.

    The message names the file, the flow, the action identifier and the JSON path, so a
    user can go straight to the fault.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        flow: str | None = None,
        action: str | None = None,
        path: str | None = None,
    ) -> None:
        self.file = file
        self.flow = flow
        self.action = action
        self.path = path
        self.reason = message
        parts = [p for p in (file, f"flow {flow!r}" if flow else None) if p]
        if action:
            parts.append(f"action {action!r}")
        if path:
            parts.append(f"at {path}")
        where = ", ".join(parts)
        super().__init__(f"{where}: {message}" if where else message)


class CheckFailedError(FlowopsError):
    """A check ran and did not pass (exit 1): findings, drift, a failed apply.

    The only way flowops exits 1. ``reported``: the command's own output already says what
    failed (``diff --exit-code``, a status table), so the CLI adds no error line.
    """

    exit_code = ExitCode.FINDINGS

    def __init__(self, message: str, *, reported: bool = False) -> None:
        super().__init__(message)
        self.reported = reported


class PlanChangesError(CheckFailedError):
    """``plan --exit-code``: the plan would write (exit 4, distinct from a failed check)."""

    exit_code = ExitCode.PLAN_CHANGES


class ConnectApiError(FlowopsError):
    """Amazon Connect (or the sandbox) answered with an error flowops cannot recover."""

    exit_code = ExitCode.AWS_ERROR


def shorten(text: str, limit: int = 160) -> str:
    """One line of at most ``limit`` characters (long service errors in tables and lines)."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
