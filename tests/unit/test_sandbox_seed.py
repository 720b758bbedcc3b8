"""Seed data: deterministic, idempotent, valid."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from flowops.sandbox.seed import ACCOUNTS, INSTANCE_ALIAS, instance_id_for, lex_ids, seed
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


def test_lex_bots_and_users_have_account_specific_ids() -> None:
    store = Store(":memory:")
    try:
        seed(store)
        bots = store.all("SELECT account, id, name FROM lex_bots ORDER BY account")
        aliases = store.all("SELECT account, bot_id, id, name FROM lex_aliases ORDER BY account")
        users = store.all(
            "SELECT r.id, r.name, i.account FROM resources r JOIN instances i "
            "ON r.instance_id = i.id WHERE r.kind = 'user'"
        )
    finally:
        store.close()
    assert [b["account"] for b in bots] == sorted(ACCOUNTS.values())
    assert {b["name"] for b in bots} == {"CustomerServiceBot"}
    assert {a["name"] for a in aliases} == {"Prod"}
    for bot, alias in zip(bots, aliases, strict=True):
        assert (bot["id"], alias["id"]) == lex_ids(bot["account"], "CustomerServiceBot")
        assert alias["bot_id"] == bot["id"]
        assert all(re.fullmatch(r"[0-9A-Z]{10}", i) for i in (bot["id"], alias["id"]))
    assert len({b["id"] for b in bots}) == len({a["id"] for a in aliases}) == len(ACCOUNTS)
    by_account: dict[str, set[str]] = {}
    for user in users:
        by_account.setdefault(user["account"], set()).add(user["name"])
    assert by_account == {a: {"jane.doe", "john.smith"} for a in ACCOUNTS.values()}
    assert len({u["id"] for u in users}) == len(users)
