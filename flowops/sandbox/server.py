"""The sandbox HTTP server: Amazon Connect's rest-json API on a local port (and the Lex V2
models calls flowops makes, for requests signed for ``lex``).

``SandboxServer`` runs a ``ThreadingHTTPServer`` in a daemon thread. Each request is
authenticated by its SigV4 credential scope (not verified), counted in the request log,
checked against the token buckets and the fault rules, then parsed with botocore's model
and handed to :class:`~flowops.sandbox.backend.operations.Backend`.

Admin routes under ``/_sandbox/`` (JSON, no signature needed) let another process read the
request log and change quotas, limits and faults while the server runs.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

from flowops.sandbox.backend.operations import Backend
from flowops.sandbox.config import SandboxConfig
from flowops.sandbox.lex import LOG_PREFIX, LexService
from flowops.sandbox.protocol import (
    LEX_MODELS,
    SandboxError,
    caller_from_headers,
    model_name,
    parse_request,
    serialize_error,
    serialize_output,
)
from flowops.sandbox.quotas import RequestLog, TokenBuckets
from flowops.sandbox.store import Store
from flowops.sandbox.sts import LOG_PREFIX as STS_PREFIX
from flowops.sandbox.sts import StsError, StsService

log = logging.getLogger(__name__)

ADMIN_PREFIX = "/_sandbox/"


class _DropConnection(Exception):
    """A fault rule asked for the connection to be closed without an answer."""


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    sandbox: SandboxServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _HTTPServer
    timeout = 120

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        sent = {k.lower() for k in (headers or {})}
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if "content-type" not in sent:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amzn-RequestId", _request_id())
        self.end_headers()
        self.wfile.write(body)

    def _dispatch(self) -> None:
        body = self._body()
        sandbox = self.server.sandbox
        if self.path.startswith(ADMIN_PREFIX):
            status, payload = sandbox.admin(self.command, self.path, body)
            self._send(status, json.dumps(payload).encode())
            return
        try:
            status, headers, out = sandbox.handle(
                self.command, self.path, dict(self.headers.items()), body
            )
        except _DropConnection:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self._send(status, out, headers)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _dispatch


_counter = iter(range(1, 1 << 62))
_counter_lock = threading.Lock()


def _request_id() -> str:
    with _counter_lock:
        return f"sandbox-{next(_counter):012d}"


class SandboxServer:
    """A local Amazon Connect endpoint over a SQLite database.

    Use as a context manager, or call :meth:`start` and :meth:`stop`. ``config`` is read on
    every request, so tests may change quotas, limits and faults while it runs.
    """

    def __init__(
        self,
        db: str | Path = ":memory:",
        *,
        config: SandboxConfig | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.config = config if config is not None else SandboxConfig.from_env()
        self.store = Store(db)
        self.backend = Backend(self.store, lambda: self.config)
        self.lex = LexService(self.store)
        self.sts = StsService()
        self.request_log = RequestLog()
        self.buckets = TokenBuckets()
        self.host = host
        self._port = port
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._fault_lock = threading.Lock()

    # --- lifecycle -------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The bound port (after :meth:`start`)."""
        if self._httpd is None:
            return self._port
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """The endpoint URL to give boto3 as ``endpoint_url``."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> SandboxServer:
        """Bind and serve in a daemon thread; returns self."""
        if self._httpd is not None:
            return self
        httpd = _HTTPServer((self.host, self._port), _Handler)
        httpd.sandbox = self
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.01},
            daemon=True,
            name=f"flowops-sandbox-{self.port}",
        )
        self._thread.start()
        return self

    def serve_forever(self, on_ready: Callable[[str], None] | None = None) -> None:
        """Serve in the calling thread until interrupted (``flowops sandbox serve``).

        ``on_ready`` is called with the URL once the port is bound.
        """
        httpd = _HTTPServer((self.host, self._port), _Handler)
        httpd.sandbox = self
        self._httpd = httpd
        if on_ready is not None:
            on_ready(self.url)
        try:
            httpd.serve_forever(poll_interval=0.2)
        finally:
            httpd.server_close()
            self._httpd = None

    def stop(self) -> None:
        """Stop serving and close the database."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self.store.close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def seed(self, **kwargs: Any) -> dict[str, Any]:
        """Load the standard seed data (see :mod:`flowops.sandbox.seed`)."""
        from flowops.sandbox.seed import seed

        return seed(self.store, **kwargs)

    def traffic(self, instance_id: str, flow: str, contacts: int, **options: Any) -> dict[str, Any]:
        """Send ``contacts`` simulated contacts into ``flow`` of an instance and record what
        its flows did; ``options`` as :meth:`~flowops.sandbox.backend.metrics.Metrics.
        send_traffic` takes them. Also the admin route ``POST /_sandbox/traffic``."""
        with self.store.transaction(write=True):
            return self.backend.metrics.send_traffic(instance_id, flow, int(contacts), **options)

    # --- request handling --------------------------------------------------------------

    def handle(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        """Answer one API request: (status, headers, body).

        Requests signed for ``lex`` go to the Lex V2 models API, logged and matched by fault
        rules as ``lexv2:<Operation>``; requests signed for ``sts`` to ``AssumeRole``
        (``flowops.sandbox.sts``); everything else is Amazon Connect.
        """
        caller = caller_from_headers(headers.get("Authorization") or headers.get("authorization"))
        if caller is None:
            error = SandboxError(
                "MissingAuthenticationTokenException",
                "Request is missing a SigV4 Authorization header",
            )
            status, err_headers, out = serialize_error(error)
            return 403, err_headers, out
        if caller.service == "sts":
            return self._sts(caller.account, body)
        model = model_name(caller)
        prefix = LOG_PREFIX if model == LEX_MODELS else ""
        operation = prefix + "Unknown"
        try:
            try:
                name, params = parse_request(method, target, headers, body, model)
                operation = prefix + name
            finally:
                self.request_log.record_call(caller.account, operation)
            self._throttle(caller.account, caller.region, operation)
            lost = self._faults(caller.account, operation)
            if model == LEX_MODELS:
                result = self.lex.call(caller, name, params)
            else:
                result = self.backend.call(caller, name, params)
            if lost:
                raise _DropConnection()
            status, out = serialize_output(name, result, model)
            self.request_log.record_outcome(caller.account, operation, "ok")
            return status, {"Content-Type": "application/json"}, out
        except _DropConnection:
            self.request_log.record_outcome(caller.account, operation, "dropped")
            raise
        except SandboxError as error:
            error.service = model
            self.request_log.record_outcome(caller.account, operation, error.code)
            return serialize_error(error)
        except Exception:  # any bug answers as the service's own 500
            log.exception("sandbox failed on %s", operation)
            code = "InternalServerException" if model == LEX_MODELS else "InternalServiceException"
            self.request_log.record_outcome(caller.account, operation, code)
            failure = SandboxError(code, "Internal error in the flowops sandbox")
            failure.service = model
            return serialize_error(failure)

    def _sts(self, account: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        """STS (``AssumeRole``), logged as ``sts:<Action>``; no quota or fault applies."""
        operation = STS_PREFIX + StsService.operation(body)
        self.request_log.record_call(account, operation)
        headers = {"Content-Type": "text/xml"}
        try:
            out = self.sts.call(account, body)
        except StsError as error:
            self.request_log.record_outcome(account, operation, error.code)
            return error.status, headers, error.xml()
        self.request_log.record_outcome(account, operation, "ok")
        return 200, headers, out

    def _throttle(self, account: str, region: str, operation: str) -> None:
        config = self.config
        if not config.enforce_quotas:
            return
        bucket, quota = config.quota_for(operation)
        if not self.buckets.take((account, region, bucket), quota):
            raise SandboxError("ThrottlingException", "Rate exceeded")

    def _faults(self, account: str, operation: str) -> bool:
        """Apply the matching fault rules; True when the answer must be lost after the call."""
        config = self.config
        if not config.faults:
            return False
        delay = 0.0
        failure = None
        with self._fault_lock:
            for rule in config.faults:
                if not rule.matches(account, operation):
                    continue
                rule.calls += 1
                delay += rule.latency
                hit = rule.calls in rule.nth_set()
                if not hit and rule.error_rate > 0:
                    hit = config.rng.random() < rule.error_rate
                if hit and failure is None:
                    failure = rule
        if delay:
            time.sleep(delay)
        if failure is not None:
            if failure.after_apply:
                return True
            if failure.drop_connection:
                raise _DropConnection()
            raise SandboxError(failure.error_code, failure.message)
        return False

    # --- admin routes ------------------------------------------------------------------

    def admin(self, method: str, path: str, body: bytes) -> tuple[int, Any]:
        """Answer an admin request under ``/_sandbox/``."""
        route = path[len(ADMIN_PREFIX) :].split("?", 1)[0].strip("/")
        try:
            data = json.loads(body) if body else {}
        except ValueError:
            return 400, {"error": "body is not JSON"}
        if route == "health":
            return 200, {"ok": True, "db": self.store.path}
        if route == "requests" and method == "GET":
            counts = [
                {"account": a, "operation": o, "count": n}
                for (a, o), n in sorted(self.request_log.counts().items())
            ]
            outcomes = [
                {"account": a, "operation": o, "outcome": r, "count": n}
                for (a, o, r), n in sorted(self.request_log.outcomes().items())
            ]
            return 200, {"total": self.request_log.count(), "counts": counts, "outcomes": outcomes}
        if route == "requests/reset" and method == "POST":
            self.request_log.reset()
            return 200, {"ok": True}
        if route == "config" and method == "GET":
            return 200, self.config.to_dict()
        if route == "config" and method == "POST":
            try:
                self.config.update(data)
            except (TypeError, ValueError) as exc:
                return 400, {"error": str(exc)}
            return 200, self.config.to_dict()
        if route == "faults" and method == "POST":
            try:
                self.config.update({"faults": data.get("faults", [])})
            except (TypeError, ValueError) as exc:
                return 400, {"error": str(exc)}
            return 200, self.config.to_dict()
        if route == "lag/settle" and method == "POST":
            self.backend.consistency.reset()
            return 200, {"ok": True}
        if route == "quotas/reset" and method == "POST":
            self.buckets.reset()
            return 200, {"ok": True}
        if route == "seed" and method == "POST":
            return 200, self.seed()
        if route == "traffic" and method == "POST":
            try:
                return 200, self.traffic(**data)
            except TypeError as exc:
                return 400, {"error": str(exc)}
            except SandboxError as exc:
                return 404, {"error": exc.message}
        return 404, {"error": f"no admin route {method} {path}"}
