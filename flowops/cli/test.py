"""CLI command ``test``: run scenarios offline (or as native test cases), report coverage."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from flowops.cli.common import (
    EnvironmentsOption,
    FlowsOption,
    complete_environment,
    emit,
    err_console,
    handle_errors,
)
from flowops.errors import BadInputError, CheckFailedError

TEST_HELP = """Run the scenarios under scenarios/ against the flows under flows/, offline.

Each scenario (YAML, docs/scenarios.md) names an entry flow, what the world does and what \
must happen. Reports: text, json (versioned, docs/test-json.md), junit (for CI test \
reporting) or markdown (the pull-request comment with coverage pictures).

With --env, the scenarios run as Amazon Connect test cases in that environment \
(docs/native-tests.md). The test cases are written under the environment's lock and \
recorded in its history (kind test-cases); the executions run after.

Exit codes: 0 every scenario passed (and coverage at or above --coverage-fail-under), \
1 a scenario failed or stopped for missing input, or coverage is too low, 2 a bad \
scenario file (named with file, line and field) or bad options, 3 AWS error (--env), \
130/143 interrupted (--env).

Example: flowops test --coverage-fail-under 90 --junit junit.xml
"""


class TestFormat(StrEnum):
    """Output formats of ``flowops test``."""

    text = "text"
    json = "json"
    junit = "junit"
    markdown = "markdown"


def register(app: typer.Typer) -> None:
    """Add ``test`` to the root app."""

    @app.command("test", help=TEST_HELP)
    @handle_errors
    def test(
        flows: FlowsOption = Path("flows"),
        scenarios: Annotated[
            Path,
            typer.Option(
                "--scenarios",
                metavar="PATH",
                envvar="FLOWOPS_SCENARIOS",
                help="The scenarios folder (or one file).",
            ),
        ] = Path("scenarios"),
        fmt: Annotated[TestFormat, typer.Option("--format", "-f", help="Output format.")] = (
            TestFormat.text
        ),
        junit: Annotated[
            Path | None,
            typer.Option("--junit", metavar="PATH", help="Also write JUnit XML to this file."),
        ] = None,
        markdown: Annotated[
            Path | None,
            typer.Option(
                "--markdown", metavar="PATH", help="Also write the Markdown coverage report here."
            ),
        ] = None,
        fail_under: Annotated[
            float | None,
            typer.Option(
                "--coverage-fail-under",
                metavar="PERCENT",
                help="Exit 1 when branch coverage is below this percentage.",
            ),
        ] = None,
        generate: Annotated[
            bool,
            typer.Option(
                "--generate",
                help="Write a scenario for every uncovered branch some input reaches "
                "(under <scenarios>/generated/), and list the branches none reaches.",
            ),
        ] = False,
        env: Annotated[
            str | None,
            typer.Option(
                "--env",
                "-e",
                metavar="ENV",
                help="Run the scenarios as test cases in this environment (a name under "
                "environments/ or a YAML file). Unlike other commands, FLOWOPS_ENV is not "
                "read here: a shell's default environment never turns an offline run live.",
                autocompletion=complete_environment,
            ),
        ] = None,
        environments: EnvironmentsOption = None,
        prune: Annotated[
            bool,
            typer.Option(
                "--prune/--no-prune",
                help="With --env: delete the test cases flowops owns whose scenario is gone "
                "or renamed (--no-prune keeps and lists them).",
            ),
        ] = True,
        dry_run: Annotated[
            bool,
            typer.Option(
                "--dry-run",
                help="With --env: say which test cases would be created, updated and "
                "pruned; write, delete and run nothing (verdicts are the offline ones).",
            ),
        ] = False,
        verbose: Annotated[
            bool, typer.Option("--verbose", "-v", help="Paths and uncovered branches.")
        ] = False,
    ) -> None:
        from flowops.simulate import report as render
        from flowops.simulate.generate import generate as search
        from flowops.simulate.generate import write_generated
        from flowops.simulate.scenario import load_scenarios
        from flowops.simulate.suite import run_scenarios
        from flowops.simulate.world import load_flowset

        if dry_run and env is None:
            raise BadInputError("--dry-run needs --env (an offline run writes nothing)")
        if fail_under is not None and not 0 <= fail_under <= 100:
            raise BadInputError("--coverage-fail-under must be between 0 and 100")
        if env is not None:
            from flowops.cli.progress import on_signal
            from flowops.config import load_environment
            from flowops.deploy.testcases import run_native

            report = run_native(
                load_environment(env, environments),
                flows,
                scenarios,
                progress=lambda line: err_console.print(line, highlight=False),
                prune=prune,
                dry_run=dry_run,
                on_signal=on_signal,
            )
        else:
            flowset = load_flowset(flows)
            loaded = load_scenarios(scenarios) if scenarios.exists() else []
            report = run_scenarios(flowset, loaded)
        generated = None
        if generate and env is None:
            taken = {b for r in report.results for b in r.run.branches}
            generated = search(
                flowset, taken, existing_names=[r.scenario.name for r in report.results]
            )
            folder = scenarios if scenarios.is_dir() or not scenarios.exists() else scenarios.parent
            write_generated(generated, folder / "generated")
            report = run_scenarios(flowset, load_scenarios(folder))
            for path in generated.written:
                err_console.print(f"wrote {path}", highlight=False)
            for u in generated.unreachable:
                err_console.print(
                    f"unreachable: {u.flow_name}: {u.branch.type} {u.branch.action} "
                    f"{u.branch.label}: {u.reason}",
                    highlight=False,
                )
        if junit is not None:
            junit.write_text(render.render_junit(report), encoding="utf-8")
        if markdown is not None:
            markdown.write_text(render.render_markdown(report), encoding="utf-8")
        if fmt is TestFormat.json:
            emit(render.render_json(report, generated))
        elif fmt is TestFormat.junit:
            emit(render.render_junit(report))
        elif fmt is TestFormat.markdown:
            emit(render.render_markdown(report))
        else:
            emit(render.render_text(report, verbose=verbose))
        problems = []
        if not report.ok:
            problems.append(f"{report.failed} of {len(report.results)} scenario(s) failed")
        if fail_under is not None and report.coverage.percent < fail_under:
            problems.append(
                f"branch coverage {report.coverage.percent:.1f}% is below {fail_under}%"
            )
        if problems:
            raise CheckFailedError("; ".join(problems))
