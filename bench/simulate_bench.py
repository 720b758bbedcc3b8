"""Scenario runs against lint, and ``--generate`` over the corpus.

1. 10,000 scenario runs over 100 generated flows of 150 actions (the lint benchmark's
   generator, same seed): the cost of one run against the cost of linting the same flow
   (one process, after start-up). Target: a run costs no more than linting the flow.
2. ``flowops test --generate`` over every corpus flow (``../shared/corpus``, if present),
   each flow alone (its modules and transfers are not in the corpus): the branch coverage
   the generated scenarios reach, the runs it took, and why the rest is unreachable.

The result replaces the "Simulate" section of ``bench/results.md``.
"""

from __future__ import annotations

import os
import platform
import random
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.lint_bench import CORPUS, write_generated
from bench.results import replace_section
from flowops.lint import lint_paths
from flowops.model import load_document
from flowops.repo import flow_key
from flowops.simulate.coverage import compute_coverage
from flowops.simulate.engine import Simulator
from flowops.simulate.generate import DEFAULT_MAX_RUNS, generate
from flowops.simulate.world import flowset_from_documents, load_flowset

FLOWS, RUNS_PER_FLOW = 100, 100


def _given(rng: random.Random) -> dict[str, Any]:
    return {
        "attributes": {"segment": rng.choice(["gold", "silver"])},
        "inputs": [rng.choice(["1", "2", "3", "4", "9", "timeout"]) for _ in range(80)],
        "lambdas": {"lambda:Lookup": [{"result": {"ok": "1"}} for _ in range(80)]},
        # Full queues: a transfer takes its error branch and the contact goes on, so a run
        # walks the flow instead of ending at its first queue.
        "queues": {"queue:Support": {"at_capacity": True}},
    }


def runs_vs_lint() -> dict[str, float]:
    rng = random.Random(20261130)
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_generated(Path(tmp), FLOWS)
        start = time.process_time()
        lint_paths(paths)
        lint_cpu = time.process_time() - start
        flows = load_flowset(tmp)
        entries = sorted(flows, key=lambda e: e.key)
        givens = [_given(rng) for _ in range(RUNS_PER_FLOW)]
        steps = ended = 0
        start, start_wall = time.process_time(), time.perf_counter()
        for entry in entries:
            for given in givens:
                run = Simulator(flows, given).run(entry)
                steps += len(run.steps)
                ended += run.end is not None
        sim_cpu, sim_wall = time.process_time() - start, time.perf_counter() - start_wall
    runs = FLOWS * RUNS_PER_FLOW
    return {
        "runs": runs,
        "lint_ms_per_flow": 1000 * lint_cpu / FLOWS,
        "run_ms": 1000 * sim_cpu / runs,
        "sim_wall": sim_wall,
        "sim_cpu": sim_cpu,
        "steps": steps / runs,
        "ended": ended / runs,
    }


def corpus_generate() -> dict[str, Any] | None:
    files = sorted(CORPUS.glob("*.json")) if CORPUS.is_dir() else []
    if not files:
        return None
    total = covered = runs = scenarios = 0
    reasons: Counter[str] = Counter()
    crashes: list[str] = []
    full = 0
    start = time.perf_counter()
    for path in files:
        doc = load_document(path)
        flows = flowset_from_documents({flow_key(doc.info): doc})
        report = generate(flows)
        runs += report.runs
        scenarios += len(report.scenarios)
        crashes += report.crashes
        cov = compute_coverage(flows, {b for s in report.scenarios for b in s.covers})
        total += cov.total
        covered += cov.covered
        full += cov.covered == cov.total
        reasons.update(u.reason for u in report.unreachable)
    return {
        "files": len(files),
        "total": total,
        "covered": covered,
        "runs": runs,
        "scenarios": scenarios,
        "seconds": time.perf_counter() - start,
        "reasons": reasons,
        "crashes": crashes,
        "full": full,
    }


def section(sim: dict[str, float], corpus: dict[str, Any] | None) -> str:
    lines = [
        "## Simulate",
        "",
        "`python -m bench simulate`. Machine: "
        f"{platform.machine()}, {os.cpu_count()} CPU, Python {platform.python_version()}; "
        f"load average {os.getloadavg()[0]:.1f}. CPU times (other processes do not inflate them).",
        "",
        f"**Scenario runs vs lint.** {int(sim['runs']):,} scenario runs over {FLOWS} generated",
        f"flows of 150 actions (the lint benchmark's generator), {RUNS_PER_FLOW} scenarios each;",
        f"{sim['steps']:.1f} blocks per run on average, {100 * sim['ended']:.0f}% of runs end the",
        "contact (the rest stop for a missing input, which costs the same).",
        "",
        "| | CPU |",
        "|---|---:|",
        f"| lint, per flow (`lint_paths` over the {FLOWS} files) "
        f"| {sim['lint_ms_per_flow']:.2f} ms |",
        f"| one scenario run | {sim['run_ms']:.3f} ms |",
        f"| all {int(sim['runs']):,} runs "
        f"| {sim['sim_cpu']:.2f} s ({sim['sim_wall']:.2f} s wall) |",
        "",
        f"A run costs {sim['run_ms'] / sim['lint_ms_per_flow']:.2f}x linting the same flow "
        "(target: at most 1x).",
        "",
    ]
    if corpus is None:
        lines.append("Corpus: not found, `--generate` over the corpus not measured.")
    else:
        pct = 100 * corpus["covered"] / max(corpus["total"], 1)
        lines += [
            f"**`--generate` over the corpus.** {corpus['files']} flows, each alone, search bound",
            f"{DEFAULT_MAX_RUNS} runs per entry flow: {corpus['scenarios']} scenarios from "
            f"{corpus['runs']:,} runs in {corpus['seconds']:.1f} s; branch coverage "
            f"**{pct:.1f}%** ({corpus['covered']}/{corpus['total']} reachable branches); "
            f"{corpus['full']} flows at 100%; {len(corpus['crashes'])} crashes.",
            "",
            "| Why the rest is not covered | Branches |",
            "|---|---:|",
        ]
        for reason, count in corpus["reasons"].most_common():
            lines.append(f"| {reason} | {count} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    text = section(runs_vs_lint(), corpus_generate())
    replace_section("Simulate", text)
    print(text)
    return 0
