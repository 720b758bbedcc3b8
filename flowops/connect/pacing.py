"""Client-side pacing: token buckets that keep flowops under the account's API quota.

Amazon Connect's quotas are per account and Region, shared by every caller, so flowops
spends slightly less than the documented default (2 requests/s, burst 5) instead of
discovering the limit through throttles. Clock and sleep are injected so tests run on a
fake clock.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from flowops.config import RateLimit

Clock = Callable[[], float]
Sleep = Callable[[float], None]


@dataclass
class TokenBucket:
    """``rate`` tokens per second, at most ``burst`` saved up; ``acquire`` waits for one."""

    rate: float
    burst: int
    clock: Clock = time.monotonic
    sleep: Sleep = time.sleep
    tokens: float = field(init=False)
    updated: float = field(init=False)
    waited: float = field(default=0.0, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.rate <= 0 or self.burst < 1:
            raise ValueError("a token bucket needs rate > 0 and burst >= 1")
        self.tokens = float(self.burst)
        self.updated = self.clock()

    def _refill(self) -> None:
        now = self.clock()
        self.tokens = min(float(self.burst), self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def acquire(self) -> float:
        """Take one token, sleeping until one is available; returns the seconds waited."""
        with self._lock:
            self._refill()
            wait = 0.0
            if self.tokens < 1.0:
                wait = (1.0 - self.tokens) / self.rate
                self.sleep(wait)
                self._refill()
                # A fake or coarse clock may not have advanced by the whole wait.
                self.tokens = max(self.tokens, 1.0)
            self.tokens -= 1.0
            self.waited += wait
            return wait


class Pacer:
    """The account's shared bucket plus buckets for operations that have their own quota."""

    def __init__(
        self, limit: RateLimit, *, clock: Clock = time.monotonic, sleep: Sleep = time.sleep
    ) -> None:
        self.default = TokenBucket(limit.rate, limit.burst, clock, sleep)
        self.operations: Mapping[str, TokenBucket] = {
            op: TokenBucket(q.rate, q.burst, clock, sleep) for op, q in limit.operations.items()
        }

    def bucket(self, operation: str) -> TokenBucket:
        """The bucket that paces ``operation``."""
        return self.operations.get(operation, self.default)

    def acquire(self, operation: str) -> float:
        """Wait for permission to send one ``operation`` request."""
        return self.bucket(operation).acquire()

    @property
    def waited(self) -> float:
        """Seconds spent waiting in total (for reports and benchmarks)."""
        return self.default.waited + sum(b.waited for b in self.operations.values())


_SHARED: dict[tuple[str, str, str, float, int], Pacer] = {}
_SHARED_LOCK = threading.Lock()


def shared_pacer(account_id: str, region: str, endpoint: str, limit: RateLimit) -> Pacer:
    """One pacer per account, Region and endpoint in this process (real clock only).

    Quotas are per account, so two clients for environments in the same account (two
    instances) must share one budget.
    """
    key = (account_id, region, endpoint, limit.rate, limit.burst)
    with _SHARED_LOCK:
        pacer = _SHARED.get(key)
        if pacer is None:
            pacer = _SHARED[key] = Pacer(limit)
        return pacer
