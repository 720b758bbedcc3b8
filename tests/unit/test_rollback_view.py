"""Release records (the ledger) as rollback planning sees them."""

from __future__ import annotations

from dataclasses import asdict

from flowops.deploy.aliases import KnownAlias, known_aliases
from flowops.deploy.releases import FlowRelease, ReleaseRecord, ledger_content, parse_ledger
from flowops.deploy.render import release_kind
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


def test_kind_and_reverts_are_recorded_and_older_records_still_read() -> None:
    new = record(6, flow("A", 3, 2), message="anything")
    new = ReleaseRecord.from_dict({**new.to_dict(), "kind": "rollback", "reverts": 5})
    assert view(new).kind == "rollback" and view(new).reverts == "5"
    canary = ReleaseRecord.from_dict({**record(7).to_dict(), "kind": "canary-promote"})
    assert (view(canary).kind, view(canary).reverts) == ("canary-promote", None)
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
