"""Rollback planning over release records: which flow goes back to which version."""

from __future__ import annotations

from dataclasses import replace

import pytest

from flowops.connect.catalog import FlowKind
from flowops.deploy.releases import FlowAction, FlowRelease, ReleaseKind, ReleaseRecord
from flowops.deploy.rollback_plan import plan_rollback
from flowops.errors import BadInputError


def change(
    name: str,
    before: int | None,
    after: int | None,
    *,
    kind: FlowKind = "flow",
    created: bool = False,
) -> FlowRelease:
    action: FlowAction = "create" if created else "update"
    return FlowRelease(f"{kind}:{name}", kind, name, f"id-{name}", action, before, after)


def release(
    rid: int,
    kind: ReleaseKind,
    flows: tuple[FlowRelease, ...],
    *,
    commit: str | None = None,
    reverts: int | None = None,
) -> ReleaseRecord:
    return ReleaseRecord(
        rid,
        "dev",
        commit,
        None,
        "me",
        "2026-11-27T00:00:00",
        flows=flows,
        kind=kind,
        reverts=reverts,
    )


R1 = release(1, "promote", (change("Main", 1, 2), change("Queue", 1, 2)), commit="a" * 40)
R2 = release(
    2,
    "promote",
    (
        change("Main", 3, 4),
        change("Survey", None, 1, kind="module", created=True),
        change("Sales", 5, 6),
    ),
    commit="b" * 40,
)
R3 = release(3, "promote", (change("Main", 5, 6), change("Sales", 6, 7)), commit="c" * 40)
HISTORY = [R1, R2, R3]


def test_default_undoes_only_the_last_release() -> None:
    plan = plan_rollback(HISTORY)
    assert plan.reverts == ("3",)
    assert [(s.name, s.from_version, s.to_version, s.action) for s in plan.steps] == [
        ("Main", 6, 5, "restore"),
        ("Sales", 7, 6, "restore"),
    ]


def test_incomplete_attempts_are_undone_with_the_release_and_a_failed_rollback_is_finished() -> (
    None
):
    failed = replace(R2, status="failed")  # R2 failed; R3 is the re-run that completed it
    plan = plan_rollback([R1, failed, R3])
    assert plan.reverts == ("3", "2")
    assert {(s.name, s.to_version) for s in plan.steps if s.action == "restore"} == {
        ("Main", 3),
        ("Sales", 5),
    }
    half = replace(release(4, "rollback", (change("Main", 6, 8),), reverts=3), status="failed")
    again = plan_rollback([R1, R2, R3, half])
    assert again.reverts == ("3",)  # finishes the rollback of r3, does not undo r4
    assert [(s.name, s.to_version) for s in again.steps] == [("Main", 5), ("Sales", 6)]


def test_to_release_goes_back_to_the_oldest_before_version_of_each_flow() -> None:
    plan = plan_rollback(HISTORY, to_release="1")
    assert plan.reverts == ("3", "2")
    steps = {s.name: s for s in plan.steps}
    assert (steps["Main"].from_version, steps["Main"].to_version) == (6, 3)
    assert (steps["Sales"].from_version, steps["Sales"].to_version) == (7, 5)
    # Modules come first; the module r2 created is left in place, not deleted.
    assert plan.steps[0].name == "Survey"
    assert steps["Survey"].action == "leave"
    assert "left in place" in steps["Survey"].note
    assert {s.name for s in plan.writes} == {"Main", "Sales"}


def test_archive_new_archives_created_flows() -> None:
    plan = plan_rollback(HISTORY, to_release="1", archive_new=True)
    assert {s.name: s.action for s in plan.steps}["Survey"] == "archive"


def test_flow_option_limits_the_plan() -> None:
    plan = plan_rollback(HISTORY, flow="Sales")
    assert [s.name for s in plan.steps] == ["Sales"]
    plan = plan_rollback(HISTORY, flow="flow:Main", to_release="1")
    assert [(s.name, s.to_version) for s in plan.steps] == [("Main", 3)]
    with pytest.raises(BadInputError, match="not changed by release 3"):
        plan_rollback(HISTORY, flow="Queue")


def test_to_version_needs_a_flow_and_targets_that_version() -> None:
    plan = plan_rollback(HISTORY, flow="Queue", to_version=1)
    assert [(s.name, s.from_version, s.to_version) for s in plan.steps] == [("Queue", 2, 1)]
    with pytest.raises(BadInputError, match="needs --flow"):
        plan_rollback(HISTORY, to_version=1)
    with pytest.raises(BadInputError, match="either"):
        plan_rollback(HISTORY, flow="Main", to_version=1, to_release="1")
    with pytest.raises(BadInputError, match="no recorded release"):
        plan_rollback(HISTORY, flow="Nope", to_version=1)


def test_aliases_repoint_instead_of_restoring_content() -> None:
    plan = plan_rollback(HISTORY, use_aliases=True)
    assert {s.action for s in plan.steps} == {"repoint"}


def test_rollback_of_a_rollback_rolls_forward() -> None:
    first = plan_rollback(HISTORY)
    # What executing ``first`` records: each flow moved from its current version to a new
    # one holding the old content.
    rollback = release(
        4,
        "rollback",
        tuple(change(s.name, s.from_version, (s.from_version or 0) + 1) for s in first.steps),
        reverts=3,
    )
    again = plan_rollback([*HISTORY, rollback])
    assert again.reverts == ("4",)
    # Back to the versions r3 published: Main 6, Sales 7.
    assert {s.name: s.to_version for s in again.steps} == {"Main": 6, "Sales": 7}


def test_missing_versions_fall_back_to_the_previous_release_commit() -> None:
    no_versions = release(9, "promote", (change("Main", None, None),), commit="d" * 40)
    plan = plan_rollback([R1, no_versions])
    (step,) = plan.steps
    assert step.action == "from-git"
    assert step.git_sha == R1.commit
    assert "git" in step.note
    # Without a previous commit there is nothing to restore from: leave it and say so.
    (alone,) = plan_rollback([no_versions]).steps
    assert alone.action == "leave" and "no earlier version" in alone.note


def test_versionless_changes_restore_the_content_kept_in_connect_with_git_as_fallback() -> None:
    kept = replace(change("Main", None, None), sha_before="e" * 64)
    versionless = release(9, "promote", (kept,), commit="d" * 40)
    (step,) = plan_rollback([R1, versionless]).steps
    assert step.action == "from-saved" and step.content_sha == "e" * 64
    assert step.git_sha == R1.commit and "kept in Connect" in step.note
    # Without a previous commit the kept content is still there to restore.
    (alone,) = plan_rollback([versionless]).steps
    assert alone.action == "from-saved" and alone.git_sha is None


def test_nothing_to_roll_back_is_bad_input() -> None:
    with pytest.raises(BadInputError, match="no release recorded"):
        plan_rollback([])
    with pytest.raises(BadInputError, match="latest release"):
        plan_rollback(HISTORY, to_release="3")
    with pytest.raises(BadInputError, match="no release 'zz'"):
        plan_rollback(HISTORY, to_release="zz")
