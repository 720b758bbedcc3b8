"""What a lint rule reports: a frozen ``Finding`` with a ``Severity``."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """How bad a finding is; ``--fail-on`` compares against ``rank``."""

    error = "error"
    warning = "warning"
    info = "info"

    @property
    def rank(self) -> int:
        """Higher is worse: info 0, warning 1, error 2."""
        return _RANK[self]


_RANK = {Severity.info: 0, Severity.warning: 1, Severity.error: 2}


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in one flow, at one action (or the flow as a whole when ``action`` is None).

    ``path`` is a JSON path inside the flow content when the rule knows it; ``line`` is
    the 1-based line of the action in its file, filled in by the engine for reporters.
    """

    rule: str
    severity: Severity
    file: str | None
    flow: str
    action: str | None
    message: str
    path: str | None = None
    line: int | None = None

    def sort_key(self) -> tuple[str, int, str, str, str]:
        return (self.file or "", self.line or 0, self.rule, self.action or "", self.message)
