"""The release engine's scenarios: an environment released once, racing promotes, locks.

* :func:`released_once`: staging with flows A, B and module M released, git then changed;
* :func:`live_state`: every flow's status and semantic content, the ledger left out;
* :func:`race`: promotes of one plan started at the same moment, exactly one releasing;
* :func:`lock_modules`: the lock modules an account holds, read with plain boto3;
* :func:`dead_pid`: the pid of a process that has just ended (a stale lock's holder).
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from flowops.config import Environment
from flowops.connect import ConnectClient
from flowops.deploy.apply import ApplyResult
from flowops.deploy.promote import promote
from flowops.deploy.releases import LEDGER_NAME, LOCK_NAME
from flowops.errors import CheckFailedError
from flowops.model.canonical import semantic_content
from flowops.model.parse import parse_content
from flowops.sandbox import SandboxServer
from tests.support import STAGING, git_repo
from tests.support.clients import environment, make_client
from tests.support.flows import flow_text
from tests.support.repos import commit_files
from tests.support.scenarios import write_calls


def live_state(observer: ConnectClient) -> dict[str, Any]:
    """Name -> (status, semantic content) of every flow and module except the ledger."""
    observer.refresh_flows()
    catalog = observer.catalog()
    out: dict[str, Any] = {}
    for key, flow in catalog.flows.items():
        if flow.name == LEDGER_NAME or flow.content is None:
            continue
        out[key] = (flow.status, semantic_content(parse_content(json.loads(flow.content))))
    return out


def released_once(
    sandbox: SandboxServer, tmp_path: Path
) -> tuple[Environment, Path, ConnectClient]:
    """Staging with flows A, B and module M released; git then changes A and B, adds N.

    Returns the environment, the repository and a client to reuse (clients are costly).
    """
    staging = environment(sandbox, "staging", STAGING)
    client = ConnectClient.for_environment(staging)
    repo = git_repo(tmp_path, "Test")
    commit_files(
        repo,
        {
            "A.json": flow_text("A", module="module:M"),
            "B.json": flow_text("B", transfer="flow:A"),
            "modules/M.json": flow_text("M", kind="module", queue=None),
        },
    )
    promote(staging, "HEAD", tmp_path, client=client)
    commit_files(
        repo,
        {
            "A.json": flow_text("A", module="module:M", text="A v2"),
            "B.json": flow_text("B", transfer="flow:N", text="B v2"),
            "N.json": flow_text("N", queue="queue:Sales"),
        },
    )
    return staging, tmp_path, client


def lock_modules(sandbox: SandboxServer, account: str = STAGING) -> list[str]:
    """Ids of lock modules, read with plain boto3."""
    boto = make_client(sandbox.url, account)
    instance = boto.list_instances()["InstanceSummaryList"][0]["Id"]
    summaries = boto.list_contact_flow_modules(InstanceId=instance, MaxResults=1000)
    return [m["Id"] for m in summaries["ContactFlowModulesSummaryList"] if m["Name"] == LOCK_NAME]


def _released(result: Any) -> bool:
    """Did this promote record a release (it wrote), as opposed to a no-op?"""
    return result.applied is not None and result.applied.release is not None


def race(staging: Environment, repo: Path, runs: int = 4) -> tuple[list[ConnectClient], Any]:
    """``runs`` promotes of the same plan started at the same moment (threads, plans read
    before); returns their clients and the one that released. Every other one was locked
    out, found its plan stale, or (planned after the winner released) had nothing to do,
    and touched only the lock: no flow, no record."""
    clients = [ConnectClient.for_environment(staging) for _ in range(runs)]
    for c in clients:
        c.catalog()
    start = threading.Barrier(runs)
    results: list[Any] = [None] * runs

    def run(i: int) -> None:
        start.wait()
        try:
            results[i] = promote(staging, "HEAD", repo, client=clients[i], tag=False)
        except CheckFailedError as exc:  # locked out, or in after the winner: plan stale
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(runs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # A run whose plan was read only after the winner released finds nothing to do: it
    # neither wins nor writes (a no-op promote), which is as right as being locked out.
    won = [r for r in results if not isinstance(r, CheckFailedError) and _released(r)]
    assert len(won) == 1, results
    assert isinstance(won[0].applied, ApplyResult) and won[0].applied.release is not None
    for c, r in zip(clients, results, strict=True):
        if r is not won[0]:
            writes = {k for k, v in write_calls(dict(c.calls)).items() if v}
            assert writes <= {"CreateContactFlowModule", "DeleteContactFlowModule"}, writes
    return clients, won[0]


def dead_pid() -> int:
    """The pid of a process that has just ended."""
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(done.stdout)
