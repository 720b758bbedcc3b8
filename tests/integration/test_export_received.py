"""Export does not silently undo committed work the environment never received."""

from __future__ import annotations

from pathlib import Path

from flowops.connect import ConnectClient
from flowops.deploy.export import export_env
from flowops.deploy.promote import promote
from flowops.sandbox import SandboxServer
from tests.support import DEV, git_repo
from tests.support.clients import environment


def test_a_committed_fix_dev_never_received_is_kept_until_promoted_or_forced(
    seeded_sandbox: SandboxServer, tmp_path: Path
) -> None:
    dev = environment(seeded_sandbox, "dev", DEV)
    repo = git_repo(tmp_path)
    root = tmp_path / "flows"
    export_env(dev, root, commit=True, client=ConnectClient.for_environment(dev))
    fixed = root / "After-Hours.json"
    fixed.write_text(fixed.read_text().replace("Press 1 to request", "FIXED in git"))
    repo.index.add([str(fixed.relative_to(tmp_path))])
    repo.index.commit("fix merged after the last export")

    again = export_env(dev, root, client=ConnectClient.for_environment(dev))
    assert again.kept == ("flow:After Hours",)
    assert "flow:After Hours" not in again.changed
    assert any("changed in git since dev last received it" in w for w in again.warnings)
    assert "FIXED in git" in fixed.read_text()  # left alone

    promote(dev, "HEAD", tmp_path, client=ConnectClient.for_environment(dev))
    received = export_env(dev, root, client=ConnectClient.for_environment(dev))
    assert received.kept == () and received.touched == ()  # dev now holds the fix

    fixed.write_text(fixed.read_text().replace("FIXED in git", "FIXED twice"))
    repo.index.add([str(fixed.relative_to(tmp_path))])
    repo.index.commit("a second fix, not promoted")
    forced = export_env(dev, root, force=True, client=ConnectClient.for_environment(dev))
    assert forced.kept == () and forced.changed == ("flow:After Hours",)
    assert "FIXED twice" not in fixed.read_text() and "FIXED in git" in fixed.read_text()
