"""Symbolic references: account-specific ARNs and ids <-> ``<kind>:<name>`` strings.

A flow file in git must name no account. Export replaces every ARN or id the account's
catalog knows with a *symbolic reference* (``queue:Support``, ``flow:Main IVR``,
``module:Survey``, ``lambda:lookup-customer``, ``lexbot:OrderBot/Prod``); promote
resolves them against the target environment's catalog. Names in git are the *git
names*; an environment may rename a resource through its ``overrides``
(``{"queue": {"Support": "Support-EU"}}``): resolve maps git name -> environment name,
symbolize maps back, so a round trip through an overridden environment gives the same file.

Where references live (``shared/reference/flow-language.md`` section 6): anywhere in an
action's ``Parameters`` (``QueueId``, ``ContactFlowId``, ``FlowModuleId``,
``LambdaFunctionARN``, ``PromptId``, ``LexV2Bot.AliasArn``, ``EventHooks.*`` ...), never
in prose (``Text``, ``SSML``). The designer mirrors them in ``Metadata.ActionMetadata``
(``{"queue": {"id": <arn>, "text": "BasicQueue"}}``, ``parameters.QueueId.displayName``);
those mirrors are rewritten too, with the catalog's name as the display text, because the
account's catalog is the authority and a stale display name is just a label.

Teams migrating from templated flows replace each placeholder with its reference:
``${var.queue_support_arn}`` becomes ``queue:Support``, ``${var.contact_flows_map["x"]}``
becomes ``flow:x``. JSONPath values (``$.Attributes.x``) and anything unrecognised stay
as they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
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
]
KINDS: tuple[str, ...] = get_args(ResourceKind)

_SYMBOL_RE = re.compile(r"^(?P<kind>" + "|".join(KINDS) + r"):(?P<name>\S.*)$", re.DOTALL)

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

    def describe(self) -> str:
        """One line for error messages and reports."""
        what = f"{self.kind} {self.name!r}" if self.kind and self.name else self.value
        if _PLACEHOLDER_RE.match(self.value):
            example = f"{self.kind or '<kind>'}:<name>"
            what = f"template placeholder {self.value!r} (write a reference such as {example!r})"
        where = f"action {self.action!r} at {self.path}" if self.action else self.path
        return f"{what} ({where})"


def parse_symbol(value: str) -> tuple[str, str] | None:
    """``"queue:Support"`` -> ``("queue", "Support")``; None for anything else."""
    found = _SYMBOL_RE.match(value)
    return (found["kind"], found["name"]) if found else None


def symbol(kind: str, name: str) -> str:
    """The symbolic reference for a resource."""
    return f"{kind}:{name}"


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
        if "Parameters" not in action:
            continue
        ident = str(action.get("Identifier", ""))
        new_action = dict(action)
        new_action["Parameters"] = _walk(
            action["Parameters"], ident, f"$.Actions[{i}].Parameters", "", fix
        )
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


def symbolize(
    content: Mapping[str, Any],
    catalog: CatalogLike,
    overrides: Overrides | None = None,
    *,
    account_id: str | None = None,
) -> tuple[dict[str, Any], list[Unresolved]]:
    """Account-specific ARNs and ids -> symbolic references (git names).

    Values the catalog knows (by ARN or bare id) become ``<kind>:<git name>``. ARNs of a
    recognised kind that the catalog does not know are left as they are and reported:
    they name an account, and promote would fail on them. When ``account_id`` is given,
    ARNs of other accounts (a shared Lambda, say) are left alone without a report.
    """
    unresolved: list[Unresolved] = []

    def fix(value: str, action: str | None, path: str, key: str) -> str:
        entry = catalog.by_arn(value) if value and not value.startswith("$") else None
        if entry is not None:
            return symbol(entry.kind, git_name(entry.kind, entry.name, overrides))
        found = arn_kind(value)
        if found is not None and (account_id is None or found[1] == account_id):
            if not path.startswith("$.Metadata"):
                unresolved.append(Unresolved(found[0], value, None, action, path))
        return value

    def display(new_value: str) -> str | None:
        parsed = parse_symbol(new_value)
        return parsed[1] if parsed else None

    return _rewrite(content, fix, display), unresolved


def resolve(
    content: Mapping[str, Any],
    catalog: CatalogLike,
    overrides: Overrides | None = None,
    *,
    pending: Mapping[str, Entry] | None = None,
) -> tuple[dict[str, Any], list[Unresolved]]:
    """Symbolic references -> this environment's ARNs (or ids where Connect wants ids).

    ``overrides`` renames git names to environment names per kind. ``pending`` maps
    symbolic references (git names) of flows created in the same run to their entries,
    for references the catalog cannot know yet. Every reference that cannot be resolved
    is returned (not raised), so a plan can list all missing resources at once.
    """
    unresolved: list[Unresolved] = []
    names: dict[str, str] = {}

    def lookup(value: str) -> Entry | None:
        if pending and value in pending:
            return pending[value]
        parsed = parse_symbol(value)
        if parsed is None:
            return None
        kind, name = parsed
        return catalog.by_name(kind, env_name(kind, name, overrides))

    def fix(value: str, action: str | None, path: str, key: str) -> str:
        parsed = parse_symbol(value)
        if parsed is None:
            if _PLACEHOLDER_RE.match(value) and not path.startswith("$.Metadata"):
                unresolved.append(Unresolved(KIND_OF_KEY.get(key), value, None, action, path))
            return value
        entry = lookup(value)
        if entry is None:
            if not path.startswith("$.Metadata"):
                kind, name = parsed
                looked_up = env_name(kind, name, overrides)
                unresolved.append(Unresolved(kind, value, looked_up, action, path))
            return value
        names[entry.arn] = entry.name
        names[entry.id] = entry.name
        return entry.id if key in _ID_KEYS else entry.arn

    def display(new_value: str) -> str | None:
        return names.get(new_value)

    return _rewrite(content, fix, display), unresolved


def references(content: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Every symbolic reference (kind, git name) in an action's Parameters, in order."""
    found: list[tuple[str, str]] = []

    def fix(value: str, action: str | None, path: str, key: str) -> str:
        parsed = parse_symbol(value)
        if parsed is not None and not path.startswith("$.Metadata") and parsed not in found:
            found.append(parsed)
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
        parsed = parse_symbol(value)
        if parsed is None:
            return value
        return symbol(parsed[0], env_name(parsed[0], parsed[1], overrides))

    return _rewrite(content, fix, lambda v: (parse_symbol(v) or (None, None))[1])
