"""Client-side pacing (environment ``rate_limit``) on a fake clock, and error translation."""

from __future__ import annotations

from types import MappingProxyType

import pytest
from botocore.exceptions import ClientError

from flowops.config import OperationRate, RateLimit
from flowops.connect.errors import (
    AccessDeniedError,
    ConnectError,
    DuplicateError,
    InvalidContactFlowError,
    NotFoundError,
    ServiceError,
    ThrottledError,
    from_client_error,
    is_retryable,
)
from flowops.connect.pacing import Pacer, TokenBucket
from flowops.errors import ConnectApiError, ExitCode


class FakeClock:
    """A clock that only moves when something sleeps on it."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_burst_is_free_then_rate_is_enforced() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=2.0, burst=5, clock=clock, sleep=clock.sleep)
    for _ in range(5):
        assert bucket.acquire() == 0.0
    assert clock.now == 0.0
    for _ in range(10):
        bucket.acquire()
    # 10 calls beyond the burst at 2/s take 5 seconds of waiting, never less
    assert clock.now == pytest.approx(5.0)
    assert bucket.waited == pytest.approx(5.0)


def test_rate_over_a_long_run_stays_below_the_quota() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=1.8, burst=4, clock=clock, sleep=clock.sleep)
    stamps = []
    for _ in range(200):
        bucket.acquire()
        stamps.append(clock.now)
    # in any 1-second window after the burst, at most 2 calls (Connect's default quota)
    for i, start in enumerate(stamps[4:], start=4):
        in_window = [t for t in stamps[i:] if t < start + 1.0]
        assert len(in_window) <= 2
    assert (len(stamps) - 4) / stamps[-1] <= 1.8 + 1e-9


def test_idle_time_refills_up_to_burst_only() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=1.0, burst=3, clock=clock, sleep=clock.sleep)
    for _ in range(3):
        bucket.acquire()
    clock.now += 100.0  # a long idle period saves at most `burst` tokens
    for _ in range(3):
        assert bucket.acquire() == 0.0
    assert bucket.acquire() == pytest.approx(1.0)


def test_operation_with_its_own_quota_gets_its_own_bucket() -> None:
    clock = FakeClock()
    limit = RateLimit(
        rate=10.0,
        burst=10,
        operations=MappingProxyType({"SearchContactFlows": OperationRate(rate=0.5, burst=1)}),
    )
    pacer = Pacer(limit, clock=clock, sleep=clock.sleep)
    pacer.acquire("SearchContactFlows")
    pacer.acquire("ListQueues")
    assert clock.now == 0.0
    pacer.acquire("SearchContactFlows")
    assert clock.now == pytest.approx(2.0)
    assert pacer.bucket("ListQueues") is pacer.default


def test_bad_bucket_is_refused() -> None:
    with pytest.raises(ValueError):
        TokenBucket(rate=0, burst=1)


def client_error(code: str, status: int, message: str = "m", **extra: object) -> ClientError:
    response = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": status},
        **extra,
    }
    return ClientError(response, "CreateContactFlow")


@pytest.mark.parametrize(
    ("code", "status", "cls"),
    [
        ("ResourceNotFoundException", 404, NotFoundError),
        ("DuplicateResourceException", 409, DuplicateError),
        ("ThrottlingException", 429, ThrottledError),
        ("AccessDeniedException", 403, AccessDeniedError),
        ("InternalServiceException", 500, ServiceError),
        ("SomethingNew", 503, ServiceError),
        ("SomethingElse", 400, ConnectError),
    ],
)
def test_client_errors_become_connect_errors(code: str, status: int, cls: type) -> None:
    error = from_client_error(client_error(code, status, "boom"), "CreateContactFlow")
    assert type(error) is cls
    assert isinstance(error, ConnectApiError) and error.exit_code == ExitCode.AWS_ERROR
    assert error.code == code and error.message == "boom" and error.status == status
    assert str(error) == f"CreateContactFlow: {code}: boom"


def test_invalid_flow_keeps_problems() -> None:
    exc = client_error(
        "InvalidContactFlowException",
        400,
        "",
        problems=[{"message": "Action a1 has no transition"}],
    )
    error = from_client_error(exc, "CreateContactFlow")
    assert isinstance(error, InvalidContactFlowError)
    assert error.problems == ["Action a1 has no transition"]
    assert "Action a1 has no transition" in str(error)


@pytest.mark.parametrize(
    ("code", "status", "retry"),
    [
        ("ThrottlingException", 429, True),
        ("TooManyRequestsException", 429, True),
        ("InternalServiceException", 500, True),
        ("ServiceUnavailableException", 503, True),
        ("ResourceNotFoundException", 404, False),
        ("LimitExceededException", 429, False),
        ("InvalidContactFlowException", 400, False),
    ],
)
def test_only_throttles_and_server_errors_are_retried(code: str, status: int, retry: bool) -> None:
    # LimitExceeded is a resource quota (too many flows), not a rate: retrying cannot help
    assert is_retryable(code, status) is retry
