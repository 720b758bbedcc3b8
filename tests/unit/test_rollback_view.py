"""Release records (the ledger) as rollback planning sees them."""

from __future__ import annotations

from flowops.deploy.releases import FlowRelease, ReleaseRecord
from flowops.deploy.rollback import history, view
from flowops.deploy.rollback_plan import plan_rollback


def record(
    rid: int, *flows: FlowRelease, status: str = "released", message: str = ""
) -> ReleaseRecord:
    return ReleaseRecord(
        id=rid,
        env="dev",
        commit=f"{rid:040d}",
        ref="main",
        who="me",
        when="2026-11-27T00:00:00",
        status=status,
        flows=flows,
        message=message,
    )


def flow(
    name: str,
    before: int | None,
    after: int | None,
    action: str = "update",
    outcome: str = "released",
) -> FlowRelease:
    return FlowRelease(f"flow:{name}", "flow", name, f"id-{name}", action, before, after, outcome)


def test_view_keeps_only_flows_that_moved_and_marks_created_ones() -> None:
    rec = record(
        4,
        flow("A", 1, 2),
        flow("B", None, 1, action="create"),
        flow("C", 3, None, outcome="restored"),
        flow("D", 3, 4, outcome="failed"),
    )
    seen = view(rec)
    assert seen.id == "4" and seen.kind == "promote" and seen.git_sha == rec.commit
    assert [(c.name, c.before, c.after, c.created) for c in seen.changes] == [
        ("A", 1, 2, False),
        ("B", None, 1, True),
    ]


def test_rollback_records_are_recognised_and_failed_restored_releases_skipped() -> None:
    rolled = view(record(5, flow("A", 2, 3), message="rollback of release 4 to before release 4"))
    assert rolled.kind == "rollback" and rolled.reverts == "4"
    records = [
        record(1, flow("A", None, 1, action="create")),
        record(2, flow("A", 1, 2)),
        record(3, flow("A", 2, 5), status="failed-restored"),
    ]
    assert [r.id for r in history(records)] == ["1", "2"]
    # The failed-restored release changed nothing: the last release to undo is 2.
    (step,) = plan_rollback(history(records)).steps
    assert (step.from_version, step.to_version) == (2, 1)
