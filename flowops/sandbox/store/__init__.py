"""The sandbox's state in SQLite, behind typed methods: instances, catalog resources, flows,
versions, aliases, tags and the Lex V2 bots and bot aliases of each account.

One connection per process, guarded by a lock; every API call runs in one transaction
(``BEGIN IMMEDIATE`` for writes), so several threads and several processes sharing one
database file (WAL journal, busy timeout) see consistent state. ``":memory:"`` gives a
private in-memory database. Only this package writes SQL.
"""

from flowops.sandbox.store.catalog import CatalogTables
from flowops.sandbox.store.database import Database
from flowops.sandbox.store.flows import FlowTables
from flowops.sandbox.store.metrics import FlowRun, MetricTables
from flowops.sandbox.store.records import Alias, Flow, Instance, LexAlias, LexBot, Resource, Version
from flowops.sandbox.store.testcases import TestCaseTables


class Store(FlowTables, CatalogTables, TestCaseTables, MetricTables):
    """Every table of the sandbox over one :class:`Database` connection."""


__all__ = [
    "Alias",
    "Database",
    "Flow",
    "FlowRun",
    "Instance",
    "LexAlias",
    "LexBot",
    "Resource",
    "Store",
    "Version",
]
