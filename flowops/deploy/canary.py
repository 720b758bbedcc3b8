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
from flowops.connect.errors import NotFoundError
from flowops.deploy.aliases import ENTRY_ALIAS, known_aliases
from flowops.deploy.canary_state import (
    OF_TAG,
    ROLE_TAG,
    STATE_TAG,
    CanaryState,
    decode_state,
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
from flowops.deploy.executor import Executor, ReleaseMeta
from flowops.deploy.plan import (
    Given,
    Plan,
    RunView,
    Step,
    UnresolvedReferencesError,
    desired_semantics,
    live_semantics,
)
from flowops.deploy.recording import RecordingClient
from flowops.deploy.releases import (
    FlowRelease,
    ReleaseKind,
    ReleaseRecord,
    ReleaseStatus,
    read_restore_points,
    release_description,
)
from flowops.deploy.transaction import CancelledError, Transaction, signal_name, transaction
from flowops.errors import BadInputError, CheckFailedError
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
    #: a dry run's (operation, flow) write calls, from the executor (nothing written)
    planned_calls: tuple[tuple[str, str], ...] = ()

    @property
    def dry_run(self) -> bool:
        return self.release_id is None


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
#
# Every canary command is a plan of given steps (``flowops.deploy.plan.Given``) run by the
# one executor (``flowops.deploy.executor``) with failure policy ``restore``: on a failure
# or a signal, what is live is read back and what the command changed is put back (the
# entry flow's content, its alias, the tags it set; helper flows it created are deleted).


def _helper_flow(entry: RemoteFlow, role: str, flow_id: str = "") -> RemoteFlow:
    """A helper flow of ``entry`` as a step names it (its id once it exists)."""
    return RemoteFlow("flow", flow_id, "", helper_name(entry.name, role), entry.type)


def _helper_step(entry: RemoteFlow, role: str, content: str) -> Step:
    """Create (or, left over from an interrupted start, adopt) one helper flow."""
    given = Given(
        content=content,
        description=f"flowops canary {role} variant of {entry.name}; removed by promote/abort",
        tags={ROLE_TAG: role, OF_TAG: entry.id},
        adopt=True,
    )
    return Step.given_for(_helper_flow(entry, role), "create", given)


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


def _run(
    client: ConnectClient,
    tx: Transaction | None,
    steps: Sequence[Step],
    kind: ReleaseKind,
    message: str,
    commit: str | None,
) -> tuple[ReleaseRecord | None, Executor]:
    """Run ``steps`` with the one executor as release ``tx.release_id`` (recorded as
    ``kind``: the entry flow, from the ``running`` record to the final one), failure
    policy ``restore``. Without ``tx``: a dry run (``client`` records, nothing is written)."""
    plan = Plan.given(client.env, steps, "restore")
    records = tx.ledger.records if tx is not None and tx.ledger is not None else []
    run = Executor(
        plan,
        client,
        tx.release_id if tx else 0,
        ReleaseMeta(commit, commit),
        None,
        known_aliases(records),
    )
    if tx is None:
        run.run(None, lambda: None)
        return None, run

    def record(status: ReleaseStatus) -> ReleaseRecord:
        flows = run.flows(status, untouched=True)
        return tx.new_record(kind, message, flows=flows, commit=commit, ref=commit, status=status)

    def undo(exc: Exception) -> None:  # cancelled by a signal too
        run.read_back()
        run.restore()
        client.refresh_flows()

    try:
        return tx.run(record, lambda: run.run(None, tx.checkpoint), on_failure=undo), run
    except CancelledError as exc:
        raise CanaryCancelledError(exc.signum, tx, kind, run) from None


class CanaryCancelledError(CancelledError):
    """A canary command stopped by SIGINT / SIGTERM at a step boundary (what it wrote is
    put back by its failure policy); one line says where the entry flow is, what was
    left, that it is recorded as cancelled, and (added when the transaction ends) whether
    the lock was given back; ``kind`` and ``flow`` (as recorded) say it as data."""

    def __init__(self, signum: int, tx: Transaction, kind: ReleaseKind, run: Executor) -> None:
        recorded = tx.final.flows if tx.final is not None else ()
        entry = next(iter(recorded), None)
        if entry is None:  # not recorded: the entry flow as the plan has it, state unknown
            step = next(s.step for s in run.states if s.step.recorded)
            entry = FlowRelease(
                step.key,
                step.kind,
                step.name,
                step.live.id if step.live else "",
                "update",
                outcome="failed",
            )
        self.kind, self.flow = kind, entry
        what = kind.replace("-", " ")
        left = [
            s.step.name for s in run.states if s.created is not None and s.restored != "deleted"
        ]
        if entry.outcome in ("untouched", "restored"):
            where = f"{entry.name} is at its content from before the {what}"
            if kind == "canary-start":
                where += (
                    f"; not removed: {', '.join(left)} (`flowops canary abort` clears them)"
                    if left
                    else "; no helper flow of it is left"
                )
        elif entry.outcome in ("released", "partial"):
            where = f"{entry.name} is at the {what}'s new content (its write had begun)"
        else:
            where = f"{entry.name} is in an unknown state: check `flowops canary status`"
        said = (
            f"recorded as cancelled (release {tx.release_id})"
            if tx.recorded
            else "not recorded yet (the next run records it from the flow)"
        )
        super().__init__(
            signum, f"{what} of {entry.name} cancelled by {signal_name(signum)}: {where}; {said}"
        )
        self.record, self.recorded = tx.final, tx.recorded


def _published(run: Executor) -> dict[str, int]:
    """Entry flow name -> the version the run published on it (none: versionless)."""
    return {
        s.step.name: s.version_after
        for s in run.states
        if s.step.recorded and s.version_after is not None
    }


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


def _candidate_content(client: ConnectClient, candidate: FlowDocument) -> str:
    resolved, missing = resolve(candidate.flow.raw, client.catalog(), client.env.overrides)
    if missing:
        key = symbol("flow", candidate.info.name)
        raise UnresolvedReferencesError(client.env.name, [(key, m) for m in missing])
    return json.dumps(resolved, ensure_ascii=False)


def _require_state(client: ConnectClient, name: str) -> tuple[RemoteFlow, CanaryState]:
    """The entry flow (read fresh, with its tags) and its running canary."""
    entry, tags = _fresh(client, find_entry(client, name))
    entry = replace(entry, tags=tags)
    state = state_from_tags(tags)
    if state is None:
        raise BadInputError(
            f"no canary is running on flow {entry.name!r} in {client.env.name!r} "
            "(start one with `flowops canary start`)"
        )
    return entry, state


def start_canary(
    client: ConnectClient,
    name: str,
    candidate: FlowDocument,
    percent: int,
    *,
    ref: str = "",
    on_signal: Callable[[int], None] | None = None,
    dry_run: bool = False,
) -> CanaryResult:
    """Start a canary of ``candidate`` (the new content of flow ``name``) at ``percent``.

    One release transaction, recorded as ``canary-start``. Order matters for recovery:
    the restore-point version and the state tag are written before the wrapper, so
    ``canary abort`` can undo a start interrupted at any point.
    """
    check_percent(percent)
    _startable(client, name, candidate, ref)  # refused before even the lock is taken
    if dry_run:
        return _dry(client, lambda rec: _start(rec, None, name, candidate, percent, ref))
    with transaction(client, on_signal=on_signal) as tx:
        return _start(client, tx, name, candidate, percent, ref)


def _startable(
    client: ConnectClient, name: str, candidate: FlowDocument, ref: str
) -> tuple[RemoteFlow, str]:
    """The entry flow (read fresh) and the candidate's content; bad input if no canary
    can start on it."""
    entry, tags = _fresh(client, find_entry(client, name))
    entry = replace(entry, tags=tags)
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
    tx: Transaction | None,
    name: str,
    candidate: FlowDocument,
    percent: int,
    ref: str,
) -> CanaryResult:
    entry, candidate_text = _startable(client, name, candidate, ref)  # again, under the lock
    assert entry.content is not None
    steps = _start_steps(entry, candidate_text, percent, tag_safe(ref))
    message = f"canary start of {entry.name}: {percent}% to {tag_safe(ref) or 'the candidate'}"
    record, run = _run(client, tx, steps, "canary-start", message, tag_safe(ref) or None)
    client.refresh_flows()
    tagged = run.states[3].given.tags[STATE_TAG]
    helpers = {s.step.name: 1 for s in run.states if s.step.action == "create"}
    return CanaryResult(
        "start",
        client.env.name,
        entry.name,
        entry.id,
        percent,
        decode_state(tagged),
        {**_published(run), **helpers},
        release_id=record.id if record else None,
        notes=(*tx.repaired, *tx.warnings) if tx else (),
    )


def _start_steps(entry: RemoteFlow, candidate: str, percent: int, ref: str) -> list[Step]:
    """Canary start's steps. Order matters for recovery: the restore point (a version,
    or where Connect refuses versions the content kept in Connect) and the state tag are
    written before the wrapper, so ``canary abort`` can undo a start interrupted at any
    point; if the tag is refused, the helpers are deleted (the executor's restore), so no
    helper is left without a canary."""
    assert entry.content is not None
    stable, cand = _helper_flow(entry, "stable").key, _helper_flow(entry, "candidate").key

    def state(view: RunView) -> CanaryState:
        version, kept = view.restore_point(entry.key)
        made = view.flow(stable), view.flow(cand)
        assert made[0] is not None and made[1] is not None
        if version is None and kept is None:
            raise CheckFailedError(
                f"no restore point of {entry.name!r} could be kept (no version, and its "
                "content is too big to keep in Connect): nothing to abort to; not started"
            )
        return CanaryState(
            made[0].id, made[1].id, percent, version or 0, now_stamp(), ref, (kept or "")[:16]
        )

    def tag(view: RunView) -> Given:
        return Given(tags={STATE_TAG: encode_state(state(view))})

    def wrapper(view: RunView) -> Given:
        made, helpers = state(view), (view.flow(stable), view.flow(cand))
        assert helpers[0] is not None and helpers[1] is not None
        return Given(
            content=_wrapper_text(entry, helpers[0], helpers[1], made),
            version=f"flowops:canary start {percent}% to {ref or 'candidate'}",
            alias=True,
        )

    restore = f"flowops:canary-restore-point before canary of {ref or 'candidate'}"
    return [
        Step.given_for(entry, "version", Given(version=restore)),
        _helper_step(entry, "stable", entry.content),
        _helper_step(entry, "candidate", candidate),
        Step.given_for(entry, "tag", tag),
        Step.given_for(entry, "update", wrapper, recorded=True),
    ]


def ramp_canary(
    client: ConnectClient,
    name: str,
    percent: int,
    *,
    on_signal: Callable[[int], None] | None = None,
    note: str = "",
    gate: Callable[[], str] | None = None,
    dry_run: bool = False,
) -> CanaryResult:
    """Send ``percent`` of contacts to the candidate instead of the current share.

    One release transaction, recorded as ``canary-ramp``; ``note`` (a criteria
    override's reason) goes into the record's message. ``gate`` runs under the lock
    before any write (the success criteria: it raises to refuse) and its answer is added
    to the note: the verdict is about the canary as it is when the ramp writes.
    """
    check_percent(percent)
    if dry_run:
        return _dry(client, lambda rec: _ramp(rec, None, name, percent, _gated(note, gate)))
    with transaction(client, on_signal=on_signal) as tx:
        return _ramp(client, tx, name, percent, _gated(note, gate))


def _dry(client: ConnectClient, command: Callable[[ConnectClient], CanaryResult]) -> CanaryResult:
    """A canary command's dry run: its plan run by the one executor with a recording
    client (reads go to Connect; the write calls are listed, not sent; no lock, no
    record). Where Connect refuses versions, the real run keeps content instead."""
    recording = RecordingClient.recording(client, {})
    return replace(command(recording), planned_calls=tuple(recording.recorded))


def _ramp(
    client: ConnectClient, tx: Transaction | None, name: str, percent: int, note: str
) -> CanaryResult:
    entry, state = _require_state(client, name)
    stable = _helper(client, state.stable_id)
    cand = _helper(client, state.candidate_id)
    if stable is None or cand is None:
        raise CheckFailedError(
            f"canary on {entry.name!r} lost a helper flow; abort it (`flowops canary abort`)"
        )
    new_state = state.with_percent(percent)
    given = Given(
        content=_wrapper_text(entry, stable, cand, new_state),
        version=f"flowops:canary ramp {state.percent}% -> {percent}%",
        alias=True,
        tags={STATE_TAG: encode_state(new_state)},
        restore_version=_before(tx, entry),
    )
    message = f"canary ramp of {entry.name}: {state.percent}% -> {percent}%"
    steps = [Step.given_for(entry, "update", given, recorded=True)]
    record, run = _run(
        client, tx, steps, "canary-ramp", _with_note(message, note), state.ref or None
    )
    return _result("ramp", client, tx, entry, percent, new_state, run, record)


def _before(tx: Transaction | None, entry: RemoteFlow) -> int | None:
    """The version the newest record left the entry flow at (the wrapper version the
    start or the last ramp published): a ramp's or an abort's version before."""
    return _last_version(tx.ledger.records, entry.id) if tx and tx.ledger else None


def _result(
    action: CanaryAction,
    client: ConnectClient,
    tx: Transaction | None,
    entry: RemoteFlow,
    percent: int,
    state: CanaryState | None,
    run: Executor,
    record: ReleaseRecord | None,
    notes: Sequence[str] = (),
) -> CanaryResult:
    return CanaryResult(
        action,
        client.env.name,
        entry.name,
        entry.id,
        percent,
        state,
        _published(run),
        release_id=record.id if record else None,
        notes=(*notes, *tx.repaired, *tx.warnings) if tx else tuple(notes),
    )


def _cleanup(
    client: ConnectClient, entry: RemoteFlow, state: CanaryState, dry: bool = False
) -> list[str]:
    """Delete both helpers and untag the entry flow, after the release is recorded (the
    one executor, policy ``continue``: each is tried); returns what could not be done."""
    steps = [
        Step.given_for(_helper_flow(entry, role, flow_id), "delete", Given())
        for role, flow_id in (("stable", state.stable_id), ("candidate", state.candidate_id))
    ]
    steps.append(Step.given_for(entry, "tag", Given(untag=(STATE_TAG,))))
    run = Executor(Plan.given(client.env, steps, "continue"), client, 0, ReleaseMeta())
    run.run(None, lambda: None)
    if not dry:
        client.refresh_flows()
    return [f"{s.step.name} not cleaned up: {s.error}" for s in run.states if s.error]


def abort_canary(
    client: ConnectClient,
    name: str,
    *,
    on_signal: Callable[[int], None] | None = None,
    reason: str = "",
    dry_run: bool = False,
) -> CanaryResult:
    """Put the pre-canary content back (the restore point), remove the helpers.

    One release transaction, recorded as ``canary-abort``; ``reason`` (why it was
    aborted, e.g. by ``canary watch``) goes into the record's message.
    """
    if dry_run:
        return _dry(client, lambda rec: _abort(rec, None, name, reason))
    with transaction(client, on_signal=on_signal) as tx:
        return _abort(client, tx, name, reason)


def _stable_content(client: ConnectClient, entry: RemoteFlow, state: CanaryState) -> str:
    """The pre-canary content: the restore-point version, or (versionless mode) the
    content kept in Connect."""
    if state.restore_version:
        return client.describe("flow", entry.id, state.restore_version).content or ""
    kept = _kept_sha(client, entry, state)
    return read_restore_points(client)[kept]


def _kept_sha(client: ConnectClient, entry: RemoteFlow, state: CanaryState) -> str:
    """The full SHA-256 of the pre-canary content kept in Connect (versionless mode)."""
    found = [
        k
        for k in read_restore_points(client)
        if state.restore_sha and k.startswith(state.restore_sha)
    ]
    if not found:
        raise CheckFailedError(
            f"canary on {entry.name!r}: its restore point ({state.restore_sha or 'none'}) is "
            "no longer kept in Connect; put the stable content back with `flowops promote`"
        )
    return found[0]


def _abort(
    client: ConnectClient, tx: Transaction | None, name: str, reason: str = ""
) -> CanaryResult:
    entry, state = _require_state(client, name)
    back = f"version {state.restore_version}" if state.restore_version else "the kept content"
    message = f"canary abort of {entry.name}: back to {back}"

    def stable(view: RunView) -> Given:
        return Given(
            content=_stable_content(view.client, entry, state),
            version=f"flowops:canary abort, back to {back}",
            alias=True,
            restore_version=_before(tx, entry),
        )

    steps = [Step.given_for(entry, "update", stable, recorded=True)]
    record, run = _run(
        client, tx, steps, "canary-abort", _with_note(message, reason), state.ref or None
    )
    notes = _cleanup(client, entry, state, dry=tx is None)
    return _result("abort", client, tx, entry, 0, None, run, record, notes)


def promote_canary(
    client: ConnectClient,
    name: str,
    *,
    on_signal: Callable[[int], None] | None = None,
    note: str = "",
    gate: Callable[[], str] | None = None,
    dry_run: bool = False,
) -> CanaryResult:
    """Make the candidate the entry flow's content, record a release, remove the helpers.

    One release transaction (``canary-promote``); the release's "before" is the
    pre-canary restore point (its version, or in versionless mode the content kept in
    Connect), so ``flowops rollback`` after a promote restores the stable content.
    ``note`` is added to the release's message (a criteria override's reason); ``gate``
    runs under the lock before any write, as in :func:`ramp_canary`.
    """
    if dry_run:
        return _dry(client, lambda rec: _promote(rec, None, name, _gated(note, gate)))
    with transaction(client, on_signal=on_signal) as tx:
        return _promote(client, tx, name, _gated(note, gate))


def _promote(client: ConnectClient, tx: Transaction | None, name: str, note: str) -> CanaryResult:
    entry, state = _require_state(client, name)
    cand = _helper(client, state.candidate_id)
    if cand is None or not cand.content:
        raise CheckFailedError(
            f"canary on {entry.name!r}: candidate helper {state.candidate_id} is missing; "
            "abort the canary instead"
        )
    commit = state.ref or None
    release_id = tx.release_id if tx else 0
    given = Given(
        content=cand.content,
        version=f"{release_description(release_id, commit, client.env.name)} canary promote",
        alias=True,
        restore_version=state.restore_version or None,
        restore_sha=None if state.restore_version else _kept_sha(client, entry, state),
    )
    message = f"canary promote of {entry.name} ({state.ref or 'candidate'})"
    steps = [Step.given_for(entry, "update", given, recorded=True)]
    record, run = _run(client, tx, steps, "canary-promote", _with_note(message, note), commit)
    notes = _cleanup(client, entry, state, dry=tx is None)
    return _result("promote", client, tx, entry, 100, None, run, record, notes)


__all__ = [
    "ENTRY_ALIAS",
    "CanaryResult",
    "CanaryStatus",
    "abort_canary",
    "canary_status",
    "find_entry",
    "promote_canary",
    "pick_flow",
    "ramp_canary",
    "running_canaries",
    "start_canary",
]
