"""FL204: Lambda invocation timeout above the Connect maximum, or missing."""

from __future__ import annotations

from collections.abc import Iterator

from flowops.lint.finding import Finding, Severity
from flowops.lint.rule import Rule, RuleContext, action_path, is_dynamic
from flowops.model.action_types import LAMBDA_ASYNC_TIMEOUT_MAX, LAMBDA_SYNC_TIMEOUT_MAX


class LambdaTimeout(Rule):
    """A Lambda invocation's timeout is above Connect's maximum, or not set.

    Connect waits at most 8 seconds for a synchronous Lambda (60 for an asynchronous
    one); a larger ``InvocationTimeLimitSeconds`` is rejected when the flow is
    published, so the problem only shows at deploy time. A missing timeout (reported as
    a warning) silently takes the default of 3 seconds, which is rarely what the author
    measured. Timeouts given as JSONPath or a template placeholder are not checked.

    *Anti-pattern*: ``"InvocationTimeLimitSeconds": "30"`` on a synchronous invocation.

    *Best practice*: set an explicit timeout within the limit, and make slow work
    asynchronous (``"InvocationType": "ASYNCHRONOUS"`` and a Wait block).
    """

    id = "FL204"
    name = "lambda-timeout"
    severity = Severity.error

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for action in ctx.actions("InvokeLambdaFunction"):
            value = action.parameters.get("InvocationTimeLimitSeconds")
            path = action_path(action, "Parameters", "InvocationTimeLimitSeconds")
            if value is None or value == "":
                yield ctx.finding(
                    self,
                    action.identifier,
                    "InvocationTimeLimitSeconds is missing (Connect uses 3 seconds)",
                    severity=Severity.warning,
                    path=path,
                )
                continue
            if is_dynamic(value):
                continue
            is_async = str(action.parameters.get("InvocationType", "")).upper() == "ASYNCHRONOUS"
            limit = LAMBDA_ASYNC_TIMEOUT_MAX if is_async else LAMBDA_SYNC_TIMEOUT_MAX
            try:
                seconds = float(str(value))
            except ValueError:
                yield ctx.finding(
                    self,
                    action.identifier,
                    f"InvocationTimeLimitSeconds {value!r} is not a number",
                    path=path,
                )
                continue
            if seconds > limit or seconds <= 0:
                yield ctx.finding(
                    self,
                    action.identifier,
                    f"InvocationTimeLimitSeconds {value} is outside 1-{limit} seconds"
                    f" ({'asynchronous' if is_async else 'synchronous'} invocation)",
                    path=path,
                )
