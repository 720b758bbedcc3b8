"""Semantic diff of two 1,000-flow trees with 10 changed flows, 10 layout-only, 30 callers.

Flows come from the lint benchmark's generator (deterministic RNG), 40 actions each,
written as files to two temporary folders. Timed, best of two runs: the engine alone on
parsed trees, read + parse + diff from the folders, rendering, and the whole CLI
(``flowops diff OLD NEW --format json``, process start included). The result replaces
the "Diff" section of ``bench/results.md``. Target: well under 5 s.
"""

from __future__ import annotations

import copy
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.lint_bench import generate_flow
from bench.results import RESULTS, replace_section
from flowops.diff import diff_trees
from flowops.diff.compare import compare_sides
from flowops.diff.render_json import render_json
from flowops.diff.render_markdown import render_markdown
from flowops.diff.sources import load_side
from flowops.repo import read_tree

FLOWS, ACTIONS, CHANGED, LAYOUT, CALLERS, RUNS = 1000, 40, 10, 10, 30, 2


def _edit(flow: dict[str, Any], how: int) -> None:
    """One semantic edit: a parameter, a retarget, or an added action."""
    actions = flow["Actions"]
    if how % 3 == 0:
        target = next(a for a in actions if a.get("Parameters", {}).get("Text"))
        target["Parameters"]["Text"] += " (edited)"
    elif how % 3 == 1:
        target = next(a for a in actions if a["Transitions"].get("NextAction"))
        target["Transitions"]["NextAction"] = flow["StartAction"]
    else:
        actions.append(
            {
                "Identifier": "bench-added",
                "Type": "MessageParticipant",
                "Parameters": {"Text": "new"},
                "Transitions": {"NextAction": flow["StartAction"]},
            }
        )


def write_trees(root: Path) -> tuple[Path, Path]:
    rng = random.Random(20261127)
    old, new = root / "old", root / "new"
    old.mkdir()
    new.mkdir()
    for i in range(FLOWS):
        flow = generate_flow(rng, i, ACTIONS)
        if CHANGED + LAYOUT <= i < CHANGED + LAYOUT + CALLERS:  # callers of changed flows
            flow["Actions"].append(
                {
                    "Identifier": "bench-transfer",
                    "Type": "TransferToFlow",
                    "Parameters": {"ContactFlowId": f"flow:Generated {i % CHANGED}"},
                }
            )
        edited = copy.deepcopy(flow)
        if i < CHANGED:
            _edit(edited, i)
        elif i < CHANGED + LAYOUT:
            edited["Metadata"]["entryPointPosition"]["x"] += 5
        (old / f"flow-{i:04d}.json").write_text(json.dumps(flow, indent=2), encoding="utf-8")
        (new / f"flow-{i:04d}.json").write_text(json.dumps(edited, indent=2), encoding="utf-8")
    return old, new


def best_of(func: Callable[[], object], runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(old: Path, new: Path) -> list[tuple[str, float]]:
    old_tree, new_tree = read_tree(old), read_tree(new)
    diff = diff_trees(old_tree, new_tree)
    counts = diff.counts()
    if counts["changed"] != CHANGED or counts["layout"] != LAYOUT:
        raise SystemExit(f"benchmark diff is wrong: {counts}")
    impact = sum(len(f.impacted_by) for f in diff.flows)
    if impact != CALLERS:
        raise SystemExit(f"benchmark impact is wrong: {impact} callers")

    def from_folders() -> None:
        result = compare_sides(load_side(str(old)), load_side(str(new)))
        if result.counts() != counts or result.flows != diff.flows:
            raise SystemExit(f"folder diff differs from the full diff: {result.counts()}")

    flowops = Path(sys.executable).with_name("flowops")
    cli = [str(flowops), "diff", str(old), str(new), "--format", "json", "--exit-code"]

    def run_cli() -> None:
        done = subprocess.run(cli, capture_output=True, check=False)
        if done.returncode != 1:
            raise SystemExit(f"flowops diff exited {done.returncode}: {done.stderr!r}")

    return [
        (
            "engine only (diff_trees on parsed trees)",
            best_of(lambda: diff_trees(old_tree, new_tree)),
        ),
        ("read two folders + diff (parses changed files and callers)", best_of(from_folders)),
        (
            "parse all 2,000 files + diff (for reference)",
            best_of(lambda: diff_trees(read_tree(old), read_tree(new))),
        ),
        (
            "render json + markdown (with graphs)",
            best_of(lambda: (render_json(diff), render_markdown(diff))),
        ),
        ("CLI end to end (`flowops diff A B -f json`)", best_of(run_cli)),
        ("CLI end to end, git (`flowops diff` = HEAD vs working tree)", git_cli(old, new)),
    ]


def git_cli(old: Path, new: Path) -> float:
    """``flowops diff`` in a repository whose HEAD holds ``old`` and whose work tree ``new``."""
    repo_dir = old.parent / "repo"
    flows = repo_dir / "flows"
    shutil.copytree(old, flows)
    env = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com"}
    env.update(GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@example.com")
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "old", "--no-gpg-sign"]):
        subprocess.run(["git", *args], cwd=repo_dir, env=env, check=True)
    shutil.rmtree(flows)
    shutil.copytree(new, flows)
    flowops = Path(sys.executable).with_name("flowops")

    def run() -> None:
        done = subprocess.run(
            [str(flowops), "diff", "-f", "json", "--exit-code"], cwd=repo_dir, capture_output=True
        )
        if done.returncode != 1:
            raise SystemExit(f"flowops diff exited {done.returncode}: {done.stderr!r}")

    return best_of(run)


def section(rows: list[tuple[str, float]]) -> str:
    lines = [
        "## Diff",
        "",
        f"`python -m bench diff` — two trees of {FLOWS:,} generated flows ({ACTIONS} actions",
        f"each), {CHANGED} with semantic edits (parameter, retarget, added action), {LAYOUT}",
        f"layout-only, {CALLERS} other flows transferring to the changed ones; best of {RUNS}",
        "runs. Git row: the old tree committed, the new one in the working tree.",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPU, Python {platform.python_version()}.",
        "Target: well under 5 s.",
        "",
        "| Step | seconds |",
        "|---|---:|",
    ]
    lines += [f"| {name} | {seconds:.3f} |" for name, seconds in rows]
    return "\n".join(lines) + "\n"


def update_results(text: str, path: Path = RESULTS) -> None:
    """Replace (or append) the ``## Diff`` section, leaving other sections alone."""
    replace_section("Diff", text, path)


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        old, new = write_trees(Path(tmp))
        text = section(measure(old, new))
    update_results(text)
    print(text)
    return 0
