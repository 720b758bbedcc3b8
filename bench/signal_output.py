"""Is what a rollback or canary command printed after SIGINT / SIGTERM true?

A command a signal stopped (exit 130 / 143) prints one line on stderr: what it did and
left, that it is recorded as cancelled, and that the lock was given back; with
``--format json`` it also prints its JSON document on stdout, which must parse and say the
same. :func:`output_true` checks both against where every flow really is (read with plain
boto3 right after the process ended: ``mid``), the records in the ledger and the lock.
Used by :mod:`bench.release_kills` (SIGTERM trials run with ``--format json``, SIGINT
trials with text).
"""

from __future__ import annotations

import json
import re
import signal
from collections.abc import Sequence
from typing import Any

from flowops.deploy.releases import ReleaseRecord

_LINE = re.compile(r"cancelled by (SIG[A-Z]+): ")
_RECORDED = re.compile(r"recorded as cancelled \(release (\d+)\)")
_ROLLED_BACK = re.compile(r"(\d+) of (\d+) flow\(s\) rolled back(?: \(([^)]*)\))?")
_UNREACHED = re.compile(r"(\d+) not reached, left as they were(?: \(([^)]*)\))?")
_FAILED = re.compile(r"(\d+) failed, left as they were")


def document(stdout: str) -> tuple[dict[str, Any] | None, list[str]]:
    """The JSON document a command printed, or None and why not."""
    try:
        doc = json.loads(stdout)
    except ValueError as exc:
        return None, [f"--format json printed no valid JSON ({exc}): {stdout[-200:]}"]
    if not isinstance(doc, dict):
        return None, [f"--format json printed no JSON object: {stdout[-200:]}"]
    return doc, []


def summary_line(stderr: str) -> str | None:
    """The one-line summary of a cancelled command (its ``error:`` prefix removed)."""
    lines = [line for line in stderr.splitlines() if _LINE.search(line)]
    return lines[-1].removeprefix("error: ").strip() if lines else None


def _keys(names: str | None) -> list[str]:
    return [k.strip() for k in (names or "").split(", ") if k.strip() and k.strip() != "..."]


def _record_true(line: str, records: Sequence[ReleaseRecord]) -> list[str]:
    found = _RECORDED.search(line)
    if found is None:
        return [f"the summary does not say the release is recorded as cancelled: {line}"]
    record = next((r for r in records if r.id == int(found[1])), None)
    if record is None or record.status != "cancelled":
        status = record.status if record else "absent"
        return [f"the summary says release {found[1]} is recorded as cancelled; it is {status}"]
    return []


def _common(
    line: str, exit_code: int, sig: int, records: Sequence[ReleaseRecord], locked: bool
) -> list[str]:
    """Signal, exit code, record and lock: what every summary line says."""
    name = signal.Signals(sig).name
    problems = []
    said = _LINE.search(line)
    if said is None or said[1] != name:
        problems.append(f"the summary does not name {name}: {line}")
    if exit_code != (130 if sig == signal.SIGINT else 143):
        problems.append(f"exit {exit_code} after {name}")
    problems += _record_true(line, records)
    if "lock given back" not in line:
        problems.append(f"the summary does not say the lock was given back: {line}")
    elif locked:
        problems.append("the summary says the lock was given back, but a lock is held")
    return problems


def _json_common(
    doc: dict[str, Any], line: str, exit_code: int, sig: int, records: Sequence[ReleaseRecord]
) -> list[str]:
    """The ``cancelled`` block of a JSON document says what the line says."""
    cancelled = doc.get("cancelled")
    if not isinstance(cancelled, dict):
        return [f"JSON: no cancelled block: {doc.get('cancelled')!r}"]
    problems = []
    if cancelled.get("signal") != signal.Signals(sig).name:
        problems.append(f"JSON: signal {cancelled.get('signal')!r}")
    if cancelled.get("exit_code") != exit_code:
        problems.append(f"JSON: exit_code {cancelled.get('exit_code')!r}, the process {exit_code}")
    if cancelled.get("summary") != line:
        problems.append("JSON: its summary is not the line printed")
    record = next((r for r in records if r.id == cancelled.get("release")), None)
    if not cancelled.get("recorded") or record is None or record.status != "cancelled":
        problems.append(f"JSON: release {cancelled.get('release')!r} not recorded as cancelled")
    if cancelled.get("lock_released") is not True:
        problems.append(f"JSON: lock_released {cancelled.get('lock_released')!r}")
    return problems


def rollback_output_true(
    line: str,
    stdout: str,
    *,
    as_json: bool,
    mid: dict[str, Any],
    back: dict[str, Any],
    left: dict[str, Any],
) -> list[str]:
    """A cancelled rollback: the flows it says it rolled back are at ``back`` (the target),
    the ones it did not reach at ``left`` (where they were), and the counts add up; its
    JSON flows say the same."""
    problems = []
    rolled = _ROLLED_BACK.search(line)
    if rolled is None:
        return [f"the summary does not say what was rolled back: {line}"]
    unreached = _UNREACHED.search(line)
    failed = _FAILED.search(line)
    counted = int(rolled[1]) + sum(int(m[1]) for m in (unreached, failed) if m)
    if counted != int(rolled[2]):
        problems.append(f"the summary's counts do not add up to {rolled[2]}: {line}")
    for key in _keys(rolled[3]):
        if mid.get(key) != back.get(key):
            problems.append(f"{key}: the summary says rolled back, but it is not")
    for key in _keys(unreached[2] if unreached else None):
        if mid.get(key) != left.get(key):
            problems.append(f"{key}: the summary says not reached, but it moved")
    if as_json:
        doc, invalid = document(stdout)
        if doc is None:
            return [*problems, *invalid]
        if doc.get("schema") != "flowops-rollback/1" or doc.get("ok") is not False:
            problems.append(f"JSON: schema {doc.get('schema')!r}, ok {doc.get('ok')!r}")
        for flow in doc.get("flows", []):
            key, result = flow["flow"], flow["result"]
            if result in ("restored", "repointed") and mid.get(key) != back.get(key):
                problems.append(f"JSON: {key} {result}, but not at the rollback's target")
            if result == "planned" and flow["action"] != "leave" and mid.get(key) != left.get(key):
                problems.append(f"JSON: {key} not reached (planned), but it moved")
    return problems


def canary_output_true(
    line: str,
    stdout: str,
    *,
    as_json: bool,
    action: str,
    entry: str,
    mid: dict[str, Any],
    before: dict[str, Any],
    helpers: list[str],
) -> list[str]:
    """A cancelled canary command: the entry flow where the line says (at its content
    from ``before`` the command, or at the command's new content), no helper left where
    it says so; its JSON says the same."""
    key = f"flow:{entry}"
    unmoved = mid.get(key) == before.get(key)
    problems = []
    if f"is at its content from before the canary {action}" in line:
        if not unmoved:
            problems.append(f"{key}: the summary says at its content from before; it is not")
    elif "new content" in line:
        if unmoved:
            problems.append(f"{key}: the summary says at the new content; it did not move")
    else:
        problems.append(f"the summary does not say where {key} is: {line}")
    if "no helper flow of it is left" in line and helpers:
        problems.append(f"the summary says no helper is left; these are: {helpers}")
    if as_json:
        doc, invalid = document(stdout)
        if doc is None:
            return [*problems, *invalid]
        if doc.get("schema") != "flowops-canary/1" or doc.get("action") != action:
            problems.append(f"JSON: schema {doc.get('schema')!r}, action {doc.get('action')!r}")
        state = doc.get("flow_state")
        if (state in ("untouched", "restored")) != unmoved:
            problems.append(f"JSON: flow_state {state!r}, but the flow moved={not unmoved}")
    return problems


def output_true(
    line: str | None,
    stdout: str,
    *,
    exit_code: int,
    sig: int,
    as_json: bool,
    records: Sequence[ReleaseRecord],
    locked: bool,
) -> tuple[list[str], dict[str, Any] | None]:
    """The checks every cancelled command's output passes (line, exit, record, lock, the
    JSON ``cancelled`` block); returns the problems and the JSON document, if any."""
    if line is None:
        return [f"exit {exit_code} without a one-line summary"], None
    problems = _common(line, exit_code, sig, records, locked)
    if not as_json:
        return problems, None
    doc, _ = document(stdout)  # not JSON: said by the command's own check
    if doc is None:
        return problems, None
    return problems + _json_common(doc, line, exit_code, sig, records), doc


def finished_json_true(stdout: str, schema: str, records: Sequence[ReleaseRecord]) -> list[str]:
    """A command that finished although a signal came (exit 0), run with ``--format
    json``: its document parses, says it was not cancelled, and names a release recorded
    as released."""
    doc, problems = document(stdout)
    if doc is None:
        return problems
    if doc.get("schema") != schema or doc.get("cancelled") is not None:
        problems.append(f"JSON: schema {doc.get('schema')!r}, cancelled {doc.get('cancelled')!r}")
    record = next((r for r in records if r.id == doc.get("release")), None)
    if record is None or record.status != "released":
        status = record.status if record else "absent"
        problems.append(f"JSON: release {doc.get('release')!r} is {status}, not released")
    return problems
