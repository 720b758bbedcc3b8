"""AWS STS ``AssumeRole`` for the sandbox, so role assumption runs end to end.

Requests signed for ``sts`` (what botocore's ``sts`` client sends, query protocol:
form-encoded POST, XML answer) are answered here. The temporary access key id is the
role's account id, so a client that assumed ``arn:aws:iam::222222222222:role/x`` then calls
Connect as account ``222222222222``, exactly as the sandbox maps static keys. Each call is
remembered in ``assumed`` (caller account, role ARN, session name, external id) so tests
can check what was asked. No trust policy is evaluated: every role can be assumed.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

#: Name of STS calls in the request log and in fault rules.
LOG_PREFIX = "sts:"
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(?P<account>\d{12}):role/(?P<name>[\w+=,.@/-]+)$")
_NS = "https://sts.amazonaws.com/doc/2011-06-15/"


@dataclass(frozen=True)
class AssumedRole:
    """One AssumeRole request the sandbox answered."""

    caller_account: str
    role_arn: str
    session_name: str
    external_id: str | None


class StsError(Exception):
    """An STS error answered as the query protocol's XML error document."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status

    def xml(self) -> bytes:
        return (
            f'<ErrorResponse xmlns="{_NS}"><Error><Type>Sender</Type>'
            f"<Code>{escape(self.code)}</Code><Message>{escape(self.message)}</Message>"
            "</Error><RequestId>sandbox</RequestId></ErrorResponse>"
        ).encode()


class StsService:
    """``AssumeRole`` (and ``GetCallerIdentity``) with account-named temporary keys."""

    def __init__(self) -> None:
        self.assumed: list[AssumedRole] = []
        self._lock = threading.Lock()

    @staticmethod
    def operation(body: bytes) -> str:
        """The ``Action`` of a query-protocol request body."""
        form = parse_qs(body.decode("utf-8", "replace"))
        return (form.get("Action") or ["Unknown"])[0]

    def call(self, caller_account: str, body: bytes) -> bytes:
        """Answer one STS request; raises :class:`StsError`."""
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        action = form.get("Action", "")
        if action == "GetCallerIdentity":
            return self._xml(
                action,
                f"<Account>{caller_account}</Account><UserId>{caller_account}</UserId>"
                f"<Arn>arn:aws:iam::{caller_account}:user/sandbox</Arn>",
            )
        if action != "AssumeRole":
            raise StsError("InvalidAction", f"the sandbox does not serve STS {action or '?'}")
        role_arn, session = form.get("RoleArn", ""), form.get("RoleSessionName", "")
        match = _ROLE_ARN.match(role_arn)
        if match is None or not session:
            raise StsError("ValidationError", f"invalid RoleArn {role_arn!r} or RoleSessionName")
        with self._lock:
            self.assumed.append(
                AssumedRole(caller_account, role_arn, session, form.get("ExternalId"))
            )
        account, name = match.group("account"), match.group("name").rsplit("/", 1)[-1]
        expires = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        return self._xml(
            action,
            "<Credentials>"
            f"<AccessKeyId>{account}</AccessKeyId>"
            "<SecretAccessKey>flowops-sandbox-secret</SecretAccessKey>"
            f"<SessionToken>sandbox-{escape(session)}</SessionToken>"
            f"<Expiration>{expires}</Expiration>"
            "</Credentials><AssumedRoleUser>"
            f"<AssumedRoleId>AROASANDBOX:{escape(session)}</AssumedRoleId>"
            f"<Arn>arn:aws:sts::{account}:assumed-role/{escape(name)}/{escape(session)}</Arn>"
            "</AssumedRoleUser>",
        )

    @staticmethod
    def _xml(action: str, result: str) -> bytes:
        return (
            f'<{action}Response xmlns="{_NS}"><{action}Result>{result}</{action}Result>'
            f"<ResponseMetadata><RequestId>sandbox</RequestId></ResponseMetadata>"
            f"</{action}Response>"
        ).encode()
