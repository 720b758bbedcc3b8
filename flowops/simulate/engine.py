"""The offline simulator: an interpreter of the flow language over a set of flows.

It follows one contact from an entry flow through modules (``InvokeFlowModule`` and
back), ``TransferToFlow`` and the event-hook flows that run while it waits in a queue,
with the contact's state (``$.Attributes``, ``$.External``, ``$.Lex``, queue, language,
voice, logging, recording...). Everything the world decides comes from the scenario's
``given``; when an action needs an answer the scenario does not give, the run stops with
:class:`NeedsInput` naming that input (and the options a generator can try), never a guess.

Every action type of the corpus has a handler in ``HANDLERS``; an unknown type needs a
forced outcome (``given.outcomes.<action id>``).
"""

from __future__ import annotations

import copy
import re
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flowops.model.types import NO_MATCHING_CONDITION, NO_MATCHING_ERROR, Action
from flowops.simulate.branches import LEAVE_TYPES, VALUE_TYPES, Branch, branches_of
from flowops.simulate.world import FlowEntry, FlowSet

#: Value blocks whose every result is one of their conditions (or the default): their
#: NextAction is never a result of its own, so no forced outcome takes it.
CLOSED_VALUE_TYPES = frozenset(
    {
        "Compare",
        "Loop",
        "DistributeByPercentage",
        "CheckHoursOfOperation",
        "ConnectParticipantWithLexBot",
        "CheckMetricData",
    }
)

#: Errors a test case can mock for a Lambda and for a queue transfer (the reference, 3.5).
LAMBDA_ERRORS = ("TimeLimitExceeded", "NoMatchingError")
QUEUE_ERRORS = ("QueueAtCapacity", "NoMatchingError")
#: A Lex turn's errors, as the Lex block branches on them. The Testing language mocks its
#: timeout as ``TimeLimitExceeded`` (the reference, 3.5); the flow language's branch for
#: it is ``InputTimeLimitExceeded`` (the corpus' Lex blocks have no other): one error, two
#: names, read as the branch everywhere (:func:`lex_error`), so a scenario's Lex error
#: round-trips through its test case exactly.
LEX_ERRORS = ("InputTimeLimitExceeded", "NoMatchingError")
#: The Testing language's Error value for each Lex error (its mock).
LEX_MOCK_ERRORS = {
    "InputTimeLimitExceeded": "TimeLimitExceeded",
    "NoMatchingError": "NoMatchingError",
}


def lex_error(name: str) -> str:
    """A Lex error as the Lex block branches on it (``TimeLimitExceeded``, the mock's
    name of the timeout, is ``InputTimeLimitExceeded``)."""
    return "InputTimeLimitExceeded" if name == "TimeLimitExceeded" else name


#: How contact time passes (seconds), for the 5-minute limit of a native test: each block
#: takes ``block``; speech plays at ``words_per_second`` (a prompt by id takes ``prompt``;
#: a chat message ``message``); the caller answers a menu after ``answer``; a menu the
#: caller does not answer waits its InputTimeLimitSeconds (``input_timeout`` without one);
#: a Lex turn takes ``lex``; a Lambda its response's ``delay``.
SECONDS = {
    "block": 0.1,
    "words_per_second": 2.5,
    "prompt": 3.0,
    "message": 0.2,
    "answer": 1.0,
    "input_timeout": 5.0,
    "lex": 1.0,
}

#: Blocks a run may execute before it is stopped as a probable endless loop.
DEFAULT_STEP_LIMIT = 1000
DEFAULT_CUSTOMER_NUMBER = "+15555550100"
DEFAULT_SYSTEM_NUMBER = "+15555550199"

Patch = tuple[tuple[str, ...], Any]
"""Append ``item`` to the list at ``given[path...]`` (how a generator extends a scenario)."""


@dataclass(frozen=True)
class Step:
    """One block the contact went through, and the branch it left by."""

    flow: str
    action: str
    type: str
    branch: str | None
    #: Contact time (seconds since the contact began) when the block started.
    at: float = 0.0


@dataclass(frozen=True)
class Event:
    """One line of the transcript: what the caller heard, what was set, where it went."""

    step: int
    kind: str
    text: str
    flow: str
    action: str
    ref: str = ""  # a played prompt's PromptId; an input's raw value; a queue's reference
    #: Contact time (seconds since the contact began) when it happened.
    at: float = 0.0


@dataclass(frozen=True)
class EndState:
    """How the contact ended: disconnect, queue, transfer, number, agent, end-flow..."""

    kind: str
    detail: str
    flow: str
    action: str


@dataclass(frozen=True)
class NeedsInput:
    """The run stopped: this action needs an input the scenario does not give."""

    input: str
    message: str
    flow: str
    action: str
    type: str
    options: tuple[tuple[Patch, ...], ...] = ()


@dataclass
class RunResult:
    """Path, transcript, end state and branches of one run."""

    steps: list[Step] = field(default_factory=list)
    transcript: list[Event] = field(default_factory=list)
    end: EndState | None = None
    needs: NeedsInput | None = None
    state: dict[str, Any] = field(default_factory=dict)
    branches: set[tuple[str, str, str]] = field(default_factory=set)
    hints: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    transfers: list[str] = field(default_factory=list)
    #: Mocked answers in the order the run used them: (kind, resource, answer), kind one
    #: of lambda, lex, hours, queue (what a native test case must override, in order).
    mocks: list[tuple[str, str, Any]] = field(default_factory=list)
    #: Forced outcomes (``given.outcomes``) in the order the run used them: (flow, action
    #: id, action type, item, native); native when the result is one a test case can
    #: override (a Lambda, hours, Lex or queue-transfer result; it is also in ``mocks``).
    forced: list[tuple[str, str, str, Any, bool]] = field(default_factory=list)
    #: With ``keep_states``: the contact's state before each step (``states[i]`` before
    #: ``steps[i]``), then the state where the run ended (what a test's Asserts read).
    states: list[dict[str, Any]] = field(default_factory=list)
    #: Contact time when the run ended (seconds; see :data:`SECONDS`).
    seconds: float = 0.0

    @property
    def completed(self) -> bool:
        return self.end is not None and self.needs is None

    def played(self) -> list[str]:
        return [e.text for e in self.transcript if e.kind == "play"]


class _Stop(Exception):
    def __init__(self, needs: NeedsInput) -> None:
        self.needs = needs


@dataclass(frozen=True)
class Outcome:
    """What an action did: succeed, produce a value, raise an error type, or end."""

    kind: str  # success | value | error | end | leave | enter | pop
    value: str = ""
    detail: str = ""
    target: FlowEntry | None = None


SUCCESS = Outcome("success")


@dataclass
class _Frame:
    entry: FlowEntry
    role: str  # main | module | hook
    resume: Action | None = None  # the InvokeFlowModule that called this module
    flow_attributes: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------- values and conditions

_REF = re.compile(r"\$\.[A-Za-z_][\w]*(?:\.[\w-]+|\[(?:'[^']*'|\"[^\"]*\"|\d+)\])*")
_PART = re.compile(r"\.([\w-]+)|\[(?:'([^']*)'|\"([^\"]*)\"|(\d+))\]")


def lookup_path(state: Mapping[str, Any], path: str) -> Any:
    head = re.match(r"\$\.([A-Za-z_]\w*)", path)
    if not head:
        return None
    cur: Any = state.get(head.group(1))
    for m in _PART.finditer(path, head.end()):
        key = next(g for g in m.groups() if g is not None)
        if isinstance(cur, Mapping):
            cur = cur.get(key)
        elif isinstance(cur, list) and key.isdigit() and int(key) < len(cur):
            cur = cur[int(key)]
        else:
            return None
    return cur


def as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _number(value: Any) -> float | None:
    try:
        return float(str(value).strip())
    except ValueError:
        return None


def condition_holds(operator: str, value: Any, operand: Any) -> bool:
    """Whether a condition holds, as Connect compares (text, or numbers for Number*)."""
    text, other = as_text(value), as_text(operand)
    if operator == "Equals":
        a, b = _number(text), _number(other)
        return text == other or (a is not None and b is not None and a == b and text != "")
    if operator == "TextContains":
        return other.lower() in text.lower()
    if operator == "TextStartsWith":
        return text.lower().startswith(other.lower())
    if operator == "TextEndsWith":
        return text.lower().endswith(other.lower())
    a, b = _number(text), _number(other)
    if a is None or b is None:
        return False
    return {
        "NumberGreaterThan": a > b,
        "NumberGreaterOrEqualTo": a >= b,
        "NumberLessThan": a < b,
        "NumberLessOrEqualTo": a <= b,
    }.get(operator, False)


def satisfying_value(operator: str, operand: Any) -> str:
    """A value for which the condition holds (what a generator tries)."""
    text = as_text(operand)
    num = _number(text)
    if operator in ("NumberGreaterThan",) and num is not None:
        return as_text(num + 1)
    if operator in ("NumberLessThan",) and num is not None:
        return as_text(num - 1)
    return text


def _is_phone(value: str) -> bool:
    return re.fullmatch(r"\+[1-9]\d{6,14}", value) is not None


# ---------------------------------------------------------------- the world's answers


class _Given:
    """The scenario's ``given``, consumed in order as the contact runs."""

    def __init__(self, given: Mapping[str, Any]) -> None:
        self.raw = given
        self.inputs: deque[Any] = deque(given.get("inputs") or ())
        self.lambdas = {k: deque(v) for k, v in (given.get("lambdas") or {}).items()}
        self.lex: deque[Any] = deque(given.get("lex") or ())
        self.distribute: deque[int] = deque(given.get("distribute") or ())
        self.outcomes = {k: deque(v) for k, v in (given.get("outcomes") or {}).items()}
        hours = given.get("hours")
        self.hours_all: Any = None
        self.hours: dict[str, deque[Any]] = {}
        if (
            isinstance(hours, Mapping)
            and hours
            and all(k.startswith(("hours:", "arn:")) for k in hours)
        ):
            self.hours = {k: deque(v if isinstance(v, list) else [v]) for k, v in hours.items()}
            self.hours_sticky = {k for k, v in hours.items() if not isinstance(v, list)}
        else:
            self.hours_all = hours
            self.hours_sticky = set()
        self.queues: Mapping[str, Any] = given.get("queues") or {}
        self.interruptions = int(given.get("interruptions", 0))
        self.time = given.get("time")


def short_ref(ref: str) -> str:
    """``lambda:check-balance`` or an ARN -> a readable name."""
    if ref.startswith("arn:"):
        return ref.rsplit(":", 1)[-1].rsplit("/", 1)[-1]
    return ref.split(":", 1)[1] if ":" in ref and not ref.startswith("$") else ref


def _queue_state(given: _Given, queue: str) -> Mapping[str, Any]:
    for key in (queue, f"queue:{queue}", short_ref(queue)):
        if key in given.queues:
            found: Mapping[str, Any] = given.queues[key]
            return found
    return {}


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _in_schedule(schedule: Mapping[str, str], when: str) -> bool:
    moment = datetime.fromisoformat(when)
    spec = schedule.get(_DAYS[moment.weekday()], "closed")
    if spec == "closed":
        return False
    start, end = spec.split("-")
    now = moment.strftime("%H:%M")
    return start <= now < end


# ---------------------------------------------------------------- the interpreter


Handler = Callable[["Simulator", _Frame, Action], Outcome]


class Simulator:
    """Runs one contact through a FlowSet with one scenario's ``given``."""

    def __init__(
        self,
        flows: FlowSet,
        given: Mapping[str, Any] | None = None,
        *,
        channel: str = "VOICE",
        step_limit: int = DEFAULT_STEP_LIMIT,
        keep_states: bool = False,
    ) -> None:
        self.flows = flows
        self.keep_states = keep_states
        self.clock = 0.0
        self.step_start = 0.0
        self.given = _Given(given or {})
        self.channel = channel
        self.step_limit = step_limit
        self.result = RunResult()
        self.frames: list[_Frame] = []
        self.pending_hooks: list[tuple[str, FlowEntry]] = []
        self.loops: dict[tuple[int, str], int] = {}
        raw = self.given.raw
        self.state: dict[str, Any] = {
            "Attributes": {k: as_text(v) for k, v in (raw.get("attributes") or {}).items()},
            "External": {},
            "Lex": {},
            "FlowAttributes": {},
            "Channel": channel,
            "ContactId": "00000000-0000-4000-8000-000000000001",
            "InitialContactId": "00000000-0000-4000-8000-000000000001",
            "CustomerEndpoint": {
                "Address": raw.get("customer_number", DEFAULT_CUSTOMER_NUMBER),
                "Type": "TELEPHONE_NUMBER",
            },
            "SystemEndpoint": {"Address": raw.get("system_number", DEFAULT_SYSTEM_NUMBER)},
            "LanguageCode": raw.get("language", "en-US"),
            "Queue": {},
            "Settings": {"EventHooks": {}},
        }
        self.result.state = self.state

    # -- entry point

    def run(self, entry: FlowEntry) -> RunResult:
        """Run from the entry flow's StartAction until the contact ends or input is needed."""
        self.frames.append(_Frame(entry, "main"))
        try:
            self._loop(entry.flow.start_action)
        except _Stop as stop:
            self.result.needs = stop.needs
        if self.keep_states:
            self.result.states.append(copy.deepcopy(self.state))
        self.result.seconds = round(self.clock, 3)
        return self.result

    # -- helpers for handlers

    def event(self, kind: str, text: str, frame: _Frame, action: Action, ref: str = "") -> None:
        self.result.transcript.append(
            Event(
                len(self.result.steps),
                kind,
                text,
                frame.entry.name,
                action.identifier,
                ref,
                round(self.clock, 3),
            )
        )
        if kind == "play":
            self.wait(self._speech(text, ref))

    def wait(self, seconds: float) -> None:
        """Contact time passes (a prompt plays, the caller thinks, a Lambda answers)."""
        self.clock += seconds

    def _speech(self, text: str, ref: str) -> float:
        if self.channel != "VOICE":
            return SECONDS["message"]
        if ref:
            return SECONDS["prompt"]
        return max(1, len(text.split())) / SECONDS["words_per_second"]

    def value(self, raw: Any, frame: _Frame | None = None) -> Any:
        """A parameter's value: ``$.`` references resolved against the contact."""
        if isinstance(raw, str) and raw.startswith("$."):
            if raw.startswith("$.FlowAttributes") and frame is not None:
                return lookup_path({"FlowAttributes": frame.flow_attributes}, raw)
            return lookup_path(self.state, raw)
        return raw

    def interpolate(self, text: str, frame: _Frame) -> str:
        return _REF.sub(lambda m: as_text(self.value(m.group(0), frame)), text)

    def need(
        self,
        frame: _Frame,
        action: Action,
        input_name: str,
        message: str,
        options: Sequence[tuple[Patch, ...]],
    ) -> _Stop:
        return _Stop(
            NeedsInput(
                input_name,
                f"flow {frame.entry.name!r}, action {action.identifier!r} "
                f"({action.type}): {message}",
                frame.entry.name,
                action.identifier,
                action.type,
                tuple(options),
            )
        )

    def outcome_options(self, action: Action) -> list[tuple[Patch, ...]]:
        """Every forced outcome that takes one of the action's branches."""
        out: list[tuple[Patch, ...]] = []
        path = ("outcomes", action.identifier)
        for branch in branches_of(action):
            item = self.outcome_item(action, branch)
            if item is not None:
                out.append(((path, item),))
        return out

    def outcome_item(self, action: Action, branch: Branch) -> Any:
        """The ``given.outcomes`` item that takes ``branch`` (None: no outcome does)."""
        if branch.key == "success":
            return None if action.type in CLOSED_VALUE_TYPES else "success"
        if branch.key.startswith("error:"):
            error = branch.key.split(":", 1)[1]
            if error == NO_MATCHING_CONDITION:
                return {"value": _no_match_value(action)} if action.type in VALUE_TYPES else None
            return {"error": error}
        cond = action.transitions.conditions[int(branch.key.split(":", 1)[1])]
        if not cond.operands:
            return None
        return {"value": satisfying_value(cond.operator, cond.operands[0])}

    def forced(self, action: Action) -> Any:
        for key in (action.identifier, action.type):
            queue = self.given.outcomes.get(key)
            if queue:
                return queue.popleft()
        return None

    # -- the main loop

    def _loop(self, start: str) -> None:
        current: str | None = start
        while self.frames:
            frame = self.frames[-1]
            if current is None:
                current = self._fall_off(frame)
                continue
            action = frame.entry.flow.action(current)
            if action is None:
                self._end("error", f"transition to missing action {current!r}", frame, current)
                return
            if len(self.result.steps) >= self.step_limit:
                limit = f"step limit {self.step_limit} reached (endless loop?)"
                self._end("error", limit, frame, current)
                return
            if self.keep_states:
                self.result.states.append(copy.deepcopy(self.state))
            self.step_start = self.clock
            self.wait(SECONDS["block"])
            outcome = self._execute(frame, action)
            current = self._follow(frame, action, outcome)

    def _execute(self, frame: _Frame, action: Action) -> Outcome:
        forced = self.forced(action)
        if forced is not None:
            return self._apply_forced(frame, action, forced)
        handler = HANDLERS.get(action.type)
        if handler is None:
            raise self.need(
                frame,
                action,
                f"given.outcomes[{action.identifier!r}]",
                f"the simulator has no behaviour for {action.type}; give its outcome",
                self.outcome_options(action),
            )
        return handler(self, frame, action)

    def _apply_forced(self, frame: _Frame, action: Action, item: Any) -> Outcome:
        self.event("forced", f"{action.type}: {item}", frame, action)
        mock = self._native_mock(frame, action, item)
        if mock is not None:
            self.result.mocks.append(mock)
        self.result.forced.append(
            (frame.entry.name, action.identifier, action.type, item, mock is not None)
        )
        if item == "success":
            if action.type == "TransferToFlow":
                return _transfer_flow(self, frame, action)
            if action.type in LEAVE_TYPES:
                queue = as_text(self.state["Queue"].get("ARN")) or "(forced)"
                return Outcome("leave", "queue", queue)
            return SUCCESS
        if "error" in item:
            return Outcome("error", item["error"])
        if "result" in item:
            self.state["External"] = dict(item["result"])
            return SUCCESS
        data = item.get("data")
        if isinstance(data, Mapping):
            self.state.setdefault("External", {}).update(data)
        return Outcome("value", as_text(item["value"]))

    def _native_mock(self, frame: _Frame, action: Action, item: Any) -> tuple[str, str, Any] | None:
        """The test-case override a forced outcome amounts to (None: Connect has none)."""
        params = action.parameters
        if action.type == "InvokeLambdaFunction":
            ref = as_text(self.value(params.get("LambdaFunctionARN"), frame))
            if item == "success":
                return ("lambda", ref, {"result": {}})
            if "error" in item and item["error"] in LAMBDA_ERRORS:
                return ("lambda", ref, {"error": item["error"]})
            if "result" in item:
                return ("lambda", ref, {"result": dict(item["result"])})
            return None
        if action.type == "CheckHoursOfOperation" and isinstance(item, Mapping):
            ref = as_text(self.value(params.get("HoursOfOperationId"), frame))
            if "error" in item:
                return ("hours", ref, "error") if ref else None
            value = as_text(item.get("value")).lower()
            return ("hours", ref, value == "true") if ref and value in ("true", "false") else None
        if action.type == "ConnectParticipantWithLexBot" and isinstance(item, Mapping):
            bot = params.get("LexV2Bot")
            alias = (
                as_text(self.value(bot.get("AliasArn"), frame)) if isinstance(bot, Mapping) else ""
            )
            if not alias:
                return None
            if "error" in item:
                return ("lex", alias, {"error": lex_error(str(item["error"]))})
            return ("lex", alias, {"intent": as_text(item.get("value"))})
        if action.type in ("TransferContactToQueue", "DequeueContactAndTransferToQueue"):
            queue = as_text(self.value(params.get("QueueId"), frame)) or as_text(
                self.state["Queue"].get("ARN")
            )
            if isinstance(item, Mapping) and item.get("error") in QUEUE_ERRORS and queue:
                return ("queue", queue, item["error"])
        return None

    def _record(self, frame: _Frame, action: Action, branch: str | None) -> None:
        self.result.steps.append(
            Step(
                frame.entry.name,
                action.identifier,
                action.type,
                branch,
                round(self.step_start, 3),
            )
        )
        if branch is not None:
            self.result.branches.add((frame.entry.key, action.identifier, branch))

    def _follow(self, frame: _Frame, action: Action, outcome: Outcome) -> str | None:
        tr = action.transitions
        if outcome.kind in ("end", "leave", "enter", "pop"):
            branch = "success" if action.type in LEAVE_TYPES else None
            self._record(frame, action, branch)
            return self._after_special(frame, action, outcome)
        errors = tr.error_targets()
        if outcome.kind == "success":
            self._record(frame, action, "success" if tr.next_action else None)
            return tr.next_action or None
        if outcome.kind == "value":
            for i, cond in enumerate(tr.conditions):
                if cond.operands and condition_holds(
                    cond.operator, outcome.value, cond.operands[0]
                ):
                    self._record(frame, action, f"condition:{i}")
                    return cond.next_action or None
            if NO_MATCHING_CONDITION in errors:
                self._record(frame, action, f"error:{NO_MATCHING_CONDITION}")
                return errors[NO_MATCHING_CONDITION] or None
            self._record(frame, action, "success" if tr.next_action else None)
            return tr.next_action or None
        # error
        for error_type in (outcome.value, NO_MATCHING_ERROR):
            if error_type in errors:
                self._record(frame, action, f"error:{error_type}")
                self.event("error", f"{action.type} raised {outcome.value}", frame, action)
                return errors[error_type] or None
        self._record(frame, action, None)
        self.event(
            "error", f"{action.type} raised {outcome.value} (no error branch)", frame, action
        )
        return None

    def _after_special(self, frame: _Frame, action: Action, outcome: Outcome) -> str | None:
        if outcome.kind == "end":
            return self._end(outcome.value, outcome.detail, frame, action.identifier)
        if outcome.kind == "pop":
            return self._pop(frame)
        if outcome.kind == "enter":
            assert outcome.target is not None
            if action.type == "InvokeFlowModule":
                self.frames.append(_Frame(outcome.target, "module", resume=action))
            else:  # TransferToFlow: the contact continues in the other flow
                self.frames[-1] = _Frame(outcome.target, frame.role)
            return outcome.target.flow.start_action
        return self._end("queue", outcome.detail, frame, action.identifier)

    def _pop(self, frame: _Frame) -> str | None:
        self.frames.pop()
        if frame.role == "module" and frame.resume is not None and self.frames:
            caller = self.frames[-1]
            resume = frame.resume
            self.event("module", f"returned from module {frame.entry.name}", caller, resume)
            if resume.transitions.next_action:
                self.result.branches.add((caller.entry.key, resume.identifier, "success"))
                return resume.transitions.next_action
            return self._fall_off(caller)
        if frame.role == "hook":
            return self._next_hook()
        if not self.frames and self.result.end is None:
            self.result.end = EndState("end-flow", "the module ended", frame.entry.name, "")
        return None

    def _fall_off(self, frame: _Frame) -> str | None:
        """A branch with no target: a module returns, a hook ends, a flow disconnects."""
        if frame.role == "main":
            return self._end(
                "unconnected", "a branch with no next block ended the contact", frame, ""
            )
        return self._pop(frame)

    def _end(self, kind: str, detail: str, frame: _Frame, action: str) -> str | None:
        if frame.role == "hook" and kind in ("end-flow", "unconnected"):
            self.frames.pop()
            return self._next_hook()
        self.result.end = EndState(kind, detail, frame.entry.name, action)
        self.frames.clear()
        if kind == "queue" and frame.role != "hook":
            self._queue_hooks()
            return self._next_hook()
        self.pending_hooks.clear()
        return None

    def _queue_hooks(self) -> None:
        hooks = self.state["Settings"]["EventHooks"]
        order = ["CustomerQueue"]
        if self.given.raw.get("agent_answers", True) and _queue_state(
            self.given, as_text(self.state["Queue"].get("Name", ""))
        ).get("staffed", True):
            order += ["CustomerWhisper", "AgentWhisper"]
            if self.given.raw.get("hold"):
                order += ["CustomerHold", "AgentHold"]
        for name in order:
            target = self.flows.resolve(hooks.get(name))
            if target is not None:
                self.pending_hooks.append((name, target))

    def _next_hook(self) -> str | None:
        if not self.pending_hooks:
            return None
        name, entry = self.pending_hooks.pop(0)
        self.frames.append(_Frame(entry, "hook"))
        self.result.transcript.append(
            Event(
                len(self.result.steps),
                "hook",
                f"{name} flow {entry.name}",
                entry.name,
                "",
                at=round(self.clock, 3),
            )
        )
        return entry.flow.start_action

    # -- shared handler pieces

    def set_attributes(self, frame: _Frame, action: Action, values: Mapping[str, Any]) -> None:
        for key, raw in values.items():
            val = as_text(self.value(raw, frame))
            self.state["Attributes"][key] = val
            self.event("set", f"$.Attributes.{key} = {val}", frame, action)

    def setting(self, frame: _Frame, action: Action, name: str, value: Any) -> Outcome:
        self.state["Settings"][name] = value
        self.event("set", f"{name} = {value}", frame, action)
        return SUCCESS

    def play(self, frame: _Frame, action: Action, params: Mapping[str, Any]) -> None:
        for key in ("Text", "SSML"):
            if isinstance(params.get(key), str):
                self.event("play", self.interpolate(params[key], frame), frame, action)
                return
        if params.get("PromptId"):
            prompt = as_text(self.value(params["PromptId"], frame))
            self.event("play", f"[prompt {short_ref(prompt)}]", frame, action, prompt)
        elif isinstance(params.get("Media"), Mapping):
            self.event("play", f"[media {params['Media'].get('Uri', '')}]", frame, action)


def _no_match_value(action: Action) -> str:
    operands = [c.operands[0] for c in action.transitions.conditions if c.operands]
    for candidate in ("", "no-match", "-999999", "999999", "x"):
        if not any(
            condition_holds(c.operator, candidate, c.operands[0])
            for c in action.transitions.conditions
            if c.operands
        ):
            return candidate
    return "|".join(as_text(o) for o in operands) + "-none"


# ---------------------------------------------------------------- handlers

HANDLERS: dict[str, Handler] = {}


def handles(*types: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        for t in types:
            HANDLERS[t] = func
        return func

    return register


def _success(sim: Simulator, frame: _Frame, action: Action) -> Outcome:
    sim.event("do", action.type, frame, action)
    return SUCCESS


#: Effects on systems the simulator does not model: they succeed unless a scenario forces
#: an outcome (``given.outcomes.<action id>: [{error: ...}]``).
for _t in (
    "UpdatePreviousContactParticipantState",
    "UpdateContactRoutingCriteria",
    "CreateTask",
    "CreateCallbackContact",
    "CreateCustomerProfile",
    "UpdateCustomerProfile",
    "AssociateContactToCustomerProfile",
    "CreateCase",
    "UpdateCase",
    "TagContact",
    "StartVoiceIdStream",
    "RenderMessageTemplate",
    "CompleteOutboundCall",
    "CreateContact",
    "StartOutboundEmailContact",
    "StartOutboundChatContact",
    "ResumeContact",
    "CreatePersistentContactAssociation",
):
    HANDLERS[_t] = _success


@handles("MessageParticipant")
def _message(sim: Simulator, frame: _Frame, action: Action) -> Outcome:
    sim.play(frame, action, action.parameters)
    return SUCCESS


@handles("UpdateContactAttributes")
def _attributes(sim: Simulator, frame: _Frame, action: Action) -> Outcome:
    attrs = action.parameters.get("Attributes")
    sim.set_attributes(frame, action, attrs if isinstance(attrs, Mapping) else {})
    return SUCCESS


@handles("UpdateFlowAttributes")
def _flow_attributes(sim: Simulator, frame: _Frame, action: Action) -> Outcome:
    attrs = action.parameters.get("FlowAttributes")
    for key, spec in (attrs if isinstance(attrs, Mapping) else {}).items():
        raw = spec.get("Value") if isinstance(spec, Mapping) else spec
        frame.flow_attributes[key] = as_text(sim.value(raw, frame))
        sim.event("set", f"$.FlowAttributes.{key} = {frame.flow_attributes[key]}", frame, action)
    return SUCCESS


@handles("DisconnectParticipant")
def _disconnect(sim: Simulator, frame: _Frame, action: Action) -> Outcome:
    sim.event("end", "disconnect", frame, action)
    return Outcome("end", "disconnect", "the contact was disconnected")


@handles("EndFlowExecution")
def _end_flow(sim: Simulator, frame: _Frame, action: Action) -> Outcome:
    return Outcome("end", "end-flow", "the flow ended")


@handles("EndFlowModuleExecution")
def _end_module(sim: Simulator, frame: _Frame, action: Action) -> Outcome:
    if frame.role == "module":
        return Outcome("pop")
    return Outcome("end", "end-flow", "the module ended")


@handles("TransferContactToAgent")
def _to_agent(sim: Simulator, frame: _Frame, action: Action) -> Outcome:
    sim.event("transfer", "to agent", frame, action)
    return Outcome("end", "agent", "transferred to an agent")


@handles("Compare")
def _compare(sim: Simulator, frame: _Frame, action: Action) -> Outcome:
    raw = action.parameters.get("ComparisonValue")
    value = sim.value(raw, frame)
    if value is None and isinstance(raw, str) and raw.startswith("$."):
        operands = tuple(
            satisfying_value(c.operator, c.operands[0])
            for c in action.transitions.conditions
            if c.operands
        )
        sim.result.hints.append((raw, operands))
    return Outcome("value", as_text(value))


@handles("Loop")
def _loop(sim: Simulator, frame: _Frame, action: Action) -> Outcome:
    count = _number(as_text(sim.value(action.parameters.get("LoopCount"), frame))) or 0
    key = (id(frame), action.identifier)
    done = sim.loops.get(key, 0)
    if done < count:
        sim.loops[key] = done + 1
        return Outcome("value", "ContinueLooping")
    sim.loops[key] = 0
    return Outcome("value", "DoneLooping")


@handles("DistributeByPercentage")
def _distribute(sim: Simulator, frame: _Frame, action: Action) -> Outcome:
    if not sim.given.distribute:
        bounds = [0] + [
            int(_number(c.operands[0]) or 0) for c in action.transitions.conditions if c.operands
        ]
        draws = sorted({max(1, min(100, b)) for b in bounds} | {100})
        raise sim.need(
            frame,
            action,
            "given.distribute",
            "give the number (1-100) the percentage draw takes",
            [((("distribute",), d),) for d in draws],
        )
    draw = sim.given.distribute.popleft()
    sim.event("draw", f"percentage draw {draw}", frame, action)
    return Outcome("value", str(draw))


def _digits_options(action: Action) -> list[tuple[Patch, ...]]:
    opts: list[tuple[Patch, ...]] = []
    for cond in action.transitions.conditions:
        if cond.operands:
            opts.append(((("inputs",), satisfying_value(cond.operator, cond.operands[0])),))
    if action.parameters.get("StoreInput") in ("True", "true", True):
        opts.append(((("inputs",), "12345"),))
    else:
        opts.append(((("inputs",), _no_match_value(action) or "0"),))
    opts.append(((("inputs",), "timeout"),))
    return opts


@handles("GetParticipantInput")
def _get_input(sim: Simulator, frame: _Frame, action: Action) -> Outcome:
    sim.play(frame, action, action.parameters)
    if not sim.given.inputs:
        raise sim.need(
            frame,
            action,
            "given.inputs",
            "give the caller's next key presses (or timeout)",
            _digits_options(action),
        )
    item = sim.given.inputs.popleft()
    if item == "timeout":
        limit = _number(as_text(sim.value(action.parameters.get("InputTimeLimitSeconds"), frame)))
        sim.wait(SECONDS["input_timeout"] if limit is None else limit)
        sim.event("input", "(no input: timeout)", frame, action, "timeout")
        return Outcome("error", "InputTimeLimitExceeded")
    digits = item["say"] if isinstance(item, Mapping) else as_text(item)
    sim.wait(SECONDS["answer"])
    sim.event("input", f"caller: {digits}", frame, action, digits)
    if action.parameters.get("StoreInput") in ("True", "true", True):
        validation = action.parameters.get("InputValidation")
        if isinstance(validation, Mapping) and "PhoneNumberValidation" in validation:
            if not _is_phone(digits if digits.startswith("+") else f"+{digits}"):
                return Outcome("error", "InvalidPhoneNumber")
        sim.state["StoredCustomerInput"] = digits
        return SUCCESS
    return Outcome("value", digits)


def _lambda_key(sim: Simulator, ref: str) -> str | None:
    for key in (ref, short_ref(ref), f"lambda:{short_ref(ref)}"):
        if key in sim.given.lambdas:
            return key
    return None


@handles("InvokeLambdaFunction")
def _lambda(sim: Simulator, frame: _Frame, action: Action) -> Outcome:
    ref = as_text(sim.value(action.parameters.get("LambdaFunctionARN"), frame))
    key = _lambda_key(sim, ref)
    if key is None or not sim.given.lambdas[key]:
        path = ("lambdas", ref)
        raise sim.need(
            frame,
            action,
            f"given.lambdas[{ref!r}]",
            f"give the response of Lambda {ref!r} (result or error), in call order",
            [
                ((path, {"result": {}}),),
                ((path, {"error": "TimeLimitExceeded"}),),
                ((path, {"error": "NoMatchingError"}),),
            ],
        )
    response = sim.given.lambdas[key].popleft()
    sim.wait(float(response.get("delay", 0)))
    sim.result.mocks.append(("lambda", ref, response))
    if "error" in response:
        sim.event("lambda", f"{short_ref(ref)} -> error {response['error']}", frame, action)
        return Outcome("error", response["error"])
    result = {
        k: v if isinstance(v, (dict, list)) else as_text(v) for k, v in response["result"].items()
    }
    sim.state["External"] = result
    sim.state["LambdaInvocation"] = {"ResultData": result}
    sim.event("lambda", f"{short_ref(ref)} -> {result}", frame, action)
    return SUCCESS


@handles("ConnectParticipantWithLexBot")
def _lex(sim: Simulator, frame: _Frame, action: Action) -> Outcome:
    sim.play(frame, action, action.parameters)
    if sim.given.inputs and isinstance(sim.given.inputs[0], Mapping):
        said = str(sim.given.inputs.popleft()["say"])
        sim.wait(SECONDS["answer"])
        sim.event("input", f"caller says: {said}", frame, action, f"say:{said}")
    if not sim.given.lex:
        opts: list[tuple[Patch, ...]] = [
            ((("lex",), {"intent": as_text(c.operands[0])}),)
            for c in action.transitions.conditions
            if c.operands
        ]
        opts += [((("lex",), {"intent": "FallbackIntent"}),)]
        opts += [((("lex",), {"error": e}),) for e in LEX_ERRORS]
        raise sim.need(
            frame, action, "given.lex", "give the Lex result (intent and slots, or error)", opts
        )
    response = sim.given.lex.popleft()
    if "error" in response:
        response = {**response, "error": lex_error(str(response["error"]))}
    sim.wait(SECONDS["lex"])
    bot = action.parameters.get("LexV2Bot")
    alias = as_text(sim.value(bot.get("AliasArn"), frame)) if isinstance(bot, Mapping) else ""
    sim.result.mocks.append(("lex", alias, response))
    if "error" in response:
        sim.event("lex", f"Lex error {response['error']}", frame, action)
        return Outcome("error", response["error"])
    sim.state["Lex"] = {
        "IntentName": response["intent"],
        "Slots": {k: as_text(v) for k, v in (response.get("slots") or {}).items()},
        "IntentConfidence": {"Score": as_text(response.get("confidence", 1))},
        "SessionAttributes": dict(response.get("session") or {}),
    }
    sim.event("lex", f"intent {response['intent']}", frame, action)
    return Outcome("value", response["intent"])


@handles("CheckHoursOfOperation")
def _hours(sim: Simulator, frame: _Frame, action: Action) -> Outcome:
    ref = (
        as_text(sim.value(action.parameters.get("HoursOfOperationId"), frame))
        or "(the queue's hours)"
    )
    result: Any = None
    given = sim.given
    if ref in given.hours and given.hours[ref]:
        result = given.hours[ref][0] if ref in given.hours_sticky else given.hours[ref].popleft()
    elif given.hours_all is not None:
        result = given.hours_all
    if isinstance(result, Mapping):
        if not given.time:
            raise sim.need(frame, action, "given.time", "give the time of day to check hours", [])
        result = _in_schedule(result, str(given.time))
    if result is None:
        path = ("hours", ref)
        raise sim.need(
            frame,
            action,
            f"given.hours[{ref!r}]",
            f"give the hours result for {ref!r} (open, closed or error)",
            [((path, "open"),), ((path, "closed"),), ((path, "error"),)],
        )
    is_open = result in (True, "open")
    sim.result.mocks.append(("hours", ref, "error" if result == "error" else is_open))
    if result == "error":
        return Outcome("error", NO_MATCHING_ERROR)
    sim.event("hours", f"{short_ref(ref)}: {'open' if is_open else 'closed'}", frame, action)
    return Outcome("value", "True" if is_open else "False")


@handles("UpdateContactTargetQueue")
def _target_queue(sim: Simulator, frame: _Frame, action: Action) -> Outcome:
    queue = as_text(sim.value(action.parameters.get("QueueId"), frame))
    if not queue:
        agent = as_text(sim.value(action.parameters.get("AgentId"), frame))
        if not agent:
            return Outcome("error", NO_MATCHING_ERROR)
        queue = f"agent:{short_ref(agent)}"
    sim.state["Queue"] = {"Name": short_ref(queue), "ARN": queue}
    sim.event("set", f"target queue = {queue}", frame, action)
    return SUCCESS


def _enqueue(sim: Simulator, frame: _Frame, action: Action, queue: str) -> Outcome:
    if not queue:
        sim.event("error", "no target queue set", frame, action)
        return Outcome("error", NO_MATCHING_ERROR)
    state = _queue_state(sim.given, queue)
    if state.get("at_capacity"):
        sim.result.mocks.append(("queue", queue, "QueueAtCapacity"))
        sim.event("queue", f"{queue} is at capacity", frame, action, queue)
        return Outcome("error", "QueueAtCapacity")
    if state.get("error"):
        sim.result.mocks.append(("queue", queue, str(state["error"])))
        sim.event("queue", f"the transfer to {queue} failed", frame, action, queue)
        return Outcome("error", str(state["error"]))
    sim.event("queue", f"queued in {queue}", frame, action, queue)
    return Outcome("leave", "queue", queue)


@handles("TransferContactToQueue")
def _to_queue(sim: Simulator, frame: _Frame, action: Action) -> Outcome:
    return _enqueue(sim, frame, action, as_text(sim.state["Queue"].get("ARN")))


@handles("DequeueContactAndTransferToQueue")
def _dequeue(sim: Simulator, frame: _Frame, action: Action) -> Outcome:
    queue = as_text(sim.value(action.parameters.get("QueueId"), frame))
    if queue:
        sim.state["Queue"] = {"Name": short_ref(queue), "ARN": queue}
    return _enqueue(sim, frame, action, queue)


@handles("TransferToFlow")
def _transfer_flow(sim: Simulator, frame: _Frame, action: Action) -> Outcome:
    ref = as_text(sim.value(action.parameters.get("ContactFlowId"), frame))
    target = sim.flows.resolve(ref)
    sim.result.transfers.append(ref)
    if target is None:
        sim.event("transfer", f"to flow {ref} (not in the flows folder)", frame, action)
        return Outcome("end", "transfer", ref)
    sim.event("transfer", f"to flow {target.name}", frame, action)
    return Outcome("enter", target=target)


@handles("InvokeFlowModule")
def _module(sim: Simulator, frame: _Frame, action: Action) -> Outcome:
    ref = as_text(sim.value(action.parameters.get("FlowModuleId"), frame))
    target = sim.flows.resolve(ref)
    if target is None:
        raise sim.need(
            frame,
            action,
            f"given.outcomes[{action.identifier!r}]",
            f"module {ref!r} is not in the flows folder; give its outcome",
            sim.outcome_options(action),
        )
    sim.event("module", f"enter module {target.name}", frame, action)
    return Outcome("enter", target=target)


@handles("UpdateContactEventHooks")
def _hooks(sim: Simulator, frame: _Frame, action: Action) -> Outcome:
    hooks = action.parameters.get("EventHooks")
    for name, ref in (hooks if isinstance(hooks, Mapping) else {}).items():
        sim.state["Settings"]["EventHooks"][name] = as_text(sim.value(ref, frame))
        sim.event("set", f"event hook {name} = {ref}", frame, action)
    return SUCCESS


@handles("UpdateFlowLoggingBehavior")
def _logging(sim: Simulator, frame: _Frame, action: Action) -> Outcome:
    return sim.setting(frame, action, "Logging", action.parameters.get("FlowLoggingBehavior"))


@handles("UpdateContactRecordingBehavior", "UpdateContactRecordingAndAnalyticsBehavior")
def _recording(sim: Simulator, frame: _Frame, action: Action) -> Outcome:
    return sim.setting(frame, action, "Recording", dict(action.parameters))


@handles("UpdateContactMediaStreamingBehavior")
def _streaming(sim: Simulator, frame: _Frame, action: Action) -> Outcome:
    return sim.setting(
        frame, action, "MediaStreaming", action.parameters.get("MediaStreamingState")
    )


@handles("UpdateContactTextToSpeechVoice")
def _voice(sim: Simulator, frame: _Frame, action: Action) -> Outcome:
    return sim.setting(frame, action, "Voice", action.parameters.get("TextToSpeechVoice"))


@handles("UpdateContactRoutingBehavior")
def _routing(sim: Simulator, frame: _Frame, action: Action) -> Outcome:
    return sim.setting(frame, action, "Routing", dict(action.parameters))


@handles("UpdateContactData")
def _contact_data(sim: Simulator, frame: _Frame, action: Action) -> Outcome:
    lang = action.parameters.get("LanguageCode")
    if lang:
        sim.state["LanguageCode"] = as_text(sim.value(lang, frame))
    return sim.setting(frame, action, "ContactData", dict(action.parameters))


@handles("CreateWisdomSession")
def _wisdom(sim: Simulator, frame: _Frame, action: Action) -> Outcome:
    sim.state["Wisdom"] = {"SessionArn": "arn:aws:wisdom:::session/simulated"}
    return sim.setting(frame, action, "Wisdom", action.parameters.get("WisdomAssistantArn"))


@handles("UpdateContactCallbackNumber")
def _callback_number(sim: Simulator, frame: _Frame, action: Action) -> Outcome:
    number = as_text(sim.value(action.parameters.get("CallbackNumber"), frame))
    if not _is_phone(number):
        sim.event("error", f"callback number {number!r} is not E.164", frame, action)
        return Outcome("error", "InvalidCallbackNumber")
    sim.state["Settings"]["CallbackNumber"] = number
    sim.event("set", f"callback number = {number}", frame, action)
    return SUCCESS


@handles("TransferParticipantToThirdParty")
def _third_party(sim: Simulator, frame: _Frame, action: Action) -> Outcome:
    number = as_text(sim.value(action.parameters.get("ThirdPartyPhoneNumber"), frame))
    sim.result.transfers.append(number)
    sim.event("transfer", f"to number {number}", frame, action)
    if as_text(action.parameters.get("ContinueFlowExecution")).lower() == "true":
        return SUCCESS
    return Outcome("end", "number", number)


@handles("MessageParticipantIteratively")
def _iterative(sim: Simulator, frame: _Frame, action: Action) -> Outcome:
    messages = action.parameters.get("Messages")
    for msg in messages if isinstance(messages, list) else []:
        if isinstance(msg, Mapping):
            sim.play(frame, action, msg)
    if action.transitions.conditions and sim.given.interruptions > 0:
        sim.given.interruptions -= 1
        return Outcome("value", "MessagesInterrupted")
    # The messages loop until the contact leaves: an agent answers, or the hold ends.
    sim.event("wait", "messages play until the contact leaves this flow", frame, action)
    return Outcome("end", "end-flow", "waiting ended")


def _needs_outcome(sim: Simulator, frame: _Frame, action: Action) -> Outcome:
    values = ", ".join(as_text(c.operands[0]) for c in action.transitions.conditions if c.operands)
    hint = f" (a value such as {values}, or success/error)" if values else " (success or error)"
    raise sim.need(
        frame,
        action,
        f"given.outcomes[{action.identifier!r}]",
        f"give the result of {action.type}{hint}",
        sim.outcome_options(action),
    )


#: Results only the outside world knows (customer profiles, cases, Voice ID, views,
#: waits, outbound call status): the scenario gives them in ``given.outcomes``.
for _t in (
    "ShowView",
    "Wait",
    "CheckVoiceId",
    "CheckOutboundCallStatus",
    "AuthenticateParticipant",
    "GetCustomerProfile",
    "GetCustomerProfileObject",
    "GetCalculatedAttributesForCustomerProfile",
    "CheckSegmentMembershipForCustomerProfile",
    "GetCase",
):
    HANDLERS[_t] = _needs_outcome


@handles("CheckMetricData")
def _check_metric(sim: Simulator, frame: _Frame, action: Action) -> Outcome:
    queue = as_text(sim.value(action.parameters.get("QueueId"), frame)) or as_text(
        sim.state["Queue"].get("ARN")
    )
    metric = as_text(action.parameters.get("MetricType")) or "metric"
    metrics = _queue_state(sim.given, queue).get("metrics") or {}
    if metric not in metrics:
        path = ("outcomes", action.identifier)
        opts = [
            ((path, {"value": satisfying_value(c.operator, c.operands[0])}),)
            for c in action.transitions.conditions
            if c.operands
        ]
        opts.append(((path, {"value": _no_match_value(action)}),))
        raise sim.need(
            frame,
            action,
            f"given.queues[{queue or 'queue:<name>'!r}].metrics.{metric}",
            f"give {metric} of queue {queue or '(current)'}",
            opts,
        )
    return Outcome("value", as_text(metrics[metric]))


@handles("GetMetricData")
def _get_metric(sim: Simulator, frame: _Frame, action: Action) -> Outcome:
    queue = as_text(sim.value(action.parameters.get("QueueId"), frame)) or as_text(
        sim.state["Queue"].get("ARN")
    )
    metrics = _queue_state(sim.given, queue).get("metrics")
    if metrics is None:
        raise sim.need(
            frame,
            action,
            f"given.queues[{queue or 'queue:<name>'!r}].metrics",
            f"give the metrics of queue {queue or '(current)'}",
            sim.outcome_options(action),
        )
    sim.state["Metrics"] = {k: as_text(v) for k, v in metrics.items()}
    return SUCCESS


def simulate(
    flows: FlowSet,
    entry: str,
    given: Mapping[str, Any] | None = None,
    *,
    channel: str = "VOICE",
    step_limit: int = DEFAULT_STEP_LIMIT,
) -> RunResult:
    """Run one contact from the flow named ``entry``."""
    return Simulator(flows, given, channel=channel, step_limit=step_limit).run(
        flows.entry_flow(entry)
    )
