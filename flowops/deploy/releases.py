"""Release records, kept in Amazon Connect itself so rollback needs no git repository.

Each environment has one *ledger*: a flow module named ``flowops-ledger`` whose only action
ends the module (it is never invoked) and whose ``Metadata.flowops.releases`` holds the
release records, newest last: id, env, commit, ref, who, when, status, and per flow the
key, id, action, version before and version after. One DescribeContactFlowModule reads
the whole history. Every changed flow also carries the release in its version
descriptions (``flowops:restore-point release=7`` then ``flowops:release=7 commit=<sha>
env=prod``), so the record can be rebuilt from the flows alone if the ledger is lost.
The ledger keeps the newest records that fit well inside Connect's 256,000-character
content limit. The lock is a module of its own (``flowops.deploy.lock``; flowops before
it kept the lock in the ledger's tags, still recognised). Where Connect refuses flow
versions, the content before a release is kept in the module ``flowops-restore-points``
(:func:`keep_restore_points`), so rollback still needs no git repository.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, TypeVar, get_args

from flowops.connect import ConnectClient
from flowops.connect.catalog import FlowKind, RemoteFlow, strip_qualifier
from flowops.connect.client import bare_id
from flowops.connect.errors import DuplicateError
from flowops.errors import BadInputError, CheckFailedError
from flowops.model.templates import empty_content

#: The module that holds release records in each environment.
LEDGER_NAME = "flowops-ledger"
#: The module whose existence is an environment's lock (``flowops.deploy.lock``).
LOCK_NAME = "flowops-lock"
#: The module keeping restore points as content where Connect refuses flow versions.
RESTORE_NAME = "flowops-restore-points"
#: Names flowops keeps for itself: never desired state, never a live flow missing from git.
RESERVED_NAMES = frozenset({LEDGER_NAME, LOCK_NAME, RESTORE_NAME})
LEDGER_FORMAT = 1
#: Characters of ledger content at most (Connect allows 256,000).
LEDGER_BUDGET = 200_000
LEDGER_DESCRIPTION = "flowops release records. Written by flowops; do not edit."
#: Flows a release recorded this recently are read again by id before a plan: Search and
#: List copies of them may predate the release (Amazon Connect is eventually consistent).
SETTLE_WINDOW = timedelta(minutes=10)

#: What a release record is. Older records without ``kind`` are promotes (or rollbacks,
#: recognised by their message: :meth:`ReleaseRecord.resolved_kind`); a kind this
#: flowops does not know (written by a newer one) reads as ``other``.
ReleaseKind = Literal[
    "promote",
    "rollback",
    "canary-start",
    "canary-ramp",
    "canary-promote",
    "canary-abort",
    "unlock",
    "test-cases",
    "other",
]
RELEASE_KINDS: tuple[ReleaseKind, ...] = get_args(ReleaseKind)
#: Steps of a running canary: recorded, shown by ``flowops history``, but never undone by
#: ``flowops rollback`` nor measured as releases (its promote is the release).
CANARY_STEP_KINDS: frozenset[ReleaseKind] = frozenset(
    {"canary-start", "canary-ramp", "canary-abort"}
)
#: Records that are history only, never a release of flow content to undo, measure or
#: compare with: canary steps, an unlock, a publishing of test cases (``flowops test
#: --env``: test cases and the substitute hours they use).
NOT_RELEASE_KINDS: frozenset[ReleaseKind] = CANARY_STEP_KINDS | {"unlock", "test-cases"}
#: Where a release stands: ``running`` (written before its first write; a run killed
#: before it ended leaves it and the next run records it as ``interrupted``),
#: ``released``, ``failed`` / ``cancelled`` (each flow's outcome says where it is),
#: ``failed-restored`` (older records: failed and put back). Unknown values read as
#: ``failed``: nothing is assumed to have completed.
ReleaseStatus = Literal[
    "running", "released", "failed", "cancelled", "interrupted", "failed-restored"
]
#: Where one flow of a release is: ``released`` (at the new content, release version
#: made), ``partial`` (new content, no release version), ``restored`` / ``deleted``
#: (undone), ``untouched``, ``failed`` (unknown), ``left`` / ``archived`` (rollback of a
#: flow the release created), ``planned`` (in a ``running`` record). Unknown values read
#: as ``failed``.
FlowState = Literal[
    "released",
    "partial",
    "restored",
    "deleted",
    "untouched",
    "failed",
    "left",
    "archived",
    "planned",
]
#: What a release did to a flow.
FlowAction = Literal["create", "update"]

_T = TypeVar("_T", bound=str)


def parse_state(value: object, allowed: tuple[_T, ...], default: _T) -> _T:
    """``value`` if it is one of ``allowed`` (a Literal's values), else ``default``: records
    written by another flowops version always read."""
    for choice in allowed:
        if value == choice:
            return choice
    return default


#: How a rollback record's message starts (the only mark of rollbacks in older records).
ROLLBACK_PREFIX = "rollback of release "

_RELEASE_DESC = re.compile(r"flowops:release=(?P<id>\d+)(?: commit=(?P<commit>\S+))?")


@dataclass(frozen=True)
class FlowRelease:
    """What one release did to one flow or module."""

    key: str  # git key, "flow:Main IVR"
    kind: FlowKind
    name: str  # name in the environment
    id: str
    action: FlowAction
    version_before: int | None = None  # the restore point (None for a created flow)
    version_after: int | None = None  # the released version
    #: see :data:`FlowState`
    outcome: FlowState = "released"
    #: The entry alias moved to ``version_after`` (``use_aliases``); rollback repoints it
    #: by id. None in records written before aliases were recorded, or without aliases.
    alias_id: str | None = None
    #: SHA-256 of the content ``version_after`` holds: a later release whose live content
    #: still has it uses ``version_after`` as its restore point instead of a new version.
    sha256: str | None = None
    #: SHA-256 of the content live before the release (``running`` records: how the next
    #: run tells a flow the killed run never reached from one it changed).
    sha_before: str | None = None
    #: SHA-256 of the name, description, state, status and tags (flowops' own left out)
    #: the release left the flow with (:func:`meta_sha256`): with ``sha256``, how a plan
    #: tells a Search copy that already shows this release from one that predates it
    #: (:func:`settle_catalog`). None in older records and where flowops did not write
    #: them from git (rollbacks, canary steps, repaired records): such flows are re-read.
    meta_sha256: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FlowRelease:
        fields = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        fields["kind"] = parse_state(data.get("kind"), get_args(FlowKind), "flow")
        fields["action"] = parse_state(data.get("action"), get_args(FlowAction), "update")
        fields["outcome"] = parse_state(
            data.get("outcome", "released"), get_args(FlowState), "failed"
        )
        return cls(**fields)


@dataclass(frozen=True)
class ReleaseRecord:
    """One release to one environment: a promote, rollback, canary step, unlock or
    publishing of test cases."""

    id: int
    env: str
    commit: str | None
    ref: str | None
    who: str
    when: str  # ISO 8601, UTC
    status: ReleaseStatus = "released"  # see ReleaseStatus
    flows: tuple[FlowRelease, ...] = ()
    message: str = ""
    kind: ReleaseKind = "promote"  # see ReleaseKind
    reverts: int | None = None  # for a rollback: the (newest) release it undid

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["flows"] = [asdict(f) for f in self.flows]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ReleaseRecord:
        fields = {k: data[k] for k in cls.__dataclass_fields__ if k in data and k != "flows"}
        fields["status"] = parse_state(
            data.get("status", "released"), get_args(ReleaseStatus), "failed"
        )
        fields["kind"] = parse_state(data.get("kind", "promote"), RELEASE_KINDS, "other")
        flows = tuple(FlowRelease.from_dict(f) for f in data.get("flows") or ())
        return cls(**fields, flows=flows)

    @property
    def moved(self) -> tuple[FlowRelease, ...]:
        """The flows this release really moved to its content (with a release version, or
        without one: a run that failed or was killed and not restored)."""
        return tuple(f for f in self.flows if f.outcome in ("released", "partial"))

    @property
    def incomplete(self) -> bool:
        """The release did not complete (failed, cancelled, interrupted): what it left is
        undone together with the release after it, a re-run of the same change."""
        return self.status in ("failed", "cancelled", "interrupted")

    @property
    def canary_step(self) -> bool:
        """A canary start, ramp or abort: history, never a release to undo or measure."""
        return self.kind in CANARY_STEP_KINDS

    @property
    def releases_content(self) -> bool:
        """A release of flow content (promote, rollback, canary promote, or a kind recorded
        by a newer flowops): what rollback undoes, measure measures and drift compares
        with. Not a canary step, an unlock nor a publishing of test cases."""
        return self.kind not in NOT_RELEASE_KINDS

    def resolved_kind(self) -> tuple[ReleaseKind, int | None]:
        """(kind, release reverted), recognising rollbacks recorded before ``kind`` existed."""
        if self.kind != "promote" or self.reverts is not None:
            return self.kind, self.reverts
        if self.message.startswith(ROLLBACK_PREFIX):
            first = self.message[len(ROLLBACK_PREFIX) :].split()[0].rstrip(",")
            return "rollback", int(first) if first.isdigit() else None
        return "promote", None

    def flow(self, key: str) -> FlowRelease | None:
        return next((f for f in self.flows if f.key == key or f.name == key), None)


@dataclass(frozen=True)
class Ledger:
    """The ledger module as read from Connect, with its records."""

    flow: RemoteFlow
    records: tuple[ReleaseRecord, ...] = field(default=())

    @property
    def next_id(self) -> int:
        return max((r.id for r in self.records), default=0) + 1


def content_sha256(content: str) -> str:
    """The SHA-256 Connect reports for ``content`` (``FlowContentSha256``)."""
    return hashlib.sha256(content.encode()).hexdigest()


def meta_sha256(
    name: str, description: str | None, state: str | None, status: str, tags: Mapping[str, str]
) -> str:
    """The SHA-256 of what a flow holds besides content, as a plan compares it (flowops'
    own tags left out, state and status in upper case): :attr:`FlowRelease.meta_sha256`."""
    from flowops.deploy.live import own_tags_removed  # live imports this module

    fields = {
        "name": name,
        "description": description or "",
        "state": (state or "ACTIVE").upper(),
        "status": status.upper(),
        "tags": sorted(own_tags_removed(tags).items()),
    }
    return content_sha256(json.dumps(fields, sort_keys=True, ensure_ascii=False))


def shows_release(copy: RemoteFlow | None, flow: FlowRelease) -> bool:
    """Whether ``copy`` (a Search or List copy) already shows what ``flow``'s release left:
    released, and the copy's content and everything else a plan compares hash to what
    the release recorded. Then Search has caught up with that write and a read by id adds
    nothing; without both hashes in the record (older records, rollbacks, canary steps,
    deletes), without content in the copy, or with a copy missing, it cannot tell."""
    if copy is None or copy.content is None or flow.outcome != "released":
        return False
    if not flow.sha256 or not flow.meta_sha256:
        return False
    return content_sha256(copy.content) == flow.sha256 and flow.meta_sha256 == meta_sha256(
        copy.name, copy.description, copy.state, copy.status, copy.tags
    )


def latest_released(records: Sequence[ReleaseRecord]) -> dict[str, FlowRelease]:
    """Flow id -> the newest record of it at a release version with a known content hash."""
    out: dict[str, FlowRelease] = {}
    for record in records:
        for flow in record.flows:
            if flow.outcome == "released" and flow.version_after and flow.sha256:
                out[flow.id] = flow
            elif flow.outcome not in ("restored", "deleted", "untouched", "planned"):
                out.pop(flow.id, None)  # moved since: its content is not known
    return out


def release_description(release_id: int, commit: str | None, env: str) -> str:
    """The description of the version a release publishes."""
    return f"flowops:release={release_id} commit={commit or '-'} env={env}"


def restore_point_description(release_id: int) -> str:
    """The description of the version taken before a release changes a flow."""
    return f"flowops:restore-point release={release_id}"


def parse_release_description(text: str) -> tuple[int, str | None] | None:
    """(release id, commit) from a release version's description, or None."""
    found = _RELEASE_DESC.search(text or "")
    if not found:
        return None
    commit = found["commit"]
    return int(found["id"]), (None if commit in (None, "-") else commit)


def ledger_content(records: list[ReleaseRecord], env: str) -> str:
    """Module content holding ``records`` (oldest dropped to stay within the budget)."""
    kept = list(records)
    while True:
        content = {
            **empty_content("module"),
            "Metadata": {
                "flowops": {
                    "ledger": LEDGER_FORMAT,
                    "env": env,
                    "releases": [r.to_dict() for r in kept],
                }
            },
        }
        text = json.dumps(content, separators=(",", ":"), ensure_ascii=False)
        if len(text) <= LEDGER_BUDGET or len(kept) <= 1:
            return text
        kept = kept[1:]


def parse_ledger(content: str | None) -> list[ReleaseRecord]:
    """The records in ledger content, oldest first; bad input when it is not a ledger."""
    if not content:
        return []
    try:
        data = json.loads(content)
        block = data.get("Metadata", {}).get("flowops", {})
        return [ReleaseRecord.from_dict(r) for r in block.get("releases", [])]
    except (ValueError, AttributeError, TypeError, KeyError) as exc:
        raise BadInputError(f"module {LEDGER_NAME!r} is not a flowops ledger: {exc}") from None


def find_ledger(client: ConnectClient) -> RemoteFlow | None:
    """The ledger module read by id (never a search result's copy), or None when no
    release ever ran here.

    Found with one SearchContactFlowModules call filtered by name (List where Search is
    denied), then described by id: a search index that lags could hand back an older
    copy of the content, losing the newest record and reusing its release id.
    """
    found = client.find_by_name("module", LEDGER_NAME)
    return client.describe("module", found.id) if found is not None else None


def read_ledger(client: ConnectClient) -> list[ReleaseRecord]:
    """Every release record of the client's environment, oldest first."""
    found = find_ledger(client)
    return parse_ledger(found.content) if found is not None else []


def latest(client: ConnectClient) -> ReleaseRecord | None:
    """The newest record of a release of content (a promote, rollback or canary promote;
    not a canary's start, ramp or abort, an unlock nor test cases), or None."""
    records = read_ledger(client)
    releases = [r for r in records if r.releases_content]
    return releases[-1] if releases else None


def _recorded_at(record: ReleaseRecord) -> datetime | None:
    try:
        when = datetime.fromisoformat(record.when)
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def settle_catalog(client: ConnectClient, *, now: datetime | None = None) -> None:
    """Make the client's catalog (built with Search, or List) current where flowops wrote.

    The ledger is read again by id, and so is every flow a release recorded in the last
    :data:`SETTLE_WINDOW` touched, unless its copy already shows that write: a copy an
    eventually consistent Search or List gave may show a flow as it was before that
    release (old content, a flow just created missing, one just deleted still there).
    Only the newest record of each flow counts; a flow whose copy carries exactly the
    content and metadata that record says it left (:func:`shows_release`) is not read
    again. A ledger Search does not show yet (created in the last seconds) cannot be read
    here; the release transaction finds it under the lock.
    """
    found = client.catalog(with_content=False).flow("module", LEDGER_NAME)  # as cached
    if found is None:
        return
    client.reread([("module", found.id)])
    catalog = client.catalog(with_content=False)
    ledger = catalog.flow("module", LEDGER_NAME)
    if ledger is None:
        return
    since = (now or datetime.now(UTC)) - SETTLE_WINDOW
    recent = [r for r in parse_ledger(ledger.content) if (_recorded_at(r) or since) >= since]
    newest: dict[tuple[FlowKind, str], FlowRelease] = {}
    for record in recent:
        for f in record.flows:
            if f.id:
                key: tuple[FlowKind, str] = (
                    "module" if f.kind == "module" else "flow",
                    strip_qualifier(bare_id(f.id)),
                )
                newest.pop(key, None)  # keeps the order of the newest records
                newest[key] = f
    shown = {(f.kind, f.id): f for f in catalog.flows.values()}
    client.reread([key for key, f in newest.items() if not shows_release(shown.get(key), f)])


def ensure_ledger(client: ConnectClient) -> Ledger:
    """Read the ledger (by id), creating it on the first release to an environment."""
    found = find_ledger(client)
    if found is None:
        try:
            created = client.create(
                "module",
                LEDGER_NAME,
                ledger_content([], client.env.name),
                type="MODULE",
                description=LEDGER_DESCRIPTION,
            )
            # By id: Search may not index a module created a moment ago.
            found = client.describe("module", created.id)
        except DuplicateError:
            # It exists: created by another run, or moments ago and not yet shown by
            # Search or List (both lag writes): asked again until it shows.
            listed = client.find_by_name("module", LEDGER_NAME, settle=True)
            found = client.describe("module", listed.id) if listed is not None else None
        client.refresh_flows()
        if found is None:
            raise BadInputError(f"module {LEDGER_NAME!r} could not be created or read")
    return Ledger(found, tuple(parse_ledger(found.content)))


def append_record(client: ConnectClient, ledger: Ledger, record: ReleaseRecord) -> Ledger:
    """Write ``record`` into ``ledger`` (as read under the environment lock, replacing a
    record of the same id), read it back by id and check it is there; returns the ledger
    as written. The lock makes its holder the ledger's only writer.
    """
    records = [r for r in ledger.records if r.id != record.id] + [record]
    content = ledger_content(records, record.env)
    for _ in range(3):
        client.update_content("module", ledger.flow.id, content)
        back = parse_ledger(client.describe("module", ledger.flow.id).content)
        if any(r.to_dict() == record.to_dict() for r in back):
            return Ledger(ledger.flow, tuple(back))
    raise CheckFailedError(
        f"release {record.id} was written to the ledger of {record.env!r} but does not read "
        "back; run `flowops history` to check"
    )


# --- restore points kept as content (versionless environments) ------------------------


def _restore_content(points: Mapping[str, str], env: str) -> str:
    """Module content holding ``points`` (SHA-256 -> flow content), the oldest dropped to
    stay within the ledger's budget."""
    kept = dict(points)
    while True:
        content = {
            **empty_content("module"),
            "Metadata": {"flowops": {"restore_points": LEDGER_FORMAT, "env": env, "kept": kept}},
        }
        text = json.dumps(content, separators=(",", ":"), ensure_ascii=False)
        if len(text) <= LEDGER_BUDGET or not kept:
            return text
        kept.pop(next(iter(kept)))


def read_restore_points(client: ConnectClient) -> dict[str, str]:
    """SHA-256 -> content of the restore points kept in Connect (empty when none)."""
    found = client.find_by_name("module", RESTORE_NAME)
    if found is None:
        return {}
    text = client.describe("module", found.id).content or "{}"
    try:
        kept = json.loads(text).get("Metadata", {}).get("flowops", {}).get("kept", {})
    except (ValueError, AttributeError):
        return {}
    return {str(k): str(v) for k, v in kept.items()} if isinstance(kept, dict) else {}


def keep_restore_points(client: ConnectClient, contents: Mapping[str, str]) -> list[str]:
    """Keep ``contents`` (SHA-256 -> flow content) in the restore-point module, created on
    first use (one read and one write; the caller holds the environment lock). Returns the
    hashes kept (a content too big for the module is not: rollback then needs git)."""
    found = client.find_by_name("module", RESTORE_NAME)
    points = read_restore_points(client) if found is not None else {}
    for sha, content in contents.items():
        points.pop(sha, None)
        points[sha] = content  # newest last: the oldest are dropped first
    text = _restore_content(points, client.env.name)
    if found is None:
        client.create("module", RESTORE_NAME, text, type="MODULE", description=RESTORE_DESCRIPTION)
    else:
        client.update_content("module", found.id, text)
    kept = json.loads(text)["Metadata"]["flowops"]["kept"]
    return [sha for sha in contents if sha in kept]


RESTORE_DESCRIPTION = (
    "flowops restore points (flow content before a release, where versions are refused). "
    "Written by flowops; do not edit."
)
