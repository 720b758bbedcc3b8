"""CLI group ``canary``: start, ramp, promote, abort, status, generate.

Thin: options are parsed here, the work is ``flowops.deploy.canary`` (live, state in
Connect) and ``flowops.deploy.canary_files`` (the same canary as files for a PR).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from flowops.cli.common import (
    EnvironmentsOption,
    EnvOption,
    FormatOption,
    OutputFormat,
    RefOption,
    YesOption,
    complete_flow,
    console,
    emit,
    err_console,
    handle_errors,
    json_failure,
    say,
)
from flowops.cli.common import FlowsOption as RootOption
from flowops.cli.progress import cancelled_dict, on_signal_canary, on_signal_canary_start
from flowops.config import load_environment
from flowops.connect import ConnectClient
from flowops.deploy.canary import (
    CanaryAction,
    CanaryCancelledError,
    CanaryResult,
    CanaryStatus,
    abort_canary,
    canary_status,
    pick_flow,
    promote_canary,
    ramp_canary,
    running_canaries,
    start_canary,
)
from flowops.deploy.canary_files import canary_documents
from flowops.deploy.promote import desired_state
from flowops.deploy.releases import ReleaseRecord
from flowops.deploy.render import calls_text, lag_line
from flowops.errors import BadInputError, CheckFailedError, recall
from flowops.model.canonical import dump_document
from flowops.model.document import FlowDocument
from flowops.repo import FLOWS_DIR, flow_relpath, open_repo, read_tree, read_tree_at
from flowops.schemas import stamp

FlowOption = Annotated[
    str | None,
    typer.Option(
        "--flow",
        metavar="NAME",
        help="The entry flow (default: the one flow running a canary).",
        autocompletion=complete_flow,
    ),
]
EntryFlowOption = Annotated[
    str,
    typer.Option(
        "--flow", metavar="NAME", help="The entry flow to canary.", autocompletion=complete_flow
    ),
]
PercentOption = Annotated[
    int,
    typer.Option(
        "--percent", "-p", metavar="PERCENT", help="Share of contacts for the candidate, 1-99."
    ),
]

OverrideOption = Annotated[
    str | None,
    typer.Option(
        "--override-criteria",
        metavar="REASON",
        help="Go ahead although the success criteria say no (the reason is recorded).",
    ),
]

DryRunOption = Annotated[
    bool,
    typer.Option(
        "--dry-run",
        help="List the write calls the command would make, in order; write nothing.",
    ),
]

canary_app = typer.Typer(
    name="canary",
    help="Send a share of an entry flow's contacts to new content, then promote or abort.",
    no_args_is_help=True,
)


def _client(
    env: str, what: str | None = None, yes: bool = True, environments: Path | None = None
) -> ConnectClient:
    """The environment's client; a protected environment asks before ``what`` is done."""
    environment = load_environment(env, environments)
    if what and environment.protected and not yes:
        if not err_console.is_terminal:
            raise BadInputError(
                f"environment {environment.name!r} is protected: pass --yes to {what}; "
                "nothing was written"
            )
        if not typer.confirm(f"{environment.name} is protected. {what.capitalize()}?", err=True):
            raise BadInputError("not confirmed; nothing was written")
    return ConnectClient.for_environment(environment)


def _state_dict(result: CanaryResult | CanaryStatus) -> dict[str, Any] | None:
    state = result.state
    if state is None:
        return None
    return {
        "stable_id": state.stable_id,
        "candidate_id": state.candidate_id,
        "percent": state.percent,
        "restore_version": state.restore_version,
        "started": state.started,
        "ref": state.ref,
        "restore_sha": state.restore_sha,
    }


def _result_dict(result: CanaryResult, lag: dict[str, Any]) -> dict[str, Any]:
    """What a canary command did as its JSON document (``flowops-canary/1``)."""
    return stamp(
        "canary",
        {
            "action": result.action,
            "env": result.env,
            "flow": result.flow,
            "flow_id": result.flow_id,
            "percent": result.percent,
            "state": _state_dict(result),
            "versions": dict(result.versions),
            "release": result.release_id,
            "notes": list(result.notes),
            "lag": lag,
            "dry_run": result.dry_run,
            "planned_calls": [{"call": call, "flow": flow} for call, flow in result.planned_calls],
            "flow_state": "planned" if result.dry_run else "released",
            "cancelled": None,
            "ok": True,
        },
    )


@contextmanager
def _reported(
    fmt: OutputFormat,
    action: CanaryAction,
    env: str,
    flow: str | None,
    percent: int | None = None,
    dry_run: bool = False,
) -> Iterator[list[ConnectClient]]:
    """A canary command's ``--format json`` whatever happens (``json_failure``): what the
    release record says of the entry flow (its id, the versions it published), the
    release id; yields a list the command puts its client in (for the lag report)."""
    clients: list[ConnectClient] = []

    def known(exc: BaseException) -> dict[str, Any]:
        record = recall(exc, ReleaseRecord)
        flows = record.flows if record else ()
        entry = next((f for f in flows if f.name == flow or f.action == "update"), None)
        result = CanaryResult(
            action,
            clients[0].env.name if clients else env,
            entry.name if entry else flow or "",
            entry.id if entry else "",
            percent,
            None,
            {f.name: f.version_after for f in flows if f.version_after},
            release_id=record.id if record else None,
        )
        lag = clients[0].lag_report() if clients else {}
        known = {**_result_dict(result, lag), "dry_run": dry_run, "flow_state": None}
        if entry is not None:
            known["flow_state"] = entry.outcome
        if isinstance(exc, CanaryCancelledError):  # where the entry flow is, the signal
            known.update(
                action=exc.kind.removeprefix("canary-"),
                flow=exc.flow.name,
                flow_id=exc.flow.id,
                flow_state=exc.flow.outcome,
                cancelled=cancelled_dict(exc),
            )
        return known

    with json_failure(fmt == OutputFormat.json, "canary", known):
        yield clients


def _render_result(result: CanaryResult, fmt: OutputFormat, client: ConnectClient) -> None:
    if fmt == OutputFormat.json:
        emit(json.dumps(_result_dict(result, client.lag_report()), indent=2))
        return
    if result.dry_run:
        what = f"a canary {result.action} of {result.env} / {result.flow}"
        console.print(calls_text(what, result.planned_calls), highlight=False, markup=False)
        return
    what = {
        "start": f"canary started: {result.percent}% of contacts to the candidate",
        "ramp": f"canary ramped: {result.percent}% of contacts to the candidate",
        "promote": f"canary promoted: the candidate is live (release {result.release_id})",
        "abort": "canary aborted: the stable content is back",
    }[result.action]
    console.print(f"{result.env} / {result.flow}: {what}", highlight=False, markup=False)
    for name, version in sorted(result.versions.items()):
        console.print(f"  {name}: version {version}", highlight=False, markup=False)
    waited = lag_line(client.lag_report())
    if waited:
        console.print(f"  {waited}", highlight=False, markup=False)
    for note in result.notes:
        say("warning", note)


def _status_dict(status: CanaryStatus) -> dict[str, Any]:
    return {
        "env": status.env,
        "flow": status.flow,
        "flow_id": status.flow_id,
        "running": status.running,
        "live_percent": status.live_percent,
        "state": _state_dict(status),
        "stable": status.stable.name if status.stable else None,
        "candidate": status.candidate.name if status.candidate else None,
        "problems": list(status.problems),
    }


def _status_text(status: CanaryStatus) -> str:
    if not status.running:
        extra = "".join(f"\n  problem: {p}" for p in status.problems)
        return f"{status.env} / {status.flow}: no canary running{extra}"
    state = status.state
    assert state is not None
    lines = [
        f"{status.env} / {status.flow}: canary running since {state.started}",
        f"  split: {status.live_percent}% candidate / {100 - (status.live_percent or 0)}% stable",
        f"  candidate: {status.candidate.name if status.candidate else '(missing)'}"
        + (f" from {state.ref}" if state.ref else ""),
        f"  stable: {status.stable.name if status.stable else '(missing)'}",
        f"  abort restores version {state.restore_version}"
        if state.restore_version
        else f"  abort restores the content kept in Connect ({state.restore_sha})",
    ]
    lines += [f"  problem: {p}" for p in status.problems]
    return "\n".join(lines)


def _candidate(name: str, ref: str, root: Path) -> tuple[FlowDocument, str]:
    """The flow ``name`` at git revision ``ref`` and the commit sha."""
    tree, sha = desired_state(open_repo("."), ref, root)
    doc = tree.get(f"flow:{name}")
    if doc is None:
        raise BadInputError(f"no flow {name!r} under {root}/ at {ref} ({sha[:12]})")
    return doc, sha


@canary_app.command("start")
@handle_errors
def start_cmd(
    env: EnvOption,
    flow: EntryFlowOption,
    percent: PercentOption,
    ref: RefOption = "HEAD",
    flows: RootOption = Path(FLOWS_DIR),
    yes: YesOption = False,
    fmt: FormatOption = OutputFormat.text,
    environments: EnvironmentsOption = None,
    dry_run: DryRunOption = False,
) -> None:
    """Put the live content aside as stable, the content at --ref as candidate, and split.

    The entry flow keeps its name, id and phone numbers; its content becomes a wrapper
    sending --percent of contacts to the candidate. Exit codes: 0 started, 2 bad input
    (percent outside 1-99, a canary already running, unresolvable references),
    3 Amazon Connect error.

    Example: flowops canary start --env prod --flow "Main Inbound" --percent 10 --yes
    """
    with _reported(fmt, "start", env, flow, percent, dry_run) as clients:
        from flowops.deploy.canary_wrapper import check_percent

        check_percent(percent)
        doc, sha = _candidate(flow, ref, flows)
        what = None if dry_run else f"start a canary of {flow!r} at {percent}%"
        client = _client(env, what, yes, environments)
        clients.append(client)
        result = start_canary(
            client, flow, doc, percent, ref=sha, on_signal=on_signal_canary_start, dry_run=dry_run
        )
        _render_result(result, fmt, client)


@canary_app.command("ramp")
@handle_errors
def ramp_cmd(
    env: EnvOption,
    percent: PercentOption,
    flow: FlowOption = None,
    yes: YesOption = False,
    fmt: FormatOption = OutputFormat.text,
    override: OverrideOption = None,
    environments: EnvironmentsOption = None,
    dry_run: DryRunOption = False,
) -> None:
    """Change the candidate's share of contacts (1-99).

    With success criteria in the environment, refuses (exit 1) when the candidate breaches
    them, unless --override-criteria gives a reason (recorded with the ramp).

    Example: flowops canary ramp --env prod --percent 50 --yes
    """
    with _reported(fmt, "ramp", env, flow, percent, dry_run) as clients:
        from flowops.deploy.canary_gate import gate
        from flowops.deploy.canary_wrapper import check_percent

        check_percent(percent)
        client = _client(
            env, None if dry_run else f"ramp the canary to {percent}%", yes, environments
        )
        clients.append(client)
        name = pick_flow(client, flow)
        gated = gate(client, name, "ramp", override)
        result = ramp_canary(
            client, name, percent, on_signal=on_signal_canary, gate=gated, dry_run=dry_run
        )
        _render_result(result, fmt, client)


@canary_app.command("promote")
@handle_errors
def promote_cmd(
    env: EnvOption,
    flow: FlowOption = None,
    yes: YesOption = False,
    fmt: FormatOption = OutputFormat.text,
    override: OverrideOption = None,
    environments: EnvironmentsOption = None,
    dry_run: DryRunOption = False,
) -> None:
    """Make the candidate the entry flow's content (a release), remove the helpers.

    With success criteria in the environment, refuses (exit 1) unless the candidate meets
    them, unless --override-criteria gives a reason (recorded in the release).

    Example: flowops canary promote --env prod --yes
    """
    with _reported(fmt, "promote", env, flow, 100, dry_run) as clients:
        from flowops.deploy.canary_gate import gate

        client = _client(env, None if dry_run else "promote the canary", yes, environments)
        clients.append(client)
        name = pick_flow(client, flow)
        gated = gate(client, name, "promote", override)
        result = promote_canary(
            client, name, on_signal=on_signal_canary, gate=gated, dry_run=dry_run
        )
        _render_result(result, fmt, client)


@canary_app.command("abort")
@handle_errors
def abort_cmd(
    env: EnvOption,
    flow: FlowOption = None,
    yes: YesOption = False,
    fmt: FormatOption = OutputFormat.text,
    environments: EnvironmentsOption = None,
    dry_run: DryRunOption = False,
) -> None:
    """Put the pre-canary content back exactly, remove the helpers.

    Example: flowops canary abort --env prod --yes
    """
    with _reported(fmt, "abort", env, flow, 0, dry_run) as clients:
        client = _client(env, None if dry_run else "abort the canary", yes, environments)
        clients.append(client)
        name = pick_flow(client, flow)
        _render_result(
            abort_canary(client, name, on_signal=on_signal_canary, dry_run=dry_run), fmt, client
        )


@canary_app.command("status")
@handle_errors
def status_cmd(
    env: EnvOption,
    flow: FlowOption = None,
    fmt: FormatOption = OutputFormat.text,
    environments: EnvironmentsOption = None,
) -> None:
    """Show the canary on a flow (or every running canary), read from Connect.

    Exit codes: 0 shown, 1 a canary is inconsistent (tag, wrapper and helpers disagree:
    the problems are listed), 2 bad input, 3 Amazon Connect error.

    Example: flowops canary status --env prod --format json
    """
    client = _client(env, environments=environments)
    names = [flow] if flow else [f.name for f in running_canaries(client)]
    statuses = [canary_status(client, name) for name in names]
    if fmt == OutputFormat.json:
        payload = {"env": client.env.name, "canaries": [_status_dict(s) for s in statuses]}
        emit(json.dumps(stamp("canary-status", payload), indent=2))
    elif not statuses:
        console.print(f"{client.env.name}: no canary running", highlight=False)
    else:
        text = "\n".join(_status_text(s) for s in statuses)
        console.print(text, highlight=False, markup=False)
    if any(s.problems for s in statuses):
        raise CheckFailedError("a canary has problems (see its status)", reported=True)


@canary_app.command("watch")
@handle_errors
def watch_cmd(
    env: EnvOption,
    flow: FlowOption = None,
    yes: YesOption = False,
    fmt: FormatOption = OutputFormat.text,
    environments: EnvironmentsOption = None,
) -> None:
    """Measure running canaries against the success criteria; abort those that breach them.

    One cycle, for a scheduled workflow. The reason is recorded in the canary-abort
    release record (`flowops history`). Exit codes: 0 nothing breached, 1 a canary was aborted,
    2 bad input, 3 Amazon Connect error.

    Example: flowops canary watch --env prod --yes
    """
    from flowops.deploy.canary_gate import watch
    from flowops.deploy.measure_report import measurement_dict, measurement_text

    def known(exc: BaseException) -> dict[str, Any]:
        return {"env": env, "canaries": []}  # an abort that fails carries its own record

    with json_failure(fmt == OutputFormat.json, "canary-watch", known):
        client = _client(env, "abort canaries that breach the success criteria", yes, environments)
        results = watch(client, flow)
    if fmt == OutputFormat.json:
        rows = [
            {
                **measurement_dict(r.measurement),
                "aborted": r.aborted is not None,
                "reason": r.reason,
            }
            for r in results
        ]
        emit(
            json.dumps(stamp("canary-watch", {"env": client.env.name, "canaries": rows}), indent=2)
        )
    else:
        if not results:
            console.print(f"{client.env.name}: no canary with success criteria running")
        for r in results:
            console.print(measurement_text(r.measurement), highlight=False, markup=False)
            if r.aborted is not None:
                console.print(f"  ABORTED: {r.reason}", highlight=False, markup=False)
    aborted = [r.measurement.flow for r in results if r.aborted is not None]
    if aborted:
        raise CheckFailedError(f"canary aborted on {', '.join(aborted)}", reported=True)


@canary_app.command("generate")
@handle_errors
def generate_cmd(
    flow: EntryFlowOption,
    percent: PercentOption,
    ref: Annotated[
        str, typer.Option("--ref", metavar="REF", help="Git revision holding the candidate.")
    ],
    flows: RootOption = Path(FLOWS_DIR),
) -> None:
    """Write the wrapper and both variants as files under flows/, for a pull request.

    The entry flow's file (its current content is the stable variant) is replaced by the
    wrapper; "FLOW (canary stable)" and "FLOW (canary candidate)" (the content at the
    revision --ref) are added next to it. Promote them like any change.

    Example: flowops canary generate --flow "Main Inbound" --percent 10 --ref feature
    """
    root = flows
    key = f"flow:{flow}"
    stable = read_tree(root).get(key)
    if stable is None:
        raise BadInputError(f"no flow {flow!r} under {root}/")
    candidate = read_tree_at(open_repo("."), ref, root.as_posix()).get(key)
    if candidate is None:
        raise BadInputError(f"no flow {flow!r} under {root}/ at {ref}")
    docs = canary_documents(stable, candidate, percent, ref)
    for doc_key, doc in docs.items():
        path = (
            Path(stable.source)
            if doc_key == key and stable.source
            else root / flow_relpath(doc.info)
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_document(doc), encoding="utf-8")
        console.print(f"wrote {path}", highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    """Add the ``canary`` group to the root app."""
    app.add_typer(canary_app, name="canary")
