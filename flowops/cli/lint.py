"""CLI commands ``lint`` and ``rules``: parse options, call flowops.lint, render."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flowops.cli.common import emit, handle_errors, say
from flowops.cli.lint_fast import CONFIG_ENV, LintFormat, lint_command
from flowops.lint import Severity
from flowops.lint.docs import render_rules_markdown, render_rules_text

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
                envvar=CONFIG_ENV,
            ),
        ] = None,
    ) -> None:
        lint_command(paths, fmt, fail_on, config, say)

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
