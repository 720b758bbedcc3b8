"""Benchmark: what ``flowops doctor`` costs on an account with Connect's default quota.

The seeded sandbox enforces Connect's default API quota (2 req/s, burst 5, per account);
the client paces itself at flowops' default (1.8 req/s, burst 4). Two runs: read-only, then
``--write-probe`` (a scratch flow per flow type in use and a module, each created,
published, versioned, aliased, tagged, untagged and deleted). Measured: API calls (the
client's count and the sandbox's HTTP requests), throttles answered, wall time, and the
result. A third run puts a ResourceNotFoundException on the first call after each create
of the write probe (what Connect's eventual consistency can answer) and counts what the
client's retries cost.

Run: ``python -m bench doctor``. Prints Markdown and rewrites the "Doctor" section of
``bench/results.md``; exit 1 when a run does not pass or a call was throttled.
"""

from __future__ import annotations

import platform
import textwrap
import time
from typing import Any

from bench.results import replace_section
from flowops.config import RateLimit
from flowops.connect import ConnectClient
from flowops.connect.doctor import doctor
from flowops.sandbox import SandboxConfig, SandboxServer
from flowops.sandbox.config import FaultRule
from tests.support import DEV, sandbox_environment

#: The first call after each create, per kind, as the write probe makes them.
_AFTER_CREATE = ("UpdateContactFlowContent", "UpdateContactFlowModuleContent")


def _run(server: SandboxServer, label: str, write_probe: bool) -> dict[str, Any]:
    server.request_log.reset()
    server.buckets.reset()
    env = sandbox_environment(server.url, rate_limit=RateLimit())
    clients: list[ConnectClient] = []

    def factory(e: Any) -> ConnectClient:
        clients.append(ConnectClient.for_environment(e))
        return clients[-1]

    started = time.monotonic()
    report = doctor(env, write_probe=write_probe, client_factory=factory)
    wall = time.monotonic() - started
    outcomes = server.request_log.outcomes()
    throttled = sum(
        n for (_, _, outcome), n in outcomes.items() if outcome == "ThrottlingException"
    )
    client = clients[0]
    return {
        "label": label,
        "calls": report.calls,
        "http": server.request_log.count(account=DEV),
        "throttled": throttled,
        "not_found_retries": sum(client.not_found_retries.values()),
        "wall": wall,
        "ok": report.ok,
        "lines": len(report.checks),
        "failed": [f"{c.area}: {c.name}: {c.detail}" for c in report.failed],
    }


def main(argv: list[str] | None = None) -> int:
    """Run the three doctor runs; print and record the table."""
    del argv
    rows = []
    with SandboxServer(":memory:", config=SandboxConfig()) as server:  # Connect's quota on
        server.seed()
        rows.append(_run(server, "read-only", write_probe=False))
        rows.append(_run(server, "--write-probe", write_probe=True))
        server.config.faults = [
            FaultRule(
                operation=op, error_code="ResourceNotFoundException", fail_nth=list(range(2, 40, 2))
            )
            for op in _AFTER_CREATE
        ]
        rows.append(_run(server, "--write-probe, NotFound after each create", write_probe=True))
    table = [
        "| Run | API calls (HTTP) | throttled | NotFound retries | wall (s) | lines | result |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        table.append(
            f"| {r['label']} | {r['calls']} ({r['http']}) | {r['throttled']} | "
            f"{r['not_found_retries']} | {r['wall']:.1f} | {r['lines']} | "
            f"{'ok' if r['ok'] else 'FAILED'} |"
        )
    intro = textwrap.fill(
        "`python -m bench doctor` — `flowops doctor` on the seeded sandbox (flows of 5 types"
        " and modules in use) with Connect's default API quota enforced (2 req/s, burst 5)"
        " and flowops' default pacing (1.8 req/s, burst 4). The third run answers"
        " `ResourceNotFoundException` to the first content update after each create of the"
        " write probe (as Connect may right after a create): the client retries it (counted"
        " in its stats) and the probe passes. Machine: "
        f"{platform.machine()}, Python {platform.python_version()}.",
        width=90,
    )
    text = "\n".join(["## Doctor", "", intro, "", *table, ""])
    print(text)
    for r in rows:
        for line in r["failed"]:
            print(f"failed: {r['label']}: {line}")
    replace_section("Doctor", text)
    return 0 if all(r["ok"] and not r["throttled"] for r in rows) else 1
