"""Value-level differences (parameters, settings, fields) with deepdiff, as flow language.

deepdiff finds what differs between the ARN-neutral forms; the change is then reported
with the values as written on each side, under a readable path (``Attributes.lang``,
``Messages[0].Text``) instead of deepdiff's ``root['Attributes']['lang']``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from deepdiff import DeepDiff

from flowops.diff.matching import Normalize
from flowops.diff.result import ChangeType, ValueChange

_KINDS: dict[str, ChangeType] = {
    "values_changed": "changed",
    "type_changes": "changed",
    "dictionary_item_added": "added",
    "iterable_item_added": "added",
    "attribute_added": "added",
    "set_item_added": "added",
    "dictionary_item_removed": "removed",
    "iterable_item_removed": "removed",
    "attribute_removed": "removed",
    "set_item_removed": "removed",
}

_MISSING = object()


def format_path(parts: Sequence[Any]) -> str:
    """``['Messages', 0, 'Text']`` -> ``Messages[0].Text``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(value)"


def _lookup(value: Any, parts: Sequence[Any]) -> Any:
    for part in parts:
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif (
            isinstance(value, list | tuple)
            and isinstance(part, int)
            and -len(value) <= part < len(value)
        ):
            value = value[part]
        else:
            return _MISSING
    return value


def _plain(value: Any) -> Any:
    """JSON-ready copy (tuples -> lists, mappings -> dicts) for stable output."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def value_changes(old: Any, new: Any, normalize: Normalize) -> tuple[ValueChange, ...]:
    """Differences between two JSON values, sorted by path; () when they are equal."""
    old_n, new_n = normalize(old), normalize(new)
    if old_n == new_n:
        return ()
    tree = DeepDiff(old_n, new_n, view="tree", verbose_level=2)
    out: list[ValueChange] = []
    for report, levels in tree.items():
        kind = _KINDS.get(report)
        if kind is None:
            continue
        for level in levels:
            parts = level.path(output_format="list")
            before, after = _lookup(old, parts), _lookup(new, parts)
            out.append(
                ValueChange(
                    path=format_path(parts),
                    change=kind,
                    old=None if kind == "added" or before is _MISSING else _plain(before),
                    new=None if kind == "removed" or after is _MISSING else _plain(after),
                )
            )
    if not out:  # deepdiff saw no difference deepdiff can name: report the whole value
        out.append(ValueChange(path="(value)", change="changed", old=_plain(old), new=_plain(new)))
    out.sort(key=lambda c: (c.path, c.change))
    return tuple(out)
