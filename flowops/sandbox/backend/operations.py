"""Every Connect operation the sandbox serves, bound to the resource family that owns it.

Single operations are the CamelCase methods a family defines itself. The flow/module twins
(``CreateContactFlow`` / ``CreateContactFlowModule``, ...) are generated from one table,
:data:`TWINS`: one implementation per pair, called with the :class:`Kind` that carries the
wire differences. A new family (test cases, say) is a :class:`Family` subclass added to
:data:`FAMILIES`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from flowops.sandbox.backend.catalog import Catalog
from flowops.sandbox.backend.common import KINDS, Family, Handler, Kind, Output, Params
from flowops.sandbox.backend.flows import Flows
from flowops.sandbox.backend.instances import Instances
from flowops.sandbox.backend.metrics import Metrics
from flowops.sandbox.backend.tags import Tags
from flowops.sandbox.backend.testcases import TestCases
from flowops.sandbox.backend.versions import Versions
from flowops.sandbox.backend.views import Views
from flowops.sandbox.config import SandboxConfig
from flowops.sandbox.consistency import Consistency
from flowops.sandbox.constraints import check_input
from flowops.sandbox.protocol import Caller, SandboxError
from flowops.sandbox.store import Store

#: The families, by attribute name on :class:`Backend`, in dispatch order.
FAMILIES: dict[str, type[Family]] = {
    "instances": Instances,
    "flows": Flows,
    "versions": Versions,
    "catalog": Catalog,
    "tags": Tags,
    "test_cases": TestCases,
    "metrics": Metrics,
    "views": Views,
}

#: Operation name template (``{}`` is the kind's noun) -> (family, method taking a Kind).
TWINS: dict[str, tuple[str, str]] = {
    "Create{}": ("flows", "create"),
    "Describe{}": ("flows", "describe"),
    "Delete{}": ("flows", "delete"),
    "Update{}Content": ("flows", "update_content"),
    "Update{}Metadata": ("flows", "update_metadata"),
    "List{}s": ("flows", "list"),
    "Search{}s": ("flows", "search"),
    "Create{}Version": ("versions", "create_version"),
    "List{}Versions": ("versions", "list_versions"),
    "Delete{}Version": ("versions", "delete_version"),
    "Create{}Alias": ("versions", "create_alias"),
    "Update{}Alias": ("versions", "update_alias"),
    "Describe{}Alias": ("versions", "describe_alias"),
    "List{}Aliases": ("versions", "list_aliases"),
    "Delete{}Alias": ("versions", "delete_alias"),
}

READ_PREFIXES = ("List", "Describe", "Search")


def _own_operations(family: type[Family]) -> list[str]:
    """The operation methods a family class defines itself (not inherited)."""
    return [name for name, value in vars(family).items() if name[:1].isupper() and callable(value)]


def operation_names() -> frozenset[str]:
    """Every operation the backend serves."""
    names = {name for family in FAMILIES.values() for name in _own_operations(family)}
    names |= {template.format(kind.noun) for template in TWINS for kind in KINDS}
    return frozenset(names)


class Backend:
    """Connect's semantics over a :class:`Store`: one object per family, one handler per
    operation, each call one transaction."""

    def __init__(
        self,
        store: Store,
        config: Callable[[], SandboxConfig],
        consistency: Consistency | None = None,
    ) -> None:
        self.store = store
        self.consistency = consistency if consistency is not None else Consistency(config)
        self.families: dict[str, Family] = {
            name: cls(store, config, self.consistency) for name, cls in FAMILIES.items()
        }
        self.handlers: dict[str, Handler] = {}
        for family in self.families.values():
            for name in _own_operations(type(family)):
                self.handlers[name] = getattr(family, name)
        for template, (family_name, method) in TWINS.items():
            bound: Callable[[Caller, Params, Kind], Output] = getattr(
                self.families[family_name], method
            )
            for kind in KINDS:
                self.handlers[template.format(kind.noun)] = _with_kind(bound, kind)

    @property
    def instances(self) -> Instances:
        """The instances family."""
        return cast(Instances, self.families["instances"])

    @property
    def flows(self) -> Flows:
        """The flows and modules family."""
        return cast(Flows, self.families["flows"])

    @property
    def catalog(self) -> Catalog:
        """The catalog family."""
        return cast(Catalog, self.families["catalog"])

    @property
    def test_cases(self) -> TestCases:
        """The test cases family (its ``run_seconds`` sets an execution's simulated time)."""
        return cast(TestCases, self.families["test_cases"])

    @property
    def metrics(self) -> Metrics:
        """Simulated traffic and the flow metrics of ``GetMetricDataV2``."""
        return cast(Metrics, self.families["metrics"])

    def call(self, caller: Caller, operation: str, params: Params) -> Output:
        """Run one operation in one transaction."""
        handler = self.handlers.get(operation)
        if handler is None:
            raise SandboxError(
                "InvalidRequestException",
                f"The flowops sandbox does not support the operation {operation}",
            )
        check_input(operation, params)
        with self.store.transaction(write=not operation.startswith(READ_PREFIXES)):
            return handler(caller, params) or {}


def _with_kind(method: Callable[[Caller, Params, Kind], Output], kind: Kind) -> Handler:
    def handler(caller: Caller, p: Params) -> Output:
        return method(caller, p, kind)

    return handler


SUPPORTED_OPERATIONS = operation_names()
