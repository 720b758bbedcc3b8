"""flowops next to its nearest peer, ``connect-flow`` 0.3.1 from PyPI, on the same files.

``python -m bench peer`` (``make bench BENCH=peer``), about two minutes:

1. **Start-up and lint speed**, whole process, wall clock: ``connect-flow lint --quiet``
   and ``flowops lint`` (every rule, no configuration) on one file and on the whole
   corpus, run alternately (so load on a shared machine hits both alike), medians of
   ``ROUNDS`` runs after a warm-up; CPU time (user + system of the child) beside it.
   Target: flowops at most 0.8x the peer's wall time.
2. **Layout**, on every corpus flow: overlapping blocks and crossing edges
   (``flowops.layout.layout_metrics``: boxes of 200 x 120 at the designer positions,
   straight edges between centres) as found, after ``connect-flow prettify`` and after
   ``flowops fmt --layout``. A file the peer fails on keeps its original positions in the
   peer's column (and is counted). Target: no overlaps, at most half the peer's
   crossings.

The peer goes into a throwaway virtualenv (``connect-flow[graphviz]``: its prettify
needs pygraphviz); when PyPI is unreachable the section says so and the run exits 0.
``FLOWOPS_PEER_BIN=/path/to/connect-flow`` uses an installed peer instead. The result
replaces the "Peer: connect-flow" section of ``bench/results.md``.
"""

from __future__ import annotations

import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bench.results import replace_section
from flowops.layout import LayoutMetrics, layout_metrics
from flowops.model import load_document

ROOT = Path(__file__).resolve().parents[1]
CORPUS = (ROOT / ".." / "shared" / "corpus").resolve()
PEER = "connect-flow[graphviz]==0.3.1"
ROUNDS = 7
HEADING = "Peer: connect-flow"


def install_peer(folder: Path) -> tuple[Path | None, str]:
    """The peer's executable (installed into ``folder``), or None and why not."""
    given = os.environ.get("FLOWOPS_PEER_BIN")
    if given:
        return Path(given), f"the peer at {given} (FLOWOPS_PEER_BIN)"
    venv = folder / "peer-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    done = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", PEER],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return None, f"`pip install {PEER}` failed ({last})"
    return venv / "bin" / "connect-flow", f"`pip install {PEER}` into a throwaway venv"


def _run(command: Sequence[str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds (user + system of the child) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def alternate(
    commands: dict[str, list[str]], cwd: Path, rounds: int = ROUNDS
) -> dict[str, tuple[float, float]]:
    """Median wall and CPU seconds per command, the commands run in turn each round."""
    names = list(commands)
    for name in names:
        _run(commands[name], cwd)  # warm-up: file cache, .pyc
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
    for i in range(rounds):
        for name in names[i % 2 :] + names[: i % 2]:
            samples[name].append(_run(commands[name], cwd))
    return {
        name: (
            statistics.median(w for w, _ in runs),
            statistics.median(c for _, c in runs),
        )
        for name, runs in samples.items()
    }


Row = tuple[str, float, float, float, float]


def speed(peer: Path, files: list[Path], cwd: Path) -> list[Row]:
    """(set, peer wall, peer CPU, flowops wall, flowops CPU) for one file and all files."""
    flowops = str(Path(sys.executable).with_name("flowops"))
    rows = []
    for label, chosen in (("one file", files[:1]), (f"{len(files)} files", files)):
        args = [str(p) for p in chosen]
        timed = alternate(
            {
                "peer": [str(peer), "lint", "--quiet", *args],
                "flowops": [flowops, "lint", *args],
            },
            cwd,
        )
        rows.append((label, *timed["peer"], *timed["flowops"]))
    return rows


def _sum(items: list[LayoutMetrics]) -> tuple[int, int]:
    return sum(m.overlaps for m in items), sum(m.crossings for m in items)


def layouts(peer: Path, files: list[Path], work: Path) -> dict[str, object]:
    """Metrics as found, after the peer's prettify and after ``flowops fmt --layout``."""
    peer_out = work / "peer"
    ours = work / "flowops"
    peer_out.mkdir()
    ours.mkdir()
    failed = 0
    start = time.perf_counter()
    # The peer stops at the first file it cannot lay out: run it on what is left, count
    # the first file it did not write as failed, and go on after it.
    pending = list(files)
    while pending:
        subprocess.run(
            [str(peer), "--quiet", "prettify", "--output-dir", str(peer_out), *map(str, pending)],
            capture_output=True,
        )
        missing = [p for p in pending if not (peer_out / p.name).exists()]
        if not missing:
            break
        failed += 1
        shutil.copy(missing[0], peer_out / missing[0].name)
        pending = missing[1:]
    peer_seconds = time.perf_counter() - start
    for path in files:
        shutil.copy(path, ours / path.name)
    start = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).with_name("flowops")), "fmt", "--layout", str(ours)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    ours_seconds = time.perf_counter() - start
    found = [layout_metrics(load_document(p).flow) for p in files]
    theirs = [layout_metrics(load_document(peer_out / p.name).flow) for p in files]
    mine = [layout_metrics(load_document(ours / p.name).flow) for p in files]
    return {
        "found": _sum(found),
        "peer": _sum(theirs),
        "flowops": _sum(mine),
        "peer_failed": failed,
        "peer_seconds": peer_seconds,
        "flowops_seconds": ours_seconds,
        "worse": sum(m.crossings > t.crossings for m, t in zip(mine, theirs, strict=True)),
    }


def section(
    how: str, rows: list[tuple[str, float, float, float, float]], lay: dict[str, object], files: int
) -> str:
    lines = [
        f"## {HEADING}",
        "",
        "`python -m bench peer` — flowops next to `connect-flow` 0.3.1 (PyPI), the nearest",
        f"peer, on the same files ({files} corpus flows); peer installed by {how}.",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPU, Python {platform.python_version()};",
        f"load average {os.getloadavg()[0]:.1f} when measured.",
        "",
        f"**Start-up and lint**, whole process, medians of {ROUNDS} alternating runs after a",
        "warm-up (`connect-flow lint --quiet FILES` runs its 4 structural checks; `flowops lint",
        "FILES` runs every rule). Target: flowops wall at most 0.8x the peer's.",
        "",
        "| Files | peer wall / CPU (s) | flowops wall / CPU (s) | flowops / peer (wall) | (CPU) |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, pw, pc, fw, fc in rows:
        ratios = f"{fw / pw:.2f}x | {fc / pc:.2f}x"
        lines.append(f"| {label} | {pw:.3f} / {pc:.3f} | {fw:.3f} / {fc:.3f} | {ratios} |")
    found, theirs, mine = lay["found"], lay["peer"], lay["flowops"]
    assert isinstance(found, tuple) and isinstance(theirs, tuple) and isinstance(mine, tuple)
    lines += [
        "",
        "**Layout**: overlapping block pairs and crossing edge pairs (boxes of 200 x 120 at",
        "the designer positions, straight edges between centres, `flowops.layout.layout_metrics`).",
        f"The peer's prettify failed on {lay['peer_failed']} file(s) (kept as found in its row);",
        f"it took {lay['peer_seconds']:.1f} s, `flowops fmt --layout` on the folder",
        f"{lay['flowops_seconds']:.1f} s. Target: no overlaps, at most half the peer's crossings.",
        "",
        "| Positions | overlapping pairs | crossing edge pairs |",
        "|---|---:|---:|",
        f"| as found | {found[0]} | {found[1]} |",
        f"| `connect-flow prettify` | {theirs[0]} | {theirs[1]} |",
        f"| `flowops fmt --layout` | {mine[0]} | {mine[1]} "
        f"({mine[1] / max(theirs[1], 1):.2f}x the peer's) |",
        "",
        f"Flows where flowops has more crossings than the peer: {lay['worse']} of {files}.",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    files = sorted(CORPUS.glob("*.json")) if CORPUS.is_dir() else []
    if not files:
        print(f"corpus not found at {CORPUS}: nothing to compare", file=sys.stderr)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        peer, how = install_peer(work)
        if peer is None:
            text = f"## {HEADING}\n\nSkipped: {how}; PyPI is needed to install the peer.\n"
            replace_section(HEADING, text)
            print(text)
            return 0
        rows = speed(peer, files, work)
        lay = layouts(peer, files, work)
    text = section(how, rows, lay, len(files))
    replace_section(HEADING, text)
    print(text)
    return 0
