"""Every exit code the README promises, produced by a real command line (the console script)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from flowops.errors import ExitCode

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
FLOWOPS = str(Path(sys.executable).parent / "flowops")
FIXTURE = ROOT / "tests" / "fixtures" / "flows" / "menu.json"
BROKEN = ROOT / "tests" / "fixtures" / "lint" / "FL102"


def _readme_codes() -> set[int]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    sentence = re.search(r"Exit codes are the same for every command: ([^.]*)\.", readme)
    assert sentence, "the README's exit code sentence is gone"
    return {int(code) for code in re.findall(r"\b(\d+) [a-zA-Z]", sentence[1])}


def _env_file(folder: Path, endpoint: str) -> Path:
    path = folder / "unreachable.yaml"
    path.write_text(
        f'region: us-east-1\naccount_id: "111111111111"\ninstance: x\nendpoint_url: {endpoint}\n',
        encoding="utf-8",
    )
    return path


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [FLOWOPS, *args], cwd=cwd, capture_output=True, text=True, timeout=120, env=os.environ
    )


def test_every_readme_exit_code_comes_from_a_command(tmp_path: Path) -> None:
    codes = _readme_codes()
    assert codes == {0, 1, 2, 3, 4, 70, 130, 143}
    seen: dict[int, str] = {}

    ok = _run("lint", str(FIXTURE), "--fail-on", "error", cwd=tmp_path)
    seen[ok.returncode] = "lint of a clean flow"
    findings = _run("lint", str(next(BROKEN.rglob("bad/*.json"))), cwd=tmp_path)
    seen[findings.returncode] = "lint of a broken flow"
    bad = _run("lint", str(tmp_path / "missing.json"), cwd=tmp_path)
    assert "missing.json" in bad.stderr and "Traceback" not in bad.stderr
    seen[bad.returncode] = "lint of a missing file"
    unreachable = _env_file(tmp_path, "http://127.0.0.1:9")
    aws = _run("history", "--env", str(unreachable), cwd=tmp_path)
    assert "cannot reach" in aws.stderr and "Traceback" not in aws.stderr
    seen[aws.returncode] = "an endpoint that does not answer"

    for number, said in ((signal.SIGINT, "interrupted"), (signal.SIGTERM, "terminated")):
        with socket.socket() as silent:  # accepts connections, never answers
            silent.bind(("127.0.0.1", 0))
            silent.listen(8)
            hanging = _env_file(tmp_path, f"http://127.0.0.1:{silent.getsockname()[1]}")
            proc = subprocess.Popen(
                [FLOWOPS, "history", "--env", str(hanging)],
                cwd=tmp_path,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                # Ctrl-C reaches it even when this test runs as a background job (SIGINT ignored)
                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
            )
            silent.settimeout(60)
            connection, _ = silent.accept()  # flowops is waiting for Connect's answer now
            proc.send_signal(number)
            _, err = proc.communicate(timeout=60)
            connection.close()
        assert said in err and "Traceback" not in err
        seen[proc.returncode] = signal.Signals(number).name

    changes = _plan_with_changes(tmp_path / "repo")
    seen[changes.returncode] = "plan --exit-code with a flow to create"

    # 70 (internal error) needs a bug: tests/unit/test_cli_errors.py raises one on purpose
    assert set(seen) == codes - {70}, seen
    assert {int(c) for c in ExitCode} == codes  # the code knows no other exit code


def _plan_with_changes(repo: Path) -> subprocess.CompletedProcess[str]:
    """``plan --exit-code`` against the embedded sandbox, with one flow to create."""
    from tests.support import git_repo
    from tests.support.flows import flow_text
    from tests.support.repos import commit_files

    commit_files(git_repo(repo), {"Hello.json": flow_text("Hello", queue=None)})
    (repo / "staging.yaml").write_text(
        'region: us-east-1\naccount_id: "222222222222"\ninstance: flowops-sandbox\n'
        "endpoint_url: sandbox\nsandbox_db: .flowops/sandbox.db\n",
        encoding="utf-8",
    )
    return _run("plan", "--env", "staging.yaml", "--exit-code", cwd=repo)
