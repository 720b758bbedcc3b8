"""The promote lock: one writer per environment, visible to laptops and CI alike.

The lock is one tag, ``flowops:lock``, on the environment's ledger module (see
``flowops.deploy.releases``): a JSON value with the holder, a random token, the start
time and the expiry. Connect is the only place every promoter can see, so that is where
the lock lives. Acquiring: read the tag; if another holder's unexpired lock is there,
fail naming the holder; otherwise write ours, wait a moment and read again to confirm
the token is still ours (a later writer wins, the earlier one backs off).

Race window: TagResource is not conditional. Two promoters that both read "free" and
whose writes and confirmations fall within the settle delay of each other could both
believe they hold the lock; the delay (default 1 s) makes that need two starts within
about a second. The release versions' ``FlowContentSha256`` check still stops a promote
from overwriting a flow that changed after its plan was made. An expired lock (a killed
run) is taken over, and the message says so.
"""

from __future__ import annotations

import getpass
import json
import os
import secrets
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flowops.connect import ConnectClient
from flowops.deploy.canary_state import tag_safe
from flowops.errors import CheckFailedError

LOCK_TAG = "flowops:lock"
DEFAULT_TTL = timedelta(minutes=30)

Now = Callable[[], datetime]


def default_holder() -> str:
    """Who is promoting: the CI run when in GitHub Actions, else user@host."""
    if os.environ.get("GITHUB_ACTIONS") == "true":
        repo = os.environ.get("GITHUB_REPOSITORY", "")
        run = os.environ.get("GITHUB_RUN_ID", "")
        actor = os.environ.get("GITHUB_ACTOR", "ci")
        return f"github-actions {repo} run {run} ({actor})"
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{socket.gethostname()} pid {os.getpid()}"


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class LockInfo:
    """A lock as stored in the ledger's tag."""

    holder: str
    token: str
    started: datetime
    expires: datetime

    def to_tag(self) -> str:
        """``h=<holder> k=<token> s=<started> x=<expires>``: within Connect's tag value limits
        (256 characters of letters, digits, spaces and ``_ . : / = + - @``)."""
        return " ".join(
            (
                f"h={tag_safe(self.holder, 120)}",
                f"k={self.token}",
                f"s={self.started.isoformat(timespec='seconds')}",
                f"x={self.expires.isoformat(timespec='seconds')}",
            )
        )

    @classmethod
    def from_tag(cls, value: str) -> LockInfo | None:
        try:
            if value.startswith("{"):  # written by flowops before the tag limits were met
                data = json.loads(value)
            else:
                words = dict(word.partition("=")[::2] for word in value.split())
                data = {
                    "holder": words["h"],
                    "token": words["k"],
                    "started": words["s"],
                    "expires": words["x"],
                }
            return cls(
                holder=str(data["holder"]),
                token=str(data["token"]),
                started=datetime.fromisoformat(data["started"]),
                expires=datetime.fromisoformat(data["expires"]),
            )
        except (ValueError, KeyError, TypeError):
            return None


class LockHeldError(CheckFailedError):
    """Another promote to the same environment is running (exit 1)."""

    def __init__(self, env: str, lock: LockInfo) -> None:
        self.lock = lock
        super().__init__(
            f"environment {env!r} is locked by {lock.holder} since "
            f"{lock.started.isoformat(timespec='seconds')} (expires "
            f"{lock.expires.isoformat(timespec='seconds')}); wait for it to finish, or "
            f"after expiry run again to take over"
        )


def read_lock(client: ConnectClient, ledger_arn: str) -> LockInfo | None:
    """The current lock on the ledger, if any (expired or not)."""
    value = client.list_tags(ledger_arn).get(LOCK_TAG)
    return LockInfo.from_tag(value) if value else None


def acquire(
    client: ConnectClient,
    ledger_arn: str,
    *,
    holder: str | None = None,
    ttl: timedelta = DEFAULT_TTL,
    settle: float = 1.0,
    now: Now = _utcnow,
    sleep: Callable[[float], None] = time.sleep,
) -> LockInfo:
    """Take the environment's lock or raise ``LockHeldError`` naming its holder."""
    current = read_lock(client, ledger_arn)
    if current is not None and current.expires > now():
        raise LockHeldError(client.env.name, current)
    started = now()
    mine = LockInfo(holder or default_holder(), secrets.token_hex(8), started, started + ttl)
    client.tag(ledger_arn, {LOCK_TAG: mine.to_tag()})
    if settle > 0:
        sleep(settle)
    confirmed = read_lock(client, ledger_arn)
    if confirmed is None or confirmed.token != mine.token:
        if confirmed is not None:
            raise LockHeldError(client.env.name, confirmed)
        raise CheckFailedError(
            f"environment {client.env.name!r}: the lock was removed by another run"
        )
    return mine


def release(client: ConnectClient, ledger_arn: str, lock: LockInfo) -> None:
    """Give the lock back, unless another run has (after expiry) taken it over."""
    current = read_lock(client, ledger_arn)
    if current is not None and current.token == lock.token:
        client.untag(ledger_arn, [LOCK_TAG])
