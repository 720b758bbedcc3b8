"""Run a test case written in Amazon Connect's Testing language with the simulator.

This is how the sandbox executes ``StartTestCaseExecution``: the test case's overrides
and customer instructions become the simulator's ``given``, the contact runs through the
instance's flows, and the observations are checked in order against what the simulated
contact did (reference section 3.3):

- the observations are matched in order along the simulated contact's path: each one's
  event is the first occurrence after the previous match, and its Asserts read the
  contact's state at that moment (not at the end of the run);
- time is the contact's own clock (:data:`~flowops.simulate.engine.SECONDS`: prompts,
  answers, input timeouts, Lambda delays): an observation whose event never happens, or
  happens after the 5-minute limit (a caller who never answers a looping menu), fails
  the test at 300 s (``TIMEOUT``); a failed Assert stops the test (``FAILURE``);
- ``EndTest`` after the observations met gives ``PASSED``; a chain that ends without
  ``EndTest`` times out at 300 s (``FAILED``), as Connect's tests do; record timestamps
  are the execution's start plus contact time.

Answers the test case does not override come from the sandbox: an un-mocked Lambda fails
(``NoMatchingError``: the sandbox runs no code), hours are evaluated from the hours'
schedule (open when it has none), an un-mocked Lex bot errors, a menu without key
presses times out.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flowops.simulate.engine import (
    Event,
    RunResult,
    Simulator,
    as_text,
    condition_holds,
    lex_error,
    lookup_path,
    short_ref,
)
from flowops.simulate.world import FlowEntry, FlowSet

#: Connect's limit per simulation (seconds); an observation never met fails after it.
TIMEOUT_SECONDS = 300

HoursLookup = Callable[[str], bool | None]
"""Hours ARN -> open now? (None: unknown)."""
NameLookup = Callable[[str], str | None]
"""Resource ARN -> its name (queues, for ``$.Queue.Name``)."""


@dataclass
class Outcome:
    """What one execution produced: status, records (oldest first), summary."""

    status: str
    records: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0
    passed: int = 0
    failed: int = 0
    message: str = ""
    run: RunResult | None = None
    #: Contact time the test took (seconds; at most the 5-minute limit).
    seconds: float = 0.0


def chain(content: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Observations in the order they become active (starts first, then transitions)."""
    observations = [o for o in content.get("Observations", []) if isinstance(o, dict)]
    by_id = {o.get("Identifier"): o for o in observations}
    targets = {
        t for o in observations for t in (o.get("Transitions") or {}).get("NextObservations", [])
    }
    order: list[dict[str, Any]] = []
    todo = [o for o in observations if o.get("Identifier") not in targets]
    seen: set[Any] = set()
    while todo:
        obs = todo.pop(0)
        if obs.get("Identifier") in seen:
            continue
        seen.add(obs.get("Identifier"))
        order.append(obs)
        for nxt in (obs.get("Transitions") or {}).get("NextObservations", []):
            if nxt in by_id:
                todo.append(by_id[nxt])
    return order


def _actions(obs: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [a for a in obs.get("Actions", []) if isinstance(a, dict)]


def _loaded(result: Mapping[str, Any]) -> dict[str, Any]:
    raw = result.get("LoadedData", result.get("Value", "{}"))
    try:
        data = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        data = {}
    return dict(data) if isinstance(data, Mapping) else {}


def given_from_test(
    observations: list[dict[str, Any]], attributes: Mapping[str, Any], hours: HoursLookup
) -> tuple[dict[str, Any], dict[str, str]]:
    """The simulator's ``given`` from a test's overrides and instructions (in order),
    and the queue substitutions it asks for."""
    given: dict[str, Any] = {"attributes": dict(attributes), "inputs": []}
    substitutes: dict[str, str] = {}
    for obs in observations:
        for action in _actions(obs):
            params = action.get("Parameters") or {}
            if action.get("Type") == "SendInstruction":
                instruction = params.get("Instruction") or {}
                props = instruction.get("Properties") or {}
                if instruction.get("Type") == "DtmfInput":
                    given["inputs"].append(str(props.get("Value", "")))
                elif instruction.get("Type") in ("TextUtterance", "Utterance"):
                    given["inputs"].append({"say": str(props.get("Text", props.get("Value", "")))})
            if action.get("Type") != "OverrideSystemBehavior":
                continue
            behavior = (params.get("Behavior") or {}).get("Properties") or {}
            kind = behavior.get("ActionType")
            target = behavior.get("ActionParameters") or {}
            strategy = behavior.get("Strategy") or {}
            response = strategy.get("Response") or {}
            error = (
                (response.get("Error") or {}).get("Value")
                if response.get("Type") == "Error"
                else None
            )
            result = response.get("ExecutionResult") or {}
            substitute = (
                strategy.get("SubstituteArn")
                if strategy.get("Type") == "SubstituteResource"
                else None
            )
            if kind == "InvokeLambdaFunction":
                arn = str(target.get("LambdaFunctionARN", ""))
                answer: dict[str, Any] = {"error": error} if error else {"result": _loaded(result)}
                delay = (response.get("Error") or result).get("DelaySeconds")
                if isinstance(delay, (int, float)) and delay > 0:
                    answer["delay"] = delay
                given.setdefault("lambdas", {}).setdefault(arn, []).append(answer)
            elif kind == "CheckHoursOfOperation":
                arn = str(target.get("HoursOfOperationId", ""))
                if error:
                    value: Any = "error"
                elif substitute:
                    value = "open" if hours(str(substitute)) is not False else "closed"
                else:
                    value = "open" if result.get("Value") in ("InHours", "InHour") else "closed"
                given.setdefault("hours", {}).setdefault(arn, []).append(value)
            elif kind == "ConnectParticipantWithLexBot":
                if error:
                    given.setdefault("lex", []).append({"error": lex_error(str(error))})
                else:
                    data = _loaded(result)
                    given.setdefault("lex", []).append(
                        {
                            "intent": str(data.get("IntentName", "FallbackIntent")),
                            "slots": data.get("Slots") or {},
                        }
                    )
            elif kind in ("TransferContactToQueue", "DequeueAndTransferToQueue"):
                queue = str(target.get("QueueId", ""))
                if substitute:
                    substitutes[queue] = str(substitute)
                elif error == "QueueAtCapacity":
                    given.setdefault("queues", {}).setdefault(queue, {})["at_capacity"] = True
                elif error:
                    given.setdefault("queues", {}).setdefault(queue, {})["error"] = error
    return given, substitutes


def _default(given: dict[str, Any], run: RunResult, hours: HoursLookup) -> bool:
    """Extend ``given`` with the sandbox's answer to what the run needs; False if none."""
    needs = run.needs
    if needs is None or run.seconds > TIMEOUT_SECONDS:  # past the limit: the test is over
        return False
    if needs.input == "given.inputs":
        given.setdefault("inputs", []).append("timeout")
        return True
    if needs.input.startswith("given.lambdas"):
        ref = needs.input.split("[", 1)[1].rstrip("]").strip("'\"")
        given.setdefault("lambdas", {}).setdefault(ref, []).append({"error": "NoMatchingError"})
        return True
    if needs.input.startswith("given.hours"):
        ref = needs.input.split("[", 1)[1].rstrip("]").strip("'\"")
        is_open = hours(ref)
        given.setdefault("hours", {})[ref] = "closed" if is_open is False else "open"
        return True
    if needs.input == "given.lex":
        given.setdefault("lex", []).append({"error": "NoMatchingError"})
        return True
    for option in needs.options:
        for path, item in option:
            cur = given
            for part in path[:-1]:
                cur = cur.setdefault(part, {})
            cur.setdefault(path[-1], []).append(item)
        return True
    return False


def _match_message(props: Mapping[str, Any], event: Event) -> bool:
    if event.kind != "play":
        return False
    if props.get("PromptId"):
        want = str(props["PromptId"])
        return event.ref == want or (bool(event.ref) and short_ref(event.ref) == short_ref(want))
    text = props.get("Text") or re.sub(r"<[^>]+>", "", str(props.get("SSML", "")))
    if not text:
        return False
    heard, said = " ".join(event.text.lower().split()), " ".join(str(text).lower().split())
    criteria = (props.get("MatchingCriteria") or {}).get("Type", "Similarity")
    if criteria == "Inclusion":
        return said in heard
    return said in heard or heard in said


def _action_param(flows: FlowSet, flow_name: str, action_id: str, key: str) -> Any:
    for entry in flows:
        if entry.name == flow_name:
            action = entry.flow.action(action_id)
            if action is not None:
                value = action.parameters.get(key)
                if key == "LexV2Bot" and isinstance(value, Mapping):
                    return value.get("AliasArn")
                return value
    return None


_FLOW_ACTION_KEYS = {
    "InvokeLambdaFunction": "LambdaFunctionARN",
    "CheckHoursOfOperation": "HoursOfOperationId",
    "ConnectParticipantWithLexBot": "LexV2Bot",
}


@dataclass(frozen=True)
class _Point:
    """Where along the simulated contact an event happened: the step it happened in, its
    transcript line (-1: the block's start, for FlowActionStarted), its contact time."""

    step: int
    line: int
    at: float

    def after(self) -> tuple[int, int]:
        return (self.step, self.line + 1)


def _find(
    obs: Mapping[str, Any], run: RunResult, flows: FlowSet, cursor: tuple[int, int]
) -> _Point | None:
    """The first occurrence of the observation's event at or after ``cursor``."""
    event = obs.get("Event") or {}
    kind = event.get("Type")
    props = event.get("Properties") or {}
    if kind == "TestInitiated":
        return _Point(cursor[0], cursor[1] - 1, 0.0)
    if kind == "TestCompleted":
        return _Point(len(run.steps), len(run.transcript), run.seconds)
    if kind == "MessageReceived":
        for n, e in enumerate(run.transcript):
            if (e.step, n) >= cursor and _match_message(props, e):
                return _Point(e.step, n, e.at)
        return None
    if kind != "FlowActionStarted":
        return None
    wanted = props.get("ActionType")
    params = props.get("ActionParameters") or {}
    for i in range(cursor[0], len(run.steps)):
        step = run.steps[i]
        if step.type != wanted or (i, -1) < cursor:
            continue
        if wanted == "TransferContactToQueue":
            queue = str(params.get("QueueId", ""))
            if any(e.step == i and e.kind == "queue" and queue in e.text for e in run.transcript):
                return _Point(i, -1, step.at)
            continue
        key = _FLOW_ACTION_KEYS.get(str(wanted))
        expected = next(iter(params.values()), None) if params else None
        if isinstance(expected, Mapping):
            expected = expected.get("AliasArn")
        if (
            key is None
            or expected is None
            or _action_param(flows, step.flow, step.action, key) == expected
        ):
            return _Point(i, -1, step.at)
    return None


def _assert(params: Mapping[str, Any], state: Mapping[str, Any]) -> tuple[bool, str]:
    namespace = str(params.get("Namespace", ""))
    found = lookup_path(state, namespace)
    operator = str(params.get("Operator", "Equals"))
    operand = params.get("Operand", "")
    ok = (
        found is not None
        if operator == "Exists"
        else condition_holds(operator, as_text(found), operand)
    )
    return ok, f"{namespace}: expected {operator} {operand!r}, found {as_text(found)!r}"


def _state_at(run: RunResult, point: _Point) -> dict[str, Any]:
    """The contact's state when the event happened (before its block ran on)."""
    if not run.states:
        return run.state
    return run.states[min(point.step, len(run.states) - 1)]


def execute(
    content: Mapping[str, Any],
    flows: FlowSet,
    entry: FlowEntry,
    *,
    channel: str = "VOICE",
    attributes: Mapping[str, Any] | None = None,
    hours: HoursLookup = lambda _arn: None,
    names: NameLookup = lambda _arn: None,
    contact_id: str = "",
    start: float = 0.0,
    customer_number: str = "",
) -> Outcome:
    """Execute a test case against flows; the records Connect would list, in order.

    The simulated contact runs first (with the test's overrides and instructions); then
    the observations are matched along its path in order: each one's event is the first
    occurrence after the previous match, its Asserts read the contact's state at that
    moment, and the contact's own clock (:data:`~flowops.simulate.engine.SECONDS`) says
    when: an event after the 5-minute limit, or none at all, times the test out at 300 s.
    """
    observations = chain(content)
    given, substitutes = given_from_test(observations, attributes or {}, hours)
    if customer_number:
        given["customer_number"] = customer_number

    def simulate() -> RunResult:
        sim = Simulator(flows, copy.deepcopy(given), channel=channel, keep_states=True)
        return sim.run(entry)

    run = simulate()
    for _ in range(200):
        if not _default(given, run, hours):
            break
        run = simulate()
    for state in (*run.states, run.state):
        queue = state.get("Queue") or {}
        if queue.get("ARN") in substitutes:
            queue["ARN"] = substitutes[queue["ARN"]]
        if queue.get("ARN"):
            queue["Name"] = names(str(queue["ARN"])) or queue.get("Name")

    out = Outcome("PASSED", run=run, total=len(observations))
    out.records.append(_record("INITIATION", start, "PASSED", {"Type": "INITIATION"}))
    out.records.append(
        _record(
            "EXECUTION_START",
            start,
            "PASSED",
            {"Type": "EXECUTION_START", "ContactId": contact_id},
        )
    )
    cursor: tuple[int, int] = (0, -1)  # before the first block starts
    ended, failure, clock = False, "", 0.0
    reason, reason_type = "OBSERVE_EVENT", "TIMEOUT"
    for obs in observations:
        ident = str(obs.get("Identifier"))
        point = _find(obs, run, flows, cursor)
        record: dict[str, Any] = {
            "Type": "OBSERVATION",
            "Identifier": ident,
            "Event": obs.get("Event"),
            "Actions": [],
        }
        if point is None or point.at > TIMEOUT_SECONDS:
            clock = TIMEOUT_SECONDS
            failure = (
                f"observation {ident!r}: its event did not occur within {TIMEOUT_SECONDS} s"
                if point is None
                else f"observation {ident!r}: its event came after {point.at:g} s, "
                f"past the {TIMEOUT_SECONDS} s limit"
            )
            record["Status"] = "FAILED"
            out.records.append(_record(ident, start + clock, "FAILED", record))
            out.failed += 1
            break
        cursor, clock = point.after(), max(clock, point.at)
        state = _state_at(run, point)
        status = "PASSED"
        for action in _actions(obs):
            verdict = "PASSED"
            if action.get("Type") == "Assert":
                ok, detail = _assert(action.get("Parameters") or {}, state)
                if not ok:
                    verdict, status = "FAILED", "FAILED"
                    failure = f"observation {ident!r}: check failed: {detail}"
                    reason, reason_type = "OBSERVE_EVENT", "FAILURE"
            record["Actions"].append({"Identifier": action.get("Identifier"), "Status": verdict})
            if verdict == "FAILED":
                break
            command = ((action.get("Parameters") or {}).get("Command") or {}).get("Type")
            if action.get("Type") == "TestControl" and command == "EndTest":
                ended = True
                break
        record["Status"] = status
        out.records.append(_record(ident, start + clock, status, record))
        if status == "FAILED":
            out.failed += 1
            break
        out.passed += 1
        if ended:
            break
    if not failure and not ended:
        clock = TIMEOUT_SECONDS
        failure = f"the test was not ended by EndTest within {TIMEOUT_SECONDS} s"
    out.status = "FAILED" if failure else "PASSED"
    out.message = failure
    out.seconds = clock
    completion = {
        "Type": "COMPLETION",
        "Status": out.status,
        "CompletionReason": {
            "Type": "SUCCESS" if not failure else reason_type,
            "Message": failure or "the test ended with EndTest",
            "Details": {},
            "FailureReasons": [reason] if failure else [],
        },
        "ExecutionSummary": {
            "TotalObservations": out.total,
            "PassedObservations": out.passed,
            "FailedObservations": out.failed,
        },
    }
    out.records.append(_record("COMPLETION", start + clock, out.status, completion))
    return out


def _record(ident: str, timestamp: float, status: str, body: Mapping[str, Any]) -> dict[str, Any]:
    """One ExecutionRecord of botocore's model: ObservationId (1-256), Status, Timestamp
    (epoch seconds), Record (a JSON string, in the shapes seen live)."""
    return {
        "ObservationId": ident[:256],
        "Status": status,
        "Timestamp": round(timestamp, 3),
        "Record": json.dumps(body, sort_keys=True),
    }
