"""The offline simulator: conditions, inputs, mocks, modules, hooks, loops, and stops."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowops.simulate.engine import HANDLERS, condition_holds, simulate
from flowops.simulate.world import load_flowset
from tests.support.flows import BYE, SAY, act
from tests.support.flows import flowset_of as flows

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("operator", "value", "operand", "holds"),
    [
        ("Equals", "Gold", "Gold", True),
        ("Equals", "gold", "Gold", False),
        ("Equals", "1.0", "1", True),
        ("TextContains", "Hello World", "world", True),
        ("TextStartsWith", "Sales-EMEA", "sales", True),
        ("TextEndsWith", "Sales-EMEA", "EMEA", True),
        ("NumberGreaterThan", "10", "9", True),
        ("NumberGreaterThan", "abc", "9", False),
        ("NumberLessThan", "3", "4", True),
        ("NumberLessOrEqualTo", "4", "4", True),
        ("NumberGreaterOrEqualTo", "3", "4", False),
        ("Unknown", "3", "3", False),
    ],
)
def test_compare_operators(operator: str, value: str, operand: str, holds: bool) -> None:
    assert condition_holds(operator, value, operand) is holds


def test_compare_reads_attributes_and_takes_default() -> None:
    fs = flows(
        Main=[
            act(
                "cmp",
                "Compare",
                {"ComparisonValue": "$.Attributes.tier"},
                conds=[("Equals", "gold", "g"), ("NumberGreaterThan", "5", "n")],
                errs={"NoMatchingCondition": "d"},
            ),
            SAY("g", "gold"),
            SAY("n", "number"),
            SAY("d", "default"),
            BYE,
        ]
    )
    assert simulate(fs, "Main", {"attributes": {"tier": "gold"}}).played() == ["gold"]
    assert simulate(fs, "Main", {"attributes": {"tier": 7}}).played() == ["number"]
    run = simulate(fs, "Main", {})
    assert run.played() == ["default"]
    assert run.hints == [("$.Attributes.tier", ("gold", "6"))]


def test_menu_digits_timeout_and_stop_for_missing_input() -> None:
    menu = act(
        "menu",
        "GetParticipantInput",
        {"Text": "Press 1", "InputTimeLimitSeconds": "5"},
        conds=[("Equals", "1", "one")],
        errs={
            "InputTimeLimitExceeded": "to",
            "NoMatchingCondition": "nm",
            "NoMatchingError": "bye",
        },
    )
    fs = flows(Main=[menu, SAY("one", "one"), SAY("to", "timeout"), SAY("nm", "other"), BYE])
    assert simulate(fs, "Main", {"inputs": ["1"]}).played() == ["Press 1", "one"]
    assert simulate(fs, "Main", {"inputs": ["timeout"]}).played()[-1] == "timeout"
    assert simulate(fs, "Main", {"inputs": [9]}).played()[-1] == "other"
    stopped = simulate(fs, "Main", {})
    assert stopped.end is None and stopped.needs is not None
    assert stopped.needs.input == "given.inputs"
    assert "'menu' (GetParticipantInput)" in stopped.needs.message


def test_stored_input_and_phone_validation() -> None:
    get = act(
        "get",
        "GetParticipantInput",
        {
            "StoreInput": "True",
            "InputValidation": {"PhoneNumberValidation": {"NumberFormat": "E164"}},
        },
        nxt="ok",
        errs={"InvalidPhoneNumber": "bad", "NoMatchingError": "bye"},
    )
    fs = flows(Main=[get, SAY("ok", "got $.StoredCustomerInput"), SAY("bad", "bad"), BYE])
    assert simulate(fs, "Main", {"inputs": ["+14155550100"]}).played() == ["got +14155550100"]
    assert simulate(fs, "Main", {"inputs": ["12"]}).played() == ["bad"]


def test_lambda_results_in_call_order_and_errors() -> None:
    call = act(
        "call",
        "InvokeLambdaFunction",
        {"LambdaFunctionARN": "lambda:balance"},
        nxt="say",
        errs={"TimeLimitExceeded": "slow", "NoMatchingError": "err"},
    )
    loop = act(
        "loop",
        "Loop",
        {"LoopCount": "1"},
        conds=[("Equals", "ContinueLooping", "call"), ("Equals", "DoneLooping", "bye")],
    )
    fs = flows(
        Main=[
            call,
            SAY("say", "balance $.External.balance", "loop"),
            loop,
            SAY("slow", "slow"),
            SAY("err", "error"),
            BYE,
        ]
    )
    given = {
        "lambdas": {"lambda:balance": [{"result": {"balance": 5}}, {"result": {"balance": 6}}]}
    }
    assert simulate(fs, "Main", given).played() == ["balance 5", "balance 6"]
    assert simulate(
        fs, "Main", {"lambdas": {"balance": [{"error": "TimeLimitExceeded"}]}}
    ).played() == ["slow"]
    assert simulate(
        fs, "Main", {"lambdas": {"lambda:balance": [{"error": "NoMatchingError"}]}}
    ).played() == ["error"]
    one = simulate(fs, "Main", {"lambdas": {"lambda:balance": [{"result": {}}]}})
    assert one.needs is not None and one.needs.input == "given.lambdas['lambda:balance']"


def test_loop_counts_then_done() -> None:
    loop = act(
        "loop",
        "Loop",
        {"LoopCount": "2"},
        conds=[("Equals", "ContinueLooping", "say"), ("Equals", "DoneLooping", "bye")],
    )
    fs = flows(Main=[loop, SAY("say", "again", "loop"), BYE])
    run = simulate(fs, "Main", {})
    assert run.played() == ["again", "again"]
    assert [s.branch for s in run.steps if s.type == "Loop"] == [
        "condition:0",
        "condition:0",
        "condition:1",
    ]


def test_distribute_by_percentage_uses_cumulative_operands() -> None:
    dist = act(
        "d",
        "DistributeByPercentage",
        conds=[("NumberLessThan", "4", "a"), ("NumberLessThan", "10", "b")],
        errs={"NoMatchingCondition": "c"},
        nxt="c",
    )
    fs = flows(Main=[dist, SAY("a", "a"), SAY("b", "b"), SAY("c", "c"), BYE])
    assert [simulate(fs, "Main", {"distribute": [n]}).played() for n in (3, 4, 9, 10, 100)] == [
        ["a"],
        ["b"],
        ["b"],
        ["c"],
        ["c"],
    ]
    stop = simulate(fs, "Main", {})
    assert stop.needs is not None and stop.needs.input == "given.distribute"


def test_hours_result_schedule_and_error() -> None:
    hours = act(
        "h",
        "CheckHoursOfOperation",
        {"HoursOfOperationId": "hours:Office"},
        conds=[("Equals", "True", "open"), ("Equals", "False", "closed")],
        errs={"NoMatchingError": "err"},
    )
    fs = flows(Main=[hours, SAY("open", "open"), SAY("closed", "closed"), SAY("err", "err"), BYE])
    assert simulate(fs, "Main", {"hours": "open"}).played() == ["open"]
    assert simulate(fs, "Main", {"hours": {"hours:Office": False}}).played() == ["closed"]
    assert simulate(fs, "Main", {"hours": "error"}).played() == ["err"]
    week = {"Mon": "09:00-17:00", "Sun": "closed"}
    monday_10 = {"hours": {"hours:Office": week}, "time": "2026-01-05T10:00"}
    sunday = {"hours": {"hours:Office": week}, "time": "2026-01-04T10:00"}
    assert simulate(fs, "Main", monday_10).played() == ["open"]
    assert simulate(fs, "Main", sunday).played() == ["closed"]
    no_time = simulate(fs, "Main", {"hours": week})
    assert no_time.needs is not None and no_time.needs.input == "given.time"


def test_lex_intent_slots_and_errors() -> None:
    bot = act(
        "bot",
        "ConnectParticipantWithLexBot",
        {"Text": "How can I help?", "LexV2Bot": {"AliasArn": "lexbot:Bot/Prod"}},
        conds=[("Equals", "Pay", "pay")],
        errs={
            "NoMatchingCondition": "other",
            "InputTimeLimitExceeded": "other",
            "NoMatchingError": "bye",
        },
    )
    fs = flows(Main=[bot, SAY("pay", "paying $.Lex.Slots.amount"), SAY("other", "other"), BYE])
    run = simulate(
        fs,
        "Main",
        {"inputs": [{"say": "pay 5"}], "lex": [{"intent": "Pay", "slots": {"amount": 5}}]},
    )
    assert run.played() == ["How can I help?", "paying 5"]
    assert any(e.text == "caller says: pay 5" for e in run.transcript)
    assert simulate(fs, "Main", {"lex": [{"intent": "Nope"}]}).played()[-1] == "other"
    assert (
        simulate(fs, "Main", {"lex": [{"error": "InputTimeLimitExceeded"}]}).played()[-1] == "other"
    )


def test_modules_return_and_transfer_to_flow_and_queue_hooks() -> None:
    fs = flows(
        Main=[
            act(
                "hook",
                "UpdateContactEventHooks",
                {"EventHooks": {"CustomerQueue": "flow:Wait"}},
                nxt="mod",
            ),
            act(
                "mod",
                "InvokeFlowModule",
                {"FlowModuleId": "module:Auth"},
                nxt="xfer",
                errs={"NoMatchingError": "bye"},
            ),
            act(
                "xfer",
                "TransferToFlow",
                {"ContactFlowId": "flow:Second"},
                nxt="bye",
                errs={"NoMatchingError": "bye"},
            ),
            BYE,
        ],
        mod_Auth=[
            act("set", "UpdateContactAttributes", {"Attributes": {"auth": "yes"}}, nxt="ret"),
            act("ret", "EndFlowModuleExecution"),
        ],
        Second=[
            act("q", "UpdateContactTargetQueue", {"QueueId": "queue:Support"}, nxt="t"),
            act("t", "TransferContactToQueue", nxt="full", errs={"QueueAtCapacity": "full"}),
            SAY("full", "full"),
            BYE,
        ],
        Wait=[
            act(
                "music",
                "MessageParticipantIteratively",
                {"Messages": [{"Text": "hold on"}]},
                conds=[("Equals", "MessagesInterrupted", "sorry")],
            ),
            SAY("sorry", "sorry", "music"),
            BYE,
        ],
    )
    run = simulate(fs, "Main", {"interruptions": 1})
    assert run.end is not None and run.end.kind == "queue" and run.end.detail == "queue:Support"
    assert run.state["Attributes"] == {"auth": "yes"}
    assert run.transfers == ["flow:Second"]
    assert run.played() == ["hold on", "sorry", "hold on"]
    full = simulate(fs, "Main", {"queues": {"queue:Support": {"at_capacity": True}}})
    assert full.end is not None and full.end.kind == "disconnect" and full.played() == ["full"]


def test_forced_outcomes_and_unknown_types_stop() -> None:
    fs = flows(
        Main=[
            act(
                "v",
                "UpdateContactTextToSpeechVoice",
                {"TextToSpeechVoice": "Joanna"},
                nxt="x",
                errs={"NoMatchingError": "err"},
            ),
            act("x", "BrandNewBlock", nxt="bye"),
            SAY("err", "err"),
            BYE,
        ]
    )
    forced = simulate(fs, "Main", {"outcomes": {"v": [{"error": "NoMatchingError"}]}})
    assert forced.played() == ["err"]
    stop = simulate(fs, "Main", {})
    assert stop.needs is not None and "BrandNewBlock" in stop.needs.message
    assert simulate(fs, "Main", {"outcomes": {"BrandNewBlock": ["success"]}}).end is not None


def test_endless_loop_is_stopped_and_dangling_target_ends() -> None:
    fs = flows(Main=[SAY("a", "a", "b"), SAY("b", "b", "a"), BYE], Other=[SAY("s", "s", "nowhere")])
    run = simulate(fs, "Main", {}, step_limit=50)
    assert run.end is not None and run.end.kind == "error" and "step limit" in run.end.detail
    dangling = simulate(fs, "Other", {})
    assert dangling.end is not None and dangling.end.kind == "error"


def test_every_corpus_action_type_has_a_handler() -> None:
    manifest = REPO.parent / "shared" / "corpus" / "MANIFEST.tsv"
    if not manifest.exists():
        pytest.skip(f"corpus not found at {manifest.parent} (needs ../shared)")
    types: set[str] = set()
    for line in manifest.read_text().splitlines()[1:]:
        types.update(t for t in line.split("\t")[-1].split(",") if t)
    assert len(types) == 61
    assert types <= set(HANDLERS), sorted(types - set(HANDLERS))


def test_seeded_main_inbound_reaches_support() -> None:
    fs = load_flowset(REPO / "flows")
    given = {
        "lambdas": {"lambda:lookup-customer": [{"result": {"name": "Ann", "tier": "gold"}}]},
        "hours": "open",
        "inputs": ["2"],
    }
    run = simulate(fs, "Main Inbound", given)
    assert run.end is not None and run.end.kind == "queue" and run.end.detail == "queue:Support"
    assert "Incoming call from Ann, tier gold." in run.played()


def test_docs_give_every_action_type_its_behaviour() -> None:
    text = (REPO / "docs" / "scenarios.md").read_text(encoding="utf-8")
    missing = [t for t in HANDLERS if t not in text]
    assert not missing, f"docs/scenarios.md does not describe {missing}"
    from flowops.simulate.report import JSON_SCHEMA

    assert f'"schema": "{JSON_SCHEMA}"' in (REPO / "docs" / "test-json.md").read_text()
