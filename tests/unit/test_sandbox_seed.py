"""Seed data: deterministic, idempotent, valid."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flowops.sandbox.seed import ACCOUNTS, INSTANCE_ALIAS, instance_id_for, seed
from flowops.sandbox.seed_flows import FLOWS, MODULES
from flowops.sandbox.store import Store


def test_seed_is_idempotent_and_deterministic(tmp_path: Path) -> None:
    first = seed(tmp_path / "a.db")
    again = seed(tmp_path / "a.db")
    other = seed(tmp_path / "b.db")
    assert first["dev"]["flows"] == len(FLOWS) and first["dev"]["modules"] == len(MODULES)
    assert again["dev"]["flows"] == 0
    assert {k: v["instance_id"] for k, v in first.items()} == {
        k: v["instance_id"] for k, v in other.items()
    }
    store = Store(tmp_path / "a.db")
    try:
        rows = store.all("SELECT account, alias, id FROM instances ORDER BY account")
        assert [(r["account"], r["alias"]) for r in rows] == [
            (a, INSTANCE_ALIAS) for a in sorted(ACCOUNTS.values())
        ]
        assert all(r["id"] == instance_id_for(r["account"]) for r in rows)
        flows = store.all("SELECT instance_id, published FROM flows")
        assert {f["instance_id"] for f in flows} == {instance_id_for(ACCOUNTS["dev"])}
        assert all(f["published"] for f in flows)
    finally:
        store.close()


def test_seed_flows_look_like_real_exports() -> None:
    for spec in FLOWS + MODULES:
        doc = spec.build()
        assert doc["Version"] == "2019-10-30"
        ids = [a["Identifier"] for a in doc["Actions"]]
        assert set(doc["Metadata"]["ActionMetadata"]) == set(ids)
        assert all("position" in m for m in doc["Metadata"]["ActionMetadata"].values())
        json.loads(spec.content())
    types = {a["Type"] for spec in FLOWS for a in spec.build()["Actions"]}
    assert {
        "UpdateContactTargetQueue",
        "TransferToFlow",
        "InvokeFlowModule",
        "CheckHoursOfOperation",
        "GetParticipantInput",
        "UpdateContactEventHooks",
        "ConnectParticipantWithLexBot",
    } <= types
    module_types = {a["Type"] for spec in MODULES for a in spec.build()["Actions"]}
    assert "InvokeLambdaFunction" in module_types


def test_seed_respects_flow_limit() -> None:
    with pytest.raises(ValueError, match="above the limit"):
        seed(":memory:", flows_per_instance_limit=2)
