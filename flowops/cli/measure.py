"""CLI command ``measure``: a canary's variants (or a release's before and after) from
Amazon Connect's flow metrics, against the environment's success criteria."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from flowops.cli.common import (
    EnvironmentsOption,
    EnvOption,
    FormatOption,
    OutputFormat,
    complete_flow,
    console,
    emit,
    handle_errors,
)
from flowops.errors import CheckFailedError

MEASURE_HELP = """Measure results: each canary variant's contacts, outcome mix and flow times \
since the canary started, or a release's entry flow over equal windows before and after it.

Differences between the variants come with a test (two-proportion z-test, Fisher's exact \
test for small counts) at the criteria's confidence; the verdict is against the \
environment's success criteria (docs/measure.md): pass, fail, unclear, insufficient (not \
enough data yet) or no-criteria.

Exit codes: 0 measured, 1 a verdict is fail (criteria breached), 2 bad input (no canary \
or release to measure, bad environment file), 3 AWS error.

Example: flowops measure --env prod --flow "Main Inbound" --format markdown
"""


def register(app: typer.Typer) -> None:
    """Add ``measure`` to the root app."""

    @app.command("measure", help=MEASURE_HELP)
    @handle_errors
    def measure_cmd(
        env: EnvOption,
        flow: Annotated[
            str | None,
            typer.Option(
                "--flow",
                metavar="NAME",
                help="The entry flow (default: every running canary).",
                autocompletion=complete_flow,
            ),
        ] = None,
        release: Annotated[
            int | None,
            typer.Option(
                "--release",
                metavar="ID",
                help="Measure this release of --flow (default: its canary, else its newest).",
            ),
        ] = None,
        fmt: FormatOption = OutputFormat.text,
        environments: EnvironmentsOption = None,
    ) -> None:
        from flowops.config import load_environment
        from flowops.connect import ConnectClient
        from flowops.deploy.measure import measure
        from flowops.deploy.measure_report import (
            measurement_markdown,
            measurement_text,
            measurements_json,
        )

        client = ConnectClient.for_environment(load_environment(env, environments))
        found = measure(client, flow, release)
        if fmt == OutputFormat.json:
            emit(json.dumps(measurements_json(found), indent=2))
        elif fmt == OutputFormat.markdown:
            emit("\n".join(measurement_markdown(m) for m in found))
        else:
            text = "\n".join(measurement_text(m) for m in found)
            console.print(text, highlight=False, markup=False)
        breached = [m.flow for m in found if m.breached]
        if breached:
            raise CheckFailedError(
                f"success criteria breached: {', '.join(breached)}", reported=True
            )
