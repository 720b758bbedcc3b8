"""The slice of the Lex V2 models API that flowops needs: bot and bot alias names.

Connect's ``ListBots`` gives only Lex V2 alias ARNs, whose ids differ per account; flowops
asks Lex V2 (``DescribeBot``, ``DescribeBotAlias``) for the names, which are what match
across accounts. Bots and aliases belong to an account and Region (not to a Connect
instance), like in AWS. Requests are signed for ``lex`` and parsed with botocore's
``lexv2-models`` model by :mod:`flowops.sandbox.protocol`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flowops.sandbox.backend.common import now
from flowops.sandbox.constraints import check_input
from flowops.sandbox.protocol import LEX_MODELS, Caller, SandboxError
from flowops.sandbox.store import LexAlias, LexBot, Store

#: Request-log and fault-rule name prefix of Lex V2 operations (``lexv2:DescribeBot``), the
#: same label the flowops client counts them under.
LOG_PREFIX = "lexv2:"


def _not_found(what: str) -> SandboxError:
    return SandboxError("ResourceNotFoundException", f"{what} not found")


def bot_alias_arn(region: str, account: str, bot_id: str, alias_id: str) -> str:
    """The ARN Connect's ``ListBots`` shows for a bot alias."""
    return f"arn:aws:lex:{region}:{account}:bot-alias/{bot_id}/{alias_id}"


class LexService:
    """Lex V2 model-building operations over the sandbox store (read-only over the wire)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def call(self, caller: Caller, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """Run one Lex V2 operation in one read transaction."""
        if operation not in LEX_OPERATIONS:
            raise SandboxError(
                "ValidationException",
                f"The flowops sandbox does not support the Lex V2 operation {operation}",
            )
        check_input(operation, params, LEX_MODELS)
        handler: Callable[[Caller, dict[str, Any]], dict[str, Any]] = getattr(self, operation)
        with self.store.transaction(write=False):
            return handler(caller, params)

    # --- seeding -----------------------------------------------------------------------

    def add_bot(self, account: str, region: str, bot_id: str, name: str) -> None:
        """Create a bot if missing (used by the seed)."""
        self.store.insert_lex_bot(account, region, LexBot(bot_id, name, now()))

    def add_alias(
        self, account: str, region: str, bot_id: str, alias_id: str, name: str, version: str = "1"
    ) -> str:
        """Create a bot alias if missing (used by the seed); returns its ARN."""
        self.store.insert_lex_alias(
            account, region, LexAlias(bot_id, alias_id, name, version, now())
        )
        return bot_alias_arn(region, account, bot_id, alias_id)

    # --- operations --------------------------------------------------------------------

    def _bot(self, caller: Caller, bot_id: str) -> LexBot:
        bot = self.store.lex_bot(caller.account, caller.region, bot_id)
        if bot is None:
            raise _not_found(f"Bot {bot_id}")
        return bot

    def DescribeBot(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        bot = self._bot(caller, p["botId"])
        return {
            "botId": bot.id,
            "botName": bot.name,
            "roleArn": (
                f"arn:aws:iam::{caller.account}:role/aws-service-role/lexv2.amazonaws.com/"
                "AWSServiceRoleForLexV2Bots"
            ),
            "dataPrivacy": {"childDirected": False},
            "idleSessionTTLInSeconds": 300,
            "botStatus": "Available",
            "botType": "Bot",
            "creationDateTime": bot.created,
            "lastUpdatedDateTime": bot.created,
        }

    def DescribeBotAlias(self, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
        bot = self._bot(caller, p["botId"])
        alias = self.store.lex_alias(caller.account, caller.region, bot.id, p["botAliasId"])
        if alias is None:
            raise _not_found(f"Bot alias {p['botAliasId']} of bot {bot.id}")
        return {
            "botAliasId": alias.id,
            "botAliasName": alias.name,
            "botVersion": alias.version,
            "botAliasStatus": "Available",
            "botId": bot.id,
            "creationDateTime": alias.created,
            "lastUpdatedDateTime": alias.created,
        }


#: The Lex V2 operations the sandbox serves (kept in docs/sandbox.md by a test).
LEX_OPERATIONS = frozenset({"DescribeBot", "DescribeBotAlias"})
