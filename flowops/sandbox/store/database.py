"""The sandbox's SQLite database: schema, connection and transactions.

One connection per process, guarded by a lock; every API call runs in one transaction
(``BEGIN IMMEDIATE`` for writes), so several threads and several processes sharing one
database file (WAL journal, busy timeout) see consistent state. ``":memory:"`` gives a
private in-memory database.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flowops.errors import BadInputError

SCHEMA = """
CREATE TABLE IF NOT EXISTS instances (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT UNIQUE NOT NULL,
    arn TEXT UNIQUE NOT NULL,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    alias TEXT,
    created REAL NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS instances_account ON instances(account, region);
CREATE TABLE IF NOT EXISTS resources (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    arn TEXT UNIQUE NOT NULL,
    instance_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    modified REAL NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS resources_instance ON resources(instance_id, kind);
CREATE TABLE IF NOT EXISTS flows (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    arn TEXT UNIQUE NOT NULL,
    instance_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT 'ACTIVE',
    published TEXT,
    saved TEXT,
    settings TEXT,
    next_version INTEGER NOT NULL DEFAULT 1,
    modified REAL NOT NULL,
    region TEXT NOT NULL,
    data TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS flows_instance ON flows(instance_id, kind);
CREATE UNIQUE INDEX IF NOT EXISTS flows_id ON flows(instance_id, kind, id);
CREATE TABLE IF NOT EXISTS versions (
    flow_arn TEXT NOT NULL,
    version INTEGER NOT NULL,
    content TEXT NOT NULL,
    sha TEXT NOT NULL,
    settings TEXT,
    description TEXT NOT NULL DEFAULT '',
    modified REAL NOT NULL,
    region TEXT NOT NULL,
    PRIMARY KEY (flow_arn, version)
);
CREATE TABLE IF NOT EXISTS aliases (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT UNIQUE NOT NULL,
    flow_arn TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL,
    modified REAL NOT NULL,
    region TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS aliases_flow ON aliases(flow_arn);
CREATE TABLE IF NOT EXISTS tags (
    arn TEXT PRIMARY KEY,
    tags TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS lex_bots (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (account, region, id)
);
CREATE TABLE IF NOT EXISTS lex_aliases (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    bot_id TEXT NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (account, region, bot_id, id)
);
"""


class Database:
    """The SQLite connection shared by every request thread of a server."""

    def __init__(self, db: str | Path = ":memory:") -> None:
        self.path = str(db)
        self._lock = threading.RLock()
        self._depth = 0
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(
                self.path, check_same_thread=False, isolation_level=None, timeout=30.0
            )
            self.conn.row_factory = sqlite3.Row
            self.conn.execute("PRAGMA busy_timeout = 30000")
            if self.path != ":memory:":
                self.conn.execute("PRAGMA journal_mode = WAL")
                self.conn.execute("PRAGMA synchronous = NORMAL")
            with self.transaction(write=True):
                for statement in filter(str.strip, SCHEMA.split(";")):
                    self.conn.execute(statement)
        except (OSError, sqlite3.Error) as exc:
            raise BadInputError(f"{self.path}: cannot open the sandbox database: {exc}") from None

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self.conn.close()

    @contextlib.contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[sqlite3.Connection]:
        """One atomic unit of work; nested calls join the outer transaction."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self.conn
                finally:
                    self._depth -= 1
                return
            self.conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            self._depth = 1
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            else:
                self.conn.execute("COMMIT")
            finally:
                self._depth = 0

    # --- raw access (for the typed tables and for tests) ------------------------------

    def one(self, sql: str, *args: Any) -> sqlite3.Row | None:
        """The first row of a query, or ``None``."""
        row: sqlite3.Row | None = self.conn.execute(sql, args).fetchone()
        return row

    def all(self, sql: str, *args: Any) -> list[sqlite3.Row]:
        """All rows of a query."""
        return list(self.conn.execute(sql, args).fetchall())

    def run(self, sql: str, *args: Any) -> sqlite3.Cursor:
        """Execute a statement."""
        return self.conn.execute(sql, args)
