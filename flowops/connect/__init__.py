"""Amazon Connect access: the only package in flowops that imports boto3.

``ConnectClient.for_environment(env)`` gives a paced, retried client for one environment;
``client.catalog()`` lists the instance's flows, modules and resources once per run.
"""

from flowops.connect.catalog import (
    RESOURCE_KINDS,
    Catalog,
    CatalogEntry,
    FlowKind,
    FlowVersion,
    RemoteFlow,
)
from flowops.connect.client import ConnectClient
from flowops.connect.errors import (
    AccessDeniedError,
    ConditionFailedError,
    ConflictError,
    ConnectError,
    ConnectionFailedError,
    CredentialsError,
    DuplicateError,
    InvalidContactFlowError,
    InvalidRequestError,
    LimitExceededError,
    ModelViolationError,
    NotFoundError,
    NotPublishedError,
    ServiceError,
    ThrottledError,
)
from flowops.connect.session import ClientSettings
from flowops.refs import ResourceKind

__all__ = [
    "RESOURCE_KINDS",
    "AccessDeniedError",
    "Catalog",
    "CatalogEntry",
    "ClientSettings",
    "ConditionFailedError",
    "ConflictError",
    "ConnectClient",
    "ConnectError",
    "ConnectionFailedError",
    "CredentialsError",
    "DuplicateError",
    "FlowKind",
    "FlowVersion",
    "InvalidContactFlowError",
    "InvalidRequestError",
    "LimitExceededError",
    "ModelViolationError",
    "NotFoundError",
    "NotPublishedError",
    "RemoteFlow",
    "ResourceKind",
    "ServiceError",
    "ThrottledError",
]
