"""Benchmark: what one ``flowops measure`` and one ``canary watch`` cycle cost in API calls.

Set-up (quotas off): seed dev, start a canary of ``Main Inbound`` at 50 % whose candidate
drops callers, send simulated contacts through it (timed: the sandbox's traffic
simulation). Then, with the sandbox enforcing Connect's default API quota and flowops'
default client-side pacing, each a fresh client as a new process would have: one
``measure`` (the library's ``measure_canary``, what a gate costs), one ``flowops measure
--flow`` (the command: with contacts per queue), one ``watch`` cycle that keeps the
canary (too little data), one that aborts it. Measured: calls per operation (client
side), requests the sandbox answered, throttles, wall time.

Run: ``python -m bench measure`` (``--contacts N``). Prints Markdown; exit 1 when a call
was throttled or the watch did not abort the breaching canary.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from flowops.config import Bound, Criteria, RateLimit
from flowops.connect import ConnectClient
from flowops.deploy.canary import start_canary
from flowops.deploy.canary_gate import watch
from flowops.deploy.measure import measure, measure_canary
from flowops.sandbox import SandboxConfig, SandboxServer
from tests.support import sandbox_environment
from tests.support.scenarios import MAIN, dropping_candidate_doc

CRITERIA = {"*": Criteria("bench", min_contacts=100, outcomes=(Bound("DROPPED", at_most=5),))}


def _cycle(
    server: SandboxServer, name: str, work: Callable[[ConnectClient], Any]
) -> dict[str, Any]:
    env = sandbox_environment(server.url, success=CRITERIA, rate_limit=RateLimit())
    client = ConnectClient.for_environment(env)
    server.request_log.reset()
    server.buckets.reset()
    server.config.enforce_quotas = True
    began = time.perf_counter()
    try:
        result = work(client)
    finally:
        server.config.enforce_quotas = False
    seconds = time.perf_counter() - began
    outcomes = server.request_log.outcomes()
    throttled = sum(n for (_, _, o), n in outcomes.items() if o == "ThrottlingException")
    return {
        "name": name,
        "calls": Counter(client.calls),
        "answered": server.request_log.count(),
        "throttled": throttled,
        "seconds": seconds,
        "result": result,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench measure")
    parser.add_argument("--contacts", type=int, default=2000)
    args = parser.parse_args(argv)
    with SandboxServer(":memory:", config=SandboxConfig.for_tests()) as server:
        server.seed()
        setup = ConnectClient.for_environment(sandbox_environment(server.url))
        start_canary(setup, MAIN, dropping_candidate_doc(), 50)
        began = time.perf_counter()
        server.traffic(setup.instance_id, MAIN, 50, seed=1)
        rows = [
            _cycle(server, "measure", lambda c: measure_canary(c, MAIN).verdict),
            _cycle(
                server, "flowops measure --flow", lambda c: [m.verdict for m in measure(c, MAIN)]
            ),
            _cycle(server, "watch (keeps: too little data)", lambda c: len(watch(c)) and None),
        ]
        server.traffic(setup.instance_id, MAIN, args.contacts - 50, seed=2)
        simulated = time.perf_counter() - began
        rows.append(
            _cycle(server, "watch (aborts)", lambda c: [r.aborted is not None for r in watch(c)])
        )
    print(f"Traffic: {args.contacts} simulated contacts in {simulated:.2f} s.\n")
    print("| Cycle | API calls (client) | by operation | answered | throttled | wall (s) |")
    print("|---|---:|---|---:|---:|---:|")
    for row in rows:
        ops = ", ".join(f"{op} {n}" for op, n in sorted(row["calls"].items()))
        total = sum(row["calls"].values())
        print(
            f"| {row['name']} | {total} | {ops} | {row['answered']} | {row['throttled']} "
            f"| {row['seconds']:.2f} |"
        )
    ok = rows[-1]["result"] == [True] and all(r["throttled"] == 0 for r in rows)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
