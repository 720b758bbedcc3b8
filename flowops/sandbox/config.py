"""Run-time configuration of the sandbox: quotas, limits, fault rules, eventual consistency
and strictness switches.

Everything here is plain data; a running :class:`~flowops.sandbox.server.SandboxServer`
reads its ``config`` on every request, so tests may change it while the server runs (or
drive it from another process through the ``/_sandbox/config`` admin route).
"""

from __future__ import annotations

import os
import random
from dataclasses import asdict, dataclass, field
from typing import Any

from flowops.errors import BadInputError

#: Amazon Connect's documented default API quota: a RateLimit of 2 requests per second and
#: a BurstLimit of 5, per account and Region ("Amazon Connect API throttling quotas",
#: adminguide/amazon-connect-service-limits.html; also the service's own API summary).
CONNECT_DEFAULT_RATE = 2.0
CONNECT_DEFAULT_BURST = 5

#: The environment variable that turns quota enforcement off in embedded mode.
QUOTA_ENV = "FLOWOPS_SANDBOX_QUOTA"

#: Lex V2 operations (logged as ``lexv2:<Operation>``) share their own bucket: Lex's quotas
#: are not Connect's.
LEX_BUCKET = "lexv2:*"


@dataclass
class Quota:
    """A token bucket: ``rate`` tokens per second refill, ``burst`` tokens at most."""

    rate: float = CONNECT_DEFAULT_RATE
    burst: int = CONNECT_DEFAULT_BURST


@dataclass
class Limits:
    """Resource limits, defaults as Amazon Connect documents them (all adjustable there too).

    ``content_chars``: the Content member's maximum length in the service model (256,000).
    ``flows_per_instance``: "Flows per instance", default 100.
    ``modules_per_instance``: "Modules per instance", default 200.
    """

    content_chars: int = 256_000
    flows_per_instance: int = 100
    modules_per_instance: int = 200


#: The environment variable that turns eventual consistency on for ``serve`` and embedded
#: mode: ``search=2,not_found=1,not_found_rate=0.5,tags=1,list=2`` (seconds; any subset).
LAG_ENV = "FLOWOPS_SANDBOX_LAG"


@dataclass
class Lag:
    """Eventual consistency (see :mod:`flowops.sandbox.consistency`); all off by default.

    ``search``: seconds Search results trail writes. ``not_found``: seconds after a create
    during which a call naming the new flow, module or alias answers
    ``ResourceNotFoundException`` with probability ``not_found_rate`` (seeded RNG).
    ``tags``: seconds ``ListTagsForResource`` and describes' ``Tags`` trail tag writes.
    ``list``: seconds ``ListContactFlows``/``ListContactFlowModules`` trail writes (a new
    flow missing, a renamed one under its old name, a deleted one still listed).
    """

    search: float = 0.0
    not_found: float = 0.0
    not_found_rate: float = 1.0
    tags: float = 0.0
    list: float = 0.0

    @classmethod
    def everywhere(cls, seconds: float, *, not_found_rate: float = 0.5) -> Lag:
        """The same lag for Search, List, tags and reads after a create."""
        return cls(
            search=seconds,
            not_found=seconds,
            not_found_rate=not_found_rate,
            tags=seconds,
            list=seconds,
        )

    @classmethod
    def parse(cls, text: str) -> Lag:
        """``search=2,not_found=1,not_found_rate=0.5,tags=1,list=2`` (any subset) -> a Lag."""
        values: dict[str, float] = {}
        for item in filter(None, (part.strip() for part in text.split(","))):
            key, sep, value = item.partition("=")
            try:
                if not sep or key.strip() not in cls.__dataclass_fields__:
                    raise ValueError(item)
                values[key.strip()] = float(value)
            except ValueError:
                names = ", ".join(cls.__dataclass_fields__)
                raise BadInputError(
                    f"lag {text!r}: expected name=seconds with names {names}"
                ) from None
        return cls(**values)

    @property
    def enabled(self) -> bool:
        """Does any read trail writes?"""
        return self.search > 0 or self.not_found > 0 or self.tags > 0 or self.list > 0


@dataclass
class FaultRule:
    """One injected fault, for ``operation`` (an operation name, or ``"*"`` for all).

    A matching call is failed with ``error_code`` when it is the ``fail_nth`` call of that
    operation (1-based, counted per rule; an int or a list of ints) or, independently, with
    probability ``error_rate`` drawn from the config's seedable RNG. ``latency`` seconds are
    added to every matching call. ``drop_connection`` closes the socket without an answer
    instead of sending the error; with ``after_apply`` the call is carried out first and
    then the connection is closed (an answer lost after the service applied the write).
    ``account`` restricts the rule to one account.
    """

    operation: str = "*"
    error_code: str = "InternalServiceException"
    error_rate: float = 0.0
    fail_nth: int | list[int] | None = None
    latency: float = 0.0
    drop_connection: bool = False
    after_apply: bool = False
    account: str | None = None
    message: str = "Injected fault"
    calls: int = field(default=0, compare=False)

    def matches(self, account: str, operation: str) -> bool:
        """Does this rule apply to a call of ``operation`` by ``account``?"""
        if self.account is not None and self.account != account:
            return False
        return self.operation in ("*", operation)

    def nth_set(self) -> set[int]:
        """The call numbers that must fail."""
        if self.fail_nth is None:
            return set()
        if isinstance(self.fail_nth, int):
            return {self.fail_nth}
        return set(self.fail_nth)


@dataclass
class Strictness:
    """Switches for behaviour where Amazon Connect's own documents disagree.

    ``campaign_only_versions``: ``CreateContactFlowVersion`` refuses flows whose type is not
    ``CAMPAIGN``, as the API reference says ("This API only supports creating versions for
    flows of type Campaign"); off, versions work for every flow type as the admin guide
    describes. ``opaque_invalid_flow``: an invalid flow answers
    ``InvalidContactFlowException`` with message ``None`` and no problems list, as Connect
    sometimes does.
    """

    campaign_only_versions: bool = False
    opaque_invalid_flow: bool = False


@dataclass
class SandboxConfig:
    """Quotas, limits and faults of one sandbox server (mutable while it runs)."""

    enforce_quotas: bool = True
    default_quota: Quota = field(default_factory=Quota)
    #: Per-operation quotas; an operation listed here gets its own bucket instead of
    #: sharing the account's default bucket.
    quotas: dict[str, Quota] = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)
    faults: list[FaultRule] = field(default_factory=list)
    #: SearchContactFlows / SearchContactFlowModules leave ``Content`` (and its SHA-256) out
    #: of every result (``True``) or of the flows and modules named here (names or ids), as
    #: Connect may; clients must describe those.
    search_omit_content: bool | list[str] = False
    #: Eventual consistency: how far reads trail writes (off by default).
    lag: Lag = field(default_factory=Lag)
    #: Semantics switches where Connect's documents disagree (see docs/sandbox.md).
    strict: Strictness = field(default_factory=Strictness)
    seed: int | None = None
    rng: random.Random = field(default_factory=random.Random, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.seed is not None:
            self.rng.seed(self.seed)

    @classmethod
    def for_tests(cls, **kwargs: Any) -> SandboxConfig:
        """Quotas off, everything else at Connect's defaults."""
        kwargs.setdefault("enforce_quotas", False)
        return cls(**kwargs)

    @classmethod
    def from_env(cls) -> SandboxConfig:
        """Connect's defaults, with quotas off when ``FLOWOPS_SANDBOX_QUOTA=off``."""
        value = os.environ.get(QUOTA_ENV, "").strip().lower()
        lag = Lag.parse(os.environ.get(LAG_ENV, ""))
        return cls(enforce_quotas=value not in ("off", "0", "false", "no"), lag=lag)

    def quota_for(self, operation: str) -> tuple[str, Quota]:
        """The bucket key and quota that govern ``operation``."""
        if operation in self.quotas:
            return operation, self.quotas[operation]
        if operation.startswith(LEX_BUCKET[:-1]):
            return LEX_BUCKET, self.default_quota
        return "*", self.default_quota

    def omits_content(self, name: str, ident: str) -> bool:
        """Does a Search result for this flow or module leave out its ``Content``?"""
        omit = self.search_omit_content
        if isinstance(omit, bool):
            return omit
        return name in omit or ident in omit

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able view (used by the admin route)."""
        return {
            "enforce_quotas": self.enforce_quotas,
            "default_quota": asdict(self.default_quota),
            "quotas": {k: asdict(v) for k, v in self.quotas.items()},
            "limits": asdict(self.limits),
            "faults": [asdict(f) for f in self.faults],
            "search_omit_content": self.search_omit_content,
            "lag": asdict(self.lag),
            "strict": asdict(self.strict),
            "seed": self.seed,
        }

    def update(self, data: dict[str, Any]) -> None:
        """Apply a partial update in the shape :meth:`to_dict` returns."""
        if "enforce_quotas" in data:
            self.enforce_quotas = bool(data["enforce_quotas"])
        if "default_quota" in data:
            self.default_quota = Quota(**data["default_quota"])
        if "quotas" in data:
            self.quotas = {k: Quota(**v) for k, v in data["quotas"].items()}
        if "limits" in data:
            merged = asdict(self.limits) | dict(data["limits"])
            self.limits = Limits(**merged)
        if "faults" in data:
            self.faults = [FaultRule(**f) for f in data["faults"]]
        if "search_omit_content" in data:
            omit = data["search_omit_content"]
            if isinstance(omit, bool):
                self.search_omit_content = omit
            elif isinstance(omit, list) and all(isinstance(x, str) for x in omit):
                self.search_omit_content = list(omit)
            else:
                raise ValueError("search_omit_content must be true, false or a list of names")
        if "lag" in data:
            self.lag = Lag(**(asdict(self.lag) | dict(data["lag"])))
        if "strict" in data:
            self.strict = Strictness(**(asdict(self.strict) | dict(data["strict"])))
        if "seed" in data:
            self.seed = data["seed"]
            self.rng.seed(self.seed)
