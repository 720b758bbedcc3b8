"""Token buckets, the request log and the run-time configuration."""

from __future__ import annotations

import pytest

from flowops.sandbox.config import QUOTA_ENV, FaultRule, Quota, SandboxConfig
from flowops.sandbox.quotas import RequestLog, TokenBuckets


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_token_bucket_burst_and_refill() -> None:
    clock = Clock()
    buckets = TokenBuckets(clock)
    quota = Quota(rate=2, burst=5)
    key = ("111111111111", "us-east-1", "*")
    assert [buckets.take(key, quota) for _ in range(6)] == [True] * 5 + [False]
    clock.now = 0.49
    assert not buckets.take(key, quota)
    clock.now = 0.5
    assert buckets.take(key, quota)
    clock.now = 100.0
    assert [buckets.take(key, quota) for _ in range(6)] == [True] * 5 + [False]
    assert buckets.take(("222222222222", "us-east-1", "*"), quota)
    buckets.reset()
    assert buckets.take(key, quota)


def test_request_log() -> None:
    log = RequestLog()
    log.record_call("a", "X")
    log.record_call("a", "Y")
    log.record_call("b", "X")
    log.record_outcome("a", "X", "ok")
    assert log.count() == 3
    assert log.count(account="a") == 2
    assert log.count(operation="X") == 2
    assert log.count("b", "X") == 1
    assert log.counts() == {("a", "X"): 1, ("a", "Y"): 1, ("b", "X"): 1}
    assert log.outcomes() == {("a", "X", "ok"): 1}
    log.reset()
    assert log.counts() == {} and log.outcomes() == {}


def test_config_defaults_are_connects() -> None:
    config = SandboxConfig()
    assert config.enforce_quotas
    assert (config.default_quota.rate, config.default_quota.burst) == (2.0, 5)
    assert config.limits.content_chars == 256_000
    assert config.limits.flows_per_instance == 100
    assert config.limits.modules_per_instance == 200
    assert not SandboxConfig.for_tests().enforce_quotas
    config.quotas["ListQueues"] = Quota(10, 10)
    assert config.quota_for("ListQueues")[0] == "ListQueues"
    assert config.quota_for("ListPrompts") == ("*", config.default_quota)


def test_config_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(QUOTA_ENV, "off")
    assert not SandboxConfig.from_env().enforce_quotas
    monkeypatch.setenv(QUOTA_ENV, "on")
    assert SandboxConfig.from_env().enforce_quotas
    monkeypatch.delenv(QUOTA_ENV)
    assert SandboxConfig.from_env().enforce_quotas


def test_config_update_round_trip() -> None:
    config = SandboxConfig()
    config.update(
        {
            "limits": {"flows_per_instance": 5},
            "quotas": {"X": {"rate": 1, "burst": 1}},
            "faults": [{"operation": "X", "fail_nth": [1, 3]}],
            "seed": 3,
        }
    )
    assert config.limits.flows_per_instance == 5
    assert config.limits.modules_per_instance == 200
    assert config.faults[0].nth_set() == {1, 3}
    again = SandboxConfig()
    again.update(config.to_dict())
    assert again.to_dict() == config.to_dict()


def test_fault_rule_matching() -> None:
    rule = FaultRule(operation="X", account="a")
    assert rule.matches("a", "X")
    assert not rule.matches("b", "X")
    assert not rule.matches("a", "Y")
    assert FaultRule().matches("z", "anything")
    assert FaultRule(fail_nth=2).nth_set() == {2}
    assert FaultRule().nth_set() == set()
