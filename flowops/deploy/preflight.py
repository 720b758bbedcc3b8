"""Plan-time checks: everything a promote would fail on that can be known without writing.

``plan`` runs them and fails (exit 1) listing every problem, grouped per flow; ``promote``
runs the same checks (through ``compute_plan``) before its first write and writes nothing
when one fails. What is checked, against the target environment's catalog:

* **references** the target lacks (a queue, a Lambda alias, a flow outside the release,
  a Lex V1 bot by name);
* **literal ARNs** of another account or instance, and bare resource ids, left in a flow
  (a raw console export or API output: ``flowops import`` brings those in), unless the
  environment's ``allow_literals`` keeps that value with a reason;
* **name clashes**: two documents that become one name in the target (overrides), a flow
  whose name the target has for a flow of another type (names are unique per instance,
  whatever the type), a name Connect would refuse (1 to 127 characters, not blank);
* **content size**: the resolved content over Connect's 256,000 characters;
* **identifiers** Connect refuses: empty, not unique, over 50 characters, holding one of
  ``% : ( \\ / ) = $ , ; [ ] { }`` or a reserved name;
* **quotas**: flows and modules per instance (Connect's defaults 100 and 200, or the
  environment's ``quotas``), counting the flows the plan creates and the two helper flows
  each of ``quotas.canary_slots`` canaries will need;
* **structure** Connect validates on publish: ``Version``, a ``StartAction`` that names
  an action, every transition to an existing action, at most 250 actions;
* **actions** as Connect validates them on publish: known types, required parameters,
  parameter values (enums, ranges, DistributeByPercentage thresholds), the branches each
  type may have, and the action types allowed in the flow's type. Structure, identifiers
  and actions come from :mod:`flowops.model.action_rules`, the definition the sandbox
  enforces (documents with status SAVED: identifiers only, as Connect validates nothing).
* **tags** Connect refuses: keys starting ``aws:`` or over 128 characters, values over 256,
  more than 50 tags.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from flowops.config import Environment
from flowops.connect.catalog import Catalog, CatalogEntry
from flowops.errors import CheckFailedError
from flowops.model.action_rules import publish_problems
from flowops.model.document import FlowDocument
from flowops.refs import ANY_ARN, KIND_OF_KEY, UUID_RE, account_of, env_name, resolve

#: Connect's limits (CreateContactFlow / CreateContactFlowModule API reference).
MAX_CONTENT = 256_000
MAX_NAME = 127
#: Connect's default "Flows per instance" and "Modules per instance" quotas.
DEFAULT_FLOWS_PER_INSTANCE = 100
DEFAULT_MODULES_PER_INSTANCE = 200
#: Helper flows one running canary creates (stable and candidate variants).
CANARY_HELPERS = 2

_INSTANCE = re.compile(r":instance/([^/:\s\"',]+)")
#: Placeholder ARN length for flows the release creates (a real flow ARN's length).
_PENDING_ARN = "arn:aws:connect:us-east-1:000000000000:instance/" + "0" * 36 + "/contact-flow/"


@dataclass(frozen=True)
class Problem:
    """One thing promote would fail on, for one flow (``key``, git key) or the release."""

    key: str
    check: str  # reference, literal, name, size, identifier, quota, structure, action, tags
    message: str


class PreflightError(CheckFailedError):
    """Plan-time checks failed (exit 1); every problem listed, grouped per flow."""

    def __init__(self, env: str, problems: list[Problem]) -> None:
        self.env = env
        self.problems = problems
        lines: list[str] = []
        for key in dict.fromkeys(p.key for p in problems):
            lines.append(f"  {key}:")
            lines += [f"    {p.check}: {p.message}" for p in problems if p.key == key]
        hint = ""
        if any(p.check == "literal" for p in problems):
            hint = (
                "\nliteral ARNs or ids in flows/ usually come from a console export or API "
                "output: bring the file in with `flowops import FILE --env <source env>`"
            )
        super().__init__(
            f"plan for {env!r} fails {len(problems)} check(s); nothing was written:\n"
            + "\n".join(lines)
            + hint
        )


@dataclass(frozen=True)
class Quotas:
    """Per-instance quotas plan checks against (``quotas`` in the environment file)."""

    flows_per_instance: int = DEFAULT_FLOWS_PER_INSTANCE
    modules_per_instance: int = DEFAULT_MODULES_PER_INSTANCE
    canary_slots: int = 1


def instance_id_of(catalog: Catalog) -> str | None:
    """The instance id the catalog's Connect ARNs name (None for an empty catalog)."""
    for kind in ("flow", "module", "queue", "prompt", "hours"):
        for entry in catalog.entries(kind):
            found = _INSTANCE.search(entry.arn)
            if found:
                return found[1]
    return None


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for k, v in value.items():
            if k not in ("Text", "SSML"):
                yield from _strings(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, f"{path}[{i}]")


def _literals(key: str, doc: FlowDocument, env: Environment, instance: str | None) -> list[Problem]:
    out: list[Problem] = []
    for path, value in _strings(doc.flow.raw, "$"):
        if env.allows(value):
            continue
        for arn in ANY_ARN.findall(value):
            account = account_of(arn)
            where = f"at {path}: {value!r}"
            if account is not None and account != env.account_id:
                out.append(Problem(key, "literal", f"ARN of account {account} {where}"))
                break
            found = _INSTANCE.search(arn)
            if found and instance and found[1] != instance:
                out.append(Problem(key, "literal", f"ARN of instance {found[1]} {where}"))
                break
        else:
            last = path.rsplit(".", 1)[-1]
            if ".Parameters." in path and last in KIND_OF_KEY and UUID_RE.match(value):
                out.append(Problem(key, "literal", f"bare resource id at {path}: {value!r}"))
    return out


def _lex_v1(key: str, doc: FlowDocument, catalog: Catalog) -> list[Problem]:
    """Lex V1 bots are named, not referenced by ARN: the target must have the name.

    Checked only where the catalog lists Lex V1 bots at all (an account without them, or
    without the permission to list them, gets no false alarm).
    """
    known = {e.name for e in catalog.entries("lexbot_v1")}
    if not known:
        return []
    out: list[Problem] = []
    for action in doc.flow.raw.get("Actions") or []:
        params = action.get("Parameters") if isinstance(action, Mapping) else None
        bot = params.get("LexBot") if isinstance(params, Mapping) else None
        name = bot.get("Name") if isinstance(bot, Mapping) else None
        if isinstance(name, str) and not name.startswith("$") and name not in known:
            ident = action.get("Identifier")
            out.append(
                Problem(
                    key,
                    "reference",
                    f"Lex V1 bot {name!r} (action {ident!r}) is not associated with the instance",
                )
            )
    return out


def _structure(key: str, doc: FlowDocument) -> list[Problem]:
    """The checks Connect applies on publish, from the one definition the sandbox uses
    (:func:`flowops.model.action_rules.publish_problems`); SAVED content is not validated
    by Connect, so only its identifiers are checked."""
    ftype = "MODULE" if doc.info.kind == "module" else doc.info.type
    found = publish_problems(doc.flow.raw, ftype)
    if doc.info.status.upper() == "SAVED":
        found = [p for p in found if p.check == "identifier"]
    return [Problem(key, p.check, p.message) for p in found]


def _tags(key: str, doc: FlowDocument) -> list[Problem]:
    tags = doc.info.tags
    out = [
        Problem(key, "tags", f"tag key {k!r}: 1 to 128 characters, not starting with 'aws:'")
        for k in tags
        if not k or len(k) > 128 or k.startswith("aws:")
    ]
    out += [
        Problem(key, "tags", f"tag {k!r}: value over 256 characters")
        for k, v in tags.items()
        if len(v) > 256
    ]
    if len(tags) > 50:
        out.append(Problem(key, "tags", f"{len(tags)} tags; Connect allows 50"))
    return out


def _pending(desired: Mapping[str, FlowDocument], env: Environment) -> dict[str, CatalogEntry]:
    """Stand-ins for flows of the release, as long as real ARNs (for the size check)."""
    out: dict[str, CatalogEntry] = {}
    for i, (key, doc) in enumerate(sorted(desired.items())):
        name = env_name(doc.info.kind, doc.info.name, env.overrides)
        rid = f"{i:036d}"
        out[key] = CatalogEntry(doc.info.kind, name, rid, _PENDING_ARN + rid)
    return out


def preflight(
    env: Environment,
    desired: Mapping[str, FlowDocument],
    catalog: Catalog,
    quotas: Quotas | None = None,
) -> list[Problem]:
    """Every problem the managed ``desired`` documents would hit in ``env``; empty: none."""
    quotas = quotas or env_quotas(env)
    problems: list[Problem] = []
    instance = instance_id_of(catalog)
    pending = _pending(desired, env)
    names: dict[tuple[str, str], list[str]] = {}
    for key, doc in sorted(desired.items()):
        name = env_name(doc.info.kind, doc.info.name, env.overrides)
        names.setdefault((doc.info.kind, name), []).append(key)
        live = catalog.flow(doc.info.kind, name)
        if live is not None and doc.info.kind == "flow" and live.type != doc.info.type:
            problems.append(
                Problem(
                    key,
                    "name",
                    f"{name!r} exists in {env.name} as a {live.type} flow, {doc.info.type} in "
                    "git (a name is unique per instance and Connect cannot change a type)",
                )
            )
        if not name.strip() or len(name) > MAX_NAME:
            problems.append(
                Problem(
                    key,
                    "name",
                    f"name {name!r}: Connect wants 1 to {MAX_NAME} characters, not blank",
                )
            )
        resolved, unresolved = resolve(doc.flow.raw, catalog, env.overrides, pending=pending)
        problems += [Problem(key, "reference", u.describe()) for u in unresolved]
        problems += _literals(key, doc, env, instance)
        problems += _lex_v1(key, doc, catalog)
        size = len(json.dumps(resolved, separators=(",", ":"), ensure_ascii=False))
        if size > MAX_CONTENT:
            problems.append(
                Problem(
                    key,
                    "size",
                    f"content is {size:,} characters resolved; Connect allows {MAX_CONTENT:,}",
                )
            )
        if doc.format == "content":
            problems.append(
                Problem(
                    key,
                    "literal",
                    f"{doc.source or key} is a raw console export or API output, not a "
                    "flowops document",
                )
            )
        problems += _structure(key, doc)
        problems += _tags(key, doc)
    for (kind, name), keys in names.items():
        if len(keys) > 1:
            for key in keys:
                others = ", ".join(k for k in keys if k != key)
                problems.append(
                    Problem(key, "name", f"becomes {kind} {name!r} in {env.name}, as {others} does")
                )
    problems += _quota(env, desired, catalog, quotas)
    return problems


def _quota(
    env: Environment, desired: Mapping[str, FlowDocument], catalog: Catalog, quotas: Quotas
) -> list[Problem]:
    out: list[Problem] = []
    for kind, limit, helpers in (
        ("flow", quotas.flows_per_instance, CANARY_HELPERS * quotas.canary_slots),
        ("module", quotas.modules_per_instance, 0),
    ):
        live = sum(1 for f in catalog.flows.values() if f.kind == kind)
        creates = sum(
            1
            for doc in desired.values()
            if doc.info.kind == kind
            and catalog.flow(kind, env_name(kind, doc.info.name, env.overrides)) is None
        )
        if creates and live + creates + helpers > limit:
            noun = "flows" if kind == "flow" else "modules"
            canary = f" + {helpers} for canaries (quotas.canary_slots)" if helpers else ""
            out.append(
                Problem(
                    "(release)",
                    "quota",
                    f"{live} {noun} live + {creates} to create{canary} exceeds the "
                    f"{limit} {noun}-per-instance quota of {env.name} (raise it in Service "
                    f"Quotas, then set quotas.{kind}s_per_instance in {env.name}'s file)",
                )
            )
    return out


def env_quotas(env: Environment) -> Quotas:
    """The environment's quotas (``quotas`` in its file), Connect's defaults otherwise."""
    raw = env.quotas or {}
    return Quotas(
        flows_per_instance=int(raw.get("flows_per_instance", DEFAULT_FLOWS_PER_INSTANCE)),
        modules_per_instance=int(raw.get("modules_per_instance", DEFAULT_MODULES_PER_INSTANCE)),
        canary_slots=int(raw.get("canary_slots", 1)),
    )


def check(env: Environment, desired: Mapping[str, FlowDocument], catalog: Catalog) -> None:
    """Raise ``PreflightError`` when any check fails (the hook plan and promote call)."""
    problems = preflight(env, desired, catalog)
    if problems:
        raise PreflightError(env.name, problems)
