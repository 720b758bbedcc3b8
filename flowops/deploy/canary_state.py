"""A running canary's state, kept in Connect as one tag on the entry flow.

Another laptop or a CI job must be able to ramp, promote or abort a canary it did not
start, without git and without local files, so the state lives where the canary runs:
tag ``flowops:canary`` on the entry flow. AWS limits tag values to 256 characters of
letters, digits, spaces and ``_ . : / = + - @``, so the value is a compact list of
``key=value`` words rather than JSON:

    v=1 s=<stable flow id> c=<candidate flow id> p=<percent> e=<restore version>
        t=<started, UTC> r=<candidate ref>

``e`` is the entry flow's version created just before the wrapper replaced its content:
``abort`` restores exactly that content. Where Connect refuses versions (versionless
mode), ``e`` is 0 and ``k`` is the first 16 hex digits of the SHA-256 of that content,
kept in Connect's restore-point module (``flowops.deploy.releases.keep_restore_points``).
The helper flows carry ``flowops:canary-of`` (entry flow id) and ``flowops:canary-role``
(stable | candidate) so they can be found and
cleaned up even if the entry flow's tag is lost.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from flowops.connect.catalog import Catalog, RemoteFlow
from flowops.errors import BadInputError

STATE_TAG = "flowops:canary"
ROLE_TAG = "flowops:canary-role"
OF_TAG = "flowops:canary-of"
FORMAT_VERSION = "1"
MAX_TAG_VALUE = 256

_ALLOWED = re.compile(r"[^\w .:/=+\-@]", re.UNICODE)
_REF_MAX = 64


def tag_safe(text: str, limit: int = _REF_MAX) -> str:
    """``text`` with characters AWS tags refuse (and spaces) replaced, cut to ``limit``."""
    return _ALLOWED.sub("-", text).replace(" ", "_")[:limit]


@dataclass(frozen=True)
class CanaryState:
    """What a running canary is: its two helper flows, the split and where to go back."""

    stable_id: str
    candidate_id: str
    percent: int
    restore_version: int
    started: str
    ref: str = ""
    restore_sha: str = ""  # versionless mode: the kept content's SHA-256 prefix

    def with_percent(self, percent: int) -> CanaryState:
        return replace(self, percent=percent)


def now_stamp() -> str:
    """The current UTC time, to the second, as tags can hold it."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def encode_state(state: CanaryState) -> str:
    """The tag value for ``state`` (always within AWS's 256-character limit)."""
    words = [
        f"v={FORMAT_VERSION}",
        f"s={tag_safe(state.stable_id, 80)}",
        f"c={tag_safe(state.candidate_id, 80)}",
        f"p={state.percent}",
        f"e={state.restore_version}",
        f"t={tag_safe(state.started, 24)}",
    ]
    if state.restore_sha:
        words.append(f"k={tag_safe(state.restore_sha, 16)}")
    if state.ref:
        words.append(f"r={tag_safe(state.ref)}")
    value = " ".join(words)
    return value[:MAX_TAG_VALUE]


def decode_state(value: str) -> CanaryState:
    """Parse a ``flowops:canary`` tag value; bad input when it is not one flowops wrote."""
    fields: dict[str, str] = {}
    for word in value.split():
        key, sep, val = word.partition("=")
        if not sep:
            raise BadInputError(f"tag {STATE_TAG}: unreadable word {word!r} in {value!r}")
        fields[key] = val
    if fields.get("v") != FORMAT_VERSION:
        raise BadInputError(
            f"tag {STATE_TAG}: unsupported format {fields.get('v')!r} (expected {FORMAT_VERSION})"
        )
    try:
        return CanaryState(
            stable_id=fields["s"],
            candidate_id=fields["c"],
            percent=int(fields["p"]),
            restore_version=int(fields["e"]),
            started=fields["t"],
            ref=fields.get("r", ""),
            restore_sha=fields.get("k", ""),
        )
    except (KeyError, ValueError) as exc:
        raise BadInputError(
            f"tag {STATE_TAG}: missing or invalid field in {value!r}: {exc}"
        ) from None


def state_from_tags(tags: Mapping[str, str]) -> CanaryState | None:
    """The canary running on a flow with these tags, or None."""
    value = tags.get(STATE_TAG)
    return decode_state(value) if value else None


def is_canary_helper(live: RemoteFlow) -> bool:
    """A stable/candidate variant flow a running canary created (not desired state)."""
    return ROLE_TAG in live.tags


def canary_stable_view(live: RemoteFlow, catalog: Catalog) -> tuple[RemoteFlow | None, str]:
    """An entry flow under canary as git should see it: the stable variant's content.

    Returns the flow to export (None to skip it) and the warning to show.
    """
    try:
        state = state_from_tags(live.tags)
    except BadInputError as exc:
        return None, f"{live.key}: runs a canary whose state is unreadable ({exc}); skipped"
    assert state is not None
    stable = next((f for f in catalog.flows.values() if f.id == state.stable_id), None)
    what = f"{state.percent}% to {state.ref or 'a candidate'}"
    if stable is None or stable.content is None:
        return None, (
            f"{live.key}: runs a canary ({what}) and its stable variant {state.stable_id} "
            "cannot be read; skipped (file kept as is)"
        )
    return replace(live, content=stable.content), (
        f"{live.key}: runs a canary ({what}); exported its stable variant, not the wrapper"
    )
