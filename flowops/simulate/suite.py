"""Run scenarios offline: one result per scenario, and the coverage of them all."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter

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


def run_scenarios(flows: FlowSet, scenarios: Sequence[Scenario]) -> SuiteReport:
    """Run scenarios against a set of flows; coverage over every flow of the set."""
    start = perf_counter()
    for scenario in scenarios:  # unknown entry flows are bad input before anything runs
        try:
            flows.entry_flow(scenario.flow)
        except BadInputError as exc:
            raise BadInputError(f"{scenario.source}:{scenario.line}: field 'flow': {exc}") from None
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
