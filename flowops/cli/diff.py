"""CLI commands ``diff`` and ``drift``: parse options, call flowops.diff, render."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from flowops.cli.common import (
    EnvironmentsOption,
    EnvOption,
    FlowsOption,
    console,
    emit,
    handle_errors,
    say,
)
from flowops.diff.compare import compare_sides
from flowops.diff.render_json import render_json
from flowops.diff.render_markdown import render_markdown
from flowops.diff.render_mermaid import render_mermaid
from flowops.diff.render_text import render_text
from flowops.diff.result import TreeDiff
from flowops.diff.sources import LiveSides, Side, SourceContext, default_sides
from flowops.errors import CheckFailedError
from flowops.repo import FLOWS_DIR


class DiffFormat(StrEnum):
    """Output formats of ``flowops diff`` and ``flowops drift``."""

    text = "text"
    json = "json"
    markdown = "markdown"
    mermaid = "mermaid"


DIFF_HELP = """Semantic diff of flows: what a contact would experience differently.

OLD and NEW are each a flow file or folder, a git revision (HEAD~1, main, a tag), \
REV:PATH (a file or folder at a revision), env:NAME (the flows live in an environment) \
or NAME:Flow Name@12 (one flow at a published version in environment NAME). Default: \
HEAD vs the working tree (flowops diff), OLD vs the working tree (flowops diff OLD). A \
side naming one flow narrows the other side to that flow.

Layout-only edits (designer positions) are listed but are not semantic changes; ARNs \
that differ only in account, Region or instance are equal.

Exit codes: 0 (also with changes, unless --exit-code), 1 semantic changes with \
--exit-code, 2 bad input (unreadable file, unknown revision or environment, no such \
version), 3 AWS error.

Example: flowops diff main --format markdown --output diff.md
"""

DRIFT_HELP = """Live flows of an environment vs the files of its last release.

Reports which flows were edited, created or deleted in the console since the release (or \
since --ref), with the same semantic diff as `flowops diff`. Exit 1 when drifted, 0 when \
not: made for a scheduled CI job. Exit 2 when no release is recorded and no --ref is \
given.

Example: flowops drift --env prod --format markdown
"""


def _render(diff: TreeDiff, fmt: DiffFormat, output: Path | None) -> None:
    if fmt is DiffFormat.text:
        text = render_text(diff)
        if output is None:
            console.print(text, highlight=False, soft_wrap=True, end="")
            return
        body = text.plain
    elif fmt is DiffFormat.json:
        body = render_json(diff)
    elif fmt is DiffFormat.markdown:
        body = render_markdown(diff)
    else:
        body = render_mermaid(diff)
    if output is None:
        emit(body)
    else:
        output.write_text(body if body.endswith("\n") else body + "\n", encoding="utf-8")


def _env_side(name: str, env_root: Path | None) -> Side:
    from flowops.deploy.drift import live_side

    return live_side(name, env_root)


def _env_flow_side(name: str, flow: str, version: int | None, env_root: Path | None) -> Side:
    from flowops.deploy.drift import live_flow_side

    return live_flow_side(name, flow, version, env_root)


#: ``flowops.deploy.drift.LIVE_SIDES``, imported only when a side names an environment.
LIVE = LiveSides(env=_env_side, flow=_env_flow_side)


def run_diff(old: str | None, new: str | None, ctx: SourceContext) -> tuple[TreeDiff, list[str]]:
    """Read both sides and diff them; returns the diff and warnings for stderr."""
    old_side, new_side = default_sides(old, new, ctx)
    return compare_sides(old_side, new_side), [*old_side.warnings, *new_side.warnings]


FormatOption = Annotated[DiffFormat, typer.Option("--format", "-f", help="Output format.")]
OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", metavar="PATH", help="Write to this file instead of stdout."),
]


def register(app: typer.Typer) -> None:
    """Add ``diff`` and ``drift`` to the root app."""

    @app.command("diff", help=DIFF_HELP)
    @handle_errors
    def diff(
        old: Annotated[
            str | None, typer.Argument(metavar="OLD", help="Old side (default: HEAD).")
        ] = None,
        new: Annotated[
            str | None, typer.Argument(metavar="NEW", help="New side (default: working tree).")
        ] = None,
        fmt: FormatOption = DiffFormat.text,
        exit_code: Annotated[
            bool,
            typer.Option("--exit-code", help="Exit 1 when there is a semantic change (like git)."),
        ] = False,
        output: OutputOption = None,
        flows: FlowsOption = Path(FLOWS_DIR),
        environments: EnvironmentsOption = None,
    ) -> None:
        result, warnings = run_diff(old, new, SourceContext(flows, environments, LIVE))
        for warning in warnings:
            say("warning", warning)
        _render(result, fmt, output)
        if exit_code and result.has_changes:
            raise CheckFailedError("semantic changes (--exit-code)", reported=True)

    @app.command("drift", help=DRIFT_HELP)
    @handle_errors
    def drift(
        env: EnvOption,
        ref: Annotated[
            str | None,
            typer.Option(
                "--ref", metavar="REF", help="Compare with this git revision, not the last release."
            ),
        ] = None,
        fmt: FormatOption = DiffFormat.text,
        output: OutputOption = None,
        flows: FlowsOption = Path(FLOWS_DIR),
        environments: EnvironmentsOption = None,
    ) -> None:
        from flowops.config import load_environment
        from flowops.deploy.drift import drift as run_drift

        environment = load_environment(env, environments)
        report = run_drift(environment, ref=ref, ctx=SourceContext(flows, environments))
        for warning in report.warnings:
            say("warning", warning)
        _render(report.diff, fmt, output)
        if report.drifted:
            changed = [f.key for f in report.diff.flows if f.semantic]
            raise CheckFailedError(
                f"environment {report.env!r} drifted from {report.diff.old_label}: "
                f"{len(changed)} flow(s) changed live ({', '.join(changed[:5])}"
                f"{', ...' if len(changed) > 5 else ''})"
            )
