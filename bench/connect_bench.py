"""Benchmark: read 500 flows from the sandbox and count the calls it takes.

The target (issue "Measured"): flow-read calls <= ceil(500/100) plus one paginated list per
catalog type. Run: ``.venv/bin/python bench/connect_bench.py [--flows 500] [--paced]``.
``--paced`` turns on the sandbox's Connect quota (2 req/s, burst 5) and flowops' default
pacing, and reports throttles (expected: none).
"""

from __future__ import annotations

import argparse
import json
import math
import time

from flowops.config import RateLimit
from flowops.connect import ConnectClient
from flowops.sandbox import SandboxConfig, SandboxServer
from tests.support import FLOW_READS, linear_flow, sandbox_environment


def content(i: int) -> str:
    """A small valid flow."""
    return json.dumps(linear_flow((f"a{i}", "DisconnectParticipant", {})))


def main(argv: list[str] | None = None) -> int:
    """Seed, create flows up to ``--flows``, then read them all with a fresh client.

    Returns 1 when the call budget is exceeded or a request was throttled.
    """
    parser = argparse.ArgumentParser()
    parser.add_argument("--flows", type=int, default=500)
    parser.add_argument("--paced", action="store_true")
    args = parser.parse_args(argv)
    with SandboxServer(":memory:", config=SandboxConfig.for_tests()) as server:
        server.config.limits.flows_per_instance = args.flows + 100
        server.seed()
        env = sandbox_environment(server.url)
        writer = ConnectClient.for_environment(env)
        existing = len(writer.catalog(with_content=False).entries("flow"))
        for i in range(args.flows - existing):
            writer.create("flow", f"Bench {i:04d}", content(i))
        server.request_log.reset()
        if args.paced:
            server.config.enforce_quotas = True
            env = sandbox_environment(server.url, rate_limit=RateLimit())
        reader = ConnectClient.for_environment(env)
        start = time.monotonic()
        catalog = reader.catalog()
        elapsed = time.monotonic() - start
        flows = sum(1 for f in catalog.flows.values() if f.kind == "flow")
        flow_reads = sum(reader.calls[op] for op in FLOW_READS)
        lists = sum(n for op, n in reader.calls.items() if op not in FLOW_READS)
        throttles = sum(
            n
            for (_a, _o, outcome), n in server.request_log.outcomes().items()
            if outcome == "ThrottlingException"
        )
        print(f"flows read: {flows} (+ {len(catalog.flows) - flows} modules)")
        print(f"flow-read calls: {flow_reads} (target <= {math.ceil(flows / 100)} + 1 module page)")
        names = ", ".join(sorted(k for k in reader.calls if k not in FLOW_READS))
        print(f"catalog list calls: {lists} ({names})")
        print(
            f"HTTP requests in the sandbox log: {server.request_log.count()}; "
            f"throttled: {throttles}"
        )
        print(f"wall time: {elapsed:.2f}s (paced wait {reader.paced_seconds:.2f}s)")
        ok = flow_reads <= math.ceil(flows / 100) + 1 and throttles == 0
        return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
