"""Reporters: pure functions from a ``LintReport`` to text. They format, never decide."""

from __future__ import annotations

import json
from itertools import groupby
from pathlib import Path
from typing import Any
from urllib.parse import quote

from flowops import SOURCE_REPOSITORY, __version__
from flowops.lint.engine import LintReport
from flowops.lint.finding import Finding, Severity
from flowops.lint.rules import ALL_RULES
from flowops.schemas import stamp

RULES_URL = f"https://github.com/{SOURCE_REPOSITORY}/blob/main/docs/rules.md"
#: The rule id machine formats give a file that cannot be read or parsed: it is reported
#: like a finding (severity error) so a malformed file is annotated, not left out.
UNREADABLE_RULE = "FL000"
UNREADABLE_NAME = "unreadable-file"
UNREADABLE_SUMMARY = "A file that cannot be read or parsed."
UNREADABLE_HELP = (
    f"{UNREADABLE_SUMMARY} It is not valid JSON, or not the flow language's shape, so no "
    "rule could check it; the message says where."
)


def with_unreadable(report: LintReport) -> list[Finding]:
    """The findings, then one ``FL000`` finding per file that could not be parsed."""
    unreadable = [
        Finding(UNREADABLE_RULE, Severity.error, e.file, "", None, e.message, line=1)
        for e in report.errors
    ]
    return [*report.findings, *unreadable]


def _where(finding: Finding) -> str:
    if not finding.flow:
        return "file"
    action = f" action {finding.action!r}" if finding.action else ""
    return f"flow {finding.flow!r}{action}"


def render_text(report: LintReport) -> str:
    """Findings grouped by file: line, rule id, severity, flow/action and message."""
    lines: list[str] = []
    for file, group in groupby(report.findings, key=lambda f: f.file or "<input>"):
        lines.append(file)
        for f in group:
            loc = f"{f.line}:" if f.line else "-:"
            lines.append(f"  {loc:<6} {f.rule} {f.severity.value:<7} {_where(f)}: {f.message}")
        lines.append("")
    counts = report.counts()
    files_with = len({f.file for f in report.findings})
    summary = (
        f"{len(report.findings)} finding(s) ({counts[Severity.error]} error, "
        f"{counts[Severity.warning]} warning, {counts[Severity.info]} info) "
        f"in {files_with} of {len(report.files)} file(s)"
    )
    if report.suppressed:
        summary += f"; {report.suppressed} suppressed by configuration"
    if report.errors:
        summary += f"; {len(report.errors)} file(s) could not be parsed"
    lines.append(summary)
    return "\n".join(lines) + "\n"


def finding_dict(finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "severity": finding.severity.value,
        "file": finding.file,
        "flow": finding.flow,
        "action": finding.action,
        "message": finding.message,
        "path": finding.path,
        "line": finding.line,
    }


def render_json(report: LintReport) -> str:
    """``{"schema", "findings", "files", "suppressed"}`` (docs/json.md).

    Each finding has rule, severity, file, flow, action, message, path, line; a file that
    cannot be parsed is a finding of rule ``FL000``.
    """
    payload = {
        "findings": [finding_dict(f) for f in with_unreadable(report)],
        "files": len(report.files) + len(report.errors),
        "suppressed": report.suppressed,
    }
    return json.dumps(stamp("lint", payload), indent=2, ensure_ascii=False)


def _relative(file: str | None) -> str | None:
    """The file relative to the working directory (the repository root in CI), POSIX
    style; None when it is outside it (or unknown)."""
    if not file:
        return None
    path = Path(file)
    if path.is_absolute():
        try:
            path = path.relative_to(Path.cwd())
        except ValueError:
            return None
    return path.as_posix()


def _uri(file: str | None) -> str:
    """SARIF ``artifactLocation.uri``: a URI reference (spaces and the like escaped)."""
    relative = _relative(file)
    if relative is not None:
        return quote(relative)
    return Path(file).resolve().as_uri() if file else "unknown"


def _path(file: str | None) -> str:
    """A workflow command's ``file=``: the plain path, as GitHub matches it to the diff."""
    return _relative(file) or file or "unknown"


_SARIF_LEVEL = {Severity.error: "error", Severity.warning: "warning", Severity.info: "note"}


def render_sarif(report: LintReport) -> str:
    """SARIF 2.1.0, as GitHub code scanning accepts (one run, rules in the driver)."""
    import inspect  # for SARIF only: its import costs a tenth of a one-file lint

    index = {rule.id: i for i, rule in enumerate(ALL_RULES)}
    rules = [
        {
            "id": rule.id,
            "name": rule.name,
            "shortDescription": {"text": rule.summary()},
            "fullDescription": {"text": " ".join((rule.__doc__ or "").split())},
            # GitHub code scanning shows ``help`` as the alert's rule documentation.
            "help": {
                "text": " ".join((rule.__doc__ or "").split()),
                "markdown": inspect.cleandoc(rule.__doc__ or ""),
            },
            "helpUri": f"{RULES_URL}#{rule.id.lower()}-{rule.name}",
            "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity]},
        }
        for rule in ALL_RULES
    ]
    rules.append(
        {
            "id": UNREADABLE_RULE,
            "name": UNREADABLE_NAME,
            "shortDescription": {"text": UNREADABLE_SUMMARY},
            "fullDescription": {"text": UNREADABLE_HELP},
            "help": {"text": UNREADABLE_HELP, "markdown": UNREADABLE_HELP},
            "helpUri": f"{RULES_URL}#unreadable-files",
            "defaultConfiguration": {"level": "error"},
        }
    )
    index[UNREADABLE_RULE] = len(rules) - 1
    results = []
    for f in with_unreadable(report):
        location: dict[str, Any] = {
            "physicalLocation": {
                "artifactLocation": {"uri": _uri(f.file)},
                "region": {"startLine": f.line or 1},
            }
        }
        if f.action:
            location["logicalLocations"] = [
                {"name": f.action, "fullyQualifiedName": f"{f.flow}/{f.action}", "kind": "member"}
            ]
        result: dict[str, Any] = {
            "ruleId": f.rule,
            "level": _SARIF_LEVEL[f.severity],
            "message": {"text": f"{_where(f)}: {f.message}"},
            "locations": [location],
            "partialFingerprints": {
                "flowopsFinding/v1": f"{f.rule}:{f.flow}:{f.action or ''}:{f.message}"
            },
        }
        if f.rule in index:
            result["ruleIndex"] = index[f.rule]
        results.append(result)
    sarif = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "flowops",
                        "version": __version__,
                        "informationUri": RULES_URL,
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(sarif, indent=2, ensure_ascii=False)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


_GITHUB_COMMAND = {Severity.error: "error", Severity.warning: "warning", Severity.info: "notice"}


def render_github(report: LintReport) -> str:
    """GitHub Actions workflow commands (``::error file=...,line=...::message``)."""
    lines = []
    for f in with_unreadable(report):
        props = [f"file={_escape_property(_path(f.file))}"]
        if f.line:
            props.append(f"line={f.line}")
        props.append(f"title={_escape_property(f'{f.rule} ' + _where(f))}")
        lines.append(
            f"::{_GITHUB_COMMAND[f.severity]} {','.join(props)}::{_escape_data(f.message)}"
        )
    return "\n".join(lines) + ("\n" if lines else "")
