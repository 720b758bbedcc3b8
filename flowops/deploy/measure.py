"""Measuring results: a canary's variants, or a release's flows before and after.

A canary's variants are separate helper flows (:mod:`flowops.deploy.canary`), so one
``GetMetricDataV2`` request filtered on both helpers and grouped by flow and flows outcome
type gives each variant's contacts, outcome mix and flow times since the canary started.
A release is measured on its entry flow over two equal windows, before and after the
release's time (at most the release's age, and at most :data:`MAX_WINDOW`), split by the
version that handled each contact: results are grouped by ``RESOURCE_PUBLISHED_TIMESTAMP``
(the publish time of the flow version that ran), the "after" side is the version live when
the release ended, the "before" side the versions published before it; contacts of other
versions (still in flight, or a later change) are left out and counted in a note.
With ``routing``, one more request grouped by ``FLOWS_NEXT_RESOURCE_QUEUE_ID`` gives each
side's contacts per queue they were put in.

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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from flowops.config import Criteria
from flowops.connect import ConnectClient
from flowops.connect.errors import InvalidRequestError
from flowops.deploy.canary import CanaryStatus, canary_status, find_entry, running_canaries
from flowops.deploy.measure_stats import ShareTest, compare_shares, wilson
from flowops.deploy.releases import ReleaseRecord, read_ledger
from flowops.errors import BadInputError

Verdict = Literal["pass", "fail", "unclear", "insufficient", "no-criteria"]
Status = Literal["pass", "fail", "unclear", "insufficient"]

#: GetMetricDataV2 answers at most 35 days per request (interval TOTAL).
MAX_WINDOW = timedelta(days=35) - timedelta(minutes=1)
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
    #: Contacts per queue they were put in (FLOWS_NEXT_RESOURCE_QUEUE_ID), when read.
    queues: Mapping[str, int] = field(default_factory=dict)

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


PUBLISHED = "RESOURCE_PUBLISHED_TIMESTAMP"
QUEUE = "FLOWS_NEXT_RESOURCE_QUEUE_ID"
#: Which rows of a window count for a side: (dimensions) -> keep?
Keep = Callable[[Mapping[str, str]], bool]


@dataclass(frozen=True)
class _Row:
    """One result row: its dimensions and metric values."""

    dims: Mapping[str, str]
    values: Mapping[str, float]

    @property
    def contacts(self) -> int:
        return int(self.values.get("FLOWS_OUTCOME", 0))


def _rows(
    client: ConnectClient,
    arns: Sequence[str],
    window: tuple[datetime, datetime],
    groupings: Sequence[str],
    metrics: Sequence[Mapping[str, Any]] = METRICS,
) -> list[_Row]:
    """One ``GetMetricDataV2`` request on the flows ``arns``, grouped by flow and ``groupings``."""
    results = client.metric_data(
        window[0],
        window[1],
        metrics,
        filters=[{"FilterKey": "FLOWS_RESOURCE_ID", "FilterValues": sorted(set(arns))}],
        groupings=["FLOWS_RESOURCE_ID", *groupings],
    )
    return [
        _Row(
            {k: str(v) for k, v in (item.get("Dimensions") or {}).items()},
            {
                c["Metric"]["Name"]: float(c.get("Value") or 0)
                for c in item.get("Collections") or []
            },
        )
        for item in results
    ]


def _variant(role: str, name: str, arn: str, rows: Sequence[_Row]) -> Variant:
    """The side ``role`` (flow ``name``, ``arn``) from the rows of an outcome request."""
    counts: Counter[str] = Counter()
    time_sum = longest = 0.0
    for row in rows:
        if row.dims.get("FLOWS_RESOURCE_ID") != arn:
            continue
        n = row.contacts
        counts[row.dims.get("FLOWS_OUTCOME_TYPE", "UNKNOWN")] += n
        time_sum += n * row.values.get("AVG_FLOW_TIME", 0.0)
        longest = max(longest, row.values.get("MAX_FLOW_TIME", 0.0))
    n = sum(counts.values())
    return Variant(
        role, name, arn, dict(counts), round(time_sum / n, 2) if n else None, longest if n else None
    )


def _queues(rows: Sequence[_Row], arn: str) -> dict[str, int]:
    """Contacts of flow ``arn`` per queue they were put in, from a queue-grouped request."""
    out: Counter[str] = Counter()
    for row in rows:
        if row.dims.get("FLOWS_RESOURCE_ID") == arn and row.dims.get(QUEUE):
            out[row.dims[QUEUE]] += row.contacts
    return dict(sorted(out.items()))


def _queue_rows(
    client: ConnectClient,
    arns: Sequence[str],
    window: tuple[datetime, datetime],
    groupings: Sequence[str],
    notes: list[str],
) -> list[_Row]:
    """Contacts per queue they were put in; none (and a note) where Connect refuses the
    grouping (botocore's model lists FLOWS_NEXT_RESOURCE_QUEUE_ID among each flow metric's
    groupings but not in the request's list of grouping keys)."""
    try:
        return _rows(client, arns, window, [QUEUE, *groupings], METRICS[:1])
    except InvalidRequestError as error:
        notes.append(f"contacts per queue unavailable: {error.message}")
        return []


def _published(dims: Mapping[str, str]) -> float | None:
    """A row's RESOURCE_PUBLISHED_TIMESTAMP as epoch seconds (ISO 8601 or epoch text)."""
    text = dims.get(PUBLISHED, "")
    try:
        return float(text)
    except ValueError:
        try:
            return _parse_when(text).timestamp()
        except ValueError:
            return None


def _variants(
    client: ConnectClient,
    flows: Mapping[str, tuple[str, str]],
    start: datetime,
    end: datetime,
    *,
    routing: bool = False,
    notes: list[str] | None = None,
) -> dict[str, Variant]:
    """role -> Variant for ``flows`` (role -> (name, ARN)) over one window: one request
    (two with ``routing``)."""
    arns = [a for _, a in flows.values()]
    rows = _rows(client, arns, (start, end), ["FLOWS_OUTCOME_TYPE"])
    queued = (
        _queue_rows(client, arns, (start, end), [], [] if notes is None else notes)
        if routing
        else []
    )
    return {
        role: replace(_variant(role, name, arn, rows), queues=_queues(queued, arn))
        for role, (name, arn) in flows.items()
    }


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


#: The outcome types flowops' sandbox reports (Connect's own list is unconfirmed: see
#: docs/measure.md). Criteria may name others (Connect's system and custom outcomes).
SANDBOX_OUTCOMES = frozenset(
    {
        "TRANSFERRED_TO_QUEUE",
        "TRANSFERRED_TO_AGENT",
        "TRANSFERRED_TO_PHONE_NUMBER",
        "TRANSFERRED_TO_FLOW",
        "DISCONNECTED_IN_FLOW",
        "ENDED_FLOW",
        "DROPPED",
        "FLOW_ERROR",
    }
)


def _unseen(bound: str, new: Variant) -> bool:
    """A name outside the known list that no contact reported: a typo, or a name Connect
    does not use. Never a pass: 0 % of a misspelt outcome would meet any "at most"."""
    return bound not in SANDBOX_OUTCOMES and not new.outcomes.get(bound)


def _checks(new: Variant, criteria: Criteria) -> tuple[Check, ...]:
    checks: list[Check] = []
    enough = new.contacts >= criteria.min_contacts
    short = f"{new.contacts} of {criteria.min_contacts} contacts needed"
    for bound in criteria.outcomes:
        share = new.share(bound.outcome)
        if enough and _unseen(bound.outcome, new):
            seen = ", ".join(sorted(new.outcomes)) or "none"
            detail = f"no contact reported outcome {bound.outcome!r} (reported: {seen})"
            checks.append(Check(f"{bound.outcome} known", None, "unclear", detail))
            continue
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


def measure_canary(
    client: ConnectClient,
    flow: str,
    *,
    now: datetime | None = None,
    routing: bool = False,
    status: CanaryStatus | None = None,
) -> Measurement:
    """Both variants of the canary on entry flow ``flow`` since it started (with
    ``routing``, also their contacts per queue); ``status``: the canary as just read."""
    calls_before = Counter(client.calls)
    status = status or canary_status(client, flow)
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
        routing=routing,
        notes=notes,
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


def _by_version(before: list[_Row], after: list[_Row], cut: float) -> tuple[Keep, Keep, list[str]]:
    """Which rows count on each side of a release that ended before ``cut`` (epoch):
    after, the version live when it ended (the newest published before ``cut`` that ran in
    the after window); before, the versions published before that one. Notes count the
    contacts left out."""
    live = max(
        (p for r in after if (p := _published(r.dims)) is not None and p < cut), default=None
    )
    bound = cut if live is None else live

    def keep_after(dims: Mapping[str, str]) -> bool:
        return live is not None and _published(dims) == live

    def keep_before(dims: Mapping[str, str]) -> bool:
        published = _published(dims)
        return published is not None and published < bound

    notes = []
    for side, rows, keep in (("after", after, keep_after), ("before", before, keep_before)):
        left = sum(r.contacts for r in rows if not keep(r.dims))
        if left:
            notes.append(
                f"{left} contacts in the {side} window ran another version of the flow"
                " (by RESOURCE_PUBLISHED_TIMESTAMP) and are not counted"
            )
    return keep_before, keep_after, notes


def measure_release(
    client: ConnectClient,
    flow: str,
    release: int | None = None,
    *,
    now: datetime | None = None,
    routing: bool = False,
) -> Measurement:
    """Entry flow ``flow`` over equal windows before and after a release (the newest one
    that released it, or release ``release``), each side the contacts the flow's version
    before, or the version it released, handled (with ``routing``, also per queue)."""
    calls_before = Counter(client.calls)
    records = read_ledger(client)
    chosen: ReleaseRecord | None = None
    for record in reversed(records):
        if not record.releases_content:
            continue  # a canary's start, ramp or abort (measured as the canary it is), ...
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
    windows = {"before": (when - width, when), "after": (when, when + width)}
    rows = {
        side: _rows(client, [entry.arn], window, ["FLOWS_OUTCOME_TYPE", PUBLISHED])
        for side, window in windows.items()
    }
    # The record's time is to the second and written once the flows are published.
    cut = when.timestamp() + 1
    keep_before, keep_after, split_notes = _by_version(rows["before"], rows["after"], cut)
    notes.extend(split_notes)
    sides = {}
    for side, keep in (("before", keep_before), ("after", keep_after)):
        kept = [r for r in rows[side] if keep(r.dims)]
        variant = _variant(side, entry.name, entry.arn, kept)
        if routing:
            queued = _queue_rows(client, [entry.arn], windows[side], [PUBLISHED], notes)
            variant = replace(
                variant, queues=_queues([r for r in queued if keep(r.dims)], entry.arn)
            )
        sides[side] = variant
    before, after = sides["before"], sides["after"]
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
        return [measure_canary(client, f.name, routing=True) for f in running]
    before = Counter(client.calls)
    status = canary_status(client, flow) if release is None else None
    if status is not None and status.running:
        m = measure_canary(client, flow, routing=True, status=status)
    else:
        m = measure_release(client, flow, release, routing=True)
    return [replace(m, calls=dict(client.calls - before))]  # with the status read
