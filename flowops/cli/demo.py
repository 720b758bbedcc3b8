"""CLI command ``demo``: the newcomer's story on the embedded sandbox (``make demo``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flowops.cli.common import console, handle_errors
from flowops.demo import DemoStep, run_demo
from flowops.errors import CheckFailedError
from flowops.tables import text_table

DEFAULT_WORKDIR = Path(".flowops") / "demo"


def _show(step: DemoStep) -> None:
    """Print one chapter as it finishes: what a user would type, and what happened."""
    mark = "[green]✓[/]" if step.ok else "[red]✗[/]"
    console.print(f"\n{mark} [bold]{step.chapter}[/]")
    console.print(f"  [cyan]$ {step.command}[/]", highlight=False)
    console.print(f"  {step.outcome}", highlight=False, markup=False)
    for line in step.details[:12]:
        console.print(f"    {line}", style="dim", highlight=False, markup=False)
    if len(step.details) > 12:
        console.print(f"    ... {len(step.details) - 12} more", style="dim")


def _summary(steps: list[DemoStep]) -> str:
    rows = [("", "step", "command", "API calls", "time")]
    rows += [
        (
            "✓" if step.ok else "✗",
            step.chapter,
            step.command,
            str(step.api_calls) if step.api_calls else "",
            f"{step.seconds:.1f}s",
        )
        for step in steps
    ]
    return "flowops demo\n\n" + text_table(rows)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""

    @app.command("demo")
    @handle_errors
    def demo_cmd(
        workdir: Annotated[
            Path,
            typer.Option("--workdir", metavar="PATH", help="Scratch folder (reset on every run)."),
        ] = DEFAULT_WORKDIR,
        quotas: Annotated[
            bool,
            typer.Option(
                "--quotas",
                help="Enforce Connect's default API quotas (2 req/s, burst 5): slower, "
                "and shows flowops pacing itself.",
            ),
        ] = False,
    ) -> None:
        """Tell the whole story on the embedded sandbox: export, lint, diff, promote,
        canary, rollback. No AWS account needed; safe to run again (it starts over).

        Exit codes: 0 the story went as told, 1 a step did not.

        Example: flowops demo --quotas
        """
        console.print(
            "[bold]flowops demo[/]: GitOps for Amazon Connect contact flows, on the embedded "
            "sandbox (dev, staging and prod accounts, no AWS needed)."
        )
        result = run_demo(workdir, report=_show, quotas=quotas)
        console.print()
        console.print(_summary(result.steps), highlight=False, markup=False)
        if not result.ok:
            raise CheckFailedError("the demo stopped: a step did not go as expected (see above)")
        console.print(
            f"\nThe demo's repository is in [bold]{result.workdir}[/] "
            "(its own git history and environments). Next: the README's ten-minute tour "
            "runs the same story one command at a time."
        )
