"""Measuring results: a canary's variants, or a release's flows before and after.

A canary's variants are separate helper flows (:mod:`flowops.deploy.canary`), so one
``GetMetricDataV2`` request filtered on both helpers and grouped by flow and flows outcome
type gives each variant's contacts, outcome mix and flow times since the canary started.
A release is measured on its entry flows over two equal windows, before and after the
release's time (at most the release's age, and at most :data:`MAX_WINDOW`).

Shares are compared with a two-proportion z-test (Fisher's exact test for small cells),
at the criteria's confidence; flow times only as averages (the API gives no per-contact
times). The verdict is against the environment's success criteria
(:meth:`flowops.config.Environment.criteria_for`) on the new side: ``insufficient`` until
it has ``min_contacts`` contacts, then ``fail`` when a bound is breached beyond doubt
(the share's Wilson interval lies past the bound), ``unclear`` when the share is past the
bound but not beyond doubt, else ``pass``; ``no-criteria`` when none are configured.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from flowops.config import Criteria
from flowops.connect import ConnectClient
from flowops.deploy.canary import canary_status, find_entry, running_canaries
from flowops.deploy.measure_stats import ShareTest, compare_shares, wilson
from flowops.deploy.releases import ReleaseRecord, read_ledger
from flowops.errors import BadInputError

Verdict = Literal["pass", "fail", "unclear", "insufficient", "no-criteria"]
Status = Literal["pass", "fail", "unclear", "insufficient"]

#: GetMetricDataV2 answers at most 35 days per request (interval TOTAL).
MAX_WINDOW = timedelta(days=35) - timedelta(minutes=1)
#: The flows outcome types the sandbox (and flowops' criteria) know.
METRICS = (
    {"Name": "FLOWS_OUTCOME"},
    {"Name": "AVG_FLOW_TIME"},
    {"Name": "MAX_FLOW_TIME"},
)


@dataclass(frozen=True)
class Variant:
    """One side of a measurement: a canary variant, or a flow before/after a release."""

    role: str  # stable | candidate | before | after
    flow: str  # the flow's name
    arn: str
    outcomes: Mapping[str, int]
    avg_time: float | None
    max_time: float | None

    @property
    def contacts(self) -> int:
        return sum(self.outcomes.values())

    def share(self, outcome: str) -> float | None:
        """The outcome's share of contacts, percent (None without contacts)."""
        return 100 * self.outcomes.get(outcome, 0) / self.contacts if self.contacts else None


@dataclass(frozen=True)
class Difference:
    """How one outcome's share differs between the base and the new side."""

    outcome: str
    test: ShareTest | None  # None when a side has no contacts
    significant: bool


@dataclass(frozen=True)
class Check:
    """One criterion against the new side."""

    criterion: str  # "DROPPED at most 5%", "average flow time at most 90 s"
    observed: float | None
    status: Status
    detail: str = ""


@dataclass(frozen=True)
class Measurement:
    """What ``flowops measure`` found for one entry flow."""

    env: str
    flow: str
    kind: Literal["canary", "release"]
    start: datetime  # the new side's window
    end: datetime
    base: Variant
    new: Variant
    confidence: float
    differences: tuple[Difference, ...]
    checks: tuple[Check, ...]
    verdict: Verdict
    criteria: str | None  # where the criteria come from ("$.success.defaults"), or None
    release_id: int | None = None
    percent: int | None = None  # a canary's split
    calls: Mapping[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def breached(self) -> bool:
        return self.verdict == "fail"

    def reasons(self) -> list[str]:
        """The failed checks, one line each (why a gate refuses or watch aborts)."""
        return [f"{c.criterion}: {c.detail}" for c in self.checks if c.status == "fail"]


# --- reading the metrics ------------------------------------------------------------------


def _variants(
    client: ConnectClient, flows: Mapping[str, tuple[str, str]], start: datetime, end: datetime
) -> dict[str, Variant]:
    """role -> Variant for ``flows`` (role -> (name, ARN)) over one window, one request."""
    results = client.metric_data(
        start,
        end,
        METRICS,
        filters=[
            {
                "FilterKey": "FLOWS_RESOURCE_ID",
                "FilterValues": sorted({a for _, a in flows.values()}),
            }
        ],
        groupings=["FLOWS_RESOURCE_ID", "FLOWS_OUTCOME_TYPE"],
    )
    counts: dict[str, Counter[str]] = {arn: Counter() for _, arn in flows.values()}
    time_sum: dict[str, float] = {}
    longest: dict[str, float] = {}
    for item in results:
        dims = item.get("Dimensions") or {}
        arn = str(dims.get("FLOWS_RESOURCE_ID", ""))
        if arn not in counts:
            continue
        values = {
            c["Metric"]["Name"]: float(c.get("Value") or 0) for c in item.get("Collections") or []
        }
        n = int(values.get("FLOWS_OUTCOME", 0))
        counts[arn][str(dims.get("FLOWS_OUTCOME_TYPE", "UNKNOWN"))] += n
        time_sum[arn] = time_sum.get(arn, 0.0) + n * values.get("AVG_FLOW_TIME", 0.0)
        longest[arn] = max(longest.get(arn, 0.0), values.get("MAX_FLOW_TIME", 0.0))
    out = {}
    for role, (name, arn) in flows.items():
        n = sum(counts[arn].values())
        out[role] = Variant(
            role,
            name,
            arn,
            dict(counts[arn]),
            round(time_sum.get(arn, 0.0) / n, 2) if n else None,
            longest.get(arn) if n else None,
        )
    return out


# --- judging ----------------------------------------------------------------------------


def _differences(base: Variant, new: Variant, confidence: float) -> tuple[Difference, ...]:
    out = []
    for outcome in sorted(set(base.outcomes) | set(new.outcomes)):
        test = compare_shares(
            base.outcomes.get(outcome, 0),
            base.contacts,
            new.outcomes.get(outcome, 0),
            new.contacts,
            confidence,
        )
        out.append(Difference(outcome, test, test is not None and test.p_value < 1 - confidence))
    return tuple(out)


def _share_check(
    name: str, share: float | None, within: bool, beyond: bool, interval: str
) -> Check:
    if within:
        return Check(name, share, "pass", interval)
    if beyond:
        return Check(name, share, "fail", interval)
    return Check(name, share, "unclear", interval + ", past the bound but not beyond doubt")


def _checks(new: Variant, criteria: Criteria) -> tuple[Check, ...]:
    checks: list[Check] = []
    enough = new.contacts >= criteria.min_contacts
    short = f"{new.contacts} of {criteria.min_contacts} contacts needed"
    for bound in criteria.outcomes:
        share = new.share(bound.outcome)
        low, high = wilson(new.outcomes.get(bound.outcome, 0), new.contacts, criteria.confidence)
        interval = f"{share or 0:.1f}% ({low:.1f}-{high:.1f}% at {criteria.confidence:.0%})"
        for word, limit in (("at most", bound.at_most), ("at least", bound.at_least)):
            if limit is None:
                continue
            name = f"{bound.outcome} {word} {limit:g}%"
            if not enough or share is None:
                checks.append(Check(name, share, "insufficient", short))
            elif word == "at most":
                checks.append(_share_check(name, share, share <= limit, low > limit, interval))
            else:
                checks.append(_share_check(name, share, share >= limit, high < limit, interval))
    if criteria.avg_flow_time_at_most is not None:
        name = f"average flow time at most {criteria.avg_flow_time_at_most:g} s"
        avg = new.avg_time
        if not enough or avg is None:
            checks.append(Check(name, avg, "insufficient", short))
        else:
            status: Status = "pass" if avg <= criteria.avg_flow_time_at_most else "fail"
            checks.append(
                Check(name, avg, status, f"{avg:.1f} s (average only: no per-contact times)")
            )
    return tuple(checks)


def _verdict(checks: tuple[Check, ...], criteria: Criteria | None, new: Variant) -> Verdict:
    if criteria is None:
        return "no-criteria"
    if new.contacts < criteria.min_contacts:
        return "insufficient"
    statuses = {c.status for c in checks}
    if "fail" in statuses:
        return "fail"
    if "unclear" in statuses:
        return "unclear"
    return "insufficient" if "insufficient" in statuses else "pass"


def _measurement(
    client: ConnectClient,
    flow: str,
    kind: Literal["canary", "release"],
    window: tuple[datetime, datetime],
    base: Variant,
    new: Variant,
    calls_before: Counter[str],
    **extra: Any,
) -> Measurement:
    criteria = client.env.criteria_for(flow)
    confidence = criteria.confidence if criteria else 0.95
    checks = _checks(new, criteria) if criteria else ()
    notes = list(extra.pop("notes", ()))
    if criteria is not None and base.contacts < criteria.min_contacts:
        notes.append(
            f"{base.role} has {base.contacts} contacts (fewer than {criteria.min_contacts}):"
            " differences are not conclusive yet"
        )
    calls = client.calls - calls_before
    return Measurement(
        env=client.env.name,
        flow=flow,
        kind=kind,
        start=window[0],
        end=window[1],
        base=base,
        new=new,
        confidence=confidence,
        differences=_differences(base, new, confidence),
        checks=checks,
        verdict=_verdict(checks, criteria, new),
        criteria=criteria.where if criteria else None,
        calls=dict(calls),
        notes=tuple(notes),
        **extra,
    )


def _parse_when(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _now() -> datetime:
    return datetime.now(UTC)


def measure_canary(client: ConnectClient, flow: str, *, now: datetime | None = None) -> Measurement:
    """Both variants of the canary on entry flow ``flow`` since it started."""
    calls_before = Counter(client.calls)
    status = canary_status(client, flow)
    if status.state is None or status.stable is None or status.candidate is None:
        raise BadInputError(
            f"no canary (with both helper flows) is running on {flow!r} in {client.env.name!r}"
        )
    end = now or _now()
    start = _parse_when(status.state.started)
    notes = []
    if end - start > MAX_WINDOW:
        start = end - MAX_WINDOW
        notes.append("canary older than 35 days: measured over the last 35 days")
    if start >= end:
        start = end - timedelta(seconds=1)
    variants = _variants(
        client,
        {
            "stable": (status.stable.name, status.stable.arn),
            "candidate": (status.candidate.name, status.candidate.arn),
        },
        start,
        end,
    )
    return _measurement(
        client,
        status.flow,
        "canary",
        (start, end),
        variants["stable"],
        variants["candidate"],
        calls_before,
        percent=status.state.percent,
        notes=notes,
    )


def measure_release(
    client: ConnectClient, flow: str, release: int | None = None, *, now: datetime | None = None
) -> Measurement:
    """Entry flow ``flow`` over equal windows before and after a release (the newest one
    that released it, or release ``release``)."""
    calls_before = Counter(client.calls)
    records = read_ledger(client)
    chosen: ReleaseRecord | None = None
    for record in reversed(records):
        if record.canary_step:
            continue  # a canary's start, ramp or abort: measured as the canary it is
        if (release is None or record.id == release) and any(
            f.name == flow and f.kind == "flow" for f in record.flows
        ):
            chosen = record
            break
    if chosen is None:
        which = f"release {release}" if release is not None else "no release"
        raise BadInputError(f"{which} of flow {flow!r} in {client.env.name!r} to measure")
    entry = find_entry(client, flow)
    when = _parse_when(chosen.when)
    end = now or _now()
    width = min(end - when, MAX_WINDOW)
    notes = []
    if width <= timedelta(0):
        raise BadInputError(f"release {chosen.id} is not in the past yet")
    if width < end - when:
        notes.append("release older than 35 days: measured over 35 days after it")
    after = _variants(client, {"after": (entry.name, entry.arn)}, when, when + width)["after"]
    before = _variants(client, {"before": (entry.name, entry.arn)}, when - width, when)["before"]
    return _measurement(
        client,
        entry.name,
        "release",
        (when, when + width),
        before,
        after,
        calls_before,
        release_id=chosen.id,
        notes=notes,
    )


def measure(
    client: ConnectClient, flow: str | None = None, release: int | None = None
) -> list[Measurement]:
    """What ``flowops measure`` reports: ``flow``'s canary if one runs (else its latest
    release, or ``release``); without ``flow``, every running canary."""
    if flow is None:
        running = running_canaries(client)
        if not running:
            raise BadInputError(
                f"no canary is running in {client.env.name!r};"
                " name a flow with --flow to measure its release"
            )
        return [measure_canary(client, f.name) for f in running]
    if release is None and canary_status(client, flow).running:
        return [measure_canary(client, flow)]
    return [measure_release(client, flow, release)]
