"""An action's transitions as a map from branch to target, the unit the diff compares.

A branch is named the way the designer labels it: ``Success`` (NextAction), the
condition (``Equals 1``; a repeated condition gets `` (2)``, `` (3)``...) or the error
type (the first branch of a type wins, as Connect evaluates them). Condition operands
are compared in their normalized (ARN-neutral) form, so ``Equals <queue ARN>`` is the
same branch in every account; labels shown to people keep the operands as written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flowops.graph import BranchType
from flowops.model.types import Action

#: (branch type, label): ("next", "Success"), ("condition", "Equals 1").
BranchKey = tuple[BranchType, str]


def _same(value: Any) -> Any:
    return value


def condition_label(operator: str, operands: tuple[object, ...]) -> str:
    """``Equals 1``, ``NumberLessThan 40``: the condition as the designer shows it."""
    return f"{operator} {', '.join(map(str, operands))}".strip()


def labelled_branches(
    action: Action, normalize: Callable[[Any], Any] = _same
) -> dict[BranchKey, tuple[str, str]]:
    """Every branch of ``action`` -> (target, label as written), in evaluation order.

    Keys carry the normalized label; the value's label keeps the operands as written.
    """
    t = action.transitions
    out: dict[BranchKey, tuple[str, str]] = {}
    if t.next_action is not None:
        out[("next", "Success")] = (t.next_action, "Success")
    seen: dict[str, int] = {}
    for cond in t.conditions:
        key = condition_label(cond.operator, tuple(normalize(list(cond.operands))))
        shown = condition_label(cond.operator, cond.operands)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            key, shown = f"{key} ({seen[key]})", f"{shown} ({seen[key]})"
        out[("condition", key)] = (cond.next_action, shown)
    for err in t.errors:
        out.setdefault(("error", err.error_type), (err.next_action, err.error_type))
    return out


def branch_map(action: Action, normalize: Callable[[Any], Any] = _same) -> dict[BranchKey, str]:
    """Every branch of ``action`` -> its target, in evaluation order."""
    return {key: target for key, (target, _) in labelled_branches(action, normalize).items()}


def condition_order(action: Action, normalize: Callable[[Any], Any] = _same) -> list[str]:
    """Condition keys in the order Connect evaluates them."""
    return [label for branch, label in branch_map(action, normalize) if branch == "condition"]
