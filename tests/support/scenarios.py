"""Shared deploy scenarios: releases of the ``RB *`` flows, and a canary's candidate.

* :data:`FLOWS`, :data:`V1`, :data:`V2`: three flows and two versions of them;
  :func:`release` promotes a version, :func:`live` reads what the account runs;
* :data:`MAIN` and :func:`candidate_doc`: the seeded entry flow and new content for it;
  :func:`canary_workspace`: a repository whose ``flows/`` holds that candidate;
* :func:`write_calls`, :func:`live_content`, :func:`lex_override`: reading results.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import git

from flowops.config import Environment
from flowops.connect import ConnectClient
from flowops.deploy.promote import promote
from flowops.model import FlowDocument, dump_document, parse_content
from flowops.model.canonical import dump_content
from flowops.sandbox import SandboxServer
from tests.support import WRITE_PREFIXES, git_repo, linear_flow, sandbox_environment_file
from tests.support.clients import client_for
from tests.support.flows import flow_document, say_then_transfer
from tests.support.repos import FlowRepo

#: The flows the rollback scenarios manage (``managed_names=("RB *",)``).
FLOWS = ("RB Alpha", "RB Beta", "RB Gamma")
V1 = {
    "RB Alpha": say_then_transfer("alpha one", transfer_to="RB Beta"),
    "RB Beta": say_then_transfer("beta one"),
    "RB Gamma": say_then_transfer("gamma one"),
}
V2 = {
    "RB Alpha": say_then_transfer("alpha two", transfer_to="RB Gamma"),
    "RB Beta": say_then_transfer("beta two"),
    "RB Gamma": say_then_transfer("gamma two"),
}

#: Two promotes of :data:`FLOWS`: the sandbox, the client, the repository, live after each.
Released = tuple[SandboxServer, ConnectClient, FlowRepo, dict[str, Any], dict[str, Any]]

#: The seeded entry flow a canary runs on.
MAIN = "Main Inbound"


def release(repo: FlowRepo, client: ConnectClient, flows: dict[str, dict[str, Any]]) -> int:
    """Commit ``flows`` and promote them to the client's environment; the release id."""
    sha = repo.commit(flows, f"release {len(flows)}")
    result = promote(client.env, sha, repo.root, client=client, tag=False)
    assert result.applied is not None and result.applied.release is not None
    return result.applied.release.id


def live(client: ConnectClient) -> dict[str, Any]:
    """Every RB flow's content as canonical text (ARNs as the account has them)."""
    client.refresh_flows()
    out: dict[str, Any] = {}
    for key, flow in client.catalog().flows.items():
        if flow.name.startswith("RB "):
            fresh = client.describe("flow", flow.id)
            # Canonical text, layout included: restored means byte-identical after this.
            out[key] = dump_content(parse_content(json.loads(fresh.content or "")))
    return out


def candidate_doc() -> FlowDocument:
    """New content for :data:`MAIN`: greet, set the queue, transfer to it."""
    content = linear_flow(
        ("hello", "MessageParticipant", {"Text": "Welcome to the new menu"}),
        ("queue", "UpdateContactTargetQueue", {"QueueId": "queue:BasicQueue"}),
        ("transfer", "TransferContactToQueue", {}),
        ("bye", "DisconnectParticipant", {}),
    )
    transfer = content["Actions"][2]
    del transfer["Parameters"]
    transfer["Transitions"]["Errors"].insert(
        0, {"NextAction": "bye", "ErrorType": "QueueAtCapacity"}
    )
    return flow_document(MAIN, content)


def canary_workspace(root: Path, sandbox: SandboxServer, protected: bool = False) -> git.Repo:
    """A repository whose flows/ holds the candidate content of the entry flow."""
    repo = git_repo(root)
    sandbox_environment_file(root / "environments", sandbox.url, protected=protected)
    (root / "flows").mkdir()
    (root / "flows" / "Main-Inbound.json").write_text(dump_document(candidate_doc()))
    repo.git.add("-A")
    repo.index.commit("candidate")
    return repo


def write_calls(calls: dict[str, int]) -> dict[str, int]:
    """The write operations among API call counts."""
    return {op: n for op, n in calls.items() if op.startswith(WRITE_PREFIXES) and n}


def live_content(env: Environment, name: str, kind: str = "flow") -> dict[str, Any]:
    """The content ``env`` holds for flow (or module) ``name``."""
    client = ConnectClient.for_environment(env)
    flow = client.catalog().flow(kind, name)
    assert flow is not None and flow.content is not None
    loaded: dict[str, Any] = json.loads(flow.content)
    return loaded


def lex_override(dev: Environment, staging: Environment) -> dict[str, dict[str, str]]:
    """Map dev's Lex V2 bot alias to staging's (the catalog names Lex bots by their ids)."""
    mine = ConnectClient.for_environment(dev).catalog(with_content=False).entries("lexbot")
    theirs = ConnectClient.for_environment(staging).catalog(with_content=False).entries("lexbot")
    return {"lexbot": {mine[0].name: theirs[0].name}} if mine and theirs else {}


def rb_client(sandbox: SandboxServer, **fields: Any) -> ConnectClient:
    """A dev client managing only the :data:`FLOWS` (``RB *``), with fast retries."""
    fields.setdefault("managed_names", ("RB *",))
    return client_for(sandbox, **fields)


def console_edit(env: Environment, name: str, edit: Any) -> None:
    """Change a live flow the way a console user would: new content, published."""
    client = ConnectClient.for_environment(env)
    live = client.catalog().flow("flow", name)
    assert live is not None and live.content is not None
    content = json.loads(live.content)
    edit(content)
    client.update_content("flow", live.id, json.dumps(content))


def set_text(text: str) -> Any:
    """An edit for :func:`console_edit`: the ``hello`` action says ``text``."""

    def edit(content: dict[str, Any]) -> None:
        next(a for a in content["Actions"] if a["Identifier"] == "hello")["Parameters"]["Text"] = (
            text
        )

    return edit


def dropping_candidate_doc() -> FlowDocument:
    """New content for :data:`MAIN` that drops callers: a menu whose timeout has no branch
    (about one simulated caller in three times out and is cut off), else the queue."""
    content = candidate_doc().flow.raw
    actions = [dict(a) for a in content["Actions"]]
    ask = {
        "Identifier": "ask",
        "Type": "GetParticipantInput",
        "Parameters": {
            "Text": "Press 1 for support",
            "StoreInput": "False",
            "InputTimeLimitSeconds": "5",
        },
        "Transitions": {
            "NextAction": "queue",
            "Conditions": [
                {"NextAction": "queue", "Condition": {"Operator": "Equals", "Operands": ["1"]}}
            ],
            "Errors": [{"NextAction": "queue", "ErrorType": "NoMatchingCondition"}],
        },
    }
    actions[0] = {**actions[0], "Transitions": {**actions[0]["Transitions"], "NextAction": "ask"}}
    return flow_document(MAIN, {**content, "Actions": [actions[0], ask, *actions[1:]]})
