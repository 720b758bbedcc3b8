"""How ``endpoint_url: sandbox`` becomes a URL, without the client layer importing the sandbox.

The sandbox is a separate service (test support built on it imports the client layer), so
``flowops.connect`` never imports it. Programs that offer embedded mode (the ``flowops``
command, the demo) install a starter here; the client layer calls :func:`sandbox_url`.
This module imports only ``flowops.errors``: installing a starter costs nothing at startup.
"""

from __future__ import annotations

from collections.abc import Callable

from flowops.errors import BadInputError

#: Starts (once per process and database) a sandbox over a database file; returns its URL.
SandboxStarter = Callable[[str], str]

_starter: SandboxStarter | None = None


def set_sandbox_starter(starter: SandboxStarter | None) -> SandboxStarter | None:
    """Install how embedded sandboxes start (None: they cannot); returns the previous one."""
    global _starter
    previous, _starter = _starter, starter
    return previous


def sandbox_url(env_name: str, db_path: str) -> str:
    """The URL of environment ``env_name``'s embedded sandbox over ``db_path``."""
    if _starter is None:
        raise BadInputError(
            f"environment {env_name!r}: endpoint_url: sandbox needs the embedded sandbox, "
            "which this program did not enable (flowops.endpoints.set_sandbox_starter)"
        )
    return _starter(db_path)
