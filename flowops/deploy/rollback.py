"""``flowops rollback``: put every flow a release changed back, from Connect alone.

Everything comes from the environment: the release records in the ledger module (one
read) and the flows' own published versions. Per flow, one read of the old version, one
content write (which publishes) and one ``CreateContactFlowVersion`` described as a
rollback of the release, all paced by the client under the account's quota. Where the
environment enters flows through aliases (``use_aliases``), the alias is repointed at the
old version instead: one call, no content rewrite. A rollback is itself a release
(recorded in the same ledger with ``kind`` "rollback" and ``reverts`` N; records written
before those fields are recognised by their message, "rollback of release N"), so rolling
back a rollback rolls forward. The entry alias is repointed by the id the release records
keep (``FlowRelease.alias_id``); only older records need one alias listing per flow.

Failures do not stop the run: every flow is tried, and the report says exactly which
flows are where. Where a version cannot be read or created (environments that do not
support flow versions), the content recorded in git for the previous release is used,
when a git repository is at hand, and the report says so.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Literal

from flowops.connect import ConnectClient
from flowops.connect.catalog import FlowKind, RemoteFlow
from flowops.connect.errors import ConnectError, NotFoundError
from flowops.deploy.aliases import ENTRY_ALIAS as ENTRY_ALIAS  # re-exported: older imports
from flowops.deploy.aliases import known_aliases
from flowops.deploy.canary_state import STATE_TAG, state_from_tags
from flowops.deploy.canary_wrapper import wrapper_percent
from flowops.deploy.executor import Executor, ReleaseMeta
from flowops.deploy.plan import (
    Given,
    GivenLater,
    Plan,
    RunView,
    Step,
    StepAction,
    UnresolvedReferencesError,
)
from flowops.deploy.recording import RecordingClient
from flowops.deploy.releases import (
    RESTORE_NAME,
    ROLLBACK_PREFIX,
    FlowRelease,
    FlowState,
    ReleaseRecord,
    ReleaseStatus,
    content_sha256,
    find_ledger,
    keep_restore_points,
    parse_ledger,
    read_restore_points,
    release_description,
)
from flowops.deploy.rollback_plan import RollbackPlan, RollbackStep, plan_rollback
from flowops.deploy.transaction import CancelledError, Transaction, signal_name, transaction
from flowops.errors import BadInputError, CheckFailedError
from flowops.refs import resolve, symbol
from flowops.repo import open_repo, read_tree_at

Result = Literal["restored", "repointed", "archived", "left", "failed", "planned"]
#: How a rollback's result is recorded: a flow put back is at the content of the
#: rollback's release ("released"), as a promote's flows are.
_RECORDED: dict[Result, FlowState] = {
    "restored": "released",
    "repointed": "released",
    "archived": "archived",
    "left": "left",
    "failed": "failed",
    "planned": "planned",
}

#: Release statuses that left the environment changed (a failed-restored one did not).
_UNDONE_STATUSES = frozenset({"failed-restored"})


@dataclass(frozen=True)
class FlowOutcome:
    """What happened to one flow of a rollback."""

    step: RollbackStep
    result: Result
    version: int | None = None  # the version now live (new version, or alias target)
    message: str = ""
    alias_id: str | None = None  # the entry alias repointed (use_aliases)
    sha256: str | None = None  # of the content written back ("restored")


@dataclass(frozen=True)
class RollbackReport:
    """The whole rollback: the plan, one outcome per flow, the new release record."""

    env: str
    plan: RollbackPlan
    outcomes: tuple[FlowOutcome, ...]
    release_id: int | None
    dry_run: bool
    calls: int = 0
    seconds: float = 0.0
    notes: tuple[str, ...] = field(default=())
    #: a dry run's (operation, flow) write calls, from the executor (:func:`dry_run_calls`)
    planned_calls: tuple[tuple[str, str], ...] = ()

    @property
    def failed(self) -> tuple[FlowOutcome, ...]:
        return tuple(o for o in self.outcomes if o.result == "failed")

    @property
    def ok(self) -> bool:
        return not self.failed


def history(records: Sequence[ReleaseRecord]) -> list[ReleaseRecord]:
    """The records of releases that changed the environment, oldest first.

    A release that moved no flow (every flow failed, e.g. a rollback refused by Connect)
    changed nothing: the last release to undo is the one before it. Canary steps (start,
    ramp, abort) are not releases: abort is the undo of a start; nor are unlocks and test
    cases."""
    kept = (r for r in records if r.status not in _UNDONE_STATUSES and r.releases_content)
    return [r for r in kept if r.moved]


def plan_from_ledger(
    client: ConnectClient,
    *,
    flow: str | None = None,
    to_release: str | None = None,
    to_version: int | None = None,
    archive_new: bool = False,
) -> tuple[RollbackPlan, list[ReleaseRecord], RemoteFlow | None]:
    """Read the ledger (found, then read by id) and plan; returns the plan, records and
    ledger."""
    ledger = find_ledger(client)
    records = parse_ledger(ledger.content) if ledger is not None else []
    plan = plan_from_records(
        client,
        records,
        flow=flow,
        to_release=to_release,
        to_version=to_version,
        archive_new=archive_new,
    )
    return plan, records, ledger


def plan_from_records(
    client: ConnectClient,
    records: Sequence[ReleaseRecord],
    *,
    flow: str | None = None,
    to_release: str | None = None,
    to_version: int | None = None,
    archive_new: bool = False,
) -> RollbackPlan:
    """The rollback plan over ``records`` (oldest first)."""
    plan = plan_rollback(
        history(records),
        flow=flow,
        to_release=to_release,
        to_version=to_version,
        archive_new=archive_new,
        use_aliases=client.env.use_aliases,
    )
    if plan.use_aliases:
        aliases = known_aliases(records)
        steps = tuple(
            replace(s, alias_id=aliases[s.flow_id].alias_id) if s.flow_id in aliases else s
            for s in plan.steps
        )
        plan = replace(plan, steps=steps)
    return plan


# --- one flow ---------------------------------------------------------------------------


def _kind(step: RollbackStep) -> FlowKind:
    return "module" if step.kind == "module" else "flow"


def git_content(step: RollbackStep, client: ConnectClient, repo_path: Path | None) -> str:
    """The flow's content at ``step.git_sha``, resolved for this environment."""
    return git_document(step, client, repo_path)[0]


def git_document(
    step: RollbackStep, client: ConnectClient, repo_path: Path | None
) -> tuple[str, bool]:
    """The flow's content at ``step.git_sha``, resolved for this environment, and whether
    git has it published (a flow git keeps ``SAVED`` is restored as saved content)."""
    if step.git_sha is None:
        raise BadInputError(f"{step.key}: no git commit recorded to restore from")
    try:
        repo = open_repo(repo_path or Path.cwd())
    except BadInputError as exc:  # say why git is needed, not only that it is missing
        raise BadInputError(
            f"{step.key}: Connect holds no copy of its content before (no version, no kept "
            f"restore point); that content is in git at {step.git_sha[:12]}, but {exc}"
        ) from None
    tree = read_tree_at(repo, step.git_sha)
    env = client.env
    doc = next(
        (
            d
            for d in tree.values()
            if d.info.kind == step.kind
            and (d.info.name == step.name or env.override(step.kind, d.info.name) == step.name)
        ),
        None,
    )
    if doc is None:
        raise BadInputError(f"{step.key}: not in git at {step.git_sha[:12]}")
    resolved, missing = resolve(doc.flow.raw, client.catalog(with_content=False), env.overrides)
    if missing:
        raise UnresolvedReferencesError(
            env.name, [(symbol(step.kind, step.name), m) for m in missing]
        )
    return json.dumps(resolved, ensure_ascii=False), doc.info.status.upper() != "SAVED"


def saved_content(
    step: RollbackStep, client: ConnectClient, kept: Mapping[str, str], repo_path: Path | None
) -> tuple[str, str]:
    """The content of a ``from-saved`` step (kept in Connect, else git) and where from."""
    if step.content_sha is not None and step.content_sha in kept:
        return kept[step.content_sha], f"content kept in Connect ({RESTORE_NAME})"
    if step.git_sha is None:
        raise BadInputError(
            f"{step.key}: its restore point {step.content_sha} is no longer kept in Connect "
            "and no git commit is recorded"
        )
    content = git_content(step, client, repo_path)
    return content, f"restore point no longer kept in Connect: content from git {step.git_sha[:12]}"


def _content(
    step: RollbackStep, client: ConnectClient, kept: Mapping[str, str], repo_path: Path | None
) -> Given:
    """What a content step writes: the version's content (git when it cannot be read),
    git's, or the content kept in Connect; read when the step runs."""
    notes = [step.note] if step.note else []
    published = True
    if step.action == "from-git":
        content, published = git_document(step, client, repo_path)
        notes += [] if published else ["saved, not published, as in git"]
    elif step.action == "from-saved":
        content, where = saved_content(step, client, kept, repo_path)
        notes = [where]
    else:
        assert step.to_version is not None
        try:
            content = client.describe(_kind(step), step.flow_id, step.to_version).content or ""
        except ConnectError as exc:
            if step.git_sha is None:
                raise
            notes.append(f"version {step.to_version} unreadable ({exc.code}): content from git")
            content = git_content(step, client, repo_path)
    return Given(content=content, note="; ".join(notes), saved=not published)


def executor_plan(
    client: ConnectClient,
    plan: RollbackPlan,
    description: str,
    *,
    repo_path: Path | None = None,
    kept: Mapping[str, str] | None = None,
) -> Plan:
    """The rollback as a plan for the one executor (``flowops.deploy.executor``), failure
    policy ``continue``: every flow is tried. A content step reads its content (version,
    git, or kept in Connect) when it runs; ``description`` is of the versions it creates.
    ``kept``: the restore points kept as content in Connect (``from-saved`` steps)."""
    steps = []
    for step in plan.steps:
        kind = _kind(step)
        flow = RemoteFlow(kind, step.flow_id, "", step.name, "MODULE" if kind == "module" else "")
        given: Given | GivenLater
        if step.action in ("leave", "archive"):
            given = Given(note=step.note)
        elif step.action == "repoint":
            given = Given(alias_version=step.to_version, alias_id=step.alias_id, note=step.note)
        else:
            given = partial(_later, step, description, kept or {}, repo_path)
        action = _ACTIONS[step.action]
        steps.append(Step.given_for(flow, action, given, recorded=True, key=step.key))
    return Plan.given(client.env, steps, "continue")


#: The executor's action for each rollback step: a content step is an update that
#: writes the content it reads and creates a version described as the rollback.
_ACTIONS: dict[str, StepAction] = {
    "restore": "update",
    "from-git": "update",
    "from-saved": "update",
    "repoint": "repoint",
    "archive": "archive",
    "leave": "leave",
}


def _later(
    step: RollbackStep,
    description: str,
    kept: Mapping[str, str],
    repo_path: Path | None,
    view: RunView,
) -> Given:
    given = _content(step, view.client, kept, repo_path)
    return replace(given, version=None if given.saved else description, version_optional=True)


def _outcomes(run: Executor, plan: RollbackPlan) -> list[FlowOutcome]:
    """One outcome per flow the run reached, in the executor's vocabulary turned into
    rollback's: a failed flow read back at the content it was sent is restored."""
    by_key = {s.key: s for s in plan.steps}
    done = []
    for state in run.states:
        if state.stage == "pending" and state.error is None:
            break  # not reached
        step = by_key[state.step.key]
        notes = "; ".join(state.notes)
        if state.error is not None and state.stage != "content":
            done.append(FlowOutcome(step, "failed", step.from_version, state.error))
        elif step.action == "repoint":
            done.append(
                FlowOutcome(step, "repointed", step.to_version, notes, alias_id=state.alias_id)
            )
        elif step.action in ("archive", "leave"):
            result: Result = "archived" if step.action == "archive" else "left"
            done.append(FlowOutcome(step, result, step.from_version, step.note))
        else:
            if state.error is not None:  # its answer was lost, but the content is live
                notes = "; ".join(
                    n for n in (notes, f"read back after {state.error}: restored") if n
                )
            done.append(
                FlowOutcome(step, "restored", state.version_after, notes, sha256=state.sent)
            )
    return done


# --- the whole rollback -----------------------------------------------------------------


def _record(
    tx: Transaction,
    plan: RollbackPlan,
    outcomes: Sequence[FlowOutcome],
    commit: str | None,
    status: ReleaseStatus,
    kept_before: Mapping[str, str] | None = None,
) -> ReleaseRecord:
    done = {o.step.key: o for o in outcomes}
    flows = []
    for step in plan.steps:
        o = done.get(step.key)
        moved = o is not None and o.result in ("restored", "repointed")
        outcome: FlowState = "planned" if status == "running" else "untouched"
        if o is not None:
            outcome = _RECORDED[o.result]
        flows.append(
            FlowRelease(
                key=step.key,
                kind=step.kind,
                name=step.name,
                id=step.flow_id,
                action="update",
                version_before=step.from_version,
                version_after=o.version if o is not None else None,
                outcome=outcome,
                alias_id=(o.alias_id if o is not None else None) or step.alias_id,
                sha256=o.sha256 if o is not None and moved else None,
                sha_before=(kept_before or {}).get(step.key),
            )
        )
    return tx.new_record(
        "rollback",
        f"{ROLLBACK_PREFIX}{', '.join(plan.reverts)} to {plan.label}",
        flows=tuple(flows),
        commit=commit,
        status=status,
        reverts=int(plan.reverts[0]) if plan.reverts and plan.reverts[0].isdigit() else None,
    )


def _refuse_running_canaries(client: ConnectClient, plan: RollbackPlan) -> None:
    """A flow running a canary has the wrapper as content: rolling it back would strand
    the canary (its tag and helpers). Each flow is read by id (content and tags; a search
    index or tags that lag cannot hide a canary: the wrapper content is recognised too);
    bad input, before anything is asked. Where a flow cannot be described, one Search on
    the canary tag stands in."""
    tagged: dict[str, RemoteFlow] | None = None
    for step in plan.writes:
        if step.kind != "flow" or step.action == "archive":
            continue
        try:
            flow = client.describe("flow", step.flow_id)
        except NotFoundError:
            continue
        except ConnectError:
            if tagged is None:
                found = client.flows_tagged(STATE_TAG) or []
                tagged = {f.id: f for f in found}
            if step.flow_id.rsplit("/", 1)[-1] not in tagged:
                continue
            flow = tagged[step.flow_id.rsplit("/", 1)[-1]]
        content = json.loads(flow.content) if flow.content else None
        if STATE_TAG not in flow.tags and wrapper_percent(content) is None:
            continue
        try:
            state = state_from_tags(flow.tags)
            detail = f" ({state.percent}% to {state.ref or 'the candidate'})" if state else ""
        except BadInputError:
            detail = ""
        raise BadInputError(
            f"{step.key} runs a canary in {client.env.name!r}{detail}: promote or abort it "
            f"first (flowops canary abort --env {client.env.name} --flow {step.name!r}); "
            "nothing was written"
        )


def _check_versions_exist(client: ConnectClient, plan: RollbackPlan) -> None:
    """``--to-version N`` names a version the user typed: it must exist (one read per
    flow) before anything is confirmed or written."""
    for step in plan.steps:
        if step.action not in ("restore", "repoint") or step.to_version is None:
            continue
        try:
            client.describe(_kind(step), step.flow_id, step.to_version)
        except NotFoundError:
            raise BadInputError(
                f"{step.key} has no version {step.to_version} in {client.env.name!r} "
                f"(it is at version {step.from_version}); nothing was written"
            ) from None


def _commit_before(records: Sequence[ReleaseRecord], plan: RollbackPlan) -> str | None:
    """The git commit of the release before the oldest one undone (git fallback)."""
    by_id = {str(r.id): r for r in records}
    target = by_id.get(plan.reverts[-1])
    reverted_index = list(records).index(target) if target is not None else len(records)
    return records[reverted_index - 1].commit if reverted_index > 0 else None


def _description(
    client: ConnectClient, plan: RollbackPlan, release_id: int, commit: str | None
) -> str:
    """The description of the versions rollback ``release_id`` creates."""
    return (
        f"{release_description(release_id, commit, client.env.name)} "
        f"{ROLLBACK_PREFIX}{', '.join(plan.reverts)}"
    )


def _prepared(
    client: ConnectClient,
    plan: RollbackPlan,
    records: Sequence[ReleaseRecord],
    release_id: int,
    repo_path: Path | None,
) -> tuple[Plan, dict[str, str]]:
    """The rollback as release ``release_id``'s plan for the one executor, and the
    restore points kept in Connect it reads (``from-saved`` steps)."""
    description = _description(client, plan, release_id, _commit_before(records, plan))
    kept = _saved_points(client, plan)
    return executor_plan(client, plan, description, repo_path=repo_path, kept=kept), kept


def dry_run_calls(
    client: ConnectClient,
    plan: RollbackPlan,
    records: Sequence[ReleaseRecord],
    *,
    repo_path: Path | None = None,
) -> tuple[tuple[str, str], ...]:
    """(operation, flow) of every write the rollback would make to its flows, in order:
    the one executor run with a recording client (reads go to Connect, writes are
    recorded, not sent), after what a versionless rollback keeps in Connect first
    (:func:`_keep_live`). The lock and the two ledger records are left out, as in a
    promote's dry run."""
    release_id = max((r.id for r in records), default=0) + 1
    steps, _ = _prepared(client, plan, records, release_id, repo_path)
    recording = RecordingClient.wrap(client, steps)
    versionless = [s for s in plan.steps if s.action in _VERSIONLESS]
    if versionless:
        kept = client.find_by_name("module", RESTORE_NAME)
        if kept is not None:
            recording.name(kept.id, kept.key)
        _keep_live(recording, versionless)
    Executor(steps, recording, release_id, ReleaseMeta()).run(None, lambda: None)
    return tuple(recording.recorded)


def rollback(
    client: ConnectClient,
    *,
    flow: str | None = None,
    to_release: str | None = None,
    to_version: int | None = None,
    archive_new: bool = False,
    dry_run: bool = False,
    confirm: Callable[[RollbackPlan], bool] | None = None,
    on_progress: Callable[[FlowOutcome], None] | None = None,
    on_signal: Callable[[int], None] | None = None,
    repo_path: Path | None = None,
) -> RollbackReport:
    """Plan and (unless ``dry_run`` or ``confirm`` says no) carry out a rollback.

    Runs in one release transaction (``flowops.deploy.transaction``): the rollback is
    recorded as a release, and one outcome per flow is returned; one flow's failure never
    stops the others. A signal stops it between flows: the record says which flows were
    rolled back, and ``CancelledError`` (exit 130/143) says so in one line.
    """
    started = time.monotonic()
    calls_before = sum(client.calls.values())
    options = partial(
        plan_from_records,
        flow=flow,
        to_release=to_release,
        to_version=to_version,
        archive_new=archive_new,
    )
    plan, records, _ = plan_from_ledger(
        client, flow=flow, to_release=to_release, to_version=to_version, archive_new=archive_new
    )

    def report(
        outcomes: Sequence[FlowOutcome], release_id: int | None, notes: Sequence[str] = ()
    ) -> RollbackReport:
        return RollbackReport(
            env=client.env.name,
            plan=plan,
            outcomes=tuple(outcomes),
            release_id=release_id,
            dry_run=release_id is None,
            calls=sum(client.calls.values()) - calls_before,
            seconds=time.monotonic() - started,
            notes=tuple(notes),
        )

    _refuse_running_canaries(client, plan)
    if to_version is not None:
        _check_versions_exist(client, plan)
    if not plan.writes:  # e.g. a release that only created flows: nothing to put back
        names = ", ".join(s.key for s in plan.steps) or "no flows"
        raise BadInputError(
            f"release {', '.join(plan.reverts)} changed nothing that can be restored "
            f"({names}: {plan.steps[0].note if plan.steps else 'empty'}); nothing was written "
            "and no release recorded (--archive-new archives flows it created)"
        )
    planned = tuple(FlowOutcome(s, "planned", s.to_version, s.note) for s in plan.steps)
    if dry_run:
        calls = dry_run_calls(client, plan, records, repo_path=repo_path)
        return replace(report(planned, None), planned_calls=calls)
    if confirm is not None and not confirm(plan):
        return report(planned, None)

    with transaction(client, on_signal=on_signal) as tx:
        assert tx.ledger is not None
        records = list(tx.ledger.records)
        now_plan = options(client, records)
        if now_plan != plan:
            raise CheckFailedError(
                f"environment {client.env.name!r} changed while this rollback was being "
                "planned; nothing was written: run rollback again"
            )
        release_id = tx.release_id
        commit = _commit_before(records, plan)
        steps, kept = _prepared(client, plan, records, release_id, repo_path)
        run = Executor(steps, client, release_id, ReleaseMeta())
        before = _keep_live(client, [s for s in plan.steps if s.action in _VERSIONLESS])

        def record(status: ReleaseStatus) -> ReleaseRecord:
            outcomes = _outcomes(run, plan)
            if status == "released" and any(o.result == "failed" for o in outcomes):
                status = "failed"  # every flow was tried; the record says which failed
            return _record(tx, plan, outcomes, commit, status, kept_before=before)

        def progress(done: int, total: int, key: str) -> None:
            if on_progress is not None:
                on_progress(_outcomes(run, plan)[done - 1])

        try:
            tx.run(record, lambda: run.run(progress, tx.checkpoint))
        except CancelledError as exc:
            done = report(_with_unreached(plan, _outcomes(run, plan)), release_id, tx.warnings)
            raise RollbackCancelledError(exc.signum, tx, done) from None
    notes = [*tx.repaired, *_mode(plan, kept), *tx.warnings]
    return report(_outcomes(run, plan), release_id, notes)


def _with_unreached(plan: RollbackPlan, outcomes: Sequence[FlowOutcome]) -> list[FlowOutcome]:
    """``outcomes`` and, for each step not reached, a ``planned`` one (left as it was)."""
    done = {o.step.key for o in outcomes}
    rest = [
        FlowOutcome(s, "planned", s.from_version, "not reached: left as it was")
        for s in plan.steps
        if s.key not in done
    ]
    return [*outcomes, *rest]


def _names(outcomes: Sequence[FlowOutcome]) -> str:
    keys = [o.step.key for o in outcomes]
    return f" ({', '.join(keys[:5])}{' ...' if len(keys) > 5 else ''})" if keys else ""


class RollbackCancelledError(CancelledError):
    """A rollback stopped by SIGINT / SIGTERM between flows; ``report`` says where every
    flow is (a flow not reached: ``planned``), the message says it in one line: what was
    rolled back, what was left, that it is recorded as cancelled, and (added when the
    transaction ends) whether the lock was given back."""

    def __init__(self, signum: int, tx: Transaction, report: RollbackReport) -> None:
        writes = [o for o in report.outcomes if o.step.action != "leave"]
        back = [o for o in writes if o.result in ("restored", "repointed", "archived")]
        failed = [o for o in writes if o.result == "failed"]
        unreached = [o for o in writes if o.result == "planned"]
        reverts = ", ".join(report.plan.reverts)
        parts = [f"{len(back)} of {len(writes)} flow(s) rolled back{_names(back)}"]
        if unreached:
            parts.append(f"{len(unreached)} not reached, left as they were{_names(unreached)}")
        if failed:
            parts.append(f"{len(failed)} failed, left as they were{_names(failed)}")
        recorded = (
            f"recorded as cancelled (release {report.release_id})"
            if tx.recorded
            else "not recorded yet (the next run records it from the flows)"
        )
        if unreached or failed:
            recorded += "; run rollback again to finish"
        super().__init__(
            signum,
            f"rollback {report.release_id} of release {reverts} cancelled by "
            f"{signal_name(signum)}: {', '.join(parts)}; {recorded}",
        )
        self.report = report
        self.record, self.recorded = tx.final, tx.recorded


#: Steps that restore content without a version: what they overwrite is kept as content.
_VERSIONLESS = ("from-git", "from-saved")


def _keep_live(client: ConnectClient, steps: Sequence[RollbackStep]) -> dict[str, str]:
    """Keep the live content of ``steps``' flows in Connect before they are rolled back
    (no version will hold it), so rolling the rollback back needs no git either; returns
    flow key -> SHA-256 kept."""
    if not steps:
        return {}
    shas, contents = {}, {}
    for step in steps:
        live = client.describe(_kind(step), step.flow_id)
        if live.content:
            sha = live.sha256 or content_sha256(live.content)
            shas[step.key], contents[sha] = sha, live.content
    kept = set(keep_restore_points(client, contents))
    return {key: sha for key, sha in shas.items() if sha in kept}


def _saved_points(client: ConnectClient, plan: RollbackPlan) -> dict[str, str]:
    """The restore points kept in Connect, read once when a step restores from one."""
    if any(s.action == "from-saved" for s in plan.steps):
        return read_restore_points(client)
    return {}


def _mode(plan: RollbackPlan, kept: Mapping[str, str]) -> list[str]:
    """Which mode the rollback ran in, when it was not plain versions."""
    saved = [s for s in plan.steps if s.action == "from-saved"]
    if not saved:
        return []
    here = sum(s.content_sha in kept for s in saved)
    return [
        f"versionless mode (Connect refuses versions of these flows): {here} of "
        f"{len(saved)} flow(s) restored from the content kept in Connect ({RESTORE_NAME})"
        + (f", {len(saved) - here} from git" if here < len(saved) else "")
    ]
