"""Release records (the ledger) as rollback planning reads them: one record type."""

from __future__ import annotations

from dataclasses import asdict

from flowops.deploy.aliases import KnownAlias, known_aliases
from flowops.deploy.releases import (
    FlowAction,
    FlowRelease,
    FlowState,
    ReleaseRecord,
    ReleaseStatus,
    ledger_content,
    parse_ledger,
)
from flowops.deploy.render import release_kind
from flowops.deploy.rollback import history
from flowops.deploy.rollback_plan import plan_rollback


def record(
    rid: int, *flows: FlowRelease, status: ReleaseStatus = "released", message: str = ""
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
    action: FlowAction = "update",
    outcome: FlowState = "released",
) -> FlowRelease:
    return FlowRelease(f"flow:{name}", "flow", name, f"id-{name}", action, before, after, outcome)


def test_only_flows_that_moved_are_undone_and_created_ones_are_left() -> None:
    rec = record(
        4,
        flow("A", 1, 2),
        flow("B", None, 1, action="create"),
        flow("C", 3, None, outcome="restored"),
        flow("D", 3, 4, outcome="failed"),
        flow("E", 5, None, outcome="partial"),
    )
    assert [f.name for f in rec.moved] == ["A", "B", "E"]
    plan = plan_rollback(history([rec]))
    assert {s.name: (s.action, s.to_version) for s in plan.steps} == {
        "A": ("restore", 1),
        "B": ("leave", None),
        "E": ("restore", 5),
    }


def test_rollback_records_are_recognised_and_failed_restored_releases_skipped() -> None:
    rolled = record(5, flow("A", 2, 3), message="rollback of release 4 to before release 4")
    assert rolled.resolved_kind() == ("rollback", 4)
    records = [
        record(1, flow("A", None, 1, action="create")),
        record(2, flow("A", 1, 2)),
        record(3, flow("A", 2, 5), status="failed-restored"),
    ]
    assert [r.id for r in history(records)] == [1, 2]
    # The failed-restored release changed nothing: the last release to undo is 2.
    (step,) = plan_rollback(history(records)).steps
    assert (step.from_version, step.to_version) == (2, 1)


def test_kind_and_reverts_are_recorded_and_older_records_still_read() -> None:
    new = record(6, flow("A", 3, 2), message="anything")
    new = ReleaseRecord.from_dict({**new.to_dict(), "kind": "rollback", "reverts": 5})
    assert new.resolved_kind() == ("rollback", 5)
    canary = ReleaseRecord.from_dict({**record(7).to_dict(), "kind": "canary-promote"})
    assert canary.resolved_kind() == ("canary-promote", None)
    # A record written before ``kind``/``reverts`` existed: no such keys at all.
    old = record(5, message="rollback of release 4, 3 to release 2").to_dict()
    del old["kind"], old["reverts"]
    parsed = ReleaseRecord.from_dict(old)
    assert parsed.resolved_kind() == ("rollback", 4)
    assert release_kind(parsed) == "rollback of 4"
    plain = record(2).to_dict()
    del plain["kind"]
    assert release_kind(ReleaseRecord.from_dict(plain)) == "promote"


def test_alias_ids_survive_the_ledger_and_the_newest_wins() -> None:
    a1 = FlowRelease("flow:A", "flow", "A", "id-A", "create", None, 1, alias_id="al-1")
    a2 = FlowRelease("flow:A", "flow", "A", "id-A", "update", 1, 2, alias_id="al-1")
    failed = FlowRelease("flow:A", "flow", "A", "id-A", "update", 2, 3, "failed", "al-x")
    records = parse_ledger(ledger_content([record(1, a1), record(2, a2), record(3, failed)], "dev"))
    assert records[1].flows[0].alias_id == "al-1"
    assert known_aliases(records) == {"id-A": KnownAlias("al-1", 2)}
    old = {k: v for k, v in asdict(a1).items() if k != "alias_id"}
    assert FlowRelease.from_dict(old).alias_id is None


def test_canary_steps_are_history_but_never_undone() -> None:
    promote = record(1, flow("Main", 1, 2))
    steps = [
        ReleaseRecord.from_dict({**record(n, flow("Main", 2, n + 1)).to_dict(), "kind": kind})
        for n, kind in ((2, "canary-start"), (3, "canary-ramp"), (4, "canary-abort"))
    ]
    assert all(r.canary_step for r in steps) and not promote.canary_step
    assert [r.id for r in history([promote, *steps])] == [1]
    (step,) = plan_rollback(history([promote, *steps])).steps
    assert (step.from_version, step.to_version) == (2, 1)


def test_test_cases_and_unlocks_are_history_never_a_release_to_undo() -> None:
    """A ``test-cases`` record (``flowops test --env``) or an unlock reads back with its
    kind and is never undone by rollback, even were flows recorded in it."""
    promote = record(1, flow("Main", 1, 2))
    others = [
        ReleaseRecord.from_dict({**record(n, flow("Main", 2, n + 1)).to_dict(), "kind": kind})
        for n, kind in ((2, "test-cases"), (3, "unlock"))
    ]
    back = parse_ledger(ledger_content([promote, *others], "dev"))
    assert [r.kind for r in back] == ["promote", "test-cases", "unlock"]
    assert [r.releases_content for r in back] == [True, False, False]
    assert not any(r.canary_step for r in back)
    assert [r.id for r in history(back)] == [1]
    (step,) = plan_rollback(history(back)).steps
    assert (step.from_version, step.to_version) == (2, 1)


def test_states_written_by_other_versions_read_sensibly() -> None:
    data = record(3, flow("A", 1, 2)).to_dict()
    data["status"], data["kind"] = "exploded", "teleport"
    data["flows"][0].update(outcome="sideways", action="mutate", kind="thing")
    odd = ReleaseRecord.from_dict(data)
    # Nothing unknown is taken as complete: an unknown status is a failed release, an
    # unknown outcome a flow in an unknown state (not moved), an unknown kind "other".
    assert (odd.status, odd.kind, odd.incomplete) == ("failed", "other", True)
    (f,) = odd.flows
    assert (f.outcome, f.action, f.kind) == ("failed", "update", "flow")
    assert odd.moved == ()
    for status in ("running", "released", "cancelled", "interrupted", "failed-restored"):
        data["status"] = status
        assert ReleaseRecord.from_dict(data).status == status
