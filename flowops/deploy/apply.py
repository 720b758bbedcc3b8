"""Apply: execute a plan's steps against an environment, safely.

Order of writes (design promise 2, "no data loss"):

1. take the environment's lock (``flowops.deploy.lock``) and the next release id;
2. create every missing member of a transfer cycle as a placeholder (SAVED status is not
   validated by Connect, so it may exist before its targets);
3. for each step, dependencies first: version the live content (the *restore point*,
   guarded by the plan's ``FlowContentSha256`` so a flow edited since the plan is not
   overwritten), write the resolved content and publish, update description, state and
   tags, then create a version described with the release id (the *release version*);
   new flows are created with their content and versioned;
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

import json
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from flowops.connect import ConnectClient
from flowops.connect.catalog import CatalogEntry, RemoteFlow
from flowops.deploy.aliases import KnownAlias, known_aliases, move_entry_alias
from flowops.deploy.live import OWN_TAG_PREFIX, own_tags_removed
from flowops.deploy.lock import DEFAULT_TTL, acquire, default_holder, release
from flowops.deploy.plan import Plan, Step
from flowops.deploy.releases import (
    FlowRelease,
    ReleaseRecord,
    append_record,
    ensure_ledger,
    release_description,
    restore_point_description,
)
from flowops.errors import BadInputError, CheckFailedError, FlowopsError, shorten
from flowops.layout import layout_content
from flowops.model.canonical import canonical_content
from flowops.model.parse import parse_content
from flowops.model.templates import empty_content
from flowops.refs import resolve

#: ``progress(done, total, what)`` after each step; library code never prints.
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class ReleaseMeta:
    """Who releases what: recorded in the ledger and in version descriptions."""

    commit: str | None = None
    ref: str | None = None
    who: str | None = None
    message: str = ""


@dataclass(frozen=True)
class Outcome:
    """One row of the apply report: a flow, what happened to it, where it is now."""

    key: str
    name: str
    kind: str
    action: str  # create / update
    happened: str
    now: str
    id: str | None = None
    version_before: int | None = None
    version_after: int | None = None
    ok: bool = True
    alias_id: str | None = None  # the entry alias moved to version_after (use_aliases)


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


def outcome_table(outcomes: tuple[Outcome, ...] | list[Outcome]) -> str:
    """The outcomes as a plain-text table (for error messages and logs)."""
    rows = [("flow", "what happened", "where it is now")]
    rows += [(o.key, o.happened, o.now) for o in outcomes]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    return "\n".join(
        "  " + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(r)).rstrip() for r in rows
    )


class ApplyFailedError(CheckFailedError):
    """A step failed; restored (or not) flows are listed in ``outcomes`` (exit 1)."""

    def __init__(
        self,
        env: str,
        cause: BaseException,
        outcomes: list[Outcome],
        record: ReleaseRecord | None,
        restored: bool,
    ) -> None:
        self.cause = cause
        self.outcomes = tuple(outcomes)
        self.record = record
        self.restored = restored
        what = (
            "every flow changed in this run was restored"
            if restored
            else "nothing was restored (--no-auto-restore)"
        )
        rid = f" release {record.id}" if record else ""
        super().__init__(
            f"promote to {env!r}{rid} failed: {shorten(str(cause) or type(cause).__name__)}; "
            f"{what}:\n{outcome_table(outcomes)}"
        )


def placeholder_content(kind: str) -> str:
    """Valid content with no references: what a cycle member holds until it is filled."""
    return json.dumps(layout_content(empty_content(kind)))


@dataclass
class _State:
    """Mutable progress of one step during a run."""

    step: Step
    stage: str = "pending"  # pending, placeholder, created, versioned, content, released
    created: RemoteFlow | None = None
    version_before: int | None = None
    version_after: int | None = None
    error: str | None = None
    restored: str | None = None
    alias_id: str | None = None  # entry alias moved to version_after
    alias_before: KnownAlias | None = None  # where it pointed before (None: created)

    @property
    def flow_id(self) -> str:
        if self.created is not None:
            return self.created.id
        assert self.step.live is not None
        return self.step.live.id

    @property
    def arn(self) -> str:
        if self.created is not None:
            return self.created.arn
        assert self.step.live is not None
        return self.step.live.arn


class _Run:
    """One execution of a plan; keeps what was done so it can be undone."""

    def __init__(self, plan: Plan, client: ConnectClient, release_id: int, meta: ReleaseMeta):
        self.plan = plan
        self.client = client
        self.release_id = release_id
        self.meta = meta
        self.states = [_State(s) for s in plan.changes]
        self.pending: dict[str, CatalogEntry] = {}

    # --- forward ------------------------------------------------------------------

    def content_for(self, step: Step) -> str:
        assert step.desired is not None
        env = self.plan.env
        resolved, missing = resolve(
            step.desired.flow.raw, self.plan.catalog, env.overrides, pending=self.pending
        )
        if missing:
            raise BadInputError(
                f"{step.key}: cannot resolve " + ", ".join(m.describe() for m in missing)
            )
        flow = parse_content(resolved, flow_name=step.name)
        return json.dumps(canonical_content(flow), separators=(",", ":"), ensure_ascii=False)

    def run(self, progress: Progress | None) -> None:
        for state in self.states:
            if state.step.action == "create" and state.step.cycle:
                self.placeholder(state)
        for done, state in enumerate(self.states, 1):
            try:
                if state.step.action == "create":
                    self.create(state)
                else:
                    self.update(state)
            except (Exception, KeyboardInterrupt) as exc:
                state.error = str(exc) or type(exc).__name__
                raise
            if progress is not None:
                progress(done, len(self.states), state.step.key)

    def move_aliases(self, known: Mapping[str, KnownAlias]) -> None:
        """Move every published flow's entry alias to its release version (use_aliases)."""
        for state in self.states:
            if state.version_after is None:
                continue  # saved only: nothing released to point at
            try:
                state.alias_id, state.alias_before = move_entry_alias(
                    self.client,
                    state.step.kind,
                    state.flow_id,
                    state.version_after,
                    known.get(state.flow_id),
                    new_flow=state.created is not None,
                )
            except (Exception, KeyboardInterrupt) as exc:
                state.error = f"entry alias not moved: {str(exc) or type(exc).__name__}"
                raise

    def _tags(self, step: Step) -> dict[str, str]:
        assert step.desired is not None
        return own_tags_removed(step.desired.info.tags)

    def placeholder(self, state: _State) -> None:
        step = state.step
        assert step.desired is not None
        try:
            state.created = self.client.create(
                step.kind,
                step.name,
                placeholder_content(step.kind),
                type=step.type,
                description=step.desired.info.description,
                tags=self._tags(step),
                status="SAVED",
            )
        except Exception as exc:
            state.error = str(exc)
            raise
        state.stage = "placeholder"
        self.pending[step.key] = state.created.entry()

    def _publishes(self, step: Step) -> bool:
        assert step.desired is not None
        return step.desired.info.status.upper() != "SAVED"

    def _release_version(self, state: _State) -> None:
        if self._publishes(state.step):
            state.version_after = self.client.create_version(
                state.step.kind,
                state.flow_id,
                release_description(self.release_id, self.meta.commit, self.plan.env.name),
            )
        state.stage = "released"

    def create(self, state: _State) -> None:
        step = state.step
        assert step.desired is not None
        content = self.content_for(step)
        publish = self._publishes(step)
        if state.created is None:
            state.created = self.client.create(
                step.kind,
                step.name,
                content,
                type=step.type,
                description=step.desired.info.description,
                tags=self._tags(step),
                status="PUBLISHED" if publish else "SAVED",
            )
            self.pending[step.key] = state.created.entry()
        else:
            self.client.update_content(step.kind, state.created.id, content, publish=publish)
        state.stage = "content"
        if step.desired.info.state.upper() != "ACTIVE":
            self.client.update_metadata(step.kind, state.created.id, state=step.desired.info.state)
        self._release_version(state)

    def update(self, state: _State) -> None:
        step, live = state.step, state.step.live
        assert step.desired is not None and live is not None
        info = step.desired.info
        if live.status.upper() == "PUBLISHED":
            state.version_before = self.client.create_version(
                step.kind,
                live.id,
                restore_point_description(self.release_id),
                expected_sha256=live.sha256,
            )
        state.stage = "versioned"
        if "content" in step.changes or "status" in step.changes:
            content = self.content_for(step)
            self.client.update_content(step.kind, live.id, content, publish=self._publishes(step))
            state.stage = "content"
        if "description" in step.changes or "state" in step.changes:
            self.client.update_metadata(
                step.kind,
                live.id,
                description=info.description if "description" in step.changes else None,
                state=info.state if "state" in step.changes else None,
            )
            state.stage = "content"
        if "tags" in step.changes:
            want = own_tags_removed(info.tags)
            have = own_tags_removed(live.tags)
            self.client.untag(live.arn, sorted(k for k in have if k not in want))
            self.client.tag(live.arn, {k: v for k, v in want.items() if have.get(k) != v})
            state.stage = "content"
        self._release_version(state)

    # --- backward -----------------------------------------------------------------

    def restore(self) -> None:
        """Put every flow changed in this run back where it was before the run."""
        touched = [s for s in self.states if s.stage != "pending"]
        for state in [s for s in touched if s.alias_id and s.created is None]:
            before = state.alias_before
            target = before.version if before and before.version else state.version_before
            try:
                if target is not None:
                    assert state.alias_id is not None
                    self.client.update_alias(state.step.kind, state.flow_id, state.alias_id, target)
            except Exception as exc:  # keep going; the outcome says where it is
                state.error = f"{state.error or ''}; entry alias not put back: {exc}".strip("; ")
        for state in reversed([s for s in touched if s.created is None]):
            if state.stage == "versioned":
                state.restored = "untouched"
                continue
            try:
                self._restore_update(state)
                state.restored = "restored"
            except Exception as exc:  # keep going: restore every flow we can
                state.restored = f"restore failed: {exc}"
        for state in reversed([s for s in touched if s.created is not None]):
            try:
                assert state.created is not None
                self.client.delete(state.step.kind, state.created.id)
                state.restored = "deleted"
            except Exception as exc:
                state.restored = f"delete failed: {exc}"

    def _restore_update(self, state: _State) -> None:
        step, live = state.step, state.step.live
        assert live is not None and live.content is not None
        published = live.status.upper() == "PUBLISHED"
        self.client.update_content(step.kind, live.id, live.content, publish=published)
        if "description" in step.changes or "state" in step.changes:
            self.client.update_metadata(
                step.kind,
                live.id,
                description=live.description if "description" in step.changes else None,
                state=live.state if "state" in step.changes else None,
            )
        if "tags" in step.changes:
            want = own_tags_removed(live.tags)
            assert step.desired is not None
            now = own_tags_removed(step.desired.info.tags)
            self.client.untag(live.arn, sorted(k for k in now if k not in want))
            self.client.tag(live.arn, {k: v for k, v in want.items() if now.get(k) != v})

    # --- reporting ----------------------------------------------------------------

    def outcomes(self) -> list[Outcome]:
        return [self._outcome(s) for s in self.states]

    def _outcome(self, s: _State) -> Outcome:
        step = s.step
        vb = f"restore point v{s.version_before}" if s.version_before else "no restore point"
        ident = s.created.id if s.created else (step.live.id if step.live else None)
        happened, now, ok = self._describe(s, vb)
        return Outcome(
            key=step.key,
            name=step.name,
            kind=step.kind,
            action=step.action,
            happened=happened,
            now=now,
            id=ident,
            version_before=s.version_before,
            version_after=s.version_after,
            ok=ok,
            alias_id=s.alias_id,
        )

    def _describe(self, s: _State, vb: str) -> tuple[str, str, bool]:
        verb = "created" if s.step.action == "create" else "updated"
        failed = f"failed: {shorten(s.error)}" if s.error else None
        if s.stage == "pending":
            return failed or "not started", "as before this run", True
        if s.restored == "deleted":
            return failed or f"{verb}, then undone", "absent (created in this run, deleted)", True
        if s.restored == "restored":
            return failed or f"{verb}, then undone", f"as before this run ({vb})", True
        if s.restored == "untouched":
            return failed or "restore point taken", f"as before this run ({vb})", True
        if s.restored is not None:
            return failed or verb, f"UNKNOWN: {s.restored}", False
        if s.stage == "released":
            release = f"release version v{s.version_after}" if s.version_after else "saved"
            return verb, f"new content ({release}; {vb})", True
        if s.stage == "versioned":
            return failed or "restore point taken", f"as before this run ({vb})", True
        if s.stage == "placeholder":
            return failed or "placeholder created", "SAVED placeholder content", False
        return failed or verb, f"new content, no release version ({vb})", False

    def record(self, status: str, now: datetime) -> ReleaseRecord:
        flows = []
        for s in self.states:
            if s.stage == "pending":
                continue
            outcome = {
                None: "released" if s.stage == "released" else "failed",
                "deleted": "deleted",
                "restored": "restored",
                "untouched": "restored",
            }.get(s.restored, "failed")
            flows.append(
                FlowRelease(
                    key=s.step.key,
                    kind=s.step.kind,
                    name=s.step.name,
                    id=s.flow_id,
                    action=s.step.action,
                    version_before=s.version_before,
                    version_after=s.version_after,
                    outcome=outcome,
                    alias_id=s.alias_id if s.restored is None else None,
                )
            )
        return ReleaseRecord(
            id=self.release_id,
            env=self.plan.env.name,
            commit=self.meta.commit,
            ref=self.meta.ref,
            who=self.meta.who or default_holder(),
            when=now.isoformat(timespec="seconds"),
            status=status,
            flows=tuple(flows),
            message=self.meta.message,
        )


def apply_plan(
    plan: Plan,
    client: ConnectClient,
    *,
    release_meta: ReleaseMeta | None = None,
    auto_restore: bool = True,
    progress: Progress | None = None,
    lock_settle: float = 1.0,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> ApplyResult:
    """Execute a plan. No changes: no write call at all (not even the lock)."""
    meta = release_meta or ReleaseMeta(commit=plan.commit, ref=plan.ref)
    start = Counter(client.calls)
    unchanged = tuple(s.key for s in plan.by_action("unchanged"))
    extra = tuple(s.key for s in plan.by_action("extra"))
    if not plan.changes:
        return ApplyResult(plan.env.name, None, (), unchanged, extra, {})
    ledger = ensure_ledger(client)
    # The lock outlives the slowest plausible run: ~4 calls per change at the paced rate.
    expected = timedelta(seconds=8 * len(plan.changes) / max(plan.env.rate_limit.rate, 0.1))
    ttl = max(DEFAULT_TTL, expected)
    lock = acquire(client, ledger.flow.arn, holder=meta.who, ttl=ttl, settle=lock_settle, now=now)
    try:
        ledger = ensure_ledger(client)  # fresh under the lock: the release id is ours
        run = _Run(plan, client, ledger.next_id, meta)
        try:
            run.run(progress)
            if plan.env.use_aliases:
                run.move_aliases(known_aliases(ledger.records))
            record = run.record("released", now())
            append_record(client, ledger, record)
        except (Exception, KeyboardInterrupt) as exc:  # an interrupted run is undone too
            if auto_restore:
                run.restore()
            record = run.record("failed-restored" if auto_restore else "failed", now())
            try:
                append_record(client, ledger, record)
            except FlowopsError:
                pass  # the flows' version descriptions still tell the story
            raise ApplyFailedError(
                plan.env.name, exc, run.outcomes(), record, auto_restore
            ) from exc
        return ApplyResult(
            plan.env.name,
            record,
            tuple(run.outcomes()),
            unchanged,
            extra,
            dict(client.calls - start),
        )
    finally:
        client.refresh_flows()  # flows changed: the next catalog() must read them again
        try:
            release(client, ledger.flow.arn, lock)
        except FlowopsError:
            pass  # the lock expires on its own


__all__ = [
    "OWN_TAG_PREFIX",
    "ApplyFailedError",
    "ApplyResult",
    "Outcome",
    "ReleaseMeta",
    "apply_plan",
    "outcome_table",
    "placeholder_content",
]
