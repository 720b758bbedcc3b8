"""A local Amazon Connect endpoint that real boto3 talks to (see docs/sandbox.md).

``SandboxServer`` serves Connect's rest-json API from botocore's own service model over a
SQLite store, with per-account quotas, resource limits, fault injection and a request log.
"""

from flowops.sandbox.config import FaultRule, Limits, Quota, SandboxConfig
from flowops.sandbox.server import SandboxServer

__all__ = ["FaultRule", "Limits", "Quota", "SandboxConfig", "SandboxServer"]
