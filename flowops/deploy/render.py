"""Text, JSON and Markdown renderings of plans, promotes, exports and history.

Pure functions from results to strings, shared by the CLI, the demo and CI comments.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

from flowops.deploy.apply import ApplyResult, Outcome
from flowops.deploy.export import ExportResult
from flowops.deploy.history import History
from flowops.deploy.plan import Plan, Step
from flowops.deploy.releases import ReleaseRecord
from flowops.schemas import stamp
from flowops.tables import markdown_table, summarize, text_table

_SYMBOLS = {"create": "+", "update": "~", "unchanged": "=", "extra": "?"}


def _step_note(step: Step) -> str:
    notes = []
    if step.changes and step.action == "update":
        notes.append(", ".join(step.changes))
    if step.cycle and step.action == "create":
        notes.append("in a transfer cycle: placeholder first")
    if step.action == "extra":
        notes.append("live only, not in git: left as is")
    return "; ".join(notes)


def plan_summary(plan: Plan) -> str:
    counts = {a: len(plan.by_action(a)) for a in ("create", "update", "unchanged", "extra")}
    return (
        f"{counts['create']} to create, {counts['update']} to update, "
        f"{counts['unchanged']} unchanged, {counts['extra']} live only (not deleted)"
    )


def render_calls(plan: Plan, calls: Sequence[tuple[str, str]]) -> str:
    """A dry run's write calls (``flowops.deploy.apply.dry_run``: the executor itself, run
    with a recording client), in order; the lock and the two ledger records come on top."""
    return calls_text(f"a promote to {plan.env.name}", calls)


def calls_text(what: str, calls: Sequence[tuple[str, str]]) -> str:
    """Write calls ``what`` would make, in order, as a dry run recorded them (promote's,
    or rollback's: ``flowops.deploy.rollback.dry_run_calls``)."""
    lines = [f"Write calls {what} would make (in order):"]
    lines += [f"  {call:<48} {key}" for call, key in calls]
    if not calls:
        lines.append("  none")
    else:
        lines.append(
            "  + the environment lock (create, then delete a module) and two ledger writes"
        )
    return "\n".join(lines) + "\n"


def render_plan(plan: Plan, fmt: str = "text") -> str:
    """A plan as ``text``, ``json`` or ``markdown``."""
    if fmt == "json":
        return json.dumps(stamp("plan", plan.to_dict()), indent=2, ensure_ascii=False)
    ref = f" at {plan.ref} ({(plan.commit or '')[:12]})" if plan.ref else ""
    rows = [("", "flow", "action", "details")]
    for step in plan.steps:
        rows.append((_SYMBOLS[step.action], step.key, step.action, _step_note(step)))
    if fmt == "markdown":
        return (
            f"### flowops plan for `{plan.env.name}`{ref}\n\n{plan_summary(plan)}\n\n"
            + (markdown_table(rows) if plan.steps else "_no flows_")
            + "\n"
        )
    title = f"Plan for {plan.env.name}{ref}: {plan_summary(plan)}"
    return title + ("\n\n" + text_table(rows) if plan.steps else "") + "\n"


def _outcome_rows(outcomes: Sequence[Outcome]) -> list[tuple[str, str, str]]:
    rows = [("flow", "what happened", "where it is now")]
    rows += [(o.key, o.happened, o.now) for o in outcomes]
    return rows


def lag_line(lag: Mapping[str, Any]) -> str:
    """What eventual consistency cost a run, for people (empty when nothing waited):
    ``3 read(s) waited for Connect to catch up`` (``ConnectClient.lag_report``; flows read
    again by id as a matter of course are in ``--format json`` only)."""
    waited = lag.get("waited")
    return f"{waited} read(s) waited for Connect to catch up" if waited else ""


def render_apply(result: ApplyResult, fmt: str = "text") -> str:
    """What a promote did."""
    if fmt == "json":
        payload: dict[str, Any] = {
            "env": result.env,
            "release": result.release.to_dict() if result.release else None,
            "outcomes": [asdict(o) for o in result.outcomes],
            "unchanged": list(result.unchanged),
            "extra": list(result.extra),
            "calls": result.calls,
            "lag": result.lag,
        }
        return json.dumps(stamp("promote", payload), indent=2, ensure_ascii=False)
    waited = lag_line(result.lag)
    tail = f"\n{waited}\n" if waited else ""
    if result.release is None:
        head = f"Nothing to change in {result.env}: {len(result.unchanged)} flow(s) up to date."
        return head + "\n" + tail
    rel = result.release
    head = (
        f"Release {rel.id} to {rel.env}: {len(result.outcomes)} flow(s) changed, "
        f"{len(result.unchanged)} unchanged (commit {(rel.commit or '-')[:12]})"
    )
    if fmt == "markdown":
        return f"### {head}\n\n{markdown_table(_outcome_rows(result.outcomes))}\n{tail}"
    return f"{head}\n\n{text_table(_outcome_rows(result.outcomes))}\n{tail}"


def render_export(result: ExportResult, fmt: str = "text") -> str:
    """What an export wrote."""
    if fmt == "json":
        data = asdict(result)
        data["root"] = str(result.root)
        return json.dumps(stamp("export", data), indent=2, ensure_ascii=False)
    lines = [
        f"Exported {result.env} to {result.root}: {len(result.changed)} changed, "
        f"{len(result.added)} added, {len(result.removed)} removed, "
        f"{len(result.unchanged)} unchanged"
    ]
    for label, keys in (("~", result.changed), ("+", result.added), ("-", result.removed)):
        lines += [f"  {label} {k}" for k in keys]
    lines += [f"warning: {w}" for w in result.warnings]
    if result.commit:
        lines.append(f"committed {result.commit[:12]}")
    text = "\n".join(lines) + "\n"
    return text if fmt == "text" else "```\n" + text + "```\n"


def release_kind(record: ReleaseRecord) -> str:
    """What a release was, for people: ``promote``, ``canary-promote``, ``rollback of 4``."""
    kind, reverts = record.resolved_kind()
    return f"{kind} of {reverts}" if kind == "rollback" and reverts is not None else kind


def _release_json(record: ReleaseRecord) -> dict[str, Any]:
    data = record.to_dict()
    data["kind"], data["reverts"] = record.resolved_kind()  # older records: from the message
    return data


def _version(number: int | None, created: bool = False) -> str:
    """``v3``; ``new`` where a flow had no version yet (created by the release); ``-`` where
    none was recorded (a flow saved without publishing, a canary's ramp or abort)."""
    return f"v{number}" if number else ("new" if created else "-")


def render_history(hist: History, fmt: str = "text") -> str:
    """Releases (and a flow's versions), newest first, with what each one was."""
    if fmt == "json":
        return json.dumps(
            stamp(
                "history",
                {
                    "env": hist.env,
                    "flow": hist.flow,
                    "releases": [_release_json(r) for r in hist.releases],
                    "versions": [
                        {
                            "version": v.version,
                            "description": v.description,
                            "created": v.created.isoformat() if v.created else None,
                        }
                        for v in hist.versions
                    ],
                    "notes": list(hist.notes),
                },
            ),
            indent=2,
            ensure_ascii=False,
        )
    rows = [("release", "kind", "when", "who", "commit", "status", "flows")]
    for r in hist.releases:
        flows = summarize(
            [
                f"{f.name} {_version(f.version_before, f.action == 'create')}->"
                f"{_version(f.version_after)}"
                for f in r.flows
            ]
        )
        if r.kind == "test-cases":  # no flows: what it wrote is in its message
            flows = r.message.split(": ", 1)[-1]
        rows.append(
            (str(r.id), release_kind(r), r.when, r.who, (r.commit or "-")[:12], r.status, flows)
        )
    parts = [f"Releases in {hist.env}" + (f" touching {hist.flow}" if hist.flow else "")]
    table = markdown_table if fmt == "markdown" else text_table
    parts.append(table(rows) if hist.releases else "(none)")
    if hist.flow:
        vrows = [("version", "created", "description")]
        vrows += [
            (str(v.version), v.created.isoformat() if v.created else "", v.description)
            for v in hist.versions
        ]
        parts.append(f"Versions of {hist.flow}")
        parts.append(table(vrows) if hist.versions else "(none)")
    parts += [f"note: {note}" for note in hist.notes]
    return "\n\n".join(parts) + "\n"
