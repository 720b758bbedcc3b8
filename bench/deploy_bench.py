"""Benchmark: export and promote 500 flows against the sandbox with Connect's default quotas.

Measures (issue "Measured"):

1. export of 500 flows: flowops' calls and wall time, side by side with the usual plain
   boto3 script (list every flow, then describe each one);
2. promote of the same ref twice: the second run must make zero write calls;
3. promote of 500 flows with 5 changed: writes only for those 5 (plus their versions).

Set-up (creating 490 flows in dev, the first promote of 500 flows to staging) runs with
the sandbox's quotas off; every measured step runs with them on (2 req/s, burst 5, per
account) and flowops' default client-side pacing. Run: ``python -m bench deploy``
(``--flows N`` for a smaller run). Prints a Markdown table; exit 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from collections import Counter
from pathlib import Path

import boto3
import botocore.config
import git

from flowops.config import RateLimit
from flowops.connect import ConnectClient
from flowops.deploy.export import export_env
from flowops.deploy.promote import promote
from flowops.model.canonical import dump_document
from flowops.model.parse import document_from_data
from flowops.sandbox import SandboxConfig, SandboxServer
from tests.support import (
    CATALOG_LISTS,
    DEV,
    FLOW_READS,
    WRITE_PREFIXES,
    git_repo,
    linear_flow,
    sandbox_environment,
)

SEEDED = 10  # flows and modules the standard seed puts in dev


def _doc(i: int) -> str:
    """Flow ``Bench NNN``: a queue, a prompt, a Lambda and a transfer to the next flow."""
    ident = f"Bench {i:03d}"
    content = linear_flow(
        ("greet", "MessageParticipant", {"PromptId": "prompt:Welcome"}),
        (
            "lookup",
            "InvokeLambdaFunction",
            {"LambdaFunctionARN": "lambda:lookup-customer", "InvocationTimeLimitSeconds": "3"},
        ),
        ("queue", "UpdateContactTargetQueue", {"QueueId": "queue:Support"}),
        (
            "next",
            "TransferToFlow",
            {"ContactFlowId": "flow:Customer Queue" if i == 0 else f"flow:Bench {i - 1:03d}"},
        ),
        ("end", "DisconnectParticipant", {}),
    )
    return dump_document(
        document_from_data(
            {
                "flowops": 1,
                "name": ident,
                "kind": "flow",
                "type": "CONTACT_FLOW",
                "description": f"generated {i}",
                "state": "ACTIVE",
                "status": "PUBLISHED",
                "tags": {},
                "content": content,
                "layout": {"ActionMetadata": {}},
            }
        )
    )


def _writes(calls: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in sorted(calls.items()) if k.startswith(WRITE_PREFIXES) and v}


def _plain_boto3_export(url: str) -> tuple[int, float, int]:
    """The usual script: list flows and modules, describe each. Returns calls, s, flows."""
    client = boto3.client(
        "connect",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=DEV,
        aws_secret_access_key="x",
        config=botocore.config.Config(retries={"mode": "adaptive", "max_attempts": 20}),
    )
    attempts: Counter[str] = Counter()
    client.meta.events.register(
        "before-send.connect", lambda event_name="", **_: attempts.update([event_name])
    )
    start = time.perf_counter()
    iid = client.list_instances()["InstanceSummaryList"][0]["Id"]
    n = 0
    for page in client.get_paginator("list_contact_flows").paginate(InstanceId=iid):
        for summary in page["ContactFlowSummaryList"]:
            client.describe_contact_flow(InstanceId=iid, ContactFlowId=summary["Id"])
            n += 1
    for page in client.get_paginator("list_contact_flow_modules").paginate(InstanceId=iid):
        for summary in page["ContactFlowModulesSummaryList"]:
            client.describe_contact_flow_module(InstanceId=iid, ContactFlowModuleId=summary["Id"])
            n += 1
    return sum(attempts.values()), time.perf_counter() - start, n


def _throttles(server: SandboxServer) -> int:
    """Throttled answers since the last call (the request log is reset)."""
    count = sum(
        v
        for (_, _, outcome), v in server.request_log.outcomes().items()
        if outcome == "ThrottlingException"
    )
    server.request_log.reset()
    return count


def _reread(count: int) -> str:
    """The flows read again by id because a release recorded them in the last 10 minutes."""
    return f"{count} re-read by id, " if count else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--flows", type=int, default=500)
    args = parser.parse_args(argv)
    total = args.flows
    failures: list[str] = []
    rows: list[tuple[str, ...]] = []
    config = SandboxConfig()  # Connect's default quotas: 2 req/s, burst 5, per account
    with SandboxServer(":memory:", config=config) as server, tempfile.TemporaryDirectory() as tmp:
        server.config.limits.flows_per_instance = total + 100
        server.config.limits.modules_per_instance = total + 100
        server.seed()
        # --- set-up, quotas off: 490 generated flows in dev, via a promote from git
        server.config.enforce_quotas = False
        gen = Path(tmp) / "gen"
        repo = git.Repo.init(gen)
        (gen / "flows").mkdir()
        for i in range(total - SEEDED):
            (gen / "flows" / f"Bench-{i:03d}.json").write_text(_doc(i), encoding="utf-8")
        repo.index.add(["flows"])
        repo.index.commit("generated", author=git.Actor("bench", "b@x"))
        quotas = {"flows_per_instance": server.config.limits.flows_per_instance}  # plan checks it
        dev_fast = sandbox_environment(server.url, quotas=quotas)
        promote(dev_fast, "HEAD", gen)

        # --- 1. export of 500 flows, quotas on, flowops' default pacing
        server.config.enforce_quotas = True
        time.sleep(3)  # let the account's bucket refill
        _throttles(server)
        dev = sandbox_environment(server.url, rate_limit=RateLimit())
        work = Path(tmp) / "repo"
        repo = git_repo(work, "bench", "b@x")
        start = time.perf_counter()
        exporter = ConnectClient.for_environment(dev)
        exported = export_env(dev, work / "flows", commit=True, client=exporter)
        export_s = time.perf_counter() - start
        n = len(exported.added)
        # Flows a release recorded in the last 10 minutes (here: the set-up's) are read
        # again by id before a plan or export (releases.settle_catalog): not bulk reads.
        reread = int(exporter.lag_report()["reread"])
        reads = sum(exported.calls.get(op, 0) for op in FLOW_READS) - reread
        budget = math.ceil(n / 100) + 2  # +1 page boundary per kind (flows and modules)
        export_calls = sum(exported.calls.values())
        rows.append(
            (
                "export (flowops)",
                f"{n} flows and modules",
                f"{export_calls} calls ({reads} flow reads, {_reread(reread)}"
                f"{sum(exported.calls.get(op, 0) for op in CATALOG_LISTS)} catalog lists)",
                f"{export_s:.1f} s",
                str(_throttles(server)),
            )
        )
        if reads > budget:
            failures.append(f"export used {reads} flow reads, budget {budget}")
        time.sleep(3)
        _throttles(server)
        plain_calls, plain_s, plain_n = _plain_boto3_export(server.url)
        rows.append(
            (
                "export (plain boto3 list + describe)",
                f"{plain_n} flows and modules",
                f"{plain_calls} HTTP requests (throttles retried)",
                f"{plain_s:.1f} s",
                str(_throttles(server)),
            )
        )

        # --- 2. promote the same ref twice (first run is set-up, quotas off)
        dev_bots = ConnectClient.for_environment(dev_fast).catalog(with_content=False)
        stg_bots = ConnectClient.for_environment(
            sandbox_environment(server.url, "staging")
        ).catalog(with_content=False)
        lex = {"lexbot": {dev_bots.entries("lexbot")[0].name: stg_bots.entries("lexbot")[0].name}}
        server.config.enforce_quotas = False
        first = promote(
            sandbox_environment(server.url, "staging", overrides=lex, quotas=quotas),
            "HEAD",
            work,
        )
        assert first.applied is not None
        created = len(first.applied.outcomes)
        server.config.enforce_quotas = True
        time.sleep(3)
        _throttles(server)
        staging = sandbox_environment(
            server.url, "staging", overrides=lex, quotas=quotas, rate_limit=RateLimit()
        )
        start = time.perf_counter()
        second = promote(staging, "HEAD", work)
        second_s = time.perf_counter() - start
        assert second.applied is not None
        writes = _writes(second.applied.calls)
        rows.append(
            (
                "promote same ref again",
                f"{created} flows, all unchanged",
                f"{sum(second.applied.calls.values())} calls "
                f"({_reread(second.applied.lag['reread'])}writes: {writes or 0})",
                f"{second_s:.1f} s",
                str(_throttles(server)),
            )
        )
        if writes:
            failures.append(f"second promote wrote: {writes}")

        # --- 3. five flows changed
        spread = (total - SEEDED) // 5
        for i in range(5):
            path = work / "flows" / f"Bench-{i * spread:03d}.json"
            text = path.read_text()
            path.write_text(
                text.replace(
                    '"InvocationTimeLimitSeconds": "3"', '"InvocationTimeLimitSeconds": "5"'
                )
            )
        repo.index.add(["flows"])
        repo.index.commit("five flows changed")
        time.sleep(3)
        _throttles(server)
        start = time.perf_counter()
        third = promote(staging, "HEAD", work)
        third_s = time.perf_counter() - start
        assert third.applied is not None
        writes = _writes(third.applied.calls)
        flow_writes = {
            k: v for k, v in writes.items() if "Module" not in k and not k.endswith("Resource")
        }
        rows.append(
            (
                "promote with 5 changed",
                f"{created} flows, 5 changed",
                f"{sum(third.applied.calls.values())} calls "
                f"({_reread(third.applied.lag['reread'])}writes: {writes})",
                f"{third_s:.1f} s",
                str(_throttles(server)),
            )
        )
        # Each changed flow's live content is the set-up release's version: that version is
        # its restore point (no new one), so a content update and a release version each.
        expected = {"CreateContactFlowVersion": 5, "UpdateContactFlowContent": 5}
        if flow_writes != expected:
            failures.append(f"5-flow promote flow writes {flow_writes}, expected {expected}")
    print("| step | flows | calls | wall | throttled |")
    print("|---|---|---|---:|---:|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    for failure in failures:
        print(f"FAILED: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
