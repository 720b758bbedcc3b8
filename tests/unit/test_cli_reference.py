"""docs/cli.md is generated from the commands; one option vocabulary across all of them."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from flowops.cli.main import app
from flowops.cli.reference import cli_reference

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _sections() -> dict[str, str]:
    """``flowops COMMAND`` -> its help text, from the generated reference."""
    found = re.findall(r"^## (flowops[^\n]*)\n\n```text\n(.*?)\n```", cli_reference(), re.M | re.S)
    return dict(found)


def test_docs_cli_md_is_current() -> None:
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == cli_reference(), (
        "docs/cli.md is stale: python -m flowops.cli.reference > docs/cli.md"
    )


def test_every_command_has_an_example_and_real_placeholders() -> None:
    sections = _sections()
    assert len(sections) > 20
    for name, text in sections.items():
        if "COMMAND [ARGS]" not in text:  # groups list their commands instead
            assert "Example: flowops" in text, f"{name}: no example"
        assert not re.search(r"<(bool|str|int|path|list\[[^]]*\])>", text, re.I), name
        assert not re.search(r" (TEXT|INTEGER|BOOLEAN)\b", text), f"{name}: a type as metavar"
        assert "…" not in text, f"{name}: a word cut short"


def test_one_option_vocabulary() -> None:
    sections = _sections()
    with_env = [n for n, t in sections.items() if "--env ENV" in t]
    assert len(with_env) >= 11, with_env
    for name, text in sections.items():
        if re.search(r"--env\b(?!ironments)", text):
            assert "-e, --env ENV" in text and "FLOWOPS_ENV" in text, name
        assert not re.search(r"^\s+(-\w, )?--(root|to)( |$)", text, re.M), name
        assert "-h, --help" in text, name
        if "flows folder" in text:
            assert "--flows PATH" in text, name
    for name in with_env:  # every command that reads an environment finds it the same way
        assert "--environments PATH" in sections[name], name


def test_promote_accepts_its_older_to_spelling(tmp_path: Path) -> None:
    runner = CliRunner()
    both = runner.invoke(app, ["promote", "--env", "dev", "--to", "prod"])
    assert both.exit_code == 2 and "disagree" in both.output
    neither = runner.invoke(app, ["promote"], env={"FLOWOPS_ENV": ""})
    assert neither.exit_code == 2 and "--env" in neither.output


def test_debug_and_h_anywhere_on_the_line(tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(BIN / "flowops"), *args], cwd=tmp_path, capture_output=True, text=True
        )

    plain = run("lint", "missing.json")
    assert plain.returncode == 2 and "Traceback" not in plain.stderr
    debug = run("lint", "missing.json", "--debug")
    assert "Traceback" in debug.stderr and "BadInputError" in debug.stderr
    helped = run("canary", "status", "-h")
    assert helped.returncode == 0 and "Example: flowops canary status" in helped.stdout


def test_shell_completion_offers_environment_and_flow_names() -> None:
    def complete(words: str, cword: int) -> list[str]:
        env = {
            "PATH": f"{BIN}:/usr/bin:/bin",
            "_FLOWOPS_COMPLETE": "complete_bash",
            "COMP_WORDS": words,
            "COMP_CWORD": str(cword),
        }
        proc = subprocess.run(
            [str(BIN / "flowops")], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.splitlines()

    assert complete("flowops plan --env ", 3) == ["dev", "prod", "staging"]
    assert complete("flowops promote -e st", 3) == ["staging"]
    assert complete("flowops history --env dev --flow Ma", 5) == ["Main Inbound"]
    assert complete("flowops pro", 1) == ["promote"]
