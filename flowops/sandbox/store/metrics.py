"""Flow runs of the contacts the sandbox ran: what ``GetMetricDataV2``'s flow metrics count.

One row per flow a contact went through (the entry flow, then each flow it was transferred
to), and one per flow module such a flow invoked (``resource_type`` ``module``: its
``flow_arn`` is the invoking flow, ``module_arn`` the module): the resource, its published
version and publish time, when the run started, how long it took, how it ended
(``outcome``, a flows outcome type), the flow it transferred the contact to
(``next_arn``) and the queue it put the contact in (``next_queue``). Created on first use;
an older table gains the later columns.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass, fields
from typing import Any

from flowops.sandbox.store.database import Database

_SCHEMA = """
CREATE TABLE IF NOT EXISTS flow_runs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    instance_id TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    flow_arn TEXT NOT NULL,
    flow_type TEXT NOT NULL,
    version INTEGER NOT NULL,
    published REAL NOT NULL,
    started REAL NOT NULL,
    duration REAL NOT NULL,
    outcome TEXT NOT NULL,
    channel TEXT NOT NULL
)
"""
#: Columns added after the first schema (name -> definition), for tables made before.
_LATER = {
    "resource_type": "TEXT NOT NULL DEFAULT 'flow'",
    "module_arn": "TEXT NOT NULL DEFAULT ''",
    "next_arn": "TEXT NOT NULL DEFAULT ''",
    "next_queue": "TEXT NOT NULL DEFAULT ''",
}


@dataclass(frozen=True)
class FlowRun:
    """One flow (or flow module) one contact went through."""

    instance_id: str
    contact_id: str
    flow_arn: str
    flow_type: str
    version: int
    published: float
    started: float
    duration: float
    outcome: str
    channel: str
    resource_type: str = "flow"  # flow | module
    module_arn: str = ""  # the module, for a module run
    next_arn: str = ""  # the flow the contact was transferred to
    next_queue: str = ""  # the queue the contact was put in


_COLUMNS = [f.name for f in fields(FlowRun)]


class MetricTables(Database):
    """Flow runs, per instance."""

    _metric_tables = False

    def _metrics_table(self) -> None:
        if not self._metric_tables:
            self.run(_SCHEMA)
            have = {r["name"] for r in self.all("PRAGMA table_info(flow_runs)")}
            for name, definition in _LATER.items():
                if name not in have:
                    self.run(f"ALTER TABLE flow_runs ADD COLUMN {name} {definition}")
            self._metric_tables = True

    def add_flow_runs(self, runs: list[FlowRun]) -> None:
        """Record flow runs."""
        self._metrics_table()
        marks = ", ".join("?" * len(_COLUMNS))
        for r in runs:
            self.run(f"INSERT INTO flow_runs ({', '.join(_COLUMNS)}) VALUES ({marks})", *astuple(r))

    def flow_runs(self, instance_id: str, start: float, end: float) -> list[FlowRun]:
        """The flow runs of an instance that started in ``[start, end)``, in order."""
        self._metrics_table()
        rows: list[Any] = self.all(
            "SELECT * FROM flow_runs WHERE instance_id = ? AND started >= ? AND started < ?"
            " ORDER BY seq",
            instance_id,
            start,
            end,
        )
        return [FlowRun(*(r[c] for c in _COLUMNS)) for r in rows]
