"""Canary gates and automatic abort, on the environment's success criteria.

* :func:`check_gate`: ``canary ramp`` refuses when the candidate breaches the criteria;
  ``canary promote`` refuses unless it meets them (a breach, a share past a bound not yet
  beyond doubt, or too few contacts all refuse). ``override`` (a reason) lets it through;
  the override is recorded on the entry flow (tag :data:`GATE_TAG`) and, for a promote, in
  the release's message.
* :func:`watch`: measure every running canary (or one) and abort those whose candidate
  breaches the criteria, through :func:`flowops.deploy.canary.abort_canary`, recording why
  on the entry flow (tag :data:`ABORT_TAG`). For a scheduled workflow.

Environments without criteria are not gated and never aborted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from flowops.connect import ConnectClient
from flowops.deploy import lock as env_lock
from flowops.deploy.canary import CanaryResult, abort_canary, find_entry, running_canaries
from flowops.deploy.canary_state import MAX_TAG_VALUE, now_stamp
from flowops.deploy.measure import Measurement, measure_canary
from flowops.errors import BadInputError, CheckFailedError

GATE_TAG = "flowops:canary-gate"
ABORT_TAG = "flowops:canary-aborted"
GateAction = Literal["ramp", "promote"]


def _record(client: ConnectClient, flow: str, tag: str, text: str) -> None:
    """Tag the entry flow with ``text`` (as much of it as a tag value can hold)."""
    value = re.sub(r"[^\w .:/=+\-@]", "-", text.replace("%", " pct"), flags=re.UNICODE)
    client.tag(find_entry(client, flow).arn, {tag: value[:MAX_TAG_VALUE]})


def check_gate(
    client: ConnectClient, flow: str, action: GateAction, override: str | None = None
) -> Measurement | None:
    """Measure the canary on ``flow`` before ``action``; refuse (CheckFailedError) when the
    criteria say no, unless ``override`` gives a reason (recorded). None: no criteria."""
    if client.env.criteria_for(flow) is None:
        return None
    if override is not None and not override.strip():
        raise BadInputError("--override-criteria needs a reason")
    m = measure_canary(client, flow)
    refuse = m.verdict == "fail" if action == "ramp" else m.verdict != "pass"
    if not refuse:
        return m
    why = "; ".join(m.reasons()) or f"verdict {m.verdict} ({m.new.contacts} candidate contacts)"
    if override is None:
        raise CheckFailedError(
            f"canary {action} of {flow!r} refused by the success criteria ({m.criteria}): {why}."
            " Pass --override-criteria REASON to go ahead anyway (recorded)"
        )
    _record(
        client,
        flow,
        GATE_TAG,
        f"{now_stamp()} {action} overridden by {env_lock.default_holder()}: {override} "
        f"(verdict {m.verdict})",
    )
    return m


@dataclass(frozen=True)
class WatchResult:
    """What one watch cycle did with one canary."""

    measurement: Measurement
    aborted: CanaryResult | None
    reason: str = ""


def watch(client: ConnectClient, flow: str | None = None) -> list[WatchResult]:
    """One watch cycle: measure each running canary with criteria, abort the breaching."""
    names = [flow] if flow else [f.name for f in running_canaries(client)]
    out = []
    for name in names:
        if client.env.criteria_for(name) is None:
            continue
        m = measure_canary(client, name)
        if not m.breached:
            out.append(WatchResult(m, None))
            continue
        reason = "; ".join(m.reasons())
        aborted = abort_canary(client, name)
        _record(client, name, ABORT_TAG, f"{now_stamp()} canary watch: {reason}")
        out.append(WatchResult(m, aborted, reason))
    return out
