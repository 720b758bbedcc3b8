"""The seed flows (JSON files in the sandbox package) and the repository's ``flows/`` are
the same flows: exporting a freshly seeded dev account reproduces ``flows/`` byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowops.connect import ConnectClient
from flowops.deploy.export import export_env
from flowops.sandbox import SandboxServer
from flowops.sandbox.seed_flows import FLOWS, MODULES
from tests.support import DEV, sandbox_environment

pytestmark = pytest.mark.integration

REPO_FLOWS = Path(__file__).resolve().parents[2] / "flows"


def _files(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): p.read_text(encoding="utf-8")
        for p in sorted(root.rglob("*.json"))
    }


def test_a_seeded_dev_export_equals_flows(seeded_sandbox: SandboxServer, tmp_path: Path) -> None:
    dev = sandbox_environment(seeded_sandbox.url, "dev", DEV)
    export_env(dev, tmp_path / "flows", client=ConnectClient.for_environment(dev))
    exported = _files(tmp_path / "flows")
    assert len(exported) == len(FLOWS) + len(MODULES)
    assert exported == _files(REPO_FLOWS)
