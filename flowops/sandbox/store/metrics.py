"""Flow runs of the contacts the sandbox ran: what ``GetMetricDataV2``'s flow metrics count.

One row per flow a contact went through (the entry flow, then each flow it was transferred
to): the flow, its published version and its publish time, when the run started, how long
it took and how it ended (``outcome``, a flows outcome type). Created on first use.
"""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class FlowRun:
    """One flow one contact went through."""

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


class MetricTables(Database):
    """Flow runs, per instance."""

    _metric_tables = False

    def _metrics_table(self) -> None:
        if not self._metric_tables:
            self.run(_SCHEMA)
            self._metric_tables = True

    def add_flow_runs(self, runs: list[FlowRun]) -> None:
        """Record flow runs."""
        self._metrics_table()
        for r in runs:
            self.run(
                "INSERT INTO flow_runs (instance_id, contact_id, flow_arn, flow_type, version,"
                " published, started, duration, outcome, channel)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                r.instance_id,
                r.contact_id,
                r.flow_arn,
                r.flow_type,
                r.version,
                r.published,
                r.started,
                r.duration,
                r.outcome,
                r.channel,
            )

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
        return [
            FlowRun(
                r["instance_id"],
                r["contact_id"],
                r["flow_arn"],
                r["flow_type"],
                r["version"],
                r["published"],
                r["started"],
                r["duration"],
                r["outcome"],
                r["channel"],
            )
            for r in rows
        ]
