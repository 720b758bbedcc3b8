"""The environment lock: one writer per environment, visible to laptops and CI alike.

The lock is a module named ``flowops-lock`` in the environment's instance. *Creating* it
is what takes the lock: Connect refuses a second module of the same name
(``DuplicateResourceException``) whatever the lag of its search index or tags, so two
runs started at the same moment never both hold it (a tag written and read back cannot
promise that: ``TagResource`` is not conditional and tags are eventually consistent).
Giving it back deletes the module by id; a run that took over an expired lock created a
new module with a new id, so a late release never deletes someone else's lock.

Who holds it is written into the module when it is created, compactly enough for a
Connect tag value (at most 256 characters of letters, digits, spaces and
``_ . : / = + - @``, whatever the holder's name), in its description and its tag
``flowops:lock``::

    v=2 id=<lock id> u=<user> h=<host> p=<pid> gh=<owner/repo>/<run id>/<attempt>
        t=<taken, UTC> x=<expires, UTC>

A lock is *stale* when its holder is known to be gone: expired, or taken on this host by
a process that no longer exists. An expired lock is taken over by the next run; any other
held lock is reported with its holder and the exact command that clears it,
``flowops unlock --env NAME LOCK_ID`` (confirmation asked, recorded in the history).

*Legacy locks*: flowops before the lock module kept the lock in the tag ``flowops:lock``
on the ledger module, as JSON (``{"holder", "token", "started", "expires"}``) or as words
(``h=<holder> k=<token> s=<started> x=<expires>``). Such a tag is recognised
(:func:`legacy_lock`): while it has not expired, no run writes and the error names it as
a lock of an older flowops with the unlock command; ``flowops unlock`` removes the tag; an
expired one is removed by the next run, as the older flowops itself took it over.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import secrets
import socket
import time
import unicodedata
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from flowops.connect import ConnectClient
from flowops.connect.catalog import RemoteFlow
from flowops.connect.errors import DuplicateError, NotFoundError
from flowops.deploy.releases import LEDGER_NAME, LOCK_NAME
from flowops.errors import CheckFailedError, RefusedError
from flowops.model.templates import empty_content

LOCK_TAG = "flowops:lock"
DEFAULT_TTL = timedelta(minutes=30)
FORMAT = "2"
#: AWS's limit on a tag value.
MAX_TAG_VALUE = 256
_STAMP = "%Y%m%dT%H%M%SZ"
_UNSAFE = re.compile(r"[^A-Za-z0-9_.:/=+\-@]")

Now = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


def tag_word(text: str, limit: int) -> str:
    """``text`` as one word a tag value accepts: ASCII-folded, unsafe characters -> ``_``.

    Names that do not fold to ASCII (``张伟``) become ``_``-runs; the readable name is in
    the release record, which has no such limit.
    """
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    if len(folded.strip()) < len(text.strip()) / 2:  # mostly non-Latin: keep a trace of it
        folded = text.encode("unicode_escape").decode().replace("\\u", "u")
    return _UNSAFE.sub("_", folded)[:limit] or "_"


@dataclass(frozen=True)
class Holder:
    """Who holds (or asks for) the lock: a person on a host, or a CI run."""

    user: str
    host: str
    pid: int
    github: str = ""  # "<owner/repo>/<run id>/<attempt>" in GitHub Actions

    @classmethod
    def current(cls, user: str | None = None) -> Holder:
        """This process: the CI run in GitHub Actions, else user@host."""
        github = ""
        if os.environ.get("GITHUB_ACTIONS") == "true":
            github = "/".join(
                os.environ.get(k, "") or "-"
                for k in ("GITHUB_REPOSITORY", "GITHUB_RUN_ID", "GITHUB_RUN_ATTEMPT")
            )
            user = user or os.environ.get("GITHUB_ACTOR", "ci")
        if user is None:
            try:
                user = getpass.getuser()
            except (KeyError, OSError):
                user = "unknown"
        return cls(user, socket.gethostname(), os.getpid(), github)

    def describe(self) -> str:
        if not self.host and not self.pid:  # a legacy lock: the holder as it was written
            return self.user
        where = f"{self.user}@{self.host} pid {self.pid}"
        parts = self.github.split("/")
        if len(parts) >= 4:
            repo, run, attempt = "/".join(parts[:-2]), parts[-2], parts[-1]
            return f"GitHub Actions {repo} run {run} attempt {attempt} ({where})"
        return f"GitHub Actions {self.github} ({where})" if self.github else where


def default_holder() -> str:
    """Who is writing, for release records: the CI run in GitHub Actions, else user@host."""
    return Holder.current().describe()


@dataclass(frozen=True)
class LockInfo:
    """A lock as stored on the lock module; ``module_id`` is where it was read from."""

    holder: Holder
    token: str  # the lock id `flowops unlock` asks for
    started: datetime
    expires: datetime
    module_id: str = ""
    #: written by an older flowops: a tag on the ledger module ``module_id``
    legacy: bool = False

    def to_tag(self) -> str:
        h = self.holder
        words = [
            f"v={FORMAT}",
            f"id={tag_word(self.token, 16)}",
            f"u={tag_word(h.user, 32)}",
            f"h={tag_word(h.host, 40)}",
            f"p={h.pid}",
        ]
        if h.github:  # the repository is shortened, never the run id and attempt
            repo, _, run = h.github.rpartition("/")[0].rpartition("/")
            attempt = h.github.rpartition("/")[2]
            tail = f"/{tag_word(run, 20)}/{tag_word(attempt, 4)}"
            words.append(f"gh={tag_word(repo, 90 - len(tail))}{tail}")
        words += [f"t={self.started.strftime(_STAMP)}", f"x={self.expires.strftime(_STAMP)}"]
        value = " ".join(words)
        assert len(value) <= MAX_TAG_VALUE, value
        return value

    @classmethod
    def from_tag(cls, value: str, module_id: str = "") -> LockInfo | None:
        fields = dict(w.partition("=")[::2] for w in (value or "").split())
        if fields.get("v") != FORMAT:
            return None
        try:
            return cls(
                Holder(fields["u"], fields["h"], int(fields["p"]), fields.get("gh", "")),
                fields["id"],
                datetime.strptime(fields["t"], _STAMP).replace(tzinfo=UTC),
                datetime.strptime(fields["x"], _STAMP).replace(tzinfo=UTC),
                module_id,
            )
        except (KeyError, ValueError):
            return None

    def stale_reason(self, now: datetime) -> str | None:
        """Why the holder is known to be gone, or None while it may still be running."""
        if self.expires <= now:
            return f"expired {self.expires.isoformat(timespec='seconds')}"
        if self.holder.github:
            return github_run_finished(self.holder.github)
        here = tag_word(socket.gethostname(), 40)
        if tag_word(self.holder.host, 40) == here and not self.holder.github:
            if self.holder.pid == os.getpid():
                return None
            try:
                os.kill(self.holder.pid, 0)
            except ProcessLookupError:
                return f"process {self.holder.pid} no longer runs on {self.holder.host}"
            except PermissionError:
                return None
        return None


def github_run_finished(github: str) -> str | None:
    """ "GitHub Actions run ... finished" when GitHub says that run attempt has completed.

    Asked only where a token is at hand (``GITHUB_TOKEN`` or ``GH_TOKEN``; in Actions,
    ``GITHUB_API_URL`` names the API): one GET of the run attempt. Unknown (no token, no
    answer, a name cut short in the tag) is None: the lock may still be held.
    """
    token = os.environ.get("GITHUB_TOKEN") or os.environ.get("GH_TOKEN")
    parts = github.split("/")
    if not token or len(parts) < 4:
        return None
    repo, run, attempt = "/".join(parts[:-2]), parts[-2], parts[-1]
    api = os.environ.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")
    request = urllib.request.Request(
        f"{api}/repos/{repo}/actions/runs/{run}/attempts/{attempt}",
        headers={"Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            data = json.loads(answer.read())
    except (OSError, ValueError):
        return None
    if data.get("status") != "completed":
        return None
    return f"GitHub Actions run {run} attempt {attempt} of {repo} has finished"


def unlock_command(env: str, lock: LockInfo) -> str:
    return f"flowops unlock --env {env} {lock.token}"


class LockHeldError(RefusedError):
    """Another run writes to the same environment (exit 1); says how to clear a stale lock."""

    def __init__(self, env: str, lock: LockInfo | None, stale: str | None = None) -> None:
        self.env = env
        self.lock = lock
        self.stale = stale
        if lock is None:
            super().__init__(
                f"environment {env!r} is locked by a run whose lock is not readable yet "
                "(just taken?); try again in a moment"
            )
            return
        since = lock.started.isoformat(timespec="seconds")
        until = lock.expires.isoformat(timespec="seconds")
        head = f"environment {env!r} is locked (lock {lock.token}) by {lock.holder.describe()}"
        if lock.legacy:
            head = (
                f"environment {env!r} is locked by an older flowops (lock {lock.token}, the "
                f"tag {LOCK_TAG} on module {LEDGER_NAME}) held by {lock.holder.describe()}"
            )
        if stale:
            super().__init__(
                f"{head} since {since}, which is stale ({stale}); if no run is writing, "
                f"take it over with `{unlock_command(env, lock)}`"
            )
        else:
            super().__init__(
                f"{head} since {since} (expires {until}); wait for it to finish, or if that "
                f"run is gone, `{unlock_command(env, lock)}`"
            )

    def details(self) -> dict[str, object]:
        """The lock in machine output: its id, holder, times, staleness, unlock command."""
        lock = self.lock
        if lock is None:
            return {"lock": None}
        return {
            "lock": {
                "id": lock.token,
                "holder": lock.holder.describe(),
                "started": lock.started.isoformat(timespec="seconds"),
                "expires": lock.expires.isoformat(timespec="seconds"),
                "stale": self.stale,
                "unlock": unlock_command(self.env, lock),
            }
        }


def _lock_of(flow: RemoteFlow) -> LockInfo | None:
    for text in (flow.description, flow.tags.get(LOCK_TAG, "")):
        info = LockInfo.from_tag(text.removeprefix("flowops lock "), flow.id)
        if info is not None:
            return info
    return None


def legacy_lock(ledger: RemoteFlow | None) -> LockInfo | None:
    """The lock an older flowops left in the ledger's ``flowops:lock`` tag, or None."""
    if ledger is None or not ledger.tags.get(LOCK_TAG, "").strip():
        return None
    value = ledger.tags[LOCK_TAG].strip()
    try:
        if value.startswith("{"):
            data = json.loads(value)
        else:
            words = dict(w.partition("=")[::2] for w in value.split())
            data = {"holder": words["h"], "token": words["k"]}
            data |= {"started": words["s"], "expires": words["x"]}
        started = datetime.fromisoformat(str(data["started"]))
        expires = datetime.fromisoformat(str(data["expires"]))
        holder, token = str(data["holder"]), str(data["token"])
    except (ValueError, KeyError, TypeError, AttributeError):
        started = expires = _utcnow() + DEFAULT_TTL  # unreadable: held, never expired
        holder, token = f"an unreadable tag {value[:40]!r}", "legacy"
    since, until = (t if t.tzinfo else t.replace(tzinfo=UTC) for t in (started, expires))
    return LockInfo(Holder(holder, "", 0), token, since, until, module_id=ledger.id, legacy=True)


def read_lock(
    client: ConnectClient, *, tries: int = 3, pause: float = 0.5, legacy: bool = True
) -> LockInfo | None:
    """The lock of the client's environment (expired or not), or None when none is held.

    Found by name (Search, else List), then read by id: a lock module the index does
    not show yet is looked for again ``tries`` times. Without a lock module, a legacy
    lock (``legacy``: the ledger's tag) is the lock.
    """
    for attempt in range(tries):
        found = client.find_by_name("module", LOCK_NAME)
        if found is not None:
            try:
                return _lock_of(client.describe("module", found.id)) or LockInfo(
                    Holder("unknown", "unknown", 0), "unknown", _utcnow(), _utcnow(), found.id
                )
            except NotFoundError:
                pass  # released meanwhile, or the index is behind
        if attempt + 1 < tries:
            time.sleep(pause)
    ledger = client.find_by_name("module", LEDGER_NAME) if legacy else None
    return legacy_lock(client.describe("module", ledger.id)) if ledger is not None else None


def acquire(
    client: ConnectClient,
    *,
    holder: Holder | None = None,
    ttl: timedelta = DEFAULT_TTL,
    now: Now = _utcnow,
) -> LockInfo:
    """Take the environment's lock or raise ``LockHeldError`` naming its holder.

    An expired lock is deleted (by its id) and taken over, once.
    """
    env = client.env.name
    for _ in range(2):
        started = now()
        mine = LockInfo(holder or Holder.current(), secrets.token_hex(4), started, started + ttl)
        value = mine.to_tag()
        try:
            created = client.create(
                "module",
                LOCK_NAME,
                json.dumps(empty_content("module")),
                type="MODULE",
                description=f"flowops lock {value}",
                tags={LOCK_TAG: value},
            )
            return replace(mine, module_id=created.id)
        except DuplicateError:
            held = read_lock(client, legacy=False)
            if held is None:
                continue  # released between our create and our read: try once more
            if held.token == mine.token:
                return held  # our create was applied, its answer lost, the retry refused
            stale = held.stale_reason(now())
            if stale is None or not stale.startswith("expired"):
                raise LockHeldError(env, held, stale) from None
            try:
                client.delete("module", held.module_id)
            except NotFoundError:
                pass  # another run took it over first; our create will tell
    raise LockHeldError(env, read_lock(client, legacy=False))


def release(client: ConnectClient, lock: LockInfo, *, tries: int = 4, pause: float = 0.5) -> None:
    """Give the lock back: delete our lock module (gone already is fine).

    Connect may answer ``ResourceNotFoundException`` for a moment after a create: a lock
    module not found is asked for again a few times before it counts as gone.
    """
    if lock.legacy:
        client.untag(client.flow_arn("module", lock.module_id), [LOCK_TAG])
        return
    for attempt in range(tries):
        try:
            client.delete("module", lock.module_id)
            break
        except NotFoundError:
            if attempt + 1 < tries:
                client.lag_waits["DeleteContactFlowModule"] += 1
                time.sleep(pause * (attempt + 1))
    client.refresh_flows()


def break_lock(client: ConnectClient, lock_id: str) -> LockInfo:
    """Delete the lock ``lock_id`` (``flowops unlock``); bad input when it is not the lock."""
    held = read_lock(client)
    if held is None:
        raise CheckFailedError(f"environment {client.env.name!r} is not locked")
    if held.token != lock_id:
        raise CheckFailedError(
            f"environment {client.env.name!r} is locked by lock {held.token} "
            f"({held.holder.describe()}), not {lock_id}; nothing was changed"
        )
    release(client, held)
    return held
