"""Run scenarios offline: one result per scenario, and the coverage of them all."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter
from typing import Any

from flowops.errors import BadInputError
from flowops.simulate.coverage import Coverage, compute_coverage
from flowops.simulate.engine import RunResult, Simulator
from flowops.simulate.expect import Failure, check
from flowops.simulate.scenario import Scenario, load_scenarios
from flowops.simulate.world import FlowSet, load_flowset


@dataclass
class ScenarioResult:
    """The verdict of one scenario: passed, failed, or incomplete (input missing)."""

    scenario: Scenario
    run: RunResult
    failures: list[Failure]
    seconds: float
    #: Why the scenario did not run (a native run of a scenario with no native form).
    skipped: str | None = None
    #: In a native run: the expectations its test case cannot express (checked offline).
    offline_only: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.skipped is not None:
            return "skipped"
        if self.run.needs is not None:
            return "incomplete"
        if (
            self.run.end is not None
            and self.run.end.kind == "error"
            and "ends" not in self.scenario.expect
        ):
            return "failed"
        return "failed" if self.failures else "passed"

    @property
    def passed(self) -> bool:
        return self.status in ("passed", "skipped")

    @property
    def message(self) -> str:
        if self.skipped is not None:
            return self.skipped
        if self.run.needs is not None:
            return f"needs input {self.run.needs.input}: {self.run.needs.message}"
        if self.failures:
            return self.failures[0].message
        if self.run.end is not None and self.run.end.kind == "error":
            return self.run.end.detail
        return ""

    @property
    def divergence(self) -> int:
        """Index of the step where the run went another way than expected."""
        if self.run.needs is not None:
            return len(self.run.steps)
        return self.failures[0].step if self.failures else len(self.run.steps)


@dataclass
class SuiteReport:
    """Every scenario's result and the coverage of the flows."""

    results: list[ScenarioResult]
    coverage: Coverage
    seconds: float = 0.0
    flows_dir: str = ""
    scenarios_dir: str = ""
    generated: list[str] = field(default_factory=list)
    #: A native run's test-case sync (created, updated, unchanged, pruned, stale, dry_run).
    native: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> int:
        return sum(1 for r in self.results if r.status == "passed")

    @property
    def skipped(self) -> int:
        return sum(1 for r in self.results if r.status == "skipped")

    @property
    def failed(self) -> int:
        return len(self.results) - self.passed - self.skipped

    @property
    def ok(self) -> bool:
        return self.failed == 0


def run_scenario(flows: FlowSet, scenario: Scenario) -> ScenarioResult:
    """Run one scenario and check its expectations."""
    start = perf_counter()
    entry = flows.entry_flow(scenario.flow)
    run = Simulator(flows, scenario.given, channel=scenario.channel).run(entry)
    failures = [] if run.needs is not None else check(scenario.expect, run)
    return ScenarioResult(scenario, run, failures, perf_counter() - start)


#: given.<section> -> the parameter whose values its keys name.
_KEYED = {"lambdas": "LambdaFunctionARN", "hours": "HoursOfOperationId", "queues": "QueueId"}


def _short(ref: str) -> str:
    tail = ref.rsplit(":", 1)[-1] if ref.startswith("arn:") else ref.split(":", 1)[-1]
    return tail.rsplit("/", 1)[-1]


def _references(flows: FlowSet) -> dict[str, set[str] | None]:
    """Names scenarios may use: action ids and types (``outcomes``), and the values of
    Lambda, hours and queue parameters in the flows (None: some value is dynamic, so
    any name may be right)."""
    out: dict[str, set[str] | None] = {"outcomes": set(), **{k: set() for k in _KEYED}}
    for entry in flows:
        for action in entry.flow.actions:
            ids = out["outcomes"]
            assert ids is not None
            ids.update((action.identifier, action.type))
            for section, param in _KEYED.items():
                value = action.parameters.get(param)
                if not isinstance(value, str) or out[section] is None:
                    continue
                if value.startswith("$."):
                    out[section] = None
                else:
                    found = out[section]
                    assert found is not None
                    found.update((value, _short(value)))
    return out


def check_references(scenario: Scenario, known: dict[str, set[str] | None]) -> None:
    """Keys of ``given.outcomes``, ``lambdas``, ``hours`` and ``queues`` must name
    something in the flows: a typo would otherwise be silently unused."""
    for section, names in known.items():
        value = scenario.given.get(section)
        if names is None or not isinstance(value, dict):
            continue
        if section == "hours" and not all(k.startswith(("hours:", "arn:")) for k in value):
            continue  # a schedule or one result for every check
        for key in value:
            if key not in names and _short(key) not in names:
                kind = "block id or type" if section == "outcomes" else "reference"
                raise scenario.error(("given", section, key), f"no flow uses {kind} {key!r}")


def run_scenarios(flows: FlowSet, scenarios: Sequence[Scenario]) -> SuiteReport:
    """Run scenarios against a set of flows; coverage over every flow of the set."""
    start = perf_counter()
    known = _references(flows)
    for scenario in scenarios:  # bad references are bad input before anything runs
        try:
            flows.entry_flow(scenario.flow)
        except BadInputError as exc:
            raise scenario.error(("flow",), str(exc)) from None
        check_references(scenario, known)
    results = [run_scenario(flows, s) for s in scenarios]
    taken = {b for r in results for b in r.run.branches}
    return SuiteReport(results, compute_coverage(flows, taken), perf_counter() - start)


def run_suite(
    flows_dir: str | Path = "flows", scenarios_dir: str | Path = "scenarios"
) -> SuiteReport:
    """``flowops test``: every scenario under ``scenarios_dir`` against ``flows_dir``."""
    flows = load_flowset(flows_dir)
    scenarios = load_scenarios(scenarios_dir) if Path(scenarios_dir).exists() else []
    report = run_scenarios(flows, scenarios)
    report.flows_dir, report.scenarios_dir = str(flows_dir), str(scenarios_dir)
    return report
