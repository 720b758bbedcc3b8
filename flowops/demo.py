"""The newcomer's story, end to end, on the embedded sandbox: what ``make demo`` runs.

Export the dev account into git, break a flow and watch lint catch it, fix it and read
the semantic diff, promote to staging (twice: the second run writes nothing), canary the
change in prod, and roll prod back. Each chapter calls the same library functions as the
command it names, so the demo shows what the commands do without re-implementing them.

Everything lives in a scratch folder (its own git repository, copies of the project's
environments pointing at the demo's own sandbox database), which is reset at the start
of every run: the demo is idempotent. The library never prints: it returns a
``DemoResult`` and reports each step, as it happens, to an optional callback.
"""

from __future__ import annotations

import json
import shutil
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import git
import yaml

from flowops.config import DEFAULTS_KEY, Bound, Criteria, Environment, load_environment
from flowops.connect import ConnectClient
from flowops.deploy.apply import Outcome
from flowops.deploy.canary import (
    canary_status,
    find_entry,
    promote_canary,
    ramp_canary,
    start_canary,
)
from flowops.deploy.canary_gate import watch
from flowops.deploy.export import export_env
from flowops.deploy.history import history
from flowops.deploy.measure_report import measurement_text
from flowops.deploy.plan import Step
from flowops.deploy.promote import PromoteResult, desired_state, promote
from flowops.deploy.rollback import rollback
from flowops.deploy.testcases import NativeStats, run_native
from flowops.diff.compare import compare_sides
from flowops.diff.render_text import render_text
from flowops.diff.sources import SourceContext, default_sides
from flowops.errors import BadInputError, CheckFailedError, FlowopsError
from flowops.lint.engine import lint_paths
from flowops.lint.finding import Severity
from flowops.model import FlowDocument, FlowInfo, parse_content
from flowops.repo import FLOWS_DIR
from flowops.sandbox.embedded import admin_post
from flowops.scaffold import environment_yaml, sandbox_environments
from flowops.simulate.generate import generate, write_generated
from flowops.simulate.report import render_markdown
from flowops.simulate.scenario import load_scenarios
from flowops.simulate.suite import run_scenarios
from flowops.simulate.world import load_flowset

#: The demo's success criteria for prod: at most 5 % of callers dropped by a flow.
DEMO_CRITERIA = {
    DEFAULTS_KEY: Criteria("demo", min_contacts=100, outcomes=(Bound("DROPPED", at_most=5),))
}


def dropping_candidate(name: str, content: str) -> FlowDocument:
    """``content`` with a menu in front whose timeout has no branch: a caller who does not
    press a key is cut off (the demo's bad change)."""
    data = json.loads(content)
    start = data["StartAction"]
    ask = {
        "Identifier": "demo-menu",
        "Type": "GetParticipantInput",
        "Parameters": {"Text": "Press 1 to continue", "StoreInput": "False"},
        "Transitions": {
            "NextAction": start,
            "Conditions": [
                {"NextAction": start, "Condition": {"Operator": "Equals", "Operands": ["1"]}}
            ],
            "Errors": [{"NextAction": start, "ErrorType": "NoMatchingCondition"}],
        },
    }
    data = {**data, "StartAction": "demo-menu", "Actions": [ask, *data["Actions"]]}
    return FlowDocument(FlowInfo(name=name), parse_content(data))


#: The flow the story edits: its balance lookup is a Lambda call with a timeout.
STORY_FLOW = "Billing Self Service"
TIMEOUT_PARAMETER = "InvocationTimeLimitSeconds"
BROKEN_TIMEOUT = "30"  # above Connect's 8 s maximum for a synchronous Lambda call
FIXED_TIMEOUT = "8"
#: The project's environment files the demo copies (dev, staging, prod).
PROJECT_ENVIRONMENTS = Path(__file__).resolve().parents[1] / "environments"


@dataclass(frozen=True)
class DemoStep:
    """One chapter of the story: the command a user would type and what it did."""

    chapter: str
    command: str
    outcome: str
    details: tuple[str, ...] = ()
    ok: bool = True  # the step went as the story expects (lint *finding* the fault is ok)
    seconds: float = 0.0
    api_calls: int = 0  # requests to Amazon Connect (and Lex) during the step


@dataclass
class DemoResult:
    """Every step in order, and where the demo's repository and sandbox are."""

    workdir: Path
    sandbox_db: Path
    steps: list[DemoStep] = field(default_factory=list)
    #: Amazon Connect (and Lex) operations the story called, with counts: the API surface
    #: the IAM policies in docs/aws.md must allow.
    operations: Counter[str] = field(default_factory=Counter)

    @property
    def ok(self) -> bool:
        """Did every step go as the story expects?"""
        return all(step.ok for step in self.steps)


Report = Callable[[DemoStep], None]


class _Story:
    """Runs the chapters in order, timing each and collecting its step."""

    def __init__(self, workdir: Path, sandbox_db: Path, report: Report | None) -> None:
        self.workdir = workdir
        self.report = report
        self.result = DemoResult(workdir, sandbox_db)
        self.clients: dict[str, ConnectClient] = {}

    def env(self, name: str) -> Environment:
        return load_environment(name, self.workdir / "environments")

    def repo(self) -> git.Repo:
        return git.Repo(self.workdir)

    def client(self, name: str) -> ConnectClient:
        """One client per environment for the whole story, so API calls add up."""
        if name not in self.clients:
            self.clients[name] = ConnectClient.for_environment(self.env(name))
        return self.clients[name]

    def calls(self) -> int:
        return sum(sum(c.calls.values()) for c in self.clients.values())

    def step(self, chapter: str, command: str, action: Callable[[], DemoStep]) -> DemoStep:
        """Run one chapter, unless an earlier one failed; a flowops error fails it."""
        if not self.result.ok:  # skipped steps are not recorded
            return _outcome("skipped: an earlier step failed", ok=False)
        started = time.monotonic()
        before = self.calls()
        try:
            done = action()
        except FlowopsError as exc:
            done = _outcome(f"failed: {exc}", ok=False)
        step = replace(
            done,
            chapter=chapter,
            command=command,
            seconds=time.monotonic() - started,
            api_calls=self.calls() - before,
        )
        self.result.steps.append(step)
        if self.report is not None:
            self.report(step)
        return step

    def finish(self) -> DemoResult:
        for client in self.clients.values():
            self.result.operations.update(client.calls)
        return self.result


def _outcome(outcome: str, *details: str, ok: bool = True) -> DemoStep:
    """A step's result before the story stamps chapter, command, time and calls on it."""
    return DemoStep("", "", outcome, tuple(details), ok)


def reset_workdir(workdir: Path, sandbox_db: Path, *, quotas: bool) -> None:
    """Start from nothing: an empty git repository with the project's environments.

    The environments are the project's own files with two changes: they point at the
    demo's sandbox database, and (unless ``quotas``) the client pacing is lifted along
    with the sandbox's quota, so the demo takes seconds, not minutes.
    """
    if workdir.exists():
        shutil.rmtree(workdir)
    sandbox_db.parent.mkdir(parents=True, exist_ok=True)
    copy_environments(workdir / "environments", sandbox_db=sandbox_db.resolve(), paced=quotas)
    repo = git.Repo.init(workdir, initial_branch="main")
    with repo.config_writer() as config:
        config.set_value("user", "name", "flowops demo")
        config.set_value("user", "email", "demo@flowops.invalid")
    (workdir / ".gitignore").write_text(".flowops/\n", encoding="utf-8")


def copy_environments(target: Path, *, sandbox_db: Path | None = None, paced: bool) -> None:
    """dev, staging and prod (the project's environment files), on the sandbox, in ``target``.

    ``sandbox_db`` points them at one database (default: each file's own, normally
    ``.flowops/sandbox.db`` of the working directory). Without ``paced`` the client-side
    pacing is lifted: against a sandbox with its quota off it would only slow things down.
    """
    target.mkdir(parents=True, exist_ok=True)
    for spec in sandbox_environments():
        data = yaml.safe_load(environment_yaml(spec))
        data["endpoint_url"] = "sandbox"
        if sandbox_db is not None:
            data["sandbox_db"] = str(sandbox_db)
        if not paced:
            data["rate_limit"] = {"rate": 1000, "burst": 1000}
        (target / f"{spec.name}.yaml").write_text(
            yaml.safe_dump(data, sort_keys=False), encoding="utf-8"
        )


def start_sandbox(sandbox_db: Path, *, quotas: bool) -> str:
    """The embedded sandbox over the demo's database, seeded with dev, staging and prod."""
    from flowops.sandbox.config import SandboxConfig
    from flowops.sandbox.embedded import ensure_sandbox

    config = SandboxConfig() if quotas else SandboxConfig.for_tests()
    return ensure_sandbox(sandbox_db, config=config)


def set_timeout(flows: Path, flow_name: str, seconds: str) -> Path:
    """Edit a flow file as a designer would: the flow's first Lambda call gets a timeout.

    Returns the file changed; the edit keeps the file's canonical layout.
    """
    for path in sorted(flows.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc.get("name") != flow_name:
            continue
        for action in doc["content"]["Actions"]:
            if action.get("Type") == "InvokeLambdaFunction":
                action["Parameters"][TIMEOUT_PARAMETER] = seconds
                path.write_text(
                    json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
                )
                return path
    raise CheckFailedError(f"no flow {flow_name!r} with a Lambda call under {flows}")


def _lint(flows: Path, *, expect_error: bool) -> DemoStep:
    report = lint_paths([flows])
    errors = report.at_or_above(Severity.error)
    details = tuple(f"{f.rule} {f.severity.value}: {f.message}" for f in report.findings)
    counts = ", ".join(f"{n} {s.value}" for s, n in report.counts().items() if n) or "none"
    outcome = f"{len(report.files)} files, findings: {counts}"
    return _outcome(outcome, *details, ok=bool(errors) == expect_error)


def _diff(workdir: Path) -> DemoStep:
    ctx = SourceContext(flows_dir=workdir / FLOWS_DIR, env_root=workdir / "environments")
    old, new = default_sides(None, None, ctx)
    diff = compare_sides(old, new)
    details = [line for line in render_text(diff).plain.splitlines()[1:] if line.strip()]
    counts = ", ".join(f"{n} {k}" for k, n in diff.counts().items() if n)
    return _outcome(f"HEAD -> working tree: {counts}", *details, ok=diff.has_changes)


def _commit(repo: git.Repo, message: str) -> str:
    repo.git.add("-A")
    return str(repo.index.commit(message).hexsha)


def _plan_text(steps: Iterable[Step]) -> str:
    counts = Counter(step.action for step in steps)
    return ", ".join(f"{n} {a}" for a, n in sorted(counts.items())) or "nothing"


def run_demo(workdir: Path, report: Report | None = None, *, quotas: bool = False) -> DemoResult:
    """Tell the whole story in ``workdir`` (reset first); ``report`` sees each step.

    The sandbox database is new on every run, under ``<workdir>/.flowops/``: a name of its
    own, because an embedded sandbox keeps serving its database for the life of the
    process (a second demo in one process must not find the first one's state). With
    ``quotas`` the sandbox enforces Connect's default API quotas and flowops paces itself
    under them (slower, and closer to a real account).
    """
    workdir = workdir.resolve()
    db = workdir / ".flowops" / f"sandbox-{uuid.uuid4().hex[:8]}.db"
    story = _Story(workdir, db, report)
    flows = workdir / FLOWS_DIR

    def setup() -> DemoStep:
        try:
            reset_workdir(workdir, db, quotas=quotas)
        except OSError as exc:
            raise BadInputError(f"cannot prepare the demo folder {workdir}: {exc}") from exc
        url = start_sandbox(db, quotas=quotas)
        names = ", ".join(sorted(p.stem for p in (workdir / "environments").glob("*.yaml")))
        return _outcome(f"sandbox at {url}; environments {names}", f"scratch repository {workdir}")

    story.step("Start the sandbox", "flowops sandbox seed", setup)

    def export() -> DemoStep:
        result = export_env(story.env("dev"), flows, client=story.client("dev"))
        _commit(story.repo(), "Flows exported from the dev account")
        return _outcome(
            f"{len(result.added)} flows and modules written to flows/ and committed",
            *(f"+ {key}" for key in result.added),
        )

    story.step("Export dev into git", "flowops export --env dev", export)
    story.step("Lint", "flowops lint flows", lambda: _lint(flows, expect_error=False))

    def break_flow() -> DemoStep:
        path = set_timeout(flows, STORY_FLOW, BROKEN_TIMEOUT)
        step = _lint(flows, expect_error=True)
        return _outcome(
            f"{path.name}: Lambda timeout set to {BROKEN_TIMEOUT} s; lint: {step.outcome}",
            *step.details,
            ok=step.ok,
        )

    story.step("Break a flow: lint catches it", "flowops lint flows   # exits 1", break_flow)

    def fix_flow() -> DemoStep:
        set_timeout(flows, STORY_FLOW, FIXED_TIMEOUT)
        lint = _lint(flows, expect_error=False)
        diff = _diff(workdir)
        _commit(story.repo(), f"{STORY_FLOW}: wait up to {FIXED_TIMEOUT} s for the balance lookup")
        return _outcome(diff.outcome, *diff.details, ok=lint.ok and diff.ok)

    story.step("Fix it and read the diff", "flowops diff", fix_flow)
    story.step(
        "Test your flows: one scenario fails",
        "flowops test --generate  # then: flowops test --coverage-fail-under 100",
        lambda: _test_offline(workdir),
    )

    def promote_staging() -> DemoStep:
        first = promote(
            story.env("staging"),
            "HEAD",
            workdir,
            client=story.client("staging"),
        )
        plan_text = _plan_text(first.plan.steps)
        second = promote(
            story.env("staging"),
            "HEAD",
            workdir,
            client=story.client("staging"),
        )
        writes = second.applied is not None and second.applied.release is not None
        return _outcome(
            f"plan: {plan_text}; released as #{_release_id(first)}; "
            f"promoting again: {'wrote again!' if writes else 'nothing to change, no writes'}",
            *(f"{o.name}: {o.happened}" for o in _outcomes(first)),
            ok=_release_id(first) is not None and not writes,
        )

    story.step("Promote to staging (twice)", "flowops promote --env staging", promote_staging)

    def native_tests() -> DemoStep:
        first = run_native(
            story.env("staging"),
            flows,
            workdir / "scenarios",
            poll=0.1,
            client=story.client("staging"),
        )
        again = NativeStats()
        run_native(
            story.env("staging"),
            flows,
            workdir / "scenarios",
            poll=0.1,
            client=story.client("staging"),
            stats=again,
        )
        rows = [
            f"{r.status.upper()} {r.scenario.name}" for r in first.results if r.status != "skipped"
        ]
        writes = len(again.created) + len(again.updated)
        return _outcome(
            f"{first.passed} passed, {first.failed} failed as Connect test cases "
            f"({first.skipped} skipped: no native form); run again: "
            + ("no test case rewritten" if not writes else f"{writes} rewritten!"),
            *rows,
            ok=first.failed == 0 and first.passed > 0 and not writes,
        )

    story.step("Scenarios as test cases in staging", "flowops test --env staging", native_tests)

    def prod_before() -> DemoStep:
        result = promote(
            story.env("prod"),
            "HEAD~1",
            workdir,
            yes=True,
            client=story.client("prod"),
        )
        return _outcome(
            f"prod runs the exported flows: release #{_release_id(result)}",
            ok=_release_id(result) is not None,
        )

    story.step(
        "Prod runs the previous release",
        "flowops promote --env prod --ref HEAD~1 --yes",
        prod_before,
    )

    def canary() -> DemoStep:
        client = story.client("prod")
        tree, sha = desired_state(story.repo(), "HEAD", FLOWS_DIR)
        candidate = tree[f"flow:{STORY_FLOW}"]
        start_canary(client, STORY_FLOW, candidate, 10, ref=sha)
        ramp_canary(client, STORY_FLOW, 50)
        done = promote_canary(client, STORY_FLOW)
        return _outcome(
            f"10 % -> 50 % -> promoted: {STORY_FLOW} runs the fix"
            + (f" (release #{done.release_id})" if done.release_id is not None else ""),
            *done.notes,
        )

    story.step(
        "Canary in prod",
        f'flowops canary start --env prod --flow "{STORY_FLOW}" '
        "--percent 10 --yes  # then ramp, promote",
        canary,
    )

    def roll_back() -> DemoStep:
        report_ = rollback(story.client("prod"))
        rows = [f"{o.step.name}: {o.result}" for o in report_.outcomes]
        return _outcome(
            f"{len(report_.outcomes)} flow(s) back to the previous release",
            *rows,
            ok=report_.ok,
        )

    def watched_canary() -> DemoStep:
        client = ConnectClient.for_environment(replace(story.env("prod"), success=DEMO_CRITERIA))
        story.clients["prod (watch)"] = client
        live = client.describe("flow", find_entry(client, STORY_FLOW).id)
        candidate = dropping_candidate(STORY_FLOW, live.content or "")
        start_canary(client, STORY_FLOW, candidate, 30)
        sent = admin_post(
            client.endpoint_url,
            "traffic",
            {"instance_id": client.instance_id, "flow": STORY_FLOW, "contacts": 600, "seed": 17},
        )
        (cycle,) = watch(client, STORY_FLOW)
        m = cycle.measurement
        base, new = m.base.share("DROPPED") or 0.0, m.new.share("DROPPED") or 0.0
        return _outcome(
            f"{sent['contacts']} simulated calls; the candidate dropped {new:.0f} % of its callers"
            f" (stable {base:.0f} %): "
            + ("aborted automatically" if cycle.aborted else "NOT aborted"),
            *measurement_text(m).splitlines()[1:],
            ok=cycle.aborted is not None and not canary_status(client, STORY_FLOW).running,
        )

    story.step(
        "A canary that drops callers is stopped",
        f'flowops sandbox traffic --env prod --flow "{STORY_FLOW}" --contacts 600; '
        "flowops canary watch --env prod --yes",
        watched_canary,
    )

    story.step("Roll prod back", "flowops rollback --env prod --yes", roll_back)

    def show_history() -> DemoStep:
        hist = history(story.env("prod"), client=story.client("prod"))
        rows = [
            f"#{r.id} {r.status} {r.commit[:12] if r.commit else ''} "
            f"{len(r.flows)} flow(s) {r.message}".rstrip()
            for r in hist.releases
        ]
        return _outcome(
            f"{len(hist.releases)} releases recorded in prod", *rows, ok=len(hist.releases) >= 2
        )

    story.step("History, from Connect itself", "flowops history --env prod", show_history)
    return story.finish()


#: Two hand-written scenarios; the author of the second got the menu wrong: pressing 1
#: reaches Sales, not Support.
SCENARIOS = """\
scenarios:
  - name: press 2 for Support
    flow: Main Inbound
    given:
      lambdas: {lambda:lookup-customer: [{result: {name: Ann, tier: gold}}]}
      hours: open
      inputs: ["2"]
    expect:
      prompts: [Welcome, Main Menu]
      attributes: {customerTier: gold}
      queue: queue:Support
  - name: press 1 for Support (wrong on purpose)
    flow: Main Inbound
    given:
      lambdas: {lambda:lookup-customer: [{result: {name: Ann, tier: gold}}]}
      hours: open
      inputs: ["1"]
    expect:
      queue: queue:Support
"""


def _test_offline(workdir: Path) -> DemoStep:
    """Scenarios beside flows/: the wrong one fails with its path; ``--generate`` writes
    one for every branch the others miss; without the wrong one, every branch is covered.
    They stay out of the demo's git history (``.git/info/exclude``), so the story's
    HEAD~1 is still the export."""
    folder = workdir / "scenarios"
    folder.mkdir(exist_ok=True)
    with (workdir / ".git" / "info" / "exclude").open("a", encoding="utf-8") as exclude:
        exclude.write("scenarios/\n")
    mine = folder / "main-inbound.yaml"
    mine.write_text(SCENARIOS, encoding="utf-8")
    flows = load_flowset(workdir / FLOWS_DIR)
    failing = run_scenarios(flows, load_scenarios(folder))
    bad = [r for r in failing.results if not r.passed]
    mine.write_text(SCENARIOS.split("  - name: press 1")[0], encoding="utf-8")
    taken = {b for r in failing.results if r.passed for b in r.run.branches}
    written = write_generated(generate(flows, taken), folder / "generated")
    passing = run_scenarios(flows, load_scenarios(folder))
    report = workdir / ".flowops" / "coverage.md"
    report.write_text(render_markdown(passing), encoding="utf-8")
    cov = passing.coverage
    details = [f"FAIL {r.scenario.name}: {r.message}" for r in bad]
    details += [
        f"  {s.flow} / {s.type} -> {s.branch}"
        for r in bad
        for s in r.run.steps[max(0, r.divergence - 2) : r.divergence + 1]
    ]
    details.append(f"flowops test --generate wrote {len(written)} scenarios to review")
    details += [f"{f.percent:5.1f}%  {f.name}" for f in cov.flows]
    details.append(f"coverage report with Mermaid pictures: {report}")
    return _outcome(
        f"{len(bad)} of {len(failing.results)} scenarios failed; without the wrong one and "
        f"with the generated ones {passing.passed} passed, branch coverage {cov.percent:.1f}%",
        *details,
        ok=len(bad) == 1 and passing.ok and cov.percent == 100.0,
    )


def _release_id(result: PromoteResult) -> int | None:
    applied = result.applied
    return None if applied is None or applied.release is None else applied.release.id


def _outcomes(result: PromoteResult) -> tuple[Outcome, ...]:
    return () if result.applied is None else result.applied.outcomes
