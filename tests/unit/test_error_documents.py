"""The ``error`` object of a failure document and the exit code agree with the CLI's."""

from __future__ import annotations

import signal

import pytest

from flowops.deploy.releases import ReleaseRecord
from flowops.deploy.render import failure_document
from flowops.deploy.transaction import AbortedError, CancelledError
from flowops.errors import (
    BadInputError,
    CheckFailedError,
    ConnectApiError,
    RefusedError,
    TerminatedError,
    Warnings,
    error_dict,
    exit_code_of,
    recall,
    remember,
)


@pytest.mark.parametrize(
    ("exc", "kind", "code"),
    [
        (BadInputError("bad"), "bad-input", 2),
        (CheckFailedError("failed"), "failed", 1),
        (RefusedError("locked"), "refused", 1),
        (ConnectApiError("denied"), "aws-error", 3),
        (CancelledError(signal.SIGTERM), "cancelled", 143),
        (CancelledError(signal.SIGINT), "cancelled", 130),
        (AbortedError(signal.SIGTERM), "aborted", 143),
        (TerminatedError(), "interrupted", 143),
        (KeyboardInterrupt(), "interrupted", 130),
        (ValueError("a bug"), "internal", 70),
    ],
)
def test_each_error_has_its_type_and_the_exit_code_the_cli_uses(
    exc: BaseException, kind: str, code: int
) -> None:
    error = error_dict(exc)
    assert (error["type"], error["exit_code"], exit_code_of(exc)) == (kind, code, code)
    assert error["message"] and error["exception"] == type(exc).__name__
    assert error["warnings"] == []


def test_the_document_carries_what_the_run_recorded_and_keeps_the_success_keys() -> None:
    exc = CheckFailedError("step failed")
    record = ReleaseRecord(id=4, env="dev", commit=None, ref=None, who="me", when="t")
    remember(exc, None, record, Warnings(("the lock was not given back",)))
    assert recall(exc, ReleaseRecord) is record and recall(exc, int) is None
    doc = failure_document("unlock", {"schema": "x", "env": "dev", "ok": True}, exc)
    assert list(doc)[0] == "schema" and doc["schema"] == "flowops-unlock/1"
    assert doc["env"] == "dev" and doc["ok"] is False and doc["record"]["id"] == 4
    assert doc["error"]["warnings"] == ["the lock was not given back"]
    assert failure_document("unlock", {}, BadInputError("x"))["record"] is None
