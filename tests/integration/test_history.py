"""History from Connect alone: releases newest first, a flow's releases and versions."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowops.connect import ConnectClient
from flowops.deploy.history import history
from flowops.deploy.promote import promote
from flowops.deploy.releases import latest, parse_release_description
from flowops.deploy.render import render_history
from flowops.errors import BadInputError
from flowops.sandbox import SandboxServer
from tests.support import STAGING, git_repo
from tests.support.clients import environment
from tests.support.flows import flow_text
from tests.support.repos import commit_files


def test_history_lists_releases_newest_first_with_versions(
    seeded_sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    staging = environment(seeded_sandbox, "staging", STAGING)
    client = ConnectClient.for_environment(staging)
    repo = git_repo(tmp_path / "repo", "Test")
    first = commit_files(repo, {"A.json": flow_text("A"), "B.json": flow_text("B")})
    promote(staging, "HEAD", tmp_path / "repo", client=client, who="alice")
    second = commit_files(repo, {"A.json": flow_text("A", text="v2")})
    promote(staging, "HEAD", tmp_path / "repo", client=client, who="bob")

    elsewhere = tmp_path / "no-repo"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # history needs no git repository
    fresh = ConnectClient.for_environment(staging)
    hist = history(staging, client=fresh)
    assert [(r.id, r.who, r.commit) for r in hist.releases] == [
        (2, "bob", second),
        (1, "alice", first),
    ]
    assert [f.key for f in hist.releases[0].flows] == ["flow:A"]
    a2 = hist.releases[0].flows[0]
    assert (a2.action, a2.version_before, a2.version_after) == ("update", 1, 2)

    text = render_history(hist)
    assert text.index("bob") < text.index("alice")  # newest first
    assert "A v1->v2" in text and "A new->v1" in text and "B new->v1" in text  # created: new

    only_b = history(staging, "B", client=fresh)
    assert [r.id for r in only_b.releases] == [1] and only_b.flow == "flow:B"
    only_a = history(staging, "flow:A", client=fresh)
    assert [v.version for v in only_a.versions] == [2, 1]
    assert parse_release_description(only_a.versions[0].description) == (2, second)
    latest_record = latest(fresh)
    assert latest_record is not None and latest_record.id == 2
    with pytest.raises(BadInputError, match="Nope"):
        history(staging, "Nope", client=fresh)
