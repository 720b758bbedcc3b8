"""Plan: desired state (flows at a git revision) against live state (an environment).

A plan reads only. It is a tuple of frozen steps in dependency order (modules and transfer
targets before the flows that use them; the members of a transfer cycle together), each
saying what apply will do to one flow: ``create``, ``update`` (with the fields that
differ), ``unchanged``, or ``extra`` (live and managed but absent from git: reported,
never deleted). The plan-time checks of ``flowops.deploy.preflight`` (references,
literal ARNs, names, size, identifiers, quotas, structure) fail it, every problem listed
at once, before anything is written.

"Unchanged" is decided on meaning, not bytes: the live content is symbolized with the
environment's catalog (ARNs -> ``kind:name in the environment``) and compared with the
desired content, its references renamed by the environment's overrides, through
``semantic_content``, so layout (``Metadata``) alone never forces a write; name,
description, state, status (a SAVED placeholder left by an interrupted run is not done)
and tags (except flowops' own ``flowops:*``) are compared too.

Canaries (``flowops.deploy.canary``) are respected: a plan that would change an entry
flow running a canary (tag ``flowops:canary``) fails, naming the flow and the canary,
before anything is written (its live content is the canary wrapper; promote or abort the
canary first; git content equal to the stable variant is no change, so other flows can
still be promoted); the canary's helper flows (tag ``flowops:canary-role``) are not part of
the desired state and never listed as live flows missing from git.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from flowops.config import Environment
from flowops.connect import ConnectClient
from flowops.connect.catalog import Catalog, FlowKind, RemoteFlow
from flowops.deploy import preflight
from flowops.deploy.canary_state import (
    STATE_TAG,
    canary_stable_view,
    is_canary_helper,
    state_from_tags,
)
from flowops.deploy.live import own_tags_removed
from flowops.deploy.releases import RESERVED_NAMES, settle_catalog
from flowops.errors import BadInputError, FlowopsError
from flowops.graph import build_dependency_graph, dependency_order
from flowops.model.canonical import semantic_content
from flowops.model.document import FlowDocument
from flowops.model.parse import parse_content
from flowops.refs import Unresolved, env_name, rename_symbols, symbolize

StepAction = Literal[
    "create",  # promote: a flow from git; given: create a flow of exactly this content
    "update",  # promote: content, metadata, tags from git; given: exactly what it says
    "unchanged",
    "extra",
    "version",  # given: create a version now, the restore point of later steps on the flow
    "tag",  # given: set and remove tags
    "repoint",  # given: the entry alias to a given version
    "archive",  # given: state ARCHIVED
    "delete",  # given: delete the flow (a canary's helper)
    "leave",  # given: nothing written, the step is reported
]
#: How a plan's failures are handled (``flowops.deploy.executor``): ``restore`` stops at
#: the first failure and puts back what the release changed; ``continue`` tries every
#: step and keeps each failed one as it really is.
FailurePolicy = Literal["restore", "continue"]


class UnresolvedReferencesError(BadInputError):
    """References the target environment cannot resolve; lists every one of them."""

    def __init__(self, env: str, missing: list[tuple[str, Unresolved]]) -> None:
        self.env = env
        self.missing = missing
        lines = [f"  {flow}: {ref.describe()}" for flow, ref in missing]
        super().__init__(
            f"{len(missing)} reference(s) cannot be resolved in environment {env!r}; "
            "nothing was written:\n" + "\n".join(lines)
        )


@dataclass(frozen=True)
class Given:
    """What a step writes when it does not come from git: literal, already resolved for
    the environment (rollback's and the canary commands' steps)."""

    content: str | None = None  # exactly this content is written and published
    description: str = ""  # of a flow created by the step
    tags: Mapping[str, str] = field(default_factory=dict)  # set (a create: its tags)
    untag: tuple[str, ...] = ()  # tag keys removed
    #: the description of the version created after the content (None: no version); for
    #: a ``version`` step, of the restore point it takes
    version: str | None = None
    #: the version was already taken (no new restore point); recorded as the one before
    restore_version: int | None = None
    #: a restore point kept as content in Connect (SHA-256; versionless mode)
    restore_sha: str | None = None
    alias: bool = False  # move the entry alias to the new version (use_aliases)
    alias_version: int | None = None  # ``repoint``: the version the alias goes to
    alias_id: str | None = None  # ``repoint``: the alias the release records kept
    #: a version Connect does not create is noted, the content stays (rollback)
    version_optional: bool = False
    #: the content is written as saved, not published (a flow git keeps SAVED)
    saved: bool = False
    #: a create answered "exists" takes the flow of that name that carries ``tags``
    #: (left by an interrupted run), and writes the content to it
    adopt: bool = False
    note: str = ""  # said in the report (where the content came from)


class RunView(Protocol):
    """What a lazily given step reads when it is resolved, just before it runs."""

    @property
    def client(self) -> ConnectClient: ...

    def flow(self, key: str) -> RemoteFlow | None:
        """The flow of ``key`` as the run has it (created by an earlier step, or live)."""

    def restore_point(self, key: str) -> tuple[int | None, str | None]:
        """The restore point an earlier ``version`` step took: version, or kept SHA-256."""


#: A given step's instructions, or how to compute them under the lock.
GivenLater = Callable[[RunView], Given]


@dataclass(frozen=True)
class Step:
    """What apply does to one flow or module."""

    key: str  # git key: "flow:Main IVR" / "module:Survey"
    kind: Literal["flow", "module"]
    name: str  # name in the environment (after overrides)
    action: StepAction
    type: str
    changes: tuple[str, ...] = ()  # content, status, description, state, tags
    desired: FlowDocument | None = None
    live: RemoteFlow | None = None
    group: int = 0  # position of the dependency group
    cycle: bool = False  # member of a transfer cycle: created as a placeholder first
    depends_on: tuple[str, ...] = ()
    given: Given | GivenLater | None = None  # literal instructions instead of ``desired``
    recorded: bool = True  # the step is a flow of the release record

    @property
    def writes(self) -> bool:
        return self.action in ("create", "update")

    @property
    def runs(self) -> bool:
        """Does the executor run this step (a write, or a reported ``leave``)?"""
        return self.action not in ("unchanged", "extra")

    @classmethod
    def given_for(
        cls,
        flow: RemoteFlow,
        action: StepAction,
        given: Given | GivenLater,
        *,
        recorded: bool = False,
        key: str | None = None,
    ) -> Step:
        """A step with literal instructions on ``flow`` (live, or as far as it is known)."""
        kind: FlowKind = flow.kind
        return cls(
            key=key or flow.key,
            kind=kind,
            name=flow.name,
            action=action,
            type=flow.type,
            live=None if action == "create" else flow,
            given=given,
            recorded=recorded,
        )


@dataclass(frozen=True)
class Plan:
    """Frozen, ordered steps for one environment; built by ``make_plan``."""

    env: Environment
    steps: tuple[Step, ...]
    catalog: Catalog = field(repr=False, compare=False)
    ref: str | None = None
    commit: str | None = None
    ignored: tuple[str, ...] = ()  # desired flows this environment does not manage
    failure: FailurePolicy = "restore"

    @classmethod
    def given(cls, env: Environment, steps: Sequence[Step], failure: FailurePolicy) -> Plan:
        """A plan of given steps (rollback, canary): no catalog, no git."""
        return cls(env=env, steps=tuple(steps), catalog=Catalog(), failure=failure)

    @property
    def changes(self) -> tuple[Step, ...]:
        """Steps that write (create or update), in order."""
        return tuple(s for s in self.steps if s.writes)

    def by_action(self, action: StepAction) -> list[Step]:
        return [s for s in self.steps if s.action == action]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (for ``--format json`` and CI)."""
        return {
            "env": self.env.name,
            "ref": self.ref,
            "commit": self.commit,
            "summary": {
                a: len(self.by_action(a)) for a in ("create", "update", "unchanged", "extra")
            },
            "steps": [
                {
                    "key": s.key,
                    "name": s.name,
                    "kind": s.kind,
                    "action": s.action,
                    "changes": list(s.changes),
                    "group": s.group,
                    "cycle": s.cycle,
                    "depends_on": list(s.depends_on),
                }
                for s in self.steps
            ],
            "ignored": list(self.ignored),
        }


def live_semantics(live: RemoteFlow, catalog: Catalog) -> dict[str, Any] | None:
    """The live content with references by *environment* name, without layout.

    Symbolized without overrides: reversing them is ambiguous when two git names map to
    one environment name, and blind to a reference whose override has just changed.
    """
    if live.content is None:
        return None
    try:
        raw = json.loads(live.content)
        symbolic, _ = symbolize(raw, catalog)
        return semantic_content(parse_content(symbolic))
    except (ValueError, FlowopsError):
        return None


def desired_semantics(doc: FlowDocument, env: Environment) -> dict[str, Any]:
    """A desired document's content with references by environment name (overrides applied)."""
    if not env.overrides:
        return semantic_content(doc.flow)
    renamed = rename_symbols(doc.flow.raw, env.overrides)
    return semantic_content(parse_content(renamed, source=doc.source))


def differences(
    doc: FlowDocument, live: RemoteFlow, catalog: Catalog, env: Environment
) -> tuple[str, ...]:
    """Fields that differ between a desired document and its live flow."""
    out: list[str] = []
    if desired_semantics(doc, env) != live_semantics(live, catalog):
        out.append("content")
    if live.status.upper() != "PUBLISHED" and doc.info.status.upper() == "PUBLISHED":
        out.append("status")
    if doc.info.description != (live.description or ""):
        out.append("description")
    if doc.info.state.upper() != (live.state or "ACTIVE").upper():
        out.append("state")
    if own_tags_removed(doc.info.tags) != own_tags_removed(live.tags):
        out.append("tags")
    return tuple(out)


def canary_refusal(live: RemoteFlow, env: Environment) -> str:
    """Why a plan must not change ``live``, an entry flow running a canary."""
    try:
        state = state_from_tags(live.tags)
        what = f"{state.percent}% to {state.ref or 'a candidate'}" if state else "running"
    except BadInputError:
        what = "state unreadable"
    flag = f"--env {env.name} --flow {json.dumps(live.name)}"
    return (
        f"flow {live.name!r} is running a canary in {env.name!r} ({what}); finish it first "
        f"with `flowops canary promote {flag}` or `flowops canary abort {flag}`"
    )


def compute_plan(
    env: Environment,
    desired: Mapping[str, FlowDocument],
    catalog: Catalog,
    *,
    ref: str | None = None,
    commit: str | None = None,
) -> Plan:
    """The plan as a pure function of desired state and the environment's catalog."""
    managed: dict[str, FlowDocument] = {}
    ignored: list[str] = []
    problems: list[str] = []
    for key, doc in desired.items():
        name = env_name(doc.info.kind, doc.info.name, env.overrides)
        flow_type = "MODULE" if doc.info.kind == "module" else doc.info.type
        if name in RESERVED_NAMES:
            problems.append(f"{key}: the name {name!r} is reserved for flowops")
        elif env.manages(name, flow_type):
            managed[key] = doc
        else:
            ignored.append(key)
    preflight.check(env, managed, catalog)  # every problem, before any write

    graph = build_dependency_graph(managed)
    steps: list[Step] = []
    for index, group in enumerate(dependency_order(graph)):
        cycle = len(group) > 1 or any(graph.has_edge(k, k) for k in group)
        for key in group:
            doc = managed[key]
            name = env_name(doc.info.kind, doc.info.name, env.overrides)
            live = catalog.flow(doc.info.kind, name)
            deps = tuple(sorted({t for _, t in graph.out_edges(key) if t != key}))
            common: dict[str, Any] = {
                "key": key,
                "kind": doc.info.kind,
                "name": name,
                "type": "MODULE" if doc.info.kind == "module" else doc.info.type,
                "desired": doc,
                "live": live,
                "group": index,
                "cycle": cycle,
                "depends_on": deps,
            }
            if live is None:
                steps.append(Step(action="create", changes=("content",), **common))
                continue
            if live.kind == "flow" and STATE_TAG in live.tags:
                # Live content is the canary wrapper: compare git with the stable variant.
                stable, _ = canary_stable_view(live, catalog)
                changes = differences(doc, stable or live, catalog, env)
                if changes:
                    problems.append(canary_refusal(live, env))
            else:
                changes = differences(doc, live, catalog, env)
            action: StepAction = "update" if changes else "unchanged"
            steps.append(Step(action=action, changes=changes, **common))
    if problems:
        raise BadInputError("; ".join(problems) + "; nothing was written")

    wanted = {(s.kind, s.name) for s in steps}
    for live in sorted(catalog.flows.values(), key=lambda f: f.key):
        if (live.kind, live.name) in wanted or live.name in RESERVED_NAMES:
            continue
        if is_canary_helper(live):
            continue
        if env.manages(live.name, "MODULE" if live.kind == "module" else live.type):
            steps.append(
                Step(
                    key=live.key,
                    kind=live.kind,
                    name=live.name,
                    action="extra",
                    type=live.type,
                    live=live,
                    group=-1,
                )
            )
    return Plan(
        env=env,
        steps=tuple(steps),
        catalog=catalog,
        ref=ref,
        commit=commit,
        ignored=tuple(sorted(ignored)),
    )


def make_plan(
    env: Environment,
    desired: Mapping[str, FlowDocument],
    client: ConnectClient,
    *,
    ref: str | None = None,
    commit: str | None = None,
) -> Plan:
    """Read the environment once (catalog with content; the ledger and the flows recent
    releases touched read again by id: ``settle_catalog``) and plan against it."""
    client.catalog(with_content=True)
    settle_catalog(client)
    return compute_plan(env, desired, client.catalog(with_content=True), ref=ref, commit=commit)
