"""Eventual consistency on a clock driven by requests, not by the wall.

:class:`RequestClock` makes the sandbox's consistency clock advance ``step`` seconds per
request the sandbox receives, so a lag of ``search=3`` with ``step=0.05`` hides a write
from Search for the next 60 requests, however loaded the machine is: runs under lag are
as reproducible as the seeded NotFound draws, and as fast as the calls themselves.
"""

from __future__ import annotations

from dataclasses import asdict, replace

from flowops.sandbox import Lag, SandboxServer
from tests.support import FAST_RETRIES
from tests.support.flows import flow_text

#: Seconds of the consistency clock per request received.
STEP = 0.05
#: Search and List trail writes by 60 requests, tags by 40; a read within 6 requests of a
#: create answers NotFound with probability 0.5 (about two commands' worth of calls).
LAG = Lag(search=3.0, list=3.0, tags=2.0, not_found=0.3, not_found_rate=0.5)
#: Retries and settling waits short in wall time, long enough in requests.
PATIENT = replace(
    FAST_RETRIES, backoff_base=0.01, backoff_cap=0.05, not_found_attempts=12, settle_seconds=30.0
)


class RequestClock:
    """The consistency clock: ``step`` seconds per request received, plus ``advance``."""

    def __init__(self, server: SandboxServer, step: float = STEP) -> None:
        self.server = server
        self.step = step
        self.extra = 0.0

    def __call__(self) -> float:
        return self.extra + self.step * self.server.request_log.count()

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` pass without requests (every lag shorter than that runs out)."""
        self.extra += seconds


def lag_on(
    server: SandboxServer, lag: Lag = LAG, step: float = STEP, seed: int = 22
) -> RequestClock:
    """Turn ``lag`` on, on a :class:`RequestClock`, its NotFound draws seeded with ``seed``;
    returns the clock."""
    clock = RequestClock(server, step)
    server.backend.consistency.clock = clock
    server.config.update({"seed": seed, "lag": asdict(lag)})
    return clock


def release_files(version: str, *, with_n: bool) -> dict[str, str]:
    """Flows A and B and module M (A invokes M) at ``version``; ``with_n`` adds flow N,
    which B transfers to (else B transfers to A): a release that creates and updates."""
    files = {
        "A.json": flow_text("A", module="module:M", text=f"A {version}"),
        "B.json": flow_text("B", transfer="flow:N" if with_n else "flow:A", text=f"B {version}"),
        "modules/M.json": flow_text("M", kind="module", queue=None, text=f"M {version}"),
    }
    if with_n:
        files["N.json"] = flow_text("N", queue="queue:Sales", text=f"N {version}")
    return files
