"""The fast seeded subset of the kill/signal and canary-fault trials of
``python -m bench faults`` (``bench.release_kills``, ``bench.canary_faults``).

Each trial runs a real ``flowops`` process (the console script) against a sandbox this
process serves, stops it by a signal during the n-th call of one operation, and checks
with plain boto3 that every flow is at its old or new content, the records are true per
flow, no lock is left by a run that ended on its own, what a run a signal stopped printed
(its one-line summary; with ``--format json`` its document) is true, a plain re-run (with
``flowops unlock`` only after SIGKILL) converges, and a rollback then leaves exactly the
state a rollback after a clean promote leaves.
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from bench.canary_faults import run_canary_trial
from bench.release_kills import run_kill_trial


@pytest.mark.parametrize(
    ("action", "operation", "nth", "number"),
    [
        # a rollback killed between flows: the next run records what it did, truly
        ("rollback", "UpdateContactFlowContent", 1, signal.SIGKILL),
        # a promote cancelled while it takes the lock: nothing written, and it says so
        ("promote", "CreateContactFlowModule", 1, signal.SIGTERM),
        # a canary start stopped after its state tag, before the wrapper
        ("canary-start", "TagResource", 1, signal.SIGINT),
        ("canary-promote", "UpdateContactFlowContent", 1, signal.SIGKILL),
        # a rollback cancelled between flows: its one-line summary and its --format json
        # say which flows were rolled back and which were left, the record, the lock
        ("rollback", "UpdateContactFlowContent", 1, signal.SIGTERM),
        # a canary abort cancelled before its write: the summary and JSON say so, truly
        ("canary-abort", "UpdateContactFlowModuleContent", 1, signal.SIGTERM),
    ],
)
def test_a_stopped_run_leaves_old_or_new_content_true_records_and_converges(
    action: str, operation: str, nth: int, number: int, tmp_path: Path
) -> None:
    trial = run_kill_trial(action, operation, nth, number, tmp_path)
    assert trial.problems == [], trial
    if number == signal.SIGKILL:
        assert trial.exit_code == -signal.SIGKILL, trial
    else:
        assert trial.exit_code in (0, 130 if number == signal.SIGINT else 143), trial


# fatal seed 25: the canary's state tag is refused after both helpers were created;
# fatal seed 10: a ramp fails and is put back (recorded restored: at the pre-ramp wrapper)
@pytest.mark.parametrize(("kind", "seed"), [("lost", 4), ("fatal", 25), ("fatal", 10)])
def test_a_canary_under_faults_stays_consistent_and_converges(
    kind: str, seed: int, tmp_path: Path
) -> None:
    trial = run_canary_trial(kind, seed, tmp_path)
    assert trial.problems == [], trial
    if kind == "fatal":
        assert trial.failed, "the fatal fault must fail a command"
