"""``flowops test`` through the real CLI: outputs, exit codes, coverage, --generate."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from xml.etree import ElementTree as ET

from typer.testing import CliRunner

from flowops.cli.main import app
from flowops.simulate.generate import generate
from flowops.simulate.world import load_flowset

REPO = Path(__file__).resolve().parents[2]
FLOWS = REPO / "flows"
runner = CliRunner()

FAILING = """\
name: Sales expected but Support reached
flow: Main Inbound
given:
  lambdas: {lambda:lookup-customer: [{result: {}}]}
  hours: open
  inputs: ["2"]
expect:
  queue: queue:Sales
"""


def _invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["test", "--flows", str(FLOWS), *args])
    return result.exit_code, result.stdout, result.stderr


def test_committed_scenarios_pass_exit_0() -> None:
    code, out, _ = _invoke("--scenarios", str(REPO / "scenarios"), "--coverage-fail-under", "100")
    assert code == 0, out
    assert "0 failed" in out and "branch coverage 100.0%" in out


def test_a_shells_default_environment_never_makes_the_run_live() -> None:
    result = runner.invoke(
        app,
        ["test", "--flows", str(FLOWS), "--scenarios", str(REPO / "scenarios")],
        env={"FLOWOPS_ENV": "no-such-environment"},
    )
    assert result.exit_code == 0, result.output  # offline: the variable is not read
    assert "0 failed" in result.stdout
    live = runner.invoke(app, ["test", "--flows", str(FLOWS), "--env", "no-such-environment"])
    assert live.exit_code == 2 and "no-such-environment" in live.output


def test_failure_exits_1_with_path_and_first_divergence(tmp_path: Path) -> None:
    (tmp_path / "f.yaml").write_text(FAILING)
    code, out, _ = _invoke("--scenarios", str(tmp_path))
    assert code == 1
    assert "FAIL Sales expected but Support reached" in out
    assert "expected queue 'queue:Sales', reached 'queue:Support'" in out
    assert "path to the first divergence" in out
    assert "GetParticipantInput f2d5e2a7 -> condition:1" in out


def test_bad_scenario_exits_2_naming_file_line_field(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("name: x\nflow: Main Inbound\nexpect:\n  ends: nowhere\n")
    code, _, err = _invoke("--scenarios", str(tmp_path))
    assert code == 2
    assert f"{tmp_path / 'bad.yaml'}:4: field 'expect.ends'" in " ".join(err.split())


def test_coverage_fail_under(tmp_path: Path) -> None:
    shutil.copy(REPO / "scenarios" / "billing.yaml", tmp_path)
    code, _, err = _invoke("--scenarios", str(tmp_path), "--coverage-fail-under", "50")
    assert code == 1 and "below 50" in err
    assert _invoke("--scenarios", str(tmp_path), "--coverage-fail-under", "5")[0] == 0
    assert _invoke("--scenarios", str(tmp_path), "--coverage-fail-under", "101")[0] == 2


def test_json_report_is_versioned(tmp_path: Path) -> None:
    (tmp_path / "f.yaml").write_text(FAILING)
    code, out, _ = _invoke("--scenarios", str(tmp_path), "--format", "json")
    data = json.loads(out)
    assert code == 1
    assert data["schema"] == "flowops.test/1"
    assert data["summary"] == {**data["summary"], "scenarios": 1, "passed": 0, "failed": 1}
    scenario = data["scenarios"][0]
    assert scenario["status"] == "failed" and scenario["failures"][0]["expectation"] == "queue"
    assert scenario["end"]["kind"] == "queue" and scenario["queue"] == "queue:Support"
    assert scenario["path"][0]["type"] == "UpdateFlowLoggingBehavior"
    main = next(f for f in data["coverage"]["flows"] if f["name"] == "Main Inbound")
    assert main["uncovered"] and 0 < main["percent"] < 100


def test_junit_and_markdown_outputs(tmp_path: Path) -> None:
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "f.yaml").write_text(FAILING)
    shutil.copy(REPO / "scenarios" / "billing.yaml", tmp_path / "s")
    junit, md = tmp_path / "junit.xml", tmp_path / "cov.md"
    code, _, _ = _invoke(
        "--scenarios", str(tmp_path / "s"), "--junit", str(junit), "--markdown", str(md)
    )
    assert code == 1
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("tests") == "3" and suite.get("failures") == "1"
    failure = suite.find("testcase/failure")
    assert failure is not None and "queue:Sales" in (failure.get("message") or "")
    text = md.read_text()
    assert "### Uncovered branches" in text and "```mermaid" in text
    assert "stroke:#2da44e" in text and "stroke:#cf222e" in text and "-.->" in text


def test_generate_writes_scenarios_that_reach_full_coverage(tmp_path: Path) -> None:
    folder = tmp_path / "scenarios"
    shutil.copy(REPO / "scenarios" / "billing.yaml", tmp_path)
    folder.mkdir()
    shutil.copy(tmp_path / "billing.yaml", folder)
    code, out, err = _invoke(
        "--scenarios", str(folder), "--generate", "--coverage-fail-under", "100"
    )
    assert code == 0, out + err
    written = sorted((folder / "generated").glob("*.yaml"))
    assert written and "wrote" in err
    again = _invoke("--scenarios", str(folder))
    assert again[0] == 0 and "branch coverage 100.0%" in again[1]
    # A second --generate finds nothing left to write.
    _invoke("--scenarios", str(folder), "--generate")
    assert sorted((folder / "generated").glob("*.yaml")) == written


def test_generate_says_why_a_branch_is_unreachable(tmp_path: Path) -> None:
    flow = {
        "Version": "2019-10-30",
        "StartAction": "loop",
        "Metadata": {"name": "Looper"},
        "Actions": [
            {
                "Identifier": "loop",
                "Type": "Loop",
                "Parameters": {"LoopCount": "2"},
                "Transitions": {
                    "NextAction": "bye",
                    "Conditions": [
                        {
                            "NextAction": "loop",
                            "Condition": {"Operator": "Equals", "Operands": ["ContinueLooping"]},
                        },
                        {
                            "NextAction": "bye",
                            "Condition": {"Operator": "Equals", "Operands": ["DoneLooping"]},
                        },
                        {
                            "NextAction": "bye",
                            "Condition": {"Operator": "Equals", "Operands": ["DoneLooping"]},
                        },
                    ],
                },
            },
            {
                "Identifier": "bye",
                "Type": "DisconnectParticipant",
                "Parameters": {},
                "Transitions": {},
            },
            {
                "Identifier": "orphan",
                "Type": "MessageParticipant",
                "Parameters": {"Text": "x"},
                "Transitions": {"NextAction": "bye"},
            },
        ],
    }
    (tmp_path / "flows").mkdir()
    (tmp_path / "flows" / "looper.json").write_text(json.dumps(flow))
    report = generate(load_flowset(tmp_path / "flows"))
    reasons = {(u.branch.action, u.branch.key): u.reason for u in report.unreachable}
    assert reasons[("loop", "success")] == "no result of Loop takes this branch"
    assert reasons[("loop", "condition:2")] == "condition 1 tests the same and always matches first"
    assert ("orphan", "success") not in reasons  # unreachable blocks are out of the count
    assert len(report.scenarios) == 1 and report.scenarios[0].data["expect"]["ends"] == "disconnect"
