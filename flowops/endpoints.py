"""How ``endpoint_url: sandbox`` becomes a URL, without the client layer importing the sandbox.

The sandbox is a separate service (test support built on it imports the client layer), so
``flowops.connect`` never imports it. The sandbox declares its starter as an entry point
instead (``[project.entry-points."flowops.sandbox"] starter`` in ``pyproject.toml``):
:func:`sandbox_url` looks it up and imports it on first use only, so every program that
imports flowops (the ``flowops`` command, the demo, a team's own script) gets embedded mode
with no set-up, and one that never names ``endpoint_url: sandbox`` never imports the
sandbox. A program may install another starter with :func:`set_sandbox_starter`.
This module imports only ``flowops.errors`` and the standard library.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import EntryPoint, entry_points
from typing import cast

from flowops.errors import BadInputError

#: Starts (once per process and database) a sandbox over a database file; returns its URL.
SandboxStarter = Callable[[str], str]

#: The entry point group and name under which a distribution declares its sandbox starter.
ENTRY_POINT_GROUP = "flowops.sandbox"
ENTRY_POINT_NAME = "starter"
#: flowops' own distribution (``flowops.DISTRIBUTION``): its starter wins over another's.
_OWN_DISTRIBUTION = "flowops-connect"

_starter: SandboxStarter | None = None


def set_sandbox_starter(starter: SandboxStarter | None) -> SandboxStarter | None:
    """Install how embedded sandboxes start (None: the declared entry point); returns the
    previous one."""
    global _starter
    previous, _starter = _starter, starter
    return previous


def declared_starter(group: str = ENTRY_POINT_GROUP) -> EntryPoint | None:
    """The entry point named ``starter`` in ``group`` (flowops' own if several declare one)."""
    found = sorted(
        entry_points(group=group, name=ENTRY_POINT_NAME),
        key=lambda point: (_distribution(point) != _OWN_DISTRIBUTION, point.value),
    )
    return found[0] if found else None


def _distribution(point: EntryPoint) -> str:
    dist = point.dist
    return "" if dist is None else dist.name.replace("_", "-").lower()


def sandbox_url(env_name: str, db_path: str) -> str:
    """The URL of environment ``env_name``'s embedded sandbox over ``db_path``."""
    global _starter
    if _starter is None:
        point = declared_starter(ENTRY_POINT_GROUP)
        if point is None:
            raise BadInputError(
                f"environment {env_name!r}: endpoint_url: sandbox needs the embedded sandbox, "
                f"and no installed distribution declares one (entry point "
                f"{ENTRY_POINT_GROUP}:{ENTRY_POINT_NAME}; reinstall flowops: pip install -e .)"
            )
        _starter = cast(SandboxStarter, point.load())
    return _starter(db_path)
