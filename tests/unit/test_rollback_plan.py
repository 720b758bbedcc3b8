"""Rollback planning over release records: which flow goes back to which version."""

from __future__ import annotations

import pytest

from flowops.deploy.rollback_plan import FlowChange, ReleaseView, plan_rollback
from flowops.errors import BadInputError


def change(
    name: str, before: int | None, after: int | None, *, kind: str = "flow", created: bool = False
) -> FlowChange:
    return FlowChange(kind, name, f"id-{name}", before, after, created)


R1 = ReleaseView("r1", "promote", (change("Main", 1, 2), change("Queue", 1, 2)), git_sha="a" * 40)
R2 = ReleaseView(
    "r2",
    "promote",
    (
        change("Main", 3, 4),
        change("Survey", None, 1, kind="module", created=True),
        change("Sales", 5, 6),
    ),
    git_sha="b" * 40,
)
R3 = ReleaseView("r3", "promote", (change("Main", 5, 6), change("Sales", 6, 7)), git_sha="c" * 40)
HISTORY = [R1, R2, R3]


def test_default_undoes_only_the_last_release() -> None:
    plan = plan_rollback(HISTORY)
    assert plan.reverts == ("r3",)
    assert [(s.name, s.from_version, s.to_version, s.action) for s in plan.steps] == [
        ("Main", 6, 5, "restore"),
        ("Sales", 7, 6, "restore"),
    ]


def test_incomplete_attempts_are_undone_with_the_release_and_a_failed_rollback_is_finished() -> (
    None
):
    from dataclasses import replace

    failed = replace(R2, incomplete=True)  # R2 failed; R3 is the re-run that completed it
    plan = plan_rollback([R1, failed, R3])
    assert plan.reverts == ("r3", "r2")
    assert {(s.name, s.to_version) for s in plan.steps if s.action == "restore"} == {
        ("Main", 3),
        ("Sales", 5),
    }
    half = ReleaseView("r4", "rollback", (change("Main", 6, 8),), reverts="r3", incomplete=True)
    again = plan_rollback([R1, R2, R3, half])
    assert again.reverts == ("r3",)  # finishes the rollback of r3, does not undo r4
    assert [(s.name, s.to_version) for s in again.steps] == [("Main", 5), ("Sales", 6)]


def test_to_release_goes_back_to_the_oldest_before_version_of_each_flow() -> None:
    plan = plan_rollback(HISTORY, to_release="r1")
    assert plan.reverts == ("r3", "r2")
    steps = {s.name: s for s in plan.steps}
    assert (steps["Main"].from_version, steps["Main"].to_version) == (6, 3)
    assert (steps["Sales"].from_version, steps["Sales"].to_version) == (7, 5)
    # Modules come first; the module r2 created is left in place, not deleted.
    assert plan.steps[0].name == "Survey"
    assert steps["Survey"].action == "leave"
    assert "left in place" in steps["Survey"].note
    assert {s.name for s in plan.writes} == {"Main", "Sales"}


def test_archive_new_archives_created_flows() -> None:
    plan = plan_rollback(HISTORY, to_release="r1", archive_new=True)
    assert {s.name: s.action for s in plan.steps}["Survey"] == "archive"


def test_flow_option_limits_the_plan() -> None:
    plan = plan_rollback(HISTORY, flow="Sales")
    assert [s.name for s in plan.steps] == ["Sales"]
    plan = plan_rollback(HISTORY, flow="flow:Main", to_release="r1")
    assert [(s.name, s.to_version) for s in plan.steps] == [("Main", 3)]
    with pytest.raises(BadInputError, match="not changed by release r3"):
        plan_rollback(HISTORY, flow="Queue")


def test_to_version_needs_a_flow_and_targets_that_version() -> None:
    plan = plan_rollback(HISTORY, flow="Queue", to_version=1)
    assert [(s.name, s.from_version, s.to_version) for s in plan.steps] == [("Queue", 2, 1)]
    with pytest.raises(BadInputError, match="needs --flow"):
        plan_rollback(HISTORY, to_version=1)
    with pytest.raises(BadInputError, match="either"):
        plan_rollback(HISTORY, flow="Main", to_version=1, to_release="r1")
    with pytest.raises(BadInputError, match="no recorded release"):
        plan_rollback(HISTORY, flow="Nope", to_version=1)


def test_aliases_repoint_instead_of_restoring_content() -> None:
    plan = plan_rollback(HISTORY, use_aliases=True)
    assert {s.action for s in plan.steps} == {"repoint"}


def test_rollback_of_a_rollback_rolls_forward() -> None:
    first = plan_rollback(HISTORY)
    # What executing ``first`` records: each flow moved from its current version to a new
    # one holding the old content.
    rollback = ReleaseView(
        "r4",
        "rollback",
        tuple(change(s.name, s.from_version, (s.from_version or 0) + 1) for s in first.steps),
        reverts="r3",
    )
    again = plan_rollback([*HISTORY, rollback])
    assert again.reverts == ("r4",)
    # Back to the versions r3 published: Main 6, Sales 7.
    assert {s.name: s.to_version for s in again.steps} == {"Main": 6, "Sales": 7}


def test_missing_versions_fall_back_to_the_previous_release_commit() -> None:
    no_versions = ReleaseView("r9", "promote", (change("Main", None, None),), git_sha="d" * 40)
    plan = plan_rollback([R1, no_versions])
    (step,) = plan.steps
    assert step.action == "from-git"
    assert step.git_sha == R1.git_sha
    assert "git" in step.note
    # Without a previous commit there is nothing to restore from: leave it and say so.
    (alone,) = plan_rollback([no_versions]).steps
    assert alone.action == "leave" and "no earlier version" in alone.note


def test_versionless_changes_restore_the_content_kept_in_connect_with_git_as_fallback() -> None:
    kept = FlowChange("flow", "Main", "id-Main", None, None, sha_before="e" * 64)
    versionless = ReleaseView("r9", "promote", (kept,), git_sha="d" * 40)
    (step,) = plan_rollback([R1, versionless]).steps
    assert step.action == "from-saved" and step.content_sha == "e" * 64
    assert step.git_sha == R1.git_sha and "kept in Connect" in step.note
    # Without a previous commit the kept content is still there to restore.
    (alone,) = plan_rollback([versionless]).steps
    assert alone.action == "from-saved" and alone.git_sha is None


def test_nothing_to_roll_back_is_bad_input() -> None:
    with pytest.raises(BadInputError, match="no release recorded"):
        plan_rollback([])
    with pytest.raises(BadInputError, match="latest release"):
        plan_rollback(HISTORY, to_release="r3")
    with pytest.raises(BadInputError, match="no release 'zz'"):
        plan_rollback(HISTORY, to_release="zz")
