"""Amazon Connect's ``GetMetricDataV2`` for flow metrics, over contacts the sandbox ran.

:meth:`Metrics.send_traffic` runs simulated contacts through an instance's flows with
flowops' simulator (:mod:`flowops.simulate.engine`): every answer the world gives (key
presses, Lambda results, hours...) is drawn at random among the answers the flow
distinguishes, and a Distribute by percentage block draws 1-100 uniformly as Connect does,
all from one seeded generator. Each flow a contact goes through (the entry flow, then every
flow it is transferred to) becomes one flow run: the flow, its published version, how long
it took (a per-block time with jitter) and its flows outcome type.

``GetMetricDataV2`` (POST ``/metrics/data``) answers ``FLOWS_STARTED``, ``FLOWS_OUTCOME``,
``PERCENT_FLOWS_OUTCOME`` (metric filter ``FLOWS_OUTCOME_TYPE``), ``AVG_FLOW_TIME`` and
``MAX_FLOW_TIME`` from those runs, filtered and grouped by ``FLOWS_RESOURCE_ID``,
``FLOWS_MODULE_RESOURCE_ID``, ``FLOWS_NEXT_RESOURCE_ID``, ``FLOWS_NEXT_RESOURCE_QUEUE_ID``,
``FLOW_TYPE``, ``FLOWS_OUTCOME_TYPE``, ``RESOURCE_PUBLISHED_TIMESTAMP`` and ``CHANNEL``,
per interval period, with the limits botocore's model documents (which keys each metric
accepts: :data:`METRIC_KEYS`).

The sandbox's reading where the model is silent: a request that filters or groups by
``FLOWS_MODULE_RESOURCE_ID`` counts module runs (each module a flow invoked, its
``FLOWS_RESOURCE_ID`` the invoking flow), any other request counts flow runs;
``FLOWS_NEXT_RESOURCE_ID`` is the flow a run transferred the contact to and
``FLOWS_NEXT_RESOURCE_QUEUE_ID`` the queue it put the contact in (the data lake's
``next_flow_resource_id`` and ``next_queue_resource_id``); a run without one matches no
filter on it and is left out of a grouping by it.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flowops.sandbox.backend.common import Family, Output, Params, now, paged, with_token
from flowops.sandbox.backend.testcases import instance_flowset
from flowops.sandbox.protocol import Caller, SandboxError, invalid_param
from flowops.sandbox.store import Flow, FlowRun, Instance
from flowops.simulate.engine import RunResult, Simulator
from flowops.simulate.world import FlowEntry, FlowSet

FLOW_METRICS = frozenset(
    {"FLOWS_STARTED", "FLOWS_OUTCOME", "PERCENT_FLOWS_OUTCOME", "AVG_FLOW_TIME", "MAX_FLOW_TIME"}
)
#: Filter and grouping keys of FLOWS_STARTED ("Valid groupings and filters" in botocore's
#: model; ``contact/segmentAttributes/connect:Subtype`` and ``INITIATION_METHOD`` are valid
#: there too, but the sandbox's contacts do not have them).
_STARTED_KEYS = frozenset(
    {
        "CHANNEL",
        "FLOW_TYPE",
        "FLOWS_MODULE_RESOURCE_ID",
        "FLOWS_RESOURCE_ID",
        "RESOURCE_PUBLISHED_TIMESTAMP",
    }
)
#: ... and of the other flow metrics, which add what a run led to.
_OUTCOME_KEYS = _STARTED_KEYS | {
    "FLOWS_NEXT_RESOURCE_ID",
    "FLOWS_NEXT_RESOURCE_QUEUE_ID",
    "FLOWS_OUTCOME_TYPE",
}
#: Which filter and grouping keys each flow metric accepts.
METRIC_KEYS = {
    "FLOWS_STARTED": _STARTED_KEYS,
    "FLOWS_OUTCOME": _OUTCOME_KEYS,
    "PERCENT_FLOWS_OUTCOME": _OUTCOME_KEYS,
    "AVG_FLOW_TIME": _OUTCOME_KEYS,
    "MAX_FLOW_TIME": _OUTCOME_KEYS,
}
#: Filter and grouping keys some flow metric accepts (and the sandbox computes).
FLOW_KEYS = _OUTCOME_KEYS
#: Keys naming a resource: a filter value is its ARN or its id.
_RESOURCE_KEYS = frozenset(
    {
        "FLOWS_RESOURCE_ID",
        "FLOWS_MODULE_RESOURCE_ID",
        "FLOWS_NEXT_RESOURCE_ID",
        "FLOWS_NEXT_RESOURCE_QUEUE_ID",
    }
)
#: Keys a run may have no value for (left out of groupings by them).
_OPTIONAL_KEYS = frozenset(
    {"FLOWS_MODULE_RESOURCE_ID", "FLOWS_NEXT_RESOURCE_ID", "FLOWS_NEXT_RESOURCE_QUEUE_ID"}
)
#: How a simulated end becomes a flows outcome type.
OUTCOMES = {
    "queue": "TRANSFERRED_TO_QUEUE",
    "agent": "TRANSFERRED_TO_AGENT",
    "number": "TRANSFERRED_TO_PHONE_NUMBER",
    "transfer": "TRANSFERRED_TO_FLOW",
    "disconnect": "DISCONNECTED_IN_FLOW",
    "end-flow": "ENDED_FLOW",
    "unconnected": "DROPPED",
    "error": "FLOW_ERROR",
}
OUTCOME_TYPES = frozenset(OUTCOMES.values())
#: Seconds a contact spends in a block (before jitter); others take DEFAULT_SECONDS.
BLOCK_SECONDS = {
    "GetParticipantInput": 8.0,
    "MessageParticipant": 4.0,
    "MessageParticipantIteratively": 10.0,
    "ConnectParticipantWithLexBot": 15.0,
    "InvokeLambdaFunction": 1.5,
    "InvokeExternalResource": 1.5,
    "Wait": 5.0,
}
DEFAULT_SECONDS = 0.2
#: Interval periods -> (seconds per bucket, longest allowed range in seconds).
_DAY = 86400.0
PERIODS = {
    "FIFTEEN_MIN": (900.0, 3 * _DAY),
    "THIRTY_MIN": (1800.0, 3 * _DAY),
    "HOUR": (3600.0, 3 * _DAY),
    "DAY": (_DAY, 35 * _DAY),
    "WEEK": (7 * _DAY, 35 * _DAY),
    "TOTAL": (0.0, 35 * _DAY),
}
MAX_RERUNS = 60


def _iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _epoch(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return None


def _dimension(run: FlowRun, key: str) -> str:
    return {
        "FLOWS_RESOURCE_ID": run.flow_arn,
        "FLOWS_MODULE_RESOURCE_ID": run.module_arn,
        "FLOWS_NEXT_RESOURCE_ID": run.next_arn,
        "FLOWS_NEXT_RESOURCE_QUEUE_ID": run.next_queue,
        "FLOW_TYPE": run.flow_type,
        "FLOWS_OUTCOME_TYPE": run.outcome,
        "RESOURCE_PUBLISHED_TIMESTAMP": _iso(run.published),
        "CHANNEL": run.channel,
    }[key]


def _matches(run: FlowRun, key: str, values: list[str]) -> bool:
    if key in _RESOURCE_KEYS:
        have = _dimension(run, key)
        return bool(have) and any(have == v or have.endswith("/" + v) for v in values)
    if key == "RESOURCE_PUBLISHED_TIMESTAMP":
        return (
            any(_epoch(v) == round(run.published) for v in values) or _iso(run.published) in values
        )
    return _dimension(run, key) in values


def _value(name: str, runs: list[FlowRun], outcomes: list[str] | None, negate: bool) -> float:
    picked = runs
    if outcomes is not None:
        picked = [r for r in runs if (r.outcome in outcomes) != negate]
    if name == "FLOWS_STARTED":
        return float(len(runs))
    if name == "FLOWS_OUTCOME":
        return float(len(picked))
    if name == "PERCENT_FLOWS_OUTCOME":
        return round(100.0 * len(picked) / len(runs), 2) if runs else 0.0
    times = [r.duration for r in picked]
    if not times:
        return 0.0
    return round(sum(times) / len(times), 3) if name == "AVG_FLOW_TIME" else max(times)


class Metrics(Family):
    """Simulated traffic and the flow metrics of ``GetMetricDataV2``."""

    # --- traffic ---------------------------------------------------------------------

    def _flows(self, instance: Instance) -> tuple[FlowSet, _Records]:
        records = _Records(
            {r.name: r for r in self.store.flows(instance.id, "flow")},
            {r.name: r for r in self.store.flows(instance.id, "module")},
        )
        return instance_flowset(self.store, instance), records

    def send_traffic(
        self,
        instance_id: str,
        flow: str,
        contacts: int,
        *,
        seed: int = 0,
        channel: str = "VOICE",
        given: dict[str, Any] | None = None,
        at: float | None = None,
        spread: float = 0.0,
    ) -> dict[str, Any]:
        """Run ``contacts`` simulated contacts from the entry ``flow`` (name, id or ARN)
        and record their flow runs; a summary of what happened."""
        instance = self.store.instance(instance_id)
        if instance is None:
            raise SandboxError("ResourceNotFoundException", f"Instance {instance_id} not found")
        flows, records = self._flows(instance)
        entry = flows.resolve(flow) or flows.resolve(f"flow:{flow}")
        if entry is None or entry.kind != "flow":
            raise SandboxError("ResourceNotFoundException", f"Flow {flow} not found")
        rng = random.Random(seed)
        end = (at if at is not None else now()) - 0.001
        summary: dict[str, Any] = {"contacts": 0, "incomplete": 0, "flows": {}}
        for i in range(contacts):
            started = end - spread + spread * (i + 1) / contacts if spread else end
            run = _random_run(flows, entry, dict(given or {}), channel, rng)
            if run is None:
                summary["incomplete"] += 1
                continue
            summary["contacts"] += 1
            contact = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            rows = []
            for part in _flow_runs(run, flows, records, entry, rng):
                record = part.module or part.flow
                rows.append(
                    FlowRun(
                        instance.id,
                        contact,
                        part.flow.arn,
                        part.flow.type,
                        max(record.next_version - 1, 0),
                        record.modified,
                        started,
                        part.seconds,
                        part.outcome,
                        channel,
                        "module" if part.module else "flow",
                        part.module.arn if part.module else "",
                        part.next_arn,
                        part.next_queue,
                    )
                )
                if part.module is None:
                    per = summary["flows"].setdefault(part.flow.name, {})
                    per[part.outcome] = per.get(part.outcome, 0) + 1
            self.store.add_flow_runs(rows)
        return summary

    # --- GetMetricDataV2 ------------------------------------------------------------

    def GetMetricDataV2(self, caller: Caller, p: Params) -> Output:
        arn = str(p["ResourceArn"])
        instance = self.instance(caller, arn)
        start, end = float(p["StartTime"]), float(p["EndTime"])
        period = str((p.get("Interval") or {}).get("IntervalPeriod") or "TOTAL")
        _check_window(start, end, period)
        filters = _filters(p.get("Filters") or [])
        groupings = [str(g) for g in p.get("Groupings") or []]
        metrics = p.get("Metrics") or []
        _check_metrics(metrics, groupings, [key for key, _ in filters])
        keys = {key for key, _ in filters} | set(groupings)
        kind = "module" if "FLOWS_MODULE_RESOURCE_ID" in keys else "flow"
        runs = [
            r
            for r in self.store.flow_runs(instance.id, start, end)
            if r.resource_type == kind
            and all(_matches(r, key, values) for key, values in filters)
            and all(_dimension(r, key) for key in groupings if key in _OPTIONAL_KEYS)
        ]
        results = _results(runs, metrics, groupings, period, start, end)
        page, token = paged(results, p, "GetMetricDataV2")
        return with_token({"MetricResults": page}, token)


def _random_run(
    flows: FlowSet, entry: FlowEntry, given: dict[str, Any], channel: str, rng: random.Random
) -> RunResult | None:
    """One contact with random answers to whatever the flows ask (None: never completed)."""
    for _ in range(MAX_RERUNS):
        run = Simulator(flows, json.loads(json.dumps(given)), channel=channel).run(entry)
        needs = run.needs
        if needs is None:
            return run
        if needs.input == "given.distribute":
            given.setdefault("distribute", []).append(rng.randint(1, 100))
            continue
        if not needs.options:
            return None
        for path, item in rng.choice(needs.options):
            cur = given
            for part in path[:-1]:
                cur = cur.setdefault(part, {})
            cur.setdefault(path[-1], []).append(item)
    return None


@dataclass(frozen=True)
class _Records:
    """An instance's flows and modules by name."""

    flows: dict[str, Flow]
    modules: dict[str, Flow]


@dataclass(frozen=True)
class _Part:
    """What one flow of a contact's chain (or one module it invoked) did."""

    flow: Flow
    seconds: float
    outcome: str
    module: Flow | None = None
    next_arn: str = ""
    next_queue: str = ""


def _flow_runs(
    run: RunResult,
    flows: FlowSet,
    records: _Records,
    entry: FlowEntry,
    rng: random.Random,
) -> list[_Part]:
    """Each flow of the contact's chain (entry flow, then transfers), with its time,
    outcome, next flow and queue; then each module a flow of the chain invoked."""
    chain = [entry.name]
    for ref in run.transfers:
        target = flows.resolve(ref)
        if target is not None and target.kind == "flow":
            chain.append(target.name)
    seconds = [0.0] * len(chain)
    modules: dict[tuple[int, str], float] = {}
    at = 0
    for step in run.steps:
        if at + 1 < len(chain) and step.flow == chain[at + 1]:
            at += 1
        took = BLOCK_SECONDS.get(step.type, DEFAULT_SECONDS) * rng.uniform(0.7, 1.3)
        seconds[at] += took
        if step.flow != chain[at] and step.flow in records.modules:
            modules[at, step.flow] = modules.get((at, step.flow), 0.0) + took
    kind = run.end.kind if run.end else "error"
    end = OUTCOMES.get(kind, "FLOW_ERROR")
    out = []
    for i, name in enumerate(chain):
        if name not in records.flows:
            continue
        last = i + 1 == len(chain)
        after = records.flows.get(chain[i + 1]) if not last else None
        out.append(
            _Part(
                records.flows[name],
                round(seconds[i], 3),
                end if last else "TRANSFERRED_TO_FLOW",
                next_arn=after.arn if after else "",
                next_queue=run.end.detail if last and run.end and kind == "queue" else "",
            )
        )
    for (i, module), took in modules.items():
        if chain[i] not in records.flows:
            continue
        ended_in = run.end is not None and run.end.flow == module
        out.append(
            _Part(
                records.flows[chain[i]],
                round(took, 3),
                end if ended_in else "ENDED_FLOW",
                module=records.modules[module],
            )
        )
    return out


def _check_window(start: float, end: float, period: str) -> None:
    if period not in PERIODS:
        raise invalid_param(f"IntervalPeriod must be one of {', '.join(PERIODS)}")
    if start >= end:
        raise invalid_param("StartTime must be before EndTime")
    if end > now() + 1:
        raise invalid_param("EndTime cannot be later than the current timestamp")
    if start < now() - 92 * _DAY:
        raise invalid_param("Historical metrics are available for 3 months")
    if end - start >= PERIODS[period][1]:
        days = int(PERIODS[period][1] // _DAY)
        raise invalid_param(
            f"The difference between StartTime and EndTime must be less than {days} days"
            f" for IntervalPeriod {period}"
        )


def _filters(raw: Iterable[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    out: list[tuple[str, list[str]]] = []
    total = 0
    for item in raw:
        key = str(item.get("FilterKey", ""))
        values = [str(v) for v in item.get("FilterValues") or []]
        if key not in FLOW_KEYS:
            raise invalid_param(f"Filter key {key} is not valid for flow metrics")
        if not values:
            raise invalid_param(f"Filter {key} needs at least one value")
        total += 0 if key == "CHANNEL" else len(values)
        out.append((key, values))
    if total > 100:
        raise invalid_param("At most 100 filter values across all filter keys")
    return out


def _check_metrics(
    metrics: list[dict[str, Any]], groupings: list[str], filter_keys: list[str]
) -> None:
    if not metrics:
        raise invalid_param("Metrics must name at least one metric")
    for key in groupings:
        if key not in FLOW_KEYS:
            raise invalid_param(f"Grouping {key} is not valid for flow metrics")
    for metric in metrics:
        name = str(metric.get("Name", ""))
        if name not in FLOW_METRICS:
            raise invalid_param(
                f"The flowops sandbox computes the flow metrics ({', '.join(sorted(FLOW_METRICS))})"
                f", not {name}"
            )
        for what, keys in (("grouping", groupings), ("filter", filter_keys)):
            for key in keys:
                if key not in METRIC_KEYS[name]:
                    raise invalid_param(f"{key} is not a valid {what} for metric {name}")
        for f in metric.get("MetricFilters") or []:
            if f.get("MetricFilterKey") != "FLOWS_OUTCOME_TYPE" or name not in (
                "PERCENT_FLOWS_OUTCOME",
                "FLOWS_OUTCOME",
            ):
                raise invalid_param(
                    f"Metric filter {f.get('MetricFilterKey')} is not valid for {name}"
                )
            bad = set(f.get("MetricFilterValues") or []) - OUTCOME_TYPES
            if bad:
                raise invalid_param(f"Unknown flows outcome type {sorted(bad)[0]}")
        if name == "PERCENT_FLOWS_OUTCOME":
            if "FLOWS_OUTCOME_TYPE" in groupings:
                raise invalid_param("FLOWS_OUTCOME_TYPE is not a valid grouping for " + name)
            if not metric.get("MetricFilters"):
                raise invalid_param(f"{name} needs a FLOWS_OUTCOME_TYPE metric filter")


def _outcome_filter(metric: dict[str, Any]) -> tuple[list[str] | None, bool]:
    for f in metric.get("MetricFilters") or []:
        return [str(v) for v in f.get("MetricFilterValues") or []], bool(f.get("Negate"))
    return None, False


def _buckets(
    runs: list[FlowRun], period: str, start: float, end: float
) -> list[tuple[float, float, list[FlowRun]]]:
    size = PERIODS[period][0]
    if not size:
        return [(start, end, runs)]
    out: dict[float, list[FlowRun]] = {}
    for r in runs:
        out.setdefault(start + size * ((r.started - start) // size), []).append(r)
    return [(b, min(b + size, end), out[b]) for b in sorted(out)]


def _results(
    runs: list[FlowRun],
    metrics: list[dict[str, Any]],
    groupings: list[str],
    period: str,
    start: float,
    end: float,
) -> list[dict[str, Any]]:
    groups: dict[tuple[str, ...], list[FlowRun]] = {}
    for r in runs:
        groups.setdefault(tuple(_dimension(r, k) for k in groupings), []).append(r)
    results = []
    for group in sorted(groups):
        for b_start, b_end, bucket in _buckets(groups[group], period, start, end):
            collections = []
            for metric in metrics:
                outcomes, negate = _outcome_filter(metric)
                value = _value(str(metric["Name"]), bucket, outcomes, negate)
                collections.append({"Metric": metric, "Value": value})
            results.append(
                {
                    "Dimensions": dict(zip(groupings, group, strict=True)),
                    "MetricInterval": {
                        "Interval": period,
                        "StartTime": b_start,
                        "EndTime": b_end,
                    },
                    "Collections": collections,
                }
            )
    return results
