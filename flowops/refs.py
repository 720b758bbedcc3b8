"""Symbolic references: account-specific ARNs and ids <-> ``<kind>:<name>`` strings.

A flow file in git must name no account. Export replaces every ARN or id the account's
catalog knows with a *symbolic reference* (``queue:Support``, ``flow:Main IVR``,
``module:Survey``, ``lambda:lookup-customer``, ``lexbot:OrderBot/Prod``, ``view:Details``);
promote
resolves them against the target environment's catalog. Names in git are the *git
names*; an environment may rename a resource through its ``overrides``
(``{"queue": {"Support": "Support-EU"}}``): resolve maps git name -> environment name,
symbolize maps back, so a round trip through an overridden environment gives the same file.

Where references live (``shared/reference/flow-language.md`` section 6): anywhere in an
action's ``Parameters`` (``QueueId``, ``ContactFlowId``, ``FlowModuleId``, ``Attributes.*``,
``FlowAttributes.*.Value``, ``LambdaFunctionARN``, ``PromptId``, ``LexV2Bot.AliasArn``,
``EventHooks.*`` ...), never in prose (``Text``, ``SSML``), and in condition operands (a
Compare on ``$.Queue.ARN`` names queues). The designer mirrors them in ``Metadata.ActionMetadata``
(``{"queue": {"id": <arn>, "text": "BasicQueue"}}``, ``parameters.QueueId.displayName``);
those mirrors are rewritten too, with the catalog's name as the display text, because the
account's catalog is the authority and a stale display name is just a label.

A reference keeps the *form* it was written in. ``queue:Support`` is the ARN form (or
the bare id under ``FlowModuleId``, where Connect wants ids); a bare id where an ARN
would be the default is ``queue#id:Support`` (and an ARN where an id would be,
``module#arn:Survey``); a qualified ARN keeps its qualifier: ``lambda@live:routing``
(``arn:...:function:routing:live``), ``flow@3:Main IVR`` (``.../contact-flow/<id>:3``).
The markers sit in the kind part, which is a fixed vocabulary, so any name stays
unambiguous. Resources no catalog lists (a Wisdom assistant, a Cognito user pool, a case
template) are named per environment in its ``literals`` (``literal:kb-assistant``), or
kept as written when the environment's ``allow_literals`` says why.

Teams migrating from templated flows replace each placeholder with its reference:
``${var.queue_support_arn}`` becomes ``queue:Support``, ``${var.contact_flows_map["x"]}``
becomes ``flow:x``. JSONPath values (``$.Attributes.x``) and anything unrecognised stay
as they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal, Protocol, get_args

#: Every kind of resource a symbolic reference may name (and the catalog lists).
ResourceKind = Literal[
    "flow",
    "module",
    "queue",
    "prompt",
    "hours",
    "lambda",
    "lexbot",
    "lexbot_v1",
    "quickconnect",
    "phonenumber",
    "agent",
    "view",
    "literal",
]
KINDS: tuple[str, ...] = get_args(ResourceKind)

_SYMBOL_RE = re.compile(
    r"^(?P<kind>" + "|".join(sorted(KINDS, key=len, reverse=True)) + r")"
    r"(?:#(?P<form>id|arn))?(?:@(?P<qualifier>[^:\s]+))?:(?P<name>\S.*)$",
    re.DOTALL,
)

#: Parameter keys whose values are prose; a ``queue:x``-looking sentence there is text.
PROSE_KEYS = frozenset({"Text", "SSML", "Message", "Content", "Description", "Name"})

#: Connect ARN resource types -> reference kinds.
_CONNECT_TYPES = {
    "queue": "queue",
    "contact-flow": "flow",
    "flow-module": "module",
    "prompt": "prompt",
    "operating-hours": "hours",
    "transfer-destination": "quickconnect",
    "agent": "agent",
    "view": "view",
}
_CONNECT_ARN = re.compile(
    r"^arn:aws[a-z-]*:connect:[^:]*:(?P<account>[^:]*):instance/[^/:]+/"
    r"(?P<rtype>[a-z-]+)/[^/:]+(?::.*)?$"
)
_PHONE_ARN = re.compile(r"^arn:aws[a-z-]*:connect:[^:]*:(?P<account>[^:]*):phone-number/.+$")
_LAMBDA_ARN = re.compile(r"^arn:aws[a-z-]*:lambda:[^:]*:(?P<account>[^:]*):function:.+$")
_LEX_V2_ARN = re.compile(r"^arn:aws[a-z-]*:lex:[^:]*:(?P<account>[^:]*):bot-alias/.+$")
_LEX_V1_ARN = re.compile(r"^arn:aws[a-z-]*:lex:[^:]*:(?P<account>[^:]*):bot:.+$")

#: Parameter keys whose id must be the bare resource id rather than an ARN.
_ID_KEYS = frozenset({"FlowModuleId"})

#: A qualified ARN: a flow/module version or alias, a Lambda alias or version.
_QUALIFIED_ARN = re.compile(
    r"^(?P<base>arn:aws[a-z-]*:(?:connect:[^:]*:[^:]*:instance/[^/:]+/[a-z-]+/[^/:]+"
    r"|lambda:[^:]*:[^:]*:function:[^:]+)):(?P<qualifier>[^:]+)$"
)
#: A bare resource id as Connect makes them (and action identifiers, outside Parameters).
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
#: Any ARN inside a longer string.
ANY_ARN = re.compile(r"arn:aws[a-z-]*:[a-z0-9-]+:[^\s\"',]*")
_ACCOUNT_IN_ARN = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:[^:]*:(?P<account>\d{12}):")

#: Template placeholders other tools leave in flows (CloudFormation ``${X}``, Terraform
#: ``${var.x}``, ``%%X%%``, ``!GetAtt X.Arn``): each must become a symbolic reference.
_PLACEHOLDER_RE = re.compile(r"^(\$\{[^}]+\}|%%[^%]+%%|!GetAtt\s+\S+)$")

#: The kind a reference under a parameter key usually has (for migration hints).
KIND_OF_KEY = {
    "QueueId": "queue",
    "AgentId": "agent",
    "ContactFlowId": "flow",
    "ContactFlowArn": "flow",
    "FlowModuleId": "module",
    "LambdaFunctionARN": "lambda",
    "PromptId": "prompt",
    "HoursOfOperationId": "hours",
    "AliasArn": "lexbot",
}


class Entry(Protocol):
    """What refs needs of a catalog entry (``flowops.connect.CatalogEntry``)."""

    @property
    def kind(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def id(self) -> str: ...
    @property
    def arn(self) -> str: ...


class CatalogLike(Protocol):
    """What refs needs of a catalog (``flowops.connect.Catalog``)."""

    def by_arn(self, arn: str) -> Entry | None: ...
    def by_name(self, kind: str, name: str) -> Entry | None: ...


Overrides = Mapping[str, Mapping[str, str]]


@dataclass(frozen=True)
class Unresolved:
    """A reference that could not be translated, with where it was found."""

    kind: str | None  # None when an ARN's kind is not recognised
    value: str  # the symbolic reference or ARN as written
    name: str | None  # the name looked up in the environment (after overrides)
    action: str | None  # action identifier, None outside actions
    path: str  # JSON path inside the content
    reason: str = ""  # why it cannot be symbolized (export) or resolved

    def describe(self) -> str:
        """One line for error messages and reports."""
        what = f"{self.kind} {self.name!r}" if self.kind and self.name else self.value
        if self.reason and not self.name:
            what = repr(self.value)
        if _PLACEHOLDER_RE.match(self.value):
            example = f"{self.kind or '<kind>'}:<name>"
            what = f"template placeholder {self.value!r} (write a reference such as {example!r})"
        where = f"action {self.action!r} at {self.path}" if self.action else self.path
        reason = f": {self.reason}" if self.reason else ""
        return f"{what} ({where}){reason}"


@dataclass(frozen=True)
class Reference:
    """A parsed symbolic reference: kind, git name, written form and qualifier."""

    kind: str
    name: str
    form: str | None = None  # "id" or "arn" when it differs from the key's default
    qualifier: str | None = None  # version / alias kept from a qualified ARN

    def text(self) -> str:
        """The reference as written in a flow file."""
        return symbol(self.kind, self.name, self.form, self.qualifier)


def parse_reference(value: str) -> Reference | None:
    """``"lambda@live:routing"`` -> ``Reference("lambda", "routing", None, "live")``."""
    found = _SYMBOL_RE.match(value)
    if not found:
        return None
    return Reference(found["kind"], found["name"], found["form"], found["qualifier"])


def split_qualifier(value: str) -> tuple[str, str | None]:
    """A qualified flow/module/Lambda ARN -> (unqualified ARN, qualifier)."""
    found = _QUALIFIED_ARN.match(value)
    return (found["base"], found["qualifier"]) if found else (value, None)


def default_form(key: str) -> str:
    """The form a reference takes under a parameter key when no marker says otherwise."""
    return "id" if key in _ID_KEYS else "arn"


def account_of(arn: str) -> str | None:
    """The 12-digit account id an ARN names, if any."""
    found = _ACCOUNT_IN_ARN.match(arn)
    return found["account"] if found else None


def parse_symbol(value: str) -> tuple[str, str] | None:
    """``"queue:Support"`` -> ``("queue", "Support")``; None for anything else."""
    found = _SYMBOL_RE.match(value)
    return (found["kind"], found["name"]) if found else None


def symbol(kind: str, name: str, form: str | None = None, qualifier: str | None = None) -> str:
    """The symbolic reference for a resource (with a form marker and qualifier if given)."""
    marks = (f"#{form}" if form else "") + (f"@{qualifier}" if qualifier else "")
    return f"{kind}{marks}:{name}"


def arn_kind(value: str) -> tuple[str, str] | None:
    """(kind, account) of an ARN flowops can symbolize; None for other strings."""
    found = _CONNECT_ARN.match(value)
    if found:
        kind = _CONNECT_TYPES.get(found["rtype"])
        return (kind, found["account"]) if kind else None
    for regex, kind in (
        (_PHONE_ARN, "phonenumber"),
        (_LAMBDA_ARN, "lambda"),
        (_LEX_V2_ARN, "lexbot"),
        (_LEX_V1_ARN, "lexbot_v1"),
    ):
        found = regex.match(value)
        if found:
            return kind, found["account"]
    return None


def env_name(kind: str, git_name: str, overrides: Overrides | None) -> str:
    """The name a resource has in an environment, given its name in git."""
    if not overrides:
        return git_name
    return (overrides.get(kind) or {}).get(git_name, git_name)


def git_name(kind: str, name_in_env: str, overrides: Overrides | None) -> str:
    """The name a resource has in git, given its name in an environment (reverse)."""
    if not overrides:
        return name_in_env
    for in_git, in_env in (overrides.get(kind) or {}).items():
        if in_env == name_in_env:
            return in_git
    return name_in_env


# --- walking content --------------------------------------------------------------------

#: Rewrites one string found at (action id, json path, key); returns the new value.
_Rewrite = Callable[[str, str | None, str, str], str]


def _walk(value: Any, action: str | None, path: str, key: str, fix: _Rewrite) -> Any:
    if isinstance(value, str):
        return fix(value, action, path, key)
    if isinstance(value, Mapping):
        return {
            k: v if k in PROSE_KEYS else _walk(v, action, f"{path}.{k}", str(k), fix)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_walk(v, action, f"{path}[{i}]", key, fix) for i, v in enumerate(value)]
    return value


def _actions(content: Mapping[str, Any]) -> Iterator[tuple[int, Mapping[str, Any]]]:
    actions = content.get("Actions")
    if isinstance(actions, list):
        for i, action in enumerate(actions):
            if isinstance(action, Mapping):
                yield i, action


def _conditions(
    action: Mapping[str, Any], ident: str, path: str, fix: _Rewrite
) -> list[Any] | None:
    """Condition operands rewritten (a Compare on ``$.Queue.ARN`` names queues there)."""
    transitions = action.get("Transitions")
    if not isinstance(transitions, Mapping) or not isinstance(transitions.get("Conditions"), list):
        return None
    out: list[Any] = []
    for i, cond in enumerate(transitions["Conditions"]):
        inner = cond.get("Condition") if isinstance(cond, Mapping) else None
        if not isinstance(inner, Mapping) or not isinstance(inner.get("Operands"), list):
            out.append(cond)
            continue
        where = f"{path}.Conditions[{i}].Condition.Operands"
        operands = _walk(inner["Operands"], ident, where, "Operands", fix)
        out.append({**cond, "Condition": {**inner, "Operands": operands}})
    return out


def _rewrite(
    content: Mapping[str, Any], fix: _Rewrite, display: Callable[[str], str | None]
) -> dict[str, Any]:
    """Apply ``fix`` to every reference site: action Parameters and Metadata mirrors.

    ``display(new_value)`` gives the display name a mirror should carry for a rewritten
    reference (or None to leave the mirror's text alone).
    """
    out = dict(content)
    new_actions: list[Any] = list(content.get("Actions") or [])
    for i, action in _actions(content):
        ident = str(action.get("Identifier", ""))
        new_action = dict(action)
        if "Parameters" in action:
            new_action["Parameters"] = _walk(
                action["Parameters"], ident, f"$.Actions[{i}].Parameters", "", fix
            )
        conditions = _conditions(action, ident, f"$.Actions[{i}].Transitions", fix)
        if conditions is not None:
            new_action["Transitions"] = {**action["Transitions"], "Conditions": conditions}
        new_actions[i] = new_action
    if "Actions" in content:
        out["Actions"] = new_actions
    metadata = content.get("Metadata")
    if isinstance(metadata, Mapping):
        out["Metadata"] = _rewrite_metadata(metadata, new_actions, fix, display)
    return out


def _rewrite_metadata(
    metadata: Mapping[str, Any],
    actions: list[Any],
    fix: _Rewrite,
    display: Callable[[str], str | None],
) -> dict[str, Any]:
    out = dict(metadata)
    per_action = metadata.get("ActionMetadata")
    if not isinstance(per_action, Mapping):
        return out
    params_by_id = {
        str(a.get("Identifier")): a.get("Parameters")
        for a in actions
        if isinstance(a, Mapping) and isinstance(a.get("Parameters"), Mapping)
    }
    new_meta: dict[str, Any] = {}
    for ident, meta in per_action.items():
        if not isinstance(meta, Mapping):
            new_meta[ident] = meta
            continue
        base = f"$.Metadata.ActionMetadata.{ident}"
        fixed = _mirror(meta, str(ident), base, fix, display)
        params = params_by_id.get(str(ident))
        if isinstance(fixed.get("parameters"), Mapping) and isinstance(params, Mapping):
            fixed["parameters"] = _display_names(fixed["parameters"], params, display)
        new_meta[ident] = fixed
    out["ActionMetadata"] = new_meta
    return out


def _mirror(
    value: Any, ident: str, path: str, fix: _Rewrite, display: Callable[[str], str | None]
) -> Any:
    """Rewrite ``{"id": ref, "text": name}`` pairs and other reference strings."""
    if isinstance(value, str):
        return fix(value, ident, path, "")
    if isinstance(value, list):
        return [_mirror(v, ident, f"{path}[{i}]", fix, display) for i, v in enumerate(value)]
    if not isinstance(value, Mapping):
        return value
    out = {k: _mirror(v, ident, f"{path}.{k}", fix, display) for k, v in value.items()}
    if isinstance(out.get("id"), str) and out["id"] != value.get("id"):
        name = display(out["id"])
        if name is not None and isinstance(out.get("text"), str):
            out["text"] = name
    return out


def _display_names(
    mirror: Mapping[str, Any], params: Mapping[str, Any], display: Callable[[str], str | None]
) -> dict[str, Any]:
    """``parameters.QueueId.displayName`` follows the reference in ``Parameters.QueueId``."""
    out = dict(mirror)
    for key, sub in mirror.items():
        value = params.get(key)
        if not isinstance(sub, Mapping):
            continue
        if isinstance(value, str) and isinstance(sub.get("displayName"), str):
            name = display(value)
            if name is not None:
                out[key] = {**sub, "displayName": name}
        elif isinstance(value, Mapping):
            out[key] = _display_names(sub, value, display)
    return out


# --- the two directions -----------------------------------------------------------------


def leak_reason(
    value: str, account_id: str | None, instance_id: str | None, *, in_parameters: bool
) -> str | None:
    """Why ``value``, left as written, would put the source's ids into git (None: it would not).

    An ARN of the source account, anything holding the source instance id, and (in
    Parameters) a bare resource id are leaks; ARNs of other accounts are not the
    source's (plan checks them against the target).
    """
    if not value or value.startswith("$"):
        return None
    if instance_id and instance_id in value:
        return "holds the source instance id"
    for arn in ANY_ARN.findall(value):
        account = account_of(arn)
        if account is not None and account == account_id:
            return f"an ARN of the source account {account} that no catalog lists"
        if account is not None and account_id is None and arn_kind(arn) is not None:
            return "an ARN that no catalog lists"
    if in_parameters and UUID_RE.match(value):
        return "looks like a resource id, and no resource of the catalog has it"
    return None


def symbolize(
    content: Mapping[str, Any],
    catalog: CatalogLike,
    overrides: Overrides | None = None,
    *,
    account_id: str | None = None,
    instance_id: str | None = None,
    allowed: Callable[[str], bool] | None = None,
) -> tuple[dict[str, Any], list[Unresolved]]:
    """Account-specific ARNs and ids -> symbolic references (git names), form kept.

    Values the catalog knows (by ARN or bare id, a qualified ARN by its unqualified
    one) become ``<kind>[#form][@qualifier]:<git name>``. Values that would leave an id
    of the source in the file (``leak_reason``) are left as they are and reported, unless
    ``allowed(value)``; when ``account_id`` is None every recognised ARN not in the
    catalog is reported.
    """
    unresolved: list[Unresolved] = []
    literal_names = {v: k for k, v in ((overrides or {}).get("literal") or {}).items()}

    def fix(value: str, action: str | None, path: str, key: str) -> str:
        if not value or value.startswith("$") or parse_reference(value) is not None:
            return value
        if value in literal_names:
            return symbol("literal", literal_names[value])
        base, qualifier = split_qualifier(value)
        entry = catalog.by_arn(base)
        if entry is None and qualifier is not None:
            entry = catalog.by_arn(value)
        if entry is not None:
            form = "id" if base == entry.id and entry.id != entry.arn else "arn"
            name = git_name(entry.kind, entry.name, overrides)
            return symbol(entry.kind, name, None if form == default_form(key) else form, qualifier)
        if allowed is not None and allowed(value):
            return value
        in_parameters = not path.startswith("$.Metadata")
        reason = leak_reason(value, account_id, instance_id, in_parameters=in_parameters)
        seen = any(u.value == value and u.action == action for u in unresolved)
        if reason is not None and not (seen and not in_parameters):
            found = arn_kind(value)
            unresolved.append(
                Unresolved(found[0] if found else None, value, None, action, path, reason)
            )
        return value

    def display(new_value: str) -> str | None:
        parsed = parse_reference(new_value)
        return parsed.name if parsed else None

    return _rewrite(content, fix, display), unresolved


def _unqualified(kind: str, arn: str) -> str:
    if kind in ("flow", "module", "lambda"):
        return split_qualifier(arn)[0]
    return arn


def resolve(
    content: Mapping[str, Any],
    catalog: CatalogLike,
    overrides: Overrides | None = None,
    *,
    pending: Mapping[str, Entry] | None = None,
) -> tuple[dict[str, Any], list[Unresolved]]:
    """Symbolic references -> this environment's ARNs or ids, in the form written.

    ``overrides`` renames git names to environment names per kind. ``pending`` maps
    symbolic references (``kind:git name``) of flows created in the same run to their
    entries, for references the catalog cannot know yet. Every reference that cannot be
    resolved is returned (not raised), so a plan can list all missing resources at once.
    """
    unresolved: list[Unresolved] = []
    names: dict[str, str] = {}

    def pending_entry(ref: Reference) -> bool:
        return bool(pending) and symbol(ref.kind, ref.name) in (pending or {})

    def lookup(ref: Reference) -> Entry | None:
        plain = symbol(ref.kind, ref.name)
        if pending and plain in pending:
            return pending[plain]
        return catalog.by_name(ref.kind, env_name(ref.kind, ref.name, overrides))

    def fix(value: str, action: str | None, path: str, key: str) -> str:
        ref = parse_reference(value)
        in_parameters = not path.startswith("$.Metadata")
        if ref is None:
            if _PLACEHOLDER_RE.match(value) and in_parameters and key != "Operands":
                unresolved.append(Unresolved(KIND_OF_KEY.get(key), value, None, action, path))
            return value
        looked_up = env_name(ref.kind, ref.name, overrides)
        if ref.kind == "literal":
            if looked_up != ref.name or ref.name in ((overrides or {}).get("literal") or {}):
                return looked_up
            if in_parameters:
                reason = "no value under overrides.literal in this environment"
                unresolved.append(Unresolved("literal", value, ref.name, action, path, reason))
            return value
        entry = lookup(ref)
        if entry is None:
            if in_parameters:
                unresolved.append(Unresolved(ref.kind, value, looked_up, action, path))
            return value
        out = entry.id if (ref.form or default_form(key)) == "id" else entry.arn
        base = _unqualified(ref.kind, out)
        if ref.qualifier is not None or ref.kind == "lambda":
            out = f"{base}:{ref.qualifier}" if ref.qualifier is not None else base
        # A Lambda function is invocable as associated: that exact ARN, or any
        # qualifier of an associated unqualified function.
        if ref.kind == "lambda" and in_parameters and not pending_entry(ref):
            if catalog.by_arn(out) is None and (out == base or catalog.by_arn(base) is None):
                reason = f"{out} is not associated with the instance"
                unresolved.append(Unresolved("lambda", value, looked_up, action, path, reason))
        names[out] = entry.name
        names[entry.arn] = entry.name
        names[entry.id] = entry.name
        return out

    def display(new_value: str) -> str | None:
        return names.get(new_value)

    return _rewrite(content, fix, display), unresolved


def references(content: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Every symbolic reference (kind, git name) in an action's Parameters, in order."""
    found: list[tuple[str, str]] = []

    def fix(value: str, action: str | None, path: str, key: str) -> str:
        ref = parse_reference(value)
        if ref is not None and (ref.kind, ref.name) not in found:
            found.append((ref.kind, ref.name))
        return value

    _rewrite({k: v for k, v in content.items() if k != "Metadata"}, fix, lambda _: None)
    return found


def rename_symbols(content: Mapping[str, Any], overrides: Overrides | None) -> dict[str, Any]:
    """Symbolic references with git names -> the same references with environment names.

    Lets plan compare desired content with a live flow symbolized *without* overrides,
    and is how a reviewer can see what an environment will receive.
    """
    if not overrides:
        return dict(content)

    def fix(value: str, action: str | None, path: str, key: str) -> str:
        ref = parse_reference(value)
        if ref is None:
            return value
        if ref.kind == "literal":  # the environment's own value, as live content has it
            return env_name(ref.kind, ref.name, overrides)
        return replace(ref, name=env_name(ref.kind, ref.name, overrides)).text()

    def display(value: str) -> str | None:
        ref = parse_reference(value)
        return ref.name if ref else None

    return _rewrite(content, fix, display)
