"""Progress of long writes on stderr, for people at a terminal and for CI logs alike.

* On a terminal: a rich bar, started on the first step, never before: a confirmation
  prompt asked before the writes is never drawn over.
* Not a terminal (CI): plain lines at a steady pace, every few flows and at least every
  ``interval`` seconds while a step is slow (throttled, retried), so a job log always
  shows life: ``promote staging: 12/102 flows, flow:Main IVR, 57 calls, 3 throttled,
  ETA 1m05s``.
* ``--quiet``: nothing.

Also the one line a first signal prints: the run stops at the next step boundary.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from flowops.cli.common import err_console
from flowops.connect import ConnectClient
from flowops.deploy.apply import Progress as ProgressFn
from flowops.deploy.transaction import CancelledError, signal_name


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


class _Lines:
    """Plain progress lines at a steady pace (see the module docstring)."""

    def __init__(self, label: str, client: ConnectClient | None, interval: float) -> None:
        self.label = label
        self.client = client
        self.interval = interval
        self.started = time.monotonic()
        self.last = 0.0
        self.state: tuple[int, int, str] | None = None
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.ticker = threading.Thread(target=self._tick, daemon=True)
        self.ticker.start()

    def line(self) -> str:
        assert self.state is not None
        done, total, what = self.state
        parts = [f"{self.label}: {done}/{total or '?'} flows"]
        if what:
            parts.append(what)
        if self.client is not None:
            parts.append(f"{sum(self.client.calls.values())} calls")
            throttled = sum(self.client.retries.values())
            if throttled:
                parts.append(f"{throttled} retried (throttled or failed)")
            waited = self.client.waited_reads
            if waited:
                parts.append(f"{waited} read(s) waited for Connect to catch up")
        elapsed = time.monotonic() - self.started
        if done and total and done < total:
            parts.append(f"ETA {_duration(elapsed / done * (total - done))}")
        parts.append(f"{_duration(elapsed)} elapsed")
        return ", ".join(parts)

    def _print(self) -> None:
        self.last = time.monotonic()
        err_console.print(self.line(), highlight=False, markup=False, soft_wrap=True)

    def update(self, done: int, total: int, what: str) -> None:
        with self.lock:
            self.state = (done, total, what)
            every = max(1, total // 20)
            if done in (1, total) or done % every == 0 or time.monotonic() - self.last > 5:
                self._print()

    def _tick(self) -> None:
        while not self.stop.wait(self.interval):
            with self.lock:
                if self.state is not None and time.monotonic() - self.last >= self.interval:
                    self._print()

    def close(self) -> None:
        self.stop.set()


@contextmanager
def progress(
    label: str,
    *,
    quiet: bool = False,
    client: ConnectClient | None = None,
    interval: float = 10.0,
) -> Iterator[ProgressFn | None]:
    """A ``progress(done, total, what)`` callback for library calls (None when quiet)."""
    if quiet:
        yield None
        return
    if not err_console.is_terminal:
        lines = _Lines(label, client, interval)
        try:
            yield lines.update
        finally:
            lines.close()
        return
    bar: dict[str, Any] = {}

    def update(done: int, total: int, what: str) -> None:
        if not bar:  # started on the first step: after any confirmation prompt
            live = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[what]}"),
                console=err_console,
                transient=True,
            )
            live.start()
            bar["live"], bar["task"] = live, live.add_task(label, total=None, what="")
        bar["live"].update(bar["task"], completed=done, total=total or None, what=what)

    try:
        yield update
    finally:
        if bar:
            bar["live"].stop()


def stopping(what: str) -> Callable[[int], None]:
    """What the first SIGINT / SIGTERM prints for a command (the library only records it):
    ``what`` the command does on its way out."""

    def say_it(signum: int) -> None:
        err_console.print(
            f"{signal_name(signum)} received: {what} (send it again to abort at once)",
            highlight=False,
            markup=False,
        )

    return say_it


#: A promote's (and the default) first-signal line.
on_signal = stopping("stopping at the next step boundary, putting back what this release changed")
#: A canary start stops between its writes and removes what it wrote.
on_signal_canary_start = stopping(
    "stopping at the next step; what the canary start wrote is removed"
)
#: A canary ramp, promote or abort has one write: stopped before it, or it finishes.
on_signal_canary = stopping("stopping before the canary's write; a write already begun finishes")
#: A rollback stops between flows; what it rolled back stays rolled back.
on_signal_rollback = stopping(
    "stopping before the next flow; flows already rolled back stay so, the rest are left as "
    "they are"
)


def cancelled_dict(exc: CancelledError) -> dict[str, Any]:
    """``cancelled`` of a JSON report: the signal, exit code and one-line summary, whether
    the release is recorded as cancelled and whether the lock was given back."""
    return {
        "signal": exc.signal,
        "exit_code": int(exc.exit_code),
        "summary": str(exc),
        "recorded": exc.recorded,
        "release": exc.record.id if exc.record is not None else None,
        "lock_released": exc.lock_released,
    }
