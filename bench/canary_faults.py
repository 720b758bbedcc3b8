"""Canary trials under seeded faults: start, ramp, promote or abort, each under a fault.

One trial: a fresh sandbox at release 1; a canary of flow A (to A v2) started at 10 %,
ramped to 50 %, then promoted (even seeds) or aborted (odd seeds), each command run with
one kind of fault switched on (:func:`bench.release_faults.faults_for`: ``5xx``,
``throttle``, ``drop``, ``lost`` = the call applied and its answer lost, ``fatal`` = a
non-retryable error on the n-th call of one write operation). After each command, with
the faults off, the checks of :class:`bench.release_kills.Canary` (plain boto3): the
entry flow at its old content, the candidate's or a wrapper with its state tag; the other
flows untouched; no lock; no helper without a canary; every record true per flow. Where
a command failed, the plain re-run follows (the command again where its effect is not
there, then the canary promoted or aborted), and then a promote of the same commit makes
no write and, after a promote, a rollback leaves exactly the state a rollback after a
clean promote of the candidate leaves.
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.release_faults import SETTINGS, faults_for
from bench.release_kills import ENTRY, Canary, World, _head, locks
from flowops.connect import ConnectClient
from flowops.deploy.canary import abort_canary, promote_canary, ramp_canary, start_canary
from flowops.errors import FlowopsError
from flowops.sandbox import SandboxConfig, SandboxServer
from flowops.sandbox.config import FaultRule
from tests.support import STAGING

KINDS = ("5xx", "throttle", "drop", "lost", "fatal")
#: Write operations of the canary commands a fatal fault may hit.
CANARY_OPS = (
    "CreateContactFlowVersion",
    "CreateContactFlow",
    "UpdateContactFlowContent",
    "TagResource",
    "DeleteContactFlow",
    "UpdateContactFlowModuleContent",
)


@dataclass
class CanaryTrial:
    """One trial's result: which commands failed under the fault."""

    kind: str
    seed: int
    ending: str  # promote or abort
    failed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _faults(kind: str, rng: random.Random) -> list[FaultRule]:
    if kind != "fatal":
        return faults_for(kind, rng)
    op = rng.choice(CANARY_OPS)
    return [
        FaultRule(operation=op, error_code="AccessDeniedException", fail_nth=1, account=STAGING)
    ]


def run_canary_trial(kind: str, seed: int, workdir: Path) -> CanaryTrial:
    started = time.perf_counter()
    rng = random.Random(seed)
    ending = "promote" if seed % 2 == 0 else "abort"
    trial = CanaryTrial(kind, seed, ending)
    with SandboxServer(":memory:", config=SandboxConfig.for_tests()) as sandbox:
        sandbox.seed()
        world = World(sandbox, workdir)
        canary = Canary(world)
        steps: list[tuple[str, Callable[[ConnectClient], object]]] = [
            ("start", lambda c: start_canary(c, ENTRY, canary.doc, 10, ref=canary.sha)),
            ("ramp", lambda c: ramp_canary(c, ENTRY, 50)),
            (ending, lambda c: (promote_canary if ending == "promote" else abort_canary)(c, ENTRY)),
        ]
        for i, (name, command) in enumerate(steps):
            before, pre = _head(world), world.now()
            faulted = ConnectClient.for_environment(world.env, settings=SETTINGS)
            faulted.catalog()  # read before the faults: a trial measures the command
            sandbox.config.faults = _faults(kind, rng)
            sandbox.config.rng.seed(seed * 10 + i)
            try:
                command(faulted)
                ok = True
            except FlowopsError as exc:
                ok = False
                trial.failed.append(f"{name} ({type(exc).__name__})")
            sandbox.config.faults = []
            mid = world.now()
            if locks(mid):
                trial.problems.append("a lock was left by a run that ended on its own")
            canary.check(mid, (before, _head(world)), trial.problems, ended=True, before=pre)
            if not ok:  # the plain re-run finishes the canary; the trial ends there
                canary.converge(name, mid, trial.problems)
                break
        else:
            canary.converge(ending, world.now(), trial.problems)
    trial.seconds = time.perf_counter() - started
    return trial


def run(trials: int, first_seed: int = 1) -> list[CanaryTrial]:
    out = []
    for i in range(trials):
        with tempfile.TemporaryDirectory() as tmp:
            out.append(run_canary_trial(KINDS[i % len(KINDS)], first_seed + i, Path(tmp)))
    return out


def report(results: list[CanaryTrial]) -> str:
    rows = [
        "| fault | trials | promote / abort | a command failed | broken | s/trial |",
        "|---|---|---|---|---|---|",
    ]
    for kind in KINDS:
        mine = [t for t in results if t.kind == kind]
        if not mine:
            continue
        promotes = sum(t.ending == "promote" for t in mine)
        failed = sum(bool(t.failed) for t in mine)
        broken = sum(bool(t.problems) for t in mine)
        per = sum(t.seconds for t in mine) / len(mine)
        rows.append(
            f"| {kind} | {len(mine)} | {promotes} / {len(mine) - promotes} | {failed} "
            f"| {broken} | {per:.2f} |"
        )
    lines = [
        f"{len(results)} canary trials (start 10 %, ramp 50 %, promote or abort, each under "
        "the fault; after a failed command, the plain re-run), each checked with plain "
        "boto3: the entry flow at its old content, the candidate's or a wrapper with its "
        "state tag, no lock, no stray helper, records true per flow, a promote of the same "
        "commit then writes nothing, a rollback after a promote leaves exactly the state a "
        "rollback after a clean promote leaves.",
        "",
        *rows,
    ]
    for t in results:
        for problem in t.problems:
            lines.append(f"- {t.kind} seed {t.seed} ({t.ending}): {problem}")
        if t.failed and not t.problems:
            continue
    return "\n".join(lines)
