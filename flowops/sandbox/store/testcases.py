"""Typed access to test cases and their executions (Connect's Testing and simulation).

The tables are created on first use, so databases made before test cases existed work.
A test case keeps its saved and published versions as JSON; an execution keeps the
published version it runs, its records and its summary.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flowops.sandbox.store.database import Database

_SCHEMA = """
CREATE TABLE IF NOT EXISTS test_cases (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT UNIQUE NOT NULL,
    arn TEXT UNIQUE NOT NULL,
    instance_id TEXT NOT NULL,
    name TEXT NOT NULL,
    modified REAL NOT NULL,
    region TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS test_case_executions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT UNIQUE NOT NULL,
    instance_id TEXT NOT NULL,
    test_case_id TEXT NOT NULL,
    status TEXT NOT NULL,
    created REAL NOT NULL,
    started REAL,
    ended REAL,
    client_token TEXT,
    data TEXT NOT NULL
)
"""


@dataclass(frozen=True)
class TestCase:
    """A test case: its saved and (if any) published version."""

    id: str
    arn: str
    instance_id: str
    name: str
    modified: float
    region: str
    saved: dict[str, Any]
    published: dict[str, Any] | None


@dataclass(frozen=True)
class Execution:
    """One execution of a test case."""

    id: str
    instance_id: str
    test_case_id: str
    status: str
    created: float
    started: float | None
    ended: float | None
    client_token: str | None
    data: dict[str, Any]


class TestCaseTables(Database):
    """Test cases and executions."""

    _test_case_tables = False

    def _test_tables(self) -> None:
        if not self._test_case_tables:
            for statement in filter(str.strip, _SCHEMA.split(";")):
                self.run(statement)
            self._test_case_tables = True

    @staticmethod
    def _case(row: Any) -> TestCase:
        data = json.loads(row["data"])
        return TestCase(
            row["id"],
            row["arn"],
            row["instance_id"],
            row["name"],
            row["modified"],
            row["region"],
            data["saved"],
            data["published"],
        )

    @staticmethod
    def _execution(row: Any) -> Execution:
        return Execution(
            row["id"],
            row["instance_id"],
            row["test_case_id"],
            row["status"],
            row["created"],
            row["started"],
            row["ended"],
            row["client_token"],
            json.loads(row["data"]),
        )

    def test_case(self, instance_id: str, ident: str) -> TestCase | None:
        """A test case of an instance by id."""
        self._test_tables()
        row = self.one(
            "SELECT * FROM test_cases WHERE instance_id = ? AND id = ?", instance_id, ident
        )
        return self._case(row) if row else None

    def test_cases(self, instance_id: str) -> list[TestCase]:
        """Every test case of an instance, in creation order."""
        self._test_tables()
        rows = self.all("SELECT * FROM test_cases WHERE instance_id = ? ORDER BY seq", instance_id)
        return [self._case(r) for r in rows]

    def test_case_name_taken(self, instance_id: str, name: str, other_than: str = "") -> bool:
        """Does another test case of the instance have this name?"""
        self._test_tables()
        row = self.one(
            "SELECT 1 FROM test_cases WHERE instance_id = ? AND name = ? AND id != ?",
            instance_id,
            name,
            other_than,
        )
        return row is not None

    def write_test_case(self, case: TestCase) -> None:
        """Insert or replace a test case."""
        self._test_tables()
        data = json.dumps({"saved": case.saved, "published": case.published})
        self.run(
            "INSERT INTO test_cases(id, arn, instance_id, name, modified, region, data) "
            "VALUES(?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET name = excluded.name, "
            "modified = excluded.modified, region = excluded.region, data = excluded.data",
            case.id,
            case.arn,
            case.instance_id,
            case.name,
            case.modified,
            case.region,
            data,
        )

    def delete_test_case(self, ident: str) -> None:
        """Delete a test case (its executions stay listed, as Connect keeps records)."""
        self._test_tables()
        self.run("DELETE FROM test_cases WHERE id = ?", ident)

    def executions(self, instance_id: str, statuses: tuple[str, ...] = ()) -> list[Execution]:
        """Executions of an instance in start order, optionally of some statuses only."""
        self._test_tables()
        sql = "SELECT * FROM test_case_executions WHERE instance_id = ?"
        if statuses:
            sql += f" AND status IN ({', '.join('?' for _ in statuses)})"
        rows = self.all(sql + " ORDER BY seq", instance_id, *statuses)
        return [self._execution(r) for r in rows]

    def execution(self, test_case_id: str, ident: str) -> Execution | None:
        """One execution of a test case."""
        self._test_tables()
        row = self.one(
            "SELECT * FROM test_case_executions WHERE id = ? AND test_case_id = ?",
            ident,
            test_case_id,
        )
        return self._execution(row) if row else None

    def execution_with_token(self, test_case_id: str, token: str) -> Execution | None:
        """The execution a ClientToken already started, if any."""
        self._test_tables()
        row = self.one(
            "SELECT * FROM test_case_executions WHERE test_case_id = ? AND client_token = ?",
            test_case_id,
            token,
        )
        return self._execution(row) if row else None

    def insert_execution(self, record: Execution) -> None:
        """Add an execution."""
        self._test_tables()
        self.run(
            "INSERT INTO test_case_executions(id, instance_id, test_case_id, status, created, "
            "started, ended, client_token, data) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)",
            record.id,
            record.instance_id,
            record.test_case_id,
            record.status,
            record.created,
            record.started,
            record.ended,
            record.client_token,
            json.dumps(record.data),
        )

    def update_execution(self, record: Execution) -> None:
        """Write an execution's status, times and data."""
        self._test_tables()
        self.run(
            "UPDATE test_case_executions SET status = ?, started = ?, ended = ?, data = ? "
            "WHERE id = ?",
            record.status,
            record.started,
            record.ended,
            json.dumps(record.data),
            record.id,
        )
