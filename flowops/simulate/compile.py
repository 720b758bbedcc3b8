"""Scenario -> Amazon Connect test case (the Testing language), for one environment.

The compiler reads the scenario *and its offline run*: the run says in which order the
caller hears prompts and answers them, which Lambda, Lex, hours and queue answers the
flow asks for, and how the contact ends. From it the test case gets

- one ``TestInitiated`` group that installs every override, in the order the run used
  them (overrides are single-use and FIFO per resource in Connect); a forced outcome of
  a Lambda, hours, Lex or queue-transfer block is such an override too;
- in path order, one ``MessageReceived`` group per prompt the caller answers (with the
  key presses or utterance as a SendInstruction) and per prompt the scenario expects, and
  one ``FlowActionStarted`` group per Lambda, hours or Lex block in ``visits``;
- each attribute check on the first group after its value is set (an Assert reads the
  contact when its group matches), adding a group on a later prompt or block if needed;
- a last group with the queue check and ``EndTest``: on the ``FlowActionStarted
  TransferContactToQueue`` event when the contact is queued, so the test always ends
  before the queue transfer and no live agent is ever rung.

Expectations the Testing language cannot express are listed with the reason
(:attr:`CompiledTestCase.offline_only`); the offline run checks them.

References are resolved by a caller-supplied function (symbolic -> the environment's ARN),
so this module stays free of any AWS client. Where AWS's docs disagree (reference
section 4), each choice is one :class:`CompileSettings` field with the default the
evidence favours.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator

from flowops.errors import BadInputError
from flowops.simulate.engine import LEX_MOCK_ERRORS, RunResult, lex_error
from flowops.simulate.expect import text_matches
from flowops.simulate.scenario import Scenario

Resolver = Callable[[str], str]
"""Symbolic reference (``queue:Support``) -> this environment's ARN; raises when unknown."""


@dataclass(frozen=True)
class CompileSettings:
    """The choices AWS's docs leave open (docs/native-tests.md), with their defaults."""

    #: Testing-language Version: "2019-10-30" (devguide, three independent builders) or
    #: "2025-06-21" (API Reference pages).
    version: str = "2019-10-30"
    #: Customer speech: "TextUtterance" with Text and LanguageCode (AWS docs) or
    #: "Utterance" with Value (one third-party compiler's live finding).
    utterance: str = "TextUtterance"
    #: Lambda mock payload key: "LoadedData" (AWS docs) or "Value" (a third-party note).
    lambda_payload: str = "LoadedData"
    #: Hours results: "substitute" (SubstituteResource with always-open / always-closed
    #: hours; the reference's advice, as hours MockResponses were reported rejected) or
    #: "mock" (MockResponse InHours/OutOfHours, as documented).
    hours: str = "substitute"
    always_open_hours: str = "hours:flowops-always-open"
    always_closed_hours: str = "hours:flowops-always-closed"
    #: How MessageReceived matches: "Inclusion" (contains; deterministic) or "Similarity".
    matching: str = "Inclusion"
    name_prefix: str = "flowops-"
    language: str = "en-US"

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> CompileSettings:
        """Settings from an environment's ``testing`` section."""
        known = set(cls.__dataclass_fields__)
        unknown = set(data or {}) - known
        if unknown:
            raise BadInputError(f"testing: unknown setting(s) {', '.join(sorted(unknown))}")
        return cls(**dict(data or {}))


class Uncompilable(BadInputError):
    """A scenario that has no native equivalent (reported as skipped, with the reason)."""


@dataclass(frozen=True)
class CompiledTestCase:
    """What CreateTestCase / UpdateTestCase take."""

    name: str
    scenario: str
    content: dict[str, Any]
    entry_point: dict[str, Any]
    initialization_data: str
    description: str
    tags: Mapping[str, str] = field(default_factory=dict)
    #: Expectations the Testing language cannot express, and why: checked offline only.
    offline_only: tuple[str, ...] = ()

    @property
    def content_text(self) -> str:
        """Content as sent: canonical JSON, so unchanged scenarios compare equal."""
        return json.dumps(self.content, sort_keys=True, separators=(",", ":"))


@cache
def testing_language_schema() -> dict[str, Any]:
    """JSON Schema of test-case Content (the shapes of the reference, section 3)."""
    text = resources.files("flowops.simulate").joinpath("testcase.schema.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


def content_problems(content: Any) -> list[str]:
    """Why Content is not valid Testing language ([] when it is)."""
    validator = Draft202012Validator(testing_language_schema())
    out = []
    for err in sorted(validator.iter_errors(content), key=lambda e: list(map(str, e.path))):
        where = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err.path)
        out.append(f"{where}: {err.message}"[:256])
    return out


def owned_name(scenario: str, prefix: str = "flowops-") -> str:
    """The name flowops owns for a scenario's test case."""
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", scenario).strip("-")
    return (prefix + slug)[:127]


class _Builder:
    def __init__(self, settings: CompileSettings, resolve: Resolver) -> None:
        self.settings = settings
        self.resolve = resolve
        self.observations: list[dict[str, Any]] = []

    def observation(self, event_type: str, properties: dict[str, Any]) -> dict[str, Any]:
        ident = "setup" if event_type == "TestInitiated" else f"step-{len(self.observations)}"
        obs: dict[str, Any] = {
            "Identifier": ident,
            "Event": {
                "Identifier": f"{ident}-event",
                "Type": event_type,
                "Actor": "System",
                "Properties": properties,
            },
            "Actions": [],
            "Transitions": {"NextObservations": []},
        }
        if self.observations:
            self.observations[-1]["Transitions"]["NextObservations"] = [ident]
        self.observations.append(obs)
        return obs

    @staticmethod
    def add(obs: dict[str, Any], action_type: str, parameters: dict[str, Any]) -> None:
        actions = obs["Actions"]
        ident = f"{obs['Identifier']}-{len(actions) + 1}"
        if actions:
            actions[-1]["Transitions"] = {"NextAction": ident}
        actions.append(
            {"Identifier": ident, "Type": action_type, "Parameters": parameters, "Transitions": {}}
        )

    def override(
        self,
        obs: dict[str, Any],
        action_type: str,
        params: dict[str, Any],
        strategy: dict[str, Any],
    ) -> None:
        self.add(
            obs,
            "OverrideSystemBehavior",
            {
                "ActionType": "OverrideSystemBehavior",
                "Behavior": {
                    "Type": "FlowAction",
                    "Properties": {
                        "ActionType": action_type,
                        "ActionParameters": params,
                        "Strategy": strategy,
                    },
                },
            },
        )

    def mock(
        self, result: dict[str, Any] | None = None, error: str | None = None, delay: float = 0
    ) -> dict[str, Any]:
        if error is not None:
            failure: dict[str, Any] = {"Value": error}
            if delay:
                failure["DelaySeconds"] = delay
            return {"Type": "MockResponse", "Response": {"Type": "Error", "Error": failure}}
        return {
            "Type": "MockResponse",
            "Response": {"Type": "ExecutionResult", "ExecutionResult": result or {}},
        }

    def payload(self, data: Any, delay: float = 0) -> dict[str, Any]:
        return {
            "DelaySeconds": delay,
            self.settings.lambda_payload: json.dumps(data, sort_keys=True),
        }

    def overrides(self, setup: dict[str, Any], run: RunResult) -> None:
        for kind, resource, answer in run.mocks:
            arn = self.resolve(resource)
            if kind == "lambda":
                params: dict[str, Any] = {"LambdaFunctionARN": arn}
                delay = answer.get("delay", 0)
                if "error" in answer:
                    strategy = self.mock(error=answer["error"], delay=delay)
                else:
                    strategy = self.mock(self.payload(answer["result"], delay))
                self.override(setup, "InvokeLambdaFunction", params, strategy)
            elif kind == "lex":
                params = {"LexV2Bot": {"AliasArn": arn}}
                if "error" in answer:
                    error = LEX_MOCK_ERRORS.get(lex_error(answer["error"]), "TimeLimitExceeded")
                    strategy = self.mock(error=error)
                else:
                    data = {"IntentName": answer["intent"], "Slots": answer.get("slots") or {}}
                    strategy = self.mock(self.payload(data))
                self.override(setup, "ConnectParticipantWithLexBot", params, strategy)
            elif kind == "hours":
                params = {"HoursOfOperationId": arn}
                if answer == "error":
                    strategy = self.mock(error="NoMatchingError")
                elif self.settings.hours == "mock":
                    strategy = self.mock({"Value": "InHours" if answer else "OutOfHours"})
                else:
                    ref = (
                        self.settings.always_open_hours
                        if answer
                        else self.settings.always_closed_hours
                    )
                    strategy = {"Type": "SubstituteResource", "SubstituteArn": self.resolve(ref)}
                self.override(setup, "CheckHoursOfOperation", params, strategy)
            elif kind == "queue":
                self.override(
                    setup, "TransferContactToQueue", {"QueueId": arn}, self.mock(error=answer)
                )

    def instruction(self, value: str) -> dict[str, Any]:
        if value.startswith("say:"):
            text = value[4:]
            if self.settings.utterance == "Utterance":
                instruction = {
                    "Type": "Utterance",
                    "Properties": {"Value": text, "LanguageCode": self.settings.language},
                }
            else:
                instruction = {
                    "Type": "TextUtterance",
                    "Properties": {"Text": text, "LanguageCode": self.settings.language},
                }
        else:
            instruction = {"Type": "DtmfInput", "Properties": {"Value": value}}
        return {"ActionType": "SendInstruction", "Actor": "Customer", "Instruction": instruction}

    def message(self, text: str, prompt: str) -> dict[str, Any]:
        criteria = {"MatchingCriteria": {"Type": self.settings.matching}}
        if prompt:
            return {"PromptId": self.resolve(prompt), **criteria}
        return {"Text": text, **criteria}


_QUEUE_TYPES = ("TransferContactToQueue", "DequeueContactAndTransferToQueue")

#: FlowActionStarted events (besides the queue transfer) and the resource each names.
_OBSERVABLE = {
    "InvokeLambdaFunction": ("lambda", "LambdaFunctionARN"),
    "CheckHoursOfOperation": ("hours", "HoursOfOperationId"),
    "ConnectParticipantWithLexBot": ("lex", "LexV2Bot"),
}

#: Expectation kinds the Testing language cannot express, and why (docs/native-tests.md).
_OFFLINE_ONLY = {
    "ends": "only a queue transfer ends a test case observably; a disconnect, a transfer "
    "to a flow or number, or an agent has no event",
    "transfers": "a transfer to a flow or a number has no test-case event",
    "not_prompts": "an observation waits for an event; none fails when one happens "
    "(unmatched groups at EndTest are undocumented)",
    "never": "no test-case event fails when a block runs",
    "max_blocks": "test cases do not count blocks",
}


def _observable(run: RunResult, cut: int) -> dict[int, tuple[str, str]]:
    """Steps (before the cut) a FlowActionStarted event names: step -> (type, resource).
    The n-th Lambda (hours, Lex) step used the n-th Lambda (hours, Lex) answer."""
    answers: dict[str, list[str]] = {}
    for kind, resource, _ in run.mocks:
        answers.setdefault(kind, []).append(resource)
    used: dict[str, int] = {}
    out: dict[int, tuple[str, str]] = {}
    for i, step in enumerate(run.steps):
        if step.type not in _OBSERVABLE:
            continue
        kind = _OBSERVABLE[step.type][0]
        n = used.get(kind, 0)
        used[kind] = n + 1
        if i < cut and n < len(answers.get(kind, ())):
            out[i] = (step.type, answers[kind][n])
    return out


def _last_set(run: RunResult, key: str) -> int:
    """The step that last set ``$.Attributes.<key>`` (-1: the run never set it)."""
    prefix = f"$.Attributes.{key} = "
    return max(
        (e.step for e in run.transcript if e.kind == "set" and e.text.startswith(prefix)),
        default=-1,
    )


@dataclass
class _Point:
    """One observation to be: where on the offline path (step, transcript line; -1 for a
    block's start), what event, the Asserts it carries and the caller's answer."""

    where: tuple[int, int]
    kind: str  # message | action | queue
    text: str = ""
    ref: str = ""
    action: str = ""
    asserts: list[dict[str, Any]] = field(default_factory=list)
    answer: str | None = None

    def emit(self, b: _Builder) -> dict[str, Any]:
        if self.kind == "message":
            obs = b.observation("MessageReceived", b.message(self.text, self.ref))
        elif self.kind == "queue":
            params = {"QueueId": b.resolve(self.ref)}
            obs = b.observation(
                "FlowActionStarted",
                {"ActionType": "TransferContactToQueue", "ActionParameters": params},
            )
        else:
            resource = b.resolve(self.ref)
            key = _OBSERVABLE[self.action][1]
            value: Any = {"AliasArn": resource} if key == "LexV2Bot" else resource
            obs = b.observation(
                "FlowActionStarted",
                {"ActionType": self.action, "ActionParameters": {key: value}},
            )
        if self.answer is not None and self.answer != "timeout":
            b.add(obs, "SendInstruction", b.instruction(self.answer))
        for check in self.asserts:
            b.add(obs, "Assert", check)
        return obs


class _Points:
    """The observations of a test case's path, kept in the offline run's order."""

    def __init__(
        self, run: RunResult, plays: list[int], observable: dict[int, tuple[str, str]]
    ) -> None:
        self.run = run
        self.plays = plays
        self.observable = observable
        self.points: dict[tuple[int, int], _Point] = {}

    def ordered(self) -> list[_Point]:
        return [self.points[k] for k in sorted(self.points)]

    def message(self, line: int, text: str | None = None) -> _Point:
        event = self.run.transcript[line]
        where = (event.step, line)
        if where not in self.points:
            self.points[where] = _Point(where, "message", text or event.text, event.ref)
        return self.points[where]

    def action(self, step: int) -> _Point:
        where = (step, -1)
        if where not in self.points:
            kind, resource = self.observable[step]
            self.points[where] = _Point(where, "action", ref=resource, action=kind)
        return self.points[where]

    def visit(self, spec: str, cut: int) -> _Point | None:
        for i, s in enumerate(self.run.steps[:cut]):
            if spec in (s.action, s.type, f"{s.flow}/{s.action}") and i in self.observable:
                return self.action(i)
        return None

    def _signature(self, where: tuple[int, int]) -> tuple[str, str, str]:
        if where[1] < 0:
            return ("action", *self.observable[where[0]])
        event = self.run.transcript[where[1]]
        return ("message", event.text, event.ref)

    def _unambiguous(self, where: tuple[int, int]) -> bool:
        """No same event between the previous observation and this one (Connect matches
        the first occurrence after the previous observation)."""
        before = max((k for k in self.points if k < where), default=(0, -1))
        mine = self._signature(where)
        candidates = [(self.run.transcript[n].step, n) for n in self.plays]
        candidates += [(i, -1) for i in self.observable]
        return not any(before < c < where and self._signature(c) == mine for c in candidates)

    def after(self, step: int, queue: _Point | None) -> _Point | None:
        """The first observation at which the state set by ``step`` is visible: an existing
        one, else a new one on the next prompt or observable block, else the queue."""
        existing = [p for k, p in sorted(self.points.items()) if k[0] > step]
        if existing:
            return existing[0]
        candidates = sorted(
            [(self.run.transcript[n].step, n) for n in self.plays]
            + [(i, -1) for i in self.observable]
        )
        for where in candidates:
            if where[0] > step and self._unambiguous(where):
                return self.message(where[1]) if where[1] >= 0 else self.action(where[0])
        if queue is not None and queue.where[0] > step:
            return queue
        return None


def _unsupported(scenario: Scenario, run: RunResult) -> str | None:
    given = scenario.given
    blocked = [
        (flow, action, kind, item) for flow, action, kind, item, native in run.forced if not native
    ]
    if blocked:
        flow, action, kind, item = blocked[0]
        what = "success" if item == "success" else next(iter(item.values()), item)
        return (
            f"given.outcomes forces {kind} {what} (flow {flow!r}, block {action[:8]}): "
            f"a test case can override only Lambda, hours, Lex and queue-transfer results"
        )
    if given.get("system_number"):
        return (
            "the number dialled cannot be set: a test case enters by FlowId or by phone "
            "numbers, not both"
        )
    if given.get("distribute"):
        return "a Distribute by percentage draw cannot be fixed in a native test case"
    if any(isinstance(q, Mapping) and "metrics" in q for q in (given.get("queues") or {}).values()):
        return "queue metrics cannot be overridden in a native test case"
    return None


def compile_scenario(
    scenario: Scenario,
    run: RunResult,
    resolve: Resolver,
    flow_id: str,
    settings: CompileSettings | None = None,
) -> CompiledTestCase:
    """The test case of one scenario, from its offline run, for one environment."""
    settings = settings or CompileSettings()
    reason = _unsupported(scenario, run)
    if reason is None and run.needs is not None:
        reason = f"the scenario stops offline: {run.needs.message}"
    if reason is None and run.end is None:
        reason = "the offline run did not end"
    if reason is not None:
        raise Uncompilable(f"{scenario.source}:{scenario.line}: {scenario.name!r}: {reason}")
    assert run.end is not None
    b = _Builder(settings, resolve)
    setup = b.observation("TestInitiated", {})
    b.overrides(setup, run)

    # The test ends when the contact is queued: what queue and whisper flows play after
    # that is checked offline only (a native test never waits for an agent).
    cut = len(run.steps)
    if run.end.kind == "queue":
        cut = max(
            (
                i
                for i, s in enumerate(run.steps)
                if s.type in _QUEUE_TYPES and s.branch == "success"
            ),
            default=cut,
        )
    heard = [i for i, e in enumerate(run.transcript) if e.kind == "play"]
    plays = [i for i in heard if run.transcript[i].step <= cut]
    wanted: dict[int, str] = {}
    pos = 0
    missing: list[str] = []  # expected prompts the offline run did not hear
    for spec in scenario.expect.get("prompts", ()):
        text = str(spec if isinstance(spec, str) else next(iter(spec.values())))
        found = next(
            (
                n
                for n in range(pos, len(heard))
                if text_matches(spec, run.transcript[heard[n]].text)
            ),
            None,
        )
        if found is None or missing:
            missing.append(text)
            continue
        if heard[found] in plays:  # what is heard after the queue transfer: offline only
            wanted[heard[found]] = text
        pos = found + 1
    answers: dict[int, str] = {}
    for i, event in enumerate(run.transcript):
        if event.kind != "input":
            continue
        prompt = next(
            (j for j in reversed(plays) if j < i and run.transcript[j].action == event.action),
            None,
        )
        if prompt is not None:
            answers[prompt] = event.ref
    points = _Points(run, plays, _observable(run, cut))
    for i in sorted(set(wanted) | set(answers)):
        point = points.message(i, wanted.get(i))
        point.answer = answers.get(i)
    expect = scenario.expect
    offline_only: list[str] = []
    for spec in expect.get("visits", ()):
        if points.visit(str(spec), cut) is None:
            offline_only.append(f"visits {spec}: no test-case event for this block")
    queue_point: _Point | None = None
    if run.end.kind == "queue":
        queue_point = _Point((cut, -1), "queue", ref=str(run.state["Queue"].get("ARN", "")))
    elif expect.get("ends") == "queue" and expect.get("queue"):
        # Expected but not queued offline: the native test waits for it and fails too.
        queue_point = _Point((len(run.steps), -1), "queue", ref=str(expect["queue"]))
    if expect.get("queue") and queue_point is not None:
        name = str(expect["queue"]).split(":", 1)[-1]
        queue_point.asserts.append(
            {"Namespace": "$.Queue.Name", "Operator": "Equals", "Operand": name}
        )
    elif "queue" in expect:
        offline_only.append("queue: only a queue reached is a test-case event")
    for key, value in (expect.get("attributes") or {}).items():
        if value is None:
            offline_only.append(f"attributes.{key}: an unset attribute has no Assert")
            continue
        operand = value if isinstance(value, str) else json.dumps(value)
        check = {"Namespace": f"$.Attributes.{key}", "Operator": "Equals", "Operand": operand}
        anchor = points.after(_last_set(run, key), queue_point)
        if anchor is None:
            offline_only.append(
                f"attributes.{key}: set after the last event a test case can observe"
            )
        else:
            anchor.asserts.append(check)
    for kind, why in _OFFLINE_ONLY.items():
        if kind in expect and not (kind == "ends" and expect[kind] == "queue"):
            offline_only.append(f"{kind}: {why}")
    last = setup
    for point in points.ordered():
        last = point.emit(b)
    # Still expected: the native run fails on them as the offline run does.
    for text in missing:
        last = b.observation("MessageReceived", b.message(text, ""))
    if queue_point is not None:
        last = queue_point.emit(b)
    b.add(last, "TestControl", {"ActionType": "TestControl", "Command": {"Type": "EndTest"}})
    content = {"Version": settings.version, "Metadata": {}, "Observations": b.observations}
    problems = content_problems(content)
    if problems:  # a compiler bug, never the user's fault: fail loudly
        raise AssertionError(f"compiled test case does not validate: {problems}")
    channel = "CHAT" if scenario.channel == "CHAT" else "VOICE_CALL"
    params_key = (
        "ChatEntryPointParameters" if channel == "CHAT" else "VoiceCallEntryPointParameters"
    )
    attributes = {k: str(v) for k, v in (scenario.given.get("attributes") or {}).items()}
    entry: dict[str, Any] = {"FlowId": flow_id}
    if channel == "VOICE_CALL" and scenario.given.get("customer_number"):
        entry["SourcePhoneNumber"] = scenario.given["customer_number"]
    return CompiledTestCase(
        name=owned_name(scenario.name, settings.name_prefix),
        scenario=scenario.name,
        content=content,
        entry_point={"Type": channel, params_key: entry},
        initialization_data=json.dumps(
            {"Attributes": attributes, "SegmentAttributes": {}}, sort_keys=True
        ),
        description=f"flowops scenario {scenario.name!r} ({scenario.source})"[:500],
        offline_only=tuple(offline_only),
        # Tag values allow letters, digits, spaces and _.:/=+-@ only.
        tags={
            "flowops:managed": "true",
            "flowops:scenario": re.sub(r"[^\w\s.:/=+\-@]", "-", scenario.name)[:256],
        },
    )
