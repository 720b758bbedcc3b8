"""The release engine under eventual consistency (the sandbox's ``config.lag``): Search
results and tags that trail writes, and Connect refusing versions for non-campaign flows.

(Reads answering NotFound right after a create need the client's retries of NotFound
after its own creates, which are flowops.connect's; not switched on here.)
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from flowops.connect import ConnectClient
from flowops.deploy import lock
from flowops.deploy.canary import start_canary
from flowops.deploy.promote import promote
from flowops.deploy.releases import read_ledger
from flowops.deploy.rollback import rollback
from flowops.errors import BadInputError
from flowops.model.parse import parse_content
from flowops.sandbox import Lag, SandboxServer
from tests.support.releases import live_state, lock_modules, race, released_once


def test_promotes_started_together_under_search_and_tag_lag_never_both_write(
    seeded_sandbox: SandboxServer, tmp_path: Path
) -> None:
    staging, repo, _ = released_once(seeded_sandbox, tmp_path)
    seeded_sandbox.config.lag = Lag(search=3.0, tags=3.0)
    clients, _ = race(staging, repo)
    # Read by id, the ledger has the new record at once, though Search still lags.
    records = read_ledger(clients[0])
    assert [(r.id, r.status) for r in records] == [(1, "released"), (2, "released")]
    assert lock_modules(seeded_sandbox) == []


def test_a_record_is_never_lost_nor_its_id_reused_while_search_lags(
    seeded_sandbox: SandboxServer, tmp_path: Path
) -> None:
    staging, repo, client = released_once(seeded_sandbox, tmp_path)
    seeded_sandbox.config.lag = Lag(search=30.0)  # Search shows the ledger as before
    done = promote(staging, "HEAD", repo, client=client, tag=False)
    assert done.applied is not None and done.applied.release is not None
    other = ConnectClient.for_environment(staging)
    assert [r.id for r in read_ledger(other)] == [1, 2]
    report = rollback(other)
    assert report.ok and report.release_id == 3  # not 2 again
    assert [r.id for r in read_ledger(other)] == [1, 2, 3]


def test_rollback_under_a_canary_started_a_moment_ago_is_refused_though_search_lags(
    seeded_sandbox: SandboxServer, tmp_path: Path
) -> None:
    from tests.support.clients import client_for
    from tests.support.scenarios import MAIN, candidate_doc

    client = client_for(seeded_sandbox)
    from flowops.deploy.canary import promote_canary

    start_canary(client, MAIN, candidate_doc(), 10, ref="abc123")
    promote_canary(client, MAIN)  # a release to roll back
    seeded_sandbox.config.lag = Lag(search=30.0, tags=30.0)
    doc = candidate_doc()
    newer = parse_content(
        json.loads(json.dumps(doc.flow.raw).replace("Welcome to the new menu", "Newer menu"))
    )
    start_canary(client, MAIN, replace(doc, flow=newer), 10, ref="def456")  # a wrapper again
    before = live_state(client)
    with pytest.raises(BadInputError, match="runs a canary"):
        rollback(client_for(seeded_sandbox))
    assert live_state(client) == before


def test_where_versions_are_campaign_only_promote_and_rollback_still_work(
    seeded_sandbox: SandboxServer, tmp_path: Path
) -> None:
    seeded_sandbox.config.strict.campaign_only_versions = True
    staging, repo, client = released_once(seeded_sandbox, tmp_path)
    first = live_state(client)
    done = promote(staging, "HEAD", repo, client=client, tag=False)
    assert done.applied is not None and done.applied.release is not None
    assert any("no versions for CONTACT_FLOW flows" in w for w in done.applied.warnings)
    report = rollback(client, repo_path=repo)
    assert report.ok, report
    after = live_state(client)
    assert {k: after[k] for k in first} == first
    assert lock.read_lock(client) is None
