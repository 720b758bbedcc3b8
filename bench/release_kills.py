"""Kill and signal trials: a real ``flowops`` process stopped at a chosen moment.

One trial: a fresh sandbox (served by this process), release 1 promoted; then one
``flowops`` command run as CI runs it (a subprocess of the console script, output piped):
``promote`` of release 2, ``rollback`` of a clean release 2, or ``canary start``, ``ramp``,
``promote`` or ``abort`` on flow A. The *moment* is the n-th call of one operation: a
latency fault holds each such call 0.4 s in the sandbox, and the signal (SIGINT, SIGTERM
or SIGKILL) is sent while the n-th one is in flight. Then, checked with plain boto3
(:func:`bench.release_faults.snapshot`):

* every managed flow exactly at its old or its new content (for a canary, the entry flow
  at its old content, the candidate's, or a wrapper whose state tag and helpers exist);
* a run stopped by SIGINT/SIGTERM exits 130/143 (or 0 when it had finished), its record
  is final (never ``running``) and true per flow, and it leaves no lock;
* what such a run printed is true (:mod:`bench.signal_output`): promote's table of where
  each flow is; rollback's and canary's one-line summary (what was rolled back and left,
  or where the entry flow is; recorded as cancelled; the lock given back) and, in the
  SIGTERM trials, run with ``--format json``, their JSON document, which must parse and
  say the same;
* after SIGKILL, the lock the run left is cleared with ``flowops unlock`` (the CLI), which
  records the killed release as interrupted, true per flow;
* a plain re-run converges (promote: release 2; rollback: release 1; canary: the command
  again, then the canary promoted or aborted), and a promote of the same commit then
  makes no write;
* a rollback afterwards leaves exactly the state a rollback after a clean promote leaves
  (every flow, status and content, compared with plain boto3 to that state computed in a
  sandbox of its own: :func:`bench.release_faults.clean_rollback_state`).

Run through ``python -m bench faults`` (every case once: 78 trials; ``python -m
bench.release_faults --kills N`` for another count); the suite runs a seeded subset.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import git

from bench.release_faults import (
    PREFIX,
    SETTINGS,
    _doc,
    _writes,
    check_record,
    clean_rollback_state,
    commit,
    copies_kept,
    same_as_clean,
    snapshot,
)
from bench.signal_output import (
    canary_output_true,
    finished_json_true,
    output_true,
    rollback_output_true,
    summary_line,
)
from flowops.connect import ConnectClient
from flowops.deploy.canary import abort_canary, canary_status, promote_canary, ramp_canary
from flowops.deploy.canary import start_canary as start
from flowops.deploy.canary_state import STATE_TAG
from flowops.deploy.canary_wrapper import wrapper_percent
from flowops.deploy.lock import read_lock
from flowops.deploy.promote import desired_state, promote
from flowops.deploy.releases import ReleaseRecord, read_ledger
from flowops.deploy.rollback import rollback
from flowops.repo import open_repo
from flowops.sandbox import SandboxConfig, SandboxServer
from flowops.sandbox.config import FaultRule
from tests.support import STAGING, git_repo, sandbox_environment, sandbox_environment_file
from tests.support.clients import make_client

ENTRY = f"{PREFIX}A"
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGKILL)
#: The moments of each command: (operation, n-th call) the signal lands in.
MOMENTS: dict[str, tuple[tuple[str, int], ...]] = {
    "promote": (
        ("CreateContactFlowModule", 1),  # the lock being taken
        ("UpdateContactFlowModuleContent", 1),  # the running record
        ("UpdateContactFlowModuleContent", 2),  # module M's new content
        ("CreateContactFlow", 1),  # N created
        ("UpdateContactFlowContent", 1),  # A's new content
        ("CreateContactFlowVersion", 2),  # a release version
        ("UpdateContactFlowModuleContent", 3),  # the final record
        ("DeleteContactFlowModule", 1),  # the lock given back
    ),
    "rollback": (
        ("UpdateContactFlowModuleContent", 1),  # the running record
        ("UpdateContactFlowModuleContent", 2),  # module M back
        ("UpdateContactFlowContent", 1),  # A back
        ("CreateContactFlowVersion", 2),  # a rollback version
        ("DeleteContactFlowModule", 1),  # the lock given back
    ),
    "canary-start": (
        ("CreateContactFlowVersion", 1),  # the pre-canary restore point
        ("CreateContactFlow", 2),  # the candidate helper
        ("TagResource", 1),  # the state tag
        ("UpdateContactFlowContent", 1),  # the wrapper
    ),
    "canary-ramp": (
        ("UpdateContactFlowModuleContent", 1),  # the running record: before the write
        ("UpdateContactFlowContent", 1),
        ("TagResource", 1),
    ),
    "canary-promote": (
        ("UpdateContactFlowModuleContent", 1),  # the running record
        ("UpdateContactFlowContent", 1),  # the candidate's content
        ("DeleteContactFlow", 1),  # a helper removed
    ),
    "canary-abort": (
        ("UpdateContactFlowModuleContent", 1),  # the running record: before the write
        ("UpdateContactFlowContent", 1),
        ("DeleteContactFlow", 1),
    ),
}
LATENCY = 0.4


def cases() -> list[tuple[str, str, int, int]]:
    """(action, operation, nth, signal): every moment of every action under each signal."""
    return [
        (action, op, nth, sig)
        for action, moments in MOMENTS.items()
        for op, nth in moments
        for sig in SIGNALS
    ]


def plan(trials: int) -> list[tuple[str, str, int, int]]:
    """(action, operation, nth, signal) of ``trials`` trials: every case in turn, then
    round again."""
    every = cases()
    return [every[i % len(every)] for i in range(trials)]


@dataclass
class KillTrial:
    """One trial's result."""

    action: str
    moment: str
    signal: str
    exit_code: int = 0
    result: str = ""  # finished / stopped / killed
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _canary_doc(repo: git.Repo) -> str:
    """Commit release 1 with only A changed (the canary's candidate): its sha."""
    top = Path(repo.working_tree_dir or ".")
    (top / "flows" / "A.json").write_text(_doc(ENTRY, "A v2"), encoding="utf-8")
    repo.git.add("-A")
    return str(repo.index.commit("A v2 (canary)").hexsha)


class World:
    """A sandbox at release 1, the repository, and the checks of one trial."""

    def __init__(self, sandbox: SandboxServer, workdir: Path) -> None:
        self.sandbox = sandbox
        self.workdir = workdir / "repo"
        self.repo = git_repo(self.workdir)
        self.env = sandbox_environment(
            sandbox.url, "staging", STAGING, managed_names=(f"{PREFIX}*",)
        )
        self.env_file = sandbox_environment_file(
            workdir / "envs", sandbox.url, "staging", STAGING, managed={"names": [f"{PREFIX}*"]}
        )
        self.client = ConnectClient.for_environment(self.env, settings=SETTINGS)
        self.plain = make_client(sandbox.url, STAGING)
        self.stdout = self.stderr = ""  # what the last stopped command printed
        self.v1 = commit(self.repo, 1)
        promote(self.env, self.v1, self.workdir, client=self.fresh(), tag=False)

    def fresh(self) -> ConnectClient:
        self.client.refresh_flows()
        return self.client

    def now(self) -> dict[str, Any]:
        return snapshot(self.plain, self.client)

    def flowops(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [str(Path(sys.executable).parent / "flowops"), *args],
            cwd=self.workdir,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )

    def stop_at(self, proc: subprocess.Popen[str], op: str, nth: int, sig: int) -> str:
        """Send ``sig`` while the ``nth`` call of ``op`` is in flight (or never, when the
        run ends first); returns the output."""
        rule = FaultRule(operation=op, latency=LATENCY, account=STAGING)
        self.sandbox.config.faults = [rule]
        deadline = time.monotonic() + 90
        while proc.poll() is None and rule.calls < nth and time.monotonic() < deadline:
            time.sleep(0.01)
        if proc.poll() is None:
            time.sleep(LATENCY / 4)
            proc.send_signal(sig)
        out, err = proc.communicate(timeout=120)
        time.sleep(LATENCY + 0.3)  # a call in flight when the process died is still carried out
        self.sandbox.config.faults = []
        self.stdout, self.stderr = out, err
        return out + err

    def stop(
        self, trial: KillTrial, args: list[str], op: str, nth: int, sig: int
    ) -> tuple[str, dict[str, Any], tuple[int, int]]:
        """Run ``flowops ARGS`` and stop it (:meth:`stop_at`); after SIGKILL, ``flowops
        unlock``; else check its exit, summary and that it left no lock. Returns its output,
        where every flow was right after it, and the ids of the records it wrote."""
        before = _head(self)
        proc = self.flowops(*args)
        output = self.stop_at(proc, op, nth, sig)
        trial.exit_code = proc.returncode
        mid = self.now()
        if sig == signal.SIGKILL:
            self.unlock_after_kill(trial.problems)
        else:
            _stopped(trial, output, sig, trial.problems)
            if locks(mid):
                trial.problems.append("a lock was left by a run that ended on its own")
        return output, mid, (before, _head(self))

    def unlock_after_kill(self, problems: list[str]) -> None:
        held = read_lock(self.fresh())
        if held is None:
            return
        done = self.flowops("unlock", "--env", str(self.env_file), held.token, "--yes")
        out, err = done.communicate(timeout=120)
        if done.returncode != 0:
            problems.append(f"flowops unlock exited {done.returncode}: {out + err}")

    def records(self) -> list[ReleaseRecord]:
        return read_ledger(self.fresh())

    def said(self, trial: KillTrial, sig: int, mid: dict[str, Any], *, as_json: bool) -> str | None:
        """After a run a signal stopped (exit 130/143): its one-line summary, checked for
        what every command's says (signal, exit, record, lock; the JSON's ``cancelled``
        block); None when it finished first or was killed."""
        if trial.exit_code == 0 and as_json:
            schema = "flowops-rollback/1" if trial.action == "rollback" else "flowops-canary/1"
            trial.problems += finished_json_true(self.stdout, schema, self.records())
        if trial.exit_code not in (130, 143):
            return None
        line = summary_line(self.stderr)
        problems, _ = output_true(
            line,
            self.stdout,
            exit_code=trial.exit_code,
            sig=sig,
            as_json=as_json,
            records=self.records(),
            locked=bool(locks(mid)),
        )
        trial.problems.extend(problems)
        return line

    def promote_writes_nothing(self, sha: str, problems: list[str], what: str) -> None:
        again = promote(self.env, sha, self.workdir, client=self.fresh(), tag=False)
        if again.applied is None or _writes(again.applied.calls):
            problems.append(f"{what}: a promote of the same commit wrote {again.applied}")

    def rolls_back_to(self, clean: dict[str, Any], problems: list[str]) -> None:
        """A rollback leaves exactly ``clean``: the state a rollback after a clean promote
        leaves (every flow, status and content; no lock)."""
        report = rollback(self.fresh())
        if not report.ok:
            problems.append(f"rollback failed: {[o.message for o in report.failed]}")
        problems += same_as_clean(self.now(), clean)


def locks(state: dict[str, Any]) -> list[str]:
    return [k for k in state if k.startswith("<lock")]


def _helpers(state: dict[str, Any]) -> list[str]:
    return [k for k in state if "(canary" in k]


def _between(
    mid: dict[str, Any], old: dict[str, Any], new: dict[str, Any], problems: list[str]
) -> None:
    for key in sorted(set(mid) | set(old) | set(new)):
        if key.startswith("<lock") or "(canary" in key:
            continue
        if mid.get(key) not in (old.get(key), new.get(key)):
            problems.append(f"{key}: neither at its old nor its new content")
        if mid.get(key) and mid[key][0] != "PUBLISHED":
            problems.append(f"{key}: left {mid[key][0]}")


def _stopped(trial: KillTrial, output: str, sig: int, problems: list[str]) -> None:
    """Exit code and lock of a run that ended on its own (SIGINT / SIGTERM)."""
    want = 130 if sig == signal.SIGINT else 143
    if trial.exit_code not in (0, want):
        problems.append(f"exit {trial.exit_code}, not {want} (or 0): {output[-400:]}")
    if trial.exit_code == want and "cancelled" not in output and "interrupted" not in output:
        problems.append(f"exit {want} without a summary: {output[-400:]}")


def _records_true(
    world: World,
    run: tuple[int, int],
    mid: dict[str, Any],
    old: dict[str, Any],
    new: dict[str, Any],
    *,
    before: dict[str, Any] | None = None,
) -> list[str]:
    """The records of the stopped run (ids in ``run``, the unlock's left out) are final
    and say where each flow is: moved by a canary step as that step says (an abort: back
    at ``old``), ``restored`` at its content ``before`` the command (default ``old``)."""
    records = world.records()
    problems = copies_kept(records, world.fresh())
    for record in records:
        if not run[0] < record.id <= run[1] or record.kind == "unlock":
            continue
        if record.status == "running":
            problems.append(f"release {record.id} is still recorded as running")
        found = _canary_step_true(world, record, mid, old) if record.canary_step else None
        if found is None:
            found = check_record(record, mid, old if before is None else before, new)
        problems += [f"release {record.id}: {p}" for p in found]
    return problems


def _canary_step_true(
    world: World, record: ReleaseRecord, mid: dict[str, Any], old: dict[str, Any]
) -> list[str] | None:
    """A canary step's record (start, ramp, abort) is true if the entry flow it says it
    moved is at a canary wrapper (start, ramp) or back at its old content (abort); None
    when it moved nothing (the plain per-flow check applies)."""
    moved = [f for f in record.flows if f.outcome in ("released", "partial")]
    if not moved:
        return None
    key = f"flow:{ENTRY}"
    if record.kind == "canary-abort":
        return (
            [] if mid.get(key) == old.get(key) else [f"{key}: aborted but not at its old content"]
        )
    flow = world.fresh().catalog().flow("flow", ENTRY)
    content = json.loads(flow.content) if flow is not None and flow.content else None
    if wrapper_percent(content) is None:
        return [f"{key}: recorded {moved[0].outcome} by {record.kind} but not at a wrapper"]
    return []


_ROW = re.compile(r"^\s+((?:flow|module):\S.*?)\s{2,}(.+?)\s{2,}(\S.*)$")


def report_true(
    output: str, mid: dict[str, Any], old: dict[str, Any], new: dict[str, Any]
) -> list[str]:
    """Does the table of a stopped promote (flow, what happened, where it is now) say
    where each flow really is? A run stopped by a signal must print one."""
    rows = [m.groups() for m in map(_ROW.match, output.splitlines()) if m]
    if not rows and "nothing was changed" in output:  # stopped before its first write
        return [] if mid == old else ["said nothing was changed, but flows moved"]
    problems = [] if rows else [f"no table of where each flow is: {output[-300:]}"]
    for key, _, now in rows:
        if now.startswith(("as before", "absent")) and mid.get(key) != old.get(key):
            problems.append(f"{key}: reported {now!r} but not at the old content")
        if now.startswith("new content") and mid.get(key) != new.get(key):
            problems.append(f"{key}: reported {now!r} but not at the new content")
    return problems


def _head(world: World) -> int:
    return max((r.id for r in world.records()), default=0)


def run_promote(world: World, trial: KillTrial, op: str, nth: int, sig: int) -> None:
    problems = trial.problems
    old = world.now()
    v2 = commit(world.repo, 2)
    args = ["promote", "--env", str(world.env_file), "--yes"]
    output, mid, stopped = world.stop(trial, args, op, nth, sig)
    promote(world.env, v2, world.workdir, client=world.fresh(), tag=False)
    new = world.now()
    _between(mid, old, new, problems)
    problems += _records_true(world, stopped, mid, old, new)
    if trial.exit_code in (130, 143):
        problems += report_true(output, mid, old, new)
    world.promote_writes_nothing(v2, problems, "after the re-run")
    world.rolls_back_to(clean_rollback_state(), problems)


def run_rollback(world: World, trial: KillTrial, op: str, nth: int, sig: int) -> None:
    problems = trial.problems
    old = world.now()
    promote(world.env, commit(world.repo, 2), world.workdir, client=world.fresh(), tag=False)
    new = world.now()
    as_json = sig == signal.SIGTERM  # SIGTERM trials read --format json, SIGINT ones text
    args = ["rollback", "--env", str(world.env_file), "--yes"]
    args += ["--format", "json"] if as_json else []
    _, mid, stopped = world.stop(trial, args, op, nth, sig)
    line = world.said(trial, sig, mid, as_json=as_json)
    if line is not None:  # what it says it rolled back is at release 1, the rest at 2
        problems += rollback_output_true(
            line, world.stdout, as_json=as_json, mid=mid, back=old, left=new
        )
    _between(mid, old, new, problems)
    # A rollback's "new" content is release 1: its record is checked the other way round.
    problems += _records_true(world, stopped, mid, new, old)
    finished = next((r for r in reversed(world.records()) if r.kind == "rollback"), None)
    if finished is None or finished.status != "released":
        world.rolls_back_to(clean_rollback_state(), problems)  # rollback again finishes it
    else:
        problems += same_as_clean(world.now(), clean_rollback_state())
    world.promote_writes_nothing(world.v1, problems, "after the rollback")


def _canary_mid(world: World, mid: dict[str, Any], old: dict[str, Any], cand: Any) -> list[str]:
    """The entry flow at its old content, the candidate's, or a running canary's wrapper;
    the other flows untouched."""
    problems = []
    key = f"flow:{ENTRY}"
    for other in old:
        if other != key and not other.startswith("<lock") and mid.get(other) != old[other]:
            problems.append(f"{other}: changed by a canary of {ENTRY}")
    if mid.get(key) in (old.get(key), cand):
        return problems
    flow = world.fresh().catalog().flow("flow", ENTRY)
    content = json.loads(flow.content) if flow is not None and flow.content else None
    if wrapper_percent(content) is None:
        problems.append(f"{key}: neither old, candidate nor a canary wrapper")
    elif flow is not None and STATE_TAG not in world.client.list_tags(flow.arn):
        problems.append(f"{key}: a canary wrapper without its state tag")
    return problems


def run_canary(world: World, trial: KillTrial, op: str, nth: int, sig: int) -> None:
    action = trial.action.removeprefix("canary-")
    canary = Canary(world)
    if action != "start":
        canary.start()
    as_json = sig == signal.SIGTERM  # SIGTERM trials read --format json, SIGINT ones text
    env = ["--env", str(world.env_file), "--yes", *(["--format", "json"] if as_json else [])]
    args = {
        "start": ["canary", "start", *env, "--flow", ENTRY, "--percent", "10"]
        + ["--ref", canary.sha],
        "ramp": ["canary", "ramp", *env, "--percent", "50"],
        "promote": ["canary", "promote", *env],
        "abort": ["canary", "abort", *env],
    }[action]
    before = world.now()
    _, mid, stopped = world.stop(trial, args, op, nth, sig)
    line = world.said(trial, sig, mid, as_json=as_json)
    if line is not None:
        trial.problems += canary_output_true(
            line,
            world.stdout,
            as_json=as_json,
            action=action,
            entry=ENTRY,
            mid=mid,
            before=before,
            helpers=_helpers(mid),
        )
    canary.check(mid, stopped, trial.problems, ended=sig != signal.SIGKILL, before=before)
    canary.converge(action, mid, trial.problems)


class Canary:
    """A canary of flow A (release 1 -> A v2) in a world: its checks and its re-run."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.old = world.now()
        self.sha = _canary_doc(world.repo)
        tree, _ = desired_state(open_repo(world.workdir), self.sha, "flows")
        self.doc = tree[f"flow:{ENTRY}"]
        #: every flow as a clean promote of that commit would leave it
        self.new = new_state_of(self.sha)

    def start(self) -> None:
        start(self.world.fresh(), ENTRY, self.doc, 10, ref=self.sha)

    def check(
        self,
        mid: dict[str, Any],
        run: tuple[int, int],
        problems: list[str],
        *,
        ended: bool,
        before: dict[str, Any] | None = None,
    ) -> None:
        """Right after a stopped or failed command: old, candidate or wrapper content;
        records true (a flow recorded ``restored`` is at its content ``before`` the
        command: for a ramp, the wrapper it had); for a run that ended on its own, no lock
        and no stray helper."""
        world = self.world
        if ended:
            if _helpers(mid) and not canary_status(world.fresh(), ENTRY).running:
                problems.append(f"helpers left without a canary: {_helpers(mid)}")
        problems += _canary_mid(world, mid, self.old, self.new.get(f"flow:{ENTRY}"))
        problems += _records_true(world, run, mid, self.old, self.new, before=before)

    def converge(self, action: str, mid: dict[str, Any], problems: list[str]) -> None:
        """The plain re-run: the command again where its effect is not there, then the
        canary promoted (for abort: aborted); then promote of the same commit writes
        nothing, and a rollback gives release 1 back."""
        world, key = self.world, f"flow:{ENTRY}"
        status = canary_status(world.fresh(), ENTRY)
        if action == "start" and not status.running and mid.get(key) == self.old[key]:
            self.start()
        if action == "ramp" and status.running and status.live_percent != 50:
            ramp_canary(world.fresh(), ENTRY, 50)
            if canary_status(world.fresh(), ENTRY).live_percent != 50:
                problems.append("ramp again did not reach 50%")
        if canary_status(world.fresh(), ENTRY).running:
            (abort_canary if action == "abort" else promote_canary)(world.fresh(), ENTRY)
        end = world.now()
        if _helpers(end):
            problems.append(f"helpers left after the canary ended: {_helpers(end)}")
        entry = world.fresh().catalog().flow("flow", ENTRY)
        if entry is None or STATE_TAG in world.client.list_tags(entry.arn):
            problems.append("the canary state tag was left (or the entry flow is gone)")
        if locks(end):
            problems.append("a lock was left after the canary ended")
        if action == "abort":
            if end.get(key) != self.old[key]:
                problems.append("the aborted canary did not give the old content back")
            world.promote_writes_nothing(world.v1, problems, "after the abort")
            return
        if end.get(key) != self.new.get(key):
            problems.append("the promoted canary is not at the candidate's content")
        world.promote_writes_nothing(self.sha, problems, "after the canary promote")
        world.rolls_back_to(new_state_of(self.sha, rolled_back=True), problems)


_CANDIDATES: dict[str, dict[str, Any]] = {}


def new_state_of(sha: str, *, rolled_back: bool = False) -> dict[str, Any]:
    """Where a clean promote of ``sha`` leaves every flow, or (``rolled_back``) a rollback
    right after it (computed once, in a sandbox of its own: contents are compared by
    meaning, so ids do not matter)."""
    if "canary" not in _CANDIDATES:
        with (
            SandboxServer(":memory:", config=SandboxConfig.for_tests()) as other,
            tempfile.TemporaryDirectory() as tmp,
        ):
            other.seed()
            side = World(other, Path(tmp))
            side_sha = _canary_doc(side.repo)
            promote(side.env, side_sha, side.workdir, client=side.fresh(), tag=False)
            _CANDIDATES["canary"] = side.now()
            report = rollback(side.fresh())
            assert report.ok, [o.message for o in report.failed]
            _CANDIDATES["canary-rollback"] = side.now()
    return _CANDIDATES["canary-rollback" if rolled_back else "canary"]


RUNNERS = {"promote": run_promote, "rollback": run_rollback}


def run_kill_trial(action: str, op: str, nth: int, sig: int, workdir: Path) -> KillTrial:
    """One trial (see the module docstring)."""
    started = time.perf_counter()
    trial = KillTrial(action, f"{op} #{nth}", signal.Signals(sig).name)
    with SandboxServer(":memory:", config=SandboxConfig.for_tests()) as sandbox:
        sandbox.seed()
        world = World(sandbox, workdir)
        RUNNERS.get(action, run_canary)(world, trial, op, nth, sig)
    trial.result = (
        "killed"
        if trial.exit_code == -signal.SIGKILL
        else ("finished" if trial.exit_code == 0 else "stopped")
    )
    trial.seconds = time.perf_counter() - started
    return trial


def run(trials: int) -> list[KillTrial]:
    out = []
    for action, op, nth, sig in plan(trials):
        with tempfile.TemporaryDirectory() as tmp:
            out.append(run_kill_trial(action, op, nth, sig, Path(tmp)))
    return out


def report(results: list[KillTrial]) -> str:
    rows = [
        "| command | trials | SIGINT | SIGTERM | SIGKILL | stopped | finished first | broken "
        "| s/trial |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for action in MOMENTS:
        mine = [t for t in results if t.action == action]
        if not mine:
            continue
        by = {s: sum(t.signal == s for t in mine) for s in ("SIGINT", "SIGTERM", "SIGKILL")}
        stopped = sum(t.result in ("stopped", "killed") for t in mine)
        finished = sum(t.result == "finished" for t in mine)
        broken = sum(bool(t.problems) for t in mine)
        per = sum(t.seconds for t in mine) / len(mine)
        rows.append(
            f"| {action} | {len(mine)} | {by['SIGINT']} | {by['SIGTERM']} | {by['SIGKILL']} "
            f"| {stopped} | {finished} | {broken} | {per:.2f} |"
        )
    lines = [
        f"{len(results)} trials: a `flowops` process (the console script, output piped) "
        "stopped by a signal while the n-th call of one operation is in flight (moments: "
        + "; ".join(f"{a}: {', '.join(f'{o} #{n}' for o, n in m)}" for a, m in MOMENTS.items())
        + "). Checked with plain boto3: every flow at its old or new content (a canary's "
        "entry flow also as a wrapper with its tag), exit 130/143 and no lock after "
        "SIGINT/SIGTERM, `flowops unlock` after SIGKILL, every record final and true per "
        "flow and none pointing rollback at a restore-point copy not kept in Connect; "
        "what a stopped run printed is true (promote's table; rollback's and canary's "
        "one-line summary: what was rolled back and left or where the entry flow is, "
        "recorded as cancelled, lock given back; in SIGTERM trials their `--format json` "
        "document, which must parse and say the same); the re-run converges and a promote "
        "of the same commit then writes nothing, a rollback then leaves exactly the state "
        "a rollback after a clean promote leaves.",
        "",
        *rows,
    ]
    for t in results:
        for problem in t.problems:
            lines.append(f"- {t.action} at {t.moment} by {t.signal}: {problem}")
    return "\n".join(lines)
