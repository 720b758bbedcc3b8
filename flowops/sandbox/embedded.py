"""Embedded mode: a sandbox started inside the calling process when an environment says
``endpoint_url: sandbox``, so ``make demo`` needs no second terminal.

One server per database file per process, started on first use on a free port in a daemon
thread. Several processes may share one database file (SQLite WAL and a busy timeout);
each has its own server, request log and token buckets.
"""

from __future__ import annotations

import atexit
import json
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from flowops.sandbox.config import SandboxConfig
from flowops.sandbox.server import SandboxServer

#: Where ``flowops sandbox serve`` and embedded mode keep state unless told otherwise.
DEFAULT_DB = Path(".flowops") / "sandbox.db"

_lock = threading.Lock()
_servers: dict[str, SandboxServer] = {}


def ensure_sandbox(
    db_path: str | Path = DEFAULT_DB,
    *,
    config: SandboxConfig | None = None,
    seed_if_empty: bool = True,
) -> str:
    """Start (once per process and database) a sandbox over ``db_path``; return its URL.

    Quotas follow Amazon Connect's defaults (2 requests/s, burst 5) unless
    ``FLOWOPS_SANDBOX_QUOTA=off`` is set or ``config`` says otherwise. A database with no
    instance at all is seeded first (dev, staging and prod accounts), so environments that
    name the ``flowops-sandbox`` instance work on a fresh checkout.
    """
    key = str(db_path) if str(db_path) == ":memory:" else str(Path(db_path).resolve())
    with _lock:
        server = _servers.get(key)
        if server is not None:
            return server.url
        server = SandboxServer(db_path, config=config or SandboxConfig.from_env())
        if seed_if_empty:
            with server.store.transaction(write=True):
                if not server.store.has_instances():
                    server.seed()
        server.start()
        _servers[key] = server
        return server.url


def embedded_server(db_path: str | Path = DEFAULT_DB) -> SandboxServer | None:
    """The embedded server over ``db_path`` in this process, if one was started."""
    key = str(db_path) if str(db_path) == ":memory:" else str(Path(db_path).resolve())
    return _servers.get(key)


def stop_all() -> None:
    """Stop every embedded server of this process (also run at exit)."""
    with _lock:
        for server in _servers.values():
            server.stop()
        _servers.clear()


atexit.register(stop_all)


def admin_post(url: str, route: str, payload: dict[str, Any]) -> dict[str, Any]:
    """POST ``payload`` to a sandbox's admin route ``/_sandbox/<route>`` at ``url`` (this
    process's or another's); its JSON answer. A refusal is a ``ValueError`` with its
    message; an unreachable sandbox an ``OSError``."""
    request = urllib.request.Request(
        url.rstrip("/") + "/_sandbox/" + route,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=600) as answer:
            data: dict[str, Any] = json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        raise ValueError(json.loads(exc.read() or b"{}").get("error") or str(exc)) from None
    return data
