"""Benchmark: what Amazon Connect's eventual consistency costs promote, rollback and a
canary cycle, in calls.

The same sequence runs twice on a fresh seeded sandbox, once with every read current
and once with the sandbox's lag on (wall clock, seeded NotFound draws). Each command has
a client of its own, as separate ``flowops`` runs would, and starts right after the one
before (well inside the lag). Set-up, lag off: staging released once (A, B, module M),
so its ledger exists and is indexed. Then:

1. promote: A and B updated, N created (create + update);
2. rollback of that release;
3. promote again (Search still shows the content before the rollback);
4. canary start of ``Main Inbound`` in dev at 10 %, ramp to 50 %, promote;
5. canary start again, abort;
6. history of staging.

Measured per command: HTTP requests (the client's ``attempts``), of which NotFound
retries, Search/List/tag polls that waited for a write to show (``lag_waits``) and flows
read again by id because their Search copy does not show a recent release yet
(``lag_rereads``);
the difference lag on - lag off is what lag costs. Every command must end as it does
without lag (checked: the same release ids, the same contents).

Run: ``python -m bench lag``. Prints Markdown and rewrites the "Lag cost" section of
``bench/results.md``; exit 1 when a run ends differently from the run without lag.
"""

from __future__ import annotations

import json
import platform
import subprocess
import tempfile
import textwrap
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import git

from bench.results import replace_section
from flowops.config import Environment
from flowops.connect import ConnectClient
from flowops.deploy.canary import abort_canary, promote_canary, ramp_canary, start_canary
from flowops.deploy.history import history
from flowops.deploy.promote import promote
from flowops.deploy.rollback import rollback
from flowops.model.parse import parse_content
from flowops.sandbox import Lag, SandboxConfig, SandboxServer
from tests.support import DEV, STAGING, git_repo, sandbox_environment
from tests.support.lag import release_files
from tests.support.repos import commit_files
from tests.support.scenarios import MAIN, candidate_doc

#: Seconds Search and List trail writes, tags trail tag writes, and NotFound may answer a
#: read right after a create (half of them, seeded).
LAG = Lag(search=2.0, list=2.0, tags=1.0, not_found=1.0, not_found_rate=0.5)
SEED = 22


class _Run:
    """One pass of the sequence; ``rows``: (command, client, outcome) in order."""

    def __init__(self, server: SandboxServer, root: Path) -> None:
        self.server = server
        self.root = root
        self.staging = sandbox_environment(server.url, "staging", STAGING)
        self.dev = sandbox_environment(server.url, "dev", DEV)
        self.rows: list[tuple[str, ConnectClient, Any]] = []

    def step(self, label: str, env: Environment, act: Callable[[ConnectClient], Any]) -> None:
        client = ConnectClient.for_environment(env)
        self.rows.append((label, client, act(client)))

    def promote(self, client: ConnectClient) -> Any:
        done = promote(self.staging, "HEAD", self.root, client=client, tag=False)
        assert done.applied is not None
        release = done.applied.release
        return release.id if release is not None else None

    def sequence(self) -> None:
        newer_doc = candidate_doc()
        newer = replace(
            newer_doc,
            flow=parse_content(
                json.loads(json.dumps(newer_doc.flow.raw).replace("new menu", "newer menu"))
            ),
        )
        self.step("promote (1 create, 2 updates)", self.staging, self.promote)
        self.step("rollback", self.staging, lambda c: rollback(c).release_id)
        self.step("promote again (2 updates)", self.staging, self.promote)
        self.step(
            "canary start",
            self.dev,
            lambda c: start_canary(c, MAIN, candidate_doc(), 10, ref="abc").percent,
        )
        self.step("canary ramp", self.dev, lambda c: ramp_canary(c, MAIN, 50).percent)
        self.step("canary promote", self.dev, lambda c: promote_canary(c, MAIN).release_id)
        self.step(
            "canary start (2nd)",
            self.dev,
            lambda c: start_canary(c, MAIN, newer, 10, ref="def").percent,
        )
        self.step("canary abort", self.dev, lambda c: abort_canary(c, MAIN).percent)
        self.step(
            "history",
            self.staging,
            lambda c: [r.id for r in history(self.staging, client=c).releases],
        )


def _pass(lag: Lag | None) -> tuple[list[dict[str, Any]], float]:
    with (
        tempfile.TemporaryDirectory() as tmp,
        SandboxServer(":memory:", config=SandboxConfig.for_tests(seed=SEED)) as server,
    ):
        server.seed()
        root = Path(tmp)
        repo: git.Repo = git_repo(root, "Bench")
        commit_files(repo, release_files("v1", with_n=False))
        promote(sandbox_environment(server.url, "staging", STAGING), "HEAD", root, tag=False)
        commit_files(repo, release_files("v2", with_n=True))
        if lag is not None:
            server.config.lag = lag
        run = _Run(server, root)
        started = time.monotonic()
        run.sequence()
        wall = time.monotonic() - started
        rows = []
        for label, client, outcome in run.rows:
            rows.append(
                {
                    "label": label,
                    "http": sum(client.attempts.values()),
                    "not_found": sum(client.not_found_retries.values()),
                    "waits": sum(client.lag_waits.values()),
                    "rereads": sum(client.lag_rereads.values()),
                    "outcome": outcome,
                }
            )
        return rows, wall


def _commit() -> str:
    """The checkout's short commit (``-`` outside git)."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return "-"
    return done.stdout.strip()


def main(argv: list[str] | None = None) -> int:
    """Run the sequence without and with lag; print and record the table."""
    del argv
    off, wall_off = _pass(None)
    on, wall_on = _pass(LAG)
    table = [
        "| Command | HTTP, no lag | HTTP, lag | extra | NotFound retries | waits "
        "| reread by id, no lag | reread by id, lag | same outcome |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    same = True
    for a, b in zip(off, on, strict=True):
        ok = a["outcome"] == b["outcome"]
        same = same and ok
        table.append(
            f"| {a['label']} | {a['http']} | {b['http']} | {b['http'] - a['http']:+d} | "
            f"{b['not_found']} | {b['waits']} | {a['rereads']} | {b['rereads']} | "
            f"{'yes' if ok else 'NO'} |"
        )
    total_off = sum(r["http"] for r in off)
    total_on = sum(r["http"] for r in on)
    table.append(
        f"| **total** | {total_off} | {total_on} | {total_on - total_off:+d} | "
        f"{sum(r['not_found'] for r in on)} | {sum(r['waits'] for r in on)} | "
        f"{sum(r['rereads'] for r in off)} | {sum(r['rereads'] for r in on)} | "
        f"{'yes' if same else 'NO'} |"
    )
    intro = textwrap.fill(
        "`python -m bench lag` — the same sequence of separate runs (each a fresh client,"
        " started right after the one before) without lag and with the sandbox's lag on:"
        f" Search and List {LAG.search:g} s, tags {LAG.tags:g} s, NotFound for"
        f" {LAG.not_found:g} s after a create with probability {LAG.not_found_rate:g}"
        f" (seed {SEED}). Set-up without lag: staging released once (A, B, module M)."
        " HTTP requests per command; 'waits' are Search/List/tag reads asked again until a"
        " write showed; 'reread by id' are the ledger and the flows a release of the last 10"
        " minutes touched whose Search copy does not show that release yet (content and"
        " metadata hashes as recorded), read by id before a plan (and a canary's helper"
        " flows read by id): without lag Search has caught up, so only the ledger and flows"
        " whose newest record has no hashes (a rollback's, as before 'promote again') are"
        " read again; with lag also the flows the lag hides (part of 'extra'). Default"
        " client settings (backoff 0.5 s doubling), no quota. The windows are wall-clock"
        " seconds, so which reads meet them, and the extra requests, vary by a few from run"
        " to run; the lag suite (tests/integration/test_lag_release_suite.py) runs the same"
        " commands on a clock driven by requests, exactly repeatable. Not in the table: a"
        " promote right after an environment's very first release is refused, nothing"
        " written, until the new ledger is searchable (run it again). Wall: "
        f"{wall_off:.1f} s without lag, {wall_on:.1f} s with. Measured {date.today()} at"
        f" {_commit()}. Machine: "
        f"{platform.machine()}, Python {platform.python_version()}.",
        width=90,
    )
    text = "\n".join(["## Lag cost (promote, rollback, canary)", "", intro, "", *table, ""])
    print(text)
    replace_section("Lag cost (promote, rollback, canary)", text)
    return 0 if same else 1
