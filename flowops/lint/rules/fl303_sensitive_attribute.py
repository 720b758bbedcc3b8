"""FL303: an attribute named like a secret is set in clear."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import lru_cache

from flowops.lint.finding import Finding, Severity
from flowops.lint.rule import Rule, RuleContext, action_path

#: Name tokens that mark an attribute as sensitive (after camelCase/snake_case split).
SENSITIVE_TOKENS = frozenset(
    {
        "card",
        "cardnumber",
        "creditcard",
        "ccn",
        "cvv",
        "cvc",
        "ssn",
        "pin",
        "password",
        "passwd",
        "pwd",
        "secret",
        "iban",
    }
)
#: Words that say the value is protected or only describes the secret (``cardType``).
SAFE_TOKENS = frozenset(
    {
        "encrypted",
        "masked",
        "redacted",
        "token",
        "tokenized",
        "hash",
        "hashed",
        "type",
        "last",
        "length",
        "status",
        "attempts",
        "count",
        "valid",
        "verified",
        "brand",
    }
)
_TOKEN = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


@lru_cache(maxsize=4096)
def sensitive_tokens(name: str) -> frozenset[str]:
    """Sensitive words in an attribute name: ``customerPIN`` -> {"pin"}."""
    tokens = [t.lower() for t in _TOKEN.findall(name)]
    if SAFE_TOKENS.intersection(tokens):
        return frozenset()
    joined = {a + b for a, b in zip(tokens, tokens[1:], strict=False)}
    return frozenset((set(tokens) | joined) & SENSITIVE_TOKENS)


class SensitiveAttribute(Rule):
    """A contact attribute named like a card number, SSN, PIN or password is set.

    Contact attributes are stored in clear in the contact record, shown to agents in
    screen pops, sent to every Lambda, and logged to CloudWatch when flow logging is on.
    Secrets do not belong there. Setting such an attribute to an empty value (AWS's
    clean-up practice) is not reported, nor names that say the value is protected or
    only describes the secret (``EncryptedCardNumber``, ``cardType``, ``pinAttempts``).

    *Anti-pattern*: ``"Attributes": {"cardNumber": "$.StoredCustomerInput"}``.

    *Best practice*: keep the encrypted stored input only as long as needed, pass it to a
    Lambda directly, and store a token or the last four digits instead.
    """

    id = "FL303"
    name = "sensitive-attribute"
    severity = Severity.warning

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for action in ctx.actions("UpdateContactAttributes", "UpdateFlowAttributes"):
            for key in ("Attributes", "FlowAttributes"):
                attributes = action.parameters.get(key)
                if not isinstance(attributes, Mapping):
                    continue
                for name, value in attributes.items():
                    if value == "" or (isinstance(value, Mapping) and value.get("Value") == ""):
                        continue
                    words = sensitive_tokens(str(name))
                    if words:
                        yield ctx.finding(
                            self,
                            action.identifier,
                            f"attribute {name!r} looks sensitive ({', '.join(sorted(words))})"
                            " and is set in clear",
                            path=action_path(action, "Parameters", key, str(name)),
                        )
