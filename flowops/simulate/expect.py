"""Expectations of a scenario checked against a run: the first divergence first."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flowops.simulate.engine import RunResult, Step


@dataclass(frozen=True)
class Failure:
    """One expectation the run did not meet, and the step where it diverged."""

    expectation: str
    message: str
    step: int


_QUEUE_TYPES = (
    "UpdateContactTargetQueue",
    "TransferContactToQueue",
    "DequeueContactAndTransferToQueue",
)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def text_matches(spec: Any, text: str) -> bool:
    """``"x"`` and ``{contains: x}`` match when the text contains x; ``{equals: x}`` exactly."""
    if isinstance(spec, Mapping):
        if "equals" in spec:
            return text.strip() == str(spec["equals"]).strip()
        return str(spec["contains"]).lower() in text.lower()
    return str(spec).lower() in text.lower()


def describe_match(spec: Any) -> str:
    if isinstance(spec, Mapping):
        kind, value = next(iter(spec.items()))
        return f"{kind} {value!r}"
    return f"contains {spec!r}"


def _ref_matches(expected: str, *actual: str) -> bool:
    short = (
        expected.split(":", 1)[1]
        if ":" in expected and not expected.startswith(("arn:", "+"))
        else expected
    )
    for value in actual:
        if not value:
            continue
        tail = value.rsplit("/", 1)[-1]
        if expected in (value, tail) or short in (value, tail, value.split(":", 1)[-1]):
            return True
    return False


def _step_of(steps: list[Step], pred: Any) -> int | None:
    for i, step in enumerate(steps):
        if pred(step):
            return i
    return None


def check(expect: Mapping[str, Any], run: RunResult) -> list[Failure]:
    """Every failed expectation, earliest divergence first."""
    out: list[Failure] = []
    last = len(run.steps)
    plays = [e for e in run.transcript if e.kind == "play"]
    if "prompts" in expect:
        pos, after = 0, 0
        for spec in expect["prompts"]:
            found = next(
                (i for i in range(pos, len(plays)) if text_matches(spec, plays[i].text)), None
            )
            if found is None:
                heard = [p.text for p in plays[pos:]]
                out.append(
                    Failure(
                        "prompts",
                        f"expected a prompt that {describe_match(spec)} after step {after}; "
                        f"heard {heard}",
                        after,
                    )
                )
                break
            pos, after = found + 1, plays[found].step
    for spec in expect.get("not_prompts", ()):
        hit = next((p for p in plays if text_matches(spec, p.text)), None)
        if hit is not None:
            out.append(
                Failure(
                    "not_prompts", f"heard {hit.text!r}, which {describe_match(spec)}", hit.step
                )
            )
    attrs = run.state.get("Attributes", {})
    for key, want in (expect.get("attributes") or {}).items():
        have = attrs.get(key)
        if want is None and have is not None:
            out.append(
                Failure("attributes", f"$.Attributes.{key} is {have!r}, expected unset", last)
            )
        elif want is not None and have != _text(want):
            out.append(
                Failure(
                    "attributes", f"$.Attributes.{key} is {have!r}, expected {_text(want)!r}", last
                )
            )
    if "queue" in expect:
        queue = run.state.get("Queue", {})
        want_q = expect["queue"]
        reached = run.end is not None and run.end.kind == "queue"
        if want_q is None and reached:
            out.append(Failure("queue", f"reached queue {queue.get('ARN')!r}, expected none", last))
        elif want_q is not None and not (
            reached and _ref_matches(want_q, queue.get("ARN", ""), queue.get("Name", ""))
        ):
            got = queue.get("ARN") if reached else "no queue"
            # The run went another way where it chose its queue (or last tried to).
            chose = [i for i, s in enumerate(run.steps) if s.type in _QUEUE_TYPES]
            step = chose[0] if chose else last
            out.append(Failure("queue", f"expected queue {want_q!r}, reached {got!r}", step))
    for want_t in expect.get("transfers", ()):
        if not any(_ref_matches(want_t, t) for t in run.transfers):
            out.append(
                Failure(
                    "transfers",
                    f"expected a transfer to {want_t!r}; transfers: {run.transfers}",
                    last,
                )
            )
    if "ends" in expect:
        got_end = run.end.kind if run.end else "(did not end)"
        if got_end != expect["ends"]:
            out.append(
                Failure(
                    "ends",
                    f"expected the contact to end by {expect['ends']}, it ended by {got_end}",
                    last,
                )
            )
    for block in expect.get("never", ()):
        idx = _step_of(
            run.steps, lambda s, b=block: b in (s.action, s.type, f"{s.flow}/{s.action}")
        )
        if idx is not None:
            ran = run.steps[idx]
            out.append(
                Failure("never", f"block {block!r} ran ({ran.flow}, {ran.type} {ran.action})", idx)
            )
    for block in expect.get("visits", ()):
        if (
            _step_of(run.steps, lambda s, b=block: b in (s.action, s.type, f"{s.flow}/{s.action}"))
            is None
        ):
            out.append(Failure("visits", f"block {block!r} never ran", last))
    if "max_blocks" in expect and len(run.steps) > expect["max_blocks"]:
        out.append(
            Failure(
                "max_blocks",
                f"{len(run.steps)} blocks ran, at most {expect['max_blocks']} expected",
                expect["max_blocks"],
            )
        )
    return sorted(out, key=lambda f: f.step)
