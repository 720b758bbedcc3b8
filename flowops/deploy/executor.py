"""The one executor: runs a plan's steps against an environment, under a failure policy.

Promote, rollback and the canary commands build plans (``flowops.deploy.plan.Plan``) and
run them here, inside their release transaction (``flowops.deploy.transaction``). A step
either resolves a git document for the environment (promote's ``create``/``update``,
``flowops.deploy.apply`` describes the order of its writes) or carries *given* literal
instructions (:class:`flowops.deploy.plan.Given`): exactly this content, a known restore
point, tags to set or remove, a version to create, an entry alias to move or repoint, an
archive, a delete. A given may be computed lazily (rollback reads a version, git or the
content kept in Connect; canary start's wrapper names the helpers created before it): it
is resolved into the step just before the step runs, under the lock, so a dry run (this
executor with ``flowops.deploy.recording.RecordingClient``) makes the same reads as the
real run.

The plan says how failures are handled (:attr:`Plan.failure`):

* ``restore`` (promote, the canary commands): stop at the first failure; the command's
  failure handler reads back what is live (:meth:`Executor.read_back`) and puts back what
  this release changed (:meth:`Executor.restore`);
* ``continue`` (rollback): every step is tried; a failed one is read back and kept as it
  really is, and the others go on (the command records the release ``failed``).

Signals stop the run at the next step boundary (``checkpoint``) under either policy.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

from flowops.connect import ConnectClient
from flowops.connect.catalog import CatalogEntry, FlowKind, RemoteFlow
from flowops.connect.errors import ConnectError, DuplicateError, NotFoundError
from flowops.deploy.aliases import KnownAlias, entry_alias_id, move_entry_alias
from flowops.deploy.live import own_tags_removed
from flowops.deploy.lock import default_holder
from flowops.deploy.plan import Given, Plan, Step
from flowops.deploy.releases import (
    FlowAction,
    FlowRelease,
    FlowState,
    ReleaseRecord,
    ReleaseStatus,
    content_sha256,
    keep_restore_points,
    meta_sha256,
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


def versions_refused(error: ConnectError) -> bool:
    """Is this Connect refusing versions for a flow type (not a stale checksum)?"""
    text = error.message.lower()
    return error.code in (
        "InvalidRequestException",
        "InvalidParameterException",
        "ValidationException",
    ) and ("not support" in text or "campaign" in text)


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
    notes: list[str] = field(default_factory=list)  # said in the report (given steps)

    @property
    def given(self) -> Given:
        """The step's literal instructions (resolved: the step has run or is running)."""
        given = self.step.given
        assert isinstance(given, Given), self.step.key
        return given

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


class Executor:
    """One execution of a plan; keeps what was done so it can be undone.

    ``known``: the flows' latest released state from the ledger (promote's reused
    restore points); ``aliases``: the entry aliases the records know (given steps that
    move an alias)."""

    def __init__(
        self,
        plan: Plan,
        client: ConnectClient,
        release_id: int,
        meta: ReleaseMeta,
        known: Mapping[str, FlowRelease] | None = None,
        aliases: Mapping[str, KnownAlias] | None = None,
    ):
        self.plan = plan
        self._client = client
        self.release_id = release_id
        self.meta = meta
        self.states = [_State(s) for s in plan.steps if s.runs]
        self.aliases = dict(aliases or {})
        #: restore points taken by ``version`` steps: flow key -> version
        self.points: dict[str, int | None] = {}
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
                and state.step.given is None
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
                if state.step.given is not None:
                    self.literal(state)
                elif state.step.action == "create":
                    self.create(state)
                else:
                    self.update(state)
            except (Exception, KeyboardInterrupt) as exc:
                state.error = str(exc) or type(exc).__name__
                if self.plan.failure != "continue" or not isinstance(exc, FlowopsError):
                    raise
                self.read_back([state])  # kept as it really is; the others go on
            if progress is not None:
                progress(done, len(self.states), state.step.key)

    # --- what a lazily given step reads (``RunView``) --------------------------------

    @property
    def client(self) -> ConnectClient:
        return self._client

    def flow(self, key: str) -> RemoteFlow | None:
        for state in self.states:
            if state.step.key == key and (state.created or state.step.live):
                return state.created or state.step.live
        return None

    def restore_point(self, key: str) -> tuple[int | None, str | None]:
        live = self.flow(key)
        kept = _sha(live) if live is not None and _sha(live) in self.kept else None
        return self.points.get(key), kept

    # --- given steps ------------------------------------------------------------------

    def literal(self, state: _State) -> None:
        """Run a step with given instructions, resolved now if they were given later."""
        step = state.step
        if step.given is not None and not isinstance(step.given, Given):
            state.step = step = replace(step, given=step.given(self))
        given = state.given
        kind = step.kind
        if given.note:
            state.notes.append(given.note)
        if step.action == "create":
            self._literal_create(state, given)
        elif step.action == "update":
            self._literal_update(state, given)
        elif step.action == "version":
            state.version_before = self._version(state, given.version or "")
            self.points[step.key] = state.version_before
            if state.version_before is None and step.type in self.versionless:
                self._keep_contents(step.type)
            state.stage = "versioned"
            return
        elif step.action == "tag":
            self._set_tags(state, given)
        elif step.action == "repoint":
            assert given.alias_version is not None
            alias = entry_alias_id(self.client, kind, state.flow_id, given.alias_id)
            try:
                self.client.update_alias(kind, state.flow_id, alias, given.alias_version)
            except NotFoundError:
                if given.alias_id is None:
                    raise
                alias = entry_alias_id(self.client, kind, state.flow_id)  # recorded id gone
                self.client.update_alias(kind, state.flow_id, alias, given.alias_version)
            state.alias_id, state.version_after = alias, given.alias_version
        elif step.action == "archive":
            self.client.update_metadata(kind, state.flow_id, state="ARCHIVED")
        elif step.action == "delete":
            try:
                self.client.delete(kind, state.flow_id)
            except NotFoundError:
                pass  # gone already (or a lost answer): what the step wanted
        state.stage = "released"

    def _literal_create(self, state: _State, given: Given) -> None:
        assert given.content is not None
        state.created = self._create(
            state, given.content, "PUBLISHED", description=given.description, tags=given.tags
        )
        self.pending[state.step.key] = state.created.entry()
        state.stage = "content"
        if given.version is not None:
            self._given_version(state, given)

    def _literal_update(self, state: _State, given: Given) -> None:
        step = state.step
        state.version_before = given.restore_version or self.points.get(step.key)
        state.stage = "versioned"
        if given.content is not None:
            state.sent = content_sha256(given.content)
            self.client.update_content(
                step.kind, state.flow_id, given.content, publish=not given.saved
            )
            state.stage = "content"
        if given.version is not None:
            self._given_version(state, given)
        if given.alias and self.plan.env.use_aliases and state.version_after is not None:
            state.alias_id, state.alias_before = move_entry_alias(
                self.client,
                step.kind,
                state.flow_id,
                state.version_after,
                self.aliases.get(state.flow_id),
            )
        if given.tags or given.untag:
            self._set_tags(state, given)

    def _given_version(self, state: _State, given: Given) -> None:
        assert given.version is not None
        if not given.version_optional:
            state.version_after = self._version(state, given.version)
        else:  # each flow tries, and says why it has none
            try:
                state.version_after = self.client.create_version(
                    state.step.kind, state.flow_id, given.version
                )
            except ConnectError as exc:
                state.notes.append(f"restored, but no version created ({exc.code}: {exc})")
        if state.version_after is not None:
            state.sha_after = state.sent

    def _set_tags(self, state: _State, given: Given) -> None:
        live = state.step.live
        have = live.tags if live is not None else {}
        if state.stage == "pending":
            state.stage = "content"  # an answer lost may have applied it: put back on failure
        self.client.untag(state.arn, list(given.untag))
        self.client.tag(state.arn, {k: v for k, v in given.tags.items() if have.get(k) != v})

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

    def _create(
        self,
        state: _State,
        content: str,
        status: str,
        *,
        description: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> RemoteFlow:
        """CreateContactFlow(Module); a create whose answer was lost is recognised.

        The client retries a dropped connection; if the first try had been applied, the
        retry answers DuplicateResourceException: the flow of that name with exactly our
        content is ours. A given step that adopts (a canary helper) also takes the flow of
        that name carrying its tags, left by an interrupted run, and writes its content.
        """
        step = state.step
        if description is None or tags is None:
            assert step.desired is not None
            description, tags = step.desired.info.description, self._tags(step)
        state.sent = content_sha256(content)
        try:
            return self.client.create(
                step.kind,
                step.name,
                content,
                type=step.type,
                description=description,
                tags=tags,
                status="SAVED" if status == "SAVED" else "PUBLISHED",
            )
        except DuplicateError:
            found = self._find_ours(state) or self._left_over(state, content, tags)
            if found is None:
                raise
            return found

    def _left_over(self, state: _State, content: str, tags: Mapping[str, str]) -> RemoteFlow | None:
        """The flow of a given step's name, left by an interrupted run (it carries the
        step's tags), now with ``content``; None when the step does not adopt or it is not."""
        if state.step.given is None or not state.given.adopt:
            return None
        found = self.client.find_by_name(state.step.kind, state.step.name)
        if found is None:
            return None
        have = self.client.list_tags(found.arn)
        if any(have.get(k) != v for k, v in tags.items()):
            raise BadInputError(
                f"a flow named {state.step.name!r} exists and was not made by flowops for "
                "this purpose; rename or delete it"
            ) from None
        self.client.update_content(state.step.kind, found.id, content)
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
        if self._metadata(step, info.description, info.state):
            state.stage = "content"
        if "tags" in step.changes:
            want = own_tags_removed(info.tags)
            have = own_tags_removed(live.tags)
            self.client.untag(live.arn, sorted(k for k in have if k not in want))
            self.client.tag(live.arn, {k: v for k, v in want.items() if have.get(k) != v})
            state.stage = "content"
        self._release_version(state)

    def _metadata(self, step: Step, description: str, flow_state: str) -> bool:
        """UpdateContactFlowMetadata with the description and state, where they change."""
        changes = step.changes
        if "description" not in changes and "state" not in changes:
            return False
        assert step.live is not None
        self.client.update_metadata(
            step.kind,
            step.live.id,
            description=description if "description" in changes else None,
            state=flow_state if "state" in changes else None,
        )
        return True

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

    def read_back(self, states: list[_State] | None = None) -> None:
        """After a failure or lost answer: what did the service really apply?"""
        for state in self.states if states is None else states:
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
                if state.step.given is None:
                    self._restore_update(state)
                else:
                    self._restore_given(state)
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
        self._metadata(step, live.description, live.state)
        if "tags" in step.changes:
            want = own_tags_removed(live.tags)
            assert step.desired is not None
            now = own_tags_removed(step.desired.info.tags)
            self.client.untag(live.arn, sorted(k for k in now if k not in want))
            self.client.tag(live.arn, {k: v for k, v in want.items() if now.get(k) != v})

    def _restore_given(self, state: _State) -> None:
        """Put back what a given step changed: the content, the tags it set or removed."""
        step, live, given = state.step, state.step.live, state.given
        assert live is not None
        if state.sent is not None:
            assert live.content is not None
            self.client.update_content(step.kind, live.id, live.content)
        if given.tags or given.untag:
            have = live.tags
            self.client.untag(live.arn, [k for k in given.tags if k not in have])
            back = {k: have[k] for k in (*given.tags, *given.untag) if k in have}
            self.client.tag(live.arn, {k: v for k, v in back.items() if given.tags.get(k) != v})

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

    def flows(self, status: ReleaseStatus, *, untouched: bool = False) -> tuple[FlowRelease, ...]:
        """The recorded steps' flows as the release record has them (``running``: what it
        is about to touch); ``untouched`` keeps the flows the run did not reach."""
        flows = []
        for s in self.states:
            if not s.step.recorded:
                continue
            live = s.step.live
            state: FlowState = "planned" if status == "running" else self._state_of(s)
            if state == "untouched" and not untouched:
                continue
            released = state == "released"
            given = s.step.given if isinstance(s.step.given, Given) else None
            before = s.version_before or self.points.get(s.step.key)
            kept = given.restore_sha if given is not None else None
            if live is not None and (state == "planned" or _sha(live) in self.kept):
                kept = _sha(live)
            flows.append(
                FlowRelease(
                    key=s.step.key,
                    kind=s.step.kind,
                    name=s.step.name,
                    id=s.flow_id,
                    action=_flow_action(s.step),
                    version_before=before or (given.restore_version if given else None),
                    version_after=s.version_after,
                    outcome=state,
                    alias_id=s.alias_id if released else None,
                    sha256=s.sha_after if released else None,
                    sha_before=kept,
                    meta_sha256=self._meta_after(s) if released else None,
                )
            )
        return tuple(flows)

    @staticmethod
    def _meta_after(s: _State) -> str | None:
        """:func:`meta_sha256` of what a released step from git left (its desired name in
        the environment, description, state and tags, published); None for given steps."""
        if s.step.desired is None or s.sha_after is None:
            return None
        info = s.step.desired.info
        return meta_sha256(s.step.name, info.description, info.state, "PUBLISHED", info.tags)

    def record(self, status: ReleaseStatus, now: datetime) -> ReleaseRecord:
        return ReleaseRecord(
            id=self.release_id,
            env=self.plan.env.name,
            commit=self.meta.commit,
            ref=self.meta.ref,
            who=self.meta.who or default_holder(),
            when=now.isoformat(timespec="seconds"),
            status=status,
            flows=self.flows(status),
            message=self.meta.message,
        )


def _flow_action(step: Step) -> FlowAction:
    return "create" if step.action == "create" else "update"
