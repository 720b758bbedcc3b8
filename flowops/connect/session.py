"""Credentials, endpoint and botocore settings for one environment's Connect client.

Three ways in, all from ``environments/<name>.yaml``: an AWS profile, a role to assume
(with an optional external id, chained on the profile or the ambient credentials), or the
ambient chain alone (CI with OIDC). Sandbox endpoints get static keys whose access key id
is the account id, which the sandbox maps to that account.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from urllib.parse import urlsplit

import boto3
import botocore.session
from botocore.config import Config
from botocore.credentials import AssumeRoleCredentialFetcher, DeferredRefreshableCredentials
from botocore.exceptions import BotoCoreError

from flowops import __version__
from flowops.config import DEFAULT_SANDBOX_DB, Environment
from flowops.connect.errors import CredentialsError
from flowops.endpoints import sandbox_url

SANDBOX_SECRET = "flowops-sandbox-secret"
#: Set (to anything but ``0``/empty) to refuse, before sending, any request that breaks a
#: constraint of botocore's model (``ClientSettings.check_model``); the test suite sets it.
CHECK_MODEL_ENV = "FLOWOPS_CHECK_MODEL"
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0"})


@dataclass(frozen=True)
class ClientSettings:
    """Retry and timeout settings (defaults suit real AWS; tests may shorten the waits).

    botocore sends each request at most ``botocore_max_attempts`` times in total, in
    ``botocore_retry_mode`` (adaptive: it also slows its own send rate after throttles, in
    real time; tests that inject throttles may prefer "standard"); around that, the client
    retries throttles and 5xx answers up to ``max_attempts`` times with exponential backoff
    and full jitter between ``backoff_base`` and ``backoff_cap`` seconds.
    """

    botocore_retry_mode: str = "adaptive"
    botocore_max_attempts: int = 3
    max_attempts: int = 10
    backoff_base: float = 0.5
    backoff_cap: float = 20.0
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    #: Ask Lex V2 (DescribeBot, DescribeBotAlias) for bot and alias names, which are what
    #: match across accounts; where Lex cannot answer, ``BOTID/ALIASID`` is used instead.
    resolve_lex_names: bool = True
    #: Check every request against the model's lengths, patterns, enums and ranges before
    #: sending it (botocore does not; Connect does): a request that breaks one raises
    #: ``ModelViolationError`` naming the member. Default: ``$FLOWOPS_CHECK_MODEL``.
    check_model: bool = field(default_factory=lambda: _env_flag(CHECK_MODEL_ENV))
    #: Tries of a Describe/Update/Version/Alias/Tag of a resource this client created
    #: itself that answers ``ResourceNotFoundException`` (Connect is eventually
    #: consistent: a read right after a create may not find it yet), with the backoff above.
    not_found_attempts: int = 6
    #: Seconds a read that must find what a write made (a module Connect has just said
    #: exists, under the environment lock) asks Search and List again, with the backoff
    #: above, before giving up: both are eventually consistent.
    settle_seconds: float = 60.0


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no", "off")


def is_local_endpoint(url: str | None) -> bool:
    """An http(s) URL on this machine (a sandbox started by hand or by a test)."""
    if not url or url == "sandbox":
        return url == "sandbox"
    host = urlsplit(url).hostname or ""
    return host in _LOCAL_HOSTS


def resolve_endpoint(env: Environment) -> str | None:
    """The URL to send requests to: None for AWS; starts the embedded sandbox if asked."""
    if env.endpoint_url == "sandbox":
        return sandbox_url(env.name, env.sandbox_db or DEFAULT_SANDBOX_DB)
    return env.endpoint_url


def _assume_role(
    base: boto3.Session, env: Environment, endpoint_url: str | None = None
) -> boto3.Session:
    """A session whose credentials come from AssumeRole and refresh before they expire.

    With a local ``endpoint_url`` (a sandbox), STS is asked there too, so role assumption
    can be exercised without AWS.
    """
    auth = env.auth
    assert auth.role_arn is not None
    source = base.get_credentials()
    if source is None:
        raise CredentialsError(
            f"environment {env.name!r}: no credentials to assume {auth.role_arn} with "
            "(set a profile, or AWS credentials in the environment)"
        )
    extra: dict[str, Any] = {"RoleSessionName": auth.session_name or f"flowops-{env.name}"}
    if auth.external_id:
        extra["ExternalId"] = auth.external_id
    create_client = base._session.create_client
    if is_local_endpoint(endpoint_url):
        create_client = partial(create_client, endpoint_url=endpoint_url)
    fetcher = AssumeRoleCredentialFetcher(
        client_creator=create_client,
        source_credentials=source,
        role_arn=auth.role_arn,
        extra_args=extra,
    )
    creds = DeferredRefreshableCredentials(
        method="assume-role", refresh_using=fetcher.fetch_credentials
    )
    core = botocore.session.Session()
    core._credentials = creds
    return boto3.Session(botocore_session=core, region_name=env.region)


def make_session(env: Environment, endpoint_url: str | None) -> boto3.Session:
    """The boto3 session for ``env`` (no network call is made here)."""
    local = is_local_endpoint(endpoint_url) and not (env.auth.profile or env.auth.role_arn)
    if env.is_sandbox or local:
        return boto3.Session(
            aws_access_key_id=env.account_id,
            aws_secret_access_key=SANDBOX_SECRET,
            region_name=env.region,
        )
    try:
        base = boto3.Session(profile_name=env.auth.profile, region_name=env.region)
    except BotoCoreError as exc:  # ProfileNotFound and friends
        raise CredentialsError(f"environment {env.name!r} ({env.source}): {exc}") from None
    if env.auth.role_arn:
        return _assume_role(base, env, endpoint_url)
    return base


def make_connect_client(
    session: boto3.Session,
    env: Environment,
    endpoint_url: str | None,
    settings: ClientSettings,
    user_agent: str,
) -> Any:
    """A botocore ``connect`` client with adaptive retries and our user agent."""
    return make_service_client(session, "connect", env.region, endpoint_url, settings, user_agent)


def make_service_client(
    session: boto3.Session,
    service: str,
    region: str,
    endpoint_url: str | None,
    settings: ClientSettings,
    user_agent: str,
) -> Any:
    """A botocore client for ``service`` with the environment's retry settings."""
    config = Config(
        region_name=region,
        retries={
            "mode": settings.botocore_retry_mode,
            "total_max_attempts": settings.botocore_max_attempts,
        },
        user_agent_extra=user_agent,
        connect_timeout=settings.connect_timeout,
        read_timeout=settings.read_timeout,
    )
    return session.client(service, endpoint_url=endpoint_url, config=config)


def user_agent(client_id: str) -> str:
    """``flowops/<version> flowops-client/<id>``: lets a request log tell clients apart."""
    return f"flowops/{__version__} flowops-client/{client_id}"
