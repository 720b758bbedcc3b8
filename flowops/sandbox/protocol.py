"""Amazon Connect's rest-json wire protocol, driven by botocore's own service models.

Routes, HTTP methods, URI labels, query strings, headers and body members all come from
``botocore``'s ``connect`` model (which ships with boto3), so they cannot drift from what
a real boto3 client sends. The Lex V2 models API (``lexv2-models``, signing name ``lex``),
which flowops asks for bot names, is served from its own model the same way: every
function here takes the botocore service name, ``connect`` by default.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import botocore.session

DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"
CONNECT = "connect"
LEX_MODELS = "lexv2-models"
#: SigV4 signing name (credential scope service) -> botocore service model name.
SIGNING_NAMES = {"connect": CONNECT, "lex": LEX_MODELS}

_ACCOUNT_RE = re.compile(r"^\d{12}$")
_CREDENTIAL_RE = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/,\s]+)/([^/,\s]+)/aws4_request")


class SandboxError(Exception):
    """An error answered in Connect's rest-json error format.

    ``code`` is the error shape name (``ResourceNotFoundException``...); ``extra`` holds the
    shape's other members (``problems`` for ``InvalidContactFlowException``).
    """

    def __init__(self, code: str, message: str, **extra: Any) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.extra = extra
        #: The botocore service whose model gives the status (set by the server).
        self.service = CONNECT

    @property
    def status(self) -> int:
        """The HTTP status the service model gives this error shape."""
        return error_status(self.code, self.service)


def not_found(what: str) -> SandboxError:
    """A ``ResourceNotFoundException`` naming the missing thing."""
    return SandboxError("ResourceNotFoundException", f"{what} not found")


def invalid_param(message: str) -> SandboxError:
    """An ``InvalidParameterException``."""
    return SandboxError("InvalidParameterException", message)


@functools.cache
def service_model(service: str = CONNECT) -> Any:
    """botocore's model of ``service`` (Amazon Connect by default; loaded once per process)."""
    return botocore.session.get_session().get_service_model(service)


@functools.cache
def error_status(code: str, service: str = CONNECT) -> int:
    """HTTP status of error shape ``code`` per the model; 400 for unknown codes.

    A code another service does not model (``AccessDeniedException`` for Lex V2) takes
    Connect's status for it, the common AWS one.
    """
    try:
        shape = service_model(service).shape_for(code)
    except Exception:  # an unknown name is simply not modelled
        return 400 if service == CONNECT else error_status(code)
    return int(shape.metadata.get("error", {}).get("httpStatusCode", 400))


@dataclass(frozen=True)
class Route:
    """One operation's HTTP binding."""

    operation: str
    method: str
    pattern: re.Pattern[str]
    labels: tuple[str, ...]
    static_query: tuple[tuple[str, str], ...]
    literal_len: int


@dataclass
class Caller:
    """Who is calling: the account named by the access key id, the signed Region, and the
    service named by the credential scope (``connect``, or ``lex`` for Lex V2 models)."""

    account: str
    region: str
    access_key: str
    service: str = "connect"


def caller_from_headers(authorization: str | None) -> Caller | None:
    """Read the SigV4 credential scope; ``None`` when the request is unsigned.

    Signatures are *not* verified. A 12-digit access key id is the account id; any other
    key id maps to :data:`DEFAULT_ACCOUNT`.
    """
    if not authorization or not authorization.startswith("AWS4-HMAC-SHA256"):
        return None
    match = _CREDENTIAL_RE.search(authorization)
    if match is None:
        return None
    key, region = match.group(1), match.group(2)
    account = key if _ACCOUNT_RE.match(key) else DEFAULT_ACCOUNT
    return Caller(
        account=account,
        region=region or DEFAULT_REGION,
        access_key=key,
        service=match.group(3),
    )


def model_name(caller: Caller) -> str:
    """The botocore service a caller's request is for (Connect unless signed for Lex)."""
    return SIGNING_NAMES.get(caller.service, CONNECT)


def _compile(operation: str, service: str) -> Route:
    op = service_model(service).operation_model(operation)
    uri: str = op.http["requestUri"]
    path, _, query = uri.partition("?")
    labels: list[str] = []
    regex = ""
    literal = 0
    for part in re.split(r"(\{[^}]+\})", path):
        if part.startswith("{") and part.endswith("}"):
            name = part[1:-1]
            greedy = name.endswith("+")
            labels.append(name.rstrip("+"))
            regex += "(.+)" if greedy else "([^/]+)"
        else:
            regex += re.escape(part)
            literal += len(part)
    static: list[tuple[str, str]] = []
    for item in filter(None, query.split("&")):
        key, _, value = item.partition("=")
        static.append((key, value))
    return Route(
        operation=operation,
        method=op.http["method"],
        pattern=re.compile(f"^{regex}/?$"),
        labels=tuple(labels),
        static_query=tuple(static),
        literal_len=literal + 10 * len(static),
    )


@functools.cache
def routes(service: str = CONNECT) -> tuple[Route, ...]:
    """Every operation of the model, most specific first."""
    model = service_model(service)
    compiled = [_compile(name, service) for name in model.operation_names]
    compiled.sort(key=lambda r: (-r.literal_len, len(r.labels)))
    return tuple(compiled)


def match(
    method: str, raw_path: str, query: dict[str, list[str]], service: str = CONNECT
) -> tuple[Route, dict[str, str]]:
    """Find the operation for a request; raise ``UnknownOperationException`` when none fits."""
    for route in routes(service):
        if route.method != method:
            continue
        found = route.pattern.match(raw_path)
        if found is None:
            continue
        if any(query.get(k, [None])[0] != v for k, v in route.static_query if v):
            continue
        if any(k not in query for k, _ in route.static_query):
            continue
        values = {name: unquote(v) for name, v in zip(route.labels, found.groups(), strict=True)}
        return route, values
    title = service_model(service).metadata.get("serviceFullName", service)
    raise SandboxError(
        "UnknownOperationException", f"No {title} operation matches {method} {raw_path}"
    )


def _scalar(shape: Any, value: str) -> Any:
    kind = shape.type_name
    if kind in ("integer", "long"):
        try:
            return int(value)
        except ValueError as exc:
            raise invalid_param(f"{shape.name} must be a number, got {value!r}") from exc
    if kind in ("float", "double"):
        return float(value)
    if kind == "boolean":
        return value.lower() == "true"
    if kind == "timestamp":
        try:
            return float(value)
        except ValueError:
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    return value


def parse_request(
    method: str, target: str, headers: dict[str, str], body: bytes, service: str = CONNECT
) -> tuple[str, dict[str, Any]]:
    """Turn an HTTP request into ``(operation, params)`` like boto3's input dict."""
    split = urlsplit(target)
    query = parse_qs(split.query, keep_blank_values=True)
    route, labels = match(method, split.path, query, service)
    op = service_model(service).operation_model(route.operation)
    params: dict[str, Any] = {}
    shape = op.input_shape
    if shape is None:
        return route.operation, params
    lower_headers = {k.lower(): v for k, v in headers.items()}
    payload: dict[str, Any] = {}
    if body:
        try:
            loaded = json.loads(body)
        except ValueError as exc:
            raise SandboxError("SerializationException", "Request body is not valid JSON") from exc
        if isinstance(loaded, dict):
            payload = loaded
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire = member.serialization.get("name", name)
        if location == "uri":
            if wire in labels:
                params[name] = _scalar(member, labels[wire])
        elif location == "querystring":
            if member.type_name == "list":
                if wire in query:
                    params[name] = [_scalar(member.member, v) for v in query[wire]]
            elif member.type_name == "map":
                params[name] = {k: v[0] for k, v in query.items()}
            elif wire in query:
                params[name] = _scalar(member, query[wire][0])
        elif location == "header":
            if wire.lower() in lower_headers:
                params[name] = _scalar(member, lower_headers[wire.lower()])
        elif location is None and wire in payload:
            params[name] = payload[wire]
    return route.operation, params


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.timestamp()
    raise TypeError(f"cannot serialize {type(value).__name__}")


def serialize_output(
    operation: str, output: dict[str, Any] | None, service: str = CONNECT
) -> tuple[int, bytes]:
    """The HTTP status and JSON body of a successful call (timestamps as epoch seconds)."""
    op = service_model(service).operation_model(operation)
    status = int(op.http.get("responseCode", 200))
    body = json.dumps(output or {}, default=_default, separators=(",", ":"))
    return status, body.encode()


def serialize_error(error: SandboxError) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of a rest-json error botocore parses into ``error.code``."""
    body: dict[str, Any] = {"message": error.message, "Message": error.message}
    body.update(error.extra)
    headers = {"x-amzn-ErrorType": error.code, "Content-Type": "application/json"}
    return error.status, headers, json.dumps(body, separators=(",", ":")).encode()


def encode_token(offset: int) -> str:
    """An opaque NextToken for a list offset."""
    return base64.urlsafe_b64encode(f"sandbox:{offset}".encode()).decode()


def decode_token(token: str | None) -> int:
    """The offset a NextToken stands for; ``InvalidParameterException`` when it is not ours."""
    if not token:
        return 0
    try:
        text = base64.urlsafe_b64decode(token.encode()).decode()
        prefix, _, number = text.partition(":")
        if prefix != "sandbox":
            raise ValueError(text)
        return int(number)
    except ValueError as exc:
        raise invalid_param("NextToken is not valid") from exc


def page(
    items: list[Any], params: dict[str, Any], *, default: int, maximum: int
) -> tuple[list[Any], str | None]:
    """Slice ``items`` by ``MaxResults``/``NextToken``; return the page and the next token."""
    size = params.get("MaxResults", default)
    if not isinstance(size, int) or size < 1 or size > maximum:
        raise invalid_param(f"MaxResults must be between 1 and {maximum}")
    start = decode_token(params.get("NextToken"))
    chunk = items[start : start + size]
    nxt = encode_token(start + size) if start + size < len(items) else None
    return chunk, nxt


@functools.cache
def max_results(operation: str) -> int:
    """The model's upper bound on ``MaxResults`` for ``operation`` (100 when unbounded)."""
    shape = service_model().operation_model(operation).input_shape
    member = shape.members.get("MaxResults") if shape is not None else None
    if member is None:
        return 100
    return int(member.metadata.get("max", 100))
