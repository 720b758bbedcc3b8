"""Which action of the old flow is which action of the new one.

Rule, in two steps:

1. Actions with the same ``Identifier`` are the same action.
2. The rest are paired as *re-created* (the designer deleted a block and built the same
   one again, with a new identifier) when a removed action R and an added action A
   have the same ``Type``, equal ``Parameters`` (ARN-neutral, see ``arns``) and equal
   neighbours: the same outgoing branches (branch label -> target) and the same
   incoming branches (predecessor, branch label; StartAction counts as one), every
   endpoint mapped old -> new through the pairs found so far. An endpoint that is
   itself still unpaired on its side compares equal to any unpaired endpoint on the
   other side, so chains of re-created blocks pair up. R and A are paired only when
   each is the other's only candidate; the step repeats until nothing new pairs.

Duplicate identifiers (a lint error) are matched by their first occurrence.
The rule is symmetric, so matching new against old gives the mirror pairs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flowops.diff.branches import branch_map
from flowops.model.types import Action, Flow

_UNPAIRED = "\x00unpaired"
_START = ("\x00start", "start", "")

Normalize = Callable[[Any], Any]


@dataclass(frozen=True)
class Matching:
    """``pairs`` maps every matched old identifier to its new identifier."""

    pairs: dict[str, str]
    removed: tuple[str, ...]
    added: tuple[str, ...]

    @property
    def recreated(self) -> dict[str, str]:
        return {old: new for old, new in self.pairs.items() if old != new}


def _unique_actions(flow: Flow) -> dict[str, Action]:
    out: dict[str, Action] = {}
    for action in flow.actions:
        out.setdefault(action.identifier, action)
    return out


def _incoming(
    flow: Flow, actions: dict[str, Action], normalize: Normalize
) -> dict[str, list[tuple[str, str, str]]]:
    out: dict[str, list[tuple[str, str, str]]] = {}
    for source, action in actions.items():
        for (branch, label), target in branch_map(action, normalize).items():
            out.setdefault(target, []).append((source, branch, label))
    out.setdefault(flow.start_action, []).append(_START)
    return out


def _signature(
    action: Action,
    incoming: list[tuple[str, str, str]],
    endpoint: Callable[[str], str],
    params: str,
    normalize: Normalize,
) -> tuple[Any, ...]:
    branches = branch_map(action, normalize).items()
    outgoing = tuple(sorted((branch, label, endpoint(t)) for (branch, label), t in branches))
    into = tuple(
        sorted((s if s == _START[0] else endpoint(s), b, label) for s, b, label in incoming)
    )
    return (action.type, params, outgoing, into)


def _endpoint(pairs: dict[str, str], unpaired: set[str]) -> Callable[[str], str]:
    """Map an endpoint to the new side; unpaired actions become one wildcard."""

    def end(target: str) -> str:
        return _UNPAIRED if target in unpaired else pairs.get(target, target)

    return end


def match_actions(old: Flow, new: Flow, normalize: Normalize) -> Matching:
    """Pair the actions of two versions of a flow (see the module docstring)."""
    old_actions = _unique_actions(old)
    new_actions = _unique_actions(new)
    pairs = {i: i for i in old_actions if i in new_actions}
    removed = [i for i in old_actions if i not in new_actions]
    added = [i for i in new_actions if i not in old_actions]
    if removed and added:
        old_in = _incoming(old, old_actions, normalize)
        new_in = _incoming(new, new_actions, normalize)
        params: dict[tuple[str, str], str] = {}

        def params_of(side: str, action: Action) -> str:
            key = (side, action.identifier)
            if key not in params:
                params[key] = json.dumps(normalize(action.parameters), sort_keys=True)
            return params[key]

        progress = True
        while progress and removed and added:
            removed_set, added_set = set(removed), set(added)
            old_end = _endpoint(pairs, removed_set)
            new_end = _endpoint({}, added_set)
            groups: dict[tuple[Any, ...], tuple[list[str], list[str]]] = {}
            for i in removed:
                a = old_actions[i]
                sig = _signature(a, old_in.get(i, []), old_end, params_of("old", a), normalize)
                groups.setdefault(sig, ([], []))[0].append(i)
            for i in added:
                a = new_actions[i]
                sig = _signature(a, new_in.get(i, []), new_end, params_of("new", a), normalize)
                groups.setdefault(sig, ([], []))[1].append(i)
            found = {o[0]: n[0] for o, n in groups.values() if len(o) == 1 and len(n) == 1}
            pairs.update(found)
            progress = bool(found)
            removed = [i for i in removed if i not in found]
            matched = set(found.values())
            added = [i for i in added if i not in matched]
    return Matching(pairs=pairs, removed=tuple(removed), added=tuple(added))
