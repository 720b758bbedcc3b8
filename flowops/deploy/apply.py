"""Apply: execute a plan's steps against an environment, safely.

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

import json
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from flowops.connect import ConnectClient
from flowops.connect.catalog import CatalogEntry, FlowKind, RemoteFlow
from flowops.connect.client import FAMILIES
from flowops.connect.errors import ConnectError, DuplicateError, NotFoundError
from flowops.deploy.aliases import KnownAlias, known_aliases, move_entry_alias
from flowops.deploy.live import OWN_TAG_PREFIX, own_tags_removed
from flowops.deploy.lock import DEFAULT_TTL, default_holder
from flowops.deploy.plan import Plan, Step
from flowops.deploy.releases import (
    LEDGER_NAME,
    RESTORE_NAME,
    FlowAction,
    FlowRelease,
    FlowState,
    ReleaseRecord,
    ReleaseStatus,
    content_sha256,
    keep_restore_points,
    latest_released,
    parse_ledger,
    read_ledger,
    release_description,
    restore_point_description,
)
from flowops.deploy.transaction import CancelledError, transaction
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
    kind: FlowKind
    action: FlowAction
    happened: str
    now: str
    id: str | None = None
    version_before: int | None = None
    version_after: int | None = None
    #: False for the flow whose step failed (the failure that stopped the run, whatever
    #: its content is now) and for a flow left between releases (new content without a
    #: release version, a restore that failed); True for every other flow.
    ok: bool = True
    alias_id: str | None = None  # the entry alias moved to version_after (use_aliases)
    #: where the flow really is: released, partial (new content, no release version),
    #: restored, deleted, untouched, or failed (unknown)
    state: FlowState = "released"


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


def versions_refused(error: ConnectError) -> bool:
    """Is this Connect refusing versions for a flow type (not a stale checksum)?"""
    text = error.message.lower()
    return error.code in (
        "InvalidRequestException",
        "InvalidParameterException",
        "ValidationException",
    ) and ("not support" in text or "campaign" in text)


def versionless_notes(versionless: Mapping[str, str]) -> list[str]:
    """What a run without versions tells the user (which mode it ran in)."""
    return [
        f"versionless mode: no versions for {kind} flows here ({why}): released without "
        "restore-point and release versions; the content before the run is kept in Connect "
        f"(module {RESTORE_NAME}), where `flowops rollback` restores it from (git is the "
        "fallback); on failure flows were restored from the content read before the run"
        for kind, why in versionless.items()
    ]


def _sha(flow: RemoteFlow) -> str:
    return flow.sha256 or content_sha256(flow.content or "")


def placeholder_content(kind: str) -> str:
    """Valid content with no references: what a cycle member holds until it is filled."""
    return json.dumps(layout_content(empty_content(kind)))


#: How far the executor got with one step.
Stage = Literal["pending", "placeholder", "versioned", "content", "released"]


@dataclass
class _State:
    """Mutable progress of one step during a run."""

    step: Step
    stage: Stage = "pending"
    created: RemoteFlow | None = None
    version_before: int | None = None
    version_after: int | None = None
    error: str | None = None
    restored: str | None = None  # restored, deleted, untouched, or why it failed
    alias_id: str | None = None  # entry alias moved to version_after
    alias_before: KnownAlias | None = None  # where it pointed before (None: created)
    sent: str | None = None  # SHA-256 of the content last sent (read back after a failure)
    sha_after: str | None = None  # SHA-256 of the content version_after holds
    reused: bool = False  # the restore point is the previous release's version

    @property
    def flow_id(self) -> str:
        if self.created is not None:
            return self.created.id
        return self.step.live.id if self.step.live is not None else ""

    @property
    def arn(self) -> str:
        if self.created is not None:
            return self.created.arn
        assert self.step.live is not None
        return self.step.live.arn


class _Run:
    """One execution of a plan; keeps what was done so it can be undone."""

    def __init__(
        self,
        plan: Plan,
        client: ConnectClient,
        release_id: int,
        meta: ReleaseMeta,
        known: Mapping[str, FlowRelease] | None = None,
    ):
        self.plan = plan
        self.client = client
        self.release_id = release_id
        self.meta = meta
        self.states = [_State(s) for s in plan.changes]
        self.pending: dict[str, CatalogEntry] = {}
        self.known = dict(known or {})
        #: flow types whose versions Connect refused in this run -> its answer
        self.versionless: dict[str, str] = {}
        #: flow types whose restore points are kept as content; the hashes kept
        self.kept_types: set[str] = set()
        self.kept: set[str] = set()
        for state in self.states:
            live = state.step.live
            prev = self.known.get(live.id) if live is not None else None
            if (
                live is not None
                and prev is not None
                and live.status.upper() == "PUBLISHED"
                and live.sha256 is not None
                and live.sha256 == prev.sha256
            ):
                state.version_before, state.reused = prev.version_after, True

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

    def run(self, progress: Progress | None, checkpoint: Callable[[], None]) -> None:
        for state in self.states:
            if state.step.action == "create" and state.step.cycle:
                checkpoint()
                self.placeholder(state)
        for done, state in enumerate(self.states, 1):
            checkpoint()
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

    def _create(self, state: _State, content: str, status: str) -> RemoteFlow:
        """CreateContactFlow(Module); a create whose answer was lost is recognised.

        The client retries a dropped connection; if the first try had been applied, the
        retry answers DuplicateResourceException: the flow of that name with exactly our
        content is ours.
        """
        step = state.step
        assert step.desired is not None
        state.sent = content_sha256(content)
        try:
            return self.client.create(
                step.kind,
                step.name,
                content,
                type=step.type,
                description=step.desired.info.description,
                tags=self._tags(step),
                status="SAVED" if status == "SAVED" else "PUBLISHED",
            )
        except DuplicateError:
            found = self._find_ours(state)
            if found is None:
                raise
            return found

    def _find_ours(self, state: _State) -> RemoteFlow | None:
        """The flow of the step's name if its live content is what this run sent."""
        try:
            found = self.client.find_by_name(state.step.kind, state.step.name)
        except FlowopsError:
            return None
        if found is None or found.content is None or state.sent is None:
            return None
        return found if content_sha256(found.content) == state.sent else None

    def placeholder(self, state: _State) -> None:
        try:
            state.created = self._create(state, placeholder_content(state.step.kind), "SAVED")
        except Exception as exc:
            state.error = str(exc)
            raise
        state.stage = "placeholder"
        self.pending[state.step.key] = state.created.entry()

    def _publishes(self, step: Step) -> bool:
        assert step.desired is not None
        return step.desired.info.status.upper() != "SAVED"

    def _version(
        self, state: _State, description: str, expected_sha256: str | None = None
    ) -> int | None:
        """CreateContactFlow(Module)Version, or None where Connect refuses versions for
        this flow type (the API reference says versions are for Campaign flows): the run
        goes on without versions, says so once, and rollback restores from git."""
        step = state.step
        if step.type in self.versionless:
            return None
        try:
            return self.client.create_version(
                step.kind, state.flow_id, description, expected_sha256=expected_sha256
            )
        except ConnectError as exc:
            if not versions_refused(exc):
                raise
            self.versionless[step.type] = f"{exc.code}: {exc.message}"
            return None

    def _release_version(self, state: _State) -> None:
        if self._publishes(state.step):
            state.version_after = self._version(
                state, release_description(self.release_id, self.meta.commit, self.plan.env.name)
            )
            if state.version_after is not None:
                state.sha_after = state.sent or (
                    state.step.live.sha256 if state.step.live else None
                )
        state.stage = "released"

    def create(self, state: _State) -> None:
        step = state.step
        assert step.desired is not None
        content = self.content_for(step)
        publish = self._publishes(step)
        if state.created is None:
            state.created = self._create(state, content, "PUBLISHED" if publish else "SAVED")
            self.pending[step.key] = state.created.entry()
        else:
            state.sent = content_sha256(content)
            self.client.update_content(step.kind, state.created.id, content, publish=publish)
        state.stage = "content"
        if step.desired.info.state.upper() != "ACTIVE":
            self.client.update_metadata(step.kind, state.created.id, state=step.desired.info.state)
        self._release_version(state)

    def update(self, state: _State) -> None:
        step, live = state.step, state.step.live
        assert step.desired is not None and live is not None
        info = step.desired.info
        if live.status.upper() == "PUBLISHED" and not state.reused:
            state.version_before = self._version(
                state, restore_point_description(self.release_id), live.sha256
            )
            if state.version_before is None and step.type in self.versionless:
                self._keep_contents(step.type)
        elif state.reused:
            self._check_unchanged(state)
        state.stage = "versioned"
        if "content" in step.changes or "status" in step.changes:
            content = self.content_for(step)
            state.sent = content_sha256(content)
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

    def _keep_contents(self, flow_type: str) -> None:
        """Versions refused for ``flow_type``: keep the live content of every flow of that
        type this run updates as a restore point in Connect (one write, before the first
        of them is changed), so rollback needs no git history."""
        if flow_type in self.kept_types:
            return
        self.kept_types.add(flow_type)
        contents = {
            _sha(s.step.live): s.step.live.content
            for s in self.states
            if s.step.action == "update"
            and s.step.type == flow_type
            and s.step.live is not None
            and s.step.live.content
            and s.step.live.status.upper() == "PUBLISHED"
        }
        self.kept.update(keep_restore_points(self.client, contents))

    def _check_unchanged(self, state: _State) -> None:
        """A reused restore point has no checksum-guarded version: read the flow by id and
        stop if it is not what the plan saw (a console edit since, a canary started, or a
        Search copy that predated a write)."""
        live = state.step.live
        assert live is not None
        now = self.client.describe(state.step.kind, live.id)
        if now.sha256 is not None and now.sha256 != live.sha256:
            raise CheckFailedError(
                f"{state.step.key} changed in {self.plan.env.name!r} since the plan was "
                "made (edited, or the plan read a copy Connect had not updated yet); "
                "nothing was written to it: plan and promote again"
            )

    def read_back(self) -> None:
        """After a failure or lost answer: what did the service really apply?"""
        for state in self.states:
            if state.error is None or state.stage in ("released", "content"):
                continue
            if state.step.action == "create" and state.created is None:
                found = self._find_ours(state)
                if found is not None:
                    state.created, state.stage = found, "content"
                continue
            if state.sent is None or not state.flow_id:
                continue
            try:
                live = self.client.describe(state.step.kind, state.flow_id)
            except FlowopsError:
                continue
            if live.sha256 == state.sent:
                state.stage = "content"

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
                state.restored = self._check_restored(state, exc)
        kept = self._still_needed(touched)
        for state in reversed([s for s in touched if s.created is not None]):
            if state.step.key in kept:
                state.restored = "kept: a flow that could not be restored uses it"
                continue
            try:
                assert state.created is not None
                self.client.delete(state.step.kind, state.created.id)
                state.restored = "deleted"
            except NotFoundError:
                state.restored = "deleted"  # a lost answer: it was deleted
            except Exception as exc:
                state.restored = f"delete failed: {exc}"

    @staticmethod
    def _still_needed(touched: list[_State]) -> set[str]:
        """Keys of flows created in this run that a flow left at its new content (its
        restore failed) refers to, directly or through each other: deleting them would
        leave that flow pointing at nothing."""
        left = [s for s in touched if s.restored is not None and "failed" in s.restored]
        needed: set[str] = set()
        todo = [d for s in left for d in s.step.depends_on]
        created = {s.step.key: s for s in touched if s.created is not None}
        while todo:
            key = todo.pop()
            if key in created and key not in needed:
                needed.add(key)
                todo.extend(created[key].step.depends_on)
        return needed

    def _check_restored(self, state: _State, exc: Exception) -> str:
        """A restore that raised may still have been applied (a lost answer): read back."""
        live = state.step.live
        assert live is not None
        try:
            now = self.client.describe(state.step.kind, live.id)
        except FlowopsError:
            return f"restore failed: {exc}"
        if now.sha256 == live.sha256 and "tags" not in state.step.changes:
            return "restored"
        return f"restore failed: {exc}"

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

    @staticmethod
    def _state_of(s: _State) -> FlowState:
        """released, partial, restored, deleted, untouched or failed (unknown)."""
        if s.stage == "pending" or s.restored == "untouched":
            return "untouched"
        if s.restored == "restored":
            return "restored"
        if s.restored == "deleted":
            return "deleted"
        if s.restored is not None and s.restored.startswith(("delete failed", "kept")):
            return "partial" if s.stage != "released" else "released"
        if s.stage == "versioned":
            return "untouched"
        if s.restored is not None:  # restore failed: still at the new content
            return "released" if s.stage == "released" else "partial"
        return "released" if s.stage == "released" else "partial"

    def _outcome(self, s: _State) -> Outcome:
        step = s.step
        vb = f"restore point v{s.version_before}" if s.version_before else "no restore point"
        ident = s.created.id if s.created else (step.live.id if step.live else None)
        happened, now, ok = self._describe(s, vb)
        return Outcome(
            key=step.key,
            name=step.name,
            kind=step.kind,
            action=_flow_action(step),
            happened=happened,
            now=now,
            id=ident,
            version_before=s.version_before,
            version_after=s.version_after,
            ok=ok,
            alias_id=s.alias_id,
            state=self._state_of(s),
        )

    def _describe(self, s: _State, vb: str) -> tuple[str, str, bool]:
        verb = "created" if s.step.action == "create" else "updated"
        failed = f"failed: {shorten(s.error)}" if s.error else None
        ok = failed is None  # the flow whose step raised: the failure that stopped the run
        state = self._state_of(s)
        if s.stage == "pending":
            if failed:
                return failed, "as before this run (nothing was applied to it)", False
            return "not started", "as before this run", True
        if state == "deleted":
            return failed or f"{verb}, then undone", "absent (created in this run, deleted)", ok
        if state == "restored":
            return failed or f"{verb}, then undone", f"as before this run ({vb})", ok
        if state == "untouched":
            return failed or "restore point taken", f"as before this run ({vb})", ok
        why = f"; {s.restored}" if s.restored else ""
        if state == "released":
            release = f"release version v{s.version_after}" if s.version_after else "saved"
            return failed or verb, f"new content ({release}; {vb}){why}", not why
        if s.stage == "placeholder":
            return failed or "placeholder created", f"SAVED placeholder content{why}", False
        return failed or verb, f"new content, no release version ({vb}){why}", False

    def record(self, status: ReleaseStatus, now: datetime) -> ReleaseRecord:
        flows = []
        for s in self.states:
            live = s.step.live
            state: FlowState = "planned" if status == "running" else self._state_of(s)
            if state == "untouched":
                continue
            released = state == "released"
            flows.append(
                FlowRelease(
                    key=s.step.key,
                    kind=s.step.kind,
                    name=s.step.name,
                    id=s.flow_id,
                    action=_flow_action(s.step),
                    version_before=s.version_before,
                    version_after=s.version_after,
                    outcome=state,
                    alias_id=s.alias_id if released else None,
                    sha256=s.sha_after if released else None,
                    sha_before=_sha(live)
                    if live is not None and (state == "planned" or _sha(live) in self.kept)
                    else None,
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


def _flow_action(step: Step) -> FlowAction:
    return "create" if step.action == "create" else "update"


class RecordingClient(ConnectClient):
    """The dry run's client: reads go to Connect as usual, writes are recorded, not sent.

    The dry run runs the very executor a promote runs (``_Run``), or a rollback runs
    (``flowops.deploy.rollback.run_steps``), with this client, so what it lists is what the
    command would call, not a prediction made by hand.
    """

    recorded: list[tuple[str, str]]
    _keys: dict[str, str]

    @classmethod
    def wrap(cls, real: ConnectClient, plan: Plan) -> RecordingClient:
        """For a promote's plan: calls named by the flows' git keys."""
        keys = {s.live.id: s.key for s in plan.steps if s.live is not None}
        keys.update({s.live.arn: s.key for s in plan.steps if s.live is not None})
        return cls.recording(real, keys)

    @classmethod
    def recording(cls, real: ConnectClient, keys: Mapping[str, str]) -> RecordingClient:
        """``real``'s reads, its writes recorded; ``keys`` names targets (id or ARN -> key)."""
        self = cls.__new__(cls)
        self.__dict__.update(real.__dict__)  # same connection, caches and counters
        self.recorded = []
        self._keys = dict(keys)
        return self

    def _record(self, operation: str, target: str, note: str = "") -> None:
        what = self._keys.get(target, target)
        self.recorded.append((f"{operation} ({note})" if note else operation, what))

    def create(
        self,
        kind: FlowKind,
        name: str,
        content: str,
        *,
        type: str = "CONTACT_FLOW",
        description: str = "",
        tags: Mapping[str, str] | None = None,
        status: Literal["PUBLISHED", "SAVED"] = "PUBLISHED",
    ) -> RemoteFlow:
        key = f"{kind}:{name}"
        note = "SAVED placeholder" if content == placeholder_content(kind) else ""
        self._record(FAMILIES[kind].create, key, note)
        ident = f"dry-run-{len(self.recorded)}"
        self._keys[ident] = key
        noun = "contact-flow" if kind == "flow" else "flow-module"
        return RemoteFlow(
            kind,
            ident,
            f"{self.instance_arn}/{noun}/{ident}",
            name,
            type if kind == "flow" else "MODULE",
            content=content,
        )

    def update_content(
        self, kind: FlowKind, flow_id: str, content: str, *, publish: bool = True
    ) -> None:
        self._record(FAMILIES[kind].update_content, flow_id)

    def update_metadata(
        self,
        kind: FlowKind,
        flow_id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        state: str | None = None,
    ) -> None:
        self._record(FAMILIES[kind].update_metadata, flow_id)

    def create_version(
        self, kind: FlowKind, flow_id: str, description: str, *, expected_sha256: str | None = None
    ) -> int:
        point = "restore point" if "restore-point" in description else "release"
        self._record(FAMILIES[kind].create_version, flow_id, point)
        return len(self.recorded)

    def create_alias(
        self, kind: FlowKind, flow_id: str, name: str, version: int, description: str = ""
    ) -> str:
        self._record(FAMILIES[kind].create_alias, flow_id, "entry alias")
        return f"dry-run-alias-{len(self.recorded)}"

    def update_alias(self, kind: FlowKind, flow_id: str, alias_id: str, version: int) -> None:
        self._record(FAMILIES[kind].update_alias, flow_id, "entry alias")

    def delete(self, kind: FlowKind, flow_id: str) -> None:
        self._record(FAMILIES[kind].delete, flow_id)

    def tag(self, arn: str, tags: Mapping[str, str]) -> None:
        if tags:
            self._record("TagResource", arn)

    def untag(self, arn: str, keys: Sequence[str]) -> None:
        if keys:
            self._record("UntagResource", arn)


def dry_run(plan: Plan, client: ConnectClient) -> tuple[tuple[str, str], ...]:
    """(operation, flow) of every write a promote of ``plan`` would make to its flows, in
    order, from the executor itself (reads only; the lock and the ledger records are left
    out: two records and the lock's create and delete)."""
    if not plan.changes:
        return ()
    records = read_ledger(client)
    recording = RecordingClient.wrap(client, plan)
    run = _Run(plan, recording, 0, ReleaseMeta(plan.commit, plan.ref), latest_released(records))
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
    with transaction(client, who=meta.who, ttl=ttl, on_signal=on_signal) as tx:
        assert tx.ledger is not None
        if max((r.id for r in tx.ledger.records), default=None) != seen:
            raise CheckFailedError(
                f"environment {plan.env.name!r} got a release since this plan was made "
                "(or Connect's Search did not show its ledger to the plan yet); nothing was "
                "written: plan and promote again"
            )
        ledger = tx.ledger
        run = _Run(plan, client, tx.release_id, meta, latest_released(ledger.records))

        def steps() -> None:
            run.run(progress, tx.checkpoint)
            if plan.env.use_aliases:
                tx.checkpoint()
                run.move_aliases(known_aliases(ledger.records))

        def undo(exc: Exception) -> None:  # cancelled by a signal too
            run.read_back()
            if auto_restore:
                run.restore()

        try:
            record = tx.run(lambda status: run.record(status, now()), steps, on_failure=undo)
        except Exception as exc:
            notes = [*versionless_notes(run.versionless), *tx.warnings]
            raise ApplyFailedError(
                plan.env.name, exc, run.outcomes(), tx.final, auto_restore, notes
            ) from exc
    return ApplyResult(
        plan.env.name,
        record,
        tuple(run.outcomes()),
        unchanged,
        extra,
        dict(client.calls - start),
        warnings=(*tx.repaired, *versionless_notes(run.versionless), *tx.warnings),
        lag=client.lag_report(),
    )


__all__ = [
    "OWN_TAG_PREFIX",
    "ApplyFailedError",
    "ApplyResult",
    "Outcome",
    "ReleaseMeta",
    "apply_plan",
    "dry_run",
    "outcome_table",
    "placeholder_content",
]
