"""Apply: execute a promote's plan against an environment, safely.

The steps run on the one executor (``flowops.deploy.executor``, which rollback and the
canary commands share) with failure policy ``restore``; this module is promote's
transaction around it, its report and its dry run.

Order of writes (design promise 2, "no data loss"):

1. take the environment's lock (``flowops.deploy.lock``) and the next release id;
2. create every missing member of a transfer cycle as a placeholder (SAVED status is not
   validated by Connect, so it may exist before its targets);
3. for each step, dependencies first: version the live content (the *restore point*,
   guarded by the plan's ``FlowContentSha256`` so a flow edited since the plan is not
   overwritten; where the live content is the previous release's version, that version
   is the restore point, once one read of ``$SAVED`` shows no edit since), write the
   resolved content and publish, update description, state and tags, then create a
   version described with the release id (the *release version*); new flows are
   created with their content and versioned;
4. where the environment routes through aliases (``use_aliases``), once every flow has
   its release version, move each one's entry alias (``live``) to it, creating the alias
   on first use: entry points switch together, after every write succeeded; the alias
   id goes into the record, so rollback repoints it with one call;
5. append the release record to the ledger and give the lock back.

If a step fails (the client has already retried throttles and server errors), every flow
changed in this run is put back: updated flows get their restore-point content again,
flows created in this run are deleted, moved aliases point where they did before (the
version the last record moved them to, or the restore point); then ``ApplyFailedError``
(exit 1) carries a table: flow, what happened, where it is now. ``auto_restore=False``
leaves everything as it is for a manual decision, and the table says exactly where each
flow stands. Unchanged flows get no write call, so re-running the same promote converges.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from flowops.connect import ConnectClient
from flowops.deploy.aliases import known_aliases
from flowops.deploy.executor import Executor, Outcome, Progress, ReleaseMeta
from flowops.deploy.executor import placeholder_content as placeholder_content
from flowops.deploy.executor import versions_refused as versions_refused
from flowops.deploy.live import OWN_TAG_PREFIX
from flowops.deploy.lock import DEFAULT_TTL
from flowops.deploy.plan import Plan
from flowops.deploy.recording import RecordingClient
from flowops.deploy.releases import (
    LEDGER_NAME,
    RESTORE_NAME,
    ReleaseRecord,
    latest_released,
    parse_ledger,
    read_ledger,
)
from flowops.deploy.transaction import CancelledError, transaction
from flowops.errors import CheckFailedError, RefusedError, Warnings, recall, remember, shorten


@dataclass(frozen=True)
class ApplyResult:
    """What a promote did. ``release`` is None when there was nothing to change."""

    env: str
    release: ReleaseRecord | None
    outcomes: tuple[Outcome, ...] = ()
    unchanged: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()
    calls: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False
    #: Earlier interrupted runs recorded on the way in; a lock not given back.
    warnings: tuple[str, ...] = ()
    #: What eventual consistency cost the run (``ConnectClient.lag_report``).
    lag: dict[str, Any] = field(default_factory=dict)


def outcome_table(outcomes: tuple[Outcome, ...] | list[Outcome]) -> str:
    """The outcomes as a plain-text table (for error messages and logs)."""
    rows = [("flow", "what happened", "where it is now")]
    rows += [(o.key, o.happened, o.now) for o in outcomes]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    return "\n".join(
        "  " + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(r)).rstrip() for r in rows
    )


class ApplyFailedError(CheckFailedError):
    """A step failed or the run was cancelled; ``outcomes`` says where each flow is.

    Exit 1, or 130/143 when a signal cancelled the run. The headline counts what really
    happened (read back from Connect), never what was hoped for.
    """

    def __init__(
        self,
        env: str,
        cause: BaseException,
        outcomes: list[Outcome],
        record: ReleaseRecord | None,
        restored: bool,
        warnings: Sequence[str] = (),
    ) -> None:
        self.cause = cause
        self.outcomes = tuple(outcomes)
        self.record = record
        self.restored = restored
        self.warnings = tuple(warnings)
        if isinstance(cause, CancelledError):
            self.exit_code = cause.exit_code
            self.error_type = cause.error_type
        rid = f" release {record.id}" if record else ""
        verb = "cancelled" if isinstance(cause, CancelledError) else "failed"
        super().__init__(
            f"promote to {env!r}{rid} {verb}: {shorten(str(cause) or type(cause).__name__)}; "
            f"{headline(self.outcomes, restored)}:\n{outcome_table(outcomes)}"
            + "".join(f"\nwarning: {w}" for w in self.warnings)
        )


def headline(outcomes: Sequence[Outcome], restored: bool) -> str:
    """What the flows of a failed run really are, counted from their outcomes."""
    touched = [o for o in outcomes if o.state != "untouched"]
    if not touched:
        return "no flow was changed"
    back = sum(o.state in ("restored", "deleted") for o in touched)
    new = [o.key for o in touched if o.state in ("released", "partial")]
    unknown = [o.key for o in touched if o.state == "failed"]
    parts = [
        f"{back} of {len(touched)} changed flow(s) put back"
        if restored
        else "nothing was restored (--no-auto-restore)"
    ]
    if new:
        parts.append(f"{len(new)} left at the new content (`flowops rollback` undoes them)")
    if unknown:
        parts.append(f"{len(unknown)} in an unknown state: {', '.join(unknown)}")
    return "; ".join(parts)


def versionless_notes(versionless: Mapping[str, str]) -> list[str]:
    """What a run without versions tells the user (which mode it ran in)."""
    return [
        f"versionless mode: no versions for {kind} flows here ({why}): released without "
        "restore-point and release versions; the content before the run is kept in Connect "
        f"(module {RESTORE_NAME}), where `flowops rollback` restores it from (git is the "
        "fallback); on failure flows were restored from the content read before the run"
        for kind, why in versionless.items()
    ]


def dry_run(plan: Plan, client: ConnectClient) -> tuple[tuple[str, str], ...]:
    """(operation, flow) of every write a promote of ``plan`` would make to its flows, in
    order, from the executor itself (reads only; the lock and the ledger records are left
    out: two records and the lock's create and delete)."""
    if not plan.changes:
        return ()
    records = read_ledger(client)
    recording = RecordingClient.wrap(client, plan)
    run = Executor(plan, recording, 0, ReleaseMeta(plan.commit, plan.ref), latest_released(records))
    run.run(None, lambda: None)
    if plan.env.use_aliases:
        run.move_aliases(known_aliases(records))
    return tuple(recording.recorded)


def ledger_head(plan: Plan) -> int | None:
    """The newest release id in the ledger as the plan's catalog read it (None: none)."""
    found = plan.catalog.flow("module", LEDGER_NAME)
    records = parse_ledger(found.content) if found is not None else []
    return max((r.id for r in records), default=None)


def apply_plan(
    plan: Plan,
    client: ConnectClient,
    *,
    release_meta: ReleaseMeta | None = None,
    auto_restore: bool = True,
    progress: Progress | None = None,
    on_signal: Callable[[int], None] | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> ApplyResult:
    """Execute a plan in one release transaction. No changes: no write call at all."""
    meta = release_meta or ReleaseMeta(commit=plan.commit, ref=plan.ref)
    start = Counter(client.calls)
    unchanged = tuple(s.key for s in plan.by_action("unchanged"))
    extra = tuple(s.key for s in plan.by_action("extra"))
    if not plan.changes:
        return ApplyResult(plan.env.name, None, (), unchanged, extra, {}, lag=client.lag_report())
    # The lock outlives the slowest plausible run: ~4 calls per change at the paced rate.
    expected = timedelta(seconds=8 * len(plan.changes) / max(plan.env.rate_limit.rate, 0.1))
    ttl = max(DEFAULT_TTL, expected)
    seen = ledger_head(plan)
    run: Executor | None = None
    try:
        with transaction(client, who=meta.who, ttl=ttl, on_signal=on_signal) as tx:
            assert tx.ledger is not None
            if max((r.id for r in tx.ledger.records), default=None) != seen:
                raise RefusedError(
                    f"environment {plan.env.name!r} got a release since this plan was made "
                    "(or Connect's Search did not show its ledger to the plan yet); nothing was "
                    "written: plan and promote again"
                )
            ledger = tx.ledger
            run = executor = Executor(
                plan, client, tx.release_id, meta, latest_released(ledger.records)
            )

            def steps() -> None:
                executor.run(progress, tx.checkpoint)
                if plan.env.use_aliases:
                    tx.checkpoint()
                    executor.move_aliases(known_aliases(ledger.records))

            def undo(exc: Exception) -> None:  # cancelled by a signal too
                executor.read_back()
                if auto_restore:
                    executor.restore()

            try:
                record = tx.run(
                    lambda status: executor.record(status, now()), steps, on_failure=undo
                )
            except Exception as exc:
                notes = [*versionless_notes(executor.versionless), *tx.warnings]
                raise ApplyFailedError(
                    plan.env.name, exc, executor.outcomes(), tx.final, auto_restore, notes
                ) from exc
    except BaseException as exc:  # the report as far as it got (``--format json``)
        known = recall(exc, Warnings)
        remember(
            exc,
            ApplyResult(
                plan.env.name,
                recall(exc, ReleaseRecord),
                tuple(run.outcomes()) if run is not None else (),
                unchanged,
                extra,
                dict(client.calls - start),
                warnings=known.lines if known else (),
                lag=client.lag_report(),
            ),
        )
        raise
    return ApplyResult(
        plan.env.name,
        record,
        tuple(executor.outcomes()),
        unchanged,
        extra,
        dict(client.calls - start),
        warnings=(*tx.repaired, *versionless_notes(executor.versionless), *tx.warnings),
        lag=client.lag_report(),
    )


__all__ = [
    "OWN_TAG_PREFIX",
    "ApplyFailedError",
    "ApplyResult",
    "Outcome",
    "Progress",
    "RecordingClient",
    "ReleaseMeta",
    "apply_plan",
    "dry_run",
    "outcome_table",
    "placeholder_content",
]
