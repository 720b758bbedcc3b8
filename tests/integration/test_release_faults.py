"""The release engine under faults and signals (the fast seeded subset of
``python -m bench faults``), checked with plain boto3.

Signals are sent to a real ``flowops promote`` process (the CLI, as CI runs it) while a
latency fault keeps each content write slow enough to land between two flows.
"""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from bench.release_faults import (
    KINDS,
    check_record,
    commit,
    run_trial,
    snapshot,
)
from bench.release_kills import World, locks
from flowops.deploy import lock
from flowops.deploy.promote import promote
from flowops.deploy.releases import read_ledger
from flowops.deploy.rollback import rollback
from flowops.deploy.transaction import unlock
from flowops.sandbox import SandboxServer
from flowops.sandbox.config import FaultRule
from tests.support import STAGING


@pytest.mark.parametrize("kind", KINDS)
def test_a_release_under_faults_leaves_old_or_new_content_a_true_record_and_no_lock(
    kind: str, tmp_path: Path
) -> None:
    trial = run_trial(kind, seed=11, workdir=tmp_path)
    assert trial.problems == [], trial


class Story(World):
    """Staging at release 1, release 2 committed, a CLI process promoting it."""

    def __init__(self, sandbox: SandboxServer, tmp_path: Path) -> None:
        super().__init__(sandbox, tmp_path)
        self.repo_path = self.workdir
        self.old = snapshot(self.plain, self.client)
        self.v2 = commit(self.repo, 2)

    def start(self) -> subprocess.Popen[str]:
        """``flowops promote`` of release 2, each content write slowed down."""
        self.sandbox.config.faults = [
            FaultRule(operation=op, latency=0.6, account=STAGING)
            for op in ("UpdateContactFlowContent", "UpdateContactFlowModuleContent")
        ]
        return self.flowops("promote", "--to", str(self.env_file), "--yes")

    def signal_after_first_flow(self, proc: subprocess.Popen[str], *signals: int) -> str:
        """Wait for the first progress line, send ``signals``; returns stderr so far."""
        assert proc.stderr is not None
        seen = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            seen.append(line)
            if " flows" in line and "/" in line:
                break
            assert line, "".join(seen)
        for number in signals:
            proc.send_signal(number)
            time.sleep(0.05)
        return "".join(seen)

    def finish(self, proc: subprocess.Popen[str]) -> tuple[int, str]:
        out, err = proc.communicate(timeout=120)
        time.sleep(0.8)  # a request in flight when the process died may still be applied
        self.sandbox.config.faults = []
        return proc.returncode, out + err

    def converges(self) -> dict[str, Any]:
        """A plain re-run releases 2 (returns where flows are then); a second one writes
        nothing."""
        promote(self.env, self.v2, self.repo_path, client=self.fresh(), tag=False)
        new = self.now()
        again = promote(self.env, self.v2, self.repo_path, client=self.fresh(), tag=False)
        assert again.applied is not None and again.applied.release is None
        assert new != self.old
        return new

    def rolls_back(self) -> None:
        """A rollback gives release 1 back, as after a clean release 2."""
        report = rollback(self.fresh())
        assert report.ok, report
        back = self.now()
        assert {k: back.get(k) for k in self.old} == self.old


@pytest.fixture
def story(seeded_sandbox: SandboxServer, tmp_path: Path) -> Story:
    return Story(seeded_sandbox, tmp_path)


@pytest.mark.parametrize(("number", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_stops_at_the_next_flow_restores_records_cancelled_and_unlocks(
    story: Story, number: int, code: int
) -> None:
    proc = story.start()
    story.signal_after_first_flow(proc, number)
    returncode, output = story.finish(proc)
    assert returncode == code, output
    assert "stopping at the next step boundary" in output
    assert f"cancelled by {signal.Signals(number).name}" in output
    now = story.now()
    assert locks(now) == []
    assert now == story.old  # every flow as before; N deleted
    record = read_ledger(story.fresh())[-1]
    assert record.status == "cancelled"
    assert record.flows and all(f.outcome in ("restored", "deleted") for f in record.flows)
    story.converges()
    story.rolls_back()


def test_a_second_signal_aborts_at_once_and_unlock_then_rerun_repair_everything(
    story: Story,
) -> None:
    proc = story.start()
    story.signal_after_first_flow(proc, signal.SIGINT, signal.SIGINT)
    returncode, output = story.finish(proc)
    assert returncode == 130, output
    assert "aborted by SIGINT" in output and "flowops unlock --env staging" in output
    held = lock.read_lock(story.fresh())
    assert held is not None
    _after_a_kill(story, held)


def test_after_sigkill_the_next_run_reports_the_stale_lock_and_unlock_records_the_truth(
    story: Story,
) -> None:
    proc = story.start()
    story.signal_after_first_flow(proc, signal.SIGKILL)
    returncode, _ = story.finish(proc)
    assert returncode == -signal.SIGKILL
    with pytest.raises(lock.LockHeldError, match="no longer runs") as info:
        promote(story.env, story.v2, story.repo_path, client=story.fresh(), tag=False)
    held = info.value.lock
    assert held is not None
    _after_a_kill(story, held)


def _after_a_kill(story: Story, held: lock.LockInfo) -> None:
    """A killed run: its flows each at old or new content; unlock records the release as
    interrupted with the truth per flow; then re-run and rollback as after a clean run."""
    mid = story.now()
    assert len(locks(mid)) == 1
    assert read_ledger(story.fresh())[-1].status == "running"
    unlock(story.fresh(), held.token)
    records = read_ledger(story.fresh())
    interrupted = next(r for r in records if r.status == "interrupted")
    assert records[-1].kind == "unlock"
    assert interrupted.flows  # at least the first flow, done before the kill
    new = story.converges()
    assert check_record(interrupted, mid, story.old, new) == []
    for key, value in mid.items():
        assert key in locks(mid) or value in (story.old.get(key), new.get(key)), key
    story.rolls_back()
