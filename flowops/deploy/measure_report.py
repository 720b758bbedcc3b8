"""``flowops measure``'s outputs: a JSON document (schema ``flowops-measure/1``), text, and
Markdown with a bar chart of each side's outcome mix (docs/measure.md)."""

from __future__ import annotations

from typing import Any

from flowops.deploy.measure import Difference, Measurement, Variant
from flowops.schemas import stamp

VERDICT_WORDS = {
    "pass": "meets the criteria",
    "fail": "BREACHES the criteria",
    "unclear": "past a bound, not beyond doubt yet",
    "insufficient": "not enough data yet",
    "no-criteria": "no success criteria configured",
}
BAR = 20  # characters of a 100 % bar


def _variant(v: Variant) -> dict[str, Any]:
    return {
        "role": v.role,
        "flow": v.flow,
        "arn": v.arn,
        "contacts": v.contacts,
        "outcomes": dict(sorted(v.outcomes.items())),
        "shares": {k: round(v.share(k) or 0.0, 2) for k in sorted(v.outcomes)},
        "avg_flow_time": v.avg_time,
        "max_flow_time": v.max_time,
        "queues": dict(v.queues),
    }


def _difference(d: Difference) -> dict[str, Any]:
    t = d.test
    return {
        "outcome": d.outcome,
        "base_share": t.base if t else None,
        "new_share": t.new if t else None,
        "difference": t.difference if t else None,
        "interval": [t.low, t.high] if t else None,
        "p_value": round(t.p_value, 6) if t else None,
        "test": t.test if t else None,
        "significant": d.significant,
    }


def measurement_dict(m: Measurement) -> dict[str, Any]:
    """One measurement as JSON data (without the schema stamp)."""
    return {
        "env": m.env,
        "flow": m.flow,
        "kind": m.kind,
        "release": m.release_id,
        "percent": m.percent,
        "window": {"start": m.start.isoformat(), "end": m.end.isoformat()},
        "confidence": m.confidence,
        "base": _variant(m.base),
        "new": _variant(m.new),
        "differences": [_difference(d) for d in m.differences],
        "criteria": m.criteria,
        "checks": [
            {
                "criterion": c.criterion,
                "observed": c.observed,
                "status": c.status,
                "detail": c.detail,
            }
            for c in m.checks
        ],
        "verdict": m.verdict,
        "calls": dict(sorted(m.calls.items())),
        "notes": list(m.notes),
    }


def measurements_json(measurements: list[Measurement]) -> dict[str, Any]:
    """The ``--format json`` document."""
    return stamp("measure", {"measurements": [measurement_dict(m) for m in measurements]})


def _title(m: Measurement) -> str:
    what = (
        f"canary at {m.percent}%" if m.kind == "canary" else f"release {m.release_id}, before/after"
    )
    return f"{m.env} / {m.flow}: {what}, {m.start:%Y-%m-%d %H:%M} to {m.end:%Y-%m-%d %H:%M} UTC"


def _side(v: Variant) -> str:
    mix = ", ".join(f"{k} {v.share(k) or 0:.1f}%" for k, _ in sorted(v.outcomes.items()))
    times = (
        f"avg {v.avg_time:.1f} s, max {v.max_time:.1f} s" if v.avg_time is not None else "no times"
    )
    return f"{v.role} ({v.flow}): {v.contacts} contacts; {mix or 'no outcomes'}; {times}"


def _queue_name(queue: str) -> str:
    """A queue ARN's id (the last part); other values as they are."""
    return queue.rsplit("/", 1)[-1]


def _queue_line(v: Variant) -> str | None:
    """``role`` contacts per queue they were put in, with their share; None when unread."""
    if not v.queues:
        return None
    shares = ", ".join(
        f"{_queue_name(q)} {n} ({100 * n / v.contacts:.1f}%)" if v.contacts else f"{q} {n}"
        for q, n in v.queues.items()
    )
    return f"{v.role} per queue: {shares}"


def _diff_line(d: Difference, confidence: float) -> str:
    t = d.test
    if t is None:
        return f"{d.outcome}: a side has no contacts, nothing to compare"
    mark = "significant" if d.significant else "not significant"
    return (
        f"{d.outcome}: {t.base:.1f}% -> {t.new:.1f}% ({t.difference:+.1f} points, "
        f"{confidence:.0%} interval {t.low:+.1f} to {t.high:+.1f}; "
        f"{t.test} p={t.p_value:.3g}, {mark})"
    )


def measurement_text(m: Measurement) -> str:
    """Plain text for a terminal."""
    lines = [_title(m), f"  {_side(m.base)}", f"  {_side(m.new)}"]
    lines += [f"  {_diff_line(d, m.confidence)}" for d in m.differences]
    lines += ["  flow times: averages only (the API gives no per-contact times, no test)"]
    lines += [f"  {line}" for v in (m.base, m.new) if (line := _queue_line(v))]
    for c in m.checks:
        lines.append(f"  [{c.status}] {c.criterion}: {c.detail}")
    lines.append(f"  verdict: {m.verdict} ({VERDICT_WORDS[m.verdict]})")
    lines += [f"  note: {n}" for n in m.notes]
    return "\n".join(lines)


def _bar(share: float) -> str:
    full = round(BAR * share / 100)
    return "█" * full + "░" * (BAR - full)


def measurement_markdown(m: Measurement) -> str:
    """Markdown: a summary table, a bar chart of the outcome mix, the checks."""
    out = [f"### {_title(m)}", "", f"**Verdict: {m.verdict}** ({VERDICT_WORDS[m.verdict]})", ""]
    out += ["| | contacts | avg flow time | max flow time |", "|---|---:|---:|---:|"]
    for v in (m.base, m.new):
        avg = f"{v.avg_time:.1f} s" if v.avg_time is not None else "-"
        top = f"{v.max_time:.1f} s" if v.max_time is not None else "-"
        out.append(f"| {v.role} | {v.contacts} | {avg} | {top} |")
    out += ["", "```text"]
    for d in m.differences:
        for v in (m.base, m.new):
            share = v.share(d.outcome) or 0.0
            out.append(f"{d.outcome[:26]:<26} {v.role:<9} {_bar(share)} {share:5.1f}%")
    out += ["```", ""]
    out += [f"- {_diff_line(d, m.confidence)}" for d in m.differences]
    out += [f"- {line}" for v in (m.base, m.new) if (line := _queue_line(v))]
    out += [f"- **{c.status}** {c.criterion}: {c.detail}" for c in m.checks]
    out += [f"- note: {n}" for n in m.notes]
    return "\n".join(out) + "\n"
