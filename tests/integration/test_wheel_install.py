"""The README's install section, followed from a built wheel in a fresh virtual environment.

One test, about a minute: build the sdist and wheel as the release workflow does, check
them (twine), install the wheel into a new venv (dependencies from the package index,
as `pip install flowops-connect` would), then in an empty folder: ``flowops --version``,
``flowops demo``, ``flowops init --sandbox``, an export, and the scaffolded deploy
workflow's steps against the sandbox with only that venv's ``flowops`` on PATH.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import venv
from pathlib import Path

import pytest
import yaml

from flowops import DISTRIBUTION, __version__
from tests.support.actions import failures, git, results, run_workflow, runner_env

pytestmark = [pytest.mark.integration, pytest.mark.wheel]

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, f"{args}: {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def readme_install_lines() -> list[str]:
    """The commands of the README's Install section (its ``sh`` block)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"^## Install\n.*?```sh\n(.*?)```", readme, re.S | re.M)
    assert block, "the README has no Install section with an sh block"
    return [line.split("  #")[0].strip() for line in block[1].splitlines() if line.strip()]


def test_readme_install_lines_name_the_pinned_distribution() -> None:
    lines = readme_install_lines()
    installs = [line for line in lines if " install " in line]
    assert {line.split()[0] for line in installs} == {"pipx", "python"}
    for line in installs:
        assert f"{DISTRIBUTION}==" in line or f"{DISTRIBUTION} @ git+" in line, line
        assert __version__ in line, line
    assert any(line.startswith("pipx install") for line in installs)
    assert any("git+https://" in line for line in installs)
    assert lines[-1] == "flowops --version"


def test_wheel_installs_and_runs_demo_init_and_workflows(tmp_path: Path) -> None:
    """The README's pip line, with the built wheel standing in for the index."""
    pip_line = next(line for line in readme_install_lines() if line.startswith("python -m pip"))
    dist = tmp_path / "dist"
    _run(sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", dist, ROOT, cwd=ROOT)
    wheels = sorted(dist.glob("*.whl"))
    assert [w.name for w in wheels] == [f"flowops_connect-{__version__}-py3-none-any.whl"]
    _run(sys.executable, "-m", "twine", "check", "--strict", *sorted(dist.iterdir()), cwd=ROOT)

    fresh = tmp_path / "venv"
    venv.create(fresh, with_pip=True)
    bin_dir = fresh / "bin"
    spec = pip_line.split(" install ", 1)[1]
    assert spec == f"{DISTRIBUTION}=={__version__}"
    _run(bin_dir / "python", "-m", "pip", "install", "--quiet", wheels[0], cwd=tmp_path)
    installed = _run(
        bin_dir / "python",
        "-c",
        f"import importlib.metadata as m; print(m.version({DISTRIBUTION!r}))",
        cwd=tmp_path,
    )
    assert installed.strip() == __version__

    work = tmp_path / "empty"
    work.mkdir()
    env = {
        **runner_env(tmp_path),
        "PATH": f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin",
        "FLOWOPS_INSTALLED_PACKAGE": f"{DISTRIBUTION}=={__version__}",
    }
    flowops = bin_dir / "flowops"
    assert _run(flowops, "--version", cwd=work, env=env).strip() == f"flowops {__version__}"
    _run(flowops, "demo", cwd=work, env=env)
    assert (work / ".flowops" / "demo" / "flows").is_dir()

    repo = tmp_path / "team"
    _run(flowops, "init", "--sandbox", repo, cwd=tmp_path, env=env)
    for path in (repo / "environments").glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["rate_limit"] = {"rate": 1000, "burst": 1000}
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    _run(flowops, "export", "--env", "dev", cwd=repo, env=env)
    (repo / ".gitignore").write_text(".flowops/\n.runner/\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "flows exported from dev")

    run = run_workflow("deploy.yml", repo, env, source=repo)
    for stage in ("dev", "staging", "prod"):
        assert results(run, stage) == ["success"], failures(run)
