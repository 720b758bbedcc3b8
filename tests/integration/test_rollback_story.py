"""The deploy story end to end, through real boto3 against the sandbox.

Promote two releases, canary a change to one flow and promote it, roll back, roll back
again (forward): each step is a release of the right kind, entry points serve the right
content after each, and history tells the story in order. Run with and without entry
aliases (``use_aliases``): with them, releases move the alias and rollback repoints it
by the id the records keep, without listing aliases.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from flowops.connect import ConnectClient
from flowops.deploy.aliases import list_entry_alias
from flowops.deploy.canary import promote_canary, start_canary
from flowops.deploy.history import history
from flowops.deploy.releases import read_ledger
from flowops.deploy.render import render_history
from flowops.deploy.rollback import rollback
from flowops.model import FlowDocument, FlowInfo, parse_content
from flowops.model.canonical import dump_content
from flowops.sandbox import SandboxServer
from tests.support.flows import say_then_transfer
from tests.support.repos import FlowRepo
from tests.support.scenarios import V1, V2, rb_client, release

pytestmark = pytest.mark.integration

CANDIDATE = say_then_transfer("beta canary")


def canonical(text: str | None) -> str:
    return dump_content(parse_content(json.loads(text or "")))


def expected(body: dict[str, Any], reader: ConnectClient) -> str:
    """What Connect serves for a promoted body: canonical text of its resolved content."""
    from flowops.refs import resolve

    resolved, missing = resolve(body, reader.catalog(with_content=False), {})
    assert not missing
    return canonical(json.dumps(resolved))


def served(reader: ConnectClient, name: str, aliases: bool) -> str:
    """The content contacts get: the entry alias's version, or $LATEST without aliases."""
    flow = reader.catalog(with_content=False).flow("flow", name)
    assert flow is not None
    if not aliases:
        return canonical(reader.describe("flow", flow.id).content)
    alias = list_entry_alias(reader, "flow", flow.id)
    assert alias is not None and alias.version is not None
    return canonical(reader.describe("flow", flow.id, alias.version).content)


@pytest.mark.parametrize("aliases", [False, True], ids=["content", "aliases"])
def test_promote_canary_rollback_and_roll_forward_compose(
    seeded_sandbox: SandboxServer, tmp_path: Path, aliases: bool
) -> None:
    client = rb_client(seeded_sandbox, use_aliases=aliases)
    reader = rb_client(seeded_sandbox)
    repo = FlowRepo(tmp_path / "repo")

    assert release(repo, client, V1) == 1
    if aliases:  # created flows get their alias created, no listing
        assert client.calls["CreateContactFlowAlias"] == 3
    client.calls.clear()
    assert release(repo, client, V2) == 2
    if aliases:  # the alias ids come from release 1's record: one call per flow
        assert client.calls["UpdateContactFlowAlias"] == 3
        assert not client.calls["ListContactFlowAliases"]
        assert not client.calls["CreateContactFlowAlias"]
    beta_v2 = expected(V2["RB Beta"], reader)
    assert served(reader, "RB Beta", aliases) == beta_v2

    candidate = FlowDocument(FlowInfo(name="RB Beta"), parse_content(CANDIDATE))
    started = start_canary(client, "RB Beta", candidate, 20, ref="feature-x")
    assert started.release_id == 3  # a step of the canary: recorded, never undone
    promoted = promote_canary(client, "RB Beta")
    assert promoted.release_id == 4
    beta_canary = expected(CANDIDATE, reader)
    assert served(reader, "RB Beta", aliases) == beta_canary

    client.calls.clear()
    back = rollback(client)
    assert back.ok and back.release_id == 5 and back.plan.reverts == ("4",)
    assert [(o.step.name, o.result) for o in back.outcomes] == [
        ("RB Beta", "repointed" if aliases else "restored")
    ]
    assert served(reader, "RB Beta", aliases) == beta_v2
    assert served(reader, "RB Alpha", aliases) == expected(V2["RB Alpha"], reader)
    if aliases:  # repointed by the recorded alias id: exactly one call, no listing
        assert client.calls["UpdateContactFlowAlias"] == 1
        assert not client.calls["ListContactFlowAliases"]

    forward = rollback(client)
    assert forward.ok and forward.release_id == 6 and forward.plan.reverts == ("5",)
    assert served(reader, "RB Beta", aliases) == beta_canary

    hist = history(reader.env, client=reader)
    assert [(r.id, r.kind, r.reverts) for r in hist.releases] == [
        (6, "rollback", 5),
        (5, "rollback", 4),
        (4, "canary-promote", None),
        (3, "canary-start", None),
        (2, "promote", None),
        (1, "promote", None),
    ]
    text = render_history(hist)
    shown = re.findall(r"^(\d+)\s+(rollback of \d+|canary-\w+|promote)\s", text, re.M)
    assert shown == [
        ("6", "rollback of 5"),
        ("5", "rollback of 4"),
        ("4", "canary-promote"),
        ("3", "canary-start"),
        ("2", "promote"),
        ("1", "promote"),
    ]
    data = json.loads(render_history(hist, "json"))
    assert [(r["kind"], r["reverts"]) for r in data["releases"]][:3] == [
        ("rollback", 5),
        ("rollback", 4),
        ("canary-promote", None),
    ]
    assert "| 5 | rollback of 4 |" in render_history(hist, "markdown")

    records = {r.id: r for r in read_ledger(reader)}
    beta = [records[r].flow("flow:RB Beta") for r in (1, 2, 3, 4, 5, 6)]
    alias_ids = {f.alias_id for f in beta if f is not None}
    assert len(beta) == 6 and None not in beta
    # One alias for the flow, recorded by every kind of release; none without aliases.
    assert alias_ids == ({next(iter(alias_ids))} if aliases else {None})
    assert (None not in alias_ids) is aliases
