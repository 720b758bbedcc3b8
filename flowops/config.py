"""Environments: ``environments/<name>.yaml`` files, validated by a shipped JSON Schema.

An environment names one Amazon Connect instance in one account and says how to reach it
(region, credentials, endpoint), how careful to be (``protected``), which flows flowops
manages there and how resource names differ from the names used in git. Every error names
the file and the field, and is a :class:`~flowops.errors.BadInputError` (exit 2), raised
before any AWS call is made.
"""

from __future__ import annotations

import fnmatch
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from flowops.errors import BadInputError
from flowops.model.schema import json_path

#: Where environments live, relative to the working directory.
DEFAULT_ROOT = Path("environments")
#: The embedded sandbox's database when an environment does not name one.
DEFAULT_SANDBOX_DB = ".flowops/sandbox.db"
#: Client-side pacing defaults: just under Amazon Connect's documented default API quota
#: (2 requests per second, burst 5, per account and Region), so one flowops run never
#: spends the whole account's budget and leaves room for other callers.
DEFAULT_RATE = 1.8
DEFAULT_BURST = 4
SCHEMA_FILE = "config_schema.json"
#: AWS's default and sample flows, present in every instance: ``managed.exclude``'s
#: default, so adopting an instance does not pull them into git unless asked.
DEFAULT_EXCLUDES = ("Default *", "Sample *")


@dataclass(frozen=True)
class AuthConfig:
    """How to get credentials: a profile, a role to assume, or (all None) the ambient chain.

    The ambient chain covers CI: GitHub Actions' OIDC role arrives as environment variables
    (``AWS_ROLE_ARN`` + ``AWS_WEB_IDENTITY_TOKEN_FILE`` or temporary keys) that boto3 reads.
    """

    profile: str | None = None
    role_arn: str | None = None
    external_id: str | None = None
    session_name: str | None = None


@dataclass(frozen=True)
class OperationRate:
    """A pacing bucket for one API operation that has its own quota."""

    rate: float
    burst: int


@dataclass(frozen=True)
class RateLimit:
    """Client-side pacing: ``rate`` requests per second, ``burst`` at most at once."""

    rate: float = DEFAULT_RATE
    burst: int = DEFAULT_BURST
    operations: Mapping[str, OperationRate] = field(default_factory=lambda: MappingProxyType({}))


#: Key of the environment-wide criteria in :attr:`Environment.success`.
DEFAULTS_KEY = "*"


@dataclass(frozen=True)
class Bound:
    """A flows outcome type's share of contacts must stay within these percents."""

    outcome: str
    at_most: float | None = None
    at_least: float | None = None


@dataclass(frozen=True)
class Criteria:
    """What a change must meet to count as a success (``success`` in an environment)."""

    where: str  # the field that set them, for messages: "$.success.flows['Main']"
    min_contacts: int = 100
    confidence: float = 0.95
    avg_flow_time_at_most: float | None = None
    outcomes: tuple[Bound, ...] = ()


@dataclass(frozen=True)
class Environment:
    """One deployment target: an Amazon Connect instance in one account and Region."""

    name: str
    region: str
    account_id: str
    instance: str  # instance id, ARN or alias
    endpoint_url: str | None = None  # None = real AWS; "sandbox" = embedded sandbox; or a URL
    auth: AuthConfig = field(default_factory=AuthConfig)
    protected: bool = False
    managed_names: tuple[str, ...] = ("*",)  # fnmatch patterns on flow/module names
    managed_types: tuple[str, ...] = ()  # flow types ("MODULE" for modules); empty = all
    #: fnmatch patterns of names left alone though a wildcard in ``managed_names`` matches
    #: them (a name listed exactly in ``managed_names`` is managed all the same).
    managed_exclude: tuple[str, ...] = DEFAULT_EXCLUDES
    overrides: Mapping[str, Mapping[str, str]] = field(default_factory=lambda: MappingProxyType({}))
    use_aliases: bool = False
    #: Per-instance quotas plan checks (``flowops.deploy.preflight.env_quotas``).
    quotas: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    #: Literal values (ARNs, ids) kept as written in flows, each with the reason why.
    allow_literals: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    sandbox_db: str | None = None
    source: Path = Path("<memory>")
    rate_limit: RateLimit = field(default_factory=RateLimit)
    description: str = ""
    #: ``testing`` section: compile settings for ``flowops test --env`` (docs/native-tests.md).
    testing: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    #: ``success`` section: criteria per entry flow, else the defaults (docs/measure.md).
    success: Mapping[str, Criteria] = field(default_factory=lambda: MappingProxyType({}))

    def criteria_for(self, flow: str) -> Criteria | None:
        """The success criteria of entry flow ``flow`` (its own, else the defaults)."""
        return self.success.get(flow) or self.success.get(DEFAULTS_KEY)

    @property
    def is_sandbox(self) -> bool:
        """Does this environment talk to the embedded sandbox?"""
        return self.endpoint_url == "sandbox"

    def manages(self, name: str, flow_type: str) -> bool:
        """Is the flow or module ``name`` of ``flow_type`` under flowops' control here?

        ``flow_type`` is the ContactFlowType, or ``"MODULE"`` for a module.
        """
        if self.managed_types and flow_type not in self.managed_types:
            return False
        if name in self.managed_names:
            return True
        if any(fnmatch.fnmatchcase(name, pattern) for pattern in self.managed_exclude):
            return False
        return any(fnmatch.fnmatchcase(name, pattern) for pattern in self.managed_names)

    def allows(self, value: str) -> bool:
        """Is ``value`` allowed to stay literal in flows (``allow_literals``)?"""
        return value in self.allow_literals

    def override(self, kind: str, name: str) -> str:
        """The name resource ``kind:name`` (as named in git) has in this environment."""
        return self.overrides.get(kind, {}).get(name, name)


@cache
def config_schema() -> dict[str, Any]:
    """The environment file JSON Schema shipped with flowops."""
    text = resources.files("flowops").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(config_schema())


def _describe(error: ValidationError) -> str:
    """One readable line for a schema violation, with hints for the usual YAML traps."""
    where = json_path(error.absolute_path)
    field_name = error.absolute_path[-1] if error.absolute_path else None
    if error.validator == "additionalProperties" and error.absolute_path == error.path:
        extra = sorted(
            set(error.instance) - set(error.schema.get("properties", {}))
            if isinstance(error.instance, dict)
            else []
        )
        allowed = ", ".join(sorted(error.schema.get("properties", {})))
        return f"{where}: unknown field(s) {', '.join(map(repr, extra))} (allowed: {allowed})"
    if field_name == "account_id" and not isinstance(error.instance, str):
        return (
            f'{where}: must be a quoted 12-digit string, e.g. "012345678901" '
            f"(got {error.instance!r})"
        )
    if error.validator == "required":
        return f"{where}: {error.message}"
    if error.validator == "anyOf" and field_name == "endpoint_url":
        return f'{where}: must be "sandbox", an http(s):// URL or null (got {error.instance!r})'
    if error.validator == "pattern":
        return f"{where}: {error.instance!r} is not a valid {field_name}"
    return f"{where}: {error.message}"


def _freeze_overrides(
    raw: Mapping[str, Mapping[str, str]] | None,
) -> Mapping[str, Mapping[str, str]]:
    return MappingProxyType(
        {kind: MappingProxyType(dict(names)) for kind, names in (raw or {}).items()}
    )


def _rate_limit(raw: Mapping[str, Any] | None) -> RateLimit:
    if not raw:
        return RateLimit()
    operations = {
        op: OperationRate(rate=float(v["rate"]), burst=int(v.get("burst", 1)))
        for op, v in (raw.get("operations") or {}).items()
    }
    return RateLimit(
        rate=float(raw.get("rate", DEFAULT_RATE)),
        burst=int(raw.get("burst", DEFAULT_BURST)),
        operations=MappingProxyType(operations),
    )


def _criteria(raw: Mapping[str, Any], where: str, source: Path) -> Criteria:
    bounds = []
    for outcome, limits in sorted((raw.get("outcomes") or {}).items()):
        low, high = limits.get("at_least"), limits.get("at_most")
        if low is not None and high is not None and low > high:
            raise BadInputError(
                f"{source}: {where}.outcomes.{outcome}: at_least {low} is above at_most {high}"
            )
        bounds.append(Bound(outcome, high, low))
    return Criteria(
        where=where,
        min_contacts=int(raw.get("min_contacts", 100)),
        confidence=float(raw.get("confidence", 0.95)),
        avg_flow_time_at_most=raw.get("avg_flow_time_at_most"),
        outcomes=tuple(bounds),
    )


def _success(raw: Mapping[str, Any] | None, source: Path) -> Mapping[str, Criteria]:
    out: dict[str, Criteria] = {}
    if raw and raw.get("defaults") is not None:
        out[DEFAULTS_KEY] = _criteria(raw["defaults"], "$.success.defaults", source)
    for flow, criteria in ((raw or {}).get("flows") or {}).items():
        out[flow] = _criteria(criteria, f"$.success.flows[{flow!r}]", source)
    return MappingProxyType(out)


def parse_environment(data: Any, source: Path) -> Environment:
    """Validate the parsed YAML ``data`` of ``source`` and build its Environment."""
    if not isinstance(data, dict):
        kind = "empty" if data is None else type(data).__name__
        raise BadInputError(f"{source}: an environment file must be a YAML mapping (got {kind})")
    errors = sorted(_validator().iter_errors(data), key=lambda e: [str(p) for p in e.path])
    if errors:
        lines = [_describe(e) for e in errors]
        raise BadInputError(f"{source}: invalid environment: " + "; ".join(lines))
    name = data.get("name") or source.stem
    if source.suffix in (".yaml", ".yml") and name != source.stem:
        raise BadInputError(
            f"{source}: $.name: {name!r} does not match the file name {source.stem!r}"
        )
    auth = data.get("auth") or {}
    managed = data.get("managed") or {}
    endpoint = data.get("endpoint_url")
    sandbox_db = data.get("sandbox_db")
    if endpoint == "sandbox" and sandbox_db is None:
        sandbox_db = DEFAULT_SANDBOX_DB
    return Environment(
        name=name,
        region=data["region"],
        account_id=data["account_id"],
        instance=data["instance"],
        endpoint_url=endpoint,
        auth=AuthConfig(
            profile=auth.get("profile"),
            role_arn=auth.get("role_arn"),
            external_id=auth.get("external_id"),
            session_name=auth.get("session_name"),
        ),
        protected=bool(data.get("protected", False)),
        managed_names=tuple(managed.get("names") or ("*",)),
        managed_types=tuple(managed.get("types") or ()),
        managed_exclude=tuple(managed.get("exclude", DEFAULT_EXCLUDES)),
        overrides=_freeze_overrides(data.get("overrides")),
        use_aliases=bool(data.get("use_aliases", False)),
        quotas=MappingProxyType(dict(data.get("quotas") or {})),
        allow_literals=MappingProxyType(
            {a["value"]: a["reason"] for a in data.get("allow_literals") or ()}
        ),
        sandbox_db=sandbox_db,
        source=source,
        rate_limit=_rate_limit(data.get("rate_limit")),
        description=data.get("description", ""),
        testing=MappingProxyType(dict(data.get("testing") or {})),
        success=_success(data.get("success"), source),
    )


def load_environment_file(path: Path) -> Environment:
    """Read and validate one environment file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BadInputError(f"{path}: cannot read environment file: {exc.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise BadInputError(f"{path}:{where}: invalid YAML: {problem}") from None
    return parse_environment(data, path)


def _candidates(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted([*root.glob("*.yaml"), *root.glob("*.yml")])


def default_root() -> Path:
    """``$FLOWOPS_ENVIRONMENTS`` when set (every command honours it), else ``environments``."""
    return Path(os.environ.get("FLOWOPS_ENVIRONMENTS") or DEFAULT_ROOT)


def load_environment(name: str, root: Path | None = None) -> Environment:
    """The environment called ``name`` (or the YAML file at path ``name``).

    ``root`` defaults to ``./environments``. An unknown name is a BadInputError listing
    the environments that do exist.
    """
    as_path = Path(name)
    if as_path.suffix in (".yaml", ".yml"):
        if as_path.is_file():
            return load_environment_file(as_path)
        raise BadInputError(f"unknown environment: no such file {as_path}")
    base = root if root is not None else default_root()
    for suffix in (".yaml", ".yml"):
        candidate = base / f"{name}{suffix}"
        if candidate.is_file():
            return load_environment_file(candidate)
    known = ", ".join(p.stem for p in _candidates(base)) or "none"
    raise BadInputError(
        f"unknown environment {name!r}: no {base / (name + '.yaml')} (known: {known})"
    )


def list_environments(root: Path | None = None) -> list[Environment]:
    """Every environment under ``root`` (default ``./environments``), sorted by name."""
    base = root if root is not None else default_root()
    return sorted((load_environment_file(p) for p in _candidates(base)), key=lambda e: e.name)
