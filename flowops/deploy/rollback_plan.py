"""Which flow goes back to which version: rollback planning over release records.

Pure: it reads release history (the records of ``flowops.deploy.releases``, the one
record type; no re-wrapping) and returns frozen steps; ``flowops.deploy.rollback``
executes them (its dry run runs the same executor with a recording client). Keeping the
two apart lets the rules be tested without an instance.

The rules:

* default: undo the last release: every flow it changed goes back to the version it had
  before that release;
* ``--to-release ID``: undo every release after ``ID``: each flow goes back to the version
  it had before the *oldest* of them touched it (that is, as it was right after ``ID``);
* ``--to-version N`` (with ``--flow``): that one flow goes back to version ``N``;
* a flow that the undone releases *created* has no earlier version: it is left in place
  (or archived with ``--archive-new``); the flows that referenced it are restored;
* a rollback is itself a release (kind ``rollback``), so rolling back a rollback rolls
  forward with the same rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from flowops.connect.catalog import FlowKind
from flowops.deploy.releases import FlowRelease, ReleaseRecord
from flowops.errors import BadInputError

StepAction = Literal["restore", "repoint", "leave", "archive", "from-git", "from-saved"]


@dataclass(frozen=True)
class RollbackStep:
    """One flow to put back: from the version live now to the version wanted."""

    kind: FlowKind
    name: str
    flow_id: str
    from_version: int | None
    to_version: int | None
    action: StepAction
    note: str = ""
    #: git commit whose content to restore when no version was recorded ("from-git"),
    #: or when the recorded version cannot be read ("restore").
    git_sha: str | None = None
    #: the entry alias to repoint ("repoint"), when a release record kept its id.
    alias_id: str | None = None
    #: SHA-256 of the restore point kept as content in Connect ("from-saved"; git at
    #: ``git_sha`` is the fallback).
    content_sha: str | None = None

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.name}"


@dataclass(frozen=True)
class RollbackPlan:
    """Frozen steps undoing ``reverts``; ``label`` describes the target for messages."""

    reverts: tuple[str, ...]  # ids of the releases being undone, newest first
    label: str
    steps: tuple[RollbackStep, ...]
    use_aliases: bool

    @property
    def writes(self) -> tuple[RollbackStep, ...]:
        """Steps that change something in Connect."""
        return tuple(s for s in self.steps if s.action != "leave")


def _find(history: Sequence[ReleaseRecord], release_id: str) -> int:
    for i, release in enumerate(history):
        if str(release.id) == release_id:
            return i
    known = ", ".join(str(r.id) for r in history[-5:]) or "none"
    raise BadInputError(f"no release {release_id!r} in this environment (latest: {known})")


def _order(steps: list[RollbackStep]) -> tuple[RollbackStep, ...]:
    """Modules first (flows invoke them), then flows, each by name: stable and readable."""
    return tuple(sorted(steps, key=lambda s: (s.kind != "module", s.name)))


def _step_for(
    oldest: FlowRelease,
    newest: FlowRelease,
    *,
    previous_sha: str | None,
    archive_new: bool,
    use_aliases: bool,
) -> RollbackStep:
    def step(
        action: StepAction,
        to: int | None,
        note: str = "",
        sha: str | None = None,
        content: str | None = None,
    ) -> RollbackStep:
        return RollbackStep(
            kind=newest.kind,
            name=newest.name,
            flow_id=newest.id,
            from_version=newest.version_after,
            to_version=to,
            action=action,
            note=note,
            git_sha=sha,
            content_sha=content,
        )

    if oldest.action == "create":
        if archive_new:
            return step("archive", None, "created by the release: archived (not deleted)")
        return step("leave", None, "created by the release: left in place")
    if oldest.version_before is not None:
        # The commit rides along: if the version cannot be read, git is the fallback.
        to = oldest.version_before
        return step("repoint" if use_aliases else "restore", to, sha=previous_sha)
    if oldest.sha_before is not None:  # versionless: the content was kept in Connect
        note = f"no flow version: content kept in Connect ({oldest.sha_before[:12]})"
        return step("from-saved", None, note, previous_sha, oldest.sha_before)
    if previous_sha is None:
        return step("leave", None, "no earlier version and no git commit recorded: left as is")
    return step(
        "from-git",
        None,
        f"no flow version recorded: content from git {previous_sha[:12]}",
        previous_sha,
    )


def plan_rollback(
    history: Sequence[ReleaseRecord],
    *,
    flow: str | None = None,
    to_release: str | None = None,
    to_version: int | None = None,
    archive_new: bool = False,
    use_aliases: bool = False,
) -> RollbackPlan:
    """Plan a rollback over ``history``: the release records that changed the
    environment, oldest first (``flowops.deploy.rollback.history``); of each, the flows
    it really moved (:attr:`ReleaseRecord.moved`) are undone.

    ``flow`` is a flow or module name (or a ``flow:``/``module:`` key) limiting the plan
    to that flow. Bad input when there is nothing to roll back or the options conflict.
    """
    if to_release is not None and to_version is not None:
        raise BadInputError("use either --to-release or --to-version, not both")
    if to_version is not None and flow is None:
        raise BadInputError("--to-version needs --flow: version numbers are per flow")
    if to_version is not None and to_version < 1:
        raise BadInputError(f"--to-version must be 1 or more, got {to_version}")
    if not history:
        raise BadInputError("no release recorded in this environment: nothing to roll back")

    if to_version is not None:
        assert flow is not None
        return _plan_to_version(history, flow, to_version, use_aliases)

    if to_release is not None:
        start = _find(history, to_release) + 1
        if start == len(history):
            raise BadInputError(
                f"release {to_release!r} is the latest release: nothing to roll back"
            )
        undone = list(history[start:])
        label = f"release {to_release}"
        previous_sha = history[start - 1].commit
    else:
        # An incomplete rollback at the end is finished, not undone: rollback again
        # after a failed or cancelled one goes on towards the same target.
        end = len(history)
        while end > 1 and _is_rollback(history[end - 1]) and history[end - 1].incomplete:
            end -= 1
        # The last release, with the incomplete attempts right before it (a release that
        # failed or was killed, then run again): together they are one change.
        start = end - 1
        while start > 0 and history[start - 1].incomplete:
            start -= 1
        undone = list(history[start:end])
        label = f"before release {history[start].id}"
        previous_sha = history[start - 1].commit if start > 0 else None

    oldest: dict[str, FlowRelease] = {}
    newest: dict[str, FlowRelease] = {}
    for release in undone:
        for change in release.moved:
            oldest.setdefault(change.key, change)
            newest[change.key] = change

    keys = list(oldest)
    if flow is not None:
        keys = [k for k in keys if _matches(k, flow)]
        if not keys:
            ids = ", ".join(str(r.id) for r in undone)
            raise BadInputError(f"flow {flow!r} was not changed by release {ids}")

    steps = [
        _step_for(
            oldest[k],
            newest[k],
            previous_sha=previous_sha,
            archive_new=archive_new,
            use_aliases=use_aliases,
        )
        for k in keys
    ]
    return RollbackPlan(
        reverts=tuple(str(r.id) for r in reversed(undone)),
        label=label,
        steps=_order(steps),
        use_aliases=use_aliases,
    )


def _is_rollback(record: ReleaseRecord) -> bool:
    return record.resolved_kind()[0] == "rollback"


def _matches(key: str, flow: str) -> bool:
    return key == flow or key.split(":", 1)[1] == flow


def _plan_to_version(
    history: Sequence[ReleaseRecord], flow: str, version: int, use_aliases: bool
) -> RollbackPlan:
    latest: FlowRelease | None = None
    for release in history:
        for change in release.moved:
            if _matches(change.key, flow):
                latest = change
    if latest is None:
        raise BadInputError(f"flow {flow!r} is in no recorded release of this environment")
    step = RollbackStep(
        kind=latest.kind,
        name=latest.name,
        flow_id=latest.id,
        from_version=latest.version_after,
        to_version=version,
        action="repoint" if use_aliases else "restore",
    )
    return RollbackPlan(
        reverts=(str(history[-1].id),),
        label=f"version {version} of {latest.key}",
        steps=(step,),
        use_aliases=use_aliases,
    )
