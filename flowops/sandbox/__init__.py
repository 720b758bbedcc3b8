"""A local Amazon Connect endpoint that real boto3 talks to (see docs/sandbox.md).

``SandboxServer`` serves Connect's rest-json API from botocore's own service model over a
SQLite store, with per-account quotas, resource limits, fault injection, eventual
consistency, strictness switches and a request log.
"""

from flowops.sandbox.config import FaultRule, Lag, Limits, Quota, SandboxConfig, Strictness
from flowops.sandbox.server import SandboxServer

__all__ = ["FaultRule", "Lag", "Limits", "Quota", "SandboxConfig", "SandboxServer", "Strictness"]
