"""``flowops lint`` without typer: the command's body, and the fast path that runs it.

A pre-commit hook runs ``flowops lint`` on every commit, so its start-up is part of the
product. typer (with its pydantic adapters) and rich cost about three times what lint
itself imports, so the console script (``flowops.cli.entry``) sends a plain
``flowops lint [PATHS...] [--format F] [--fail-on S] [--config FILE]`` here, parsed with
no framework at all. Anything else (``--help``, an unknown option or value, ``--``)
returns None and goes to the typer command, which parses it fully and reports usage
errors; both run ``lint_command``, so they cannot disagree on what lint does.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from flowops.cli.output import emit
from flowops.errors import (
    CheckFailedError,
    ExitCode,
    FlowopsError,
    FlowParseError,
    internal_error_line,
)
from flowops.lint import (
    LintReport,
    Severity,
    lint_paths,
    load_config,
    render_github,
    render_json,
    render_sarif,
    render_text,
)

#: Environment variable naming the configuration file (``--config``).
CONFIG_ENV = "FLOWOPS_LINT_CONFIG"


class LintFormat(StrEnum):
    """Output formats of ``flowops lint``."""

    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"


RENDERERS: dict[LintFormat, Callable[[LintReport], str]] = {
    LintFormat.text: render_text,
    LintFormat.json: render_json,
    LintFormat.sarif: render_sarif,
    LintFormat.github: render_github,
}

#: ``say(level, message)`` writes one ``warning:`` or ``error:`` line to stderr.
Say = Callable[[str, str], None]


def run_lint(
    paths: list[Path], fmt: LintFormat, config_path: Path | None
) -> tuple[LintReport, str]:
    """Lint and render; the report decides the exit code."""
    config = load_config(config_path)
    report = lint_paths(paths, config)
    return report, RENDERERS[fmt](report)


def lint_command(
    paths: Sequence[Path] | None,
    fmt: LintFormat,
    fail_on: Severity,
    config: Path | None,
    say: Say,
) -> None:
    """What ``flowops lint`` does: report, warn, raise ``FlowopsError`` to fail."""
    targets = list(paths or [Path("flows")])
    report, text = run_lint(targets, fmt, config)
    emit(text)
    if not report.files:
        where = ", ".join(str(p) for p in targets)
        say("warning", f"no flow files (*.json) under {where}")
    for failure in report.errors:
        say("error", failure.message)
    if report.errors:
        raise FlowParseError(f"{len(report.errors)} file(s) could not be parsed")
    failing = report.at_or_above(fail_on)
    if failing:
        raise CheckFailedError(f"{len(failing)} finding(s) at or above {fail_on.value} (--fail-on)")


@dataclass(frozen=True, slots=True)
class FastArgs:
    """The options of ``flowops lint`` that the fast path understands."""

    paths: tuple[Path, ...]
    fmt: LintFormat = LintFormat.text
    fail_on: Severity = Severity.error
    config: Path | None = None


_OPTIONS = {"--format": "fmt", "-f": "fmt", "--fail-on": "fail_on", "--config": "config"}


def parse_fast(argv: Sequence[str]) -> FastArgs | None:
    """The arguments after ``lint``, or None for anything the typer command should parse.

    Understood: paths (not starting with ``-``), ``--format``/``-f``, ``--fail-on`` and
    ``--config``, each as ``--opt value`` or ``--opt=value``, with valid values;
    ``FLOWOPS_LINT_CONFIG`` when ``--config`` is not given.
    """
    values: dict[str, str] = {}
    paths: list[Path] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        i += 1
        if not arg.startswith("-"):
            paths.append(Path(arg))
            continue
        name, eq, value = arg.partition("=")
        if name not in _OPTIONS or (eq and name == "-f"):
            return None  # --help, --, unknown or short forms: typer decides
        if not eq:
            if i >= len(argv):
                return None
            value = argv[i]
            i += 1
        values[_OPTIONS[name]] = value
    try:
        fmt = LintFormat(values.get("fmt", "text"))
        fail_on = Severity(values.get("fail_on", "error"))
    except ValueError:
        return None
    config = values.get("config") or os.environ.get(CONFIG_ENV) or None
    return FastArgs(tuple(paths), fmt, fail_on, Path(config) if config else None)


_COLOURS = {"warning": "\x1b[33m", "error": "\x1b[1;31m"}


def _say(level: str, message: str) -> None:
    """``level: message`` on stderr; the level coloured on a terminal (not NO_COLOR)."""
    stream = sys.stderr
    coloured = stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"
    prefix = f"{_COLOURS[level]}{level}:\x1b[0m" if coloured else f"{level}:"
    stream.write(f"{prefix} {message}\n")
    stream.flush()


def run_fast(argv: Sequence[str]) -> int | None:
    """Run ``flowops lint`` with the arguments after ``lint``; None when typer should."""
    args = parse_fast(argv)
    if args is None:
        return None
    try:
        lint_command(args.paths, args.fmt, args.fail_on, args.config, _say)
    except FlowopsError as exc:
        _say("error", str(exc))
        return int(exc.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return int(ExitCode.INTERRUPTED)
    except Exception as exc:  # a bug: one line and exit 70, as handle_errors does
        if os.environ.get("FLOWOPS_DEBUG", "") not in ("", "0"):
            raise
        sys.stderr.write(internal_error_line(exc) + "\n")
        return int(ExitCode.INTERNAL_ERROR)
    return int(ExitCode.OK)
