"""``flowops test --env NAME``: scenarios as Amazon Connect test cases in an environment.

1. Each scenario runs offline first (its path decides the order of the test's events).
2. It compiles into a test case for the environment (:mod:`flowops.simulate.compile`):
   references resolved to the environment's ARNs, overrides for Lambda, hours, Lex and
   queues, ending at the queue transfer so no live agent is ever rung. Scenarios with no
   native form (forced outcomes, percentage draws, queue metrics) are skipped with the
   reason.
3. Test cases are created or updated idempotently: flowops owns the names with its
   prefix (``flowops-`` by default) and writes only those whose content, entry point,
   initialization data or description changed.
4. Executions start with at most 5 running at once (Connect's limit), are polled until
   they finish (5 minutes each at most), and their records become the same report as
   an offline run.
5. Stale test cases flowops owns (name prefix and ``flowops:managed`` tag) whose scenario
   was deleted or renamed are deleted (``prune=False`` keeps and lists them); a dry run
   writes, deletes and runs nothing and says what it would do.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flowops.config import Environment, load_environment
from flowops.connect import ConnectClient
from flowops.deploy.releases import ReleaseRecord, ReleaseStatus
from flowops.deploy.transaction import transaction
from flowops.errors import BadInputError
from flowops.refs import parse_symbol
from flowops.simulate.compile import (
    CompiledTestCase,
    CompileSettings,
    Uncompilable,
    compile_scenario,
)
from flowops.simulate.coverage import compute_coverage
from flowops.simulate.expect import Failure
from flowops.simulate.scenario import load_scenarios
from flowops.simulate.suite import SuiteReport, run_scenario
from flowops.simulate.world import load_flowset
from flowops.tables import summarize

MAX_RUNNING = 5
EXECUTION_LIMIT_SECONDS = 300
DONE = ("PASSED", "FAILED", "STOPPED")


@dataclass
class NativeStats:
    """What the native run did in Connect (for idempotence checks and reports)."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    executions: dict[str, str] = field(default_factory=dict)  # test case name -> execution id
    max_running: int = 0
    #: Stale test cases flowops owns (its name prefix and ``flowops:managed`` tag) whose
    #: scenario is gone or renamed, or has no native form any more: deleted, or kept with
    #: ``prune=False`` (then listed in ``stale``).
    pruned: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    #: A dry run: what would be written and deleted; nothing was written or run.
    dry_run: bool = False
    #: The substitute hours created (``flowops-always-open`` / ``-closed``), or that a dry
    #: run would create.
    hours: list[str] = field(default_factory=list)
    #: The release id the writes were recorded as (None: nothing was written).
    release: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """The JSON form (``native`` in ``flowops.test/1``)."""
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "pruned": self.pruned,
            "stale": self.stale,
            "dry_run": self.dry_run,
            "hours": self.hours,
            "release": self.release,
        }


def resolver(
    client: ConnectClient, env: Environment, pending: Collection[str] = ()
) -> Callable[[str], str]:
    """Symbolic reference -> ARN in ``env`` (ARNs and other values pass unchanged).

    ``pending``: names of hours a dry run would create; they resolve to a placeholder."""
    catalog = client.catalog(with_content=False)

    def resolve(value: str) -> str:
        parsed = parse_symbol(value)
        if parsed is None:
            return value
        kind, name = parsed
        if kind == "hours" and env.override(kind, name) in pending:
            return f"(hours {env.override(kind, name)}, to be created)"
        entry = catalog.by_name(kind, env.override(kind, name))
        if entry is None:
            raise BadInputError(
                f"environment {env.name!r} has no {kind} named {env.override(kind, name)!r} "
                f"(scenario reference {value!r})"
            )
        return entry.arn

    return resolve


def _same(existing: dict[str, Any], case: CompiledTestCase) -> bool:
    try:
        content = json.loads(existing.get("Content") or "{}")
    except ValueError:
        return False
    return (
        existing.get("Status") == "PUBLISHED"
        and content == case.content
        and existing.get("EntryPoint") == case.entry_point
        and json.loads(existing.get("InitializationData") or "{}")
        == json.loads(case.initialization_data)
        and existing.get("Description", "") == case.description
    )


MANAGED_TAG = "flowops:managed"


@dataclass
class TestCaseChanges:
    """What publishing the test cases writes, read from Connect without writing anything."""

    #: name -> id of every test case the instance has (as listed)
    existing: dict[str, str]
    create: list[CompiledTestCase] = field(default_factory=list)
    update: list[CompiledTestCase] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    #: stale test cases flowops owns (its name prefix and managed tag), not in the cases
    stale: list[str] = field(default_factory=list)

    def writes(self, prune: bool) -> bool:
        return bool(self.create or self.update or (prune and self.stale))

    def ids(self) -> dict[str, str]:
        """name -> id of the test cases that exist already and are kept."""
        kept = {c.name for c in self.update} | set(self.unchanged)
        return {n: i for n, i in self.existing.items() if n in kept}


def stale_test_cases(
    client: ConnectClient, existing: dict[str, str], keep: set[str], prefix: str
) -> list[str]:
    """The stale test cases flowops owns: its name prefix *and* its managed tag (a test
    case someone named ``flowops-...`` by hand is never touched), not in ``keep``."""
    stale = []
    for name, ident in sorted(existing.items()):
        if name in keep or not name.startswith(prefix):
            continue
        tags = client.describe_test_case(ident).get("Tags") or {}
        if tags.get(MANAGED_TAG) == "true":
            stale.append(name)
    return stale


def plan_test_cases(
    client: ConnectClient, cases: list[CompiledTestCase], prefix: str = "flowops-"
) -> TestCaseChanges:
    """Which test cases to create, update and prune (reads only)."""
    changes = TestCaseChanges({str(s["Name"]): str(s["Id"]) for s in client.list_test_cases()})
    changes.stale = stale_test_cases(client, changes.existing, {c.name for c in cases}, prefix)
    for case in cases:
        if case.name not in changes.existing:
            changes.create.append(case)
        elif _same(client.describe_test_case(changes.existing[case.name]), case):
            changes.unchanged.append(case.name)
        else:
            changes.update.append(case)
    return changes


def _params(case: CompiledTestCase) -> dict[str, Any]:
    return {
        "Content": case.content_text,
        "EntryPoint": case.entry_point,
        "InitializationData": case.initialization_data,
        "Description": case.description,
        "Status": "PUBLISHED",
    }


def write_test_cases(
    client: ConnectClient,
    changes: TestCaseChanges,
    stats: NativeStats,
    *,
    prune: bool = True,
    before: Callable[[str], None] = lambda _doing: None,
) -> dict[str, str]:
    """Make the writes ``changes`` lists, calling ``before`` with each one ("creating
    flowops-x"; a signal stops the run there); ``stats`` says what was written so far.
    Returns name -> id."""
    stats.unchanged.extend(changes.unchanged)
    for name in changes.stale:
        if prune:
            before(f"deleting {name}")
            client.delete_test_case(changes.existing[name])
        (stats.pruned if prune else stats.stale).append(name)
    ids = changes.ids()
    for case in changes.update:
        before(f"updating {case.name}")
        client.update_test_case(ids[case.name], **_params(case))
        stats.updated.append(case.name)
    for case in changes.create:
        before(f"creating {case.name}")
        ids[case.name] = client.create_test_case(
            Name=case.name, Tags=dict(case.tags), **_params(case)
        )
        stats.created.append(case.name)
    return ids


def _tally(changes: TestCaseChanges, stats: NativeStats, prune: bool) -> None:
    """A run that writes nothing (a dry run, or nothing changed): what it would write."""
    stats.created.extend(c.name for c in changes.create)
    stats.updated.extend(c.name for c in changes.update)
    stats.unchanged.extend(changes.unchanged)
    (stats.pruned if prune else stats.stale).extend(changes.stale)


def sync_test_cases(
    client: ConnectClient,
    cases: list[CompiledTestCase],
    stats: NativeStats,
    *,
    prefix: str = "flowops-",
    prune: bool = True,
    dry_run: bool = False,
    on_signal: Callable[[int], None] | None = None,
) -> dict[str, str]:
    """Create or update the test cases flowops owns, and prune its stale ones; returns
    name -> test case id (with ``dry_run``, only of those that exist already).

    The writes run in one release transaction (kind ``test-cases``); nothing to write
    (or ``dry_run``): no lock, no record, no write at all."""
    changes = plan_test_cases(client, cases, prefix)
    if dry_run or not changes.writes(prune):
        _tally(changes, stats, prune)
        return changes.ids()
    return publish_test_cases(
        client, lambda: cases, stats, prefix=prefix, prune=prune, on_signal=on_signal
    )


def publish_test_cases(
    client: ConnectClient,
    compile_cases: Callable[[], list[CompiledTestCase]] | None,
    stats: NativeStats,
    *,
    prefix: str = "flowops-",
    prune: bool = True,
    hours: list[tuple[str, list[dict[str, Any]]]] | None = None,
    on_signal: Callable[[int], None] | None = None,
) -> dict[str, str]:
    """Publish test cases in one release transaction, recorded as ``test-cases``.

    Under the environment's lock: the substitute ``hours`` are created, the test cases
    are compiled (``compile_cases``, after the hours exist; None: hours only) and read
    again (another run may have written them since a plan), then created, updated and
    pruned. The record names what was written; a failure or a signal records it
    ``failed`` or ``cancelled`` with what was written before it and where it stopped
    (test cases are not release content: nothing is put back, and ``flowops rollback``
    never undoes them; a re-run writes what is missing).
    """
    ids: dict[str, str] = {}
    doing: list[str] = []
    with transaction(client, on_signal=on_signal) as tx:

        def before(what: str) -> None:
            doing[:] = [what]
            tx.checkpoint()

        def steps() -> None:
            for name, config in hours or ():
                before(f"creating hours {name}")
                client.create_hours_of_operation(name, config)
                stats.hours.append(name)
            if compile_cases is None:
                return
            doing[:] = ["reading the test cases"]
            changes = plan_test_cases(client, compile_cases(), prefix)
            ids.update(write_test_cases(client, changes, stats, prune=prune, before=before))

        def record(status: ReleaseStatus) -> ReleaseRecord:
            message = published_message(client.env.name, stats, prune)
            if status in ("failed", "cancelled") and doing:
                when = "while" if status == "failed" else "before"
                message += f"; stopped {when} {doing[0]}"
            return tx.new_record("test-cases", message, status=status)

        stats.release = tx.run(record, steps).id
    return ids


def published_message(env: str, stats: NativeStats, prune: bool = True) -> str:
    """What a ``test-cases`` record says: the test cases (and hours) written."""
    parts = [
        f"{len(names)} {verb}" + (f" ({summarize(names)})" if names else "")
        for verb, names in (
            ("created", stats.created),
            ("updated", stats.updated),
            ("deleted", stats.pruned if prune else []),
        )
    ]
    text = f"test cases in {env}: {', '.join(parts)}"
    if stats.hours:
        text += f"; hours created: {', '.join(stats.hours)}"
    return text


def _failure(records: list[dict[str, Any]], summary: dict[str, Any]) -> str:
    for record in reversed(records):
        try:
            body = json.loads(record.get("Record") or "{}")
        except ValueError:
            continue
        if body.get("Type") == "COMPLETION":
            reason = body.get("CompletionReason") or {}
            return str(reason.get("Message") or body.get("Status"))
    return f"execution ended {summary.get('Status')}"


def execute_all(
    client: ConnectClient,
    ids: dict[str, str],
    stats: NativeStats,
    *,
    poll: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    progress: Callable[[str], None] | None = None,
) -> dict[str, tuple[str, str]]:
    """Run every test case, at most 5 at once; name -> (status, failure message)."""
    waiting = list(ids)
    running: dict[str, tuple[str, float]] = {}
    out: dict[str, tuple[str, str]] = {}
    while waiting or running:
        while waiting and len(running) < MAX_RUNNING:
            name = waiting.pop(0)
            started = client.start_test_case_execution(ids[name], str(uuid.uuid4()))
            running[name] = (str(started["TestCaseExecutionId"]), clock())
            stats.executions[name] = running[name][0]
            stats.max_running = max(stats.max_running, len(running))
        for name, (execution, since) in list(running.items()):
            summary = client.test_case_execution_summary(ids[name], execution)
            status = str(summary.get("Status"))
            if status in DONE:
                records = client.test_case_execution_records(ids[name], execution)
                out[name] = (status, "" if status == "PASSED" else _failure(records, summary))
                del running[name]
                if progress is not None:
                    progress(f"{status} {name} ({len(out)}/{len(ids)})")
            elif clock() - since > EXECUTION_LIMIT_SECONDS + 60:
                out[name] = ("FAILED", f"no result after {EXECUTION_LIMIT_SECONDS} s")
                del running[name]
        if running:
            sleep(poll)
    return out


#: The hours flowops creates when an environment lacks them (names it owns).
_WEEK = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
_ALWAYS_OPEN = [
    {"Day": d, "StartTime": {"Hours": 0, "Minutes": 0}, "EndTime": {"Hours": 0, "Minutes": 0}}
    for d in _WEEK
]


def missing_test_hours(
    client: ConnectClient, env: Environment, settings: CompileSettings
) -> list[tuple[str, list[dict[str, Any]]]]:
    """The substitute hours (always open / always closed) flowops owns that ``env`` lacks,
    with their schedule (reads only).

    Only names starting with ``flowops-`` are created (an empty schedule is always
    closed); any other configured name must exist.
    """
    if settings.hours != "substitute":
        return []
    missing = []
    catalog = client.catalog(with_content=False)
    for ref, config in (
        (settings.always_open_hours, _ALWAYS_OPEN),
        (settings.always_closed_hours, []),
    ):
        name = env.override("hours", ref.split(":", 1)[1])
        if catalog.by_name("hours", name) is None and name.startswith("flowops-"):
            missing.append((name, config))
    return missing


def ensure_test_hours(
    client: ConnectClient,
    env: Environment,
    settings: CompileSettings,
    *,
    on_signal: Callable[[int], None] | None = None,
) -> list[str]:
    """Create the substitute hours flowops owns, if missing (:func:`missing_test_hours`),
    in a ``test-cases`` release transaction. Returns the names created."""
    missing = missing_test_hours(client, env, settings)
    if missing:
        publish_test_cases(client, None, NativeStats(), hours=missing, on_signal=on_signal)
    return [name for name, _ in missing]


def run_native(
    env: Environment | str,
    flows_dir: str | Path = "flows",
    scenarios_dir: str | Path = "scenarios",
    *,
    poll: float = 1.0,
    stats: NativeStats | None = None,
    client: ConnectClient | None = None,
    progress: Callable[[str], None] | None = None,
    prune: bool = True,
    dry_run: bool = False,
    on_signal: Callable[[int], None] | None = None,
) -> SuiteReport:
    """Compile, sync and run every scenario as a test case in ``env``.

    ``prune``: delete the stale test cases flowops owns (else they are listed as stale).
    ``dry_run``: compile and compare only: what would be created, updated and pruned,
    with nothing written and nothing run (the scenarios' verdicts are their offline ones).

    The writes (hours, test cases) run in one release transaction, recorded as
    ``test-cases`` (:func:`publish_test_cases`); the executions run after it, without
    the lock: they change nothing in the environment's configuration.
    """
    start = time.perf_counter()
    env = load_environment(env) if isinstance(env, str) else env
    settings = CompileSettings.from_mapping(env.testing)
    flows = load_flowset(flows_dir)
    scenarios = load_scenarios(scenarios_dir) if Path(scenarios_dir).exists() else []
    client = client or ConnectClient.for_environment(env)
    results = {s.name: run_scenario(flows, s) for s in scenarios}
    needs_hours = any(kind == "hours" for r in results.values() for kind, _, _ in r.run.mocks)
    hours = missing_test_hours(client, env, settings) if needs_hours else []
    stats = stats if stats is not None else NativeStats()
    cases: list[CompiledTestCase] = []
    if dry_run:  # said, not written
        stats.hours = [name for name, _ in hours]
        hours = []

    def compile_all() -> list[CompiledTestCase]:
        resolve = resolver(client, env, stats.hours if dry_run else ())
        cases.clear()
        for scenario in scenarios:
            offline = results[scenario.name]
            try:
                flow_id = resolve(f"flow:{flows.entry_flow(scenario.flow).name}")
                cases.append(compile_scenario(scenario, offline.run, resolve, flow_id, settings))
            except Uncompilable as exc:
                offline.skipped = str(exc)
        return cases

    stats.dry_run = dry_run
    prefix = settings.name_prefix
    if hours:  # the test cases compile once the hours exist: all under the lock
        ids = publish_test_cases(
            client,
            compile_all,
            stats,
            prefix=prefix,
            prune=prune,
            hours=hours,
            on_signal=on_signal,
        )
    else:
        ids = sync_test_cases(
            client,
            compile_all(),
            stats,
            prefix=prefix,
            prune=prune,
            dry_run=dry_run,
            on_signal=on_signal,
        )
    if progress is not None:
        would = "would be " if dry_run else ""
        progress(
            f"{len(stats.created)} test case(s) {would}created, {len(stats.updated)} "
            f"{would}updated, {len(stats.unchanged)} unchanged, "
            + (
                f"{len(stats.pruned)} stale {would}deleted in {env.name}"
                if prune
                else f"{len(stats.stale)} stale kept (--no-prune) in {env.name}"
            )
        )
        for name in stats.pruned if prune else stats.stale:
            progress(f"stale: {name}")
        if stats.hours:
            progress(f"hours {would or ''}created: {', '.join(stats.hours)}")
        if stats.release is not None:
            progress(f"recorded as release {stats.release} (test-cases) in {env.name}")
    verdicts = {} if dry_run else execute_all(client, ids, stats, poll=poll, progress=progress)
    for case in cases:
        result = results[case.scenario]
        result.offline_only = list(case.offline_only)
        if case.name not in verdicts:  # a dry run: the offline verdict stands
            continue
        status, message = verdicts[case.name]
        result.failures = (
            [] if status == "PASSED" else [Failure("native", message, len(result.run.steps))]
        )
    ordered = [results[s.name] for s in scenarios]
    taken = {b for r in ordered for b in r.run.branches}
    report = SuiteReport(ordered, compute_coverage(flows, taken), time.perf_counter() - start)
    report.native = stats.as_dict()
    return report
