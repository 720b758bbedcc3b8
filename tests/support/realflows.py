"""Real flows written by other teams, loaded into the sandbox as a new user would have them.

For tests and benchmarks of ``../shared/corpus``: each corpus flow names resources of an
account nobody has (queues, prompts, hours, agents, quick connects, Lambda functions, Lex
bots, other flows and modules, Wisdom or Cognito ARNs, case templates). :func:`prepare`
reads the flows and records every such reference; :func:`load` recreates what they name
in an environment's account with plain boto3, **with the same names** in every account
(so dev, staging and prod each hold a ``queue-9d1b092e`` of their own), and rewrites each
reference to that account's resource *in its original form* (bare id stays an id, a
qualified ARN keeps its qualifier). Flows named only by id become small stub flows or
modules in dev (promote creates them elsewhere); values no Connect list can name
(Wisdom, Cognito, case templates) get a per-environment value under
``overrides.literal``.

Flows that cannot be loaded are left out with the reason: drafts Connect refuses to
publish, template placeholders (``${X}``, ``%%X%%``) where a resource would be, views of
the instance (which the sandbox does not model).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from flowops.model.action_rules import FORBIDDEN_FLOW_TYPES
from flowops.refs import UUID_RE
from flowops.sandbox.lex import bot_alias_arn
from flowops.sandbox.seed import REGION

#: Prefix of every flow and resource name :func:`load` creates (``managed.names``).
PREFIX = "rf-"

# Accounts, Regions and instances as real files have them, redacted ones included
# (``XXXXXXXXXXXX``, ``DUMMY``, ``<<ACCOUNT>>``, ``{ACCOUNT_ID}``).
_CONNECT = re.compile(
    r"^arn:aws:connect:[^:]+:[^:]+:instance/[^/]+/"
    r"(?P<rtype>[a-z-]+)/(?P<rid>[^/:]+)(?::(?P<q>[^:]+))?$"
)
_LAMBDA = re.compile(
    r"^arn:aws:lambda:[^:]+:[^:]+:function:(?P<name>[A-Za-z0-9_-]+)(?::(?P<q>[^:]+))?$"
)
_LEX = re.compile(
    r"^arn:aws:lex:[^:]+:[^:]+:bot-alias/(?P<bot>[A-Za-z0-9]+)/(?P<alias>[A-Za-z0-9]+)$"
)
_OTHER = re.compile(
    r"^arn:aws:(?P<service>[a-z0-9-]+):[a-z0-9-]+:(?P<account>\d{12}):(?P<rest>.+)$"
)
_PLACEHOLDER = re.compile(r"\$\{|%%|!GetAtt|\{\{")

_RTYPES = {
    "queue": "queue",
    "prompt": "prompt",
    "operating-hours": "hours",
    "contact-flow": "flow",
    "flow-module": "module",
    "agent": "agent",
    "transfer-destination": "quickconnect",
}
#: A bare id's kind from words in its parameter key.
_KEY_WORDS = (
    ("queue", "queue"),
    ("module", "module"),
    ("flow", "flow"),
    ("prompt", "prompt"),
    ("hours", "hours"),
    ("agent", "agent"),
)
FLOW_TYPES = {
    "contactflow": "CONTACT_FLOW",
    "customerqueue": "CUSTOMER_QUEUE",
    "customerhold": "CUSTOMER_HOLD",
    "customerwhisper": "CUSTOMER_WHISPER",
    "agenthold": "AGENT_HOLD",
    "agentwhisper": "AGENT_WHISPER",
    "outboundwhisper": "OUTBOUND_WHISPER",
    "agenttransfer": "AGENT_TRANSFER",
    "queuetransfer": "QUEUE_TRANSFER",
}


@dataclass(frozen=True)
class Ref:
    """One resource a corpus flow names: its kind, the name it gets, how it was written."""

    kind: (
        str  # queue, prompt, hours, flow, module, agent, quickconnect, lambda, lexbot(_v1), literal
    )
    name: str  # the same in every account
    original: str  # the value as the corpus file has it


@dataclass
class RealFlow:
    """A corpus flow ready to load: its name, type, content and the resources it names."""

    file: str
    name: str
    kind: str  # flow or module
    type: str
    content: dict[str, Any]
    refs: list[Ref] = field(default_factory=list)
    templated: bool = False  # placeholders were filled as a migrating team would
    draft: bool = False  # StartAction names no action: loaded SAVED (Connect will not publish)


@dataclass
class Corpus:
    """What :func:`prepare` made of a set of corpus files."""

    flows: list[RealFlow]
    left_out: dict[str, str]  # file -> reason

    def refs(self) -> dict[str, Ref]:
        """Every referenced value (as written in the corpus) -> its resource."""
        out: dict[str, Ref] = {}
        for flow in self.flows:
            for ref in flow.refs:
                out.setdefault(ref.original, ref)
        return out


def _strings(value: Any, keys: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    if isinstance(value, str):
        yield keys, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, (*keys, str(k)))
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v, keys)


#: The kind a placeholder names, from its parameter key (or container).
_PLACEHOLDER_KINDS = {
    "LambdaFunctionARN": "lambda",
    "ContactFlowId": "flow",
    "ContactFlowArn": "flow",
    "EventHooks": "flow",
    "FlowModuleId": "module",
    "QueueId": "queue",
    "AgentId": "agent",
    "PromptId": "prompt",
    "HoursOfOperationId": "hours",
    "AliasArn": "lexbot",
    "WisdomAssistantArn": "literal",
    "CaseTemplateId": "literal",
}
_HINTS = (
    ("contact-flow", "flow"),
    ("contactflow", "flow"),
    ("flow-module", "module"),
    ("function", "lambda"),
    ("lambda", "lambda"),
    ("bot-alias", "lexbot"),
    ("/queue/", "queue"),
    ("/prompt/", "prompt"),
    ("prompts.", "prompt"),
)
_INNER = re.compile(r"\$\{([^}]+)\}|%%([^%]+)%%|\{\{([^}]+)\}\}|!GetAtt\s+(\S+)")


def placeholder_ref(value: str, keys: tuple[str, ...]) -> Ref | None:
    """The resource a template placeholder stands for, as a migrating team would fill it."""
    kind = next((_PLACEHOLDER_KINDS[k] for k in reversed(keys) if k in _PLACEHOLDER_KINDS), None)
    lowered = value.lower()
    if kind is None:
        kind = next((k for hint, k in _HINTS if hint in lowered), None)
    if kind is None:
        return None
    inner = [next(g for g in m.groups() if g) for m in _INNER.finditer(value)]
    label = re.sub(r"[^A-Za-z0-9_-]+", "-", inner[-1] if inner else value).strip("-")[-40:]
    if kind == "literal":
        return Ref(kind, f"tpl-{label}", value)
    if kind == "lexbot":
        return Ref(kind, f"{PREFIX}bot-{label.lower()}/live", value)
    return Ref(kind, f"{PREFIX}{kind}-{label}", value)


def _fill_text(value: str, key: str) -> str:
    """A stand-in for a placeholder in a value that names no resource."""
    if key == "ThirdPartyPhoneNumber":
        return "+12065550100"
    if key == "TextToSpeechVoice":
        return "Joanna"
    return _INNER.sub(lambda m: next(g for g in m.groups() if g), value)


def _fill_templates(value: Any, keys: tuple[str, ...], refs: list[Ref]) -> Any:
    if isinstance(value, str):
        if not _PLACEHOLDER.search(value) or (keys and keys[-1] in ("Text", "SSML")):
            return value
        ref = placeholder_ref(value, keys)
        if ref is None:
            return _fill_text(value, keys[-1] if keys else "")
        refs.append(ref)
        return value
    if isinstance(value, dict):
        return {k: _fill_templates(v, (*keys, str(k)), refs) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill_templates(v, keys, refs) for v in value]
    return value


def _short(rid: str) -> str:
    return rid.replace("-", "")[:8]


def classify(value: str, key: str) -> Ref | None:
    """The resource a corpus value names (None: not a reference)."""
    found = _CONNECT.match(value)
    if found:
        kind = _RTYPES.get(found["rtype"])
        if kind is None:
            return None
        return Ref(kind, f"{PREFIX}{kind}-{_short(found['rid'])}", value)
    found = _LAMBDA.match(value)
    if found:
        return Ref("lambda", f"{PREFIX}{found['name']}"[:64], value)
    found = _LEX.match(value)
    if found:
        return Ref("lexbot", f"{PREFIX}bot-{found['bot'].lower()}/{found['alias'].lower()}", value)
    found = _OTHER.match(value)
    if found and found["service"] not in ("connect", "lambda", "lex"):
        return Ref(
            "literal",
            f"{found['service']}-{_short(uuid.uuid5(uuid.NAMESPACE_URL, value).hex)}",
            value,
        )
    if UUID_RE.match(value):
        lowered = key.lower()
        for word, kind in _KEY_WORDS:
            if word in lowered:
                return Ref(kind, f"{PREFIX}{kind}-{_short(value)}", value)
        return Ref("literal", f"id-{_short(value)}", value)
    return None


def _fitting_type(actions: list[Any]) -> str:
    """The first flow type every action may appear in (files without a designer type)."""
    types = [a.get("Type") for a in actions if isinstance(a, dict)]
    for ftype in FLOW_TYPES.values():
        if not any(ftype in FORBIDDEN_FLOW_TYPES.get(str(t), ()) for t in types):
            return ftype
    return "CONTACT_FLOW"


def prepare(files: Iterable[Path]) -> Corpus:
    """Read corpus files: the flows that can be loaded, and why the others cannot."""
    flows: list[RealFlow] = []
    left_out: dict[str, str] = {}
    names: set[str] = set()
    for path in files:
        try:
            content = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            left_out[path.name] = "not JSON"
            continue
        actions = content.get("Actions") if isinstance(content, dict) else None
        if not isinstance(actions, list) or not actions:
            left_out[path.name] = "not in the flow language (no Actions)"
            continue
        ids = {a.get("Identifier") for a in actions if isinstance(a, dict)}
        draft = content.get("StartAction") not in ids  # Connect keeps it only as SAVED
        if draft and "Settings" in content:
            left_out[path.name] = (
                "draft module: StartAction names no action, and CreateContactFlowModule "
                "has no SAVED status (Connect validates a module on create)"
            )
            continue
        refs: list[Ref] = []
        reason = None
        templated = False
        for action in actions:
            if isinstance(action.get("Transitions"), dict):
                action["Transitions"] = _fill_templates(action["Transitions"], ("Operands",), [])
            params = action.get("Parameters") or {}
            filled = _fill_templates(params, (), refs)
            if filled != params or refs:
                templated = templated or any(_PLACEHOLDER.search(r.original) for r in refs)
                action["Parameters"] = filled
            operands = [
                ((), op)
                for cond in (action.get("Transitions") or {}).get("Conditions") or []
                for op in (cond.get("Condition") or {}).get("Operands") or []
                if isinstance(op, str)
            ]
            for keys, value in [*_strings(filled), *operands]:
                key = keys[-1] if keys else ""
                if key in ("Text", "SSML") or _PLACEHOLDER.search(value):
                    continue
                if "/view/" in value and ":aws:view/" not in value:
                    reason = "shows a view of its own instance (views are not in the sandbox)"
                    break
                if keys[-2:] == ("LexBot", "Name"):  # Lex V1: a bot named, not an ARN
                    refs.append(Ref("lexbot_v1", value, value))
                    continue
                ref = classify(value, key)
                if ref is not None:
                    refs.append(ref)
            if reason:
                break
        if reason:
            left_out[path.name] = reason
            continue
        meta = content.get("Metadata") if isinstance(content.get("Metadata"), dict) else {}
        kind = "module" if "Settings" in content else "flow"
        ftype = (
            "MODULE"
            if kind == "module"
            else FLOW_TYPES.get(str(meta.get("type", "")).lower()) or _fitting_type(actions)
        )
        name = PREFIX + re.sub(r"[^A-Za-z0-9_-]+", "-", path.stem.split("__", 2)[-1])[-90:]
        while name in names:
            name += "-2"
        names.add(name)
        flows.append(RealFlow(path.name, name, kind, ftype, content, refs, templated, draft))
    return Corpus(flows, left_out)


# --- loading into one account -------------------------------------------------------------


@dataclass
class Loaded:
    """What :func:`load` made in one account: value as written in the corpus -> its value
    here, the flows' ids by name, and the literal values (``overrides.literal``)."""

    account: str
    instance_id: str
    values: dict[str, str] = field(default_factory=dict)
    literals: dict[str, str] = field(default_factory=dict)
    flow_ids: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)  # flow name -> Connect's reason


def _stub_content(kind: str) -> str:
    if kind == "module":
        return json.dumps(
            {
                "Version": "2019-10-30",
                "StartAction": "end",
                "Actions": [
                    {"Identifier": "end", "Type": "EndFlowModuleExecution", "Parameters": {}}
                ],
                "Settings": {"InputParameters": [], "OutputParameters": [], "Transitions": []},
            }
        )
    return json.dumps(
        {
            "Version": "2019-10-30",
            "StartAction": "bye",
            "Actions": [{"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}}],
        }
    )


def _rewrite(value: Any, values: dict[str, str]) -> Any:
    if isinstance(value, str):
        if value in values:
            return values[value]
        for old, new in values.items():
            if len(old) > 20 and old in value:
                value = value.replace(old, new)
        return value
    if isinstance(value, dict):
        return {k: _rewrite(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [_rewrite(v, values) for v in value]
    return value


def load(
    corpus: Corpus,
    client: Any,
    instance_id: str,
    account: str,
    *,
    sandbox: Any,
    with_flows: bool,
) -> Loaded:
    """Recreate every resource ``corpus`` names in ``account`` (same names everywhere).

    With ``with_flows`` (dev) also the stub flows/modules the corpus names by id and the
    corpus flows themselves, rewritten to this account's resources; a flow Connect
    refuses is recorded in ``failed``. ``sandbox`` is the ``SandboxServer``: agents and
    Lex V2 bots are added to its store (Connect has no API to create them).
    """
    out = Loaded(account, instance_id)
    instance = f"arn:aws:connect:{REGION}:{account}:instance/{instance_id}"
    hours = client.create_hours_of_operation(
        InstanceId=instance_id,
        Name=f"{PREFIX}base-hours",
        TimeZone="UTC",
        Config=[
            {
                "Day": "MONDAY",
                "StartTime": {"Hours": 9, "Minutes": 0},
                "EndTime": {"Hours": 17, "Minutes": 0},
            }
        ],
    )["HoursOfOperationId"]
    made: dict[tuple[str, str], tuple[str, str]] = {}  # (kind, name) -> (id, arn)
    stubs: list[Ref] = []
    for original, ref in sorted(corpus.refs().items()):
        key = (ref.kind, ref.name)
        if key not in made:
            made[key] = _create(client, sandbox, instance_id, instance, account, ref, hours, stubs)
        rid, arn = made[key]
        if ref.kind == "literal":
            out.literals[ref.name] = arn
            out.values[original] = arn
            continue
        out.values[original] = _same_form(original, rid, arn, ref.kind)
    if not with_flows:
        return out
    for ref in stubs:
        fid = _create_flow(
            client, instance_id, ref.name, ref.kind, "CONTACT_FLOW", _stub_content(ref.kind)
        )
        if fid is None:
            raise AssertionError(f"stub {ref.name} refused")
        out.flow_ids[ref.name] = fid
        arn = f"{instance}/{'flow-module' if ref.kind == 'module' else 'contact-flow'}/{fid}"
        for original, other in corpus.refs().items():
            if (other.kind, other.name) == (ref.kind, ref.name):
                out.values[original] = _same_form(original, fid, arn, ref.kind)
    for flow in corpus.flows:
        content = _rewrite(flow.content, out.values)
        try:
            fid = _create_flow(
                client,
                instance_id,
                flow.name,
                flow.kind,
                flow.type,
                json.dumps(content),
                flow.draft,
            )
        except ClientError as error:  # a flow Connect refuses is recorded, not fatal
            problems = error.response.get("problems") or error.response.get("Problems") or []
            detail = "; ".join(str(p.get("message", p)) for p in problems)
            out.failed[flow.name] = detail or error.response["Error"]["Message"]
            continue
        if fid is not None:
            out.flow_ids[flow.name] = fid
    return out


def _same_form(original: str, rid: str, arn: str, kind: str) -> str:
    if UUID_RE.match(original) or (kind == "module" and _PLACEHOLDER.search(original)):
        return rid
    qualifier = None
    for regex in (_CONNECT, _LAMBDA):
        found = regex.match(original)
        if found and found["q"]:
            qualifier = found["q"]
    if qualifier is None:
        return arn
    if kind == "lambda":
        return arn  # associated qualified
    return f"{arn}:{qualifier}"


def _create(
    client: Any,
    sandbox: Any,
    instance_id: str,
    instance: str,
    account: str,
    ref: Ref,
    hours: str,
    stubs: list[Ref],
) -> tuple[str, str]:
    name = ref.name
    if ref.kind == "queue":
        r = client.create_queue(InstanceId=instance_id, Name=name, HoursOfOperationId=hours)
        return r["QueueId"], r["QueueArn"]
    if ref.kind == "prompt":
        r = client.create_prompt(
            InstanceId=instance_id, Name=name, S3Uri=f"s3://prompts/{name}.wav"
        )
        return r["PromptId"], r["PromptARN"]
    if ref.kind == "hours":
        r = client.create_hours_of_operation(
            InstanceId=instance_id, Name=name, TimeZone="UTC", Config=[]
        )
        return r["HoursOfOperationId"], r["HoursOfOperationArn"]
    if ref.kind == "quickconnect":
        r = client.create_quick_connect(
            InstanceId=instance_id,
            Name=name,
            QuickConnectConfig={
                "QuickConnectType": "PHONE_NUMBER",
                "PhoneConfig": {"PhoneNumber": "+12065550100"},
            },
        )
        return r["QuickConnectId"], r["QuickConnectARN"]
    if ref.kind == "lambda":
        found = _LAMBDA.match(ref.original)
        arn = f"arn:aws:lambda:{REGION}:{account}:function:{name}"
        if found and found["q"]:
            arn += f":{found['q']}"
        client.associate_lambda_function(InstanceId=instance_id, FunctionArn=arn)
        return arn, arn
    if ref.kind == "lexbot":
        bot, alias = name[len(PREFIX) :].split("/")
        bot_id = _short(uuid.uuid5(uuid.NAMESPACE_URL, f"{account}/{bot}").hex).upper() + "BT"
        alias_id = _short(uuid.uuid5(uuid.NAMESPACE_URL, f"{account}/{name}").hex).upper() + "AL"
        with sandbox.store.transaction(write=True):
            sandbox.lex.add_bot(account, REGION, bot_id, f"{PREFIX}{bot}")
            arn = sandbox.lex.add_alias(account, REGION, bot_id, alias_id, alias)
        client.associate_bot(InstanceId=instance_id, LexV2Bot={"AliasArn": arn})
        return arn, arn
    if ref.kind == "lexbot_v1":
        client.associate_bot(InstanceId=instance_id, LexBot={"Name": name, "LexRegion": REGION})
        return name, name
    if ref.kind == "agent":
        rid = str(uuid.uuid4())
        with sandbox.store.transaction(write=True):
            row = sandbox.store.instance(instance_id)
            arn = sandbox.backend.catalog.add(row, "user", name, rid=rid)
        return rid, arn
    if ref.kind in ("flow", "module"):
        stubs.append(ref)
        return "", ""
    # literal: a value of this account, named the same everywhere
    found = _OTHER.match(ref.original)
    if found:
        value = f"arn:aws:{found['service']}:{REGION}:{account}:{found['rest']}"
        return value, value
    value = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{account}/{ref.original}"))
    if "arn" in ref.original.lower():
        value = f"arn:aws:wisdom:{REGION}:{account}:assistant/{value}"
    return value, value


def _create_flow(
    client: Any,
    instance_id: str,
    name: str,
    kind: str,
    ftype: str,
    content: str,
    draft: bool = False,
) -> str | None:
    if kind == "module":
        settings = json.loads(content).get("Settings")  # its own member too, as Connect has it
        extra = {"Settings": json.dumps(settings)} if isinstance(settings, dict) else {}
        r = client.create_contact_flow_module(
            InstanceId=instance_id, Name=name, Content=content, **extra
        )
        return str(r["Id"])
    r = client.create_contact_flow(
        InstanceId=instance_id,
        Name=name,
        Type=ftype,
        Content=content,
        Status="SAVED" if draft else "PUBLISHED",
    )
    return str(r["ContactFlowId"])


def expected_in(source: Loaded, target: Loaded) -> dict[str, str]:
    """Substring replacements that turn a source flow's content into the target's."""
    out = {source.account: target.account, source.instance_id: target.instance_id}
    for original, value in source.values.items():
        if target.values.get(original) and target.values[original] != value:
            out[value] = target.values[original]
    for name, fid in source.flow_ids.items():
        if name in target.flow_ids:
            out[fid] = target.flow_ids[name]
    return out


def bot_alias(account: str, bot_id: str, alias_id: str) -> str:
    """The Lex V2 alias ARN of a loaded bot (for assertions)."""
    return bot_alias_arn(REGION, account, bot_id, alias_id)
