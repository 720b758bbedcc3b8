"""Run-time configuration of the sandbox: quotas, limits and fault rules.

Everything here is plain data; a running :class:`~flowops.sandbox.server.SandboxServer`
reads its ``config`` on every request, so tests may change it while the server runs (or
drive it from another process through the ``/_sandbox/config`` admin route).
"""

from __future__ import annotations

import os
import random
from dataclasses import asdict, dataclass, field
from typing import Any

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
        return cls(enforce_quotas=value not in ("off", "0", "false", "no"))

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
        if "seed" in data:
            self.seed = data["seed"]
            self.rng.seed(self.seed)
