"""Release records and lock values: what Connect stores must read back identically."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from flowops.deploy.apply import placeholder_content
from flowops.deploy.lock import LockInfo
from flowops.deploy.releases import (
    LEDGER_BUDGET,
    FlowRelease,
    ReleaseRecord,
    ledger_content,
    parse_ledger,
    parse_release_description,
    release_description,
    restore_point_description,
)
from flowops.errors import BadInputError
from flowops.model.parse import parse_content


def record(n: int, flows: int = 2) -> ReleaseRecord:
    return ReleaseRecord(
        id=n,
        env="prod",
        commit="ab" * 20,
        ref="main",
        who="ci",
        when="2026-01-01T00:00:00+00:00",
        flows=tuple(
            FlowRelease(f"flow:F{i}", "flow", f"F{i}", f"id-{i}", "update", i + 1, i + 2)
            for i in range(flows)
        ),
    )


def test_ledger_round_trips_records_and_is_a_valid_module() -> None:
    records = [record(1), record(2, flows=0)]
    text = ledger_content(records, "prod")
    assert parse_ledger(text) == records
    flow = parse_content(json.loads(text))
    assert flow.is_module and [a.type for a in flow.actions] == ["EndFlowModuleExecution"]
    assert parse_ledger(None) == []


def test_ledger_drops_oldest_records_to_stay_within_connects_limit() -> None:
    big = [record(n, flows=300) for n in range(1, 40)]
    text = ledger_content(big, "prod")
    kept = parse_ledger(text)
    assert len(text) <= LEDGER_BUDGET
    assert kept[-1].id == 39 and kept[0].id > 1
    assert [r.id for r in kept] == list(range(kept[0].id, 40))


def test_not_a_ledger_is_bad_input() -> None:
    with pytest.raises(BadInputError, match="not a flowops ledger"):
        parse_ledger('{"Metadata": {"flowops": {"releases": [{"nope": 1}]}}}')


def test_version_descriptions_parse_back() -> None:
    assert parse_release_description(release_description(7, "abc123", "prod")) == (7, "abc123")
    assert parse_release_description(release_description(8, None, "prod")) == (8, None)
    assert parse_release_description(restore_point_description(7)) is None
    assert parse_release_description("edited in the console") is None


def test_lock_tag_round_trips_and_fits_a_tag_value() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    info = LockInfo("x" * 500, "tok", now, now + timedelta(minutes=30))
    value = info.to_tag()
    assert len(value) <= 256
    back = LockInfo.from_tag(value)
    assert back is not None and back.token == "tok" and back.expires == info.expires
    assert LockInfo.from_tag("garbage") is None


def test_placeholders_are_valid_reference_free_content() -> None:
    for kind in ("flow", "module"):
        flow = parse_content(json.loads(placeholder_content(kind)))
        assert flow.is_module == (kind == "module")
        assert "arn:" not in placeholder_content(kind)
