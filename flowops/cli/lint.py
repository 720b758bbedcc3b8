"""CLI commands ``lint`` and ``rules``: parse options, call flowops.lint, render."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from flowops.cli.common import emit, err_console, handle_errors
from flowops.errors import CheckFailedError, FlowParseError
from flowops.lint import (
    Severity,
    lint_paths,
    load_config,
    render_github,
    render_json,
    render_sarif,
    render_text,
)
from flowops.lint.docs import render_rules_markdown, render_rules_text
from flowops.lint.engine import LintReport


class LintFormat(StrEnum):
    """Output formats of ``flowops lint``."""

    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"


_RENDERERS = {
    LintFormat.text: render_text,
    LintFormat.json: render_json,
    LintFormat.sarif: render_sarif,
    LintFormat.github: render_github,
}

LINT_HELP = """Check flow files for structural faults, unhandled errors and risky patterns.

PATHS are flow files or directories (every *.json below them); default: flows/.

Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 a file that \
cannot be parsed (all files are still linted and all parse errors listed) or a bad \
configuration.

Configuration and suppressions: the `lint` section of flowops.yaml at the repository \
root, or the tool.flowops.lint table of pyproject.toml, e.g.

\b
    lint:
      rules: {FL502: {enabled: false}, FL201: {severity: error}}
      ignore:
        - {rule: FL104, flow: "Main IVR", action: "old-greeting", reason: "why"}

Every suppression needs a reason. Rules: `flowops rules` and docs/rules.md.

Example: flowops lint flows --format sarif > flowops.sarif
"""


def run_lint(
    paths: list[Path], fmt: LintFormat, config_path: Path | None
) -> tuple[LintReport, str]:
    """Lint and render; the report decides the exit code."""
    config = load_config(config_path)
    report = lint_paths(paths, config)
    return report, _RENDERERS[fmt](report)


def register(app: typer.Typer) -> None:
    """Add ``lint`` and ``rules`` to the root app."""

    @app.command("lint", help=LINT_HELP)
    @handle_errors
    def lint(
        paths: Annotated[
            list[Path] | None,
            typer.Argument(metavar="PATH", help="Flow files or directories (default: flows/)."),
        ] = None,
        fmt: Annotated[
            LintFormat, typer.Option("--format", "-f", help="Output format.")
        ] = LintFormat.text,
        fail_on: Annotated[
            Severity,
            typer.Option("--fail-on", help="Exit 1 when a finding is at or above this severity."),
        ] = Severity.error,
        config: Annotated[
            Path | None,
            typer.Option(
                "--config",
                metavar="PATH",
                help="flowops.yaml or pyproject.toml to read (default: found from the "
                "current directory up to the repository root).",
                envvar="FLOWOPS_LINT_CONFIG",
            ),
        ] = None,
    ) -> None:
        targets = paths or [Path("flows")]
        report, text = run_lint(targets, fmt, config)
        emit(text)
        if not report.files:
            where = ", ".join(str(p) for p in targets)
            err_console.print(
                f"[yellow]warning:[/] no flow files (*.json) under {where}",
                highlight=False,
                soft_wrap=True,
            )
        for failure in report.errors:
            err_console.print(
                f"[bold red]error:[/] {failure.message}", highlight=False, soft_wrap=True
            )
        if report.errors:
            raise FlowParseError(f"{len(report.errors)} file(s) could not be parsed")
        failing = report.at_or_above(fail_on)
        if failing:
            raise CheckFailedError(
                f"{len(failing)} finding(s) at or above {fail_on.value} (--fail-on)"
            )

    @app.command("rules")
    @handle_errors
    def rules(
        markdown: Annotated[
            bool, typer.Option("--markdown", help="Print docs/rules.md (generated docs).")
        ] = False,
    ) -> None:
        """List lint rules; --markdown writes the documentation kept in docs/rules.md.

        Example: flowops rules --markdown > docs/rules.md
        """
        emit(render_rules_markdown() if markdown else render_rules_text())
