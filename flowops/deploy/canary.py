"""Live canaries: split an entry flow's contacts between its current and new content.

Variants live in two *helper flows* (``<name> (canary stable)``, ``<name> (canary
candidate)``), and the entry flow's content becomes the generated wrapper
(``flowops.deploy.canary_wrapper``) that transfers to them. Why separate flows rather
than versions or aliases of the entry flow: ``TransferToFlow`` documents a flow id or
ARN as its target, and a version- or alias-qualified ARN there is not documented for
every flow type or Region; a separate flow also names the variant in contact records and
in the designer. The entry flow keeps its name, id, ARN and every phone number, queue
and quick connect that points at it; only its content changes.

The canary's state is in Connect, not on a laptop: tag ``flowops:canary`` on the entry
flow (``flowops.deploy.canary_state``), with the helper ids, the split and the version
of the entry flow taken just before the wrapper replaced it. Any machine can ramp,
promote, abort or read it.

Every content change publishes and creates a version (and, where the environment routes
through aliases, moves the entry alias to it), so ``flowops rollback --to-version`` can
go back to any step. Every command that writes runs in one release transaction and is
recorded in the ledger: ``canary-start``, ``canary-ramp`` and ``canary-abort`` (steps of the
canary, shown by ``flowops history``, with the reason of an override or an automatic
abort in the record's message, written under the lock; never undone by rollback) and
``canary-promote``, a release (its "before" is the pre-canary version), so
``flowops rollback`` after a promote puts the stable content back.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from flowops.connect import ConnectClient
from flowops.connect.catalog import RemoteFlow
from flowops.connect.errors import ConnectError, DuplicateError, NotFoundError
from flowops.deploy.aliases import ENTRY_ALIAS, KnownAlias, known_aliases, move_entry_alias
from flowops.deploy.canary_state import (
    OF_TAG,
    ROLE_TAG,
    STATE_TAG,
    CanaryState,
    encode_state,
    now_stamp,
    state_from_tags,
    tag_safe,
)
from flowops.deploy.canary_wrapper import (
    SUPPORTED_TYPES,
    WrapperSpec,
    check_percent,
    helper_name,
    variant_targets,
    wrapper_content,
    wrapper_percent,
)
from flowops.deploy.plan import (
    UnresolvedReferencesError,
    desired_semantics,
    live_semantics,
)
from flowops.deploy.releases import (
    FlowRelease,
    ReleaseKind,
    ReleaseRecord,
    ReleaseStatus,
    content_sha256,
    release_description,
)
from flowops.deploy.transaction import (
    CancelledError,
    Transaction,
    repair_flow,
    signal_name,
    transaction,
)
from flowops.errors import BadInputError, CheckFailedError, FlowopsError
from flowops.model.document import FlowDocument
from flowops.refs import resolve, symbol

CanaryAction = Literal["start", "ramp", "promote", "abort"]


@dataclass(frozen=True)
class CanaryStatus:
    """A canary as Connect has it: the tag, the wrapper's live split, the helpers."""

    env: str
    flow: str
    flow_id: str
    state: CanaryState | None
    live_percent: int | None  # read from the wrapper content; None when no wrapper
    stable: RemoteFlow | None = None
    candidate: RemoteFlow | None = None
    problems: tuple[str, ...] = ()

    @property
    def running(self) -> bool:
        return self.state is not None


@dataclass(frozen=True)
class CanaryResult:
    """What a canary command did."""

    action: CanaryAction
    env: str
    flow: str
    flow_id: str
    percent: int | None
    state: CanaryState | None  # after the command; None once promoted or aborted
    versions: Mapping[str, int] = field(default_factory=dict)  # flow name -> new version
    release_id: int | None = None
    notes: tuple[str, ...] = ()


# --- reading ----------------------------------------------------------------------------


def find_entry(client: ConnectClient, name: str) -> RemoteFlow:
    """The entry flow called ``name`` here (git name or environment name), with content.

    From the catalog when this client has listed it already; otherwise one Search by name
    (per candidate name) rather than listing the whole instance: reading a canary's state
    or its metrics needs the entry flow, not the catalog's dozen list calls.
    """
    names = list(dict.fromkeys((name, client.env.override("flow", name))))
    live = None
    if client.catalog_loaded:
        catalog = client.catalog()
        live = next((f for n in names if (f := catalog.flow("flow", n)) is not None), None)
    else:
        for candidate in names:
            live = client.find_by_name("flow", candidate)
            if live is not None:
                break
    if live is None:
        raise BadInputError(f"no flow {name!r} in environment {client.env.name!r}")
    return live


def _fresh(client: ConnectClient, flow: RemoteFlow) -> tuple[RemoteFlow, dict[str, str]]:
    """The flow's current content and tags (never the cached catalog: others may act).

    Tags lag writes; the content read by id does not: a wrapper as content means a canary
    runs, so its state tag is waited for. A state tag without a wrapper whose helper flows
    are both gone (read by id) is an ended canary's tag that has not caught up: left out.
    (With its helpers, it is a start that was interrupted: ``canary abort`` finishes it.)"""
    live = client.describe("flow", flow.id)
    wrapped = wrapper_percent(json.loads(live.content) if live.content else None) is not None
    tags = client.list_tags(flow.arn, settle=(lambda t: STATE_TAG in t) if wrapped else None)
    if not wrapped and STATE_TAG in tags:
        try:
            state = state_from_tags(tags)
        except BadInputError:
            state = None
        helpers = (state.stable_id, state.candidate_id) if state is not None else ()
        client.lag_rereads["DescribeContactFlow"] += len(helpers)
        found = [_helper(client, h) for h in helpers]
        if helpers and not any(found):
            client.lagging_reads.append(
                f"the canary tag of {flow.name!r} outlived its canary (tags lag writes)"
            )
            tags = {k: v for k, v in tags.items() if k != STATE_TAG}
    return live, tags


def _helper(client: ConnectClient, flow_id: str) -> RemoteFlow | None:
    try:
        return client.describe("flow", flow_id)
    except NotFoundError:
        return None


def canary_status(client: ConnectClient, name: str) -> CanaryStatus:
    """The canary on flow ``name``, read from Connect; ``state`` None when none runs."""
    entry, tags = _fresh(client, find_entry(client, name))
    state = state_from_tags(tags)
    content = json.loads(entry.content) if entry.content else None
    live = wrapper_percent(content)
    if state is None:
        orphan = ("content is a canary wrapper but no canary tag",) if live is not None else ()
        return CanaryStatus(client.env.name, entry.name, entry.id, None, live, problems=orphan)
    stable = _helper(client, state.stable_id)
    candidate = _helper(client, state.candidate_id)
    problems: list[str] = []
    if live is None:
        problems.append("canary tag present but the content is not a wrapper (interrupted start?)")
    elif live != state.percent:
        problems.append(f"tag says {state.percent}% but the wrapper sends {live}%")
    if stable is None:
        problems.append(f"stable helper {state.stable_id} is missing")
    if candidate is None:
        problems.append(f"candidate helper {state.candidate_id} is missing")
    targets = variant_targets(content)
    for role, helper in (("stable", stable), ("candidate", candidate)):
        if (
            helper is not None
            and live is not None
            and targets.get(role) not in (helper.arn, helper.id)
        ):
            problems.append(f"the wrapper's {role} transfer does not point at {helper.name!r}")
    return CanaryStatus(
        client.env.name, entry.name, entry.id, state, live, stable, candidate, tuple(problems)
    )


def running_canaries(client: ConnectClient) -> list[RemoteFlow]:
    """Flows of the environment carrying a canary tag: one Search filtered on the tag
    (the catalog's listing where Search is unavailable, or already listed)."""
    tagged = None if client.catalog_loaded else client.flows_tagged(STATE_TAG)
    if tagged is None:
        tagged = [f for f in client.catalog().flows.values() if f.kind == "flow"]
    return sorted((f for f in tagged if STATE_TAG in f.tags), key=lambda f: f.name)


def pick_flow(client: ConnectClient, name: str | None) -> str:
    """``name``, or the one flow running a canary here when no name is given."""
    if name:
        return name
    running = running_canaries(client)
    if len(running) == 1:
        return running[0].name
    if not running:
        raise BadInputError(f"no canary is running in {client.env.name!r}")
    names = ", ".join(repr(f.name) for f in running)
    raise BadInputError(f"canaries run on several flows ({names}); choose one with --flow")


# --- writing ----------------------------------------------------------------------------


def publish(client: ConnectClient, flow: RemoteFlow, content: str, description: str) -> int:
    """Write and publish ``content``, create a version, move the entry alias to it.

    The same three calls apply makes per flow (content, version, alias); kept here as
    one small function because canary steps are single-flow writes without a plan.
    """
    return publish_with_alias(client, flow, content, description)[0]


def publish_with_alias(
    client: ConnectClient,
    flow: RemoteFlow,
    content: str,
    description: str,
    known: KnownAlias | None = None,
) -> tuple[int, str | None]:
    """``publish``, returning the new version and the entry alias id (None without aliases).

    The alias is created on first use, as apply does; ``known`` (from the release
    records) saves the alias listing.
    """
    client.update_content("flow", flow.id, content)
    version = client.create_version("flow", flow.id, description)
    alias_id = None
    if client.env.use_aliases:
        alias_id, _ = move_entry_alias(client, "flow", flow.id, version, known)
    return version, alias_id


def _wrapper_text(
    entry: RemoteFlow, stable: RemoteFlow, candidate: RemoteFlow, state: CanaryState
) -> str:
    spec = WrapperSpec(
        entry_name=entry.name,
        stable_flow=stable.arn,
        candidate_flow=candidate.arn,
        percent=state.percent,
        ref=state.ref,
    )
    return json.dumps(wrapper_content(spec), ensure_ascii=False)


def _create_helper(client: ConnectClient, entry: RemoteFlow, role: str, content: str) -> RemoteFlow:
    """Create (or, left over from an interrupted start, reuse) one helper flow."""
    name = helper_name(entry.name, role)
    tags = {ROLE_TAG: role, OF_TAG: entry.id}
    description = f"flowops canary {role} variant of {entry.name}; removed by promote/abort"
    try:
        return client.create(
            "flow", name, content, type=entry.type, description=description, tags=tags
        )
    except DuplicateError:
        client.refresh_flows()
        existing = client.catalog().flow("flow", name)
        if existing is None or client.list_tags(existing.arn).get(OF_TAG) != entry.id:
            raise BadInputError(
                f"a flow named {name!r} exists and is not a canary helper of {entry.name!r}; "
                "rename or delete it"
            ) from None
        client.update_content("flow", existing.id, content)
        return existing


def _candidate_content(client: ConnectClient, candidate: FlowDocument) -> str:
    resolved, missing = resolve(candidate.flow.raw, client.catalog(), client.env.overrides)
    if missing:
        key = symbol("flow", candidate.info.name)
        raise UnresolvedReferencesError(client.env.name, [(key, m) for m in missing])
    return json.dumps(resolved, ensure_ascii=False)


def _require_state(client: ConnectClient, name: str) -> tuple[RemoteFlow, CanaryState]:
    entry, tags = _fresh(client, find_entry(client, name))
    state = state_from_tags(tags)
    if state is None:
        raise BadInputError(
            f"no canary is running on flow {entry.name!r} in {client.env.name!r} "
            "(start one with `flowops canary start`)"
        )
    return entry, state


@dataclass(frozen=True)
class _Written:
    """What one canary write did to the entry flow."""

    version: int  # the version it published
    alias_id: str | None  # the entry alias moved to it (use_aliases)
    sha256: str  # of the content now live
    before: int | None = None  # the restore point, when the write took one


def _recorded(
    client: ConnectClient,
    tx: Transaction,
    entry: RemoteFlow,
    kind: ReleaseKind,
    message: str,
    write: Callable[[], _Written],
    *,
    before: int | None = None,
    commit: str | None = None,
    leftovers: Sequence[str] = (),
) -> tuple[ReleaseRecord, _Written]:
    """Run ``write`` (a content change of the entry flow) as release ``tx.release_id``:
    the ``running`` record first, the final one after; on failure or cancellation the
    record says where the flow really is (read back from Connect) and the error goes on.
    ``before`` defaults to the version the newest record left the flow at (a ramp's or an
    abort's: the wrapper version the start or the last ramp published). A signal before
    the write stops it (:class:`CanaryCancelledError`: one line saying where the flow is;
    ``leftovers``: what a cancelled write could not remove); once begun, the write ends."""
    if before is None:
        assert tx.ledger is not None
        before = _last_version(tx.ledger.records, entry.id)
    planned = FlowRelease(
        key=symbol("flow", entry.name),
        kind="flow",
        name=entry.name,
        id=entry.id,
        action="update",
        version_before=before,
        outcome="planned",
        sha_before=entry.sha256,
    )
    base = tx.new_record(kind, message, flows=(planned,), commit=commit, ref=commit)
    done: list[FlowRelease] = []  # where the flow is once the write ran or failed
    wrote: list[_Written] = []

    def steps() -> None:
        tx.checkpoint()
        written = write()
        wrote.append(written)
        done.append(
            replace(
                planned,
                version_before=written.before if written.before is not None else before,
                version_after=written.version,
                outcome="released",
                alias_id=written.alias_id,
                sha256=written.sha256,
                # only a running record's mark: in a final record a content hash before
                # means a restore point kept in Connect (rollback's "from-saved")
                sha_before=None,
            )
        )

    def read_back(exc: Exception) -> None:
        # The version before is not a restore point this release made: read back without.
        where = repair_flow(client, replace(planned, version_before=None), tx.release_id)
        done.append(replace(where, version_before=planned.version_before))

    def record(status: ReleaseStatus) -> ReleaseRecord:
        flows = tuple(done[-1:]) or (planned,)
        return replace(base, status=status, flows=flows, when=tx.now())

    try:
        return tx.run(record, steps, on_failure=read_back), wrote[0]
    except CancelledError as exc:
        where = done[-1] if done else replace(planned, outcome="failed")
        raise CanaryCancelledError(exc.signum, tx, kind, where, leftovers) from None


class CanaryCancelledError(CancelledError):
    """A canary command stopped by SIGINT / SIGTERM; one line says where the entry flow
    is, what was left, that it is recorded as cancelled, and (added when the transaction
    ends) whether the lock was given back; ``kind`` and ``flow`` say it as data."""

    def __init__(
        self,
        signum: int,
        tx: Transaction,
        kind: ReleaseKind,
        flow: FlowRelease,
        leftovers: Sequence[str] = (),
    ) -> None:
        self.kind, self.flow = kind, flow
        what = kind.replace("-", " ")
        if flow.outcome in ("untouched", "restored"):
            where = f"{flow.name} is at its content from before the {what}"
            if kind == "canary-start":
                where += (
                    f"; not removed: {'; '.join(leftovers)} (`flowops canary abort` clears it)"
                    if leftovers
                    else "; no helper flow of it is left"
                )
        elif flow.outcome in ("released", "partial"):
            where = f"{flow.name} is at the {what}'s new content (its write had begun)"
        else:
            where = f"{flow.name} is in an unknown state: check `flowops canary status`"
        recorded = (
            f"recorded as cancelled (release {tx.release_id})"
            if tx.recorded
            else "not recorded yet (the next run records it from the flow)"
        )
        super().__init__(
            signum, f"{what} of {flow.name} cancelled by {signal_name(signum)}: {where}; {recorded}"
        )
        self.record, self.recorded = tx.final, tx.recorded


def _last_version(records: Sequence[ReleaseRecord], flow_id: str) -> int | None:
    """The version the newest record that released ``flow_id`` moved it to."""
    for record in reversed(records):
        for flow in record.flows:
            if flow.id == flow_id and flow.outcome == "released" and flow.version_after:
                return flow.version_after
    return None


def _gated(note: str, gate: Callable[[], str] | None) -> str:
    """``note`` plus what ``gate`` says (run now: under the caller's lock)."""
    return "; ".join(n for n in (note, gate() if gate is not None else "") if n.strip())


def _with_note(message: str, note: str) -> str:
    return f"{message}; {note}" if note.strip() else message


def _publish(
    client: ConnectClient, tx: Transaction, entry: RemoteFlow, content: str, description: str
) -> _Written:
    """``publish_with_alias`` of ``content``, the alias known from the ledger read under
    the lock."""
    assert tx.ledger is not None
    known = known_aliases(tx.ledger.records).get(entry.id)
    version, alias_id = publish_with_alias(client, entry, content, description, known)
    return _Written(version, alias_id, content_sha256(content))


def start_canary(
    client: ConnectClient,
    name: str,
    candidate: FlowDocument,
    percent: int,
    *,
    ref: str = "",
    on_signal: Callable[[int], None] | None = None,
) -> CanaryResult:
    """Start a canary of ``candidate`` (the new content of flow ``name``) at ``percent``.

    One release transaction, recorded as ``canary-start``. Order matters for recovery:
    the restore-point version and the state tag are written before the wrapper, so
    ``canary abort`` can undo a start interrupted at any point.
    """
    check_percent(percent)
    _startable(client, name, candidate, ref)  # refused before even the lock is taken
    with transaction(client, on_signal=on_signal) as tx:
        return _start(client, tx, name, candidate, percent, ref)


def _startable(
    client: ConnectClient, name: str, candidate: FlowDocument, ref: str
) -> tuple[RemoteFlow, str]:
    """The entry flow (read fresh) and the candidate's content; bad input if no canary
    can start on it."""
    entry, tags = _fresh(client, find_entry(client, name))
    if entry.type not in SUPPORTED_TYPES:
        raise BadInputError(
            f"flow {entry.name!r} is of type {entry.type}: a canary can only wrap an "
            f"inbound contact flow ({', '.join(sorted(SUPPORTED_TYPES))})"
        )
    if not client.env.manages(entry.name, entry.type):
        raise BadInputError(
            f"flow {entry.name!r} is not managed by flowops in {client.env.name!r} "
            f"(see managed: in {client.env.source})"
        )
    running = state_from_tags(tags)
    if running is not None:
        raise BadInputError(
            f"a canary is already running on {entry.name!r} ({running.percent}% to "
            f"{running.ref or 'candidate'}); ramp, promote or abort it first"
        )
    if not entry.content:
        raise BadInputError(f"flow {entry.name!r} has no published content to keep as stable")
    candidate_text = _candidate_content(client, candidate)
    if live_semantics(entry, client.catalog()) == desired_semantics(candidate, client.env):
        raise BadInputError(
            f"flow {entry.name!r} in {client.env.name!r} already runs the content at "
            f"{ref or 'the given revision'}: nothing to canary; nothing was written"
        )
    return entry, candidate_text


def _start(
    client: ConnectClient,
    tx: Transaction,
    name: str,
    candidate: FlowDocument,
    percent: int,
    ref: str,
) -> CanaryResult:
    entry, candidate_text = _startable(client, name, candidate, ref)  # again, under the lock
    assert entry.content is not None
    helpers: dict[str, int] = {}
    started: list[CanaryState] = []
    leftovers: list[str] = []  # what a failed or cancelled start could not remove

    def write() -> _Written:
        assert entry.content is not None
        restore = client.create_version(
            "flow",
            entry.id,
            f"flowops:canary-restore-point before canary of {tag_safe(ref) or 'candidate'}",
        )
        stable = _create_helper(client, entry, "stable", entry.content)
        cand: RemoteFlow | None = None
        try:
            tx.checkpoint()
            cand = _create_helper(client, entry, "candidate", candidate_text)
            state = CanaryState(stable.id, cand.id, percent, restore, now_stamp(), tag_safe(ref))
            client.tag(entry.arn, {STATE_TAG: encode_state(state)})
        except FlowopsError:  # e.g. Connect refused the candidate's content, or the tag
            for helper in (stable, cand):
                if helper is not None:  # no helper is left without a canary
                    problem = _delete_quietly(client, helper.id)
                    leftovers.extend([f"helper {helper.name} ({problem})"] if problem else [])
            if cand is not None:
                try:
                    client.untag(entry.arn, [STATE_TAG])  # a tag applied, its answer lost
                except FlowopsError as exc:  # it names deleted helpers: abort clears it
                    leftovers.append(f"the state tag, if it was applied ({exc})")
            client.refresh_flows()
            raise
        try:
            tx.checkpoint()
            written = _publish(
                client,
                tx,
                entry,
                _wrapper_text(entry, stable, cand, state),
                f"flowops:canary start {percent}% to {state.ref or 'candidate'}",
            )
        except FlowopsError:
            try:
                _put_back(client, tx, entry, state)
                leftovers.extend(_cleanup(client, entry, state))
            except FlowopsError as exc:  # the state tag stays: abort can finish the job
                leftovers.append(f"the canary's state tag and helpers ({exc})")
            raise
        helpers.update({stable.name: 1, cand.name: 1})
        started.append(state)
        return replace(written, before=restore)

    message = f"canary start of {entry.name}: {percent}% to {tag_safe(ref) or 'the candidate'}"
    record, written = _recorded(
        client,
        tx,
        entry,
        "canary-start",
        message,
        write,
        commit=tag_safe(ref) or None,
        leftovers=leftovers,
    )
    client.refresh_flows()
    return CanaryResult(
        "start",
        client.env.name,
        entry.name,
        entry.id,
        percent,
        started[0],
        {entry.name: written.version, **helpers},
        release_id=record.id,
        notes=(*tx.repaired, *tx.warnings),
    )


def ramp_canary(
    client: ConnectClient,
    name: str,
    percent: int,
    *,
    on_signal: Callable[[int], None] | None = None,
    note: str = "",
    gate: Callable[[], str] | None = None,
) -> CanaryResult:
    """Send ``percent`` of contacts to the candidate instead of the current share.

    One release transaction, recorded as ``canary-ramp``; ``note`` (a criteria
    override's reason) goes into the record's message. ``gate`` runs under the lock
    before any write (the success criteria: it raises to refuse) and its answer is added
    to the note: the verdict is about the canary as it is when the ramp writes.
    """
    check_percent(percent)
    with transaction(client, on_signal=on_signal) as tx:
        return _ramp(client, tx, name, percent, _gated(note, gate))


def _ramp(
    client: ConnectClient, tx: Transaction, name: str, percent: int, note: str
) -> CanaryResult:
    entry, state = _require_state(client, name)
    stable = _helper(client, state.stable_id)
    cand = _helper(client, state.candidate_id)
    if stable is None or cand is None:
        raise CheckFailedError(
            f"canary on {entry.name!r} lost a helper flow; abort it (`flowops canary abort`)"
        )
    new_state = state.with_percent(percent)

    def write() -> _Written:
        assert stable is not None and cand is not None
        written = _publish(
            client,
            tx,
            entry,
            _wrapper_text(entry, stable, cand, new_state),
            f"flowops:canary ramp {state.percent}% -> {percent}%",
        )
        client.tag(entry.arn, {STATE_TAG: encode_state(new_state)})
        return written

    message = f"canary ramp of {entry.name}: {state.percent}% -> {percent}%"
    record, written = _recorded(
        client,
        tx,
        entry,
        "canary-ramp",
        _with_note(message, note),
        write,
        commit=state.ref or None,
    )
    return CanaryResult(
        "ramp",
        client.env.name,
        entry.name,
        entry.id,
        percent,
        new_state,
        {entry.name: written.version},
        release_id=record.id,
        notes=(*tx.repaired, *tx.warnings),
    )


def _delete_quietly(client: ConnectClient, flow_id: str) -> str | None:
    """Delete a helper flow; returns why not, or None (a missing helper is fine)."""
    try:
        client.delete("flow", flow_id)
    except NotFoundError:
        return None
    except ConnectError as exc:
        return str(exc)
    return None


def _cleanup(client: ConnectClient, entry: RemoteFlow, state: CanaryState) -> list[str]:
    """Untag the entry flow and delete both helpers; returns what could not be done."""
    notes: list[str] = []
    for role, flow_id in (("stable", state.stable_id), ("candidate", state.candidate_id)):
        problem = _delete_quietly(client, flow_id)
        if problem:
            notes.append(f"{role} helper {flow_id} not deleted: {problem}")
    client.untag(entry.arn, [STATE_TAG])
    client.refresh_flows()
    return notes


def abort_canary(
    client: ConnectClient,
    name: str,
    *,
    on_signal: Callable[[int], None] | None = None,
    reason: str = "",
) -> CanaryResult:
    """Put the pre-canary content back (the restore-point version), remove the helpers.

    One release transaction, recorded as ``canary-abort``; ``reason`` (why it was
    aborted, e.g. by ``canary watch``) goes into the record's message.
    """
    with transaction(client, on_signal=on_signal) as tx:
        return _abort(client, tx, name, reason)


def _put_back(
    client: ConnectClient, tx: Transaction, entry: RemoteFlow, state: CanaryState
) -> _Written:
    """Publish the pre-canary content (the restore-point version) on the entry flow."""
    before = client.describe("flow", entry.id, state.restore_version)
    return _publish(
        client,
        tx,
        entry,
        before.content or "",
        f"flowops:canary abort, back to version {state.restore_version}",
    )


def _abort(client: ConnectClient, tx: Transaction, name: str, reason: str = "") -> CanaryResult:
    entry, state = _require_state(client, name)
    message = f"canary abort of {entry.name}: back to version {state.restore_version}"
    record, written = _recorded(
        client,
        tx,
        entry,
        "canary-abort",
        _with_note(message, reason),
        lambda: _put_back(client, tx, entry, state),
        commit=state.ref or None,
    )
    notes = _cleanup(client, entry, state)
    return CanaryResult(
        "abort",
        client.env.name,
        entry.name,
        entry.id,
        0,
        None,
        {entry.name: written.version},
        release_id=record.id,
        notes=(*notes, *tx.repaired, *tx.warnings),
    )


def promote_canary(
    client: ConnectClient,
    name: str,
    *,
    on_signal: Callable[[int], None] | None = None,
    note: str = "",
    gate: Callable[[], str] | None = None,
) -> CanaryResult:
    """Make the candidate the entry flow's content, record a release, remove the helpers.

    One release transaction (``canary-promote``); the release's "before" version is the
    pre-canary restore point, so ``flowops rollback`` after a promote restores the stable
    content. ``note`` is added to the release's message (a criteria override's reason);
    ``gate`` runs under the lock before any write, as in :func:`ramp_canary`.
    """
    with transaction(client, on_signal=on_signal) as tx:
        note = _gated(note, gate)
        entry, state = _require_state(client, name)
        cand = _helper(client, state.candidate_id)
        if cand is None or not cand.content:
            raise CheckFailedError(
                f"canary on {entry.name!r}: candidate helper {state.candidate_id} is missing; "
                "abort the canary instead"
            )
        commit = state.ref or None
        content = cand.content
        description = (
            f"{release_description(tx.release_id, commit, client.env.name)} canary promote"
        )
        message = f"canary promote of {entry.name} ({state.ref or 'candidate'})"
        record, written = _recorded(
            client,
            tx,
            entry,
            "canary-promote",
            _with_note(message, note),
            lambda: _publish(client, tx, entry, content, description),
            before=state.restore_version,
            commit=commit,
        )
        notes = _cleanup(client, entry, state)
    return CanaryResult(
        "promote",
        client.env.name,
        entry.name,
        entry.id,
        100,
        None,
        {entry.name: written.version},
        release_id=record.id,
        notes=(*notes, *tx.repaired, *tx.warnings),
    )


__all__ = [
    "ENTRY_ALIAS",
    "CanaryResult",
    "CanaryStatus",
    "abort_canary",
    "canary_status",
    "find_entry",
    "promote_canary",
    "publish",
    "publish_with_alias",
    "pick_flow",
    "ramp_canary",
    "running_canaries",
    "start_canary",
]
