"""One release transaction for every command that writes to an environment.

Promote, rollback, the canary commands and unlock all write through :func:`transaction`:

1. take the environment lock (``flowops.deploy.lock``), inside the ``try`` whose
   ``finally`` gives it back, so nothing between taking and releasing can leave it held;
2. read the ledger fresh, by id (``flowops.deploy.releases``), and repair what a killed
   run left: its ``running`` record becomes ``interrupted``, with every flow it touched
   and that flow's restore point, found in the flows' own versions (:func:`repair`);
3. allocate the release id (the ledger's next id: only the lock holder writes it);
4. the command writes its ``running`` record (:meth:`Transaction.begin`: what it is
   about to touch), runs its steps, calling :meth:`Transaction.checkpoint` between them,
   and writes the final record (:meth:`Transaction.finish`); every record is read back;
5. give the lock back; if that fails, the transaction says so (``warnings``) with the
   command that clears it, never silently.

Signals: while a transaction runs in the main thread, the first SIGINT or SIGTERM only
asks it to stop: the next :meth:`~Transaction.checkpoint` raises :class:`CancelledError`
(exit 130 or 143) and the command's failure policy runs (restore what this release
changed, record the release as ``cancelled``, release the lock). A second signal aborts at
once (``KeyboardInterrupt``): the lock stays, and ``flowops unlock`` clears it; the next
run records the release as interrupted.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Container, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from types import FrameType

from flowops.connect import ConnectClient
from flowops.connect.catalog import FlowKind
from flowops.connect.errors import ConnectError, NotFoundError
from flowops.deploy.lock import (
    DEFAULT_TTL,
    Holder,
    LockHeldError,
    LockInfo,
    acquire,
    break_lock,
    legacy_lock,
    release,
    unlock_command,
)
from flowops.deploy.releases import (
    FlowRelease,
    Ledger,
    ReleaseKind,
    ReleaseRecord,
    ReleaseStatus,
    append_record,
    ensure_ledger,
    parse_release_description,
    read_restore_points,
)
from flowops.errors import ExitCode, FlowopsError, Warnings, remember

_SIGNALS = {signal.SIGINT: ExitCode.INTERRUPTED, signal.SIGTERM: ExitCode.TERMINATED}


def signal_name(signum: int) -> str:
    return signal.Signals(signum).name


class CancelledError(FlowopsError):
    """A signal asked the run to stop; it stopped at a step boundary (exit 130 / 143).

    Once the transaction it stopped has ended, its message ends with what became of the
    lock, and ``record`` / ``recorded`` / ``lock_released`` say the same as data (for
    ``--format json``)."""

    error_type = "cancelled"

    def __init__(self, signum: int, message: str = "") -> None:
        self.signum = signum
        self.exit_code = _SIGNALS.get(signal.Signals(signum), ExitCode.INTERRUPTED)
        name = signal.Signals(signum).name
        super().__init__(message or f"cancelled by {name}")
        #: The release's final record (``cancelled``), and whether it was written.
        self.record: ReleaseRecord | None = None
        self.recorded = False
        #: None: no lock was taken; else whether it was given back.
        self.lock_released: bool | None = None

    @property
    def signal(self) -> str:
        return signal_name(self.signum)

    def add(self, text: str) -> None:
        """Add ``text`` to the one-line message."""
        self.args = (f"{self.args[0]}; {text}" if self.args else text,)

    def ended(self, tx: Transaction) -> None:
        """The transaction it stopped has ended: say whether the lock was given back."""
        self.record = self.record or tx.final
        self.recorded = self.recorded or tx.recorded
        if tx.lock is None:
            return
        self.lock_released = tx.lock_released
        env = tx.client.env.name
        self.add(
            "lock given back"
            if tx.lock_released
            else f"the lock was not given back: clear it with `{unlock_command(env, tx.lock)}`"
        )


class AbortedError(KeyboardInterrupt):
    """A second signal: the run stopped at once; the lock is left for ``flowops unlock``."""

    error_type = "aborted"

    def __init__(self, signum: int, message: str = "") -> None:
        self.signum = signum
        self.exit_code = _SIGNALS.get(signal.Signals(signum), ExitCode.INTERRUPTED)
        super().__init__(message or f"aborted by a second {signal_name(signum)}")


@dataclass
class Transaction:
    """A running release: the lock, the ledger as read under it, the release id."""

    client: ConnectClient
    holder: Holder
    lock: LockInfo | None = None
    ledger: Ledger | None = None
    release_id: int = 0
    #: What the next run must know: a lock not given back, a record not verified.
    warnings: list[str] = field(default_factory=list)
    #: Notes about earlier runs repaired on the way in.
    repaired: list[str] = field(default_factory=list)
    signum: int | None = None
    on_signal: Callable[[int], None] | None = None
    #: The release's final record once :meth:`run` wrote it (also when it failed).
    final: ReleaseRecord | None = None
    #: The final record was written and read back (not only attempted).
    recorded: bool = False
    #: The lock was given back when the transaction ended.
    lock_released: bool = False

    @property
    def who(self) -> str:
        return self.holder.describe()

    def now(self) -> str:
        return datetime.now(UTC).isoformat(timespec="seconds")

    def new_record(
        self,
        kind: ReleaseKind,
        message: str,
        *,
        flows: tuple[FlowRelease, ...] = (),
        commit: str | None = None,
        ref: str | None = None,
        status: ReleaseStatus = "released",
        reverts: int | None = None,
    ) -> ReleaseRecord:
        """A record of this release: its id, environment, holder and time filled in."""
        return ReleaseRecord(
            id=self.release_id,
            env=self.client.env.name,
            commit=commit,
            ref=ref,
            who=self.who,
            when=self.now(),
            status=status,
            flows=flows,
            message=message,
            kind=kind,
            reverts=reverts,
        )

    def checkpoint(self) -> None:
        """Raise ``CancelledError`` if a signal asked the run to stop."""
        if self.signum is not None:
            raise CancelledError(self.signum)

    def write(self, record: ReleaseRecord) -> ReleaseRecord:
        """Write ``record`` (replacing one of the same id) and read it back."""
        assert self.ledger is not None
        self.ledger = append_record(self.client, self.ledger, record)
        return record

    def begin(self, record: ReleaseRecord) -> ReleaseRecord:
        """The ``running`` record, written before the first write of the release."""
        return self.write(replace(record, status="running"))

    def finish(self, record: ReleaseRecord) -> ReleaseRecord:
        """The final record of the release (read back; a failure is a warning, not lost:
        the ``running`` record stays and the next run repairs it from the flows)."""
        try:
            written = self.write(record)
            self.recorded = True
            return written
        except FlowopsError as exc:
            self.warnings.append(
                f"release {record.id} could not be recorded ({exc}); the next run records "
                "it from the flows' versions"
            )
            return record

    def run(
        self,
        record: Callable[[ReleaseStatus], ReleaseRecord],
        steps: Callable[[], None],
        *,
        on_failure: Callable[[Exception], None] | None = None,
    ) -> ReleaseRecord:
        """The one failure policy every writing command runs its steps under.

        ``record(status)`` builds the release's record as it stands: the ``running`` one
        is written before ``steps`` run, the final one (``released``) after. If a step
        fails or a signal cancels the run (:class:`CancelledError`), ``on_failure`` runs
        (the command puts back what this release changed and reads back what is live),
        the record is written as ``failed`` or ``cancelled`` and kept in :attr:`final`,
        and the error goes on; the lock is given back by :func:`transaction`.
        """
        try:
            self.begin(record("running"))
            steps()
        except Exception as exc:
            if on_failure is not None:
                try:
                    on_failure(exc)
                except FlowopsError as also:  # the record still says the run failed
                    self.warnings.append(f"release {self.release_id}: after the failure, {also}")
            status: ReleaseStatus = "cancelled" if isinstance(exc, CancelledError) else "failed"
            self.final = self.finish(record(status))
            raise
        self.final = self.finish(record("released"))
        return self.final

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.signum is not None:
            raise AbortedError(signum)  # second signal: stop now, leave the lock
        self.signum = signum
        # Once the final record is written nothing is left to stop: the report that
        # follows says what was done, not a line promising a stop that cannot come.
        if self.on_signal is not None and self.final is None:
            self.on_signal(signum)


@contextmanager
def _signals(tx: Transaction) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, tx._handle) for s in _SIGNALS}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


@contextmanager
def transaction(
    client: ConnectClient,
    *,
    who: str | None = None,
    ttl: timedelta = DEFAULT_TTL,
    on_signal: Callable[[int], None] | None = None,
) -> Iterator[Transaction]:
    """Lock, fresh ledger, repair, release id; the lock is given back however it ends."""
    tx = Transaction(client, Holder.current(who), on_signal=on_signal)
    try:
        with _signals(tx), _locked(tx, client, ttl):
            yield tx
    except BaseException as exc:  # what the run recorded, for the report (``recall``)
        remember(exc, tx.final, Warnings(tuple(tx.warnings)) if tx.warnings else None)
        raise


@contextmanager
def _locked(tx: Transaction, client: ConnectClient, ttl: timedelta) -> Iterator[None]:
    """Take the lock, read and repair the ledger, allocate the id; give the lock back."""
    cancelled: CancelledError | None = None
    try:
        tx.lock = acquire(client, holder=tx.holder, ttl=ttl)
        if tx.signum is not None:
            raise CancelledError(
                tx.signum,
                f"cancelled by {signal_name(tx.signum)} before any flow was written; "
                "nothing was changed",
            )
        ledger = ensure_ledger(client)
        legacy = _legacy_lock_cleared(client, ledger)
        ledger, tx.repaired = repair(client, ledger)
        tx.repaired[:0] = legacy
        tx.ledger = ledger
        tx.release_id = ledger.next_id
        yield
    except CancelledError as exc:
        cancelled = exc
        raise
    except KeyboardInterrupt as exc:  # aborted at once: no more calls, the lock stays
        if tx.lock is None:
            raise
        held, tx.lock = tx.lock, None
        raise _aborted(tx, exc, held) from None
    finally:
        client.refresh_flows()
        if tx.lock is not None:
            try:
                release(client, tx.lock)
                tx.lock_released = True
            except FlowopsError as exc:
                env = client.env.name
                tx.warnings.append(
                    f"the lock of {env!r} was not given back ({exc}); clear it with "
                    f"`{unlock_command(env, tx.lock)}`"
                )
            except KeyboardInterrupt as exc:  # a second signal while giving it back
                raise _aborted(tx, exc, tx.lock) from None
        if cancelled is not None:
            cancelled.ended(tx)


def _legacy_lock_cleared(client: ConnectClient, ledger: Ledger) -> list[str]:
    """A lock an older flowops left on the ledger (its ``flowops:lock`` tag): held, it
    stops this run (``LockHeldError`` with the unlock command); expired, it is removed,
    as the older flowops took expired locks over. Returns what was done."""
    old = legacy_lock(ledger.flow)
    if old is None:
        return []
    if old.stale_reason(datetime.now(UTC)) is None:
        raise LockHeldError(client.env.name, old)
    release(client, old)
    who = old.holder.describe()
    return [f"an expired lock of an older flowops (lock {old.token}, {who}) was removed"]


def _aborted(tx: Transaction, exc: KeyboardInterrupt, held: LockInfo) -> AbortedError:
    signum = getattr(exc, "signum", signal.SIGINT)
    env = tx.client.env.name
    return AbortedError(
        signum,
        f"aborted by {signal_name(signum)}: release {tx.release_id or '?'} stopped at once "
        f"and the lock of {env!r} may stay; check with `flowops history --env {env}`, then "
        f"`{unlock_command(env, held)}` (the next run records the release as interrupted)",
    )


def unlock(client: ConnectClient, lock_id: str, *, who: str | None = None) -> ReleaseRecord:
    """``flowops unlock``: clear the lock ``lock_id`` (left by a killed run) and record it.

    The lock is deleted only if it is still ``lock_id``; then a transaction of its own
    records the unlock in the history (kind ``unlock``) and repairs what the killed run
    left (its release recorded as interrupted).
    """
    broken = break_lock(client, lock_id)
    with transaction(client, who=who) as tx:
        record = tx.new_record(
            "unlock",
            f"unlock of lock {broken.token} held by {broken.holder.describe()} since "
            f"{broken.started.isoformat(timespec='seconds')}"
            + (f"; {'; '.join(tx.repaired)}" if tx.repaired else ""),
        )
        return tx.finish(record)


# --- repairing what a killed run left ------------------------------------------------


def _restore_point(description: str, release_id: int) -> bool:
    return description.strip() == f"flowops:restore-point release={release_id}"


def _where(client: ConnectClient, flow: FlowRelease, release_id: int) -> FlowRelease:
    """Where a flow a killed release planned to change is, from its versions and content.
    Its ``sha_before`` (the content before the run) is left for :func:`_kept_only`."""
    kind: FlowKind = "module" if flow.kind == "module" else "flow"
    flow_id = flow.id
    try:
        if not flow_id:  # a create: found by name, if it got that far
            found = client.find_by_name(kind, flow.name)
            if found is None:
                return replace(flow, outcome="untouched")  # never created
            flow_id = found.id
        versions = client.list_versions(kind, flow_id)
        live = client.describe(kind, flow_id)
    except NotFoundError:
        return replace(flow, outcome="deleted" if flow.action == "create" else "failed")
    before, after = flow.version_before, None
    for v in versions:
        parsed = parse_release_description(v.description)
        if parsed is not None and parsed[0] == release_id:
            after = v.version
        elif _restore_point(v.description, release_id):
            before = v.version
    fixed = replace(flow, id=flow_id, version_before=before, version_after=after)
    sha_before = flow.sha_before
    if not sha_before and flow.version_before:  # e.g. a rollback: what was live before it
        sha_before = client.describe(kind, flow_id, flow.version_before).sha256
    if sha_before and live.sha256 == sha_before:  # at the content it had before
        return replace(fixed, outcome="restored" if after else "untouched")
    if after is not None and client.describe(kind, flow_id, after).sha256 == live.sha256:
        return replace(fixed, outcome="released", sha256=live.sha256)
    return replace(fixed, outcome="partial", version_after=None, sha256=live.sha256)


def repair(client: ConnectClient, ledger: Ledger) -> tuple[Ledger, list[str]]:
    """Record every ``running`` release (its run is gone: we hold the lock) as interrupted,
    with where each flow it planned to touch is now."""
    notes: list[str] = []
    kept: Container[str] | None = None  # the restore points kept in Connect, read once
    for record in [r for r in ledger.records if r.status == "running"]:
        try:
            found = [
                _where(client, f, record.id) if f.outcome == "planned" else f for f in record.flows
            ]
            if kept is None and any(_needs_copy(f) for f in found):
                kept = read_restore_points(client)
        except ConnectError as exc:
            notes.append(f"release {record.id} was interrupted; not repaired yet ({exc})")
            continue
        flows = tuple(
            _kept_only(f, kept or frozenset()) if was.outcome == "planned" else f
            for was, f in zip(record.flows, found, strict=True)
        )
        touched = tuple(f for f in flows if f.outcome != "untouched")
        fixed = replace(record, status="interrupted", flows=touched)
        ledger = append_record(client, ledger, fixed)
        moved = [f.key for f in touched if f.outcome in ("released", "partial")]
        notes.append(
            f"release {record.id} ({record.kind} by {record.who}) was interrupted; recorded "
            f"as interrupted: {len(moved)} flow(s) left at its content"
            + (f" ({', '.join(moved[:5])}{' ...' if len(moved) > 5 else ''})" if moved else "")
        )
    return ledger, notes


def _needs_copy(flow: FlowRelease) -> bool:
    """A flow moved without a restore-point version: rollback needs the content before."""
    moved = flow.outcome in ("released", "partial")
    return moved and bool(flow.sha_before) and flow.version_before is None


def _kept_only(flow: FlowRelease, kept: Container[str]) -> FlowRelease:
    """``sha_before`` in a final record means a restore point kept in Connect: it stays
    only when ``kept`` holds it."""
    return replace(flow, sha_before=flow.sha_before if flow.sha_before in kept else None)


__all__ = [
    "AbortedError",
    "CancelledError",
    "signal_name",
    "unlock",
    "Transaction",
    "repair",
    "transaction",
]
