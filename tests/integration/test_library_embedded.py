"""A program that imports flowops as a library gets ``endpoint_url: sandbox`` with no set-up.

The embedded sandbox's starter is an entry point (``flowops.sandbox``), found by
``flowops.endpoints`` on first use; the program below is a fresh interpreter that never
imports the CLI, the demo or the sandbox itself, and calls no ``set_sandbox_starter``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support import sandbox_environment_file

PROGRAM = """
import json, sys
from pathlib import Path

from flowops.config import load_environment
from flowops.connect import ConnectClient
from flowops.deploy.export import export_env
from flowops.deploy.plan import make_plan
from flowops.repo import read_tree

root = Path(sys.argv[1])
before = sorted(m for m in sys.modules if m.startswith(("flowops.sandbox", "flowops.cli")))
dev = load_environment("dev", root / "environments")
exported = export_env(dev, root / "flows")
staging = load_environment("staging", root / "environments")
client = ConnectClient.for_environment(staging)
plan = make_plan(staging, read_tree(root / "flows"), client)
print(json.dumps({
    "before": before,
    "cli": sorted(m for m in sys.modules if m.startswith("flowops.cli")),
    "embedded": "flowops.sandbox.embedded" in sys.modules,
    "url": client.endpoint_url,
    "added": list(exported.added),
    "plan": plan.to_dict(),
}))
"""


def test_a_library_program_exports_and_plans_against_the_embedded_sandbox(
    tmp_path: Path,
) -> None:
    db = str(tmp_path / "sandbox.db")
    for name in ("dev", "staging"):
        sandbox_environment_file(tmp_path / "environments", "sandbox", name, sandbox_db=db)
    env = {**os.environ, "FLOWOPS_SANDBOX_QUOTA": "off"}
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["before"] == [] and out["cli"] == []
    assert out["embedded"] and out["url"].startswith("http://127.0.0.1:")
    # dev's seeded flows were exported, then staging was planned against those files over
    # the same embedded sandbox: one step per exported flow or module.
    assert "flow:After Hours" in out["added"]
    files = list((tmp_path / "flows").rglob("*.json"))
    assert len(files) == len(out["added"]) > 0
    plan = out["plan"]
    assert plan["env"] == "staging"
    assert sorted(step["key"] for step in plan["steps"]) == sorted(out["added"])
    assert plan["summary"]["create"] > 0
