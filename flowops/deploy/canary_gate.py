"""Canary gates and automatic abort, on the environment's success criteria.

* :func:`check_gate`: ``canary ramp`` refuses when the candidate breaches the criteria;
  ``canary promote`` refuses unless it meets them (a breach, a share past a bound not yet
  beyond doubt, or too few contacts all refuse). ``override`` (a reason) lets it through;
  :func:`override_note` is what the ramp's or promote's ledger record says about it
  (written under the lock, in the same transaction as the change).
* :func:`watch`: measure every running canary (or one) and abort those whose candidate
  breaches the criteria, through :func:`flowops.deploy.canary.abort_canary`, the reason in
  the ``canary-abort`` record. For a scheduled workflow.

Environments without criteria are not gated and never aborted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from flowops.connect import ConnectClient
from flowops.deploy.canary import CanaryResult, abort_canary, running_canaries
from flowops.deploy.measure import Measurement, measure_canary
from flowops.errors import BadInputError, RefusedError

GateAction = Literal["ramp", "promote"]


def _refused(action: GateAction, m: Measurement) -> bool:
    return m.verdict == "fail" if action == "ramp" else m.verdict != "pass"


def override_note(action: GateAction, override: str | None, m: Measurement | None) -> str:
    """What a gated ramp's or promote's record says about ``--override-criteria``: the
    reason and the verdict it overrode ("" when the gate did not refuse)."""
    if override is None or m is None or not _refused(action, m):
        return ""
    return f"success criteria overridden: {override} (verdict {m.verdict})"


def _gated(client: ConnectClient, flow: str, override: str | None) -> bool:
    """Does ``flow`` have success criteria here? With them, an override needs a reason."""
    if client.env.criteria_for(flow) is None:
        return False
    if override is not None and not override.strip():
        raise BadInputError("--override-criteria needs a reason")
    return True


def check_gate(
    client: ConnectClient, flow: str, action: GateAction, override: str | None = None
) -> Measurement | None:
    """Measure the canary on ``flow`` before ``action``; refuse (CheckFailedError) when the
    criteria say no, unless ``override`` gives a reason (:func:`override_note`, for the
    record). None: no criteria."""
    if not _gated(client, flow, override):
        return None
    m = measure_canary(client, flow)
    if not _refused(action, m):
        return m
    why = "; ".join(m.reasons()) or f"verdict {m.verdict} ({m.new.contacts} candidate contacts)"
    if override is None:
        raise RefusedError(
            f"canary {action} of {flow!r} refused by the success criteria ({m.criteria}): {why}."
            " Pass --override-criteria REASON to go ahead anyway (recorded)"
        )
    return m


def gate(
    client: ConnectClient, flow: str, action: GateAction, override: str | None = None
) -> Callable[[], str]:
    """The gate of a ramp or promote, for the command to run under its lock before any
    write: :func:`check_gate` (refuses by raising), then :func:`override_note`."""
    _gated(client, flow, override)  # a blank reason is refused before the lock is taken
    return lambda: override_note(action, override, check_gate(client, flow, action, override))


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
        aborted = abort_canary(client, name, reason=f"canary watch: {reason}")
        out.append(WatchResult(m, aborted, reason))
    return out
