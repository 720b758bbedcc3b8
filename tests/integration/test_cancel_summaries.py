"""What rollback and a canary command say when a signal stops them, in-process.

The process sends itself SIGINT at a chosen moment (the library's progress callback, or
the canary gate, which runs under the lock before the write); the release transaction's
handler turns it into a stop at the next step boundary. Checked: the one-line summary and
the exception's data say what was rolled back and left (or where the entry flow is),
that the release is recorded as cancelled, and whether the lock was given back: also
when giving it back fails (then the line names the unlock command). Every state is read
with plain boto3 (``bench.release_faults.snapshot``).
"""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import pytest

from bench.release_faults import commit
from bench.release_kills import ENTRY, Canary, World, locks
from flowops.deploy.canary import CanaryCancelledError, ramp_canary
from flowops.deploy.promote import promote
from flowops.deploy.rollback import FlowOutcome, RollbackCancelledError, rollback
from flowops.sandbox import SandboxServer
from flowops.sandbox.config import FaultRule
from tests.support import STAGING

pytestmark = pytest.mark.skipif(
    threading.current_thread() is not threading.main_thread(),
    reason="signal handlers are installed in the main thread only",
)


def _sigint(*_: object) -> str:
    os.kill(os.getpid(), signal.SIGINT)
    return ""


def _rolled_back_then_stopped(
    world: World, faults: list[FaultRule] | None = None
) -> tuple[RollbackCancelledError, dict[str, object]]:
    """Release 2, then a rollback of it stopped by SIGINT after its first flow (under
    ``faults``); the error and where every flow is right after."""
    promote(world.env, commit(world.repo, 2), world.workdir, client=world.fresh(), tag=False)
    world.sandbox.config.faults = list(faults or [])
    seen: list[FlowOutcome] = []

    def first_flow_done(outcome: FlowOutcome) -> None:
        seen.append(outcome)
        if len(seen) == 1:
            _sigint()

    with pytest.raises(RollbackCancelledError) as stopped:
        rollback(world.fresh(), on_progress=first_flow_done)
    world.sandbox.config.faults = []
    return stopped.value, world.now()


def test_a_cancelled_rollback_says_what_it_rolled_back_and_left(
    seeded_sandbox: SandboxServer, tmp_path: Path
) -> None:
    world = World(seeded_sandbox, tmp_path)
    old = world.now()
    exc, mid = _rolled_back_then_stopped(world)
    line = str(exc)
    assert exc.exit_code == 130 and "cancelled by SIGINT" in line
    assert "1 of 3 flow(s) rolled back (module:RF M)" in line, line
    assert "2 not reached, left as they were (flow:RF A, flow:RF B)" in line, line
    assert mid["module:RF M"] == old["module:RF M"]
    assert mid["flow:RF A"] != old["flow:RF A"] and mid["flow:RF B"] != old["flow:RF B"]
    assert exc.recorded and exc.record is not None and exc.record.status == "cancelled"
    assert f"recorded as cancelled (release {exc.record.id})" in line
    assert world.records()[-1].status == "cancelled"
    assert line.endswith("lock given back") and exc.lock_released is True and not locks(mid)
    results = {o.step.key: o.result for o in exc.report.outcomes}
    assert results == {
        "module:RF M": "restored",
        "flow:RF A": "planned",
        "flow:RF B": "planned",
        "flow:RF N": "planned",
    }


def test_a_cancelled_rollback_whose_lock_is_not_given_back_says_how_to_clear_it(
    seeded_sandbox: SandboxServer, tmp_path: Path
) -> None:
    world = World(seeded_sandbox, tmp_path)
    refused = FaultRule(
        operation="DeleteContactFlowModule",
        error_code="AccessDeniedException",
        fail_nth=1,
        account=STAGING,
    )
    exc, mid = _rolled_back_then_stopped(world, [refused])
    assert exc.lock_released is False and locks(mid)
    assert "lock given back" not in str(exc)
    assert "the lock was not given back: clear it with `flowops unlock --env staging " in str(exc)


def test_a_canary_ramp_cancelled_before_its_write_writes_nothing_and_says_so(
    seeded_sandbox: SandboxServer, tmp_path: Path
) -> None:
    world = World(seeded_sandbox, tmp_path)
    canary = Canary(world)
    canary.start()
    before = world.now()
    with pytest.raises(CanaryCancelledError) as stopped:
        ramp_canary(world.fresh(), ENTRY, 50, gate=_sigint)  # the gate runs under the lock
    exc, mid = stopped.value, world.now()
    assert mid == before  # nothing written
    assert str(exc).startswith(
        f"canary ramp of {ENTRY} cancelled by SIGINT: {ENTRY} is at its content from before "
        "the canary ramp; recorded as cancelled (release "
    ), str(exc)
    assert str(exc).endswith("; lock given back")
    assert exc.flow.outcome == "untouched" and exc.kind == "canary-ramp"
    assert exc.record is not None and world.records()[-1].status == "cancelled"
