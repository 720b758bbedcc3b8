"""Seed data: three accounts (dev, staging, prod), an instance in each, the same-named
catalog resources with account-specific ARNs, and a realistic set of flows and modules in
dev. Deterministic (uuid5 ids) and idempotent: seeding twice changes nothing, and existing
flows are never overwritten.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from pathlib import Path
from typing import Any

from flowops.sandbox.backend.common import FLOW, MODULE, now
from flowops.sandbox.backend.operations import Backend
from flowops.sandbox.config import SandboxConfig
from flowops.sandbox.lex import LexService
from flowops.sandbox.protocol import Caller
from flowops.sandbox.seed_flows import FLOWS, MAIN_FLOW, MODULES, SeedFlow
from flowops.sandbox.store import Instance, Store
from flowops.sandbox.validation import validate_content

NAMESPACE = uuid.UUID("b0c9a3f4-2f57-4a7e-8d4c-0f1a6c2e5d10")
REGION = "us-east-1"
INSTANCE_ALIAS = "flowops-sandbox"
ACCOUNTS = {"dev": "111111111111", "staging": "222222222222", "prod": "333333333333"}

QUEUES = ("BasicQueue", "Support", "Sales", "Billing")
PROMPTS = ("Welcome", "Main Menu", "Closed", "Please Hold", "Hold Music")
HOURS = ("Business Hours", "24x7")
LAMBDAS = ("lookup-customer", "log-interaction", "check-balance")
#: Lex V2 bots and the alias of each that is associated with the instance.
LEX_V2_BOTS = (("CustomerServiceBot", "Prod"),)
LEX_V1_BOTS = ("OrderFlowersLegacy",)
#: Agents (Connect users): the same user names in every account, account-specific ids.
USERS = ("jane.doe", "john.smith")
QUICK_CONNECTS = (
    ("Support Transfer", "QUEUE"),
    ("Sales Transfer", "QUEUE"),
    ("Escalation Desk", "PHONE_NUMBER"),
)
PHONE_NUMBERS = {
    "111111111111": "+12065550100",
    "222222222222": "+12065550200",
    "333333333333": "+12065550300",
}

_TOKEN = re.compile(r"\{\{([a-z-]+):([^{}]+)\}\}")


def stable_id(*parts: str) -> str:
    """A deterministic UUID for a seeded thing."""
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def instance_id_for(account: str) -> str:
    """The seeded instance id of ``account``."""
    return stable_id("instance", account)


def lex_ids(account: str, bot: str) -> tuple[str, str]:
    """Bot and alias ids of a seeded Lex V2 bot in ``account``: they differ per account.

    Like in AWS, only the names (served by the Lex V2 models API) are equal across
    accounts. Ten upper-case alphanumerics, as Lex V2 ids are.
    """
    digest = hashlib.sha256(f"{account}/{bot}".encode()).hexdigest().upper()
    return digest[:10], digest[10:20]


def seed(
    store_or_db: Store | str | Path,
    *,
    flows_per_instance_limit: int | None = None,
    region: str = REGION,
) -> dict[str, Any]:
    """Seed the three accounts; returns a summary ``{account: {instance_id, flows: n}}``.

    ``flows_per_instance_limit``, when given, is checked against the dev flow set so a seed
    never leaves an instance above the limit it will be served with.
    """
    store = store_or_db if isinstance(store_or_db, Store) else Store(store_or_db)
    try:
        if flows_per_instance_limit is not None and len(FLOWS) > flows_per_instance_limit:
            raise ValueError(
                f"the seed has {len(FLOWS)} flows, above the limit {flows_per_instance_limit}"
            )
        backend = Backend(store, SandboxConfig)
        lex = LexService(store)
        summary: dict[str, Any] = {}
        with store.transaction(write=True):
            for env, account in ACCOUNTS.items():
                summary[env] = _seed_account(backend, lex, account, region, flows=env == "dev")
        return summary
    finally:
        if store is not store_or_db:
            store.close()


def _seed_account(
    backend: Backend, lex: LexService, account: str, region: str, *, flows: bool
) -> dict[str, Any]:
    store, catalog = backend.store, backend.catalog
    iid = instance_id_for(account)
    instance = store.instance(iid) or backend.instances.add(
        account, region, INSTANCE_ALIAS, instance_id=iid
    )
    refs: dict[tuple[str, str], str] = {}

    def add(kind: str, name: str, **data: Any) -> str:
        arn = catalog.add(instance, kind, name, rid=stable_id(account, kind, name), data=data)
        refs[(kind, name)] = arn
        return arn

    for name in QUEUES:
        add("queue", name, QueueType="STANDARD")
    for name in PROMPTS:
        add("prompt", name)
    for name in HOURS:
        add("hours", name)
    for name, qtype in QUICK_CONNECTS:
        add("quick_connect", name, QuickConnectType=qtype)
    for name in LAMBDAS:
        arn = f"arn:aws:lambda:{region}:{account}:function:{name}"
        catalog.add(instance, "lambda", name, rid=name, arn=arn)
        refs[("lambda", name)] = arn
    for name, alias in LEX_V2_BOTS:
        bot_id, alias_id = lex_ids(account, name)
        lex.add_bot(account, region, bot_id, name)
        arn = lex.add_alias(account, region, bot_id, alias_id, alias)
        # databases seeded before ids became account-specific hold dev's ids everywhere
        store.delete_resources_named(iid, "lex_v2", name, keep=arn)
        catalog.add(instance, "lex_v2", name, rid=arn, arn=arn)
        refs[("lex", name)] = arn
    for name in USERS:
        add("user", name)
    for name in LEX_V1_BOTS:
        arn = f"lex-v1:{iid}:{region}:{name}"
        catalog.add(instance, "lex_v1", name, rid=name, arn=arn, data={"LexRegion": region})
    number = PHONE_NUMBERS.get(account, "+12065550999")
    phone_id = stable_id(account, "phone", number)
    phone_arn = f"arn:aws:connect:{region}:{account}:phone-number/{phone_id}"
    catalog.add(
        instance,
        "phone_number",
        number,
        rid=phone_id,
        arn=phone_arn,
        data={"CountryCode": "US", "Type": "DID", "Description": "Main number"},
    )
    result: dict[str, Any] = {"account": account, "instance_id": iid, "flows": 0, "modules": 0}
    if flows:
        result.update(_seed_flows(backend, instance, account, region, refs, phone_arn))
    return result


def _seed_flows(
    backend: Backend,
    instance: Instance,
    account: str,
    region: str,
    refs: dict[tuple[str, str], str],
    phone_arn: str,
) -> dict[str, int]:
    store, flows = backend.store, backend.flows
    caller = Caller(account=account, region=region, access_key=account)
    planned: list[tuple[SeedFlow, str, Any]] = []
    for spec in MODULES:
        mid = stable_id(account, "module", spec.name)
        refs[("module", spec.name)] = f"{instance.arn}/{MODULE.segment}/{mid}"
        refs[("module-id", spec.name)] = mid
        planned.append((spec, mid, MODULE))
    for spec in FLOWS:
        fid = stable_id(account, "flow", spec.name)
        refs[("flow", spec.name)] = f"{instance.arn}/{FLOW.segment}/{fid}"
        planned.append((spec, fid, FLOW))

    def resolve(text: str) -> str:
        return _TOKEN.sub(lambda m: refs[(m.group(1), m.group(2))], text)

    created = {"flows": 0, "modules": 0}
    inserted: list[tuple[SeedFlow, str]] = []  # (spec, content)
    for spec, fid, kind in planned:
        if store.flow_by_arn(refs[(kind.kind, spec.name)]) is not None:
            continue
        content = resolve(spec.content())
        settings = None
        if kind is MODULE:
            settings = json.dumps(json.loads(content).get("Settings", {}))
        flows.insert(
            caller,
            instance,
            kind,
            fid,
            name=spec.name,
            ftype=spec.type,
            description=spec.description,
            content=content,
            published=True,
            settings=settings,
            tags={"flowops:seed": "true"},
        )
        inserted.append((spec, content))
        created["modules" if kind is MODULE else "flows"] += 1
    ctx = flows.validation_context(caller, instance.id)
    for spec, content in inserted:
        problems = validate_content(content, ctx, spec.type)
        if problems:
            raise AssertionError(f"seed flow {spec.name!r} does not validate: {problems}")
    phone = store.resource(phone_arn)
    assert phone is not None
    if "ContactFlowArn" not in phone.data:
        data = phone.data | {"ContactFlowArn": refs[("flow", MAIN_FLOW)]}
        store.update_resource_data(phone_arn, data, now())
    return created
