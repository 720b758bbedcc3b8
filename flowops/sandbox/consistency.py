"""Eventual consistency: what a reader sees may trail what was written (``config.lag``).

Off by default (every write is visible to the next read). Turned on, per
:class:`~flowops.sandbox.config.Lag`:

* ``search``: ``SearchContactFlows``/``SearchContactFlowModules`` answer from an index that
  trails writes by that many seconds: a new flow is missing, a renamed or re-tagged one
  shows its old name and tags, a deleted one is still listed;
* ``not_found``: for that many seconds after a flow, module or alias is created, each call
  naming it by id (describe, update, version, alias, ...) answers
  ``ResourceNotFoundException`` with probability ``not_found_rate``, drawn from the
  config's seeded RNG;
* ``tags``: ``ListTagsForResource`` and the ``Tags`` of describes trail tag writes;
* ``list``: ``ListContactFlows``/``ListContactFlowModules`` answer from a view that trails
  writes by that many seconds, the way Search does (names, types and states as they were).

State lives in memory, per server process: only writes made through this server lag.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

from flowops.sandbox.config import SandboxConfig
from flowops.sandbox.protocol import not_found
from flowops.sandbox.store import Flow

T = TypeVar("T")


class _History(Generic[T]):
    """Values of each key over time; a key without history reads as its live value."""

    def __init__(self) -> None:
        self._entries: dict[str, list[tuple[float, T]]] = {}

    def write(self, key: str, before: T, after: T, at: float, keep: float) -> None:
        entries = self._entries.setdefault(key, [(-math.inf, before)])
        entries.append((at, after))
        horizon = at - keep
        while len(entries) > 1 and entries[1][0] <= horizon:
            entries.pop(0)

    def read(self, key: str, moment: float, live: T) -> T:
        entries = self._entries.get(key)
        if not entries:
            return live
        value = entries[0][1]
        for at, item in entries:
            if at > moment:
                break
            value = item
        return value

    def keys(self) -> Iterable[str]:
        return list(self._entries)

    def clear(self) -> None:
        self._entries.clear()


class Consistency:
    """How far reads trail writes, per the live ``config.lag``."""

    def __init__(
        self, config: Callable[[], SandboxConfig], clock: Callable[[], float] = time.time
    ) -> None:
        self._config = config
        #: Seconds since the epoch; tests may replace it to move time without sleeping.
        self.clock = clock
        self._lock = threading.Lock()
        self._flows: _History[Flow | None] = _History()
        self._tags: _History[dict[str, str]] = _History()
        self._created: dict[str, float] = {}

    def reset(self) -> None:
        """Forget every pending write: all reads see the current state."""
        with self._lock:
            self._flows.clear()
            self._tags.clear()
            self._created.clear()

    # --- writes ------------------------------------------------------------------------

    def created(self, arn: str) -> None:
        """A flow, module or alias was just created."""
        if self._config().lag.not_found > 0:
            with self._lock:
                self._created[arn] = self.clock()

    def flow_written(self, arn: str, before: Flow | None, after: Flow | None) -> None:
        """A flow or module changed (``before``/``after`` ``None``: did not / does not exist)."""
        lag = self._config().lag
        keep = max(lag.search, lag.list)
        if keep > 0:
            with self._lock:
                self._flows.write(arn, before, after, self.clock(), keep)

    def tags_written(self, arn: str, before: dict[str, str], after: dict[str, str]) -> None:
        """A resource's tags changed."""
        lag = self._config().lag
        keep = max(lag.tags, lag.search)
        if keep > 0 and before != after:
            with self._lock:
                self._tags.write(arn, dict(before), dict(after), self.clock(), keep)

    # --- reads -------------------------------------------------------------------------

    def check_visible(self, arn: str, what: str) -> None:
        """Raise ``ResourceNotFoundException`` for a just-created resource, sometimes."""
        config = self._config()
        window = config.lag.not_found
        if window <= 0:
            return
        with self._lock:
            born = self._created.get(arn)
            if born is None:
                return
            if self.clock() - born >= window:
                del self._created[arn]
                return
            hidden = config.rng.random() < config.lag.not_found_rate
        if hidden:
            raise not_found(what)

    def tags(self, arn: str, live: dict[str, str]) -> dict[str, str]:
        """The tags a reader sees now."""
        lag = self._config().lag.tags
        if lag <= 0:
            return live
        with self._lock:
            return dict(self._tags.read(arn, self.clock() - lag, live))

    def search_view(
        self,
        instance_id: str,
        kind: str,
        live: list[Flow],
        live_tags: Callable[[str], dict[str, str]],
    ) -> list[tuple[Flow, dict[str, str]]]:
        """The flows of one instance and kind, with their tags, as a Search index shows them
        now, in creation order. ``live`` is what is stored; with no search lag, the answer.
        """
        return self._view(self._config().lag.search, instance_id, kind, live, live_tags)

    def list_view(self, instance_id: str, kind: str, live: list[Flow]) -> list[Flow]:
        """The flows of one instance and kind as ``List*`` shows them now (``lag.list``)."""
        view = self._view(self._config().lag.list, instance_id, kind, live, lambda _: {})
        return [flow for flow, _ in view]

    def _view(
        self,
        lag: float,
        instance_id: str,
        kind: str,
        live: list[Flow],
        live_tags: Callable[[str], dict[str, str]],
    ) -> list[tuple[Flow, dict[str, str]]]:
        if lag <= 0:
            return [(flow, live_tags(flow.arn)) for flow in live]
        with self._lock:
            moment = self.clock() - lag
            seen: dict[str, Flow | None] = {f.arn: f for f in live}
            for arn in self._flows.keys():
                seen.setdefault(arn, None)
            shown: list[tuple[Flow, dict[str, str]]] = []
            for arn, flow in seen.items():
                old = self._flows.read(arn, moment, flow)
                if old is None or old.instance_id != instance_id or old.kind != kind:
                    continue
                shown.append((old, dict(self._tags.read(arn, moment, live_tags(arn)))))
        shown.sort(key=lambda pair: pair[0].seq)
        return shown
