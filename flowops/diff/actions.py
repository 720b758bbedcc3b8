"""One action against its counterpart: type, parameters, branches, condition order."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flowops.diff.branches import condition_order, labelled_branches
from flowops.diff.matching import Normalize
from flowops.diff.result import ActionChange, BranchChange
from flowops.diff.values import value_changes
from flowops.model.types import Action

_CORE_KEYS = frozenset({"Identifier", "Type", "Parameters", "Transitions"})


def _other_fields(action: Action) -> dict[str, Any]:
    """Keys of an action that the flow language may add later: compared, never lost."""
    return {k: v for k, v in action.raw.items() if k not in _CORE_KEYS}


def branch_changes(
    old: Action, new: Action, map_old: Callable[[str], str], normalize: Normalize
) -> tuple[BranchChange, ...]:
    """Branches retargeted (old target mapped to the new side first), added, removed."""
    before, after = labelled_branches(old, normalize), labelled_branches(new, normalize)
    out: list[BranchChange] = []
    for (branch, key), (target, label) in before.items():
        if (branch, key) not in after:
            out.append(BranchChange(branch, label, "removed", old=target))
            continue
        new_target, new_label = after[(branch, key)]
        if map_old(target) != new_target:
            out.append(BranchChange(branch, new_label, "retargeted", old=target, new=new_target))
    for (branch, key), (target, label) in after.items():
        if (branch, key) not in before:
            out.append(BranchChange(branch, label, "added", new=target))
    return tuple(out)


def _reordered(old: Action, new: Action, normalize: Normalize) -> bool:
    before, after = condition_order(old, normalize), condition_order(new, normalize)
    common = set(before) & set(after)
    return [c for c in before if c in common] != [c for c in after if c in common]


def compare_actions(
    old: Action,
    new: Action,
    pairs: Mapping[str, str],
    normalize: Normalize,
) -> ActionChange | None:
    """The change from ``old`` to ``new`` (a matched pair), or None when identical."""
    recreated = old.identifier != new.identifier
    params = value_changes(dict(old.parameters), dict(new.parameters), normalize)
    branches = branch_changes(old, new, lambda t: pairs.get(t, t), normalize)
    reordered = _reordered(old, new, normalize)
    other = value_changes(_other_fields(old), _other_fields(new), normalize)
    type_changed = old.type != new.type
    if not (recreated or params or branches or reordered or other or type_changed):
        return None
    return ActionChange(
        identifier=new.identifier,
        type=new.type,
        status="recreated" if recreated else "changed",
        old_identifier=old.identifier if recreated else None,
        old_type=old.type if type_changed else None,
        parameters=params,
        branches=branches,
        conditions_reordered=reordered,
        other=other,
    )
