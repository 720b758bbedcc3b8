"""Fault suite: promote, re-run and rollback under seeded faults, checked with plain boto3.

One trial: a fresh sandbox; release 1 of a module and three flows (clean); then release 2
(module and two flows changed, one flow added) under one kind of fault; then, with the
faults gone, a plain re-run and one more re-run; then a rollback under the same kind of
fault, and where it did not finish, a plain rollback again. Checked each time, reading
Connect with plain boto3 (never through the client under test):

* every managed flow exactly at its release-1 or its release-2 content (never between,
  never a SAVED placeholder), right after the faulted run;
* the record of the faulted release true per flow (``restored``/``deleted`` at the old
  content or absent, ``released``/``partial`` at the new), and no final record pointing
  rollback at a restore-point copy that is not kept in Connect (:func:`copies_kept`);
* no lock left by a run that ended on its own;
* the re-run converges, and the one after it makes no write at all;
* the rollback afterwards gives exactly what a rollback after a clean release 2 gives
  (:func:`clean_rollback_state`, computed in a sandbox of its own): the same flows, each
  at the same status and content (release 1's; the added flow left in place), and no lock.

Kinds of fault: ``5xx``, ``throttle``, ``drop`` (connection closed, no answer),
``lost`` (the call is applied, then the connection closed), ``latency``, ``fatal``
(a non-retryable error on the n-th call of one write operation), ``restore-fail`` (a
fatal error, then a failure while restoring).

Run: ``python -m bench faults`` (all of it: these 105 trials, 15 seeds of each kind, then
the 78 signal and 30 canary trials); options through ``python -m bench.release_faults``
(``--trials N``, ``--kills N``, ``--canary N``, ``--seed N``).
Prints Markdown and records it in results.md; exit 1 when a trial broke an invariant.
``tests/integration/test_release_faults.py`` runs one seed of each kind in make test.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import git

from flowops.connect import ConnectClient
from flowops.connect.client import remote_flow
from flowops.deploy.apply import ApplyFailedError
from flowops.deploy.plan import live_semantics
from flowops.deploy.promote import promote
from flowops.deploy.releases import (
    LOCK_NAME,
    RESERVED_NAMES,
    ReleaseRecord,
    read_ledger,
    read_restore_points,
)
from flowops.deploy.rollback import rollback
from flowops.errors import FlowopsError
from flowops.model import FlowDocument, FlowInfo, dump_document, parse_content
from flowops.sandbox import SandboxConfig, SandboxServer
from flowops.sandbox.config import FaultRule
from tests.support import (
    FAST_RETRIES,
    STAGING,
    WRITE_PREFIXES,
    git_repo,
    linear_flow,
    sandbox_environment,
)
from tests.support.clients import make_client

#: Every retry in flowops' own loop, short waits; Lex names not resolved (no bots here).
SETTINGS = replace(FAST_RETRIES, resolve_lex_names=False)
KINDS = ("5xx", "throttle", "drop", "lost", "latency", "fatal", "restore-fail")
PREFIX = "RF "
#: Write operations a fatal fault may hit (the n-th call of one of them).
FATAL_OPS = (
    "CreateContactFlow",
    "UpdateContactFlowContent",
    "CreateContactFlowVersion",
    "UpdateContactFlowModuleContent",
    "CreateContactFlowModuleVersion",
)


def _doc(name: str, text: str, *, module: bool = False, transfer: str = "") -> str:
    steps: list[tuple[str, str, dict[str, Any]]] = [("say", "MessageParticipant", {"Text": text})]
    if not module:
        steps.append(("queue", "UpdateContactTargetQueue", {"QueueId": "queue:Support"}))
        steps.append(("module", "InvokeFlowModule", {"FlowModuleId": f"module:{PREFIX}M"}))
    if transfer:
        steps.append(("transfer", "TransferToFlow", {"ContactFlowId": f"flow:{transfer}"}))
    steps.append(("end", "EndFlowModuleExecution" if module else "DisconnectParticipant", {}))
    content = linear_flow(*steps)
    if module:
        content["Settings"] = {
            "InputParameters": [],
            "OutputParameters": [],
            "Transitions": [{"DisplayName": "Success", "ReferenceName": "Success"}],
        }
    info = FlowInfo(
        name=name, kind="module" if module else "flow", type="MODULE" if module else "CONTACT_FLOW"
    )
    return dump_document(FlowDocument(info, parse_content(content)))


def release_files(version: int) -> dict[str, str]:
    """The flows of release 1 or 2 (2 changes M, A and B and adds N, which B transfers to)."""
    a, b, c, m, n = (f"{PREFIX}{x}" for x in "ABCMN")
    files = {
        "M.json": _doc(m, f"module v{version}", module=True),
        "A.json": _doc(a, f"A v{version}"),
        "B.json": _doc(b, f"B v{version}", transfer=n if version == 2 else a),
        "C.json": _doc(c, "C unchanged"),
    }
    if version == 2:
        files["N.json"] = _doc(n, "N new")
    return files


def commit(repo: git.Repo, version: int) -> str:
    top = Path(repo.working_tree_dir or ".")
    for rel, text in release_files(version).items():
        path = top / "flows" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    repo.git.add("-A")
    return str(repo.index.commit(f"release {version}").hexsha)


def snapshot(plain: Any, names: ConnectClient) -> dict[str, Any]:
    """Name -> (status, content by meaning) of every flowops-managed flow and module, read
    with ``plain`` boto3 (``names``' catalog only turns ARNs back into names); lock
    modules as ``"<lock ID>"`` entries."""
    instance = plain.list_instances()["InstanceSummaryList"][0]["Id"]
    names.refresh_flows()
    catalog = names.catalog(with_content=False)
    out: dict[str, Any] = {}
    for kind, lister, key, describer, single, id_param in (
        (
            "flow",
            "list_contact_flows",
            "ContactFlowSummaryList",
            "describe_contact_flow",
            "ContactFlow",
            "ContactFlowId",
        ),
        (
            "module",
            "list_contact_flow_modules",
            "ContactFlowModulesSummaryList",
            "describe_contact_flow_module",
            "ContactFlowModule",
            "ContactFlowModuleId",
        ),
    ):
        for summary in getattr(plain, lister)(InstanceId=instance, MaxResults=1000)[key]:
            name = summary["Name"]
            if name == LOCK_NAME:
                out[f"<lock {summary['Id']}>"] = True
            if not name.startswith(PREFIX) or name in RESERVED_NAMES:
                continue
            item = getattr(plain, describer)(InstanceId=instance, **{id_param: summary["Id"]})[
                single
            ]
            flow = remote_flow(kind, item)  # type: ignore[arg-type]
            status = item.get("Status", "PUBLISHED")
            out[f"{kind}:{name}"] = (
                status,
                json.dumps(live_semantics(flow, catalog), sort_keys=True),
            )
    return out


def faults_for(kind: str, rng: random.Random) -> list[FaultRule]:
    """The fault rules of one trial."""

    def everywhere(**fields: Any) -> FaultRule:
        return FaultRule(operation="*", account=STAGING, **fields)

    if kind == "5xx":
        return [everywhere(error_code="InternalServiceException", error_rate=0.25)]
    if kind == "throttle":
        return [everywhere(error_code="ThrottlingException", error_rate=0.35)]
    if kind == "drop":
        return [everywhere(drop_connection=True, error_rate=0.2)]
    if kind == "lost":
        return [everywhere(after_apply=True, error_rate=0.25)]
    if kind == "latency":
        return [
            everywhere(latency=0.01),
            everywhere(error_code="InternalServiceException", error_rate=0.1),
        ]
    if kind == "fatal":
        op = rng.choice(FATAL_OPS)
        nth = rng.randint(1, 2)
        return [
            FaultRule(
                operation=op, error_code="AccessDeniedException", fail_nth=nth, account=STAGING
            )
        ]
    if kind == "restore-fail":  # B's content write fails; then restoring A fails too
        return [
            FaultRule(
                operation="UpdateContactFlowContent",
                error_code="AccessDeniedException",
                fail_nth=[2, 3],
                account=STAGING,
            )
        ]
    raise ValueError(kind)


@dataclass
class Trial:
    """One trial's result."""

    kind: str
    seed: int
    result: str  # released, failed, refused
    problems: list[str] = field(default_factory=list)
    calls: int = 0
    seconds: float = 0.0


def _writes(calls: dict[str, int]) -> dict[str, int]:
    return {op: n for op, n in calls.items() if op.startswith(WRITE_PREFIXES) and n}


def check_record(
    record: Any, mid: dict[str, Any], old: dict[str, Any], new: dict[str, Any]
) -> list[str]:
    """Does the faulted release's record say, per flow, where it really is?"""
    problems = []
    for flow in record.flows:
        key = f"{flow.kind}:{flow.name}"
        if flow.outcome in ("restored",) and mid.get(key) != old.get(key):
            problems.append(f"{key}: recorded restored but not at the old content")
        if flow.outcome == "deleted" and key in mid:
            problems.append(f"{key}: recorded deleted but exists")
        if flow.outcome in ("released", "partial") and mid.get(key) != new.get(key):
            problems.append(f"{key}: recorded {flow.outcome} but not at the new content")
    return problems


def copies_kept(records: Sequence[ReleaseRecord], client: ConnectClient) -> list[str]:
    """A final record's ``sha_before`` sends rollback to a copy kept in Connect: every one
    must be in the restore-point module (never a copy that was never kept)."""
    final = [(r, f) for r in records if r.status != "running" for f in r.flows if f.sha_before]
    if not final:
        return []
    kept = read_restore_points(client)
    return [
        f"release {r.id}: {f.key} points rollback at a copy never kept ({f.sha_before})"
        for r, f in final
        if f.sha_before not in kept
    ]


def run_trial(kind: str, seed: int, workdir: Path) -> Trial:
    """One trial (see the module docstring)."""
    started = time.perf_counter()
    rng = random.Random(seed)
    with SandboxServer(":memory:", config=SandboxConfig.for_tests()) as sandbox:
        sandbox.seed()
        env = sandbox_environment(sandbox.url, "staging", STAGING, managed_names=(f"{PREFIX}*",))
        repo = git_repo(workdir)
        v1 = commit(repo, 1)

        clean = ConnectClient.for_environment(env, settings=SETTINGS)
        plain = make_client(sandbox.url, STAGING)

        def client() -> ConnectClient:
            clean.refresh_flows()
            return clean

        promote(env, v1, workdir, client=client(), tag=False)
        old = snapshot(plain, clean)
        v2 = commit(repo, 2)
        faulted = ConnectClient.for_environment(env, settings=SETTINGS)
        faulted.catalog()  # read before the faults: a trial measures the release, not the plan
        sandbox.config.faults = faults_for(kind, rng)
        sandbox.config.rng.seed(seed)
        trial = Trial(kind, seed, "released")
        try:
            promote(env, v2, workdir, client=faulted, tag=False)
        except ApplyFailedError:
            trial.result = "failed"
        except FlowopsError as exc:
            trial.result = f"refused ({type(exc).__name__})"
        sandbox.config.faults = []
        trial.calls = sum(faulted.calls.values())
        mid = snapshot(plain, clean)
        problems = trial.problems
        if any(k.startswith("<lock") for k in mid):
            problems.append("a lock was left by a run that ended on its own")
        promote(env, v2, workdir, client=client(), tag=False)
        new = snapshot(plain, clean)
        again = promote(env, v2, workdir, client=client(), tag=False)
        if again.applied is None or _writes(again.applied.calls):
            problems.append(f"the second re-run wrote: {again.applied and again.applied.calls}")
        for key in sorted(set(mid) | set(new) | set(old)):
            if key.startswith("<lock"):
                continue
            if mid.get(key) not in (old.get(key), new.get(key)):
                problems.append(f"{key}: neither at its old nor its new release content")
            if mid.get(key) and mid[key][0] != "PUBLISHED":
                problems.append(f"{key}: left {mid[key][0]}")
        records = read_ledger(client())
        problems += copies_kept(records, client())
        faulted_record = next((r for r in records if r.id == 2), None)
        if faulted_record is not None and trial.result != "refused":
            if faulted_record.status == "running":
                problems.append("the faulted release is still recorded as running")
            problems.extend(check_record(faulted_record, mid, old, new))
        # The rollback runs under the same kind of fault; where it could not finish, a
        # plain `flowops rollback` again finishes it (never undoes it).
        sandbox.config.faults = faults_for(kind, rng)
        sandbox.config.rng.seed(seed + 1)
        try:
            finished = rollback(ConnectClient.for_environment(env, settings=SETTINGS)).ok
        except FlowopsError:
            finished = False
        sandbox.config.faults = []
        if any(k.startswith("<lock") for k in snapshot(plain, clean)):
            problems.append("a lock was left by a rollback that ended on its own")
        if not finished:
            trial.result += ", rollback again"
            report = rollback(client())
            if not report.ok:
                problems.append(f"rollback failed: {[o.message for o in report.failed]}")
        problems += same_as_clean(snapshot(plain, clean), clean_rollback_state())
    trial.seconds = time.perf_counter() - started
    return trial


_CLEAN: dict[str, dict[str, Any]] = {}


def clean_rollback_state() -> dict[str, Any]:
    """Every managed flow as a rollback after a clean promote of release 2 leaves it: M, A
    and B at release 1, C as it was, N (created by release 2) left in place. Computed once,
    in a sandbox of its own (contents are compared by meaning, so ids do not matter)."""
    if "rollback" not in _CLEAN:
        with (
            SandboxServer(":memory:", config=SandboxConfig.for_tests()) as sandbox,
            tempfile.TemporaryDirectory() as tmp,
        ):
            sandbox.seed()
            env = sandbox_environment(
                sandbox.url, "staging", STAGING, managed_names=(f"{PREFIX}*",)
            )
            repo = git_repo(Path(tmp))
            client = ConnectClient.for_environment(env, settings=SETTINGS)
            for version in (1, 2):
                client.refresh_flows()
                promote(env, commit(repo, version), tmp, client=client, tag=False)
            report = rollback(ConnectClient.for_environment(env, settings=SETTINGS))
            assert report.ok, [o.message for o in report.failed]
            _CLEAN["rollback"] = snapshot(make_client(sandbox.url, STAGING), client)
    return _CLEAN["rollback"]


def same_as_clean(back: dict[str, Any], clean: dict[str, Any]) -> list[str]:
    """Is the state after a faulted path's rollback (read with plain boto3) exactly the one
    a rollback after a clean promote leaves: the same flows, each at the same status and
    content, and no lock?"""
    problems = [f"{k}: a lock was left after the rollback" for k in back if k.startswith("<lock")]
    for key in sorted((set(back) | set(clean)) - {k for k in back if k.startswith("<lock")}):
        if back.get(key) != clean.get(key):
            problems.append(
                f"{key}: after the rollback {_shown(back.get(key))}, but after a clean promote "
                f"and rollback {_shown(clean.get(key))}"
            )
    return problems


def _shown(state: Any) -> str:
    return "absent" if state is None else f"{state[0]} {state[1][:60]}"


def run(trials: int, first_seed: int = 1) -> list[Trial]:
    out = []
    for i in range(trials):
        kind = KINDS[i % len(KINDS)]
        with tempfile.TemporaryDirectory() as tmp:
            out.append(run_trial(kind, first_seed + i, Path(tmp)))
    return out


def report(results: list[Trial]) -> str:
    rows = [
        "| fault | trials | released | failed (restored) | refused | rollback re-run | broken "
        "| s/trial |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for kind in KINDS:
        mine = [t for t in results if t.kind == kind]
        if not mine:
            continue
        outcome = Counter(t.result.split(" ")[0].split(",")[0] for t in mine)
        again = sum("rollback again" in t.result for t in mine)
        broken = sum(bool(t.problems) for t in mine)
        per = sum(t.seconds for t in mine) / len(mine)
        rows.append(
            f"| {kind} | {len(mine)} | {outcome['released']} | {outcome['failed']} | "
            f"{outcome['refused']} | {again} | {broken} | {per:.2f} |"
        )
    lines = [
        f"{len(results)} trials (promote under the fault, re-run, re-run, rollback under the "
        "fault, rollback again where it did not finish), each "
        "checked with plain boto3: every flow at its old or new release content, the record "
        "true per flow, no record pointing rollback at a restore-point copy not kept in "
        "Connect, no lock left, the second re-run writes nothing, the rollback leaves "
        "exactly the state a rollback after a clean promote leaves (every flow, status and "
        "content).",
        "",
        *rows,
    ]
    for t in results:
        for problem in t.problems:
            lines.append(f"- {t.kind} seed {t.seed}: {problem}")
    return "\n".join(lines)


def measure_writes(flows: int = 20, changed: int = 5) -> dict[str, int]:
    """Write calls of a promote that changes ``changed`` of ``flows`` released flows."""
    with (
        SandboxServer(":memory:", config=SandboxConfig.for_tests()) as sandbox,
        tempfile.TemporaryDirectory() as tmp,
    ):
        sandbox.seed()
        env = sandbox_environment(sandbox.url, "staging", STAGING, managed_names=(f"{PREFIX}*",))
        repo = git_repo(Path(tmp))
        top = Path(tmp) / "flows"
        top.mkdir()
        (top / "M.json").write_text(release_files(1)["M.json"])

        def write(texts: dict[int, str]) -> str:
            for i, text in texts.items():
                (top / f"W{i:03d}.json").write_text(_doc(f"{PREFIX}W{i:03d}", text, module=False))
            repo.git.add("-A")
            return str(repo.index.commit("flows").hexsha)

        write(dict.fromkeys(range(flows), "v1"))
        client = ConnectClient.for_environment(env, settings=SETTINGS)
        promote(env, "HEAD", tmp, client=client, tag=False)
        sha = write(dict.fromkeys(range(changed), "v2"))
        client.refresh_flows()
        done = promote(env, sha, tmp, client=client, tag=False)
        assert done.applied is not None
        return _writes(done.applied.calls)


def main(argv: list[str] | None = None) -> int:
    from bench.results import replace_section

    parser = argparse.ArgumentParser(prog="python -m bench faults")
    parser.add_argument("--trials", type=int, default=105, help="promote/rollback trials")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--kills",
        type=int,
        default=-1,
        help="signal trials (0: none; default: every moment of every command under each "
        "signal once, 78)",
    )
    parser.add_argument("--canary", type=int, default=30, help="canary trials (0: none)")
    args = parser.parse_args(argv)
    broken = kills_and_canaries(args.kills, args.canary, args.seed)
    if args.trials <= 0:
        return broken
    writes = measure_writes()
    flow_writes = sum(n for op, n in writes.items() if "Module" not in op)
    results = run(args.trials, args.seed)
    text = (
        report(results)
        + "\n\nWrites of a promote changing 5 of 20 released flows (restore point = the last "
        + "release's version when the live content is still its content):\n\n"
        + "| | writes per changed flow | all writes |\n|---|---|---|\n"
        + "| before (Deploy section above, 2026-11-27) | 3 (restore point, content, release "
        + "version) | 18: 15 + ledger 1 + lock tag/untag 2 |\n"
        + f"| after | {flow_writes / 5:g} (content, release version) | {sum(writes.values())}: "
        + f"{flow_writes} + ledger 2 (running, final) + lock create/delete 2 |\n"
        + "\n"
        + ", ".join(f"{op} {n}" for op, n in sorted(writes.items()))
    )
    print(text)
    heading = "Release engine under faults"
    replace_section(heading, f"## {heading}\n\n`python -m bench faults`\n\n{text}\n")
    return 1 if broken or any(t.problems for t in results) else 0


def kills_and_canaries(kills: int, canaries: int, seed: int) -> int:
    """The signal trials (``bench.release_kills``) and the canary trials under faults
    (``bench.canary_faults``), recorded in a section of their own; 1 when one broke."""
    from bench import canary_faults, release_kills
    from bench.results import replace_section

    if kills == 0 and canaries <= 0:
        return 0
    killed = release_kills.run(kills if kills >= 0 else len(release_kills.cases()))
    faulted = canary_faults.run(canaries, seed)
    parts = [release_kills.report(killed)] if killed else []
    parts += [canary_faults.report(faulted)] if faulted else []
    text = "\n\n".join(parts)
    print(text)
    heading = "Release engine under kills, signals and canary faults"
    machine = f"{platform.machine()}, {os.cpu_count()} CPU shared with other jobs"
    replace_section(
        heading,
        f"## {heading}\n\n`python -m bench faults` (this part alone: `python -m "
        f"bench.release_faults --trials 0`; {len(killed) + len(faulted)} trials)\n\n{text}"
        f"\n\nMachine: {machine}, Python {platform.python_version()}; measured "
        f"{time.strftime('%Y-%m-%d')}.\n",
    )
    return 1 if any(t.problems for t in killed) or any(t.problems for t in faulted) else 0


if __name__ == "__main__":
    sys.exit(main())
