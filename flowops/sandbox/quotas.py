"""Token buckets per account, Region and bucket key, and the request log."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable

from flowops.sandbox.config import Quota


class TokenBuckets:
    """Token buckets keyed by (account, region, bucket); thread-safe.

    A bucket starts full (``burst`` tokens) and refills at ``rate`` tokens per second.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._state: dict[tuple[str, str, str], tuple[float, float]] = {}

    def take(self, key: tuple[str, str, str], quota: Quota) -> bool:
        """Take one token; ``False`` when the bucket is empty (the call is throttled)."""
        with self._lock:
            moment = self._clock()
            tokens, last = self._state.get(key, (float(quota.burst), moment))
            tokens = min(float(quota.burst), tokens + (moment - last) * quota.rate)
            if tokens >= 1.0:
                self._state[key] = (tokens - 1.0, moment)
                return True
            self._state[key] = (tokens, moment)
            return False

    def reset(self) -> None:
        """Refill every bucket."""
        with self._lock:
            self._state.clear()


class RequestLog:
    """How many calls each account made to each operation (throttled and failed ones too)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[tuple[str, str]] = Counter()
        self._outcomes: Counter[tuple[str, str, str]] = Counter()

    def record_call(self, account: str, operation: str) -> None:
        """Count one call as it arrives."""
        with self._lock:
            self._counts[(account, operation)] += 1

    def record_outcome(self, account: str, operation: str, outcome: str) -> None:
        """Count how a call ended: ``ok``, ``dropped`` or the error code."""
        with self._lock:
            self._outcomes[(account, operation, outcome)] += 1

    def count(self, account: str | None = None, operation: str | None = None) -> int:
        """Calls matching ``account`` and ``operation`` (``None`` matches any)."""
        with self._lock:
            return sum(
                n
                for (acct, op), n in self._counts.items()
                if (account is None or acct == account) and (operation is None or op == operation)
            )

    def counts(self) -> dict[tuple[str, str], int]:
        """Every (account, operation) pair and its number of calls."""
        with self._lock:
            return dict(self._counts)

    def outcomes(self) -> dict[tuple[str, str, str], int]:
        """Calls per (account, operation, outcome), outcome ``ok`` or the error code."""
        with self._lock:
            return dict(self._outcomes)

    def reset(self) -> None:
        """Forget every call."""
        with self._lock:
            self._counts.clear()
            self._outcomes.clear()
