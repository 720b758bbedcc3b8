"""Renderers of a test run: text, JSON (versioned), JUnit XML, Markdown and Mermaid."""

from __future__ import annotations

import json
import re
from typing import Any
from xml.etree import ElementTree as ET

from flowops.simulate.coverage import Coverage, FlowCoverage
from flowops.simulate.generate import GenerateReport
from flowops.simulate.suite import ScenarioResult, SuiteReport

#: Version of the JSON report (docs/test-json.md); bumped on incompatible changes.
JSON_SCHEMA = "flowops.test/1"


def _path(result: ScenarioResult, upto: int | None = None) -> list[str]:
    steps = result.run.steps if upto is None else result.run.steps[: upto + 1]
    return [f"{s.flow} / {s.type} {s.action[:8]} -> {s.branch or 'end'}" for s in steps]


def _end(result: ScenarioResult) -> str:
    end = result.run.end
    return f"{end.kind} ({end.detail})" if end else "(stopped)"


def render_text(report: SuiteReport, *, verbose: bool = False) -> str:
    """One line per scenario; for failures the path up to the first divergence."""
    lines: list[str] = []
    for r in report.results:
        mark = {"passed": "PASS", "failed": "FAIL", "incomplete": "STOP", "skipped": "SKIP"}
        lines.append(f"{mark[r.status]} {r.scenario.name}  [{r.scenario.source}:{r.scenario.line}]")
        if r.status == "skipped":
            lines.append(f"     {r.message}")
        elif not r.passed:
            lines.append(f"     {r.message}")
            if r.run.needs is None:
                for f in r.failures[1:]:
                    lines.append(f"     also: {f.message}")
            div = r.divergence
            lines.append(f"     path to the first divergence (step {div}):")
            for step in _path(r, div)[-12:]:
                lines.append(f"       {step}")
            lines.append(f"     ended: {_end(r)}")
        elif verbose:
            for step in _path(r):
                lines.append(f"       {step}")
        if verbose:
            for why in r.offline_only:
                lines.append(f"     offline only: {why}")
    cov = report.coverage
    lines.append("")
    lines.append(
        f"{report.passed} passed, {report.failed} failed, "
        + (f"{report.skipped} skipped, " if report.skipped else "")
        + f"{len(report.results)} scenarios "
        f"in {report.seconds * 1000:.0f} ms; branch coverage {cov.percent:.1f}% "
        f"({cov.covered}/{cov.total})"
    )
    for fc in cov.flows:
        lines.append(f"  {fc.percent:5.1f}%  {fc.name}  ({len(fc.covered)}/{len(fc.reachable)})")
        if verbose:
            for b in fc.uncovered:
                lines.append(f"           uncovered: {b.type} {b.action[:8]} {b.label}")
    return "\n".join(lines)


def coverage_json(cov: Coverage) -> dict[str, Any]:
    """Coverage as plain data (part of the JSON report)."""
    return {
        "percent": round(cov.percent, 2),
        "covered": cov.covered,
        "total": cov.total,
        "flows": [
            {
                "flow": fc.key,
                "name": fc.name,
                "percent": round(fc.percent, 2),
                "covered": len(fc.covered),
                "total": len(fc.reachable),
                "uncovered": [
                    {"action": b.action, "type": b.type, "branch": b.key, "label": b.label}
                    for b in fc.uncovered
                ],
                "unreachable": [
                    {"action": b.action, "type": b.type, "branch": b.key, "label": b.label}
                    for b in fc.branches
                    if not b.reachable
                ],
            }
            for fc in cov.flows
        ],
    }


def result_json(r: ScenarioResult) -> dict[str, Any]:
    """One scenario's result as plain data."""
    run = r.run
    return {
        "name": r.scenario.name,
        "file": r.scenario.source,
        "line": r.scenario.line,
        "flow": r.scenario.flow,
        "status": r.status,
        "message": r.message,
        "divergence_step": None if r.passed else r.divergence,
        "failures": [
            {"expectation": f.expectation, "message": f.message, "step": f.step} for f in r.failures
        ],
        "needs_input": None
        if run.needs is None
        else {"input": run.needs.input, "message": run.needs.message},
        "end": None
        if run.end is None
        else {"kind": run.end.kind, "detail": run.end.detail, "flow": run.end.flow},
        "path": [
            {"flow": s.flow, "action": s.action, "type": s.type, "branch": s.branch}
            for s in run.steps
        ],
        "transcript": [{"step": e.step, "kind": e.kind, "text": e.text} for e in run.transcript],
        "attributes": dict(run.state.get("Attributes", {})),
        "queue": run.state.get("Queue", {}).get("ARN"),
        "milliseconds": round(r.seconds * 1000, 3),
        **({"offline_only": r.offline_only} if r.offline_only else {}),
    }


def render_json(report: SuiteReport, generated: GenerateReport | None = None) -> str:
    """The versioned JSON report (docs/test-json.md)."""
    data: dict[str, Any] = {
        "schema": JSON_SCHEMA,
        "summary": {
            "scenarios": len(report.results),
            "passed": report.passed,
            "failed": report.failed,
            "skipped": report.skipped,
            "milliseconds": round(report.seconds * 1000, 3),
        },
        "scenarios": [result_json(r) for r in report.results],
        "coverage": coverage_json(report.coverage),
    }
    if report.native:
        data["native"] = report.native
    if generated is not None:
        data["generated"] = {
            "written": generated.written,
            "runs": generated.runs,
            "unreachable": [
                {
                    "flow": u.flow_name,
                    "action": u.branch.action,
                    "type": u.branch.type,
                    "branch": u.branch.key,
                    "reason": u.reason,
                }
                for u in generated.unreachable
            ],
        }
    return json.dumps(data, indent=2, ensure_ascii=False)


def render_junit(report: SuiteReport) -> str:
    """JUnit XML: one testcase per scenario, classname = entry flow."""
    suite = ET.Element(
        "testsuite",
        name="flowops",
        tests=str(len(report.results)),
        failures=str(sum(1 for r in report.results if r.status == "failed")),
        errors=str(sum(1 for r in report.results if r.status == "incomplete")),
        skipped=str(report.skipped),
        time=f"{report.seconds:.3f}",
    )
    for r in report.results:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=r.scenario.flow,
            name=r.scenario.name,
            file=r.scenario.source,
            line=str(r.scenario.line),
            time=f"{r.seconds:.4f}",
        )
        if r.status == "skipped":
            ET.SubElement(case, "skipped", message=r.message)
        elif not r.passed:
            tag = "error" if r.status == "incomplete" else "failure"
            node = ET.SubElement(case, tag, message=r.message)
            node.text = "\n".join(_path(r, r.divergence)) + f"\nended: {_end(r)}"
    root = ET.Element("testsuites")
    root.append(suite)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def _mermaid_id(text: str) -> str:
    return "a_" + re.sub(r"\W", "_", text)


def _mermaid_label(text: str) -> str:
    return re.sub(r"[\"\[\](){}<>|#]", " ", text)[:40]


def coverage_mermaid(fc: FlowCoverage, names: dict[str, str] | None = None) -> str:
    """A flow's branches: covered edges solid green, uncovered dashed red."""
    lines = ["flowchart TD"]
    nodes: dict[str, str] = {}
    for b in fc.branches:
        nodes.setdefault(b.action, b.type)
        if b.target:
            nodes.setdefault(b.target, "")
    for ident, typ in nodes.items():
        label = _mermaid_label((names or {}).get(ident) or f"{typ} {ident[:8]}")
        lines.append(f'  {_mermaid_id(ident)}["{label}"]')
    styles: list[str] = []
    index = 0
    for b in fc.branches:
        if not b.target:
            continue
        arrow = "-->" if b.covered else "-.->"
        lines.append(
            f"  {_mermaid_id(b.action)} {arrow}|{_mermaid_label(b.label)}| {_mermaid_id(b.target)}"
        )
        colour = "#2da44e" if b.covered else "#cf222e"
        styles.append(f"  linkStyle {index} stroke:{colour},stroke-width:2px")
        index += 1
    return "\n".join(lines + styles)


def render_markdown(report: SuiteReport, *, mermaid: bool = True) -> str:
    """The pull-request comment: results, coverage per flow, uncovered branches, pictures."""
    cov = report.coverage
    out = [
        "## flowops test",
        "",
        f"**{report.passed} passed, {report.failed} failed** of {len(report.results)} scenarios; "
        f"branch coverage **{cov.percent:.1f}%** ({cov.covered}/{cov.total}).",
        "",
    ]
    failed = [r for r in report.results if r.status != "passed"]
    if failed:
        out += ["| Scenario | Status | First divergence |", "|---|---|---|"]
        for r in failed:
            out.append(f"| {r.scenario.name} | {r.status} | {r.message.replace('|', '/')} |")
        out.append("")
    out += ["| Flow | Coverage | Covered | Uncovered |", "|---|---:|---:|---:|"]
    for fc in cov.flows:
        out.append(f"| {fc.name} | {fc.percent:.1f}% | {len(fc.covered)} | {len(fc.uncovered)} |")
    uncovered = [fc for fc in cov.flows if fc.uncovered]
    if uncovered:
        out += ["", "### Uncovered branches", ""]
        for fc in uncovered:
            for b in fc.uncovered:
                out.append(f"- **{fc.name}**: {b.type} `{b.action}`: {b.label}")
    if mermaid:
        for fc in cov.flows:
            if not fc.branches:
                continue
            out += [
                "",
                f"<details><summary>{fc.name}: {fc.percent:.1f}%</summary>",
                "",
                "```mermaid",
                coverage_mermaid(fc),
                "```",
                "",
                "</details>",
            ]
    return "\n".join(out) + "\n"
