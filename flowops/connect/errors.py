"""Amazon Connect errors as flowops errors, keeping the AWS error code and message.

Callers branch on the class (``NotFoundError``...) and may read ``.code`` for the exact
AWS error shape; the CLI prints ``str(error)`` in one line with exit code 3.
"""

from __future__ import annotations

from typing import Any

from flowops.errors import BadInputError, ConnectApiError


class ConnectError(ConnectApiError):
    """An error answer from Amazon Connect (or the sandbox)."""

    def __init__(self, code: str, message: str, *, operation: str = "", status: int = 0) -> None:
        self.code = code
        self.message = message
        self.operation = operation
        self.status = status
        where = f"{operation}: " if operation else ""
        super().__init__(f"{where}{code}: {message}" if message else f"{where}{code}")


class NotFoundError(ConnectError):
    """ResourceNotFoundException: the flow, instance or resource does not exist."""


class DuplicateError(ConnectError):
    """DuplicateResourceException: a resource with that name exists already."""


class ConflictError(ConnectError):
    """ResourceConflictException / ResourceInUseException: the resource's state forbids it."""


class ThrottledError(ConnectError):
    """Throttling that outlasted every retry."""


class ConditionFailedError(ConnectError):
    """ConditionalOperationFailedException, or a stale FlowContentSha256 on a new version."""


class AccessDeniedError(ConnectError):
    """AccessDeniedException: IAM does not allow the call."""


class LimitExceededError(ConnectError):
    """LimitExceededException / ServiceQuotaExceededException: a resource quota is full."""


class InvalidRequestError(ConnectError):
    """InvalidParameterException / InvalidRequestException."""


class ModelViolationError(InvalidRequestError):
    """A request flowops was about to send breaks a constraint of Connect's model (found
    client-side with ``ClientSettings.check_model``; nothing was sent). A flowops bug."""


class NotPublishedError(ConnectError):
    """ContactFlowNotPublishedException: a version of an unpublished flow was requested."""


class ServiceError(ConnectError):
    """A 5xx answer (InternalServiceException, ServiceUnavailable...) after every retry."""


class InvalidContactFlowError(ConnectError):
    """InvalidContactFlowException(/Module): Connect rejected the content; see ``problems``."""

    def __init__(
        self, code: str, message: str, *, problems: list[str], operation: str = "", status: int = 0
    ) -> None:
        self.problems = problems
        detail = message or "invalid flow content"
        if problems:
            detail = f"{detail} ({'; '.join(problems)})"
        super().__init__(code, detail, operation=operation, status=status)


class ConnectionFailedError(ConnectApiError):
    """The endpoint could not be reached (network, DNS, dropped connections)."""


class CredentialsError(BadInputError):
    """No usable credentials for the environment: a configuration problem (exit 2)."""


_BY_CODE: dict[str, type[ConnectError]] = {
    "ResourceNotFoundException": NotFoundError,
    "DuplicateResourceException": DuplicateError,
    "ResourceConflictException": ConflictError,
    "ResourceInUseException": ConflictError,
    "ThrottlingException": ThrottledError,
    "TooManyRequestsException": ThrottledError,
    "Throttling": ThrottledError,
    "ConditionalOperationFailedException": ConditionFailedError,
    "AccessDeniedException": AccessDeniedError,
    "UnauthorizedException": AccessDeniedError,
    "LimitExceededException": LimitExceededError,
    "ServiceQuotaExceededException": LimitExceededError,
    "InvalidParameterException": InvalidRequestError,
    "InvalidRequestException": InvalidRequestError,
    "ValidationException": InvalidRequestError,
    "ContactFlowNotPublishedException": NotPublishedError,
    "InternalServiceException": ServiceError,
    "ServiceUnavailableException": ServiceError,
}

#: Error codes that mean "slow down and try again".
THROTTLE_CODES = frozenset(
    {"ThrottlingException", "TooManyRequestsException", "Throttling", "RequestLimitExceeded"}
)


def _problems(error: dict[str, Any], response: dict[str, Any]) -> list[str]:
    raw = response.get("problems") or response.get("Problems") or error.get("problems") or []
    out: list[str] = []
    for item in raw:
        if isinstance(item, dict):
            out.append(str(item.get("message") or item.get("Message") or item))
        else:
            out.append(str(item))
    return out


def from_client_error(exc: Any, operation: str) -> ConnectError:
    """Translate a botocore ``ClientError`` into the matching ConnectError subclass."""
    response: dict[str, Any] = getattr(exc, "response", {}) or {}
    error: dict[str, Any] = response.get("Error", {}) or {}
    code = str(error.get("Code") or "Unknown")
    message = str(error.get("Message") or error.get("message") or "")
    status = int(response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
    if code in ("InvalidContactFlowException", "InvalidContactFlowModuleException"):
        return InvalidContactFlowError(
            code, message, problems=_problems(error, response), operation=operation, status=status
        )
    cls = _BY_CODE.get(code)
    if cls is None:
        cls = ServiceError if status >= 500 else ConnectError
    return cls(code, message, operation=operation, status=status)


def is_retryable(code: str, status: int) -> bool:
    """Throttles and server-side failures are worth another try; nothing else is."""
    return (
        code in THROTTLE_CODES
        or status >= 500
        or code in ("InternalServiceException", "ServiceUnavailableException", "ServiceUnavailable")
    )
