"""Benchmark: roll back a 50-flow release on the sandbox with Connect's default quotas.

Set-up (quotas off): seed dev, promote 50 flows, change all 50 and promote again. Then,
with the sandbox enforcing Connect's default API quota (2 req/s, burst 5, per account)
and flowops' default client-side pacing, a fresh client (no repository) runs
``rollback``. Measured: API calls per operation, throttles answered by the sandbox, wall
time; next to the floor the quota allows for the writes a rollback must make (one
content write and one version per flow) and for every call actually made.

``--aliases`` also measures the alias mode (``use_aliases``): the set-up promotes move
each flow's alias ``live`` to its release version (and record the alias ids), and
rollback repoints it.

Run: ``python -m bench rollback`` (``--flows N`` for a smaller run). Prints Markdown;
exit 1 when the rollback is incomplete, content is not restored, or a call was throttled.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import git

from flowops.config import Environment, RateLimit
from flowops.connect import ConnectClient
from flowops.deploy.promote import promote
from flowops.deploy.rollback import rollback
from flowops.model import FlowDocument, FlowInfo, dump_document, parse_content
from flowops.model.canonical import semantic_content
from flowops.sandbox import SandboxConfig, SandboxServer
from flowops.sandbox.config import CONNECT_DEFAULT_BURST, CONNECT_DEFAULT_RATE
from tests.support import WRITE_PREFIXES, git_repo, linear_flow, sandbox_environment


def _content(i: int, text: str) -> dict[str, Any]:
    return linear_flow(
        ("say", "MessageParticipant", {"Text": f"{text} {i}"}),
        ("queue", "UpdateContactTargetQueue", {"QueueId": "queue:Support"}),
        ("bye", "DisconnectParticipant", {}),
    )


def _commit(repo: git.Repo, root: Path, flows: int, text: str) -> str:
    for i in range(flows):
        doc = FlowDocument(FlowInfo(name=f"Bench RB {i:03d}"), parse_content(_content(i, text)))
        (root / "flows" / f"Bench-RB-{i:03d}.json").write_text(dump_document(doc))
    repo.git.add("-A")
    return str(repo.index.commit(text).hexsha)


def _env(url: str, **kw: Any) -> Environment:
    return sandbox_environment(url, managed_names=("Bench RB *",), **kw)


def _live(client: ConnectClient) -> dict[str, Any]:
    client.refresh_flows()
    return {
        key: semantic_content(parse_content(json.loads(flow.content or "")))
        for key, flow in client.catalog().flows.items()
        if flow.name.startswith("Bench RB ")
    }


def _floor(calls: int) -> float:
    """Seconds the account quota needs for ``calls`` requests, starting with a full burst."""
    return max(0.0, (calls - CONNECT_DEFAULT_BURST) / CONNECT_DEFAULT_RATE)


def _measure(server: SandboxServer, flows: int, aliases: bool) -> tuple[dict[str, Any], bool]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        repo = git_repo(root, "bench", "bench@example.com")
        (root / "flows").mkdir()
        setup = ConnectClient.for_environment(_env(server.url, use_aliases=aliases))
        for text in ("first", "second"):
            sha = _commit(repo, root, flows, text)
            promote(setup.env, sha, root, client=setup, tag=False)
            if text == "first":
                before = _live(setup)
                first_versions = {
                    f.id: setup.list_versions("flow", f.id)[-1].version
                    for f in setup.catalog().flows.values()
                    if f.name.startswith("Bench RB ")
                }

    server.request_log.reset()
    server.buckets.reset()
    server.config.enforce_quotas = True
    try:
        client = ConnectClient.for_environment(
            _env(server.url, rate_limit=RateLimit(), use_aliases=aliases)
        )
        started = time.monotonic()
        report = rollback(client)
        wall = time.monotonic() - started
    finally:
        server.config.enforce_quotas = False
    outcomes = server.request_log.outcomes()
    http = server.request_log.count()  # before the checks below make their own calls
    throttled = sum(
        n for (_, _, outcome), n in outcomes.items() if outcome == "ThrottlingException"
    )
    calls = Counter({op: n for op, n in client.calls.items() if n})
    writes = {op: n for op, n in calls.items() if op.startswith(WRITE_PREFIXES)}
    if aliases:
        pointed = {fid: setup.list_aliases("flow", fid)[0]["Version"] for fid in first_versions}
        restored = pointed == first_versions
    else:
        restored = _live(setup) == before
    needed = flows if aliases else 2 * flows
    row = {
        "mode": "alias repoint" if aliases else "content restore",
        "flows": flows,
        "ok": report.ok,
        "restored": restored,
        "calls": sum(calls.values()),
        "http": http,
        "writes": sum(writes.values()),
        "throttled": throttled,
        "wall": wall,
        "write_floor": _floor(needed),
        "call_floor": _floor(http),
        "per_op": dict(sorted(calls.items())),
    }
    return row, report.ok and restored and throttled == 0


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a Markdown table (exit 1 when a check fails)."""
    parser = argparse.ArgumentParser(prog="python -m bench rollback")
    parser.add_argument("--flows", type=int, default=50)
    parser.add_argument("--aliases", action="store_true", help="Also measure alias mode.")
    args = parser.parse_args(argv)
    rows: list[dict[str, Any]] = []
    good = True
    for aliases in (False, True) if args.aliases else (False,):
        with SandboxServer(":memory:", config=SandboxConfig.for_tests()) as server:
            server.seed()
            row, ok = _measure(server, args.flows, aliases)
            rows.append(row)
            good = good and ok
    print(
        "| Mode | Flows | API calls (HTTP) | writes | throttled | wall (s) | "
        "floor, required writes (s) | floor, calls made (s) | restored |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        print(
            f"| {r['mode']} | {r['flows']} | {r['calls']} ({r['http']}) | {r['writes']} | "
            f"{r['throttled']} | {r['wall']:.1f} | {r['write_floor']:.1f} | "
            f"{r['call_floor']:.1f} | {'yes' if r['ok'] and r['restored'] else 'NO'} |"
        )
    for r in rows:
        ops = ", ".join(f"{op} {n}" for op, n in r["per_op"].items())
        print(f"\n{r['mode']} calls: {ops}")
    return 0 if good else 1


if __name__ == "__main__":
    raise SystemExit(main())
