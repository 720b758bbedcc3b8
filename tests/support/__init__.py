"""Test support: helpers for programs that drive the sandbox (tests and benchmarks).

* :func:`sandbox_environment`: an :class:`~flowops.config.Environment` on the sandbox's
  seeded instance, unpaced unless ``rate_limit`` is given;
* :data:`UNPACED`: client-side pacing effectively off (the sandbox's quotas are off in
  tests, and set-up steps must stay fast);
* :data:`FAST_RETRIES`: every retry in the client's own loop, with short waits;
* :data:`DEV`, :data:`STAGING`, :data:`PROD`: the seeded accounts' ids;
* :func:`sandbox_environment_file`: the same environment as a YAML file, for the CLI;
* :func:`linear_flow`: flow content whose actions run one after the other;
* :func:`git_repo`: a new git repository with a committer configured;
* :data:`CATALOG_LISTS`, :data:`FLOW_READS`, :data:`WRITE_PREFIXES`: Connect operations
  by role, for counting the calls a client made.

Further modules: ``clients`` (boto3 and flowops clients for a sandbox), ``flows`` (flow
content and documents), ``repos`` (scratch git repositories), ``scenarios`` (shared
deploy scenarios), ``actions`` (a GitHub Actions runner for the workflows). Fixtures
built on them are in ``tests/integration/conftest.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import git
import yaml

from flowops.config import Environment, RateLimit
from flowops.connect import ClientSettings
from flowops.sandbox.seed import ACCOUNTS, INSTANCE_ALIAS, REGION

DEV = ACCOUNTS["dev"]
STAGING = ACCOUNTS["staging"]
PROD = ACCOUNTS["prod"]

#: Pacing effectively off.
UNPACED = RateLimit(rate=10_000.0, burst=10_000)
#: Every retry in the client's own loop (botocore's own retries off), with short waits.
FAST_RETRIES = ClientSettings(
    backoff_base=0.01,
    backoff_cap=0.05,
    max_attempts=30,
    botocore_max_attempts=1,
    botocore_retry_mode="standard",
)

#: The list operations a full catalog read makes, one paginated list per resource type.
CATALOG_LISTS = (
    "ListQueues",
    "ListPrompts",
    "ListHoursOfOperations",
    "ListQuickConnects",
    "ListLambdaFunctions",
    "ListBots",
    "ListLexBots",
    "ListPhoneNumbersV2",
    "ListUsers",
    "ListViews",
)
#: The operations that read flows and modules.
FLOW_READS = (
    "SearchContactFlows",
    "SearchContactFlowModules",
    "DescribeContactFlow",
    "DescribeContactFlowModule",
    "ListContactFlows",
    "ListContactFlowModules",
)
#: Prefixes of the write operations.
WRITE_PREFIXES = ("Create", "Update", "Delete", "Tag", "Untag", "Associate", "Disassociate")


def _where(url: str, name: str, account: str | None) -> dict[str, Any]:
    return {
        "name": name,
        "region": REGION,
        "account_id": account if account is not None else ACCOUNTS[name],
        "instance": INSTANCE_ALIAS,
        "endpoint_url": url,
    }


def sandbox_environment(
    url: str, name: str = "dev", account: str | None = None, **overrides: Any
) -> Environment:
    """Environment ``name`` on the sandbox at ``url``: the seeded instance in ``account``
    (default: the seeded account of that name), region us-east-1, :data:`UNPACED`.

    ``overrides`` are further :class:`Environment` fields (``rate_limit`` included).
    """
    return Environment(**{**_where(url, name, account), "rate_limit": UNPACED, **overrides})


def sandbox_environment_file(
    folder: Path, url: str, name: str = "dev", account: str | None = None, **fields: Any
) -> Path:
    """Write ``folder/<name>.yaml``: what :func:`sandbox_environment` builds, for the CLI.

    ``fields`` are further keys of the file (``managed``, ``protected``, ...).
    """
    unpaced = {"rate": UNPACED.rate, "burst": UNPACED.burst}
    data = {**_where(url, name, account), "rate_limit": unpaced, **fields}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def linear_flow(*steps: tuple[str, str, dict[str, Any]]) -> dict[str, Any]:
    """Flow content running ``steps`` (identifier, action type, parameters) in order.

    Each step but the last goes on to the next, and on ``NoMatchingError`` to the last
    (which should end the flow: ``DisconnectParticipant``, ``EndFlowModuleExecution``).
    """
    last = steps[-1][0]
    actions: list[dict[str, Any]] = []
    for (ident, kind, params), after in zip(steps, steps[1:] + (None,), strict=True):
        action: dict[str, Any] = {"Identifier": ident, "Type": kind, "Parameters": params}
        if after is None:
            action["Transitions"] = {}
        else:
            action["Transitions"] = {
                "NextAction": after[0],
                "Errors": [{"NextAction": last, "ErrorType": "NoMatchingError"}],
            }
        actions.append(action)
    return {"Version": "2019-10-30", "StartAction": steps[0][0], "Actions": actions}


def git_repo(path: Path, user: str = "test", email: str = "test@example.com") -> git.Repo:
    """A new git repository at ``path`` whose commits are by ``user <email>``."""
    repo = git.Repo.init(path)
    with repo.config_writer() as cfg:
        cfg.set_value("user", "name", user)
        cfg.set_value("user", "email", email)
    return repo
