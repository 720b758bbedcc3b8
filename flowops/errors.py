"""Exit codes and the one error hierarchy the CLI turns into a single line.

Library code raises these and never prints; only ``flowops.cli`` catches them, so
programs that import flowops get exceptions with the same meaning the CLI reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any, TypeVar

T = TypeVar("T")


class ExitCode(IntEnum):
    """Process exit codes, shared by every command."""

    OK = 0
    FINDINGS = 1  # lint findings, semantic changes, drift, a failed check or apply
    CHANGES = 1  # `diff --exit-code`: there are changes (git's 1)
    BAD_INPUT = 2  # usage, configuration or unreadable/invalid input
    AWS_ERROR = 3  # Amazon Connect (or the sandbox) refused or failed
    PLAN_CHANGES = 4  # `plan --exit-code`: the plan would write (1 is a failed check there)
    INTERNAL_ERROR = 70  # a bug in flowops: an unexpected exception (sysexits EX_SOFTWARE)
    INTERRUPTED = 130  # SIGINT (Ctrl-C)
    TERMINATED = 143  # SIGTERM (a cancelled CI job)


def internal_error_line(exc: BaseException) -> str:
    """The one line an unexpected exception (a bug in flowops) is reported with."""
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return (
        f"internal error: {detail} (a bug in flowops; `flowops --debug ...` shows the "
        f"traceback; exit {int(ExitCode.INTERNAL_ERROR)})"
    )


class FlowopsError(Exception):
    """Base of every error flowops reports to a user; carries its exit code.

    ``error_type`` is the error's ``type`` in machine output (``error_dict``): ``bad-input``,
    ``failed``, ``refused``, ``aws-error``, ``cancelled`` (docs/json.md).
    """

    exit_code: ExitCode = ExitCode.BAD_INPUT
    error_type: str = "bad-input"

    def details(self) -> dict[str, Any]:
        """Extra keys of this error in machine output (e.g. the lock that refused a run)."""
        return {}


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
    error_type = "failed"

    def __init__(self, message: str, *, reported: bool = False) -> None:
        super().__init__(message)
        self.reported = reported


class RefusedError(CheckFailedError):
    """The environment's state refused the run before it wrote anything (exit 1): a lock
    held by another run, a release since the plan, success criteria not met."""

    error_type = "refused"


class PlanChangesError(CheckFailedError):
    """``plan --exit-code``: the plan would write (exit 4, distinct from a failed check)."""

    exit_code = ExitCode.PLAN_CHANGES


class ConnectApiError(FlowopsError):
    """Amazon Connect (or the sandbox) answered with an error flowops cannot recover."""

    exit_code = ExitCode.AWS_ERROR
    error_type = "aws-error"


class TerminatedError(KeyboardInterrupt):
    """SIGTERM outside a release (a cancelled CI job): stop now, exit 143.

    Inside a release transaction the first SIGTERM is handled there instead
    (``flowops.deploy.transaction``): the run stops at the next step boundary.
    """

    exit_code = ExitCode.TERMINATED

    def __init__(self, message: str = "terminated (SIGTERM)") -> None:
        super().__init__(message)


# --- what a command knew when it stopped ------------------------------------------------

_KNOWN = "flowops_known"


@dataclass(frozen=True)
class Warnings:
    """Warnings a failed run leaves (a lock not given back, a record not verified)."""

    lines: tuple[str, ...]


def remember(exc: BaseException, *known: object) -> None:
    """Attach what the command knew when ``exc`` stopped it (a partial result, the release
    record as written): the CLI renders it (``--format json``) with :func:`recall`."""
    setattr(exc, _KNOWN, [*getattr(exc, _KNOWN, []), *(k for k in known if k is not None)])


def recall(exc: BaseException, kind: type[T]) -> T | None:
    """The newest object of type ``kind`` :func:`remember` attached to ``exc``, or None."""
    for known in reversed(getattr(exc, _KNOWN, [])):
        if isinstance(known, kind):
            return known
    return None


def exit_code_of(exc: BaseException) -> int:
    """The exit code the CLI ends with for ``exc`` (``flowops.cli.common.handle_errors``)."""
    if isinstance(exc, FlowopsError):
        return int(exc.exit_code)
    if isinstance(exc, KeyboardInterrupt):
        return int(getattr(exc, "exit_code", ExitCode.INTERRUPTED))
    return int(ExitCode.INTERNAL_ERROR)


def error_dict(exc: BaseException) -> dict[str, Any]:
    """``exc`` as the ``error`` object of a machine-readable failure (docs/json.md):
    ``type``, ``message``, ``exit_code``, ``exception`` (the class), ``warnings``."""
    if isinstance(exc, FlowopsError):
        kind, message = exc.error_type, str(exc)
    elif isinstance(exc, KeyboardInterrupt):
        kind = getattr(exc, "error_type", "interrupted")
        message = str(exc) or "interrupted"
    else:
        kind, message = "internal", internal_error_line(exc)
    known = recall(exc, Warnings)
    return {
        "type": kind,
        "message": message,
        "exit_code": exit_code_of(exc),
        "exception": type(exc).__name__,
        "warnings": list(known.lines) if known else [],
        **(exc.details() if isinstance(exc, FlowopsError) else {}),
    }


def shorten(text: str, limit: int = 160) -> str:
    """One line of at most ``limit`` characters (long service errors in tables and lines)."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
