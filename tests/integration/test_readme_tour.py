"""The README's commands, run in order: documentation that cannot rot.

Every ``$ `` line in a ``console`` block of the README runs here, in one bash session
(so ``cd`` carries over) in a scratch folder laid out like a clone (``environments/``
beside it), against a fresh embedded sandbox. Each must exit with the code the README
gives (``# exits N: ...``), 0 otherwise. The Quick start's ``make demo`` and ``make test``
are checked through the Makefile (``make demo`` is ``flowops demo``, run by
tests/integration/test_demo_command.py; ``make test`` is this suite).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import traceback
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flowops.cli.main import app
from flowops.demo import copy_environments

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"


@dataclass(frozen=True)
class Command:
    line: str
    section: str
    expected: int


def readme_commands() -> list[Command]:
    """``$ `` lines of the README's ``console`` blocks with their section and exit code."""
    commands: list[Command] = []
    section = ""
    in_console = False
    for raw in README.read_text(encoding="utf-8").splitlines():
        if raw.startswith("## "):
            section = raw[3:].strip()
        if raw.startswith("```"):
            in_console = raw.strip() == "```console" and not in_console
            continue
        if in_console and raw.startswith("$ "):
            line = raw[2:].strip()
            match = re.search(r"#\s*exits (\d+)", line)
            commands.append(Command(line, section, int(match[1]) if match else 0))
    return commands


def test_quick_start_is_make_demo_then_make_test() -> None:
    commands = readme_commands()
    assert [c.line for c in commands[:2]] == ["make demo", "make test"]
    assert {c.section for c in commands[:2]} == {"Quick start"}
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^demo:.*\n\t\$\(BIN\)/flowops demo$", makefile, re.M)


def test_every_other_readme_command_is_a_tour_or_cli_command() -> None:
    rest = readme_commands()[2:]
    assert rest, "the README has a tour"
    first_words = {c.line.split()[0] for c in rest}
    assert first_words <= {"flowops", "git", "cp", "sed", "echo"}, first_words
    assert any("# exits 1" in c.line for c in rest), "the lint step shows a failure"


def run_line(line: str, cwd: Path, env: dict[str, str]) -> tuple[int, str, Path]:
    """One README line: ``&&``-chained segments; ``cd`` moves, ``flowops`` runs in-process.

    flowops runs through typer's CliRunner (the same app as the console script, without a
    second's interpreter start per command); everything else runs in bash.
    """
    output = []
    for segment in re.split(r"\s&&\s", line.split(" # ")[0].split("  #")[0]):
        words = shlex.split(segment)
        if words[0] == "cd":
            cwd = (cwd / words[1]).resolve()
            continue
        if words[0] == "flowops":
            previous = Path.cwd()
            os.chdir(cwd)
            try:
                result = CliRunner().invoke(app, words[1:], env=env)
            finally:
                os.chdir(previous)
            code, text = result.exit_code, result.output
            if result.exception and not isinstance(result.exception, SystemExit):
                text += "".join(traceback.format_exception(result.exception))
        else:
            proc = subprocess.run(
                ["bash", "--noprofile", "--norc", "-c", segment],
                cwd=cwd,
                env={**os.environ, **env},
                capture_output=True,
                text=True,
                timeout=120,
            )
            code, text = proc.returncode, proc.stdout + proc.stderr
        output.append(text)
        if code != 0:
            return code, "".join(output), cwd
    return 0, "".join(output), cwd


def test_readme_tour_runs_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    commands = readme_commands()[2:]
    # The project's environments, with client pacing lifted: with the sandbox's quota off
    # (below) pacing would only slow the test down; commands and results are the same.
    copy_environments(tmp_path / "environments", paced=False)
    env = {
        "HOME": str(tmp_path),
        "FLOWOPS_SANDBOX_QUOTA": "off",
        "GIT_AUTHOR_NAME": "Reader",
        "GIT_AUTHOR_EMAIL": "reader@example.com",
        "GIT_COMMITTER_NAME": "Reader",
        "GIT_COMMITTER_EMAIL": "reader@example.com",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "COLUMNS": "120",
        "SHELL": "/bin/bash",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    cwd = tmp_path
    transcript = []
    for command in commands:
        code, output, cwd = run_line(command.line, cwd, env)
        transcript.append(output)
        assert code == command.expected, (
            f"README ({command.section}): `{command.line}` exited {code}, "
            f"expected {command.expected}\n{output[-3000:]}"
        )
    text = "\n".join(transcript)
    # The story happened: lint caught the fault, the diff showed the fix, prod rolled back.
    assert "FL204" in text
    assert "'3' -> '8'" in text
    assert "restored" in text
    assert "branch coverage 100.0%" in text  # flowops test --coverage-fail-under 100
    assert (tmp_path / "tour" / "flows" / "Billing-Self-Service.json").is_file()


def test_readme_links_point_at_files_that_exist() -> None:
    text = README.read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", text)
    assert targets, "the README links its docs"
    for target in targets:
        assert (ROOT / target).exists(), f"README links {target}, which does not exist"
